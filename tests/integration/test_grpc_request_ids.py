"""Request ids across the gRPC boundary, through real grpcio servers (sync and asyncio) (issue 12).

The servers listen on 127.0.0.1 (ephemeral ports) with railguard's interceptors; the
service is generic handlers over raw bytes: the request names the failure to answer
(a key into ``_PENDING``), and ``Seen`` answers the request id its method saw.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import grpc.aio
import httpx
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status
from opentelemetry.sdk.trace import TracerProvider
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from railguard import Err, Failure, NotFoundFailure, Ok, RateLimitFailure, Result, UpstreamFailure
from railguard.core import is_from_peer, peer_request_id
from railguard.grpc import DETAILS_KEY, exchange_of
from railguard.http import decode
from railguard.integrations.grpc import (
    AioServerInterceptor,
    ServerInterceptor,
    call,
    call_async,
    failure_of,
    retry_call,
    retry_call_async,
)
from railguard.integrations.starlette import FailureResponse, install
from railguard.observe import REQUEST_ID, RequestIdMiddleware

from .grpc_servers import generic_handler, with_aio_server
from .servers import running_uvicorn

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.observing"]  # the fixture records

SERVICE = "railguard.test.Ids"
TIMEOUT = 10.0
HEX32 = re.compile(r"[0-9a-f]{32}")
UPSTREAM_ID = "upstream-91"

_PENDING: dict[bytes, Failure] = {}
_CALLS: dict[bytes, int] = {}
_UPSTREAM: list[grpc.Channel] = []  # the channel the Relay method calls through
_TRACER = TracerProvider().get_tracer("tests")
_TRACES: list[str] = []  # the trace id of each span `_Traced` opened, in order


def _key(failure: Failure | None = None) -> bytes:
    key = uuid.uuid4().hex.encode()
    if failure is not None:
        _PENDING[key] = failure
    return key


def _seen_id() -> bytes:
    return (REQUEST_ID.get() or "<none>").encode()


# -- the service, sync ---------------------------------------------------------------------


def _returned(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    return Err(_PENDING[key])


def _seen(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    return Ok(_seen_id())


def _own_trailers(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    context.set_trailing_metadata((("custom", "kept"),))
    return Ok(_seen_id())


def _plain(key: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort(grpc.StatusCode.NOT_FOUND, "plain abort")


def _limited(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    """Rate-limited on the first call with a key; then answers the id it saw."""
    _CALLS[key] = _CALLS.get(key, 0) + 1
    if _CALLS[key] == 1:
        return Err(RateLimitFailure(retry_after=0.01))
    return Ok(_seen_id())


def _relay(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    """Call the upstream (this server, under the upstream's own id) and return what it said."""
    upstream: grpc.UnaryUnaryMultiCallable[bytes, bytes] = _UPSTREAM[0].unary_unary(
        f"/{SERVICE}/Return"
    )
    return call(upstream, key, timeout=TIMEOUT, metadata=(("x-request-id", UPSTREAM_ID),))


def _stream(key: bytes, context: grpc.ServicerContext) -> Iterator[Result[bytes, Failure]]:
    yield Ok(_seen_id())
    yield Ok(_seen_id())
    yield Err(_PENDING[key])


_METHODS: dict[str, Callable[..., Any]] = {
    "Return": _returned,
    "Seen": _seen,
    "OwnTrailers": _own_trailers,
    "Plain": _plain,
    "Limited": _limited,
    "Relay": _relay,
}


def _handler(methods: dict[str, Callable[..., Any]], stream: Callable[..., Any]) -> Any:
    return generic_handler(SERVICE, methods, stream)


class _Traced(grpc.ServerInterceptor):
    """Runs each method in an OpenTelemetry SDK span, outside railguard's (as instrumentation)."""

    def intercept_service(self, continuation: Any, handler_call_details: Any) -> Any:
        """Wrap a unary method in a span."""
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        inner = handler.unary_unary

        def traced(request: Any, context: Any) -> Any:
            with _TRACER.start_as_current_span("rpc") as span:
                _TRACES.append(format(span.get_span_context().trace_id, "032x"))
                return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(traced)


class _Server:
    """A sync grpcio server with the interceptor, its worker pool and a channel to it."""

    def __init__(self, workers: int, *, traced: bool = False) -> None:
        self.pool = futures.ThreadPoolExecutor(max_workers=workers)
        interceptors: list[grpc.ServerInterceptor] = [ServerInterceptor()]
        if traced:
            interceptors.insert(0, _Traced())
        self.server = grpc.server(self.pool, interceptors=interceptors)
        self.server.add_generic_rpc_handlers((_handler(_METHODS, _stream),))
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self.channel).result(timeout=TIMEOUT)

    def method(self, name: str) -> grpc.UnaryUnaryMultiCallable[bytes, bytes]:
        return self.channel.unary_unary(f"/{SERVICE}/{name}")

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=None).wait(TIMEOUT)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    """A sync server (four workers: Relay calls back into it)."""
    running = _Server(4)
    _UPSTREAM[:] = [running.channel]
    try:
        yield running
    finally:
        _UPSTREAM.clear()
        running.close()


def _fails(method: grpc.UnaryUnaryMultiCallable[bytes, bytes], key: bytes, **kw: Any) -> Any:
    with pytest.raises(grpc.RpcError) as caught:
        method(key, timeout=TIMEOUT, **kw)
    return caught.value


def _request_info(error: Any) -> error_details_pb2.RequestInfo:
    status = rpc_status.from_call(error)
    assert status is not None
    (found,) = [d for d in status.details if d.TypeName() == "google.rpc.RequestInfo"]
    info = error_details_pb2.RequestInfo()
    found.Unpack(info)
    return info


def _trailer(metadata: Any) -> str | None:
    values = [value for key, value in metadata or () if key == "x-request-id"]
    assert len(values) <= 1
    return values[0] if values else None


def _answered(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [r for r in records if r.name == "railguard.grpc" and r.outcome == "answered"]  # type: ignore[attr-defined]


# -- the server: the call's id everywhere --------------------------------------------------


def test_a_sent_id_is_in_the_status_the_trailers_and_the_log_line(
    server: _Server, records: list[logging.LogRecord]
) -> None:
    """A plain-token x-request-id comes back in RequestInfo, the trailer and the server's line."""
    error = _fails(
        server.method("Return"),
        _key(NotFoundFailure(message="gone")),
        metadata=(("x-request-id", "req-7f3a"),),
    )
    info = _request_info(error)
    assert (info.request_id, info.serving_data) == ("req-7f3a", "")  # no span: no trace id
    assert _trailer(error.trailing_metadata()) == "req-7f3a"
    assert failure_of(error) == NotFoundFailure(message="gone")
    (line,) = _answered(records)
    assert (line.code, line.request_id) == ("NOT_FOUND", "req-7f3a")  # type: ignore[attr-defined]


def test_without_an_id_a_new_one_is_made(server: _Server, records: list[logging.LogRecord]) -> None:
    """No x-request-id: a new 32-hex id, the same in the status, the trailer and the line."""
    error = _fails(server.method("Return"), _key(NotFoundFailure()))
    made = _request_info(error).request_id
    assert HEX32.fullmatch(made)
    assert _trailer(error.trailing_metadata()) == made
    (line,) = _answered(records)
    assert line.request_id == made  # type: ignore[attr-defined]
    again = _request_info(_fails(server.method("Return"), _key(NotFoundFailure()))).request_id
    assert HEX32.fullmatch(again)
    assert again != made


@pytest.mark.parametrize("forged", ["a b;c", "x" * 129, 'id"=1'], ids=["space", "long", "quote"])
def test_a_forged_id_is_replaced(server: _Server, forged: str) -> None:
    """An id that is not a plain token (grpcio lets these through) is replaced by a new one."""
    error = _fails(
        server.method("Return"), _key(NotFoundFailure()), metadata=(("x-request-id", forged),)
    )
    made = _request_info(error).request_id
    assert HEX32.fullmatch(made)
    assert _trailer(error.trailing_metadata()) == made
    seen = server.method("Seen")(b"", timeout=TIMEOUT, metadata=(("x-request-id", forged),))
    assert HEX32.fullmatch(seen.decode())


def test_the_method_runs_with_the_id_and_ok_answers_carry_it(server: _Server) -> None:
    """REQUEST_ID is the call's id inside the method; an Ok answer's trailers carry it too."""
    response, ok = server.method("Seen").with_call(
        b"", timeout=TIMEOUT, metadata=(("x-request-id", "req-ok"),)
    )
    assert response == b"req-ok"
    assert _trailer(ok.trailing_metadata()) == "req-ok"
    response, own = server.method("OwnTrailers").with_call(
        b"", timeout=TIMEOUT, metadata=(("x-request-id", "req-own"),)
    )
    assert response == b"req-own"
    trailers = dict(own.trailing_metadata())
    assert trailers == {"custom": "kept", "x-request-id": "req-own"}  # the method's, plus ours


def test_a_plain_abort_still_carries_the_id(server: _Server) -> None:
    """A method's own ``context.abort`` keeps its status; the trailer still names the call."""
    error = _fails(server.method("Plain"), b"", metadata=(("x-request-id", "req-plain"),))
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert _trailer(error.trailing_metadata()) == "req-plain"
    failure = failure_of(error)
    assert peer_request_id(failure) == "req-plain"  # no RequestInfo: the trailer's


def test_a_stream_runs_every_step_with_the_id(server: _Server) -> None:
    """Each item of a response stream is made under the call's id; its status carries it."""
    method: grpc.UnaryStreamMultiCallable[bytes, bytes] = server.channel.unary_stream(
        f"/{SERVICE}/Stream"
    )
    stream = method(
        _key(NotFoundFailure(message="mid-stream")),
        timeout=TIMEOUT,
        metadata=(("x-request-id", "req-stream"),),
    )
    items: list[bytes] = []
    with pytest.raises(grpc.RpcError) as caught:
        items.extend(stream)
    assert items == [b"req-stream", b"req-stream"]
    assert _request_info(caught.value).request_id == "req-stream"
    assert _trailer(caught.value.trailing_metadata()) == "req-stream"


def test_no_id_stays_behind_in_the_worker_thread() -> None:
    """One worker serves every call: after each, its own context holds no id; none carries over."""
    single = _Server(1)
    try:
        stream: grpc.UnaryStreamMultiCallable[bytes, bytes] = single.channel.unary_stream(
            f"/{SERVICE}/Stream"
        )
        with pytest.raises(grpc.RpcError):
            list(
                stream(_key(NotFoundFailure()), timeout=TIMEOUT, metadata=(("x-request-id", "s1"),))
            )
        assert single.pool.submit(REQUEST_ID.get).result(TIMEOUT) is None
        for name in ("Seen", "Return", "Plain"):
            with contextlib.suppress(grpc.RpcError):
                single.method(name)(
                    _key(NotFoundFailure()), timeout=TIMEOUT, metadata=(("x-request-id", "a1"),)
                )
            assert single.pool.submit(REQUEST_ID.get).result(TIMEOUT) is None
        nxt = single.method("Seen")(b"", timeout=TIMEOUT)
        assert HEX32.fullmatch(nxt.decode())
    finally:
        single.close()


def test_the_trace_id_goes_in_serving_data() -> None:
    """Under an OpenTelemetry span the RequestInfo's serving_data names its trace id."""
    traced = _Server(2, traced=True)
    try:
        error = _fails(
            traced.method("Return"), _key(NotFoundFailure()), metadata=(("x-request-id", "t-1"),)
        )
    finally:
        traced.close()
    info = _request_info(error)
    assert (info.request_id, info.serving_data) == ("t-1", f"trace_id={_TRACES[-1]}")
    trailers = error.trailing_metadata()
    details = next(v for k, v in trailers if k == DETAILS_KEY)
    assert exchange_of(details).trace_id == _TRACES[-1]


# -- the client: our id sent on, the peer's kept, never relayed ----------------------------


def test_the_client_sends_the_served_id(server: _Server) -> None:
    """``call`` and ``retry_call`` send REQUEST_ID as x-request-id unless the caller set one."""
    assert call(server.method("Seen"), b"", timeout=TIMEOUT).unwrap() != b"<none>"
    token = REQUEST_ID.set("ours-3")
    try:
        assert call(server.method("Seen"), b"", timeout=TIMEOUT) == Ok(b"ours-3")
        explicit = (("x-request-id", "explicit-1"),)
        assert call(server.method("Seen"), b"", timeout=TIMEOUT, metadata=explicit) == Ok(
            b"explicit-1"
        )
        retried = retry_call(server.method("Limited"), _key(), idempotent=True, timeout=TIMEOUT)
        assert retried == Ok(b"ours-3")  # the second attempt sent it too
    finally:
        REQUEST_ID.reset(token)


def test_the_peers_id_is_kept_with_its_failure(
    server: _Server, records: list[logging.LogRecord]
) -> None:
    """The peer's RequestInfo id is readable by peer_request_id and logged on the received line."""
    result = call(
        server.method("Return"),
        _key(NotFoundFailure(message="gone")),
        timeout=TIMEOUT,
        metadata=(("x-request-id", "peer-7"),),
    )
    peer = result.failure()
    assert peer == NotFoundFailure(message="gone")
    assert is_from_peer(peer)
    assert peer_request_id(peer) == "peer-7"
    (line,) = [r for r in records if getattr(r, "outcome", None) == "received"]
    assert (line.request_id, line.peer_request_id) == (None, "peer-7")  # type: ignore[attr-defined]


def test_our_grpc_boundary_never_relays_the_peers_id(
    server: _Server, records: list[logging.LogRecord]
) -> None:
    """A relayed peer failure is answered as our UPSTREAM under our id; the peer's id is logged."""
    error = _fails(
        server.method("Relay"),
        _key(NotFoundFailure(message="gone upstream")),
        metadata=(("x-request-id", "front-1"),),
    )
    assert error.code() is grpc.StatusCode.UNAVAILABLE
    assert _request_info(error).request_id == "front-1"
    assert _trailer(error.trailing_metadata()) == "front-1"
    wire = repr(error.details()) + repr(error.trailing_metadata())
    assert UPSTREAM_ID not in wire
    assert "gone upstream" not in wire
    received = failure_of(error)
    assert received == UpstreamFailure()
    assert peer_request_id(received) == "front-1"
    (answer,) = [r for r in _answered(records) if r.request_id == "front-1"]  # type: ignore[attr-defined]
    assert (answer.code, answer.peer_request_id) == ("UPSTREAM", UPSTREAM_ID)  # type: ignore[attr-defined]


def test_our_http_boundary_never_relays_the_grpc_peers_id(server: _Server) -> None:
    """An HTTP route answering a gRPC peer's failure: our envelope and id, nothing of the peer's."""
    seen: list[tuple[str | None, bytes]] = []

    def relay(request: Request) -> Response:
        forwarded = call(server.method("Seen"), b"", timeout=TIMEOUT).unwrap()
        failed = call(
            server.method("Return"),
            _key(NotFoundFailure(message="gone upstream")),
            timeout=TIMEOUT,
            metadata=(("x-request-id", UPSTREAM_ID),),
        ).failure()
        seen.append((peer_request_id(failed), forwarded))
        return FailureResponse(failed)

    app = Starlette(routes=[Route("/relay", relay)])
    install(app, "problem")
    app.add_middleware(RequestIdMiddleware)
    with running_uvicorn(app) as url:
        response = httpx.get(f"{url}/relay", headers={"X-Request-ID": "http-1"})
    assert seen == [(UPSTREAM_ID, b"http-1")]  # our id went upstream; the peer's read back
    assert response.status_code == 502
    assert response.json()["request_id"] == "http-1"
    assert UPSTREAM_ID not in response.text + str(response.headers)
    assert decode(502, response.headers, response.content, "problem") == UpstreamFailure()


# -- the same on grpc.aio -------------------------------------------------------------------


async def _aio_returned(key: bytes, context: Any) -> Any:
    await asyncio.sleep(0)
    return Err(_PENDING[key])


async def _aio_seen(key: bytes, context: Any) -> Any:
    await asyncio.sleep(0)
    return Ok(_seen_id())


async def _aio_limited(key: bytes, context: Any) -> Any:
    return _limited(key, context)


async def _aio_stream(key: bytes, context: Any) -> AsyncIterator[Any]:
    yield Ok(_seen_id())
    await asyncio.sleep(0)
    yield Ok(_seen_id())
    yield Err(_PENDING[key])


async def _with_aio_server(body: Callable[[grpc.aio.Channel], Any]) -> None:
    methods = {"Return": _aio_returned, "Seen": _aio_seen, "Limited": _aio_limited}
    await with_aio_server(AioServerInterceptor(), _handler(methods, _aio_stream), body)


def test_aio_server_and_client(records: list[logging.LogRecord]) -> None:
    """On grpc.aio: sent, absent and forged ids, streams, the client's id and the peer's."""

    async def body(chan: grpc.aio.Channel) -> None:
        def method(name: str) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
            return chan.unary_unary(f"/{SERVICE}/{name}")

        ask = method("Return")(_key(NotFoundFailure()), metadata=(("x-request-id", "aio-1"),))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ask
        assert _request_info(caught.value).request_id == "aio-1"
        assert _trailer(caught.value.trailing_metadata()) == "aio-1"
        assert peer_request_id(failure_of(caught.value)) == "aio-1"
        for sent in ((), (("x-request-id", "x" * 129),)):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await method("Return")(_key(NotFoundFailure()), metadata=sent)
            assert HEX32.fullmatch(_request_info(caught.value).request_id)
        ok = method("Seen")(b"", metadata=(("x-request-id", "aio-ok"),))
        assert await ok == b"aio-ok"
        assert _trailer(await ok.trailing_metadata()) == "aio-ok"
        assert HEX32.fullmatch((await method("Seen")(b"")).decode())  # nothing carried over
        streaming: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = chan.unary_stream(
            f"/{SERVICE}/Stream"
        )
        stream = streaming(_key(NotFoundFailure()), metadata=(("x-request-id", "aio-s"),))
        items: list[bytes] = []

        async def drain() -> None:
            async for item in stream:
                items.append(item)

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await drain()
        assert items == [b"aio-s", b"aio-s"]
        assert _request_info(caught.value).request_id == "aio-s"
        token = REQUEST_ID.set("ours-aio")
        try:
            assert await call_async(method("Seen"), b"") == Ok(b"ours-aio")
            peer = (await call_async(method("Return"), _key(NotFoundFailure()))).failure()
            assert peer_request_id(peer) == "ours-aio"  # the peer served it under our id
            retried = await retry_call_async(method("Limited"), _key(), idempotent=True)
            assert retried == Ok(b"ours-aio")
        finally:
            REQUEST_ID.reset(token)
        assert REQUEST_ID.get() is None

    asyncio.run(_with_aio_server(body))
    lines = _answered(records)
    assert [r.request_id for r in lines[:1]] == ["aio-1"]  # type: ignore[attr-defined]
