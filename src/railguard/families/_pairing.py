"""One generic, declarative pairing of family exceptions with their failures.

Every family exception class declares ``failure = Paired(XFailure)``; the family
root also names its `Family`, the table that says where each failure field
lives on the exception (an attribute, a key of a details dict, the exception's
``args``) and how its value converts. A class's own typed fields are found from
the failure class itself, so a subclass needs no conversion code at all:

- exception → failure: read every field through its codec, convert
  ``__cause__`` with `railguard.core.cause_from`, build the failure;
- failure → exception: write every field through its codec into the
  exception's state and rebuild it with ``cls.__new__`` + that state: exactly
  what the document's ``__init__`` produces, without re-running its message
  formatting (a failure's message is kept as it is);
- pickling and copying use the same rebuild, so keyword-only and computed-message
  constructors survive them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar, cast, overload

import attrs

from railguard.core import (
    EMPTY_DETAILS,
    Details,
    Failure,
    JSONValue,
    cause_from,
    freeze_json,
    parse_retry_after,
    register_exception,
    thaw_json,
)

if TYPE_CHECKING:
    from typing import Self

__all__ = [
    "ArgsMessage",
    "Attr",
    "Codec",
    "Family",
    "FrameDetails",
    "Paired",
    "PairedFailure",
    "Pairing",
    "RetryAfterText",
    "derived_message",
    "details_attr",
    "details_of",
    "frozen_json",
    "frozen_json_items",
    "frozen_tuple",
    "json_attr",
    "json_of",
    "plain",
    "rebuild",
    "reduce_exception",
    "retry_after_seconds",
    "retry_after_text",
]

F_co = TypeVar("F_co", bound=Failure, covariant=True)
E_co = TypeVar("E_co", bound=Exception, covariant=True)
_Value = Callable[[Any], Any]


def _same(value: object) -> object:
    return value


# --- values -------------------------------------------------------------------------


def _jsonable(value: object) -> object:
    """A JSON-able copy of ``value``: what JSON cannot carry becomes its ``str``."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    return str(value)


def json_of(value: object) -> JSONValue:
    """Freeze an exception's free-form value (``body``, an ``extra`` entry) for a failure.

    JSON values freeze exactly; anything else (a ``Path``, an exception, NaN) is
    kept as its ``str``, because a failure holds only JSON-able wire values.
    """
    try:
        return freeze_json(value)
    except (TypeError, ValueError):
        return freeze_json(_jsonable(value))


def frozen_json(value: JSONValue | Mapping[str, Any] | list[Any]) -> JSONValue:
    """Converter of a failure's JSON field: dicts and lists become `Details` and tuples."""
    return json_of(value)


def frozen_json_items(values: Iterable[Any]) -> tuple[JSONValue, ...]:
    """Converter of a failure's JSON-array field: a tuple of frozen JSON values."""
    return tuple(json_of(value) for value in values)


def frozen_tuple(values: Iterable[Any]) -> tuple[Any, ...]:
    """Converter of a failure's sequence field: any iterable becomes a tuple."""
    return values if type(values) is tuple else tuple(values)


def details_of(value: Mapping[str, object] | None) -> Details:
    """Freeze an exception's details dict (``extra``, ``technical_details``, ...)."""
    if not value:
        return EMPTY_DETAILS
    frozen = json_of(value)
    return frozen if isinstance(frozen, Details) else Details()


def plain(value: JSONValue) -> Any:
    """The mutable JSON value an exception holds (dicts and lists) for a frozen one."""
    return thaw_json(value)


def retry_after_seconds(value: object, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: `railguard.parse_retry_after`'s answer.

    A number (``"30"``, ``"1.5"``) is taken as seconds; an HTTP-date counts from
    ``now`` (never negative); the result is capped at `railguard.core.MAX_RETRY_AFTER`;
    anything else, or nothing, is ``None``.
    """
    return parse_retry_after(value, now=now)


def retry_after_text(seconds: float | None) -> str | None:
    """The canonical ``Retry-After`` text of a delay: ``30.0`` → ``"30"``, ``1.5`` → ``"1.5"``."""
    if seconds is None:
        return None
    if float(seconds).is_integer():
        return str(int(seconds))
    return repr(float(seconds))


# --- codecs -------------------------------------------------------------------------


class Codec(Protocol):
    """Where some failure fields live on an exception, and how their values convert."""

    @property
    def names(self) -> frozenset[str]:
        """The failure fields this codec reads and writes."""
        ...

    def load(self, exc: BaseException, into: dict[str, Any]) -> None:
        """Read the fields from ``exc`` into failure keyword arguments."""
        ...

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Write the fields of ``failure`` into the exception's attribute state."""
        ...


@attrs.frozen
class Attr:
    """A failure field stored as an exception attribute (``attr``, default: the same name)."""

    name: str
    attr: str = attrs.field(default=attrs.Factory(lambda self: self.name, takes_self=True))
    to_failure: _Value = _same
    to_exception: _Value = _same

    @property
    def names(self) -> frozenset[str]:
        """The one failure field this codec handles."""
        return frozenset((self.name,))

    def load(self, exc: BaseException, into: dict[str, Any]) -> None:
        """Read the attribute."""
        into[self.name] = self.to_failure(getattr(exc, self.attr))

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Write the attribute."""
        into[self.attr] = self.to_exception(getattr(failure, self.name))


@attrs.frozen
class ArgsMessage:
    """The message is the exception's first argument only (no ``message`` attribute)."""

    @property
    def names(self) -> frozenset[str]:
        """The ``message`` field."""
        return frozenset(("message",))

    def load(self, exc: BaseException, into: dict[str, Any]) -> None:
        """Read ``exc.args[0]``."""
        into["message"] = str(exc.args[0]) if exc.args else ""

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Nothing to write: the message goes into ``args`` (see `Family.args`)."""


@attrs.frozen
class RetryAfterText:
    """``retry_after`` kept on the exception as ``Retry-After`` text (the agents document).

    The failure holds seconds. With ``exact`` the failure also has a
    ``retry_after_header`` field that keeps the text when it is not the
    canonical rendering of those seconds (an HTTP-date, ``"30.0"``), so the
    exception comes back with exactly the text it had. ``none_text`` is the
    exception's value when there is no hint.
    """

    exact: bool = False
    none_text: str | None = None

    @property
    def names(self) -> frozenset[str]:
        """``retry_after``, and ``retry_after_header`` when exact."""
        return frozenset(("retry_after", "retry_after_header") if self.exact else ("retry_after",))

    def _canonical(self, seconds: float | None) -> str | None:
        text = retry_after_text(seconds)
        return self.none_text if text is None else text

    def load(self, exc: BaseException, into: dict[str, Any]) -> None:
        """Parse the text into seconds; keep non-canonical text when exact."""
        text = getattr(exc, "retry_after", None)
        seconds = retry_after_seconds(text)
        into["retry_after"] = seconds
        if self.exact:
            canonical = text is None or self._canonical(seconds) == text
            into["retry_after_header"] = None if canonical else str(text)

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Write the kept text, else the canonical text of the seconds."""
        header = getattr(failure, "retry_after_header", None) if self.exact else None
        into["retry_after"] = header if header is not None else self._canonical(failure.retry_after)


@attrs.frozen
class FrameDetails:
    """A ``details`` dict that also holds some typed fields as keys (the bridge document).

    ``keys`` maps each typed field to its key; an optional field (default
    ``None``) is left out of the dict when it is ``None``. The failure's own
    ``details`` hold the remaining keys.
    """

    keys: Mapping[str, str]
    optional: frozenset[str] = frozenset()

    @property
    def names(self) -> frozenset[str]:
        """``details`` and the typed fields."""
        return frozenset(("details", *self.keys))

    def load(self, exc: BaseException, into: dict[str, Any]) -> None:
        """Split the exception's details into typed fields and the rest."""
        rest = dict(getattr(exc, "details", None) or {})
        for name, key in self.keys.items():
            value = rest.pop(key, None)
            into[name] = None if value is None else json_of(value)
        into["details"] = details_of(rest)

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Merge the typed fields (in declaration order) and the failure's details."""
        merged: dict[str, Any] = {}
        for name, key in self.keys.items():
            value = getattr(failure, name)
            if value is None and name in self.optional:
                continue
            merged[key] = plain(value)
        merged.update(plain(failure.details))
        into["details"] = merged


def details_attr(name: str = "details", attr: str = "details") -> Attr:
    """A failure's ``details`` stored as a plain dict attribute of the exception."""
    return Attr(name, attr, details_of, plain)


def json_attr(name: str, attr: str | None = None) -> Attr:
    """A JSON-valued field stored as a plain (mutable) attribute of the exception."""
    return Attr(name, attr or name, json_of, plain)


# --- families -----------------------------------------------------------------------


def _message_args(failure: Failure) -> tuple[object, ...]:
    return (failure.message,)


@attrs.frozen
class Family:
    """How one document's exceptions hold their failure's fields.

    Args:
        base: codecs of the fields every exception of the family has.
        special: codecs for a class's own fields by name; any other own field is
            an attribute of the same name.
        own: builds the codecs of a class's own fields at once (overrides
            ``special``; the bridge puts them all into one details dict).
        args: the exception's ``args`` for a failure (default: ``(message,)``).
    """

    base: tuple[Codec, ...]
    special: Mapping[str, Codec] = attrs.field(factory=dict)
    own: Callable[[type[Failure], tuple[str, ...]], tuple[Codec, ...]] | None = None
    args: Callable[[Failure], tuple[object, ...]] = _message_args

    def codecs(self, failure_class: type[Failure]) -> tuple[Codec, ...]:
        """The codecs of every field of ``failure_class`` (``cause`` travels as ``__cause__``)."""
        covered = {name for codec in self.base for name in codec.names} | {"cause"}
        own_names = tuple(
            a.name for a in attrs.fields(failure_class) if a.init and a.name not in covered
        )
        if self.own is not None:
            own = self.own(failure_class, own_names)
        else:
            own = tuple(self.special.get(name) or Attr(name) for name in own_names)
        claimed = {name for codec in own for name in codec.names}
        base = tuple(codec for codec in self.base if not codec.names & claimed)
        return base + own


# --- the pairing --------------------------------------------------------------------


def rebuild(
    cls: type[BaseException],
    args: tuple[object, ...],
    state: Mapping[str, object],
    cause: BaseException | None = None,
) -> BaseException:
    """Make an exception of ``cls`` with these ``args``, attributes and ``__cause__``.

    Nothing of ``cls.__init__`` runs, so this is how failures become exceptions
    and how pickled exceptions come back.
    """
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    if cause is not None:
        exc.__cause__ = cause
    return exc


def reduce_exception(
    exc: BaseException,
) -> tuple[Callable[..., BaseException], tuple[object, ...]]:
    """``__reduce__`` of every family exception: type, args, attributes and cause."""
    return (rebuild, (type(exc), exc.args, dict(vars(exc)), exc.__cause__))


class Pairing:
    """One exception class and its failure class, with the codecs between them."""

    def __init__(
        self, exception_type: type[Exception], failure_class: type[Failure], family: Family
    ) -> None:
        self.exception_type = exception_type
        self.failure_class = failure_class
        self.family = family
        self._codecs: tuple[Codec, ...] | None = None

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """The codecs of this pair, computed on first use."""
        if self._codecs is None:
            self._codecs = self.family.codecs(self.failure_class)
        return self._codecs

    def failure_of(self, exc: BaseException) -> Failure:
        """The failure an exception of this pair stands for."""
        kwargs: dict[str, Any] = {"cause": cause_from(exc)}
        for codec in self.codecs:
            codec.load(exc, kwargs)
        return self.failure_class(**kwargs)

    def exception_of(self, failure: Failure) -> BaseException:
        """The exception of a failure of this pair, its cause chain attached."""
        state: dict[str, Any] = {}
        for codec in self.codecs:
            codec.dump(failure, state)
        cause = failure.cause.to_exception() if failure.cause is not None else None
        return rebuild(self.exception_type, self.family.args(failure), state, cause)


class Paired(Generic[F_co]):
    """The ``failure`` attribute of a family exception: its failure, built from its state.

    Declaring ``failure = Paired(XFailure)`` in an exception class pairs the two
    both ways: ``exc.failure`` is an ``XFailure`` (typed so), and
    ``XFailure(...).to_exception()`` is an instance of that exception class.
    The family root names its `Family` (and is registered for
    `railguard.Failure.from_exception`); subclasses inherit it.
    """

    pairing: Pairing

    def __init__(self, failure_class: type[F_co], *, family: Family | None = None) -> None:
        self.failure_class = failure_class
        self.family = family

    def __set_name__(self, owner: type[Exception], name: str) -> None:
        family = self.family
        if family is None:
            inherited = next(
                (
                    found
                    for base in owner.__mro__[1:]
                    if isinstance(found := base.__dict__.get(name), Paired)
                ),
                None,
            )
            if inherited is None:
                raise TypeError(f"{owner.__qualname__}: the family root must name its Family")
            family = inherited.pairing.family
        failure_class = cast(type[PairedFailure], self.failure_class)
        if "_pairing" in failure_class.__dict__:
            raise TypeError(f"{failure_class.__qualname__} is already paired")
        self.pairing = Pairing(owner, failure_class, family)
        failure_class._pairing = self.pairing
        failure_class.exception_type = owner
        if self.family is not None:
            register_exception(owner, _carried)

    @overload
    def __get__(self, exc: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, exc: BaseException, owner: type[Any]) -> F_co: ...
    def __get__(self, exc: BaseException | None, owner: type[Any]) -> Self | F_co:
        if exc is None:
            return self
        return cast(F_co, self.pairing.failure_of(exc))


def _carried(exc: BaseException) -> Failure:
    return cast(Failure, exc.failure)  # type: ignore[attr-defined]  # a paired family exception


class _HasException(Protocol[E_co]):
    @property
    def exception_type(self) -> type[E_co]: ...


@attrs.frozen(kw_only=True)
class PairedFailure(Failure, abstract=True):
    """Base of every family failure: ``to_exception()`` returns the document's exception.

    Each failure class annotates ``exception_type: ClassVar[type[XException]]``
    so that mypy types ``to_exception()`` as that exception; the value is set
    when the exception class declares ``failure = Paired(...)``.
    """

    exception_type: ClassVar[type[Exception]]
    _pairing: ClassVar[Pairing]

    def to_exception(self: _HasException[E_co]) -> E_co:
        """Return the document's exception for this failure, its cause chain attached."""
        failure = cast(PairedFailure, self)
        return cast(E_co, failure._pairing.exception_of(failure))


def derived_message(build: Callable[[Any], str]) -> Any:
    """A ``message`` field whose default is computed from the other fields.

    Mirrors documents whose constructor formats the message from its
    arguments (``f"Session not found: {session_id}"``): the failure built from
    the same fields gets the same message, and an explicit ``message`` wins.
    """
    return attrs.field(default=attrs.Factory(build, takes_self=True))
