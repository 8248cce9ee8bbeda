"""Typed fields ⇄ JSON: one encoder and one strict decoder per declared field type.

A failure class's plan lists its typed fields (every attrs field beyond
``message``, ``details``, ``cause`` and ``retry_after``) with a codec built once
from the field's type hint. Decoding is strict: a JSON value of the wrong type
raises `Invalid`, which the public ``decode`` turns into a `MalformedFailure`.
"""

from __future__ import annotations

import enum
import math
import threading
import types
import typing
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Final

import attrs

from railguard.core import Details, Failure, FailureGroup, freeze_json, thaw_json

__all__ = [
    "BASE_FIELDS",
    "MAX_DEPTH",
    "MISSING",
    "Codec",
    "FieldSpec",
    "Invalid",
    "Plan",
    "plan_for",
    "set_failure_codec",
]

MAX_DEPTH: Final = 32
"""Deepest nesting accepted: failures in failures (causes, groups) and JSON values."""

BASE_FIELDS: Final = frozenset({"message", "details", "cause", "retry_after"})


class Invalid(Exception):  # internal signal, never escapes decode
    """The document does not fit the failure it names (wrong type, missing field, too deep)."""


class _Missing(enum.Enum):
    MISSING = enum.auto()


MISSING: Final = _Missing.MISSING

Encode = Callable[[Any], object]
Decode = Callable[[object, int], Any]
Accepts = Callable[[object], bool]


@attrs.frozen
class Codec:
    """How one declared type goes to JSON and back."""

    accepts: Accepts
    """Whether a Python value belongs to the type (picks the branch of a union)."""
    encode: Encode
    decode: Decode
    """JSON value and nesting depth → Python value; raises `Invalid`."""


@attrs.frozen
class FieldSpec:
    """One typed field of a failure class."""

    key: str
    """JSON member name and ``__init__`` argument (the attrs alias)."""
    name: str
    """Attribute name."""
    codec: Codec
    required: bool


@attrs.frozen
class Plan:
    """Everything the codecs need to know about a failure class, computed once."""

    cls: type[Failure]
    fields: tuple[FieldSpec, ...]
    keys: frozenset[str]
    title: str | None
    """The class's default message (the problem ``title``), when it is a constant."""
    is_group: bool
    static: bool
    """Code, status and category are the class's constants (no field or property varies them)."""
    templated: tuple[str, ...] | None
    """When the class's only typed fields redeclare ``code``, ``status`` or ``category``:
    their names (a message-only instance's body is then a template keyed by their values)."""


# -- failures inside failures -------------------------------------------------------

_failure_encode: Callable[[Failure, int], object] | None = None
_failure_decode: Callable[[object, int], Failure] | None = None


def set_failure_codec(
    encode: Callable[[Failure, int], object], decode: Callable[[object, int], Failure]
) -> None:
    """Install the record codec used for fields that hold failures (set by ``_records``)."""
    global _failure_encode, _failure_decode  # noqa: PLW0603  # one-time wiring of a cycle
    _failure_encode = encode
    _failure_decode = decode


def _codecs() -> tuple[Callable[[Failure, int], object], Callable[[object, int], Failure]]:
    if _failure_encode is None or _failure_decode is None:  # pragma: no cover  # wired on import
        raise RuntimeError("railguard.http._codec is not loaded")
    return _failure_encode, _failure_decode


def _failure_codec(cls: type[Failure]) -> Codec:
    def accepts(value: object) -> bool:
        return isinstance(value, cls)

    def encode(value: Failure) -> object:
        return _codecs()[0](value, 1)

    def decode(value: object, depth: int) -> Failure:
        failure = _codecs()[1](value, depth + 1)
        if not isinstance(failure, cls):
            raise Invalid(f"expected a {cls.__name__}, got {type(failure).__name__}")
        return failure

    return Codec(accepts, encode, decode)


# -- JSON values ----------------------------------------------------------------------


def check_json(value: object, depth: int) -> None:
    """Raise `Invalid` if a parsed JSON value nests deeper than `MAX_DEPTH` or holds NaN/inf."""
    if depth > MAX_DEPTH:
        raise Invalid("JSON nested too deeply")
    kind = type(value)
    if kind is dict:
        for item in typing.cast(dict[str, object], value).values():
            if type(item) in (dict, list, float):
                check_json(item, depth + 1)
    elif kind is list:
        for item in typing.cast(list[object], value):
            if type(item) in (dict, list, float):
                check_json(item, depth + 1)
    elif kind is float and not math.isfinite(typing.cast(float, value)):
        raise Invalid("JSON number out of range")
    elif kind not in (str, int, bool, float, type(None)):
        raise Invalid(f"not a JSON value: {kind.__name__}")


def freeze(value: object, depth: int) -> Any:
    """A parsed JSON value as a frozen JSON value (`Details`, tuples), checked."""
    check_json(value, depth)
    return freeze_json(value)


def _thaw_any(value: object) -> object:
    if isinstance(value, (Details, tuple)):
        return thaw_json(value)
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    try:
        return thaw_json(freeze_json(value))
    except (TypeError, ValueError):
        # not JSON-able: sent as text, documented as not round-tripping
        return str(value)


def _is_jsonable(value: object) -> bool:
    return value is None or isinstance(value, (str, int, float, bool, Details, tuple))


_JSON = Codec(_is_jsonable, _thaw_any, freeze)


def _details_decode(value: object, depth: int) -> Details:
    if type(value) is not dict:
        raise Invalid("expected a JSON object")
    return typing.cast(Details, freeze(value, depth))


_DETAILS = Codec(lambda v: isinstance(v, Details), _thaw_any, _details_decode)


# -- scalars --------------------------------------------------------------------------


def _identity(value: object) -> object:
    return value


def _exact(kind: type) -> Codec:
    def decode(value: object, depth: int) -> object:
        if type(value) is not kind:
            raise Invalid(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    if kind is int:
        return Codec(lambda v: isinstance(v, int) and not isinstance(v, bool), _identity, decode)
    return Codec(lambda v: isinstance(v, kind), _identity, decode)


def _float_encode(value: float) -> object:
    return value if math.isfinite(value) else None


def _float_decode(value: object, depth: int) -> object:
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(typing.cast(float, value))):
        return value
    raise Invalid(f"expected a number, got {kind.__name__}")


_FLOAT = Codec(
    lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), _float_encode, _float_decode
)


def _none_decode(value: object, depth: int) -> None:
    if value is not None:
        raise Invalid("expected null")


_NONE = Codec(lambda v: v is None, _identity, _none_decode)


def _enum_codec(kind: type[enum.Enum]) -> Codec:
    def encode(value: object) -> object:
        if not isinstance(value, enum.Enum):
            return _thaw_any(value)  # an undeclared plain value (418 for HTTPStatus)
        if isinstance(value, HTTPStatus):
            return int(value)
        raw = value.value
        if isinstance(raw, (str, int, float, bool)) or raw is None:
            return raw
        return value.name

    def decode(value: object, depth: int) -> enum.Enum:
        if type(value) not in (str, int, float, bool):
            raise Invalid(f"expected a {kind.__name__} value")
        try:
            return kind(value)
        except ValueError:
            raise Invalid(f"{value!r} is not a {kind.__name__}") from None

    return Codec(lambda v: isinstance(v, kind), encode, decode)


def _literal_codec(options: tuple[object, ...]) -> Codec:
    def same(a: object, b: object) -> bool:
        return type(a) is type(b) and a == b

    def accepts(value: object) -> bool:
        return any(same(value, option) for option in options)

    def encode(value: object) -> object:
        return value.value if isinstance(value, enum.Enum) else value

    def decode(value: object, depth: int) -> object:
        for option in options:
            plain = option.value if isinstance(option, enum.Enum) else option
            if same(value, plain):
                return option
        raise Invalid(f"{value!r} is not one of {options!r}")

    return Codec(accepts, encode, decode)


# -- containers -----------------------------------------------------------------------


def _sequence_codec(item: Codec, kind: type[tuple[object, ...]] | type[list[object]]) -> Codec:
    def encode(value: typing.Iterable[object]) -> object:
        return [item.encode(v) for v in value]

    def decode(value: object, depth: int) -> object:
        if type(value) is not list:
            raise Invalid("expected a JSON array")
        if depth > MAX_DEPTH:
            raise Invalid("JSON nested too deeply")
        return kind(item.decode(v, depth + 1) for v in typing.cast(list[object], value))

    return Codec(lambda v: isinstance(v, kind), encode, decode)


def _fixed_tuple_codec(items: tuple[Codec, ...]) -> Codec:
    def encode(value: tuple[object, ...]) -> object:
        return [c.encode(v) for c, v in zip(items, value, strict=True)]

    def decode(value: object, depth: int) -> object:
        if type(value) is not list or len(typing.cast(list[object], value)) != len(items):
            raise Invalid(f"expected a JSON array of {len(items)}")
        return tuple(
            c.decode(v, depth + 1)
            for c, v in zip(items, typing.cast(list[object], value), strict=True)
        )

    return Codec(lambda v: isinstance(v, tuple) and len(v) == len(items), encode, decode)


def _mapping_codec(item: Codec) -> Codec:
    def encode(value: Mapping[str, object]) -> object:
        return {str(k): item.encode(v) for k, v in value.items()}

    def decode(value: object, depth: int) -> object:
        if type(value) is not dict:
            raise Invalid("expected a JSON object")
        if depth > MAX_DEPTH:
            raise Invalid("JSON nested too deeply")
        items = typing.cast(dict[str, object], value).items()
        return {k: item.decode(v, depth + 1) for k, v in items}

    return Codec(lambda v: isinstance(v, Mapping), encode, decode)


def _union_codec(options: list[Codec]) -> Codec:
    if len(options) == 2 and _NONE in options:
        # the common ``X | None``: no search
        other = options[0] if options[1] is _NONE else options[1]

        def encode_optional(value: object) -> object:
            return None if value is None else other.encode(value)

        def decode_optional(value: object, depth: int) -> object:
            return None if value is None else other.decode(value, depth)

        return Codec(lambda v: v is None or other.accepts(v), encode_optional, decode_optional)

    def accepts(value: object) -> bool:
        return any(option.accepts(value) for option in options)

    def encode(value: object) -> object:
        for option in options:
            if option.accepts(value):
                return option.encode(value)
        return _thaw_any(value)

    def decode(value: object, depth: int) -> object:
        for option in options:
            try:
                return option.decode(value, depth)
            except Invalid:
                continue
        raise Invalid(f"{type(value).__name__} fits none of the union's types")

    return Codec(accepts, encode, decode)


_JSON_UNION_MEMBERS = frozenset({str, int, float, bool, type(None), Details})


def codec_for(hint: object) -> Codec:  # noqa: PLR0911, PLR0912  # one branch per type shape
    """The codec of a type hint (resolved by ``typing.get_type_hints``)."""
    if hint in (str, int, bool):
        return _exact(typing.cast(type, hint))
    if hint is float:
        return _FLOAT
    if hint is None or hint is type(None):
        return _NONE
    if hint is Details:
        return _DETAILS
    if hint in (Any, object) or isinstance(hint, (typing.ForwardRef, str)):
        # JSONValue's recursive member resolves to a forward reference
        return _JSON
    if isinstance(hint, typing.TypeVar):
        return codec_for(hint.__bound__) if hint.__bound__ is not None else _JSON
    if isinstance(hint, type):
        if issubclass(hint, Failure):
            return _failure_codec(hint)
        if issubclass(hint, enum.Enum):
            return _enum_codec(hint)
        if issubclass(hint, Mapping):
            return _DETAILS
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if set(args) >= _JSON_UNION_MEMBERS:
            return _JSON  # JSONValue
        return _union_codec([codec_for(a) for a in args])
    if origin is typing.Literal:
        return _literal_codec(args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _sequence_codec(codec_for(args[0]), tuple)
        return _fixed_tuple_codec(tuple(codec_for(a) for a in args))
    if origin is list:
        return _sequence_codec(codec_for(args[0]) if args else _JSON, list)
    if origin in (dict, Mapping) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return _mapping_codec(codec_for(args[1]) if len(args) == 2 else _JSON)
    if origin is typing.ClassVar:
        return _JSON
    return _JSON


# -- plans ----------------------------------------------------------------------------

_plans: dict[type[Failure], Plan] = {}
_CONSTANT_FIELDS: Final = frozenset({"code", "status", "category"})
_BASE_PROPERTIES: Final = {name: Failure.__dict__[name] for name in ("code", "status", "category")}
_plans_lock = threading.Lock()


def plan_for(cls: type[Failure]) -> Plan:
    """The (cached) plan of a failure class."""
    plan = _plans.get(cls)
    if plan is None:
        plan = _build_plan(cls)
        with _plans_lock:
            _plans[cls] = plan
    return plan


def _build_plan(cls: type[Failure]) -> Plan:
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001  # unresolvable annotations (a class local to a function)
        hints = {a.name: a.type for a in attrs.fields(cls) if not isinstance(a.type, str)}
    specs: list[FieldSpec] = []
    for attribute in attrs.fields(cls):
        if attribute.name in BASE_FIELDS or not attribute.init or not attribute.eq:
            continue
        required = attribute.default is attrs.NOTHING
        specs.append(
            FieldSpec(
                key=attribute.alias,
                name=attribute.name,
                codec=codec_for(hints.get(attribute.name, object)),
                required=required,
            )
        )
    message_default = attrs.fields_dict(cls)["message"].default
    static = all(getattr(cls, name, None) is _BASE_PROPERTIES[name] for name in _BASE_PROPERTIES)
    return Plan(
        cls=cls,
        fields=tuple(specs),
        keys=frozenset(s.key for s in specs),
        title=message_default if isinstance(message_default, str) else None,
        is_group=issubclass(cls, FailureGroup),
        static=static,
        templated=tuple(s.name for s in specs)
        if {s.name for s in specs} <= _CONSTANT_FIELDS
        else None,
    )
