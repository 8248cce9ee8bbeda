"""A status's ``LocalizedMessage`` as a message for end users: encoded, decoded, read (issue 12)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import grpc
import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from hypothesis import given
from hypothesis import strategies as st

from railguard import Err, Failure, MalformedFailure, NotFoundFailure, Ok, RateLimitFailure
from railguard.grpc import Code, decode, encode, exchange_of
from railguard.grpc import _protobuf as wire
from railguard.grpc._status import decoded
from railguard.integrations import grpc as rg_grpc
from railguard.integrations._exchange import LOCALIZE
from railguard.integrations.grpc import rich_status
from railguard.messages import LocalizedMessage, Messages
from tests.grpc_context import ServicerContextStub

GERMAN = LocalizedMessage("de", "Das angeforderte Element wurde nicht gefunden.")
FAILURE = NotFoundFailure(message="order 17 missing from db-3")


def _any(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def _foreign(message: str, *details: object) -> bytes:
    status = status_pb2.Status(code=int(Code.NOT_FOUND), message=message)
    status.details.extend(_any(d) for d in details)
    return status.SerializeToString()


def _localized(status: status_pb2.Status) -> LocalizedMessage:
    (found,) = [d for d in status.details if d.TypeName() == "google.rpc.LocalizedMessage"]
    message = error_details_pb2.LocalizedMessage.FromString(found.value)
    return LocalizedMessage(message.locale, message.message)


@given(code=st.integers(0, 16), message=st.text(), locale=st.text(), shown=st.text())
def test_status_with_a_user_message_is_protobufs(
    code: int, message: str, locale: str, shown: str
) -> None:
    """The hand-written bytes with ``localized`` are protobuf's own serialization."""
    reference = status_pb2.Status(code=code, message=message)
    reference.details.append(_any(error_details_pb2.LocalizedMessage(locale=locale, message=shown)))
    assert wire.status(code, message, [], locale, shown) == reference.SerializeToString()


def test_encode_sends_the_user_message_and_decode_keeps_the_internal_one() -> None:
    """Round trip: the failure comes back equal; `exchange_of` gives the user message."""
    code, message, status = encode(FAILURE, request_id="r-1", localized_message=GERMAN)
    assert message == status.message == FAILURE.message
    assert _localized(status) == GERMAN
    data = status.SerializeToString()
    assert decode(int(code), message, data) == FAILURE
    assert exchange_of(data) == exchange_of(status)
    assert exchange_of(data).localized_message == GERMAN
    assert exchange_of(data).request_id == "r-1"
    assert decoded(int(code), message, data) == (FAILURE, exchange_of(data))


def test_without_a_user_message_the_exchange_has_none() -> None:
    """The message repeated in ``en-US`` (railguard without Messages) is no user message."""
    code, message, status = encode(FAILURE)
    assert _localized(status) == LocalizedMessage("en-US", FAILURE.message)
    assert exchange_of(status).localized_message is None
    assert decoded(int(code), message, status)[1] == exchange_of(status)


def test_a_foreign_status_keeps_its_developer_message() -> None:
    """Status.message is the failure's message; the LocalizedMessage is the exchange's."""
    shown = error_details_pb2.LocalizedMessage(locale="fr", message="Introuvable.")
    data = _foreign("row 9 not in shard 2", shown)
    failure = decode(int(Code.NOT_FOUND), "row 9 not in shard 2", data)
    assert failure.message == "row 9 not in shard 2"
    assert exchange_of(data).localized_message == LocalizedMessage("fr", "Introuvable.")


def test_a_foreign_status_without_a_message_falls_back_to_its_localized_one() -> None:
    """An empty Status.message: the LocalizedMessage is the failure's message, as before."""
    shown = error_details_pb2.LocalizedMessage(locale="fr", message="Introuvable.")
    data = _foreign("", shown)
    assert decode(int(Code.NOT_FOUND), "", data).message == "Introuvable."
    assert exchange_of(data).localized_message == LocalizedMessage("fr", "Introuvable.")


def test_a_broken_localized_message_reads_as_absent() -> None:
    """`exchange_of` still reads the RequestInfo; decode calls the status malformed."""
    status = status_pb2.Status(code=int(Code.NOT_FOUND), message="m")
    status.details.append(_any(error_details_pb2.RequestInfo(request_id="r-2")))
    broken = any_pb2.Any(type_url="type.googleapis.com/google.rpc.LocalizedMessage", value=b"\xff")
    status.details.append(broken)
    data = status.SerializeToString()
    assert exchange_of(data).request_id == "r-2"
    assert exchange_of(data).localized_message is None
    assert isinstance(decode(int(Code.NOT_FOUND), "m", data), MalformedFailure)


def test_rich_status_localizes_under_localize() -> None:
    """With LOCALIZE set the status's LocalizedMessage is the user message in its language."""
    token = LOCALIZE.set((Messages(), "de"))
    try:
        status = rich_status(FAILURE)
    finally:
        LOCALIZE.reset(token)
    details = dict(status.trailing_metadata)["grpc-status-details-bin"]
    assert isinstance(details, bytes)
    assert _localized(status_pb2.Status.FromString(details)) == GERMAN
    assert status.details == FAILURE.message


class _Broken(Messages):
    def localize(self, failure: Failure, accept_language: str | None) -> LocalizedMessage:
        raise RuntimeError("catalog gone")


def test_a_broken_catalog_sends_todays_status(caplog: pytest.LogCaptureFixture) -> None:
    """Localizing that raises is logged; the status goes without a user message."""
    failure = RateLimitFailure(retry_after=3)
    token = LOCALIZE.set((_Broken(), "de"))
    try:
        with caplog.at_level(logging.ERROR, logger="railguard.messages"):
            status = rich_status(failure)
    finally:
        LOCALIZE.reset(token)
    assert status.trailing_metadata == rich_status(failure).trailing_metadata
    assert [r.message for r in caplog.records] == [f"railguard: localizing {failure.code} failed"]


def _context() -> ServicerContextStub:
    """A servicer context whose call asked for German."""
    return ServicerContextStub((("accept-language", "de"),))


def _languages() -> str | None:
    localize = LOCALIZE.get()
    return None if localize is None else localize[1]


def test_sync_wrappers_localize_and_leave_nothing_behind() -> None:
    """The method sees the call's languages; the calling thread's context never holds them."""
    seen: list[str | None] = []

    def unary(request: bytes, context: Any) -> Any:
        seen.append(_languages())
        return Ok(b"ok")

    def stream(request: bytes, context: Any) -> Iterator[Any]:
        seen.append(_languages())
        yield Ok(b"item")
        seen.append(_languages())
        yield Ok(b"item")

    messages = Messages()
    wrapped_unary: Any = rg_grpc._wrapped(
        grpc.unary_unary_rpc_method_handler(unary), False, messages
    )
    wrapped_stream: Any = rg_grpc._wrapped(
        grpc.unary_stream_rpc_method_handler(stream), False, messages
    )
    assert wrapped_unary.unary_unary(b"", _context()) == b"ok"
    assert LOCALIZE.get() is None
    steps = wrapped_stream.unary_stream(b"", _context())
    assert next(steps) == b"item"
    assert LOCALIZE.get() is None  # between two items too
    assert next(steps) == b"item"
    steps.close()
    assert seen == ["de", "de", "de"]


def test_aio_wrappers_reset_localize() -> None:
    """On grpc.aio the method sees the call's languages, and the task's context is reset."""
    seen: list[str | None] = []

    async def unary(request: bytes, context: Any) -> Any:
        seen.append(_languages())
        return Ok(b"ok")

    async def stream(request: bytes, context: Any) -> AsyncIterator[Any]:
        seen.append(_languages())
        yield Ok(b"item")

    messages = Messages()
    wrapped_unary: Any = rg_grpc._wrapped(
        grpc.unary_unary_rpc_method_handler(unary), True, messages
    )
    wrapped_stream: Any = rg_grpc._wrapped(
        grpc.unary_stream_rpc_method_handler(stream), True, messages
    )

    async def serve() -> tuple[object, list[bytes], str | None]:
        answer = await wrapped_unary.unary_unary(b"", _context())
        items = [item async for item in wrapped_stream.unary_stream(b"", _context())]
        return answer, items, _languages()

    assert asyncio.run(serve()) == (b"ok", [b"item"], None)
    assert seen == ["de", "de"]


def test_an_err_in_a_stream_is_localized() -> None:
    """A sync stream's Err aborts with the user message of the call's language."""

    def stream(request: bytes, context: Any) -> Iterator[Any]:
        yield Err(FAILURE)

    wrapped: Any = rg_grpc._wrapped(grpc.unary_stream_rpc_method_handler(stream), False, Messages())
    context = _context()
    with pytest.raises(RuntimeError, match="aborted"):
        list(wrapped.unary_stream(b"", context))
    assert context.aborted is not None
    details = dict(context.aborted.trailing_metadata)["grpc-status-details-bin"]
    assert isinstance(details, bytes)
    assert exchange_of(details).localized_message == GERMAN
