"""Generic failures for users' own services: one per `Category`, plus the decoding failures.

The category failures differ only in their default ``message``: each is a plain
slotted subclass of `Failure` carrying `Failure`'s attrs fields with its own
``message`` default (`_with_message`). Each is still an attrs class in every way
that is read (``attrs.fields``, ``evolve``, ``has``), registered and constructed
like any other, at a fraction of the import time attrs needs to build it.
Equality still requires the same class.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import attrs

from ._failure import Failure
from ._semantics import Category

__all__ = [
    "AuthenticationFailure",
    "AuthorizationFailure",
    "CodeFailure",
    "ConfigurationFailure",
    "ConflictFailure",
    "InfrastructureFailure",
    "InternalFailure",
    "MalformedFailure",
    "NotFoundFailure",
    "ProtocolFailure",
    "RateLimitFailure",
    "TimeoutFailure",
    "UnknownFailure",
    "UpstreamFailure",
    "ValidationFailure",
    "WorkflowFailure",
]


_BASE_FIELDS = Failure.__attrs_attrs__
_INHERITED = {field.name: field.evolve(inherited=True) for field in _BASE_FIELDS}


def _with_message(message: str) -> Any:
    """`Failure`'s attrs fields, ``message`` redeclared with ``message`` as its default.

    Set as ``__attrs_attrs__`` in the body of a plain ``__slots__ = ()`` subclass of
    `Failure`, it makes that class the attrs class ``@attrs.frozen`` would build for a
    ``message: str = ...`` redeclaration (in `Failure`'s field order), without attrs
    generating its methods again: `Failure`'s ``__eq__``, ``__hash__``, ``__repr__``
    and pickling state cover the same fields.
    """
    return type(_BASE_FIELDS)(
        field.evolve(default=message) if field.name == "message" else _INHERITED[field.name]
        for field in _BASE_FIELDS
    )


class InfrastructureFailure(Failure, code="INFRASTRUCTURE", category=Category.INFRASTRUCTURE):
    """A dependency (network, container, service) is unreachable; retry with backoff."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("A required service is unavailable.")


class CodeFailure(Failure, code="CODE_RELATED", category=Category.CODE_RELATED):
    """The supplied or generated code is at fault; regenerate it and retry."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The code failed.")


class WorkflowFailure(Failure, code="WORKFLOW", category=Category.WORKFLOW):
    """A workflow limit or approval step stopped the operation; a person must act."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The workflow could not continue.")


class ConfigurationFailure(Failure, code="CONFIGURATION", category=Category.CONFIGURATION):
    """A setting is invalid or missing; fix the deployment."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The service is misconfigured.")


class ValidationFailure(Failure, code="VALIDATION", category=Category.VALIDATION):
    """The input is invalid; retrying the same input cannot succeed."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The input is invalid.")


class AuthenticationFailure(Failure, code="AUTHENTICATION", category=Category.AUTHENTICATION):
    """The caller is not authenticated; supply valid credentials."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("Authentication is required.")


class AuthorizationFailure(Failure, code="AUTHORIZATION", category=Category.AUTHORIZATION):
    """The caller is authenticated but not allowed to do this."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("Permission denied.")


class NotFoundFailure(Failure, code="NOT_FOUND", category=Category.NOT_FOUND):
    """The requested resource does not exist."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("Not found.")


class ConflictFailure(Failure, code="CONFLICT", category=Category.CONFLICT):
    """The resource's state conflicts with the request; a person must resolve it."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The request conflicts with the current state.")


class RateLimitFailure(Failure, code="RATE_LIMIT", category=Category.RATE_LIMIT):
    """Too many requests; retry after ``retry_after`` seconds when given."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("Too many requests.")


class TimeoutFailure(Failure, code="TIMEOUT", category=Category.TIMEOUT):
    """The operation took too long; retry with backoff."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The operation timed out.")


class UpstreamFailure(Failure, code="UPSTREAM", category=Category.UPSTREAM):
    """An upstream service answered with an error; retry with backoff."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("An upstream service failed.")


class ProtocolFailure(Failure, code="PROTOCOL", category=Category.PROTOCOL):
    """A peer broke the wire protocol."""

    __slots__ = ()
    __attrs_attrs__ = _with_message("The peer broke the protocol.")


@attrs.frozen(kw_only=True)
class InternalFailure(Failure, code="INTERNAL", category=Category.INTERNAL):
    """An unexpected error; the public message reveals nothing of it.

    ``exception`` keeps the original exception for logs and becomes the
    ``__cause__`` of `to_exception`; it is not compared, shown or pickled.
    """

    message: str = "An internal error occurred."
    exception: BaseException | None = attrs.field(default=None, eq=False, repr=False)

    def __getstate__(self) -> dict[str, object]:
        state = {a.name: getattr(self, a.name) for a in attrs.fields(type(self))}
        state["exception"] = None
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def __copy__(self) -> InternalFailure:
        # immutable: a copy is the value itself, and keeps ``exception`` (which
        # copy's pickle protocol would drop)
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> InternalFailure:
        return self

    def to_exception(self) -> Exception:
        """Return the carrying exception; the original exception is its ``__cause__``."""
        exc = super().to_exception()
        if self.exception is not None and exc.__cause__ is None:
            exc.__cause__ = self.exception
        return exc


@attrs.frozen(kw_only=True)
class UnknownFailure(Failure, code="UNKNOWN"):
    """A peer sent a failure whose code is not in the catalog; code and body are kept."""

    message: str = "The peer reported an unknown failure."
    code: str = "UNKNOWN"
    status: HTTPStatus = HTTPStatus.INTERNAL_SERVER_ERROR
    category: Category = Category.INTERNAL
    raw: str | None = None


@attrs.frozen(kw_only=True)
class MalformedFailure(Failure, code="MALFORMED", category=Category.PROTOCOL, status=502):
    """A peer's response or frame could not be parsed; ``raw`` keeps a capped excerpt."""

    message: str = "The peer sent a malformed message."
    raw: str | None = None
