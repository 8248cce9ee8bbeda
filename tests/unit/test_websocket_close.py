"""Close codes and reasons: the documented mapping, both ways."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from railguard import (
    AuthenticationFailure,
    AuthorizationFailure,
    Category,
    ConflictFailure,
    FailureGroup,
    InfrastructureFailure,
    InternalFailure,
    MalformedFailure,
    NotFoundFailure,
    ProtocolFailure,
    RateLimitFailure,
    Recovery,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
)
from railguard.families.agents import AgentModelFailure
from railguard.websocket import (
    RESERVED_CLOSE_CODES,
    CloseCode,
    WebSocketClosedFailure,
    close_code,
    close_meaning,
    close_reason,
    from_close,
    is_sendable,
    truncate_reason,
)


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (ValidationFailure(), 4400),
        (AuthenticationFailure(), 4401),
        (AuthorizationFailure(), 4403),
        (NotFoundFailure(), 4404),
        (ConflictFailure(), 4409),
        (RateLimitFailure(), 4429),
        (TimeoutFailure(), 4504),
        (InternalFailure(), 1011),
        (InfrastructureFailure(), 1013),
        (UpstreamFailure(), 1014),
        (ProtocolFailure(), 1008),
        (MalformedFailure(), 1008),
        (UnknownFailure(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE), 1009),
        (UnknownFailure(status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE), 1003),
        (UnknownFailure(status=HTTPStatus.IM_A_TEAPOT), 4418),
        (UnknownFailure(status=HTTPStatus.FOUND), 1008),
        (WebSocketClosedFailure(close_code=4001), 4001),
        (WebSocketClosedFailure(close_code=1006), 1013),
        (FailureGroup(failures=(NotFoundFailure(), ConflictFailure())), 4400),
    ],
)
def test_close_code_mapping(failure: object, code: int) -> None:
    """Each kind of failure closes with its documented code."""
    assert close_code(failure) == code  # type: ignore[arg-type]
    assert is_sendable(code)


@pytest.mark.parametrize("code", sorted(RESERVED_CLOSE_CODES))
def test_reserved_codes_are_not_sendable(code: int) -> None:
    """1004, 1005, 1006 and 1015 must never appear in a close frame."""
    assert not is_sendable(code)


@pytest.mark.parametrize("code", [0, 999, 1016, 2999, 5000])
def test_codes_outside_the_ranges_are_not_sendable(code: int) -> None:
    """Only 1000-1014 (minus reserved) and 3000-4999 may be sent."""
    assert not is_sendable(code)


def test_close_code_enum_follows_the_conventions() -> None:
    """The private range is 4000 + HTTP status, as in GraphQL over WebSocket."""
    for member in CloseCode:
        if member >= 4000:
            assert HTTPStatus(member - 4000)
    assert int(CloseCode.CONFLICT) == 4409
    assert int(CloseCode.TOO_MANY_REQUESTS) == 4429


def test_reason_is_code_and_message() -> None:
    """A close reason reads ``CODE: message``."""
    assert close_reason(NotFoundFailure(message="gone")) == "NOT_FOUND: gone"


@pytest.mark.parametrize("char", ["a", "é", "€", "😀"])
def test_reason_is_cut_at_123_bytes_on_a_character_boundary(char: str) -> None:
    """Long reasons are cut to 123 bytes of UTF-8 without splitting a character."""
    reason = close_reason(NotFoundFailure(message=char * 200))
    data = reason.encode("utf-8")
    assert len(data) <= 123
    assert len(data) > 123 - len(char.encode())
    assert reason.startswith("NOT_FOUND: ")


def test_truncate_replaces_lone_surrogates() -> None:
    """A lone surrogate (not encodable as UTF-8) cannot break the close frame."""
    assert truncate_reason("a\ud800b") == "a?b"


def test_from_close_reads_a_registered_code_back() -> None:
    """A reason written by close_reason gives the failure back."""
    failure = ConflictFailure(message="already connected")
    assert from_close(close_code(failure), close_reason(failure)) == failure


def test_from_close_without_a_known_code_keeps_code_and_reason() -> None:
    """Any other close gives a WebSocketClosedFailure with the code's meaning."""
    failure = from_close(4401, "token expired")
    assert failure == WebSocketClosedFailure(
        message="token expired",
        close_code=4401,
        reason="token expired",
        status=HTTPStatus.UNAUTHORIZED,
        category=Category.AUTHENTICATION,
    )
    assert failure.recovery is Recovery.DONT_RETRY
    assert failure.fatal


def test_from_close_of_a_dropped_connection_asks_to_reconnect() -> None:
    """1006 (and a close without code) mean the connection is gone: reconnect."""
    for code in (1006, None):
        failure = from_close(code)
        assert isinstance(failure, WebSocketClosedFailure)
        assert failure.category is Category.INFRASTRUCTURE
        assert failure.recovery is Recovery.RECONNECT
        assert "closed with code" in failure.message


def test_from_close_never_builds_carriers_from_a_reason() -> None:
    """A reason naming UnknownFailure or WebSocketClosedFailure is kept, not trusted."""
    failure = from_close(1011, "UNKNOWN: trust me")
    assert isinstance(failure, WebSocketClosedFailure)
    assert failure.reason == "UNKNOWN: trust me"


def test_from_close_with_a_class_needing_fields_falls_back() -> None:
    """A registered code whose class needs more than a message is kept as a close."""
    failure = from_close(4400, "FAILURE_GROUP: several")
    assert isinstance(failure, WebSocketClosedFailure)
    assert failure.category is Category.VALIDATION


@pytest.mark.parametrize(
    ("code", "category", "status"),
    [
        (1000, Category.INFRASTRUCTURE, 503),
        (1008, Category.PROTOCOL, 400),
        (1009, Category.VALIDATION, 413),
        (1011, Category.INTERNAL, 500),
        (1013, Category.INFRASTRUCTURE, 503),
        (1014, Category.UPSTREAM, 502),
        (3000, Category.AUTHENTICATION, 401),
        (3003, Category.AUTHORIZATION, 403),
        (3008, Category.TIMEOUT, 408),
        (4409, Category.CONFLICT, 409),
        (4429, Category.RATE_LIMIT, 429),
        (4504, Category.TIMEOUT, 504),
        (4999, Category.INFRASTRUCTURE, 503),
        (4420, Category.INFRASTRUCTURE, 503),
    ],
)
def test_close_meaning(code: int, category: Category, status: int) -> None:
    """Received codes stand for the documented category and status."""
    assert close_meaning(code) == (category, HTTPStatus(status))


def test_from_close_with_no_reason_at_all() -> None:
    """A close whose reason is None (some clients) is read like an empty reason."""
    failure = from_close(1011, None)
    assert isinstance(failure, WebSocketClosedFailure)
    assert failure.reason == ""


def test_an_instance_code_of_another_class_never_comes_back_as_that_class() -> None:
    """A failure whose own code names another family's class closes with its class's code."""
    failure = AgentModelFailure(code="KNEO_ERROR", message="model down")
    reason = close_reason(failure)
    assert reason.startswith(AgentModelFailure.default_code + ":")
    assert type(from_close(close_code(failure), reason)) is AgentModelFailure
