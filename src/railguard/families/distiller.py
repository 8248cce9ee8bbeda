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

from ._pairing import Attr, Family, Paired, PairedFailure, details_attr, reduce_exception

if TYPE_CHECKING:
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


@attrs.frozen(kw_only=True)
class DistillerClientFailure(
    PairedFailure,
    code="distiller.client.error",
    category=Category.INTERNAL,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The Distiller client failed; answers 500. ``code`` and ``status`` vary per instance."""

    exception_type: ClassVar[type[DistillerClientError]]

    message: str = "An error occurred in the distiller client"
    code: str = "distiller.client.error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


@attrs.frozen(kw_only=True)
class AuthenticationFailure(
    DistillerClientFailure,
    code="distiller.client.authentication_error",
    category=Category.AUTHENTICATION,
    status=_S.UNAUTHORIZED,
):
    """The API key is invalid, expired or was rejected; answers 401, do not retry."""

    exception_type: ClassVar[type[AuthenticationError]]

    message: str = "API key validation failed"
    code: str = "distiller.client.authentication_error"
    status: HTTPStatus = _S.UNAUTHORIZED


@attrs.frozen(kw_only=True)
class ProjectCreationFailure(
    DistillerClientFailure,
    code="distiller.client.project_creation_error",
    category=Category.VALIDATION,
    status=_S.BAD_REQUEST,
):
    """Creating a project failed (payload or server-side validation); answers 400."""

    exception_type: ClassVar[type[ProjectCreationError]]

    message: str = "Project creation failed"
    code: str = "distiller.client.project_creation_error"
    status: HTTPStatus = _S.BAD_REQUEST


@attrs.frozen(kw_only=True)
class ProjectDownloadFailure(
    DistillerClientFailure,
    code="distiller.client.project_download_error",
    category=Category.NOT_FOUND,
    status=_S.NOT_FOUND,
):
    """The project (or its version) could not be downloaded; answers 404."""

    exception_type: ClassVar[type[ProjectDownloadError]]

    message: str = "Project download failed"
    code: str = "distiller.client.project_download_error"
    status: HTTPStatus = _S.NOT_FOUND


@attrs.frozen(kw_only=True)
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

    exception_type: ClassVar[type[_this.ConnectionError]]

    message: str = "Connection to the distiller failed"
    code: str = "distiller.client.connection_error"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class UserAlreadyConnectedFailure(
    ConnectionFailure,
    code="distiller.client.user_already_connected",
    category=Category.CONFLICT,
    recovery=Recovery.ESCALATE,
    status=_S.CONFLICT,
):
    """The UUID already has an active session; answers 409 and needs the user to act."""

    exception_type: ClassVar[type[UserAlreadyConnectedError]]

    message: str = "The user is already connected in another session"
    code: str = "distiller.client.user_already_connected"
    status: HTTPStatus = _S.CONFLICT


@attrs.frozen(kw_only=True)
class ConnectionTimeoutFailure(
    ConnectionFailure,
    code="distiller.client.connection_timeout",
    category=Category.TIMEOUT,
    recovery=Recovery.RECONNECT,
    status=_S.GATEWAY_TIMEOUT,
):
    """No heartbeat arrived in time, or the idle session was closed; answers 504, reconnect."""

    exception_type: ClassVar[type[ConnectionTimeoutError]]

    message: str = "The connection timed out"
    code: str = "distiller.client.connection_timeout"
    status: HTTPStatus = _S.GATEWAY_TIMEOUT


@attrs.frozen(kw_only=True)
class ConnectionClosedFailure(
    ConnectionFailure,
    code="distiller.client.connection_closed",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """The connection was closed unexpectedly; answers 503, reconnect and retry."""

    exception_type: ClassVar[type[ConnectionClosedError]]

    message: str = "The connection was closed unexpectedly"
    code: str = "distiller.client.connection_closed"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class WebSocketFailure(
    ConnectionFailure,
    code="distiller.client.websocket_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A WebSocket protocol-level operation failed; answers 503, reconnect and retry."""

    exception_type: ClassVar[type[WebSocketError]]

    message: str = "A WebSocket error occurred"
    code: str = "distiller.client.websocket_error"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class WebSocketSendFailure(
    WebSocketFailure,
    code="distiller.client.websocket_send_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A message could not be sent to the server; answers 503, reconnect and retry."""

    exception_type: ClassVar[type[WebSocketSendError]]

    message: str = "Failed to send a message to the server"
    code: str = "distiller.client.websocket_send_error"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class WebSocketReceiveFailure(
    WebSocketFailure,
    code="distiller.client.websocket_receive_error",
    category=Category.PROTOCOL,
    recovery=Recovery.RECONNECT,
    status=_S.SERVICE_UNAVAILABLE,
):
    """A message could not be received or parsed; answers 503, reconnect and retry."""

    exception_type: ClassVar[type[WebSocketReceiveError]]

    message: str = "Failed to receive a message from the server"
    code: str = "distiller.client.websocket_receive_error"
    status: HTTPStatus = _S.SERVICE_UNAVAILABLE


@attrs.frozen(kw_only=True)
class DatabaseFailure(
    DistillerClientFailure,
    code="distiller.client.database_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """The chat-history database failed; answers 500, retry with backoff."""

    exception_type: ClassVar[type[DatabaseError]]

    message: str = "A database error occurred"
    code: str = "distiller.client.database_error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


@attrs.frozen(kw_only=True)
class HistoryRetrievalFailure(
    DatabaseFailure,
    code="distiller.client.history_retrieval_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """Past chat logs could not be fetched; answers 500, retry with backoff."""

    exception_type: ClassVar[type[HistoryRetrievalError]]

    message: str = "Failed to retrieve the chat history"
    code: str = "distiller.client.history_retrieval_error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


@attrs.frozen(kw_only=True)
class ChatLoggingFailure(
    DatabaseFailure,
    code="distiller.client.chat_logging_error",
    category=Category.INFRASTRUCTURE,
    recovery=Recovery.BACKOFF,
    status=_S.INTERNAL_SERVER_ERROR,
):
    """A conversation turn could not be logged; answers 500, retry with backoff."""

    exception_type: ClassVar[type[ChatLoggingError]]

    message: str = "Failed to log the chat turn"
    code: str = "distiller.client.chat_logging_error"
    status: HTTPStatus = _S.INTERNAL_SERVER_ERROR


# --- exceptions ---------------------------------------------------------------------


_DISTILLER = Family(
    base=(
        Attr("message"),
        Attr("code", "error_code"),
        Attr("status", to_failure=HTTPStatus),
        details_attr("details", "extra"),
        Attr("retry_after"),
    )
)


class DistillerClientError(Exception):
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

    failure = Paired(DistillerClientFailure, family=_DISTILLER)
    __reduce__ = reduce_exception

    DEFAULT_MESSAGE: ClassVar[str] = "An error occurred in the distiller client"
    DEFAULT_CODE: ClassVar[str] = "distiller.client.error"
    DEFAULT_STATUS: ClassVar[HTTPStatus] = _S.INTERNAL_SERVER_ERROR

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
            self.__cause__ = cause


class AuthenticationError(DistillerClientError):
    """The API key is invalid, expired, or fails validation against the server (401)."""

    failure = Paired(AuthenticationFailure)
    DEFAULT_MESSAGE = "API key validation failed"
    DEFAULT_CODE = "distiller.client.authentication_error"
    DEFAULT_STATUS = _S.UNAUTHORIZED


class ProjectCreationError(DistillerClientError):
    """``client.create_project()`` failed (400).

    ``extra`` has ``status_code``, ``error_message`` and ``project``.
    """

    failure = Paired(ProjectCreationFailure)
    DEFAULT_MESSAGE = "Project creation failed"
    DEFAULT_CODE = "distiller.client.project_creation_error"
    DEFAULT_STATUS = _S.BAD_REQUEST


class ProjectDownloadError(DistillerClientError):
    """``client.download_project()`` failed (404); ``extra`` has project and project_version."""

    failure = Paired(ProjectDownloadFailure)
    DEFAULT_MESSAGE = "Project download failed"
    DEFAULT_CODE = "distiller.client.project_download_error"
    DEFAULT_STATUS = _S.NOT_FOUND


class ConnectionError(DistillerClientError):
    """Base of every network and connectivity error (503 Service Unavailable)."""

    failure = Paired(ConnectionFailure)
    DEFAULT_MESSAGE = "Connection to the distiller failed"
    DEFAULT_CODE = "distiller.client.connection_error"
    DEFAULT_STATUS = _S.SERVICE_UNAVAILABLE


class UserAlreadyConnectedError(ConnectionError):
    """The UUID is already active in another session (409); one connection per UUID."""

    failure = Paired(UserAlreadyConnectedFailure)
    DEFAULT_MESSAGE = "The user is already connected in another session"
    DEFAULT_CODE = "distiller.client.user_already_connected"
    DEFAULT_STATUS = _S.CONFLICT


class ConnectionTimeoutError(ConnectionError):
    """No server heartbeat in time, or the idle session was closed (504)."""

    failure = Paired(ConnectionTimeoutFailure)
    DEFAULT_MESSAGE = "The connection timed out"
    DEFAULT_CODE = "distiller.client.connection_timeout"
    DEFAULT_STATUS = _S.GATEWAY_TIMEOUT


class ConnectionClosedError(ConnectionError):
    """The WebSocket closed unexpectedly or forcefully, not by timeout or conflict (503)."""

    failure = Paired(ConnectionClosedFailure)
    DEFAULT_MESSAGE = "The connection was closed unexpectedly"
    DEFAULT_CODE = "distiller.client.connection_closed"


class WebSocketError(ConnectionError):
    """Base of the protocol-level errors (503)."""

    failure = Paired(WebSocketFailure)
    DEFAULT_MESSAGE = "A WebSocket error occurred"
    DEFAULT_CODE = "distiller.client.websocket_error"


class WebSocketSendError(WebSocketError):
    """Failed to send a message to the server (503)."""

    failure = Paired(WebSocketSendFailure)
    DEFAULT_MESSAGE = "Failed to send a message to the server"
    DEFAULT_CODE = "distiller.client.websocket_send_error"


class WebSocketReceiveError(WebSocketError):
    """Failed to receive or parse a message from the server (503)."""

    failure = Paired(WebSocketReceiveFailure)
    DEFAULT_MESSAGE = "Failed to receive a message from the server"
    DEFAULT_CODE = "distiller.client.websocket_receive_error"


class DatabaseError(DistillerClientError):
    """Base of the chat-history database errors (500)."""

    failure = Paired(DatabaseFailure)
    DEFAULT_MESSAGE = "A database error occurred"
    DEFAULT_CODE = "distiller.client.database_error"


class HistoryRetrievalError(DatabaseError):
    """``client.retrieve_history()`` failed (500); ``extra`` has account, project and uuid."""

    failure = Paired(HistoryRetrievalFailure)
    DEFAULT_MESSAGE = "Failed to retrieve the chat history"
    DEFAULT_CODE = "distiller.client.history_retrieval_error"


class ChatLoggingError(DatabaseError):
    """Logging a conversation turn failed (500); ``extra`` has table_name and role."""

    failure = Paired(ChatLoggingFailure)
    DEFAULT_MESSAGE = "Failed to log the chat turn"
    DEFAULT_CODE = "distiller.client.chat_logging_error"
