"""gRPC error responses per second: railguard's rich status vs a plain ``context.abort``.

Two grpcio servers on 127.0.0.1 (generic handlers over raw bytes) and one client
channel each. The railguard server has `railguard.integrations.grpc.ServerInterceptor`
and a method returning ``Err(failure)``; the client reads every answer back into the
typed failure with `railguard.integrations.grpc.call`. The baseline server's method
calls ``context.abort(code, message)`` and its client catches ``grpc.RpcError`` and
reads ``code()`` and ``details()``. Short bursts of sequential calls alternate (and
swap which side goes first) so load on a shared machine affects both alike; each
side's best burst counts.
"""

from __future__ import annotations

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


@contextmanager
def _serving(
    behavior: Callable[..., Any], interceptors: list[grpc.ServerInterceptor]
) -> Iterator[grpc.UnaryUnaryMultiCallable[bytes, bytes]]:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), interceptors=interceptors)
    handler = grpc.method_handlers_generic_handler(
        "railguard.bench.Errors", {"Fail": grpc.unary_unary_rpc_method_handler(behavior)}
    )
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            grpc.channel_ready_future(channel).result(timeout=10)
            yield channel.unary_unary(METHOD)
    finally:
        server.stop(grace=None).wait(10)


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
    with (
        _serving(_railguard, [ServerInterceptor()]) as rich,
        _serving(_plain, []) as plain,
    ):
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
