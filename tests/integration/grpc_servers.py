"""gRPC test servers: a generic handler of unary methods and a stream, an aio server run."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import grpc
import grpc.aio

TIMEOUT = 10.0


def generic_handler(
    service: str, methods: dict[str, Callable[..., Any]], stream: Callable[..., Any]
) -> Any:
    """``service``'s unary ``methods`` by name, and ``stream`` as its ``Stream`` method."""
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in methods.items()
    }
    handlers["Stream"] = grpc.unary_stream_rpc_method_handler(stream)
    return grpc.method_handlers_generic_handler(service, handlers)


async def with_aio_server(
    interceptor: grpc.aio.ServerInterceptor,
    handler: Any,
    body: Callable[[grpc.aio.Channel], Any],
) -> None:
    """Run ``body`` on a channel to ``handler`` served on 127.0.0.1 with ``interceptor``.

    The port is a free one; ``body`` has `TIMEOUT` seconds; the server stops however it ends.
    """
    server = grpc.aio.server(interceptors=[interceptor])
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as chan:
            await asyncio.wait_for(body(chan), TIMEOUT)
    finally:
        await server.stop(grace=None)
