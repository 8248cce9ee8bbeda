"""Seed 003 (Zhineng-bridge): the document's examples, run with only their imports changed.

The server, session manager, websocket, logger and metrics are stand-ins for
the document's own objects (the ``self`` its handlers run on). Fragments that
use ``await`` run inside an ``async def``; the test whose body the document
left as ``pass`` gets the call its comment names.
"""

# ruff: noqa: D101, D102, D103, E402, E501, F811, F841, I001  # the document's code, as written
# mypy: disable-error-code="no-untyped-def, no-untyped-call, var-annotated, func-returns-value, assignment"

from __future__ import annotations

import json
from typing import Any

import pytest
import websockets.exceptions

# --- stand-ins -------------------------------------------------------------------------

VALID_TOOLS = {"crush": "crush", "claude": "claude", "cursor": "cursor"}
tracked: list[tuple[str, str]] = []
sent: list[dict[str, Any]] = []


def track_error(name: str, level: str) -> None:
    tracked.append((name, level))


class _Logger:
    def __init__(self) -> None:
        self.records: list[tuple[str, dict[str, Any]]] = []

    def error(self, event: str, **fields: Any) -> None:
        self.records.append((event, fields))

    def info(self, event: str, **fields: Any) -> None:
        self.records.append((event, fields))


class SessionStartedResponse:
    def __init__(self, *_: object) -> None:
        self.session_id = "s-1"

    def model_dump(self) -> dict[str, Any]:
        return {"type": "session_started", "session_id": self.session_id}


# --- "Raising Exceptions" ----------------------------------------------------------------
# fmt: off

from railguard.families.bridge import InvalidToolNameError, SessionNotFoundError  # was: from exceptions import ...

def create_session(tool_name: str):
    if tool_name not in VALID_TOOLS:
        raise InvalidToolNameError(tool_name, list(VALID_TOOLS))
    # ... session creation logic

# fmt: on


class SessionManager:
    """The session manager, written the way the document's "After" lines say."""

    def __init__(self) -> None:
        self.tools = dict(VALID_TOOLS)
        self.sessions: dict[str, str] = {}
        self.fail_with: BaseException | None = None

    def create_session(self, tool_name: str, args: object = None) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        if tool_name not in self.tools:
            # fmt: off
            raise InvalidToolNameError(tool_name, list(self.tools.keys()))
            # fmt: on
        self.sessions["s-1"] = tool_name
        return "s-1"

    def stop_session(self, session_id: str) -> None:
        if session_id not in self.sessions:
            # fmt: off
            raise SessionNotFoundError(session_id)
            # fmt: on


# --- "Catching Exceptions in Server" / "Handler Level" ------------------------------
# fmt: off

from railguard.families.bridge import (  # was: from exceptions import (
    InvalidToolNameError,
    SessionNotFoundError,
    SessionManagerError,
    exception_to_dict
)

tool_name, args = "unknown", []


class Server:
    def __init__(self) -> None:
        self.manager = SessionManager()
        self.logger = _Logger()

    async def handle_start_session(self, message):
        try:
            session_id = self.manager.create_session(tool_name, args)
            return SessionStartedResponse(...).model_dump()
        except (InvalidToolNameError, SessionManagerError) as e:
            track_error("session_creation_error", "error")
            self.logger.error("Failed to create session", error=str(e), exc_info=True)
            return e.to_dict()

# fmt: on


@pytest.mark.anyio
async def test_handler_returns_the_frame() -> None:
    """An invalid tool name comes back as its frame, tracked and logged."""
    tracked.clear()
    server = Server()
    frame = await server.handle_start_session({"type": "start_session"})
    assert frame == {
        "type": "error",
        "message": "Invalid tool_name: unknown",
        "code": 400,
        "tool_name": "unknown",
        "valid_tools": ["crush", "claude", "cursor"],
    }
    assert tracked == [("session_creation_error", "error")]
    assert server.logger.records == [
        ("Failed to create session", {"error": "Invalid tool_name: unknown", "exc_info": True})
    ]


@pytest.mark.anyio
async def test_handler_session_manager_error() -> None:
    """A session manager failure is caught by the same branch, as a 500 frame."""
    server = Server()
    server.manager.fail_with = SessionManagerError("Failed to manage session")
    frame = await server.handle_start_session({})
    assert frame == {"type": "error", "message": "Failed to manage session", "code": 500}


def test_raising_and_session_manager_methods() -> None:
    """``create_session`` and the manager raise the documented exceptions."""
    with pytest.raises(InvalidToolNameError):
        create_session("vim")
    create_session("crush")
    with pytest.raises(SessionNotFoundError) as caught:
        SessionManager().stop_session("abc-123-def")
    assert caught.value.to_dict()["session_id"] == "abc-123-def"


# --- "Converting Generic Exceptions" -------------------------------------------------


def perform_operation() -> None:
    raise KeyError("internal cache key 'user:42:token'")


async def send_error_to_client(error: dict[str, Any]) -> None:
    sent.append(error)


# fmt: off

from railguard.families.bridge import exception_to_dict  # was: from exceptions import exception_to_dict

async def convert_generic():
    try:
        # Some operation that might raise generic exceptions
        result = perform_operation()
    except Exception as e:
        error_dict = exception_to_dict(e)
        # error_dict is now in the standard format
        await send_error_to_client(error_dict)

# fmt: on


@pytest.mark.anyio
async def test_generic_exception_becomes_a_standard_frame() -> None:
    """A generic exception becomes the standard frame without its internal text."""
    sent.clear()
    await convert_generic()
    assert sent == [{"type": "error", "message": "Internal Server Error", "code": 500}]
    assert "user:42" not in json.dumps(sent)


# --- "Error Handling in WebSocket Server": connection and message levels -------------


async def authenticate_connection(websocket: Any) -> None:
    return None


def validate_message(message: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(message)
    if "type" not in data:
        raise ValueError("message has no type")
    if data["type"] == "explode":
        raise RuntimeError("handler state corrupted: token=abc")
    return data


class _WebSocket:
    def __init__(self, messages: list[str], *, closed: bool = False) -> None:
        self._messages = messages
        self._closed = closed

    def __aiter__(self) -> _WebSocket:
        return self

    async def __anext__(self) -> str:
        if self._messages:
            return self._messages.pop(0)
        if self._closed:
            raise websockets.exceptions.ConnectionClosedOK(None, None)
        raise StopAsyncIteration


# fmt: off

from railguard.families.bridge import InvalidJSONError, ValidationError  # was: from exceptions import ...


class WebSocketServer:
    def __init__(self) -> None:
        self.logger = _Logger()
        self.errors: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []

    async def route_message(self, message):
        return {"type": "ok", "echo": message["type"]}

    async def send_to_client(self, client_id, response):
        self.responses.append(response)

    async def send_error_dict(self, client_id, error):
        self.errors.append(error)

    async def handle_connection(self, websocket):
        client_id = "client-1"
        try:
            # Authentication
            await authenticate_connection(websocket)
            # Message loop
            async for message in websocket:
                await self.handle_message(client_id, message)
        except websockets.exceptions.ConnectionClosed:
            self.logger.info("Client disconnected")
        except Exception as e:
            self.logger.error("Connection handling error", exc_info=True)

    async def handle_message(self, client_id, message):
        try:
            validated_message = validate_message(message)
            response = await self.route_message(validated_message)
            await self.send_to_client(client_id, response)
        except json.JSONDecodeError as e:
            error = InvalidJSONError(str(e))
            await self.send_error_dict(client_id, error.to_dict())
        except ValueError as e:
            error = ValidationError(str(e))
            await self.send_error_dict(client_id, error.to_dict())
        except Exception as e:
            await self.send_error_dict(client_id, exception_to_dict(e))

# fmt: on


@pytest.mark.anyio
async def test_message_level_errors_become_frames() -> None:
    """Bad JSON, invalid messages and unexpected errors each become their frame."""
    server = WebSocketServer()
    socket = _WebSocket(
        ['{"type": "ping"}', "{not json", '{"no": 1}', '{"type": "explode"}'], closed=True
    )
    await server.handle_connection(socket)
    assert server.responses == [{"type": "ok", "echo": "ping"}]
    invalid_json, invalid, unexpected = server.errors
    assert invalid_json["code"] == 400
    assert invalid_json["message"].startswith("Expecting property name enclosed in double quotes")
    assert invalid == {"type": "error", "message": "message has no type", "code": 422}
    assert unexpected == {"type": "error", "message": "Internal Server Error", "code": 500}
    assert server.logger.records == [("Client disconnected", {})]


# --- "Error Metrics" ------------------------------------------------------------------


def test_error_metrics_snippet() -> None:
    """The metrics snippet runs against the stand-in ``track_error``."""
    tracked.clear()
    # fmt: off
    track_error("session_creation_error", "error")
    track_error("json_decode_error", "error")
    track_error("validation_error", "error")
    # fmt: on
    assert [name for name, _ in tracked] == [
        "session_creation_error",
        "json_decode_error",
        "validation_error",
    ]


# --- "Testing Error Handling" -------------------------------------------------------
# fmt: off

import pytest
from railguard.families.bridge import InvalidToolNameError  # was: from exceptions import InvalidToolNameError

def test_invalid_tool_name():
    with pytest.raises(InvalidToolNameError) as exc_info:
        # Code that raises InvalidToolNameError
        create_session("not-a-tool")  # the document leaves `pass` here
    assert exc_info.value.code == 400

async def test_invalid_tool_name_response():
    error = InvalidToolNameError("invalid", ["crush", "claude"])
    response = error.to_dict()
    assert response["type"] == "error"
    assert response["code"] == 400
    assert "tool_name" in response

# fmt: on

test_invalid_tool_name.__doc__ = "The document's test: the error's code is 400."
test_invalid_tool_name_response = pytest.mark.anyio(test_invalid_tool_name_response)
test_invalid_tool_name_response.__doc__ = (
    "The document's test: the frame has type, 400 and tool_name."
)


# --- "Migration Guide" ------------------------------------------------------------------


def test_migration_before_and_after() -> None:
    """The old ValueError frame and the new typed frame carry the same error."""
    manager = SessionManager()
    tool_name = "vim"
    tracked.clear()
    manager.fail_with = ValueError(f"工具不存在: {tool_name}")

    def before() -> dict[str, Any] | None:
        # fmt: off
        try:
            session_id = manager.create_session(tool_name)
        except ValueError as e:
            return {"type": "error", "message": str(e), "code": 400}
        # fmt: on
        return None

    assert before() == {"type": "error", "message": "工具不存在: vim", "code": 400}

    manager.fail_with = None

    def after() -> dict[str, Any] | None:
        # fmt: off
        try:
            session_id = manager.create_session(tool_name)
        except InvalidToolNameError as e:
            track_error("invalid_tool", "error")
            return e.to_dict()
        # fmt: on
        return None

    frame = after()
    assert frame is not None
    assert (frame["code"], frame["tool_name"]) == (400, "vim")
    assert tracked == [("invalid_tool", "error")]
