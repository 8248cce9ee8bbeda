"""The WebSocket boundary on the documented families: fatal semantics, bridge frames and flow."""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest

from railguard import Failure, InternalFailure, NotFoundFailure
from railguard.families import bridge, distiller
from railguard.websocket import (
    bridge_failure,
    close_code,
    decode_frame,
    encode_frame,
    frame_dict,
    parse_bridge_message,
)

FATAL: list[Exception] = [
    bridge.AuthenticationError("bad token"),
    bridge.MaxConnectionsError(current=101, max_connections=100),
    distiller.AuthenticationError(),
    distiller.UserAlreadyConnectedError(),
    distiller.ConnectionTimeoutError(),
    distiller.ConnectionClosedError(),
    distiller.WebSocketSendError(),
]
RECOVERABLE: list[Exception] = [
    bridge.InvalidJSONError("Expecting value"),
    bridge.InvalidMessageTypeError("unknown_type"),
    bridge.MissingFieldError("session_id"),
    bridge.InvalidToolNameError("nope", ["crush", "claude"]),
    bridge.InvalidSessionIdError("x"),
    bridge.SessionNotFoundError("abc"),
    bridge.SessionAlreadyRunningError("abc"),
    bridge.MaxSessionsError(current=51, max_sessions=50),
    bridge.RateLimitError(limit=100),
    bridge.ToolExecutionError("crush", "Command failed", 1),
    bridge.TimeoutError("create_session", 30),
    bridge.ServerException("Internal error", details={"context": "x"}),
]


@pytest.mark.parametrize("exc", FATAL, ids=lambda e: type(e).__name__)
def test_connection_level_failures_are_fatal(exc: Exception) -> None:
    """Authentication, max connections and the distiller's connection errors end the connection."""
    assert Failure.from_exception(exc).fatal


@pytest.mark.parametrize("exc", RECOVERABLE, ids=lambda e: type(e).__name__)
def test_message_level_failures_are_recoverable(exc: Exception) -> None:
    """Invalid JSON, unknown type, missing field, unknown tool: answer, keep the connection."""
    assert not Failure.from_exception(exc).fatal


@pytest.mark.parametrize("exc", FATAL + RECOVERABLE, ids=lambda e: type(e).__name__)
def test_bridge_frames_contain_the_documents_to_dict(exc: Exception) -> None:
    """A bridge failure's frame is its exception's to_dict() plus railguard's keys."""
    failure = Failure.from_exception(exc)
    frame = frame_dict(failure)
    if isinstance(exc, bridge.ZhinengBridgeException):
        assert frame.items() >= exc.to_dict().items()
    assert frame["error_code"] == failure.code
    assert decode_frame(encode_frame(failure)) == failure


def test_distiller_frames_keep_per_instance_code_and_status() -> None:
    """A distiller failure with its own error_code and status comes back as itself."""
    failure = distiller.ConnectionClosedFailure(
        code="distiller.custom", status=HTTPStatus(500), details={"why": "maintenance"}
    )
    frame = frame_dict(failure)
    assert frame["error_code"] == "distiller.custom"
    assert frame["kind"] == "distiller.client.connection_closed"
    assert frame["code"] == 500
    assert decode_frame(encode_frame(failure)) == failure


def test_close_codes_of_the_lifecycle_failures() -> None:
    """Duplicate session 4409, timeout 4504, max connections 4429, authentication 4401."""
    assert close_code(distiller.UserAlreadyConnectedFailure()) == 4409
    assert close_code(distiller.ConnectionTimeoutFailure()) == 4504
    assert close_code(bridge.MaxConnectionsFailure(current=2, max_connections=1)) == 4429
    assert close_code(bridge.AuthenticationFailure()) == 4401
    assert close_code(distiller.WebSocketReceiveFailure()) == 1008


def test_parse_bridge_message() -> None:
    """Undecodable input is InvalidJSONFailure; JSON comes back parsed."""
    assert parse_bridge_message('{"type": "ping"}').unwrap() == {"type": "ping"}
    failure = parse_bridge_message("{oops").failure()
    assert isinstance(failure, bridge.InvalidJSONFailure)
    assert "Expecting property name" in failure.message
    assert isinstance(parse_bridge_message(b"\xff").failure(), bridge.InvalidJSONFailure)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (bridge.InvalidToolNameError("x", ["a"]), bridge.InvalidToolNameFailure),
        (json.JSONDecodeError("Expecting value", "", 0), bridge.InvalidJSONFailure),
        (ValueError("port must be an integer"), bridge.ValidationFailure),
        (RuntimeError("db password hunter2"), bridge.ServerFailure),
        (NotFoundFailure(message="gone").to_exception(), NotFoundFailure),
    ],
)
def test_bridge_failure_follows_the_documents_flow(
    exc: BaseException, expected: type[Failure]
) -> None:
    """Bridge exceptions as themselves, JSON errors, ValueErrors, the rest sanitized."""
    failure = bridge_failure(exc)
    assert type(failure) is expected
    assert "hunter2" not in encode_frame(failure)


def test_the_rest_is_what_exception_to_dict_sends() -> None:
    """An unexpected exception's frame contains exactly exception_to_dict's keys and values."""
    exc = KeyError("secret")
    frame = frame_dict(bridge_failure(exc))
    assert frame.items() >= bridge.exception_to_dict(exc).items()
    assert not isinstance(bridge_failure(exc), InternalFailure)


def test_value_error_is_a_validation_error_without_its_text() -> None:
    """ValueError → ValidationError as in the document, without its text (it may hold secrets)."""
    failure = bridge_failure(ValueError("session_id must be a UUID, password=hunter2"))
    assert failure == bridge.ValidationFailure()
    assert failure.status == 422
