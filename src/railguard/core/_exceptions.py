"""Exceptions ⇄ failures: the carrying exceptions and the exception → failure table.

Resolution walks the exception's MRO; the most specific registered entry wins.
Foreign libraries (httpx, pydantic) are matched by qualified name, so nothing
is imported to map them.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Generic, Protocol, TypeVar, cast

import attrs
import typing_extensions
from returns.primitives.exceptions import UnwrapFailedError

from ._failure import Failure
from ._generic import (
    AuthorizationFailure,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    TimeoutFailure,
    ValidationFailure,
)
from ._semantics import Category

__all__ = [
    "CarriesFailure",
    "FailureGroup",
    "RailguardError",
    "RailguardExceptionGroup",
    "attach_cause",
    "cause_from",
    "failure_from_exception",
    "register_exception",
]

# defaults to Failure, so a bare ``FailureGroup`` or ``CarriesFailure`` means "of any
# failure" rather than "of Any"
F_co = typing_extensions.TypeVar("F_co", bound=Failure, covariant=True, default=Failure)
F = TypeVar("F", bound=Failure)
E = TypeVar("E", bound=BaseException)

_MAX_CAUSE_DEPTH = 32
_depth: contextvars.ContextVar[int] = contextvars.ContextVar("railguard_cause_depth", default=0)


class CarriesFailure(Protocol[F_co]):
    """An exception that knows its failure: railguard's and every family's."""

    @property
    def failure(self) -> F_co:
        """The failure this exception stands for."""
        ...


class RailguardError(Exception):
    """The exception of a failure that has no documented exception of its own.

    It carries the failure (``.failure``) and shows its message.
    """

    # Not generic: mypy reads a bare generic class as ``RailguardError[Any]``, so
    # ``except RailguardError as exc`` and ``catching(RailguardError)`` would leak Any.

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self._failure = failure

    @property
    def failure(self) -> Failure:
        """The failure this exception carries."""
        return self._failure

    def __reduce__(self) -> tuple[type[RailguardError], tuple[Failure]]:
        return (type(self), (self._failure,))


def attach_cause(exc: E, failure: Failure) -> E:
    """Set ``exc.__cause__`` to the exception of ``failure.cause`` and return ``exc``."""
    if failure.cause is not None:
        exc.__cause__ = failure.cause.to_exception()
    return exc


def cause_from(exc: BaseException) -> Failure | None:
    """Return the failure of ``exc.__cause__`` (``None`` if there is none).

    Chains deeper than 32 links (or cyclic ones) are cut there.
    """
    cause = exc.__cause__
    if cause is None or _depth.get() >= _MAX_CAUSE_DEPTH:
        return None
    token = _depth.set(_depth.get() + 1)
    try:
        return failure_from_exception(cause)
    finally:
        _depth.reset(token)


_Converter = Callable[[BaseException], Failure]
_by_type: dict[type[BaseException], _Converter] = {}
_by_name: dict[str, _Converter] = {}


def register_exception(exc_type: type[E], converter: Callable[[E], Failure]) -> None:
    """Map an exception type (and its subclasses) to a failure.

    The most specific registered type in an exception's MRO wins, so a family
    registers its root and each subclass resolves to its own pairing.
    """
    _by_type[exc_type] = cast(_Converter, converter)


def failure_from_exception(exc: BaseException) -> Failure:
    """Return the failure for any exception; never raises.

    Carried failures (railguard's exceptions, returns' ``UnwrapFailedError``)
    come back as they are; registered exceptions convert by the table; anything
    else becomes an `InternalFailure` whose message reveals nothing of it.
    """
    for klass in type(exc).__mro__:
        converter = _by_type.get(klass) or _by_name.get(f"{klass.__module__}.{klass.__qualname__}")
        if converter is None:
            continue
        try:
            return converter(exc)
        except Exception:  # a broken converter must not hide the original error
            import logging  # noqa: PLC0415  # only on this rare path: keeps import light

            logging.getLogger("railguard").exception(
                "railguard: converting %s failed", type(exc).__qualname__
            )
            break
    return InternalFailure(exception=exc)


def _carried(exc: BaseException) -> Failure:
    return cast(CarriesFailure[Failure], exc).failure


def _unwrapped(exc: BaseException) -> Failure:
    try:
        inner = cast(UnwrapFailedError, exc).halted_container.failure()
    except UnwrapFailedError:  # a successful container was asked for its failure
        return InternalFailure(exception=exc)
    if isinstance(inner, Failure):
        return inner
    if isinstance(inner, BaseException):
        return failure_from_exception(inner)
    return InternalFailure(exception=exc)


def _json_decode(exc: BaseException) -> Failure:
    error = cast(json.JSONDecodeError, exc)
    return ValidationFailure(
        message=f"Malformed JSON: {error.msg}",
        details={"line": error.lineno, "column": error.colno},
    )


def _pydantic(exc: BaseException) -> Failure:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)  # type: ignore[attr-defined]  # pydantic is not imported
    items = [
        {"loc": [str(part) for part in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
        for e in errors
    ]
    return ValidationFailure(message="Validation failed.", details={"errors": items})


register_exception(RailguardError, _carried)
register_exception(UnwrapFailedError, _unwrapped)
register_exception(TimeoutError, lambda exc: TimeoutFailure())
register_exception(ConnectionError, lambda exc: InfrastructureFailure(message="Connection failed."))
register_exception(PermissionError, lambda exc: AuthorizationFailure())
register_exception(FileNotFoundError, lambda exc: NotFoundFailure())
register_exception(json.JSONDecodeError, _json_decode)
register_exception(ValueError, lambda exc: ValidationFailure(message=str(exc) or "Invalid value."))
_by_name["httpx.TimeoutException"] = lambda exc: TimeoutFailure()
_by_name["httpx.TransportError"] = lambda exc: InfrastructureFailure(
    message="Could not reach the server."
)
_by_name["pydantic_core._pydantic_core.ValidationError"] = _pydantic


def _group_status(failures: Sequence[Failure]) -> HTTPStatus:
    statuses = {f.status for f in failures}
    if len(statuses) == 1:
        return statuses.pop()
    if all(s < 500 for s in statuses):
        return HTTPStatus.BAD_REQUEST
    return HTTPStatus.INTERNAL_SERVER_ERROR


def _default_group_message(group: FailureGroup[Failure]) -> str:
    count = len(group.failures)
    return f"{count} failure{'s' if count != 1 else ''} occurred."


@attrs.frozen(kw_only=True)
class FailureGroup(Failure, Generic[F_co], code="FAILURE_GROUP", category=Category.VALIDATION):
    """Several failures at once (accumulated validation); pairs with an ``ExceptionGroup``.

    Its status is the members' common status, else 400 when all are client
    errors, else 500; its category is the members' common category, else the
    category of that status.
    """

    failures: tuple[F_co, ...] = attrs.field(converter=tuple)
    message: str = attrs.field(default=attrs.Factory(_default_group_message, takes_self=True))

    @failures.validator
    def _check(self, _: attrs.Attribute[tuple[F_co, ...]], value: tuple[F_co, ...]) -> None:
        if not value:
            raise ValueError("a FailureGroup needs at least one failure")

    @property
    def status(self) -> HTTPStatus:
        """The members' common status, else 400 (all client errors) or 500."""
        return _group_status(self.failures)

    @property
    def category(self) -> Category:
        """The members' common category, else the category of `status`."""
        categories = {f.category for f in self.failures}
        if len(categories) == 1:
            return categories.pop()
        return Category.for_status(self.status)

    def to_exception(self) -> RailguardExceptionGroup:
        """Return an ``ExceptionGroup`` of the members' exceptions that carries this group."""
        return attach_cause(RailguardExceptionGroup(self), self)


class RailguardExceptionGroup(ExceptionGroup[Exception]):
    """The ``ExceptionGroup`` of a `FailureGroup`; carries it as ``.failure``."""

    _failure: FailureGroup[Failure]

    def __new__(cls, failure: FailureGroup[Failure]) -> RailguardExceptionGroup:
        members = [member.to_exception() for member in failure.failures]
        self = super().__new__(cls, failure.message, members)
        self._failure = failure
        return self

    def __init__(self, failure: FailureGroup[Failure]) -> None:
        super().__init__(self.message, list(self.exceptions))

    @property
    def failure(self) -> FailureGroup[Failure]:
        """The group failure this exception carries."""
        return self._failure

    def __reduce__(self) -> tuple[type[RailguardExceptionGroup], tuple[FailureGroup[Failure]]]:
        return (type(self), (self._failure,))


def _group(exc: BaseException) -> Failure:
    group = cast(BaseExceptionGroup[BaseException], exc)
    return FailureGroup(
        message=group.message,
        failures=tuple(failure_from_exception(e) for e in group.exceptions),
        cause=cause_from(group),
    )


register_exception(RailguardExceptionGroup, _carried)
register_exception(BaseExceptionGroup, _group)
