"""The bridge family (seed 003): frames, codes, typed frame fields, exception_to_dict."""

from __future__ import annotations

import builtins
import json
from typing import Any

import pytest

from railguard import Category, Failure, Recovery
from railguard.families.bridge import (
    ERROR_CODE_MAP,
    AuthenticationError,
    AuthorizationError,
    ConfigurationError,
    ConnectionError,
    InvalidJSONError,
    InvalidMessageTypeError,
    InvalidSessionIdError,
    InvalidToolNameError,
    InvalidToolNameFailure,
    MaxConnectionsError,
    MaxSessionsError,
    MissingFieldError,
    RateLimitError,
    ServerException,
    SessionAlreadyRunningError,
    SessionManagerError,
    SessionNotFoundError,
    SessionNotFoundFailure,
    TimeoutError,
    ToolExecutionError,
    ToolExecutionFailure,
    ValidationError,
    ZhinengBridgeException,
    exception_to_dict,
    get_error_message,
)
from railguard.families.kneo import KneoNotFoundError
from railguard.testing import exceptions_equal

FRAMES: list[tuple[ZhinengBridgeException, dict[str, Any]]] = [
    (
        InvalidMessageTypeError("unknown_type"),
        {
            "type": "error",
            "message": "Unknown message type: unknown_type",
            "code": 400,
            "message_type": "unknown_type",
        },
    ),
    (
        InvalidToolNameError("invalid_tool", ["crush", "claude", "cursor"]),
        {
            "type": "error",
            "message": "Invalid tool_name: invalid_tool",
            "code": 400,
            "tool_name": "invalid_tool",
            "valid_tools": ["crush", "claude", "cursor"],
        },
    ),
    (
        InvalidSessionIdError("invalid-uuid"),
        {
            "type": "error",
            "message": "Invalid session_id: invalid-uuid",
            "code": 400,
            "session_id": "invalid-uuid",
        },
    ),
    (
        InvalidJSONError("Unexpected character"),
        {"type": "error", "message": "Unexpected character", "code": 400},
    ),
    (
        MissingFieldError("session_id"),
        {
            "type": "error",
            "message": "Missing required field: session_id",
            "code": 400,
            "field": "session_id",
        },
    ),
    (
        AuthenticationError("Invalid token"),
        {"type": "error", "message": "Invalid token", "code": 401},
    ),
    (
        AuthorizationError("Admin privileges required"),
        {"type": "error", "message": "Admin privileges required", "code": 403},
    ),
    (
        RateLimitError(limit=100),
        {
            "type": "error",
            "message": "Rate limit exceeded: 100 requests",
            "code": 429,
            "limit": 100,
        },
    ),
    (
        SessionNotFoundError("abc-123-def"),
        {
            "type": "error",
            "message": "Session not found: abc-123-def",
            "code": 404,
            "session_id": "abc-123-def",
        },
    ),
    (
        SessionAlreadyRunningError("abc-123-def"),
        {
            "type": "error",
            "message": "Session already running: abc-123-def",
            "code": 409,
            "session_id": "abc-123-def",
        },
    ),
    (
        MaxConnectionsError(current=101, max_connections=100),
        {
            "type": "error",
            "message": "Maximum connections exceeded: 101/100",
            "code": 429,
            "current": 101,
            "max_connections": 100,
        },
    ),
    (
        MaxSessionsError(current=51, max_sessions=50),
        {
            "type": "error",
            "message": "Maximum sessions exceeded: 51/50",
            "code": 429,
            "current": 51,
            "max_sessions": 50,
        },
    ),
    (
        ServerException("Internal error", details={"context": "additional info"}),
        {"type": "error", "message": "Internal error", "code": 500, "context": "additional info"},
    ),
    (
        SessionManagerError("Failed to manage session"),
        {"type": "error", "message": "Failed to manage session", "code": 500},
    ),
    (
        ToolExecutionError(tool_name="crush", error="Command failed", exit_code=1),
        {
            "type": "error",
            "message": "Tool execution failed: crush",
            "code": 500,
            "tool_name": "crush",
            "error": "Command failed",
            "exit_code": 1,
        },
    ),
    (
        ConnectionError("Failed to connect to service"),
        {"type": "error", "message": "Failed to connect to service", "code": 503},
    ),
    (
        TimeoutError(operation="create_session", timeout=30),
        {
            "type": "error",
            "message": "Timeout during create_session: 30s",
            "code": 504,
            "operation": "create_session",
            "timeout": 30,
        },
    ),
    (
        ConfigurationError("Invalid port", config_key="server.port"),
        {"type": "error", "message": "Invalid port", "code": 500, "config_key": "server.port"},
    ),
    (ValidationError("bad message"), {"type": "error", "message": "bad message", "code": 422}),
]


@pytest.mark.parametrize(("exc", "frame"), FRAMES, ids=lambda v: type(v).__name__)
def test_documented_frames(exc: ZhinengBridgeException, frame: dict[str, Any]) -> None:
    """``to_dict()`` gives the document's frame verbatim, and ``code`` is the HTTP status."""
    assert exc.to_dict() == frame
    assert exc.code == frame["code"]
    assert exc.failure.status == frame["code"]


@pytest.mark.parametrize(("exc", "frame"), FRAMES, ids=lambda v: type(v).__name__)
def test_frames_survive_the_pairing(exc: ZhinengBridgeException, frame: dict[str, Any]) -> None:
    """Exception → failure → exception gives the same exception and the same frame."""
    back = exc.failure.to_exception()
    assert exceptions_equal(exc, back)
    assert back.to_dict() == frame


def test_optional_frame_keys_are_left_out() -> None:
    """Without a limit, exit code or config key, the frame has no such key."""
    assert RateLimitError().to_dict() == {
        "type": "error",
        "message": "Rate limit exceeded",
        "code": 429,
    }
    assert "exit_code" not in ToolExecutionError("crush", "failed").to_dict()
    assert "config_key" not in ConfigurationError("Invalid port").to_dict()


def test_context_keys_become_typed_fields() -> None:
    """The document's context keys are typed failure fields; other details stay details."""
    failure = ToolExecutionError("crush", "Command failed", 2).failure
    assert isinstance(failure, ToolExecutionFailure)
    assert (failure.tool_name, failure.error, failure.exit_code) == ("crush", "Command failed", 2)
    assert failure.details == {}
    tools = InvalidToolNameError("x", ["a", "b"]).failure
    assert isinstance(tools, InvalidToolNameFailure)
    assert tools.valid_tools == ("a", "b")


def test_failure_messages_are_formatted_like_the_exceptions() -> None:
    """A failure built from the typed fields gets the exception's message."""
    assert SessionNotFoundFailure(session_id="s1") == SessionNotFoundError("s1").failure


def test_details_cannot_shadow_a_typed_field() -> None:
    """A failure's details may not reuse a typed field's frame key (the frame is flat)."""
    with pytest.raises(ValueError, match="session_id"):
        SessionNotFoundFailure(session_id="a", details={"session_id": "b"})


def test_bridge_builtins_are_the_documents_classes() -> None:
    """``ConnectionError`` and ``TimeoutError`` are bridge exceptions, not the builtins."""
    assert issubclass(ConnectionError, ServerException)
    assert issubclass(TimeoutError, ServerException)
    assert builtins.ConnectionError not in ConnectionError.__mro__
    assert builtins.TimeoutError not in TimeoutError.__mro__


@pytest.mark.parametrize(
    ("exc", "category", "recovery"),
    [
        (ValidationError("x"), Category.VALIDATION, Recovery.DONT_RETRY),
        (RateLimitError(), Category.RATE_LIMIT, Recovery.AFTER_HINT),
        (MaxSessionsError(2, 1), Category.RATE_LIMIT, Recovery.AFTER_HINT),
        (ConnectionError(), Category.INFRASTRUCTURE, Recovery.BACKOFF),
        (TimeoutError("op", 1), Category.TIMEOUT, Recovery.BACKOFF),
        (SessionAlreadyRunningError("s"), Category.CONFLICT, Recovery.ESCALATE),
        (ConfigurationError("x"), Category.CONFIGURATION, Recovery.ESCALATE),
    ],
)
def test_categories_and_recovery(
    exc: ZhinengBridgeException, category: Category, recovery: Recovery
) -> None:
    """4xx/5xx errors get the category and recovery their status and meaning call for."""
    assert (exc.failure.category, exc.failure.recovery) == (category, recovery)


def test_exception_to_dict_of_a_bridge_exception_is_its_frame() -> None:
    """``exception_to_dict`` of a bridge exception is its own ``to_dict()``."""
    exc = SessionNotFoundError("abc")
    assert exception_to_dict(exc) == exc.to_dict()


def test_exception_to_dict_reveals_nothing_of_unknown_exceptions() -> None:
    """Any other exception gives the standard 500 frame: no text, type or traceback."""
    try:
        raise RuntimeError("db password is hunter2")
    except RuntimeError as exc:
        frame = exception_to_dict(exc)
    assert frame == {"type": "error", "message": "Internal Server Error", "code": 500}
    text = json.dumps(frame)
    assert "hunter2" not in text
    assert "RuntimeError" not in text


def test_exception_to_dict_uses_the_status_of_known_failures() -> None:
    """A mapped exception answers with its failure's status and that status's name."""
    assert exception_to_dict(ValueError("secret")) == {
        "type": "error",
        "message": "Bad Request",
        "code": 400,
    }
    assert exception_to_dict(KneoNotFoundError("run r1 gone")) == {
        "type": "error",
        "message": "Not Found",
        "code": 404,
    }


def test_error_code_reference() -> None:
    """The document's code table and its lookup."""
    assert get_error_message(422) == "Unprocessable Entity"
    assert get_error_message(418) == "Unknown Error"
    assert set(ERROR_CODE_MAP) == {400, 401, 403, 404, 409, 422, 429, 500, 503, 504}


def test_base_exception_code_is_per_instance() -> None:
    """``ZhinengBridgeException(message, code, details)`` keeps any HTTP code."""
    exc = ZhinengBridgeException("gone", 410, {"id": 1})
    assert exc.failure.status == 410
    assert Failure.from_exception(exc) == exc.failure
    assert exc.failure.to_exception().to_dict() == exc.to_dict()
