"""Generic failures for users' own services: one per `Category`, plus the decoding failures.

The category failures differ from `Failure` only in their default ``message``.
Type checkers see each as ``@attrs.frozen(kw_only=True)``; at run time
`_as_category_failure` builds the same class without attrs generating its methods
again: a slotted subclass carrying `Failure`'s attrs fields with its own
``message`` default, an attrs class in every way that is read (``attrs.fields``,
``evolve``, ``has``), registered and constructed like any other, at a fraction
of the import time. Equality still requires the same class.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, TypeVar, cast

import attrs

from ._failure import Failure, _error_status
from ._semantics import Category

T = TypeVar("T")

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
    "StatusFailure",
    "TimeoutFailure",
    "UnknownFailure",
    "UpstreamFailure",
    "ValidationFailure",
    "WorkflowFailure",
]


_BASE_FIELDS = Failure.__attrs_attrs__
_INHERITED = {field.name: field.evolve(inherited=True) for field in _BASE_FIELDS}


def _with_message(message: str) -> Any:
    """`Failure`'s attrs fields, ``message`` redeclared with ``message`` as its default."""
    return type(_BASE_FIELDS)(
        field.evolve(default=message) if field.name == "message" else _INHERITED[field.name]
        for field in _BASE_FIELDS
    )


def _as_category_failure(**_: object) -> Callable[[type[T]], type[T]]:
    """``@attrs.frozen(kw_only=True)`` for a class whose body only redeclares ``message``.

    Builds the class attrs would build — slotted, `Failure`'s fields with the new
    ``message`` default as ``__attrs_attrs__`` — as a plain subclass of `Failure`:
    `Failure`'s ``__eq__``, ``__hash__``, ``__repr__`` and pickling state cover the
    same fields, so nothing is generated again.
    """

    def build(cls: type[T]) -> type[T]:
        namespace = dict(cls.__dict__)
        message = namespace.pop("message")
        annotations = namespace.get("__annotations__", {})
        if set(annotations) != {"message"} or not isinstance(message, str):
            raise TypeError(f"{cls.__qualname__} may only redeclare message: str")
        for name in ("__dict__", "__weakref__"):
            namespace.pop(name, None)
        namespace["__slots__"] = ()
        namespace["__attrs_attrs__"] = _with_message(message)
        metaclass: Any = type(cls)
        return cast("type[T]", metaclass(cls.__name__, cls.__bases__, namespace))

    return build


if TYPE_CHECKING:  # what type checkers see: attrs' own decorator
    from attrs import frozen as _category_failure
else:
    _category_failure = _as_category_failure


@_category_failure(kw_only=True)
class InfrastructureFailure(Failure, code="INFRASTRUCTURE", category=Category.INFRASTRUCTURE):
    """A dependency (network, container, service) is unreachable; retry with backoff."""

    message: str = "A required service is unavailable."


@_category_failure(kw_only=True)
class CodeFailure(Failure, code="CODE_RELATED", category=Category.CODE_RELATED):
    """The supplied or generated code is at fault; regenerate it and retry."""

    message: str = "The code failed."


@_category_failure(kw_only=True)
class WorkflowFailure(Failure, code="WORKFLOW", category=Category.WORKFLOW):
    """A workflow limit or approval step stopped the operation; a person must act."""

    message: str = "The workflow could not continue."


@_category_failure(kw_only=True)
class ConfigurationFailure(Failure, code="CONFIGURATION", category=Category.CONFIGURATION):
    """A setting is invalid or missing; fix the deployment."""

    message: str = "The service is misconfigured."


@_category_failure(kw_only=True)
class ValidationFailure(Failure, code="VALIDATION", category=Category.VALIDATION):
    """The input is invalid; retrying the same input cannot succeed."""

    message: str = "The input is invalid."


@_category_failure(kw_only=True)
class AuthenticationFailure(Failure, code="AUTHENTICATION", category=Category.AUTHENTICATION):
    """The caller is not authenticated; supply valid credentials."""

    message: str = "Authentication is required."


@_category_failure(kw_only=True)
class AuthorizationFailure(Failure, code="AUTHORIZATION", category=Category.AUTHORIZATION):
    """The caller is authenticated but not allowed to do this."""

    message: str = "Permission denied."


@_category_failure(kw_only=True)
class NotFoundFailure(Failure, code="NOT_FOUND", category=Category.NOT_FOUND):
    """The requested resource does not exist."""

    message: str = "Not found."


@_category_failure(kw_only=True)
class ConflictFailure(Failure, code="CONFLICT", category=Category.CONFLICT):
    """The resource's state conflicts with the request; a person must resolve it."""

    message: str = "The request conflicts with the current state."


@_category_failure(kw_only=True)
class RateLimitFailure(Failure, code="RATE_LIMIT", category=Category.RATE_LIMIT):
    """Too many requests; retry after ``retry_after`` seconds when given."""

    message: str = "Too many requests."


@_category_failure(kw_only=True)
class TimeoutFailure(Failure, code="TIMEOUT", category=Category.TIMEOUT):
    """The operation took too long; retry with backoff."""

    message: str = "The operation timed out."


@_category_failure(kw_only=True)
class UpstreamFailure(Failure, code="UPSTREAM", category=Category.UPSTREAM):
    """An upstream service answered with an error; retry with backoff."""

    message: str = "An upstream service failed."


@_category_failure(kw_only=True)
class ProtocolFailure(Failure, code="PROTOCOL", category=Category.PROTOCOL):
    """A peer broke the wire protocol."""

    message: str = "The peer broke the protocol."


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


def _own_error_status(status: int) -> HTTPStatus:
    """``status`` as an `HTTPStatus` of an error (400-599); a clear ``TypeError`` otherwise."""
    return _error_status(StatusFailure, status)


def _phrase(failure: StatusFailure) -> str:
    return failure.status.phrase


@attrs.frozen(kw_only=True)
class StatusFailure(Failure, code="HTTP_STATUS", category=Category.VALIDATION):
    """An HTTP status our own service answers without a failure class of its own.

    What a framework answers by itself: routing's 405 for a wrong method, an
    ``HTTPException(415)`` raised in a route. `for_status` builds one named after its
    status (code ``METHOD_NOT_ALLOWED``, message ``Method Not Allowed`` as Starlette's
    ``detail``); the category is always `Category.for_status` of the status. The Starlette
    integration answers a category's own status (404, 409, 429, ...) with that category's
    failure instead; a peer's bare status decodes to `UnknownFailure`: this class speaks
    for our own service only.
    """

    code: str = "HTTP_STATUS"
    status: HTTPStatus = attrs.field(default=HTTPStatus.BAD_REQUEST, converter=_own_error_status)
    message: str = attrs.field(default=attrs.Factory(_phrase, takes_self=True))

    @property
    def category(self) -> Category:
        """The status's category (`Category.for_status`): 405 is validation, 501 internal."""
        return Category.for_status(self.status)

    @classmethod
    def for_status(
        cls, status: int, message: str | None = None, *, details: Mapping[str, object] | None = None
    ) -> StatusFailure:
        """The failure for an error ``status``, its code the status's name (``METHOD_NOT_ALLOWED``).

        ``message`` defaults to the status's phrase.

        Raises:
            TypeError: ``status`` is not an error status (400-599) `HTTPStatus` names.
        """
        error = _own_error_status(status)
        given: dict[str, Any] = {"code": error.name, "status": error}
        if message is not None:
            given["message"] = message
        if details:
            given["details"] = details
        return cls(**given)
