"""The Zhineng-bridge errors (seed 003), as failures and as the document's exceptions.

The WebSocket relay server's exceptions, each with ``to_dict()`` for its error frame::

    ZhinengBridgeException
    ├── ValidationError
    │   ├── InvalidMessageTypeError
    │   ├── InvalidToolNameError
    │   ├── InvalidSessionIdError
    │   ├── InvalidJSONError
    │   └── MissingFieldError
    ├── AuthenticationError
    ├── AuthorizationError
    ├── RateLimitError
    ├── SessionNotFoundError
    ├── SessionAlreadyRunningError
    ├── MaxConnectionsError
    ├── MaxSessionsError
    ├── ServerException
    │   ├── SessionManagerError
    │   ├── ToolExecutionError
    │   ├── ConnectionError
    │   └── TimeoutError
    └── ConfigurationError

Every exception has ``message``, an HTTP-style ``code`` (int) and ``details``
(merged into the frame); its failure keeps ``code`` as ``status`` and turns the
document's context keys (``tool_name``, ``exit_code``, ``session_id``, ...)
into typed fields, leaving any other keys in ``details``. ``retry_after``
(seconds, keyword-only on the base) is a railguard addition so that a failure's
retry hint survives the exception.

``ConnectionError`` and ``TimeoutError`` here are the document's classes, not
the builtins.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from railguard.core import Category, Failure

from ._pairing import (
    Attr,
    Family,
    FrameDetails,
    Paired,
    PairedFailure,
    derived_message,
    frozen_tuple,
    reduce_exception,
)

if TYPE_CHECKING:
    # the module's ConnectionError and TimeoutError, not the builtins, in annotations
    from railguard.families import bridge as _this  # noqa: PLW0406  # typing only
else:
    _this = sys.modules[__name__]  # resolves the annotations at runtime (get_type_hints)

__all__ = [
    "ERROR_CODE_MAP",
    "AuthenticationError",
    "AuthenticationFailure",
    "AuthorizationError",
    "AuthorizationFailure",
    "ConfigurationError",
    "ConfigurationFailure",
    "ConnectionError",
    "ConnectionFailure",
    "InvalidJSONError",
    "InvalidJSONFailure",
    "InvalidMessageTypeError",
    "InvalidMessageTypeFailure",
    "InvalidSessionIdError",
    "InvalidSessionIdFailure",
    "InvalidToolNameError",
    "InvalidToolNameFailure",
    "MaxConnectionsError",
    "MaxConnectionsFailure",
    "MaxSessionsError",
    "MaxSessionsFailure",
    "MissingFieldError",
    "MissingFieldFailure",
    "RateLimitError",
    "RateLimitFailure",
    "ServerException",
    "ServerFailure",
    "SessionAlreadyRunningError",
    "SessionAlreadyRunningFailure",
    "SessionManagerError",
    "SessionManagerFailure",
    "SessionNotFoundError",
    "SessionNotFoundFailure",
    "TimeoutError",
    "TimeoutFailure",
    "ToolExecutionError",
    "ToolExecutionFailure",
    "ValidationError",
    "ValidationFailure",
    "ZhinengBridgeException",
    "ZhinengBridgeFailure",
    "exception_to_dict",
    "get_error_message",
]

_S = HTTPStatus

ERROR_CODE_MAP: Mapping[int, str] = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
"""The document's error code reference: code → name."""

_FRAME_KEYS = {"field_name": "field"}
"""Typed fields whose frame key differs from the field name."""


def get_error_message(code: int) -> str:
    """The standard name of an error code (``"Unknown Error"`` for one not in the table)."""
    return ERROR_CODE_MAP.get(code, "Unknown Error")


# --- failures -----------------------------------------------------------------------


_typed_keys_of: dict[type[Failure], frozenset[str]] = {}


def _typed_keys(cls: type[Failure]) -> frozenset[str]:
    """The frame keys of a bridge failure class's typed fields (computed once per class)."""
    keys = _typed_keys_of.get(cls)
    if keys is None:
        own = (a.name for a in attrs.fields(cls) if a.name not in _BRIDGE_FIELDS)
        keys = _typed_keys_of[cls] = frozenset(_FRAME_KEYS.get(name, name) for name in own)
    return keys


@attrs.frozen(kw_only=True)
class ZhinengBridgeFailure(
    PairedFailure, code="BRIDGE_ERROR", category=Category.INTERNAL, status=_S.INTERNAL_SERVER_ERROR
):
    """The bridge failed; answers with ``status`` (500 unless given).

    A subclass's typed fields share the frame with ``details``, so ``details``
    may not use their keys (`ValueError`).
    """

    exception_type: ClassVar[type[ZhinengBridgeException]]
    wire_keys: ClassVar[Mapping[str, str]] = _FRAME_KEYS
    """Typed fields whose member on every wire is not their name (``field_name`` → ``field``)."""

    message: str = "Internal server error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR

    def __attrs_post_init__(self) -> None:
        keys = _typed_keys(type(self))
        if keys and not keys.isdisjoint(self.details):
            taken = sorted(keys.intersection(self.details))
            raise ValueError(f"details keys {taken} are typed fields of {type(self).__name__}")


_BRIDGE_FIELDS = frozenset(attrs.fields_dict(ZhinengBridgeFailure))


@attrs.frozen(kw_only=True)
class ValidationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_VALIDATION_ERROR",
    category=Category.VALIDATION,
    status=_S.UNPROCESSABLE_ENTITY,
):
    """A client message failed validation; answers 422, the same message fails again."""

    exception_type: ClassVar[type[ValidationError]]

    message: str = "Validation error"
    status: HTTPStatus = _S.UNPROCESSABLE_ENTITY


@attrs.frozen(kw_only=True)
class InvalidMessageTypeFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_MESSAGE_TYPE",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The client sent an unknown message type; answers 400."""

    exception_type: ClassVar[type[InvalidMessageTypeError]]

    status: HTTPStatus = _S.BAD_REQUEST
    message_type: str
    message: str = derived_message(lambda f: f"Unknown message type: {f.message_type}")


@attrs.frozen(kw_only=True)
class InvalidToolNameFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_TOOL_NAME",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The AI tool name is not one of ``valid_tools``; answers 400."""

    exception_type: ClassVar[type[InvalidToolNameError]]

    status: HTTPStatus = _S.BAD_REQUEST
    tool_name: str
    valid_tools: tuple[str, ...] = attrs.field(converter=frozen_tuple)
    message: str = derived_message(lambda f: f"Invalid tool_name: {f.tool_name}")


@attrs.frozen(kw_only=True)
class InvalidSessionIdFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_SESSION_ID",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The session ID is malformed; answers 400."""

    exception_type: ClassVar[type[InvalidSessionIdError]]

    status: HTTPStatus = _S.BAD_REQUEST
    session_id: str
    message: str = derived_message(lambda f: f"Invalid session_id: {f.session_id}")


@attrs.frozen(kw_only=True)
class InvalidJSONFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_JSON",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """A client message is not valid JSON; answers 400."""

    exception_type: ClassVar[type[InvalidJSONError]]

    message: str = "Invalid JSON format"
    status: HTTPStatus = _S.BAD_REQUEST


@attrs.frozen(kw_only=True)
class MissingFieldFailure(
    ValidationFailure,
    code="BRIDGE_MISSING_FIELD",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """A required field is missing from a client message; answers 400 (frame key ``field``)."""

    exception_type: ClassVar[type[MissingFieldError]]

    status: HTTPStatus = _S.BAD_REQUEST
    field_name: str
    message: str = derived_message(lambda f: f"Missing required field: {f.field_name}")


@attrs.frozen(kw_only=True)
class AuthenticationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_AUTHENTICATION_ERROR",
    category=Category.AUTHENTICATION,
    status=_S.UNAUTHORIZED,
):
    """Authentication failed; answers 401."""

    exception_type: ClassVar[type[AuthenticationError]]

    message: str = "Authentication failed"
    status: HTTPStatus = _S.UNAUTHORIZED


@attrs.frozen(kw_only=True)
class AuthorizationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_AUTHORIZATION_ERROR",
    category=Category.AUTHORIZATION,
    status=_S.FORBIDDEN,
):
    """The user is not authorized for the action; answers 403."""

    exception_type: ClassVar[type[AuthorizationError]]

    message: str = "Authorization failed"
    status: HTTPStatus = _S.FORBIDDEN


def _rate_limit_message(limit: int | None) -> str:
    return "Rate limit exceeded" if limit is None else f"Rate limit exceeded: {limit} requests"


@attrs.frozen(kw_only=True)
class RateLimitFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_RATE_LIMIT",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
):
    """The client exceeded the rate limit (``limit`` requests); answers 429, retry later."""

    exception_type: ClassVar[type[RateLimitError]]

    status: HTTPStatus = _S.TOO_MANY_REQUESTS
    limit: int | None = None
    message: str = derived_message(lambda f: _rate_limit_message(f.limit))


@attrs.frozen(kw_only=True)
class SessionNotFoundFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SESSION_NOT_FOUND",
    category=Category.NOT_FOUND,
    status=_S.NOT_FOUND,
):
    """The session does not exist; answers 404."""

    exception_type: ClassVar[type[SessionNotFoundError]]

    status: HTTPStatus = _S.NOT_FOUND
    session_id: str
    message: str = derived_message(lambda f: f"Session not found: {f.session_id}")


@attrs.frozen(kw_only=True)
class SessionAlreadyRunningFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SESSION_ALREADY_RUNNING",
    category=Category.CONFLICT,
    status=_S.CONFLICT,
):
    """The session is already running; answers 409, a person must resolve it."""

    exception_type: ClassVar[type[SessionAlreadyRunningError]]

    status: HTTPStatus = _S.CONFLICT
    session_id: str
    message: str = derived_message(lambda f: f"Session already running: {f.session_id}")


@attrs.frozen(kw_only=True)
class MaxConnectionsFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_MAX_CONNECTIONS",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
    fatal=True,
):
    """The server is at ``max_connections``; answers 429, closes the connection, retry later."""

    exception_type: ClassVar[type[MaxConnectionsError]]

    status: HTTPStatus = _S.TOO_MANY_REQUESTS
    current: int
    max_connections: int
    message: str = derived_message(
        lambda f: f"Maximum connections exceeded: {f.current}/{f.max_connections}"
    )


@attrs.frozen(kw_only=True)
class MaxSessionsFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_MAX_SESSIONS",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
):
    """The server is at ``max_sessions``; answers 429, retry later."""

    exception_type: ClassVar[type[MaxSessionsError]]

    status: HTTPStatus = _S.TOO_MANY_REQUESTS
    current: int
    max_sessions: int
    message: str = derived_message(
        lambda f: f"Maximum sessions exceeded: {f.current}/{f.max_sessions}"
    )


@attrs.frozen(kw_only=True)
class ServerFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SERVER_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """A generic server error; answers 500."""

    exception_type: ClassVar[type[ServerException]]

    message: str = "Internal server error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


@attrs.frozen(kw_only=True)
class SessionManagerFailure(
    ServerFailure,
    code="BRIDGE_SESSION_MANAGER_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The session manager failed; answers 500."""

    exception_type: ClassVar[type[SessionManagerError]]

    message: str = "Session manager error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


@attrs.frozen(kw_only=True)
class ToolExecutionFailure(
    ServerFailure,
    code="BRIDGE_TOOL_EXECUTION_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """An AI tool's process failed (``error``, ``exit_code``); answers 500."""

    exception_type: ClassVar[type[ToolExecutionError]]

    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR
    tool_name: str
    error: str
    exit_code: int | None = None
    message: str = derived_message(lambda f: f"Tool execution failed: {f.tool_name}")


@attrs.frozen(kw_only=True)
class ConnectionFailure(
    ServerFailure,
    code="BRIDGE_CONNECTION_ERROR",
    category=Category.INFRASTRUCTURE,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A connection to a service failed; answers 503, retry with backoff."""

    exception_type: ClassVar[type[_this.ConnectionError]]

    message: str = "Connection error"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class TimeoutFailure(
    ServerFailure,
    code="BRIDGE_TIMEOUT",
    category=Category.TIMEOUT,
    status=_S.GATEWAY_TIMEOUT,
):
    """``operation`` took longer than ``timeout`` seconds; answers 504, retry with backoff."""

    exception_type: ClassVar[type[_this.TimeoutError]]

    status: HTTPStatus = _S.GATEWAY_TIMEOUT
    operation: str
    timeout: int
    message: str = derived_message(lambda f: f"Timeout during {f.operation}: {f.timeout}s")


@attrs.frozen(kw_only=True)
class ConfigurationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_CONFIGURATION_ERROR",
    category=Category.CONFIGURATION,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The configuration (``config_key``) is invalid; answers 500, a person must fix it."""

    exception_type: ClassVar[type[ConfigurationError]]

    message: str = "Invalid configuration"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR
    config_key: str | None = None


# --- exceptions ---------------------------------------------------------------------


def _frame(failure_class: type[Failure], names: tuple[str, ...]) -> tuple[FrameDetails, ...]:
    optional = frozenset(
        a.name for a in attrs.fields(failure_class) if a.name in names and a.default is None
    )
    keys = {name: _FRAME_KEYS.get(name, name) for name in names if name != "details"}
    return (FrameDetails(keys, optional),)


_BRIDGE = Family(
    base=(Attr("message"), Attr("status", "code", HTTPStatus, int), Attr("retry_after")),
    own=_frame,
)


class ZhinengBridgeException(Exception):
    """Base of every bridge exception: message, HTTP-style ``code`` and ``details``.

    Args:
        message: human-readable error message.
        code: HTTP-style error code (default: the class's ``DEFAULT_CODE``, 500).
        details: extra context, merged into the error frame.
        retry_after: the retry hint in seconds (railguard addition, keyword-only).
    """

    failure = Paired(ZhinengBridgeFailure, family=_BRIDGE)
    __reduce__ = reduce_exception

    DEFAULT_CODE: ClassVar[int] = 500

    def __init__(
        self,
        message: str,
        code: int | None = None,
        details: Mapping[str, Any] | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: int = self.DEFAULT_CODE if code is None else code
        self.details: dict[str, Any] = dict(details or {})
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        """The error frame: ``{"type": "error", "message", "code", **details}``."""
        return {"type": "error", "message": self.message, "code": self.code, **self.details}


class ValidationError(ZhinengBridgeException):
    """A message failed validation (422 Unprocessable Entity)."""

    failure = Paired(ValidationFailure)
    DEFAULT_CODE = 422

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details=details)


class InvalidMessageTypeError(ValidationError):
    """Unknown message type from the client (400)."""

    failure = Paired(InvalidMessageTypeFailure)
    DEFAULT_CODE = 400

    def __init__(self, message_type: str) -> None:
        super().__init__(f"Unknown message type: {message_type}", {"message_type": message_type})


class InvalidToolNameError(ValidationError):
    """Invalid AI tool name (400); the frame lists ``valid_tools``."""

    failure = Paired(InvalidToolNameFailure)
    DEFAULT_CODE = 400

    def __init__(self, tool_name: str, valid_tools: Sequence[str]) -> None:
        super().__init__(
            f"Invalid tool_name: {tool_name}",
            {"tool_name": tool_name, "valid_tools": valid_tools},
        )


class InvalidSessionIdError(ValidationError):
    """Invalid session ID format (400)."""

    failure = Paired(InvalidSessionIdFailure)
    DEFAULT_CODE = 400

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Invalid session_id: {session_id}", {"session_id": session_id})


class InvalidJSONError(ValidationError):
    """Malformed JSON in a message (400)."""

    failure = Paired(InvalidJSONFailure)
    DEFAULT_CODE = 400

    def __init__(self, message: str = "Invalid JSON format") -> None:
        super().__init__(message)


class MissingFieldError(ValidationError):
    """A required field is missing (400); the frame names it as ``field``."""

    failure = Paired(MissingFieldFailure)
    DEFAULT_CODE = 400

    def __init__(self, field_name: str) -> None:
        super().__init__(f"Missing required field: {field_name}", {"field": field_name})


class AuthenticationError(ZhinengBridgeException):
    """Authentication failed (401)."""

    failure = Paired(AuthenticationFailure)
    DEFAULT_CODE = 401

    def __init__(self, message: str = "Authentication failed") -> None:
        super().__init__(message)


class AuthorizationError(ZhinengBridgeException):
    """The user is not authorized for the action (403)."""

    failure = Paired(AuthorizationFailure)
    DEFAULT_CODE = 403

    def __init__(self, message: str = "Authorization failed") -> None:
        super().__init__(message)


class RateLimitError(ZhinengBridgeException):
    """Rate limit exceeded (429); the frame carries ``limit`` when given."""

    failure = Paired(RateLimitFailure)
    DEFAULT_CODE = 429

    def __init__(self, limit: int | None = None) -> None:
        details = {} if limit is None else {"limit": limit}
        super().__init__(_rate_limit_message(limit), details=details)


class SessionNotFoundError(ZhinengBridgeException):
    """The session was not found (404)."""

    failure = Paired(SessionNotFoundFailure)
    DEFAULT_CODE = 404

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Session not found: {session_id}", details={"session_id": session_id})


class SessionAlreadyRunningError(ZhinengBridgeException):
    """Attempt to start an already running session (409)."""

    failure = Paired(SessionAlreadyRunningFailure)
    DEFAULT_CODE = 409

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"Session already running: {session_id}", details={"session_id": session_id}
        )


class MaxConnectionsError(ZhinengBridgeException):
    """Maximum connections exceeded (429)."""

    failure = Paired(MaxConnectionsFailure)
    DEFAULT_CODE = 429

    def __init__(self, current: int, max_connections: int) -> None:
        super().__init__(
            f"Maximum connections exceeded: {current}/{max_connections}",
            details={"current": current, "max_connections": max_connections},
        )


class MaxSessionsError(ZhinengBridgeException):
    """Maximum sessions exceeded (429)."""

    failure = Paired(MaxSessionsFailure)
    DEFAULT_CODE = 429

    def __init__(self, current: int, max_sessions: int) -> None:
        super().__init__(
            f"Maximum sessions exceeded: {current}/{max_sessions}",
            details={"current": current, "max_sessions": max_sessions},
        )


class ServerException(ZhinengBridgeException):
    """A generic server error (500)."""

    failure = Paired(ServerFailure)
    DEFAULT_CODE = 500

    def __init__(
        self, message: str = "Internal server error", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)


class SessionManagerError(ServerException):
    """The session manager failed (500)."""

    failure = Paired(SessionManagerFailure)

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details)


class ToolExecutionError(ServerException):
    """An AI tool's execution failed (500); the frame has ``tool_name``, ``error``, ``exit_code``.

    ``exit_code`` is left out of the frame when it is ``None``.
    """

    failure = Paired(ToolExecutionFailure)

    def __init__(self, tool_name: str, error: str, exit_code: int | None = None) -> None:
        details: dict[str, Any] = {"tool_name": tool_name, "error": error}
        if exit_code is not None:
            details["exit_code"] = exit_code
        super().__init__(f"Tool execution failed: {tool_name}", details)


class ConnectionError(ServerException):
    """A connection error (503 Service Unavailable)."""

    failure = Paired(ConnectionFailure)
    DEFAULT_CODE = 503

    def __init__(
        self, message: str = "Connection error", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details)


class TimeoutError(ServerException):
    """An operation timed out (504 Gateway Timeout)."""

    failure = Paired(TimeoutFailure)
    DEFAULT_CODE = 504

    def __init__(self, operation: str, timeout: int) -> None:
        super().__init__(
            f"Timeout during {operation}: {timeout}s",
            {"operation": operation, "timeout": timeout},
        )


class ConfigurationError(ZhinengBridgeException):
    """Invalid configuration (500); the frame names ``config_key`` when given."""

    failure = Paired(ConfigurationFailure)
    DEFAULT_CODE = 500

    def __init__(self, message: str, config_key: str | None = None) -> None:
        details = {} if config_key is None else {"config_key": config_key}
        super().__init__(message, details=details)


def exception_to_dict(exception: BaseException) -> dict[str, Any]:
    """The error frame for any exception, revealing nothing internal.

    A bridge exception gives its own ``to_dict()``. Any other exception gives
    ``{"type": "error", "message", "code"}`` with the status of its railguard
    failure (500 for an unknown exception) and that status's standard name as
    the message: never the exception's text, traceback or attributes.
    """
    if isinstance(exception, ZhinengBridgeException):
        return exception.to_dict()
    status = Failure.from_exception(exception).status
    message = ERROR_CODE_MAP.get(status) or status.phrase
    return {"type": "error", "message": message, "code": int(status)}
