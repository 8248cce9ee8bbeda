"""Messages for end users across the gRPC boundary, through real grpcio servers (issue 12).

Servers on 127.0.0.1 (ephemeral ports) with railguard's interceptors, given the shipped
catalogs (``Messages()``: English and German) or none; the request names the failure
to answer (a key into ``_PENDING``).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import grpc.aio
import pytest
from google.rpc import error_details_pb2, status_pb2

from railguard import Err, Failure, NotFoundFailure, Ok, RateLimitFailure, Result
from railguard.grpc import decode, details_of, exchange_of
from railguard.grpc._status import serialized
from railguard.integrations._exchange import LOCALIZE
from railguard.integrations.grpc import AioServerInterceptor, ServerInterceptor, failure_of
from railguard.messages import LocalizedMessage, Messages

from .grpc_servers import generic_handler, with_aio_server

pytestmark = pytest.mark.integration

SERVICE = "railguard.test.Localized"
TIMEOUT = 10.0
NOT_FOUND = NotFoundFailure(message="order 17 missing from db-3")
GERMAN = LocalizedMessage("de", "Das angeforderte Element wurde nicht gefunden.")
ENGLISH = LocalizedMessage("en", "The requested item could not be found.")

_PENDING: dict[bytes, Failure] = {}


def _key(failure: Failure) -> bytes:
    key = uuid.uuid4().hex.encode()
    _PENDING[key] = failure
    return key


def _returned(key: bytes, context: Any) -> Result[bytes, Failure]:
    return Err(_PENDING[key])


def _languages(key: bytes, context: Any) -> Result[bytes, Failure]:
    """Answers the ``Accept-Language`` the method is served under (``-`` for none)."""
    localize = LOCALIZE.get()
    return Ok(b"-" if localize is None else (localize[1] or "").encode())


def _stream(key: bytes, context: Any) -> Iterator[Result[bytes, Failure]]:
    yield Ok(b"first")
    yield Err(_PENDING[key])


def _handler(methods: dict[str, Callable[..., Any]], stream: Callable[..., Any]) -> Any:
    return generic_handler(SERVICE, methods, stream)


def _unary(chan: grpc.Channel, name: str) -> grpc.UnaryUnaryMultiCallable[bytes, bytes]:
    return chan.unary_unary(f"/{SERVICE}/{name}")


def _aio_unary(chan: grpc.aio.Channel, name: str) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
    return chan.unary_unary(f"/{SERVICE}/{name}")


class _Server:
    """A sync grpcio server with the interceptor and a channel to it."""

    def __init__(self, interceptor: ServerInterceptor) -> None:
        self.pool = futures.ThreadPoolExecutor(max_workers=2)
        self.server = grpc.server(self.pool, interceptors=[interceptor])
        methods = {"Return": _returned, "Languages": _languages}
        self.server.add_generic_rpc_handlers((_handler(methods, _stream),))
        port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self.channel).result(timeout=TIMEOUT)

    def fails(self, failure: Failure, *languages: str) -> Any:
        """The error of a ``Return`` call answering ``failure``."""
        metadata = tuple(("accept-language", value) for value in languages)
        with pytest.raises(grpc.RpcError) as caught:
            _unary(self.channel, "Return")(_key(failure), timeout=TIMEOUT, metadata=metadata)
        return caught.value

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=None).wait(TIMEOUT)


@pytest.fixture(scope="module")
def localized() -> Iterator[_Server]:
    """A sync server given the shipped catalogs."""
    running = _Server(ServerInterceptor(messages=Messages()))
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="module")
def plain() -> Iterator[_Server]:
    """A sync server without messages."""
    running = _Server(ServerInterceptor())
    try:
        yield running
    finally:
        running.close()


def _status(error: Any) -> status_pb2.Status:
    data = details_of(error.trailing_metadata())
    assert data is not None
    return status_pb2.Status.FromString(data)


def _sent(error: Any) -> LocalizedMessage:
    """The ``LocalizedMessage`` detail of a failed call's status, as it was sent."""
    (found,) = [d for d in _status(error).details if d.TypeName() == "google.rpc.LocalizedMessage"]
    message = error_details_pb2.LocalizedMessage.FromString(found.value)
    return LocalizedMessage(message.locale, message.message)


def _decoded(error: Any) -> Failure:
    return decode(error.code().value[0], error.details(), details_of(error.trailing_metadata()))


def test_the_callers_language_is_sent_as_the_localized_message(localized: _Server) -> None:
    """``accept-language: de`` gives the German user message; Status.message stays internal."""
    error = localized.fails(NOT_FOUND, "de")
    assert _sent(error) == GERMAN
    assert _status(error).message == error.details() == NOT_FOUND.message
    assert _decoded(error) == NOT_FOUND
    assert failure_of(error) == NOT_FOUND
    assert exchange_of(details_of(error.trailing_metadata())).localized_message == GERMAN


def test_the_locale_is_negotiated_among_the_catalogs(localized: _Server) -> None:
    """An unknown first choice falls to the next known one; no header gives the default."""
    assert _sent(localized.fails(NOT_FOUND, "fr-CH, de;q=0.5")) == GERMAN
    assert _sent(localized.fails(NOT_FOUND)) == ENGLISH
    assert _sent(localized.fails(NOT_FOUND, "fr")) == ENGLISH


def test_a_user_message_never_shows_the_internal_one(localized: _Server) -> None:
    """The hint's sentence is the user's; the bucket name stays in Status.message only."""
    failure = RateLimitFailure(message="bucket api-key-7 empty", retry_after=30)
    error = localized.fails(failure, "en")
    assert _sent(error) == LocalizedMessage("en", "Too many requests. Please try again in 30s.")
    assert "api-key-7" not in _sent(error).message
    assert _decoded(error) == failure


def test_the_method_runs_with_the_calls_languages(localized: _Server, plain: _Server) -> None:
    """The method sees LOCALIZE with the call's header; not at all without messages."""
    ask = _unary(localized.channel, "Languages")
    assert ask(b"", timeout=TIMEOUT, metadata=(("accept-language", "de"),)) == b"de"
    assert ask(b"", timeout=TIMEOUT) == b""
    assert _unary(plain.channel, "Languages")(b"", timeout=TIMEOUT) == b"-"


def test_a_streams_failure_is_localized(localized: _Server) -> None:
    """A failure after streamed items carries the user message too."""
    streaming: grpc.UnaryStreamMultiCallable[bytes, bytes] = localized.channel.unary_stream(
        f"/{SERVICE}/Stream"
    )
    stream = streaming(_key(NOT_FOUND), timeout=TIMEOUT, metadata=(("accept-language", "de"),))
    with pytest.raises(grpc.RpcError) as caught:
        list(stream)
    assert _sent(caught.value) == GERMAN
    assert _decoded(caught.value) == NOT_FOUND


def test_without_messages_the_status_is_todays(plain: _Server) -> None:
    """No ``messages``: the bytes are `serialized`'s without a localized message."""
    error = plain.fails(NOT_FOUND, "de")
    request_id = dict(error.trailing_metadata())["x-request-id"]
    assert details_of(error.trailing_metadata()) == serialized(NOT_FOUND, request_id).details
    assert _sent(error) == LocalizedMessage("en-US", NOT_FOUND.message)
    assert exchange_of(details_of(error.trailing_metadata())).localized_message is None
    assert _decoded(error) == NOT_FOUND


# -- the same on grpc.aio -------------------------------------------------------------------


async def _aio_returned(key: bytes, context: Any) -> Any:
    await asyncio.sleep(0)
    return Err(_PENDING[key])


async def _aio_languages(key: bytes, context: Any) -> Any:
    await asyncio.sleep(0)
    return _languages(key, context)


async def _aio_stream(key: bytes, context: Any) -> AsyncIterator[Any]:
    yield Ok(b"first")
    await asyncio.sleep(0)
    yield Err(_PENDING[key])


async def _with_aio_server(
    interceptor: AioServerInterceptor, body: Callable[[grpc.aio.Channel], Any]
) -> None:
    methods = {"Return": _aio_returned, "Languages": _aio_languages}
    await with_aio_server(interceptor, _handler(methods, _aio_stream), body)


async def _aio_fails(chan: grpc.aio.Channel, failure: Failure, *languages: str) -> Any:
    metadata = tuple(("accept-language", value) for value in languages)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await _aio_unary(chan, "Return")(_key(failure), metadata=metadata)
    return caught.value


def test_aio_server_localizes() -> None:
    """On grpc.aio with messages: German, the default, streams, the method's view."""

    async def body(chan: grpc.aio.Channel) -> None:
        error = await _aio_fails(chan, NOT_FOUND, "de")
        assert _sent(error) == GERMAN
        assert _decoded(error) == failure_of(error) == NOT_FOUND
        assert exchange_of(details_of(error.trailing_metadata())).localized_message == GERMAN
        assert _sent(await _aio_fails(chan, NOT_FOUND)) == ENGLISH
        ask = _aio_unary(chan, "Languages")
        assert await ask(b"", metadata=(("accept-language", "de"),)) == b"de"
        streaming: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = chan.unary_stream(
            f"/{SERVICE}/Stream"
        )
        stream = streaming(_key(NOT_FOUND), metadata=(("accept-language", "de"),))
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            [item async for item in stream]
        assert _sent(caught.value) == GERMAN

    asyncio.run(_with_aio_server(AioServerInterceptor(messages=Messages()), body))


def test_aio_server_without_messages_is_todays() -> None:
    """On grpc.aio without messages: `serialized`'s bytes, no localized message."""

    async def body(chan: grpc.aio.Channel) -> None:
        error = await _aio_fails(chan, NOT_FOUND, "de")
        request_id = dict(error.trailing_metadata())["x-request-id"]
        assert details_of(error.trailing_metadata()) == serialized(NOT_FOUND, request_id).details
        assert exchange_of(details_of(error.trailing_metadata())).localized_message is None
        assert await _aio_unary(chan, "Languages")(b"") == b"-"

    asyncio.run(_with_aio_server(AioServerInterceptor(), body))
