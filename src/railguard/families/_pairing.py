"""One generic, declarative pairing of family exceptions with their failures.

The public face of this module is `railguard.families.pairing`. Every family
exception class names its failure class (``class XError(Base, failure=XFailure)``);
the family root also names its `Family`, the table that says where each failure field
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

import inspect
import math
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, ClassVar, Protocol, cast

import attrs

from railguard.core import (
    EMPTY_DETAILS,
    Details,
    Failure,
    JSONValue,
    cause_from,
    freeze_json,
    parse_retry_after,
    peer_exception,
    register_exception,
    thaw_json,
)

from ._reader import Reader, compile_reader

__all__ = [
    "ArgsMessage",
    "Attr",
    "Codec",
    "Family",
    "FrameDetails",
    "PairedException",
    "PairedFailure",
    "Pairing",
    "RetryAfterText",
    "class_default",
    "derived_message",
    "details_attr",
    "details_of",
    "frozen_json",
    "frozen_json_items",
    "frozen_tuple",
    "json_attr",
    "json_of",
    "keyword_defaults",
    "plain",
    "rebuild",
    "reduce_exception",
    "retry_after_seconds",
    "retry_after_text",
]

_Value = Callable[[Any], Any]
_Plan = tuple[tuple[tuple[str, str, _Value | None], ...], tuple["Codec", ...]]
"""How a pair reads an exception: plain attributes ``(name, attr, convert)``, other codecs."""
_DumpPlan = tuple[tuple[str, str, _Value | None, "Codec | None"], ...]
"""How a pair writes an exception's state, codec by codec (see `Pairing._dumping_plan`)."""


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
        mapping = cast("Mapping[object, object]", value)
        return {str(key): _jsonable(item) for key, item in mapping.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in cast("Iterable[object]", value)]
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
    return tuple(values)  # a tuple comes back as itself


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
        if text is None:  # the common case: no hint (what parsing ``None`` gives)
            into["retry_after"] = None
            if self.exact:
                into["retry_after_header"] = None
            return
        seconds = retry_after_seconds(text)
        into["retry_after"] = seconds
        if self.exact:
            canonical = text is None or self._canonical(seconds) == text
            into["retry_after_header"] = None if canonical else str(text)

    def dump(self, failure: Failure, into: dict[str, Any]) -> None:
        """Write the kept text, else the canonical text of the seconds."""
        if not self.exact and failure.retry_after is None:
            into["retry_after"] = self.none_text  # the common case: no hint
            return
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
        constants: class constants of the exceptions that restate a failure field's
            default (``{"DEFAULT_CODE": "status"}``): each exception class gets the
            default of its failure's field, converted by that field's codec. A
            class declares one itself only where its failure computes the value.
    """

    base: tuple[Codec, ...]
    special: Mapping[str, Codec] = attrs.field(factory=dict[str, Codec])
    own: Callable[[type[Failure], tuple[str, ...]], tuple[Codec, ...]] | None = None
    args: Callable[[Failure], tuple[object, ...]] = _message_args
    constants: Mapping[str, str] = attrs.field(factory=dict[str, str])

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
        self, exception_type: type[Exception], failure_class: type[PairedFailure], family: Family
    ) -> None:
        self.exception_type = exception_type
        self.failure_class = failure_class
        self.family = family
        self._codecs: tuple[Codec, ...] | None = None
        self._plan: _Plan | None = None
        self._dumping: _DumpPlan | None = None
        self.read: Reader = self._first_read
        """`failure_of` itself: the pair's compiled reader, once it has been used."""

    @property
    def codecs(self) -> tuple[Codec, ...]:
        """The codecs of this pair, computed on first use."""
        if self._codecs is None:
            self._codecs = self.family.codecs(self.failure_class)
        return self._codecs

    def _loading_plan(self) -> _Plan:
        """The codecs split once: plain attributes, read inline, then the other codecs.

        The same reads as each codec's `Codec.load`, without a call per attribute.
        """
        if self._plan is None:
            attributes = tuple(
                (c.name, c.attr, None if c.to_failure is _same else c.to_failure)
                for c in self.codecs
                if type(c) is Attr
            )
            others = tuple(c for c in self.codecs if type(c) is not Attr)
            self._plan = (attributes, others)
        return self._plan

    def _dumping_plan(self) -> _DumpPlan:
        """The codecs in order: plain attributes are written inline, the others by their codec.

        A plain attribute is ``(name, attr, convert, None)``, any other codec
        ``("", "", None, codec)``; the state keeps the codecs' order.
        """
        if self._dumping is None:
            self._dumping = tuple(
                (c.name, c.attr, None if c.to_exception is _same else c.to_exception, None)
                if type(c) is Attr
                else ("", "", None, c)
                for c in self.codecs
            )
        return self._dumping

    def failure_of(self, exc: BaseException) -> Failure:
        """The failure an exception of this pair stands for."""
        return self.read(exc)

    def _first_read(self, exc: BaseException) -> Failure:
        """Compile the pair's reader (`compile_reader`), put it in `read`'s place, read."""
        attributes, others = self._plan or self._loading_plan()
        loads = tuple(codec.load for codec in others)
        self.read = compile_reader(self.failure_class, attributes, loads, cause_from)
        return self.read(exc)

    def exception_of(self, failure: Failure) -> BaseException:
        """The exception of a failure of this pair, its cause chain attached."""
        state: dict[str, Any] = {}
        for name, attr, convert, codec in self._dumping or self._dumping_plan():
            if codec is not None:
                codec.dump(failure, state)
                continue
            value = getattr(failure, name)
            state[attr] = value if convert is None else convert(value)
        cause = failure.cause.to_exception() if failure.cause is not None else None
        exc = rebuild(self.exception_type, self.family.args(failure), state, cause)
        return peer_exception(failure, exc)  # a peer's failure stays a peer's (AIP-193)


class PairedException(Exception):
    """Base of a family's root exception: the pairing with failures, pickling, ``failure``.

    Each exception class names its failure class as a class keyword, and the
    family root also names its `Family`::

        class PaymentError(PairedException, failure=PaymentFailure, family=PAYMENTS): ...
        class CardDeclinedError(PaymentError, failure=CardDeclinedFailure): ...

    That pairs the two both ways: ``exc.failure`` is the failure built from the
    exception's state, ``failure.to_exception()`` an instance of the exception
    class, and the root is registered for `railguard.Failure.from_exception`.
    A subclass that names no failure stands for its base's.

    For type checkers, each class declares the type of ``failure`` (and each
    failure class the type of ``to_exception()``) in an ``if TYPE_CHECKING:``
    block; see the families guide.
    """

    _pairing: ClassVar[Pairing]

    def __init_subclass__(
        cls,
        *,
        failure: type[PairedFailure] | None = None,
        family: Family | None = None,
        **kwargs: object,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if failure is None:
            if family is not None:
                raise TypeError(f"{cls.__qualname__}: a family names its root's failure class")
            return
        inherited: Pairing | None = getattr(cls, "_pairing", None)
        if family is None and inherited is None:
            raise TypeError(f"{cls.__qualname__}: the family root must name its Family")
        if "_pairing" in failure.__dict__:
            raise TypeError(f"{failure.__qualname__} is already paired")
        pairing = Pairing(cls, failure, family or cast(Pairing, inherited).family)
        cls._pairing = failure._pairing = pairing  # pyright: ignore[reportPrivateUsage]  # the pair's own link
        failure.exception_type = cls
        _derive_constants(cls, pairing)
        if inherited is None:
            register_exception(cls, _carried, carrier=True)  # its codecs read its own state

    @property
    def failure(self) -> PairedFailure:
        """The failure this exception stands for, built from its state."""
        return self._pairing.read(self)  # type: ignore[return-value]  # the pair's failure class

    def __reduce__(self) -> tuple[Callable[..., BaseException], tuple[object, ...]]:
        return reduce_exception(self)


def _derive_constants(cls: type[PairedException], pairing: Pairing) -> None:
    """Set the family's constants on ``cls`` from its failure class's field defaults."""
    fields = attrs.fields_dict(pairing.failure_class)
    for constant, name in pairing.family.constants.items():
        field = fields.get(name)
        default = attrs.NOTHING if field is None else field.default
        if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class at runtime
            continue  # computed per instance: the class declares its own constant
        if constant in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__}.{constant} restates {pairing.failure_class.__qualname__}"
                f".{name}; declare it once, on the failure"
            )
        codec = next(c for c in pairing.codecs if isinstance(c, Attr) and c.name == name)
        setattr(cls, constant, codec.to_exception(default))


def _carried(exc: PairedException) -> Failure:
    return exc._pairing.read(exc)  # pyright: ignore[reportPrivateUsage]  # `failure`, one call less


class _FromClass:
    def __repr__(self) -> str:
        return "class_default()"


_FROM_CLASS: Any = _FromClass()

_KEYWORDS: Mapping[str, Callable[[type[Failure]], object]] = {
    "code": lambda cls: cls.default_code,
    "category": lambda cls: cls.default_category,
    "status": lambda cls: cls._default_status or cls.default_category.default_status,  # pyright: ignore[reportPrivateUsage]  # core's class-level status
}


def class_default(*, validator: Callable[[Any, Any, Any], Any] | None = None) -> Any:
    """Declare ``code``, ``status`` or ``category`` as a field whose default is the class's.

    A family whose exceptions carry, say, their own status per instance
    declares it once on its root failure, ``status: HTTPStatus =
    class_default()``; with `keyword_defaults`, every class of the family then
    defaults that field to its own class keyword (``status=...``). ``validator``
    (an attrs validator) refuses the values the family does not allow.
    """
    return attrs.field(default=_FROM_CLASS, validator=validator)


def keyword_defaults(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """Default per-instance ``code``/``status``/``category`` fields to the class keywords.

    An attrs ``field_transformer``.

    Use it on every failure class of a family that declares one of those as a
    field (see `class_default`)::

        @attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
        class CardDeclinedFailure(PaymentFailure, code="CARD_DECLINED", status=402): ...

    The class keywords are then the one declaration of each value: a class
    that also gives such a field an explicit default is refused (`TypeError`).
    """
    failure_class = cast(type[Failure], cls)
    own = inspect.get_annotations(cls)
    result: list[attrs.Attribute[Any]] = []
    for field in fields:
        read = _KEYWORDS.get(field.name)
        if read is not None:
            if field.name in own and field.default is not _FROM_CLASS:
                raise TypeError(
                    f"{cls.__qualname__}.{field.name}: declare it once, as the class keyword"
                    f" {field.name}=...; the field's default is class_default()"
                )
            field = field.evolve(default=read(failure_class))  # noqa: PLW2901  # the transformed field
        result.append(field)
    return result


@attrs.frozen(kw_only=True)
class PairedFailure(Failure, abstract=True):
    """Base of every family failure: ``to_exception()`` returns the document's exception.

    The exception class names its failure class (see `PairedException`); a
    failure class declares ``to_exception()``'s precise return type in an
    ``if TYPE_CHECKING:`` block.
    """

    exception_type: ClassVar[type[Exception]]
    _pairing: ClassVar[Pairing]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "__attrs_attrs__" in cls.__dict__:
            _check_keyword_defaults(cast(type[Failure], cls))
        super().__init_subclass__(**kwargs)

    def to_exception(self) -> Exception:
        """Return the document's exception for this failure, its cause chain attached."""
        return cast(Exception, self._pairing.exception_of(self))


def _check_keyword_defaults(cls: type[Failure]) -> None:
    for field in attrs.fields(cls):
        read = _KEYWORDS.get(field.name)
        if read is not None and field.default != read(cls):
            raise TypeError(
                f"{cls.__qualname__}.{field.name} defaults to {field.default!r}, not to its class"
                f" keyword ({read(cls)!r}): decorate the class with"
                " attrs.frozen(kw_only=True, field_transformer=keyword_defaults)"
            )


def derived_message(build: Callable[[Any], str]) -> Any:
    """A ``message`` field whose default is computed from the other fields.

    Mirrors documents whose constructor formats the message from its
    arguments (``f"Session not found: {session_id}"``): the failure built from
    the same fields gets the same message, and an explicit ``message`` wins.
    """
    return attrs.field(default=attrs.Factory(build, takes_self=True))
