"""Real grpcio servers (sync and asyncio) on 127.0.0.1 and real clients: failures out and back.

The service is defined here with generic handlers over raw bytes (no protoc step):
the request is a key into ``_PENDING``, the failure each method answers with.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent import futures
from typing import Any

import grpc
import grpc.aio
import pytest
from grpc_status import rpc_status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import railguard.http
from railguard import Err, Failure, InternalFailure, NotFoundFailure, Ok, RateLimitFailure, Result
from railguard.grpc import DETAILS_KEY, encode
from railguard.integrations.grpc import (
    AioServerInterceptor,
    ServerInterceptor,
    call,
    call_async,
    failure_of,
    retry_call,
    retry_call_async,
)
from railguard.retry import RetryExhaustedFailure, RetryPolicy
from railguard.testing import failure_classes, instances_of

pytestmark = pytest.mark.integration
pytest_plugins = ["tests.observing"]  # the fixture records

SERVICE = "railguard.test.Failures"
SECRET = "db-password=hunter2"
HINT = 0.05
TIMEOUT = 10.0
OPTIONS = [("grpc.max_metadata_size", 1 << 20)]

_PENDING: dict[bytes, Failure] = {}
_CALLS: dict[bytes, int] = {}


def _count(key: bytes) -> int:
    _CALLS[key] = _CALLS.get(key, 0) + 1
    return _CALLS[key]


# -- the service, sync ---------------------------------------------------------------------


def _returned(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    return Err(_PENDING[key])


def _raised(key: bytes, context: grpc.ServicerContext) -> bytes:
    raise _PENDING[key].to_exception()


def _unwrapped(key: bytes, context: grpc.ServicerContext) -> bytes:
    result: Result[bytes, Failure] = Err(_PENDING[key])
    return result.unwrap()


def _fine(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    return Ok(b"fine:" + key)


def _boom(key: bytes, context: grpc.ServicerContext) -> bytes:
    raise RuntimeError(SECRET)


def _limited(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    """Rate-limited on the first call with a key, fine afterwards."""
    if _count(key) == 1:
        return Err(RateLimitFailure(retry_after=HINT))
    return Ok(b"after the hint")


def _always_limited(key: bytes, context: grpc.ServicerContext) -> Result[bytes, Failure]:
    _count(key)
    return Err(RateLimitFailure(retry_after=HINT))


def _plain(key: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort(grpc.StatusCode.NOT_FOUND, "plain abort")


def _rich(key: bytes, context: grpc.ServicerContext) -> bytes:
    context.abort_with_status(_RICH_STATUS)


def _err_not_failure(key: bytes, context: grpc.ServicerContext) -> Result[bytes, object]:
    return Err(SECRET)


def _stream(key: bytes, context: grpc.ServicerContext) -> Iterator[Result[bytes, Failure]]:
    yield Ok(b"one")
    yield Err(_PENDING[key])


_RICH_STATUS = rpc_status.to_status(encode(NotFoundFailure(message="rich")).status)

_METHODS: dict[str, Callable[..., Any]] = {
    "Return": _returned,
    "Raise": _raised,
    "Unwrap": _unwrapped,
    "Fine": _fine,
    "Boom": _boom,
    "Limited": _limited,
    "AlwaysLimited": _always_limited,
    "Plain": _plain,
    "Rich": _rich,
    "ErrNotFailure": _err_not_failure,
}


def _sync_handler() -> grpc.GenericRpcHandler:
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in _METHODS.items()
    }
    handlers["Stream"] = grpc.unary_stream_rpc_method_handler(_stream)
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


@pytest.fixture(scope="module")
def channel() -> Iterator[grpc.Channel]:
    """A sync grpcio server on 127.0.0.1 (ephemeral port) with the interceptor, and a channel."""
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=4),
        interceptors=[ServerInterceptor()],
        options=OPTIONS,
    )
    server.add_generic_rpc_handlers((_sync_handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=OPTIONS) as chan:
            grpc.channel_ready_future(chan).result(timeout=TIMEOUT)
            yield chan
    finally:
        server.stop(grace=None).wait(TIMEOUT)


def _method(chan: grpc.Channel, name: str) -> grpc.UnaryUnaryMultiCallable[bytes, bytes]:
    return chan.unary_unary(f"/{SERVICE}/{name}")


def _key(failure: Failure | None = None) -> bytes:
    key = uuid.uuid4().hex.encode()
    if failure is not None:
        _PENDING[key] = failure
    return key


# -- every registered failure --------------------------------------------------------------


@pytest.mark.parametrize("cls", failure_classes(), ids=lambda cls: cls.default_code)
@settings(max_examples=2, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_failure_round_trips(
    channel: grpc.Channel, cls: type[Failure], data: st.DataObject
) -> None:
    """Returned as Err, raised or unwrapped in a method, a failure reaches the client equal.

    A raised failure travels as its paired exception first, so what the server answers
    is that exception's failure (the families' pairing, tested on its own).
    """
    failure = data.draw(instances_of(cls), label="failure")
    way = data.draw(st.sampled_from(["Return", "Raise", "Unwrap"]), label="way")
    if way == "Raise":
        failure = Failure.from_exception(failure.to_exception())
    result = call(_method(channel, way), _key(failure), timeout=TIMEOUT)
    received = result.failure()
    assert received == failure
    assert type(received) is type(failure)
    assert received.retry == failure.retry
    assert railguard.http.encode(received) == railguard.http.encode(failure)


def test_status_is_standard_rich_status(channel: grpc.Channel) -> None:
    """grpcio-status reads the answer: code, message and the ErrorInfo detail."""
    failure = NotFoundFailure(message="no such agent")
    with pytest.raises(grpc.RpcError) as caught:
        _method(channel, "Return")(_key(failure), timeout=TIMEOUT)
    error: Any = caught.value
    assert error.code() is grpc.StatusCode.NOT_FOUND
    assert error.details() == "no such agent"
    status = rpc_status.from_call(error)
    assert status is not None
    assert (status.code, status.message) == (5, "no such agent")
    assert next(d.TypeName() for d in status.details) == "google.rpc.ErrorInfo"


def test_ok_answers_the_value(channel: grpc.Channel) -> None:
    """``Ok(value)`` answers the value."""
    assert call(_method(channel, "Fine"), b"k", timeout=TIMEOUT) == Ok(b"fine:k")


def test_unexpected_exception_leaks_nothing(
    channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected exception answers INTERNAL with nothing of it on the wire; it is logged."""
    with (
        caplog.at_level(logging.ERROR, logger="railguard.grpc"),
        pytest.raises(grpc.RpcError) as caught,
    ):
        _method(channel, "Boom")(b"k", timeout=TIMEOUT)
    error: Any = caught.value
    assert error.code() is grpc.StatusCode.INTERNAL
    wire = repr(error.details()) + repr(error.trailing_metadata()) + repr(error.initial_metadata())
    assert SECRET not in wire
    assert "RuntimeError" not in wire
    assert "Traceback" not in wire
    assert failure_of(error) == InternalFailure()
    assert any(SECRET in str(record.exc_info) for record in caplog.records)


def test_err_of_something_else_is_internal(channel: grpc.Channel) -> None:
    """An ``Err`` holding no failure answers a plain INTERNAL that shows nothing of it."""
    with pytest.raises(grpc.RpcError) as caught:
        _method(channel, "ErrNotFailure")(b"k", timeout=TIMEOUT)
    error: Any = caught.value
    assert error.code() is grpc.StatusCode.INTERNAL
    assert SECRET not in repr(error.details()) + repr(error.trailing_metadata())
    assert failure_of(error) == InternalFailure()


def test_a_failed_call_is_logged_once_as_received(
    channel: grpc.Channel, records: list[logging.LogRecord]
) -> None:
    """``call`` logs the peer's failure once, ``received CODE: message``, at its level."""
    call(_method(channel, "Plain"), b"k", timeout=TIMEOUT)  # the server does not answer it
    assert [(r.name, r.levelno, r.getMessage()) for r in records] == [
        ("railguard.grpc", logging.INFO, "received NOT_FOUND: plain abort")
    ]
    assert records[0].outcome == "received"  # type: ignore[attr-defined]  # a structured field


def test_method_aborting_by_itself_is_left_alone(channel: grpc.Channel) -> None:
    """A plain ``context.abort`` passes through; the client reads its code's generic failure."""
    received = call(_method(channel, "Plain"), b"k", timeout=TIMEOUT).failure()
    assert type(received) is NotFoundFailure
    assert received.message == "plain abort"
    rich = call(_method(channel, "Rich"), b"k", timeout=TIMEOUT).failure()
    assert rich == NotFoundFailure(message="rich")


def test_stream_answers_items_then_the_failure(channel: grpc.Channel) -> None:
    """A response stream sends its Ok items, then ends with the Err's rich status."""
    failure = NotFoundFailure(message="gone mid-stream")
    method: grpc.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(f"/{SERVICE}/Stream")
    stream = method(_key(failure), timeout=TIMEOUT)
    received: list[bytes] = []
    with pytest.raises(grpc.RpcError) as caught:
        received.extend(stream)
    assert received == [b"one"]
    assert failure_of(caught.value) == failure


def test_oversized_failure_is_sent_smaller(
    channel: grpc.Channel, caplog: pytest.LogCaptureFixture
) -> None:
    """A failure too large for default trailers arrives as its class without details or cause."""
    failure = NotFoundFailure(
        message="gone", details={"blob": "x" * 20_000}, cause=RateLimitFailure()
    )
    with caplog.at_level(logging.WARNING, logger="railguard.grpc"):
        received = call(_method(channel, "Return"), _key(failure), timeout=TIMEOUT).failure()
    assert received == NotFoundFailure(message="gone")
    assert "too large" in caplog.text
    huge = NotFoundFailure(message="y" * 20_000)
    received = call(_method(channel, "Return"), _key(huge), timeout=TIMEOUT).failure()
    assert received == NotFoundFailure(message="y" * 512)


def test_unreachable_server_is_an_infrastructure_failure() -> None:
    """A channel to a closed port fails with UNAVAILABLE, read as an infrastructure failure."""
    with grpc.insecure_channel("127.0.0.1:1") as chan:
        received = call(_method(chan, "Fine"), b"k", timeout=TIMEOUT).failure()
    assert received.category.value == "infrastructure"


def test_rate_limited_call_is_retried_after_its_hint(channel: grpc.Channel) -> None:
    """RESOURCE_EXHAUSTED with RetryInfo: the client waits the hint, then succeeds."""
    key = _key()
    started = time.monotonic()
    result = retry_call(_method(channel, "Limited"), key, idempotent=True, timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert result == Ok(b"after the hint")
    assert _CALLS[key] == 2
    assert elapsed >= HINT


def test_retry_stops_at_the_policy(channel: grpc.Channel) -> None:
    """Always rate-limited: the policy's attempts run out into RetryExhaustedFailure."""
    key = _key()
    policy = RetryPolicy(attempts=3)
    result = retry_call(
        _method(channel, "AlwaysLimited"), key, idempotent=True, policy=policy, timeout=TIMEOUT
    )
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert _CALLS[key] == 3
    assert all(isinstance(f, RateLimitFailure) for f in exhausted.failures)


def test_non_idempotent_call_is_not_retried(channel: grpc.Channel) -> None:
    """Without idempotency (or a key) a rate-limited call comes back at once."""
    key = _key()
    result = retry_call(_method(channel, "Limited"), key, idempotent=False, timeout=TIMEOUT)
    assert isinstance(result.failure(), RateLimitFailure)
    assert _CALLS[key] == 1


# -- the same service on grpc.aio ----------------------------------------------------------


async def _aio_returned(key: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
    await asyncio.sleep(0)
    return Err(_PENDING[key])


async def _aio_raised(key: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    raise _PENDING[key].to_exception()


async def _aio_boom(key: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    raise RuntimeError(SECRET)


async def _aio_limited(key: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
    return _limited(key, context)  # type: ignore[arg-type]  # the context is not read


async def _aio_plain(key: bytes, context: grpc.aio.ServicerContext[Any, Any]) -> bytes:
    await context.abort(grpc.StatusCode.NOT_FOUND, "plain abort")


async def _aio_stream(
    key: bytes, context: grpc.aio.ServicerContext[Any, Any]
) -> AsyncIterator[Any]:
    yield Ok(b"one")
    yield Err(_PENDING[key])


def _aio_handler() -> grpc.GenericRpcHandler:
    methods: dict[str, Callable[..., Any]] = {
        "Return": _aio_returned,
        "Raise": _aio_raised,
        "Boom": _aio_boom,
        "Limited": _aio_limited,
        "Plain": _aio_plain,
    }
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        name: grpc.unary_unary_rpc_method_handler(fn) for name, fn in methods.items()
    }
    handlers["Stream"] = grpc.unary_stream_rpc_method_handler(_aio_stream)
    return grpc.method_handlers_generic_handler(SERVICE, handlers)


async def _with_aio_server(
    body: Callable[[grpc.aio.Channel], Any],
) -> None:
    server = grpc.aio.server(interceptors=[AioServerInterceptor()], options=OPTIONS)
    server.add_generic_rpc_handlers((_aio_handler(),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}", options=OPTIONS) as chan:
            await asyncio.wait_for(body(chan), TIMEOUT)
    finally:
        await server.stop(grace=None)


def test_aio_server_and_client(caplog: pytest.LogCaptureFixture) -> None:
    """On grpc.aio: Err, raised, unexpected, plain abort, stream and the retry all behave alike."""
    failures = [
        NotFoundFailure(message="aio"),
        RateLimitFailure(retry_after=3, details={"plan": "free"}),
        Failure.from_exception(NotFoundFailure(message="raised").to_exception()),
    ]

    async def body(chan: grpc.aio.Channel) -> None:
        def method(name: str) -> grpc.aio.UnaryUnaryMultiCallable[bytes, bytes]:
            return chan.unary_unary(f"/{SERVICE}/{name}")

        for failure in failures:
            for way in ("Return", "Raise"):
                result = await call_async(method(way), _key(failure), timeout=TIMEOUT)
                assert result.failure() == failure
        boom = (await call_async(method("Boom"), b"k", timeout=TIMEOUT)).failure()
        assert boom == InternalFailure()
        plain = (await call_async(method("Plain"), b"k", timeout=TIMEOUT)).failure()
        assert (type(plain), plain.message) == (NotFoundFailure, "plain abort")
        key = _key()
        retried = await retry_call_async(method("Limited"), key, idempotent=True, timeout=TIMEOUT)
        assert retried == Ok(b"after the hint")
        assert _CALLS[key] == 2
        streaming: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = chan.unary_stream(
            f"/{SERVICE}/Stream"
        )
        stream = streaming(_key(failures[0]), timeout=TIMEOUT)
        items: list[bytes] = []

        async def drain() -> None:
            async for item in stream:
                items.append(item)

        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await drain()
        assert items == [b"one"]
        assert failure_of(caught.value) == failures[0]
        trailers = caught.value.trailing_metadata()
        assert trailers is not None
        assert any(k == DETAILS_KEY for k, _ in trailers)

    with caplog.at_level(logging.ERROR, logger="railguard.grpc"):
        asyncio.run(_with_aio_server(body))
