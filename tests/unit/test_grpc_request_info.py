"""The exchange on the gRPC wire: ``RequestInfo`` both ways, and request ids in the interceptors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from opentelemetry.sdk.trace import TracerProvider

from railguard import Err, Failure, MalformedFailure, NotFoundFailure, Ok
from railguard.core import is_from_peer, peer_request_id
from railguard.grpc import DETAILS_KEY, decode, encode, exchange_of
from railguard.grpc._status import decoded, serialized
from railguard.http import Exchange
from railguard.integrations import grpc as rg_grpc
from railguard.integrations._grpc_ids import sent
from railguard.observe import REQUEST_ID
from tests.grpc_context import ServicerContextStub

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
_REQUEST_INFO = "google.rpc.RequestInfo"


def _packed(detail: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(detail)
    return packed


def _status(*details: any_pb2.Any, code: int = 5) -> bytes:
    return status_pb2.Status(code=code, message="m", details=details).SerializeToString()


def _info(request_id: str = "", serving_data: str = "") -> any_pb2.Any:
    return _packed(error_details_pb2.RequestInfo(request_id=request_id, serving_data=serving_data))


# -- encode / decode / exchange_of ----------------------------------------------------------


def test_request_info_round_trips() -> None:
    """``encode`` with an id and trace adds a RequestInfo; decode skips it, exchange_of reads it."""
    failure = NotFoundFailure(message="gone", details={"agent": "a1"})
    code, message, status = encode(failure, request_id="req-7f3a", trace_id=TRACE)
    names = [d.TypeName() for d in status.details]
    assert names == ["google.rpc.ErrorInfo", _REQUEST_INFO, "google.rpc.LocalizedMessage"]
    info = error_details_pb2.RequestInfo()
    status.details[1].Unpack(info)
    assert (info.request_id, info.serving_data) == ("req-7f3a", f"trace_id={TRACE}")
    data = status.SerializeToString()
    assert decode(code, message, data) == failure
    assert exchange_of(data) == exchange_of(status) == Exchange("req-7f3a", TRACE)
    assert decoded(code, message, data) == (failure, Exchange("req-7f3a", TRACE))


def test_without_an_exchange_there_is_no_request_info() -> None:
    """No id and no trace: the status is exactly what it was, and exchange_of reads nothing."""
    failure = NotFoundFailure()
    status = encode(failure).status
    assert _REQUEST_INFO not in [d.TypeName() for d in status.details]
    assert serialized(failure) == serialized(failure, None, None)
    assert exchange_of(status) == Exchange()
    only_trace = encode(failure, trace_id=TRACE).status
    assert exchange_of(only_trace) == Exchange(trace_id=TRACE)


def test_a_bad_trace_id_is_refused() -> None:
    """A trace id that is not 32 lowercase hex digits cannot be encoded."""
    with pytest.raises(ValueError, match="32 lowercase hex"):
        encode(NotFoundFailure(), trace_id="ABC")


def test_a_foreign_request_info_is_read() -> None:
    """Another service's RequestInfo: its id is read, its serving data is no trace id."""
    data = _status(_info("g-1", "encrypted stack trace"))
    failure = decode(5, "m", data)
    assert failure == NotFoundFailure(message="m", details={"grpc_code": "NOT_FOUND"})
    assert "grpc_details" not in failure.details  # read, so not listed as unknown
    assert exchange_of(data) == Exchange("g-1")
    assert exchange_of(_status(_info("", "trace_id=" + TRACE.upper()))) == Exchange()


@pytest.mark.parametrize(
    "value", [b"\xff\xff\xff", b"\x0a\x02\xff\xfe"], ids=["not-protobuf", "not-utf8"]
)
def test_a_malformed_request_info_is_a_malformed_status(value: bytes) -> None:
    """A RequestInfo that does not parse: a MalformedFailure, and no exchange; never a crash."""
    broken = any_pb2.Any(type_url=f"type.googleapis.com/{_REQUEST_INFO}", value=value)
    data = _status(broken)
    failure = decode(5, "m", data)
    assert type(failure) is MalformedFailure
    assert failure.details["problem"] == "a detail does not parse as its declared type"
    assert exchange_of(data) == Exchange()
    assert decoded(5, "m", data)[1] == Exchange()


@pytest.mark.parametrize("details", [None, b"", b"\xff\x00garbage", b"x" * 70_000])
def test_exchange_of_is_total(details: bytes | None) -> None:
    """Absent, garbage or oversized details read as no exchange."""
    assert exchange_of(details) == Exchange()


# -- the server's status ----------------------------------------------------------------------


def _request_info(status: grpc.Status) -> error_details_pb2.RequestInfo:
    data = dict(status.trailing_metadata)[DETAILS_KEY]
    assert isinstance(data, bytes)
    parsed = status_pb2.Status.FromString(data)
    (found,) = [d for d in parsed.details if d.TypeName() == _REQUEST_INFO]
    info = error_details_pb2.RequestInfo()
    found.Unpack(info)
    return info


def test_rich_status_carries_the_served_id_and_trace() -> None:
    """Inside a call: RequestInfo (id, trace) and the x-request-id trailer; outside, neither."""
    bare = rg_grpc.rich_status(NotFoundFailure())
    assert [k for k, _ in bare.trailing_metadata] == [DETAILS_KEY]
    tracer = TracerProvider().get_tracer("tests")
    token = REQUEST_ID.set("req-1")
    try:
        with tracer.start_as_current_span("rpc") as span:
            status = rg_grpc.rich_status(NotFoundFailure())
        trace = format(span.get_span_context().trace_id, "032x")
    finally:
        REQUEST_ID.reset(token)
    info = _request_info(status)
    assert (info.request_id, info.serving_data) == ("req-1", f"trace_id={trace}")
    assert dict(status.trailing_metadata)["x-request-id"] == "req-1"


@pytest.mark.parametrize("slack", range(-3, 200, 7))
def test_the_request_info_counts_in_the_size_limit(slack: int) -> None:
    """With the longest id a status never passes MAX_STATUS_SIZE; a smaller one keeps the id."""
    limit = 1024
    base = len(serialized(NotFoundFailure(message="")).details)
    failure = NotFoundFailure(message="y" * (limit - base - slack), details={"k": "v"})
    token = REQUEST_ID.set("r" * 128)
    try:
        status = rg_grpc.rich_status(failure, max_size=limit)
    finally:
        REQUEST_ID.reset(token)
    data = dict(status.trailing_metadata)[DETAILS_KEY]
    assert isinstance(data, bytes)
    assert len(data) <= limit
    assert _request_info(status).request_id == "r" * 128


# -- the interceptors' wrappers, called directly --------------------------------------------


_Context = ServicerContextStub


def _handlers(seen: list[str | None]) -> tuple[Any, Any]:
    def unary(request: bytes, context: Any) -> Any:
        seen.append(REQUEST_ID.get())
        return Ok(b"ok") if request == b"ok" else Err(NotFoundFailure())

    def stream(request: bytes, context: Any) -> Iterator[Any]:
        for _ in range(3):
            seen.append(REQUEST_ID.get())
            yield Ok(b"item")

    return (
        grpc.unary_unary_rpc_method_handler(unary),
        grpc.unary_stream_rpc_method_handler(stream),
    )


def _any(handler: object) -> Any:
    """A wrapped handler, its behaviors called with a stand-in context."""
    return handler


def test_sync_wrappers_serve_under_the_id_and_leave_nothing_behind() -> None:
    """The method sees the call's id; the calling thread's context never holds it."""
    seen: list[str | None] = []
    unary, stream = (_any(rg_grpc._wrapped(h, False)) for h in _handlers(seen))
    context = _Context((("x-request-id", "u-1"),))
    assert unary.unary_unary(b"ok", context) == b"ok"
    assert context.trailers == (("x-request-id", "u-1"),)
    assert REQUEST_ID.get() is None
    failed = _Context((("x-request-id", "a\nb"),))
    with pytest.raises(RuntimeError, match="aborted"):
        unary.unary_unary(b"fail", failed)
    assert REQUEST_ID.get() is None
    made = seen[-1]
    assert made is not None
    assert len(made) == 32  # a forged id replaced
    assert failed.aborted is not None
    assert dict(failed.aborted.trailing_metadata)["x-request-id"] == made
    steps = stream.unary_stream(b"", _Context((("x-request-id", "s-1"),)))
    assert next(steps) == b"item"
    assert REQUEST_ID.get() is None  # between two items, the thread's context is clean
    assert next(steps) == b"item"
    steps.close()
    assert REQUEST_ID.get() is None
    assert seen[-2:] == ["s-1", "s-1"]


def test_aio_wrapper_resets_the_id() -> None:
    """On grpc.aio the method sees the call's id, and the task's context is reset after it."""
    seen: list[str | None] = []
    unary, _ = _handlers(seen)
    wrapped = _any(rg_grpc._wrapped(unary, True))

    async def serve() -> tuple[object, str | None]:
        answer = await wrapped.unary_unary(b"ok", _Context((("x-request-id", "aio-1"),)))
        return answer, REQUEST_ID.get()

    assert asyncio.run(serve()) == (b"ok", None)
    assert seen == ["aio-1"]


# -- the client ---------------------------------------------------------------------------------


class _Error(grpc.RpcError):
    """A failed call as grpcio reports it (code, details, trailing metadata)."""

    def __init__(self, trailers: tuple[tuple[str, str | bytes], ...]) -> None:
        self.trailers = trailers

    def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.NOT_FOUND

    def details(self) -> str:
        return "m"

    def trailing_metadata(self) -> Any:
        return self.trailers


@pytest.mark.parametrize(
    ("trailers", "expected"),
    [
        (((DETAILS_KEY, _status(_info("peer-1"))), ("x-request-id", "other")), "peer-1"),
        (((DETAILS_KEY, _status(_info("evil\nline"))),), None),
        (((DETAILS_KEY, _status(_info("x" * 129))),), None),
        ((("x-request-id", "t-1"),), "t-1"),
        ((), None),
    ],
    ids=["request-info", "forged", "too-long", "trailer", "none"],
)
def test_failure_of_keeps_the_peers_plain_id(
    trailers: tuple[tuple[str, str | bytes], ...], expected: str | None
) -> None:
    """The peer's RequestInfo id (else its trailer), a plain token only, goes with the peer mark."""
    failure: Failure = rg_grpc.failure_of(_Error(trailers))
    assert isinstance(failure, NotFoundFailure)
    assert is_from_peer(failure)
    assert peer_request_id(failure) == expected


def test_sent_adds_the_served_id_unless_the_caller_has_one() -> None:
    """Outside a request nothing is added; inside, the id, unless the metadata names one."""
    caller = [("authorization", "x")]
    assert sent(caller) is caller
    assert sent(None) is None
    token = REQUEST_ID.set("ours-1")
    try:
        assert sent(caller) == (("authorization", "x"), ("x-request-id", "ours-1"))
        assert sent(None) == (("x-request-id", "ours-1"),)
        own = (("x-request-id", "mine"),)
        assert sent(own) is own
    finally:
        REQUEST_ID.reset(token)
