"""gRPC error responses per second: railguard's rich status vs a plain ``context.abort``.

Two grpcio servers on 127.0.0.1 (generic handlers over raw bytes), in a child process
as a service would be, and one client channel each in this process. The railguard
server has `railguard.integrations.grpc.ServerInterceptor`
and a method returning ``Err(failure)``; the client reads every answer back into the
typed failure with `railguard.integrations.grpc.call`. The baseline server's method
calls ``context.abort(code, message)`` and its client catches ``grpc.RpcError`` and
reads ``code()`` and ``details()``. Short bursts of sequential calls alternate (and
swap which side goes first) so load on a shared machine affects both alike; each
side's best burst counts.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc

from benchmarks._harness import Ratio
from railguard import Err, Failure, RateLimitFailure, Result
from railguard.integrations.grpc import ServerInterceptor, call

BURST = 200
ROUNDS = 20
METHOD = "/railguard.bench.Errors/Fail"

FAILURE = RateLimitFailure(
    message="Rate limit exceeded: 100 requests per minute",
    details={"limit": 100, "window": "1m"},
    retry_after=30,
)


def _railguard(request: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    return Err(FAILURE)


def _plain(request: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED, FAILURE.message)


def _server(behavior: Callable[..., Any], interceptors: list[grpc.ServerInterceptor]) -> Any:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), interceptors=interceptors)
    handler = grpc.method_handlers_generic_handler(
        "railguard.bench.Errors", {"Fail": grpc.unary_unary_rpc_method_handler(behavior)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    return server, port


def _serve(ports: Any, stop: Any) -> None:
    """The child process: both servers, until ``stop`` is set."""
    rich, rich_port = _server(_railguard, [ServerInterceptor()])
    plain, plain_port = _server(_plain, [])
    ports.put((rich_port, plain_port))
    stop.wait(600)
    rich.stop(grace=None)
    plain.stop(grace=None)


@contextmanager
def _serving() -> Iterator[tuple[grpc.UnaryUnaryMultiCallable[bytes, bytes], ...]]:
    context = multiprocessing.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    child = context.Process(target=_serve, args=(ports, stop), daemon=True)
    child.start()
    try:
        rich_port, plain_port = ports.get(timeout=60)
        with (
            grpc.insecure_channel(f"127.0.0.1:{rich_port}") as rich,
            grpc.insecure_channel(f"127.0.0.1:{plain_port}") as plain,
        ):
            for channel in (rich, plain):
                grpc.channel_ready_future(channel).result(timeout=10)
            yield rich.unary_unary(METHOD), plain.unary_unary(METHOD)
    finally:
        stop.set()
        child.join(10)
        if child.is_alive():
            child.kill()


def _burst_railguard(method: grpc.UnaryUnaryMultiCallable[bytes, bytes]) -> float:
    start = time.perf_counter()
    for _ in range(BURST):
        failure = call(method, b"").failure()
        assert failure.retry_after == 30
    return BURST / (time.perf_counter() - start)


def _burst_plain(method: grpc.UnaryUnaryMultiCallable[bytes, bytes]) -> float:
    start = time.perf_counter()
    for _ in range(BURST):
        try:
            method(b"")
        except grpc.RpcError as error:
            code, message = error.code(), error.details()
            assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
            assert message
    return BURST / (time.perf_counter() - start)


def _measure() -> tuple[float, float]:
    with _serving() as (rich, plain):
        _burst_railguard(rich)  # warm-up: channels connected, codecs cached
        _burst_plain(plain)
        rg: list[float] = []
        base: list[float] = []
        for round_ in range(ROUNDS):
            if round_ % 2:
                base.append(_burst_plain(plain))
                rg.append(_burst_railguard(rich))
            else:
                rg.append(_burst_railguard(rich))
                base.append(_burst_plain(plain))
    return max(rg), max(base)


def run() -> list[Ratio]:
    """Error responses per second, railguard / plain abort (higher is better)."""
    railguard, baseline = _measure()
    return [
        Ratio(
            "grpc error responses/s (Err → rich status, decoded vs context.abort(code, message))",
            railguard,
            baseline,
            ">= 0.9",
            higher_is_better=True,
        )
    ]


if __name__ == "__main__":
    for ratio in run():
        rates = f"{ratio.railguard:,.0f} vs {ratio.baseline:,.0f} responses/s"
        print(f"{ratio.name}: {ratio.ratio:.3f} ({rates})")
