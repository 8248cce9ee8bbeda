"""The AI Refinery Distiller client errors (seed 000), as failures and as the document's exceptions.

Exported by the SDK from ``air.distiller.exceptions``::

    DistillerClientError
    ├── AuthenticationError
    ├── ProjectCreationError
    ├── ProjectDownloadError
    ├── ConnectionError
    │   ├── UserAlreadyConnectedError
    │   ├── ConnectionTimeoutError
    │   ├── ConnectionClosedError
    │   └── WebSocketError
    │       ├── WebSocketSendError
    │       └── WebSocketReceiveError
    └── DatabaseError
        ├── HistoryRetrievalError
        └── ChatLoggingError

Every exception takes ``message`` positionally and ``error_code``, ``status``,
``extra`` (and ``cause``) as keywords, defaulting to its class's
``DEFAULT_MESSAGE``, ``DEFAULT_CODE`` and ``DEFAULT_STATUS``. Its failure keeps
``error_code`` as ``code``, ``status`` as ``status`` and ``extra`` as
``details``. ``retry_after`` (seconds, keyword-only) is a railguard addition so
that a failure's retry hint survives the exception.

``ConnectionError`` here is the document's class, not the builtin.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from railguard.core import Category, Recovery

from ._pairing import (
    Attr,
    Family,
    PairedException,
    PairedFailure,
    class_default,
    details_attr,
    keyword_defaults,
)

if TYPE_CHECKING:
    from typing_extensions import override

    # the module's ConnectionError, not the builtin, in annotations above its definition
    from railguard.families import distiller as _this  # noqa: PLW0406  # typing only
else:
    _this = sys.modules[__name__]  # resolves the annotations at runtime (get_type_hints)

__all__ = [
    "AuthenticationError",
    "AuthenticationFailure",
    "ChatLoggingError",
    "ChatLoggingFailure",
    "ConnectionClosedError",
    "ConnectionClosedFailure",
    "ConnectionError",
    "ConnectionFailure",
    "ConnectionTimeoutError",
    "ConnectionTimeoutFailure",
    "DatabaseError",
    "DatabaseFailure",
    "DistillerClientError",
    "DistillerClientFailure",
    "HistoryRetrievalError",
    "HistoryRetrievalFailure",
    "ProjectCreationError",
    "ProjectCreationFailure",
    "ProjectDownloadError",
    "ProjectDownloadFailure",
    "UserAlreadyConnectedError",
    "UserAlreadyConnectedFailure",
    "WebSocketError",
    "WebSocketFailure",
    "WebSocketReceiveError",
    "WebSocketReceiveFailure",
    "WebSocketSendError",
    "WebSocketSendFailure",
]

_S = HTTPStatus

# --- failures -----------------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class DistillerClientFailure(
    PairedFailure,
    code="distiller.client.error",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The Distiller client failed; answers 500. ``code`` and ``status`` vary per instance."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> DistillerClientError: ...

    message: str = "An error occurred in the distiller client"
    # varies per instance, so a field over Failure's per-class property
    code: str = class_default()  # pyright: ignore[reportIncompatibleMethodOverride]
    status: HTTPStatus = class_default()  # noqa: RUF009  # pyright: ignore[reportIncompatibleMethodOverride]


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AuthenticationFailure(
    DistillerClientFailure,
    code="distiller.client.authentication_error",
    category=Category.AUTHENTICATION,
    status=_S.UNAUTHORIZED,
):
    """The API key is invalid, expired or was rejected; answers 401, do not retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AuthenticationError: ...

    message: str = "API key validation failed"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ProjectCreationFailure(
    DistillerClientFailure,
    code="distiller.client.project_creation_error",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """Creating a project failed (payload or server-side validation); answers 400."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ProjectCreationError: ...

    message: str = "Project creation failed"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ProjectDownloadFailure(
    DistillerClientFailure,
    code="distiller.client.project_download_error",
    category=Category.NOT_FOUND,
    status=_S.NOT_FOUND,
):
    """The project (or its version) could not be downloaded; answers 404."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ProjectDownloadError: ...

    message: str = "Project download failed"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ConnectionFailure(
    DistillerClientFailure,
    code="distiller.client.connection_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
    fatal=True,
):
    """The WebSocket connection to the Distiller failed; answers 503, reconnect and retry.

    Fatal at message level (as every subclass): the connection itself is gone or refused.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> _this.ConnectionError: ...

    message: str = "Connection to the distiller failed"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class UserAlreadyConnectedFailure(
    ConnectionFailure,
    code="distiller.client.user_already_connected",
    category=Category.CONFLICT,
    recovery=Recovery.ESCALATE,
    status=_S.CONFLICT,
):
    """The UUID already has an active session; answers 409 and needs the user to act."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> UserAlreadyConnectedError: ...

    message: str = "The user is already connected in another session"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ConnectionTimeoutFailure(
    ConnectionFailure,
    code="distiller.client.connection_timeout",
    category=Category.TIMEOUT,
    recovery=Recovery.RECONNECT,
    status=_S.GATEWAY_TIMEOUT,
):
    """No heartbeat arrived in time, or the idle session was closed; answers 504, reconnect."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ConnectionTimeoutError: ...

    message: str = "The connection timed out"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ConnectionClosedFailure(
    ConnectionFailure,
    code="distiller.client.connection_closed",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """The connection was closed unexpectedly; answers 503, reconnect and retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ConnectionClosedError: ...

    message: str = "The connection was closed unexpectedly"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class WebSocketFailure(
    ConnectionFailure,
    code="distiller.client.websocket_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A WebSocket protocol-level operation failed; answers 503, reconnect and retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> WebSocketError: ...

    message: str = "A WebSocket error occurred"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class WebSocketSendFailure(
    WebSocketFailure,
    code="distiller.client.websocket_send_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A message could not be sent to the server; answers 503, reconnect and retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> WebSocketSendError: ...

    message: str = "Failed to send a message to the server"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class WebSocketReceiveFailure(
    WebSocketFailure,
    code="distiller.client.websocket_receive_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A message could not be received or parsed; answers 503, reconnect and retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> WebSocketReceiveError: ...

    message: str = "Failed to receive a message from the server"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class DatabaseFailure(
    DistillerClientFailure,
    code="distiller.client.database_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The chat-history database failed; answers 500, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> DatabaseError: ...

    message: str = "A database error occurred"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class HistoryRetrievalFailure(
    DatabaseFailure,
    code="distiller.client.history_retrieval_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """Past chat logs could not be fetched; answers 500, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> HistoryRetrievalError: ...

    message: str = "Failed to retrieve the chat history"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ChatLoggingFailure(
    DatabaseFailure,
    code="distiller.client.chat_logging_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """A conversation turn could not be logged; answers 500, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ChatLoggingError: ...

    message: str = "Failed to log the chat turn"


# --- exceptions ---------------------------------------------------------------------


_DISTILLER = Family(
    base=(
        Attr("message"),
        Attr("code", "error_code"),
        Attr("status", to_failure=HTTPStatus),
        details_attr("details", "extra"),
        Attr("retry_after"),
    ),
    constants={"DEFAULT_MESSAGE": "message", "DEFAULT_CODE": "code", "DEFAULT_STATUS": "status"},
)


class DistillerClientError(PairedException, failure=DistillerClientFailure, family=_DISTILLER):
    """Base of every Distiller client error; catch it to handle them all.

    Args:
        message: human-readable description (default: the class's ``DEFAULT_MESSAGE``).
        error_code: unique string code (default: ``DEFAULT_CODE``, e.g.
            ``distiller.client.error``).
        status: associated HTTP status (default: ``DEFAULT_STATUS``).
        extra: context-specific debugging information.
        cause: the exception that led to this one (becomes ``__cause__``).
        retry_after: the server's retry hint in seconds (railguard addition).
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> DistillerClientFailure: ...

    DEFAULT_MESSAGE: ClassVar[str]
    DEFAULT_CODE: ClassVar[str]
    DEFAULT_STATUS: ClassVar[HTTPStatus]

    def __init__(
        self,
        message: str | None = None,
        *,
        error_code: str | None = None,
        status: HTTPStatus | None = None,
        extra: Mapping[str, Any] | None = None,
        cause: BaseException | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message: str = message or self.DEFAULT_MESSAGE
        self.error_code: str = error_code or self.DEFAULT_CODE
        self.status: HTTPStatus = status or self.DEFAULT_STATUS
        self.extra: dict[str, Any] = dict(extra or {})
        self.retry_after: float | None = retry_after
        super().__init__(self.message)
        if cause is not None:
            self.__cause__: BaseException | None = cause


class AuthenticationError(DistillerClientError, failure=AuthenticationFailure):
    """The API key is invalid, expired, or fails validation against the server (401)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AuthenticationFailure: ...


class ProjectCreationError(DistillerClientError, failure=ProjectCreationFailure):
    """``client.create_project()`` failed (400).

    ``extra`` has ``status_code``, ``error_message`` and ``project``.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ProjectCreationFailure: ...


class ProjectDownloadError(DistillerClientError, failure=ProjectDownloadFailure):
    """``client.download_project()`` failed (404); ``extra`` has project and project_version."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ProjectDownloadFailure: ...


class ConnectionError(DistillerClientError, failure=ConnectionFailure):
    """Base of every network and connectivity error (503 Service Unavailable)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ConnectionFailure: ...


class UserAlreadyConnectedError(ConnectionError, failure=UserAlreadyConnectedFailure):
    """The UUID is already active in another session (409); one connection per UUID."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> UserAlreadyConnectedFailure: ...


class ConnectionTimeoutError(ConnectionError, failure=ConnectionTimeoutFailure):
    """No server heartbeat in time, or the idle session was closed (504)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ConnectionTimeoutFailure: ...


class ConnectionClosedError(ConnectionError, failure=ConnectionClosedFailure):
    """The WebSocket closed unexpectedly or forcefully, not by timeout or conflict (503)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ConnectionClosedFailure: ...


class WebSocketError(ConnectionError, failure=WebSocketFailure):
    """Base of the protocol-level errors (503)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> WebSocketFailure: ...


class WebSocketSendError(WebSocketError, failure=WebSocketSendFailure):
    """Failed to send a message to the server (503)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> WebSocketSendFailure: ...


class WebSocketReceiveError(WebSocketError, failure=WebSocketReceiveFailure):
    """Failed to receive or parse a message from the server (503)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> WebSocketReceiveFailure: ...


class DatabaseError(DistillerClientError, failure=DatabaseFailure):
    """Base of the chat-history database errors (500)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> DatabaseFailure: ...


class HistoryRetrievalError(DatabaseError, failure=HistoryRetrievalFailure):
    """``client.retrieve_history()`` failed (500); ``extra`` has account, project and uuid."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> HistoryRetrievalFailure: ...


class ChatLoggingError(DatabaseError, failure=ChatLoggingFailure):
    """Logging a conversation turn failed (500); ``extra`` has table_name and role."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ChatLoggingFailure: ...
