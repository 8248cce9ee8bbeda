"""The exceptions that carry failures: `RailguardError`, and `FailureGroup` with its group.

The exception → failure table and the wire policy live in ``_policy``.
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any, Generic, Protocol, TypeVar

import attrs
import typing_extensions

from ._failure import Failure
from ._semantics import Category

__all__ = [
    "CarriesFailure",
    "FailureGroup",
    "RailguardError",
    "RailguardExceptionGroup",
    "attach_cause",
]

# defaults to Failure, so a bare ``FailureGroup`` or ``CarriesFailure`` means "of any
# failure" rather than "of Any"
F_co = typing_extensions.TypeVar("F_co", bound=Failure, covariant=True, default=Failure)
F = TypeVar("F", bound=Failure)
E = TypeVar("E", bound=BaseException)


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self._failure, self.__cause__, _state(self)))


def attach_cause(exc: E, failure: Failure) -> E:
    """Set ``exc.__cause__`` to the exception of ``failure.cause`` and return ``exc``."""
    if failure.cause is not None:
        exc.__cause__ = failure.cause.to_exception()
    return exc


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

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), self._failure, self.__cause__, _state(self)))


def _state(exc: BaseException) -> dict[str, object]:
    """An exception's own attributes (``__notes__`` among them), without the failure."""
    return {k: v for k, v in vars(exc).items() if k != "_failure"}


def _restore(
    cls: type[RailguardError | RailguardExceptionGroup],
    failure: Any,
    cause: BaseException | None,
    state: dict[str, object],
) -> BaseException:
    """Unpickle (or copy) a carrying exception: its failure, ``__cause__`` and attributes."""
    exc = cls(failure)
    exc.__dict__.update(state)
    if cause is not None:
        exc.__cause__ = cause
    return exc
