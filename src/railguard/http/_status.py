"""Failures from a bare HTTP status: the generic table and the kneo document's table."""

from __future__ import annotations

import functools
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
    catalog,
)

from ._wire import status_name

__all__ = ["for_status", "kneo_class_for", "kneo_network_class"]

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


def for_status(
    status: int,
    message: str | None = None,
    *,
    details: Details | None = None,
    retry_after: float | None = None,
) -> Failure:
    """The generic failure for an HTTP status that came without a failure code.

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
    if wire_status < 400:
        wire_status = HTTPStatus.BAD_GATEWAY
    return UnknownFailure(
        code=status_name(status),
        status=wire_status,
        category=category,
        **kwargs,  # type: ignore[arg-type]  # Failure's own fields
    )


# -- the kneo document's table -----------------------------------------------------------
# Names follow DESIGN.md's rule (exception name with Error → Failure); they are constants
# of this module, never taken from input, and resolve only to registered classes.

_KNEO_BY_STATUS: Final = {
    401: "KneoAuthFailure",
    403: "KneoPermissionFailure",
    404: "KneoNotFoundFailure",
    409: "KneoConflictFailure",
    429: "KneoRateLimitedFailure",
}
_KNEO_MODULE: Final = "railguard.families.kneo"


@functools.cache
def _kneo_classes() -> dict[str, type[Failure]]:
    return {cls.__name__: cls for cls in catalog() if cls.__module__ == _KNEO_MODULE}


def kneo_class_for(status: int, *, idempotency_key: str | None) -> type[Failure] | None:
    """The kneo failure class for a status, or ``None`` when the kneo family is absent.

    401/403/404/409/429 by the table, 409 with an idempotency key is the
    mismatch, 5xx is the server error, anything else the family's base.
    """
    classes = _kneo_classes()
    if not classes:
        return None
    if status == 409 and idempotency_key:
        name = "KneoIdempotencyMismatchFailure"
    elif status in _KNEO_BY_STATUS:
        name = _KNEO_BY_STATUS[status]
    elif 500 <= status <= 599:
        name = "KneoServerFailure"
    else:
        name = "KneoFailure"
    return classes.get(name) or classes.get("KneoFailure")


def kneo_network_class() -> type[Failure] | None:
    """The kneo family's transport failure class, when the family is registered."""
    return _kneo_classes().get("KneoNetworkFailure")
