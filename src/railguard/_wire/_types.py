"""Field types ⇄ JSON: one encoder and one strict decoder per declared type, built once.

Supported: ``str``, ``int``, ``float``, ``bool``, ``None``, enums (``HTTPStatus``,
``Category``, ...), ``Literal``, ``datetime``, ``date``, ``UUID``, ``Decimal``,
``Path``, ``tuple``/``list``/``Mapping`` of supported types, failures, attrs
classes of supported fields, ``JSONValue``/``Details``/``Any``, and unions whose
members can be told apart on the wire. Anything else is refused with
`UnsupportedType` when the schema is built (the class's definition).

Non-finite floats: a ``float`` field holding NaN or an infinity travels as the
string ``"NaN"``, ``"Infinity"`` or ``"-Infinity"`` (protobuf's JSON mapping), on
every wire, and comes back as the same float.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import types
import typing
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any, Final

import attrs

from railguard.core import Details, Failure, JSONValue, freeze_json, thaw_json

from ._json import MAX_DEPTH, WireError

_trusted = Details._trusted  # frozen values built here, read on the hot path

__all__ = ["Codec", "UnsupportedType", "codec_for", "set_failure_codec"]

Encode = Callable[[Any, Any], object]
"""(value, layout) → JSON-ready value; the layout says how nested failures are written."""
Decode = Callable[[object, int, Any], Any]
"""(JSON value, depth, layout) → Python value; raises `WireError`."""


class UnsupportedType(TypeError):
    """A declared field type that no wire can carry and bring back."""


@attrs.frozen
class Codec:
    """How one declared type goes to JSON and back."""

    accepts: Callable[[object], bool]
    """Whether a Python value belongs to the type (picks the member of a union)."""
    encode: Encode
    decode: Decode
    kinds: frozenset[str]
    """The JSON kinds the type is written as (``string``, ``number``, ...)."""
    plain: bool = False
    """Encoding is the identity (str, int, bool, None): writers may skip the call."""


_STRING = frozenset({"string"})
_NUMBER = frozenset({"number"})
_ANY = frozenset({"string", "number", "boolean", "null", "array", "object"})


# -- failures inside failures ---------------------------------------------------------

_failure_encode: Callable[[Failure, Any], object] | None = None
_failure_decode: Callable[[object, int, Any], Failure] | None = None


def set_failure_codec(
    encode: Callable[[Failure, Any], object], decode: Callable[[object, int, Any], Failure]
) -> None:
    """Install the record writer and reader used for fields that hold failures."""
    global _failure_encode, _failure_decode  # noqa: PLW0603  # one-time wiring of a cycle
    _failure_encode = encode
    _failure_decode = decode


def _failure_codec(cls: type[Failure]) -> Codec:
    def encode(value: Failure, layout: Any) -> object:
        assert _failure_encode is not None  # noqa: S101  # wired when _record is imported
        return _failure_encode(value, layout)

    def decode(value: object, depth: int, layout: Any) -> Failure:
        assert _failure_decode is not None  # noqa: S101  # wired when _record is imported
        failure = _failure_decode(value, depth + 1, layout)
        if not isinstance(failure, cls):
            raise WireError(f"expected a {cls.__name__}, got {type(failure).__name__}")
        return failure

    return Codec(lambda v: isinstance(v, cls), encode, decode, frozenset({"object"}))


# -- JSON values ----------------------------------------------------------------------


def check_json(value: object, depth: int) -> None:
    """Raise `WireError` if a parsed JSON value nests deeper than `MAX_DEPTH`."""
    if depth > MAX_DEPTH:
        raise WireError("JSON nested too deeply")
    kind = type(value)
    if kind is dict:
        for item in typing.cast(dict[str, object], value).values():
            if type(item) in (dict, list):
                check_json(item, depth + 1)
    elif kind is list:
        for item in typing.cast(list[object], value):
            if type(item) in (dict, list):
                check_json(item, depth + 1)


def freeze(value: object, depth: int) -> Any:
    """A parsed JSON value as a frozen JSON value (`Details`, tuples), checked."""
    if depth <= MAX_DEPTH:
        try:
            return _frozen(value, depth)
        except _Unusual:
            pass  # the checked path below says what is wrong, in its words
    check_json(value, depth)
    try:
        return freeze_json(value)
    except (TypeError, ValueError) as exc:
        raise WireError(str(exc)) from None


class _Unusual(Exception):  # a signal, not an error
    """A value the one-pass freezer leaves to the checked path."""


def _frozen(value: object, depth: int) -> Any:
    """`freeze_json` in one pass for what a JSON parser gives (exact types, finite floats).

    Raises `_Unusual` for anything else (too deep, a non-finite float, another type),
    which `freeze` then hands to the checked path.
    """
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]  # a float
            return value
        raise _Unusual
    if depth > MAX_DEPTH:
        raise _Unusual
    if kind is dict:
        frozen: dict[str, JSONValue] = {}
        for key, item in value.items():  # type: ignore[attr-defined]  # a dict
            if type(key) is not str:
                raise _Unusual
            item_kind = type(item)
            frozen[key] = (
                item
                if item_kind is str or item_kind is int or item_kind is bool or item is None
                else _frozen(item, depth + 1)
            )
        return _trusted(frozen)
    if kind is list:
        return tuple([_frozen(item, depth + 1) for item in value])  # type: ignore[attr-defined]  # a list
    raise _Unusual


def freeze_fresh(obj: dict[str, object], depth: int) -> Details:
    """`freeze` of an object the caller has just built to be frozen: no second copy.

    The dict itself becomes the `Details` (its values frozen in place, as `freeze`
    freezes them: nested values are copied, since they may belong to someone else).
    """
    if depth <= MAX_DEPTH:
        try:
            for key, item in obj.items():
                if type(key) is not str:
                    raise _Unusual
                kind = type(item)
                if kind is dict or kind is list or kind is float:
                    obj[key] = _frozen(item, depth + 1)  # same key: no resize
            return _trusted(typing.cast(dict[str, JSONValue], obj))
        except _Unusual:
            pass  # the checked path says what is wrong, in its words
    return typing.cast(Details, freeze(obj, depth))


def freeze_owned(document: object) -> Any:
    """`freeze` of a document `read_json` just gave, which nobody else holds.

    Its objects become the `Details` themselves (each dict is wrapped, not copied, its
    nested values frozen in place) and its arrays tuples, so the frozen value costs a
    wrapper per object instead of a second tree; equal small objects of plain values
    (``{"type": "VALIDATION"}`` ten thousand times) become one shared `Details`, which
    immutability makes invisible. The document must not be used after. Raises
    `WireError` as `freeze` does (a non-finite float, nesting beyond `MAX_DEPTH`).
    """
    try:
        return _frozen_in_place(document, 0, {})
    except _Unusual:
        pass  # the checked path says what is wrong, in its words
    return freeze(document, 0)


_SHARED_OBJECTS: Final = 1024
"""At most this many distinct small objects are remembered per document for sharing."""
_SMALL_OBJECT: Final = 8
"""Objects of at most this many members (none of them an object, array or float) are shared."""
_Shared = dict[tuple[tuple[tuple[str, object], ...], tuple[type, ...]], Details]


def _frozen_in_place(value: object, depth: int, shared: _Shared) -> Any:
    kind = type(value)
    if kind is dict:
        if depth > MAX_DEPTH:
            raise _Unusual
        obj = typing.cast(dict[str, object], value)
        small = len(obj) <= _SMALL_OBJECT
        for key, item in obj.items():
            item_kind = type(item)
            if item_kind is dict or item_kind is list or item_kind is float:
                obj[key] = _frozen_in_place(item, depth + 1, shared)  # same key: no resize
                small = False  # (a float: -0.0 == 0.0, so not a sharing key)
        frozen = typing.cast(dict[str, JSONValue], obj)
        if not small:
            return _trusted(frozen)
        # the types too: 1, 1.0 and true are equal keys but different JSON
        signature = (tuple(frozen.items()), tuple(map(type, frozen.values())))
        found = shared.get(signature)
        if found is None:
            found = _trusted(frozen)
            if len(shared) < _SHARED_OBJECTS:
                shared[signature] = found
        return found
    if kind is list:
        if depth > MAX_DEPTH:
            raise _Unusual
        items = typing.cast(list[object], value)
        for index, item in enumerate(items):
            item_kind = type(item)
            if item_kind is dict or item_kind is list or item_kind is float:
                items[index] = _frozen_in_place(item, depth + 1, shared)
        return tuple(items)
    if kind is float and not math.isfinite(value):  # type: ignore[arg-type]  # a float
        raise _Unusual
    return value


def _thaw(value: object, layout: Any) -> object:
    if isinstance(value, (Details, tuple)):
        return thaw_json(value)
    return value


def _is_json(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, Details, tuple))


_JSON = Codec(_is_json, _thaw, lambda value, depth, layout: freeze(value, depth), _ANY)


def _details_decode(value: object, depth: int, layout: Any) -> Details:
    if type(value) is not dict:
        raise WireError("expected a JSON object")
    return typing.cast(Details, freeze(value, depth))


_DETAILS = Codec(lambda v: isinstance(v, Details), _thaw, _details_decode, frozenset({"object"}))


# -- scalars --------------------------------------------------------------------------


def _identity(value: object, layout: Any) -> object:
    return value


def _exact(kind: type, json_kind: str) -> Codec:
    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not kind:
            raise WireError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    if kind is int:
        return Codec(
            lambda v: isinstance(v, int) and not isinstance(v, bool),
            _identity,
            decode,
            _NUMBER,
            plain=True,
        )
    return Codec(lambda v: isinstance(v, kind), _identity, decode, frozenset({json_kind}), True)


_NON_FINITE: Final = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _float_encode(value: float, layout: Any) -> object:
    if math.isfinite(value):
        return value
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _float_decode(value: object, depth: int, layout: Any) -> object:
    kind = type(value)
    if kind is float or kind is int:
        return value
    if kind is str and value in _NON_FINITE:
        return _NON_FINITE[value]
    raise WireError(f"expected a number, got {kind.__name__}")


_FLOAT = Codec(
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    _float_encode,
    _float_decode,
    _NUMBER,
)


def _none_decode(value: object, depth: int, layout: Any) -> None:
    if value is not None:
        raise WireError("expected null")


_NONE = Codec(lambda v: v is None, _identity, _none_decode, frozenset({"null"}), plain=True)


def _text_codec(kind: type, parse: Callable[[str], object], show: Callable[[Any], str]) -> Codec:
    """A type written as a string (datetime, UUID, Decimal, Path, ...)."""

    def encode(value: object, layout: Any) -> object:
        return show(value)

    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not str:
            raise WireError(f"expected a {kind.__name__} string, got {type(value).__name__}")
        try:
            return parse(value)
        except (ValueError, TypeError, InvalidOperation):
            raise WireError(f"{value[:40]!r} is not a {kind.__name__}") from None

    return Codec(lambda v: isinstance(v, kind), encode, decode, _STRING)


def _date_parse(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


_TEXT_TYPES: Final[dict[type, Codec]] = {
    dt.datetime: _text_codec(dt.datetime, dt.datetime.fromisoformat, dt.datetime.isoformat),
    dt.date: _text_codec(dt.date, _date_parse, dt.date.isoformat),
    dt.time: _text_codec(dt.time, dt.time.fromisoformat, dt.time.isoformat),
    uuid.UUID: _text_codec(uuid.UUID, uuid.UUID, str),
    Decimal: _text_codec(Decimal, Decimal, str),
}


def _path_codec(kind: type[PurePath]) -> Codec:
    return _text_codec(kind, kind, str)


def _enum_codec(kind: type[enum.Enum]) -> Codec:
    values = [member.value for member in kind]
    if not all(type(v) in (str, int, float, bool) for v in values):
        raise UnsupportedType(f"{kind.__name__} has values JSON cannot carry")

    def encode(value: object, layout: Any) -> object:
        if isinstance(value, enum.Enum):
            return value.value if type(value.value) is not int else int(value.value)
        return value  # a plain value a class accepts for its enum field (418 for HTTPStatus)

    def decode(value: object, depth: int, layout: Any) -> enum.Enum:
        if type(value) not in (str, int, float, bool):
            raise WireError(f"expected a {kind.__name__} value")
        try:
            return kind(value)
        except ValueError:
            raise WireError(f"{value!r} is not a {kind.__name__}") from None

    return Codec(lambda v: isinstance(v, kind), encode, decode, _kinds_of(values))


def _kinds_of(values: list[object]) -> frozenset[str]:
    names = {str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}
    return frozenset(names[type(v)] for v in values)


def _literal_codec(options: tuple[object, ...]) -> Codec:
    plain = [o.value if isinstance(o, enum.Enum) else o for o in options]
    if not all(type(v) in (str, int, float, bool, type(None)) for v in plain):
        raise UnsupportedType(f"Literal{list(options)!r} has values JSON cannot carry")

    def same(a: object, b: object) -> bool:
        return type(a) is type(b) and a == b

    def accepts(value: object) -> bool:
        return any(same(value, option) for option in options)

    def encode(value: object, layout: Any) -> object:
        return value.value if isinstance(value, enum.Enum) else value

    def decode(value: object, depth: int, layout: Any) -> object:
        for option, wire in zip(options, plain, strict=True):
            if same(value, wire):
                return option
        raise WireError(f"{value!r} is not one of {plain!r}")

    return Codec(accepts, encode, decode, _kinds_of(plain))


# -- containers -----------------------------------------------------------------------


def _sequence_codec(item: Codec, kind: type[tuple[object, ...]] | type[list[object]]) -> Codec:
    item_encode, item_decode = item.encode, item.decode

    def encode(value: typing.Iterable[object], layout: Any) -> object:
        if item.plain:
            return list(value)
        return [item_encode(v, layout) for v in value]

    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not list:
            raise WireError("expected a JSON array")
        if depth > MAX_DEPTH:
            raise WireError("JSON nested too deeply")
        return kind(item_decode(v, depth + 1, layout) for v in typing.cast(list[object], value))

    return Codec(lambda v: isinstance(v, kind), encode, decode, frozenset({"array"}))


def _fixed_tuple_codec(items: tuple[Codec, ...]) -> Codec:
    def encode(value: tuple[object, ...], layout: Any) -> object:
        return [c.encode(v, layout) for c, v in zip(items, value, strict=True)]

    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not list or len(typing.cast(list[object], value)) != len(items):
            raise WireError(f"expected a JSON array of {len(items)}")
        return tuple(
            c.decode(v, depth + 1, layout)
            for c, v in zip(items, typing.cast(list[object], value), strict=True)
        )

    def accepts(value: object) -> bool:
        return isinstance(value, tuple) and len(value) == len(items)

    return Codec(accepts, encode, decode, frozenset({"array"}))


def _mapping_codec(item: Codec, kind: type) -> Codec:
    def encode(value: Mapping[str, object], layout: Any) -> object:
        return {k: item.encode(v, layout) for k, v in value.items()}

    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not dict:
            raise WireError("expected a JSON object")
        if depth > MAX_DEPTH:
            raise WireError("JSON nested too deeply")
        items = typing.cast(dict[str, object], value).items()
        decoded = {k: item.decode(v, depth + 1, layout) for k, v in items}
        return decoded if kind in (dict, Mapping) else kind(decoded)

    return Codec(lambda v: isinstance(v, Mapping), encode, decode, frozenset({"object"}))


def _attrs_codec(kind: type, resolve: Callable[[type], dict[str, Codec]]) -> Codec:
    """A plain attrs class: a JSON object of its init fields, by their aliases."""
    fields = [a for a in attrs.fields(kind) if a.init]
    codecs = resolve(kind)

    def encode(value: object, layout: Any) -> object:
        return {a.alias: codecs[a.name].encode(getattr(value, a.name), layout) for a in fields}

    def decode(value: object, depth: int, layout: Any) -> object:
        if type(value) is not dict:
            raise WireError(f"expected a {kind.__name__} object")
        if depth > MAX_DEPTH:
            raise WireError("JSON nested too deeply")
        obj = typing.cast(dict[str, object], value)
        kwargs = {
            a.alias: codecs[a.name].decode(obj[a.alias], depth + 1, layout)
            for a in fields
            if a.alias in obj
        }
        try:
            return kind(**kwargs)
        except Exception as exc:  # noqa: BLE001  # a validator or a missing field
            raise WireError(f"{kind.__name__} refused the value ({type(exc).__name__})") from None

    return Codec(lambda v: isinstance(v, kind), encode, decode, frozenset({"object"}))


def _union_codec(options: list[Codec], hint: object) -> Codec:
    _check_distinct(options, hint)
    if len(options) == 2 and _NONE in options:
        # the common ``X | None``: no search
        other = options[0] if options[1] is _NONE else options[1]
        other_encode, other_decode = other.encode, other.decode

        def encode_optional(value: object, layout: Any) -> object:
            return None if value is None else other_encode(value, layout)

        def decode_optional(value: object, depth: int, layout: Any) -> object:
            return None if value is None else other_decode(value, depth, layout)

        return Codec(
            lambda v: v is None or other.accepts(v),
            encode_optional,
            decode_optional,
            other.kinds | {"null"},
            plain=other.plain,
        )

    def accepts(value: object) -> bool:
        return any(option.accepts(value) for option in options)

    def encode(value: object, layout: Any) -> object:
        for option in options:
            if option.accepts(value):
                return option.encode(value, layout)
        return value

    def decode(value: object, depth: int, layout: Any) -> object:
        for option in options:
            try:
                return option.decode(value, depth, layout)
            except WireError:
                continue
        raise WireError(f"{type(value).__name__} fits none of the union's types")

    kinds = frozenset().union(*(o.kinds for o in options))
    return Codec(accepts, encode, decode, kinds)


def _check_distinct(options: list[Codec], hint: object) -> None:
    """Refuse a union whose members write the same JSON kind (the reader could not choose).

    Allowed overlaps: ``int`` with ``float`` (JSON tells ``1`` from ``1.0``) and
    failure classes with each other (their code names the class).
    """
    seen: dict[str, Codec] = {}
    for option in options:
        for kind in option.kinds:
            other = seen.get(kind)
            if other is None or _tellable(other, option):
                seen[kind] = option
                continue
            raise UnsupportedType(f"the members of {hint} cannot be told apart on the wire")


def _tellable(a: Codec, b: Codec) -> bool:
    if {a.kinds, b.kinds} <= {_NUMBER} and {a, b} <= {_FLOAT, _INT}:
        return True
    return a.decode.__qualname__ == b.decode.__qualname__ == _FAILURE_DECODE_NAME


_INT = _exact(int, "number")
_FAILURE_DECODE_NAME: Final = _failure_codec(Failure).decode.__qualname__
_JSON_UNION_MEMBERS: Final = frozenset({str, int, float, bool, type(None), Details})
_PLAIN: Final[dict[object, Codec]] = {
    str: _exact(str, "string"),
    int: _INT,
    bool: _exact(bool, "boolean"),
    float: _FLOAT,
    None: _NONE,
    type(None): _NONE,
    Details: _DETAILS,
    Any: _JSON,
    object: _JSON,
}


def codec_for(  # noqa: PLR0911, PLR0912  # one branch per type shape
    hint: object, resolve: Callable[[type], dict[str, Codec]]
) -> Codec:
    """The codec of a resolved type hint; `UnsupportedType` for one no wire can carry.

    Args:
        hint: the field's type, as ``typing.get_type_hints`` resolves it.
        resolve: the field codecs of a plain attrs class (for nested attrs values).
    """
    try:
        plain = _PLAIN.get(hint)
    except TypeError:  # an unhashable annotation
        plain = None
    if plain is not None:
        return plain
    if isinstance(hint, (typing.ForwardRef, str)):
        # JSONValue's recursive member resolves to a forward reference
        if str(getattr(hint, "__forward_arg__", hint)) in ("JSONValue", JSONValue):
            return _JSON
        raise UnsupportedType(f"{hint!r} is not a resolved type")
    if isinstance(hint, typing.TypeVar):
        return codec_for(hint.__bound__, resolve) if hint.__bound__ is not None else _JSON
    if isinstance(hint, type):
        found = _class_codec(hint, resolve)
        if found is not None:
            return found
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if set(args) >= _JSON_UNION_MEMBERS:
            return _JSON  # JSONValue
        return _union_codec([codec_for(a, resolve) for a in args], hint)
    if origin is typing.Literal:
        return _literal_codec(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence_codec(codec_for(args[0], resolve), tuple)
        return _fixed_tuple_codec(tuple(codec_for(a, resolve) for a in args))
    if origin is list:
        return _sequence_codec(codec_for(args[0], resolve) if args else _JSON, list)
    if isinstance(origin, type) and issubclass(origin, Mapping):
        if args and args[0] is not str:
            raise UnsupportedType(f"{hint}: JSON object keys are strings")
        item = codec_for(args[1], resolve) if len(args) == 2 else _JSON
        return _mapping_codec(item, dict if origin is Mapping else origin)
    if typing.get_origin(hint) is typing.Annotated:  # pragma: no cover  # stripped by hints
        return codec_for(args[0], resolve)
    raise UnsupportedType(f"{hint!r} cannot be written as JSON and read back")


def _class_codec(  # noqa: PLR0911  # one branch per kind of class
    hint: type, resolve: Callable[[type], dict[str, Codec]]
) -> Codec | None:
    if issubclass(hint, Failure):
        return _failure_codec(hint)
    if issubclass(hint, enum.Enum):
        return _enum_codec(hint)
    if issubclass(hint, dt.datetime):
        return _TEXT_TYPES[dt.datetime]
    text = _TEXT_TYPES.get(hint)
    if text is not None:
        return text
    if issubclass(hint, PurePath):
        return _path_codec(hint)
    if issubclass(hint, Mapping):
        return _DETAILS
    if attrs.has(hint):
        return _attrs_codec(hint, resolve)
    return None
