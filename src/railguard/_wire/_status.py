"""Failures from a bare HTTP status: the generic status → category table.

Two readings of one table: `for_status` for a status a peer sent without a failure code
(an `UnknownFailure` keeps it when no generic failure has that status), `own_status` for
a status our own service answers without a failure class (a framework's ``HTTPException``:
a `StatusFailure`).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from railguard.core import (
    AuthenticationFailure,
    AuthorizationFailure,
    Category,
    ConflictFailure,
    Details,
    Failure,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    ProtocolFailure,
    RateLimitFailure,
    StatusFailure,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
)

__all__ = ["for_status", "own_status", "status_name"]

_GENERIC: Final[dict[Category, type[Failure]]] = {
    Category.VALIDATION: ValidationFailure,
    Category.AUTHENTICATION: AuthenticationFailure,
    Category.AUTHORIZATION: AuthorizationFailure,
    Category.NOT_FOUND: NotFoundFailure,
    Category.CONFLICT: ConflictFailure,
    Category.RATE_LIMIT: RateLimitFailure,
    Category.TIMEOUT: TimeoutFailure,
    Category.UPSTREAM: UpstreamFailure,
    Category.INFRASTRUCTURE: InfrastructureFailure,
    Category.INTERNAL: InternalFailure,
    Category.PROTOCOL: ProtocolFailure,
}
_STATUS_NAMES: Final = {int(s): s.name for s in HTTPStatus}


def status_name(status: int) -> str:
    """The status's name (``NOT_FOUND``), or ``HTTP_<n>`` for one without a name."""
    name = _STATUS_NAMES.get(status)
    return name if name is not None else f"HTTP_{status}"


def _fields(
    message: str | None, details: Details | None, retry_after: float | None
) -> dict[str, object]:
    """`Failure`'s own fields that were given."""
    kwargs: dict[str, object] = {}
    if message is not None:
        kwargs["message"] = message
    if details:
        kwargs["details"] = details
    if retry_after is not None:
        kwargs["retry_after"] = retry_after
    return kwargs


def for_status(
    status: int,
    message: str | None = None,
    *,
    details: Details | None = None,
    retry_after: float | None = None,
) -> Failure:
    """The generic failure for a status that came from a peer without a failure code.

    A status that is its category's default (404, 409, 429, 503, ...) gives that
    category's generic failure; any other status gives an `UnknownFailure` whose
    code is the status's name (``METHOD_NOT_ALLOWED``) and which keeps the status.
    """
    category = Category.for_status(status)
    kwargs = _fields(message, details, retry_after)
    if category.default_status == status:
        return _GENERIC[category](**kwargs)  # type: ignore[arg-type]  # Failure's own fields
    try:
        wire_status = HTTPStatus(status)
    except ValueError:
        wire_status = HTTPStatus.BAD_GATEWAY
    if wire_status < 400:  # not an error status
        wire_status = HTTPStatus.BAD_GATEWAY
    return UnknownFailure(
        code=status_name(status),
        status=wire_status,
        category=category,
        **kwargs,  # type: ignore[arg-type]  # Failure's own fields
    )


def own_status(
    status: int, message: str | None = None, *, details: Details | None = None
) -> Failure:
    """The failure our own service answers for an error status (400-599) without a class.

    A framework's ``HTTPException`` (routing's 405, a route's ``HTTPException(415)``): a
    status that is its category's default gives that category's generic failure
    (``NotFoundFailure`` for 404), any other a `StatusFailure` named after the status.
    A status `HTTPStatus` does not name (499) has no name to answer with: its category's
    generic failure, at that category's status.

    Raises:
        TypeError: ``status`` is not an error status.
    """
    category = Category.for_status(status)
    if category.default_status == status or status not in _STATUS_NAMES:
        if not 400 <= status <= 599:  # the error statuses
            raise TypeError(f"status={status!r} is not an error status (400-599)")
        kwargs = _fields(message, details, None)
        return _GENERIC[category](**kwargs)  # type: ignore[arg-type]  # Failure's own fields
    return StatusFailure.for_status(status, message, details=details)
