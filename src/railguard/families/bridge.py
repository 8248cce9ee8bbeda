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
    PairedException,
    PairedFailure,
    class_default,
    derived_message,
    frozen_tuple,
    keyword_defaults,
)

if TYPE_CHECKING:
    from typing_extensions import override

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


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ZhinengBridgeFailure(
    PairedFailure, code="BRIDGE_ERROR", category=Category.INTERNAL, status=_S.INTERNAL_SERVER_ERROR
):
    """The bridge failed; answers with ``status`` (500 unless given).

    A subclass's typed fields share the frame with ``details``, so ``details``
    may not use their keys (`ValueError`).
    """

    wire_keys: ClassVar[Mapping[str, str]] = _FRAME_KEYS
    """Typed fields whose member on every wire is not their name (``field_name`` → ``field``)."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ZhinengBridgeException: ...

    message: str = "Internal server error"
    # varies per instance, so a field over Failure's per-class property
    status: HTTPStatus = class_default()  # noqa: RUF009  # pyright: ignore[reportIncompatibleMethodOverride]

    def __attrs_post_init__(self) -> None:
        keys = _typed_keys(type(self))
        if keys and not keys.isdisjoint(self.details):
            taken = sorted(keys.intersection(self.details))
            raise ValueError(f"details keys {taken} are typed fields of {type(self).__name__}")


_BRIDGE_FIELDS = frozenset(attrs.fields_dict(ZhinengBridgeFailure))


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ValidationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_VALIDATION_ERROR",
    category=Category.VALIDATION,
    status=_S.UNPROCESSABLE_ENTITY,
):
    """A client message failed validation; answers 422, the same message fails again."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ValidationError: ...

    message: str = "Validation error"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class InvalidMessageTypeFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_MESSAGE_TYPE",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The client sent an unknown message type; answers 400."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> InvalidMessageTypeError: ...

    message_type: str
    message: str = derived_message(lambda f: f"Unknown message type: {f.message_type}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class InvalidToolNameFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_TOOL_NAME",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The AI tool name is not one of ``valid_tools``; answers 400."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> InvalidToolNameError: ...

    tool_name: str
    valid_tools: tuple[str, ...] = attrs.field(converter=frozen_tuple)
    message: str = derived_message(lambda f: f"Invalid tool_name: {f.tool_name}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class InvalidSessionIdFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_SESSION_ID",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """The session ID is malformed; answers 400."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> InvalidSessionIdError: ...

    session_id: str
    message: str = derived_message(lambda f: f"Invalid session_id: {f.session_id}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class InvalidJSONFailure(
    ValidationFailure,
    code="BRIDGE_INVALID_JSON",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """A client message is not valid JSON; answers 400."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> InvalidJSONError: ...

    message: str = "Invalid JSON format"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class MissingFieldFailure(
    ValidationFailure,
    code="BRIDGE_MISSING_FIELD",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """A required field is missing from a client message; answers 400 (frame key ``field``)."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> MissingFieldError: ...

    field_name: str
    message: str = derived_message(lambda f: f"Missing required field: {f.field_name}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AuthenticationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_AUTHENTICATION_ERROR",
    category=Category.AUTHENTICATION,
    status=_S.UNAUTHORIZED,
):
    """Authentication failed; answers 401."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AuthenticationError: ...

    message: str = "Authentication failed"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AuthorizationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_AUTHORIZATION_ERROR",
    category=Category.AUTHORIZATION,
    status=_S.FORBIDDEN,
):
    """The user is not authorized for the action; answers 403."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AuthorizationError: ...

    message: str = "Authorization failed"


def _rate_limit_message(limit: int | None) -> str:
    return "Rate limit exceeded" if limit is None else f"Rate limit exceeded: {limit} requests"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class RateLimitFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_RATE_LIMIT",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
):
    """The client exceeded the rate limit (``limit`` requests); answers 429, retry later."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> RateLimitError: ...

    limit: int | None = None
    message: str = derived_message(lambda f: _rate_limit_message(f.limit))


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class SessionNotFoundFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SESSION_NOT_FOUND",
    category=Category.NOT_FOUND,
    status=_S.NOT_FOUND,
):
    """The session does not exist; answers 404."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> SessionNotFoundError: ...

    session_id: str
    message: str = derived_message(lambda f: f"Session not found: {f.session_id}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class SessionAlreadyRunningFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SESSION_ALREADY_RUNNING",
    category=Category.CONFLICT,
    status=_S.CONFLICT,
):
    """The session is already running; answers 409, a person must resolve it."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> SessionAlreadyRunningError: ...

    session_id: str
    message: str = derived_message(lambda f: f"Session already running: {f.session_id}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class MaxConnectionsFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_MAX_CONNECTIONS",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
    fatal=True,
):
    """The server is at ``max_connections``; answers 429, closes the connection, retry later."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> MaxConnectionsError: ...

    current: int
    max_connections: int
    message: str = derived_message(
        lambda f: f"Maximum connections exceeded: {f.current}/{f.max_connections}"
    )


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class MaxSessionsFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_MAX_SESSIONS",
    category=Category.RATE_LIMIT,
    status=_S.TOO_MANY_REQUESTS,
):
    """The server is at ``max_sessions``; answers 429, retry later."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> MaxSessionsError: ...

    current: int
    max_sessions: int
    message: str = derived_message(
        lambda f: f"Maximum sessions exceeded: {f.current}/{f.max_sessions}"
    )


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ServerFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_SERVER_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """A generic server error; answers 500."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ServerException: ...

    message: str = "Internal server error"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class SessionManagerFailure(
    ServerFailure,
    code="BRIDGE_SESSION_MANAGER_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The session manager failed; answers 500."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> SessionManagerError: ...

    message: str = "Session manager error"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ToolExecutionFailure(
    ServerFailure,
    code="BRIDGE_TOOL_EXECUTION_ERROR",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """An AI tool's process failed (``error``, ``exit_code``); answers 500."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ToolExecutionError: ...

    tool_name: str
    error: str
    exit_code: int | None = None
    message: str = derived_message(lambda f: f"Tool execution failed: {f.tool_name}")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ConnectionFailure(
    ServerFailure,
    code="BRIDGE_CONNECTION_ERROR",
    category=Category.INFRASTRUCTURE,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A connection to a service failed; answers 503, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> _this.ConnectionError: ...

    message: str = "Connection error"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class TimeoutFailure(
    ServerFailure,
    code="BRIDGE_TIMEOUT",
    category=Category.TIMEOUT,
    status=_S.GATEWAY_TIMEOUT,
):
    """``operation`` took longer than ``timeout`` seconds; answers 504, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> _this.TimeoutError: ...

    operation: str
    timeout: int
    message: str = derived_message(lambda f: f"Timeout during {f.operation}: {f.timeout}s")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ConfigurationFailure(
    ZhinengBridgeFailure,
    code="BRIDGE_CONFIGURATION_ERROR",
    category=Category.CONFIGURATION,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The configuration (``config_key``) is invalid; answers 500, a person must fix it."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ConfigurationError: ...

    message: str = "Invalid configuration"
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
    constants={"DEFAULT_CODE": "status"},
)


class ZhinengBridgeException(PairedException, failure=ZhinengBridgeFailure, family=_BRIDGE):
    """Base of every bridge exception: message, HTTP-style ``code`` and ``details``.

    Args:
        message: human-readable error message.
        code: HTTP-style error code (default: the class's ``DEFAULT_CODE``, 500).
        details: extra context, merged into the error frame.
        retry_after: the retry hint in seconds (railguard addition, keyword-only).
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ZhinengBridgeFailure: ...

    DEFAULT_CODE: ClassVar[int]

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


class ValidationError(ZhinengBridgeException, failure=ValidationFailure):
    """A message failed validation (422 Unprocessable Entity)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ValidationFailure: ...

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details=details)


class InvalidMessageTypeError(ValidationError, failure=InvalidMessageTypeFailure):
    """Unknown message type from the client (400)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> InvalidMessageTypeFailure: ...

    def __init__(self, message_type: str) -> None:
        super().__init__(f"Unknown message type: {message_type}", {"message_type": message_type})


class InvalidToolNameError(ValidationError, failure=InvalidToolNameFailure):
    """Invalid AI tool name (400); the frame lists ``valid_tools``."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> InvalidToolNameFailure: ...

    def __init__(self, tool_name: str, valid_tools: Sequence[str]) -> None:
        super().__init__(
            f"Invalid tool_name: {tool_name}",
            {"tool_name": tool_name, "valid_tools": valid_tools},
        )


class InvalidSessionIdError(ValidationError, failure=InvalidSessionIdFailure):
    """Invalid session ID format (400)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> InvalidSessionIdFailure: ...

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Invalid session_id: {session_id}", {"session_id": session_id})


class InvalidJSONError(ValidationError, failure=InvalidJSONFailure):
    """Malformed JSON in a message (400)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> InvalidJSONFailure: ...

    def __init__(self, message: str = "Invalid JSON format") -> None:
        super().__init__(message)


class MissingFieldError(ValidationError, failure=MissingFieldFailure):
    """A required field is missing (400); the frame names it as ``field``."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> MissingFieldFailure: ...

    def __init__(self, field_name: str) -> None:
        super().__init__(f"Missing required field: {field_name}", {"field": field_name})


class AuthenticationError(ZhinengBridgeException, failure=AuthenticationFailure):
    """Authentication failed (401)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AuthenticationFailure: ...

    def __init__(self, message: str = "Authentication failed") -> None:
        super().__init__(message)


class AuthorizationError(ZhinengBridgeException, failure=AuthorizationFailure):
    """The user is not authorized for the action (403)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AuthorizationFailure: ...

    def __init__(self, message: str = "Authorization failed") -> None:
        super().__init__(message)


class RateLimitError(ZhinengBridgeException, failure=RateLimitFailure):
    """Rate limit exceeded (429); the frame carries ``limit`` when given."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> RateLimitFailure: ...

    def __init__(self, limit: int | None = None) -> None:
        details = {} if limit is None else {"limit": limit}
        super().__init__(_rate_limit_message(limit), details=details)


class SessionNotFoundError(ZhinengBridgeException, failure=SessionNotFoundFailure):
    """The session was not found (404)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> SessionNotFoundFailure: ...

    def __init__(self, session_id: str) -> None:
        super().__init__(f"Session not found: {session_id}", details={"session_id": session_id})


class SessionAlreadyRunningError(ZhinengBridgeException, failure=SessionAlreadyRunningFailure):
    """Attempt to start an already running session (409)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> SessionAlreadyRunningFailure: ...

    def __init__(self, session_id: str) -> None:
        super().__init__(
            f"Session already running: {session_id}", details={"session_id": session_id}
        )


class MaxConnectionsError(ZhinengBridgeException, failure=MaxConnectionsFailure):
    """Maximum connections exceeded (429)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> MaxConnectionsFailure: ...

    def __init__(self, current: int, max_connections: int) -> None:
        super().__init__(
            f"Maximum connections exceeded: {current}/{max_connections}",
            details={"current": current, "max_connections": max_connections},
        )


class MaxSessionsError(ZhinengBridgeException, failure=MaxSessionsFailure):
    """Maximum sessions exceeded (429)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> MaxSessionsFailure: ...

    def __init__(self, current: int, max_sessions: int) -> None:
        super().__init__(
            f"Maximum sessions exceeded: {current}/{max_sessions}",
            details={"current": current, "max_sessions": max_sessions},
        )


class ServerException(ZhinengBridgeException, failure=ServerFailure):
    """A generic server error (500)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ServerFailure: ...

    def __init__(
        self, message: str = "Internal server error", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details=details)


class SessionManagerError(ServerException, failure=SessionManagerFailure):
    """The session manager failed (500)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> SessionManagerFailure: ...

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__(message, details)


class ToolExecutionError(ServerException, failure=ToolExecutionFailure):
    """An AI tool's execution failed (500); the frame has ``tool_name``, ``error``, ``exit_code``.

    ``exit_code`` is left out of the frame when it is ``None``.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ToolExecutionFailure: ...

    def __init__(self, tool_name: str, error: str, exit_code: int | None = None) -> None:
        details: dict[str, Any] = {"tool_name": tool_name, "error": error}
        if exit_code is not None:
            details["exit_code"] = exit_code
        super().__init__(f"Tool execution failed: {tool_name}", details)


class ConnectionError(ServerException, failure=ConnectionFailure):
    """A connection error (503 Service Unavailable)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ConnectionFailure: ...

    def __init__(
        self, message: str = "Connection error", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message, details)


class TimeoutError(ServerException, failure=TimeoutFailure):
    """An operation timed out (504 Gateway Timeout)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> TimeoutFailure: ...

    def __init__(self, operation: str, timeout: int) -> None:
        super().__init__(
            f"Timeout during {operation}: {timeout}s",
            {"operation": operation, "timeout": timeout},
        )


class ConfigurationError(ZhinengBridgeException, failure=ConfigurationFailure):
    """Invalid configuration (500); the frame names ``config_key`` when given."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ConfigurationFailure: ...

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
