"""The distiller family (seed 000): statuses, codes, constructor, recovery."""

from __future__ import annotations

import builtins
from http import HTTPStatus

import pytest

from railguard import Category, Failure, Recovery
from railguard.families import distiller
from railguard.families.distiller import (
    AuthenticationError,
    ConnectionClosedError,
    ConnectionError,
    ConnectionTimeoutError,
    DistillerClientError,
    HistoryRetrievalError,
    ProjectCreationError,
    ProjectCreationFailure,
    ProjectDownloadError,
    UserAlreadyConnectedError,
    WebSocketReceiveError,
    WebSocketSendError,
)
from railguard.testing import exceptions_equal

STATUSES = [
    (DistillerClientError, 500, "distiller.client.error"),
    (AuthenticationError, 401, "distiller.client.authentication_error"),
    (ProjectCreationError, 400, "distiller.client.project_creation_error"),
    (ProjectDownloadError, 404, "distiller.client.project_download_error"),
    (ConnectionError, 503, "distiller.client.connection_error"),
    (UserAlreadyConnectedError, 409, "distiller.client.user_already_connected"),
    (ConnectionTimeoutError, 504, "distiller.client.connection_timeout"),
    (ConnectionClosedError, 503, "distiller.client.connection_closed"),
    (WebSocketSendError, 503, "distiller.client.websocket_send_error"),
    (WebSocketReceiveError, 503, "distiller.client.websocket_receive_error"),
    (HistoryRetrievalError, 500, "distiller.client.history_retrieval_error"),
]


@pytest.mark.parametrize(("cls", "status", "code"), STATUSES)
def test_documented_status_and_code(
    cls: type[DistillerClientError], status: int, code: str
) -> None:
    """Each error has its documented status (chosen where undocumented) and a stable code."""
    exc = cls("boom")
    assert (exc.status, exc.error_code, exc.message) == (status, code, "boom")
    assert isinstance(exc.status, HTTPStatus)
    assert (exc.failure.status, exc.failure.code) == (status, code)


def test_connection_error_is_503_service_unavailable() -> None:
    """The document's "503 SERVICE UNAUTHORIZED" is read as 503 Service Unavailable."""
    assert ConnectionError().status is HTTPStatus.SERVICE_UNAVAILABLE


def test_connection_error_is_the_documents_not_the_builtin() -> None:
    """``distiller.ConnectionError`` is a ``DistillerClientError``, not the builtin."""
    assert builtins.ConnectionError not in distiller.ConnectionError.__mro__
    assert issubclass(UserAlreadyConnectedError, DistillerClientError)


def test_keywords_and_extra() -> None:
    """``error_code``, ``status`` and ``extra`` are keywords; ``extra`` becomes details."""
    exc = ProjectCreationError(
        "Creation Failed",
        error_code="custom.code",
        status=HTTPStatus.UNPROCESSABLE_ENTITY,
        extra={"status_code": 422, "error_message": "bad name", "project": "p@@"},
    )
    failure = exc.failure
    assert isinstance(failure, ProjectCreationFailure)
    assert (failure.code, failure.status) == ("custom.code", 422)
    assert failure.details == {"status_code": 422, "error_message": "bad name", "project": "p@@"}
    assert exceptions_equal(exc, failure.to_exception())
    with pytest.raises(TypeError):
        ProjectCreationError("m", "custom.code")  # type: ignore[call-arg]


def test_integer_status_is_accepted() -> None:
    """A plain int status converts to ``HTTPStatus`` on the failure and compares equal back."""
    exc = DistillerClientError("m", status=418)  # type: ignore[arg-type]
    assert exc.failure.status is HTTPStatus.IM_A_TEAPOT
    assert exceptions_equal(exc, exc.failure.to_exception())


def test_cause_keyword_sets_dunder_cause() -> None:
    """``cause=`` becomes ``__cause__`` and the failure's ``cause``."""
    exc = ConnectionClosedError("closed", cause=builtins.TimeoutError("ping"))
    assert isinstance(exc.__cause__, builtins.TimeoutError)
    assert exc.failure.cause is not None
    assert exc.failure.cause.category is Category.TIMEOUT


@pytest.mark.parametrize(
    ("cls", "recovery"),
    [
        (UserAlreadyConnectedError, Recovery.ESCALATE),
        (ConnectionTimeoutError, Recovery.RECONNECT),
        (ConnectionError, Recovery.RECONNECT),
        (ConnectionClosedError, Recovery.RECONNECT),
        (WebSocketSendError, Recovery.RECONNECT),
        (HistoryRetrievalError, Recovery.BACKOFF),
        (AuthenticationError, Recovery.DONT_RETRY),
        (ProjectDownloadError, Recovery.DONT_RETRY),
    ],
)
def test_recovery_follows_the_document(cls: type[DistillerClientError], recovery: Recovery) -> None:
    """A conflict needs the user (escalate); timeouts and connection errors reconnect."""
    assert cls().failure.recovery is recovery


def test_retry_hint_survives_the_exception() -> None:
    """A failure's ``retry_after`` travels as the exception's ``retry_after`` attribute."""
    failure = ConnectionTimeoutError(retry_after=2.0).failure
    assert failure.retry.after == 2.0
    assert failure.to_exception().retry_after == 2.0


def test_non_json_extra_is_kept_as_text() -> None:
    """Values JSON cannot carry in ``extra`` convert to text instead of failing."""
    failure = Failure.from_exception(DistillerClientError("m", extra={"when": object}))
    assert failure.details["when"] == str(object)
