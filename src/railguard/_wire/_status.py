"""Failures from a bare HTTP status: the generic status → category table."""

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
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
)

__all__ = ["for_status", "status_name"]

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


def for_status(
    status: int,
    message: str | None = None,
    *,
    details: Details | None = None,
    retry_after: float | None = None,
) -> Failure:
    """The generic failure for a status that came without a failure code.

    A status that is its category's default (404, 409, 429, 503, ...) gives that
    category's generic failure; any other status gives an `UnknownFailure` whose
    code is the status's name (``METHOD_NOT_ALLOWED``) and which keeps the status.
    """
    category = Category.for_status(status)
    cls = _GENERIC[category]
    kwargs: dict[str, object] = {}
    if message is not None:
        kwargs["message"] = message
    if details:
        kwargs["details"] = details
    if retry_after is not None:
        kwargs["retry_after"] = retry_after
    if category.default_status == status:
        return cls(**kwargs)  # type: ignore[arg-type]  # kwargs are Failure's own fields
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
