"""gRPC error responses per second: railguard's rich status vs two hand-written peers.

Three grpcio servers on 127.0.0.1 (generic handlers over raw bytes), in a child process
as a service would be, and one client channel each in this process. The railguard
server has `railguard.integrations.grpc.ServerInterceptor`
and a method returning ``Err(failure)``; the client reads every answer back into the
typed failure with `railguard.integrations.grpc.call`. The peers:

- a plain ``context.abort(code, message)``, its client reading ``code()`` and
  ``details()`` (far less on the wire: no details at all);
- the same rich status written by hand as grpcio's documentation shows: the
  ``google.rpc`` messages (``ErrorInfo``, ``RetryInfo``, ``LocalizedMessage``) built and
  packed per call, sent with ``grpc_status.rpc_status.to_status`` and
  ``abort_with_status``, read back with ``rpc_status.from_call`` and ``Unpack``, with the
  call's request id in a ``RequestInfo`` and the ``x-request-id`` trailer, as railguard
  sends it. Every detail it sends is one railguard sends (checked before the rounds).

Short bursts of sequential calls alternate (and rotate which side goes first) so load
on a shared machine affects all alike; each side's best burst counts.
"""

from __future__ import annotations

import json
import multiprocessing
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any, Final, cast

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

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


def _by_hand(request: bytes, context: grpc.ServicerContext) -> bytes:
    """The rich status as grpcio's documentation writes it, built on every call, with the
    call's request id (the caller's ``x-request-id``, else a new one) as railguard sends it."""
    request_id = str(dict(context.invocation_metadata()).get("x-request-id") or uuid.uuid4().hex)
    info = error_details_pb2.ErrorInfo(
        reason="RATE_LIMIT",
        domain="railguard",
        metadata={
            "railguard-json": "details",
            "details": json.dumps({"limit": 100, "window": "1m"}, separators=(",", ":")),
        },
    )
    retry = error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=30))
    localized = error_details_pb2.LocalizedMessage(locale="en-US", message=FAILURE.message)
    request_info = error_details_pb2.RequestInfo(request_id=request_id)
    details = []
    for message in (info, retry, localized, request_info):
        packed = any_pb2.Any()
        packed.Pack(message)
        details.append(packed)
    status = status_pb2.Status(
        code=grpc.StatusCode.RESOURCE_EXHAUSTED.value[0], message=FAILURE.message, details=details
    )
    context.abort_with_status(_WithRequestId(rpc_status.to_status(status), request_id))


class _WithRequestId(grpc.Status):
    """``status`` with the ``x-request-id`` trailer added: ``abort_with_status`` sends the
    status's own trailing metadata only, in place of what ``set_trailing_metadata`` set."""

    def __init__(self, status: grpc.Status, request_id: str) -> None:
        self.code = status.code
        self.details = status.details
        self.trailing_metadata = (*status.trailing_metadata, ("x-request-id", request_id))


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
    servers = [
        _server(_railguard, [ServerInterceptor()]),
        _server(_plain, []),
        _server(_by_hand, []),
    ]
    ports.put(tuple(port for _, port in servers))
    stop.wait(600)
    for server, _ in servers:
        server.stop(grace=None)


@contextmanager
def _serving() -> Iterator[tuple[grpc.UnaryUnaryMultiCallable[bytes, bytes], ...]]:
    context = multiprocessing.get_context("spawn")
    ports, stop = context.Queue(), context.Event()
    child = context.Process(target=_serve, args=(ports, stop), daemon=True)
    child.start()
    try:
        rich_port, plain_port, hand_port = ports.get(timeout=60)
        with (
            grpc.insecure_channel(f"127.0.0.1:{rich_port}") as rich,
            grpc.insecure_channel(f"127.0.0.1:{plain_port}") as plain,
            grpc.insecure_channel(f"127.0.0.1:{hand_port}") as hand,
        ):
            for channel in (rich, plain, hand):
                grpc.channel_ready_future(channel).result(timeout=10)
            yield rich.unary_unary(METHOD), plain.unary_unary(METHOD), hand.unary_unary(METHOD)
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


def _read_by_hand(error: grpc.RpcError) -> tuple[str, dict[str, object], float, str]:
    """What a hand-written client reads: reason, details, the retry delay, the message."""
    status = rpc_status.from_call(cast(grpc.Call, error))
    assert status is not None
    reason, details, delay, message = "", {}, 0.0, status.message
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason, details = info.reason, json.loads(info.metadata["details"])
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
            delay = retry.retry_delay.ToTimedelta().total_seconds()
        elif detail.Is(error_details_pb2.LocalizedMessage.DESCRIPTOR):
            localized = error_details_pb2.LocalizedMessage()
            detail.Unpack(localized)
            message = localized.message
        elif detail.Is(error_details_pb2.RequestInfo.DESCRIPTOR):
            request_info = error_details_pb2.RequestInfo()
            detail.Unpack(request_info)
            assert request_info.request_id
    return reason, details, delay, message


def _burst_by_hand(method: grpc.UnaryUnaryMultiCallable[bytes, bytes]) -> float:
    delay = 0.0
    start = time.perf_counter()
    for _ in range(BURST):
        try:
            method(b"")
        except grpc.RpcError as error:
            delay = _read_by_hand(error)[2]
        assert delay == 30
    return BURST / (time.perf_counter() - start)


_DETAIL_TYPES: Final = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.RetryInfo,
    error_details_pb2.LocalizedMessage,
    error_details_pb2.RequestInfo,
)
"""The details the hand-written peer sends (railguard may send more)."""


def _details_of(method: grpc.UnaryUnaryMultiCallable[bytes, bytes]) -> list[object]:
    """The details of the status ``method`` answers, each unpacked (maps compare unordered)."""
    try:
        method(b"")
    except grpc.RpcError as error:
        status = rpc_status.from_call(cast(grpc.Call, error))
    else:
        raise AssertionError("the method answered without an error")
    assert status is not None
    unpacked: list[object] = []
    for detail in status.details:
        kind = next((k for k in _DETAIL_TYPES if detail.Is(k.DESCRIPTOR)), None)
        if kind is None:
            continue
        message = kind()
        detail.Unpack(message)
        if isinstance(message, error_details_pb2.RequestInfo):
            message.request_id = "id"  # each call has its own: compared by presence
        unpacked.append(message)
    return unpacked


def _trailer_names(method: grpc.UnaryUnaryMultiCallable[bytes, bytes]) -> set[str]:
    """The names of the trailing metadata ``method``'s error answer carries."""
    try:
        method(b"")
    except grpc.RpcError as error:
        return {key for key, _ in cast(grpc.Call, error).trailing_metadata() or ()}
    raise AssertionError("the method answered without an error")


def _measure() -> tuple[float, float, float]:
    with _serving() as (rich, plain, hand):
        sent = _details_of(rich)
        assert all(detail in sent for detail in _details_of(hand)), "the peer sends more"
        assert _trailer_names(hand) == _trailer_names(rich), "the peers' trailers differ"
        sides = ((_burst_railguard, rich), (_burst_plain, plain), (_burst_by_hand, hand))
        best = [0.0, 0.0, 0.0]
        for burst, method in sides:  # warm-up: channels connected, codecs cached
            burst(method)
        for round_ in range(ROUNDS):
            order = [(i + round_) % 3 for i in range(3)]
            for i in order if round_ % 2 else reversed(order):
                burst, method = sides[i]
                best[i] = max(best[i], burst(method))
    return best[0], best[1], best[2]


def run() -> list[Ratio]:
    """Error responses per second, railguard / each peer (higher is better)."""
    railguard, plain, by_hand = _measure()
    return [
        Ratio(
            "grpc error responses/s (Err → rich status, decoded vs context.abort(code, message))",
            railguard,
            plain,
            "-",  # info: a status with no details at all (issue 15 asked for the figure)
            higher_is_better=True,
            unit="responses/s",
        ),
        Ratio(
            "grpc error responses/s (Err → rich status, decoded vs the same status by hand)",
            railguard,
            by_hand,
            ">= 0.9",
            higher_is_better=True,
            unit="responses/s",
        ),
    ]


if __name__ == "__main__":
    for ratio in run():
        rates = f"{ratio.railguard:,.0f} vs {ratio.baseline:,.0f} responses/s"
        print(f"{ratio.name}: {ratio.ratio:.3f} ({rates})")
