"""Per-class field codecs: a failure's attrs fields to JSON values and back.

Each failure class gets one codec, built once from its attrs fields and type
hints and cached; encoding and decoding then only walk a short list. Decoding is
strict: a value of the wrong JSON type is reported, never coerced.
"""

from __future__ import annotations

import enum
import inspect
import sys
import types
import typing
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, Literal, TypeAlias

import attrs

from railguard.core import Details, Failure, JSONValue, freeze_json, thaw_json

__all__ = ["FRAME_KEYS", "ClassCodec", "FieldError", "Style", "class_codec"]

Style: TypeAlias = Literal["bridge", "envelope"]
"""Frame styles: the bridge document's flat frame, or a nested ``{"error": {...}}`` one."""

Encoder: TypeAlias = Callable[[Any, "Style"], object]
Decoder: TypeAlias = Callable[[object], Any]
FailureDecoder: TypeAlias = Callable[[object], Failure]


class FieldError(ValueError):
    """A frame's value does not fit the field it is meant for."""


# Base fields every failure has, with the frame key they travel under.
BASE_FIELDS = frozenset({"message", "details", "cause", "retry_after"})
# Instance fields some classes redeclare (``UnknownFailure``); their keys depend on the style.
CONSTANT_FIELDS = frozenset({"code", "status", "category"})


@attrs.frozen
class StyleKeys:
    """The frame keys of a style: where the string code and the status go."""

    code: str
    status: str
    reserved: frozenset[str]


_COMMON_KEYS = frozenset(
    {"message", "category", "kind", "details", "retry_after", "cause", "fields", "type"}
)
STYLE_KEYS: dict[str, StyleKeys] = {
    "bridge": StyleKeys(
        code="error_code", status="code", reserved=_COMMON_KEYS | {"code", "error_code"}
    ),
    "envelope": StyleKeys(code="code", status="status", reserved=_COMMON_KEYS | {"code", "status"}),
}

FRAME_KEYS: dict[str, dict[str, str]] = {
    "BRIDGE_MISSING_FIELD": {"field_name": "field"},
}
"""Typed fields whose frame key is not their name, by failure code (and its subclasses).

The bridge document's ``MissingFieldError`` frame names the field ``field``.
"""


@attrs.frozen
class FieldCodec:
    """How one typed field travels: its attribute, its frame key, its converters."""

    name: str
    alias: str
    key: str
    nested: bool
    """The key collides with a frame key: the value travels under ``"fields"``."""
    encode: Encoder | None
    decode: Decoder
    has_default: bool


@attrs.frozen
class ClassCodec:
    """The field codecs of one failure class, in declaration order."""

    cls: type[Failure]
    fields: tuple[FieldCodec, ...]
    taken: frozenset[str]
    """Frame keys in use by the frame itself and the typed fields: details cannot go flat there."""
    code: str | None
    """The class's code when every instance shares it, else ``None`` (read per instance)."""
    status: int | None
    """The class's status when every instance shares it, else ``None``."""
    instance_code: bool
    instance_status: bool
    instance_category: bool


# --- scalar converters ---------------------------------------------------------------


def _check_str(value: object) -> str:
    if not isinstance(value, str):
        raise FieldError(f"expected a string, got {_json_type(value)}")
    return value


def _check_int(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise FieldError(f"expected an integer, got {_json_type(value)}")
    return value


def _check_float(value: object) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise FieldError(f"expected a number, got {_json_type(value)}")
    return value


def _check_bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise FieldError(f"expected a boolean, got {_json_type(value)}")
    return value


def _check_none(value: object) -> None:
    if value is not None:
        raise FieldError(f"expected null, got {_json_type(value)}")


def _decode_status(value: object) -> HTTPStatus:
    number = _check_int(value)
    try:
        return HTTPStatus(number)
    except ValueError:
        raise FieldError(f"{number} is not an HTTP status") from None


def _decode_details(value: object) -> Details:
    if not isinstance(value, dict):
        raise FieldError(f"expected an object, got {_json_type(value)}")
    try:
        return Details(value)
    except (TypeError, ValueError) as exc:
        raise FieldError(str(exc)) from None


def _decode_json(value: object) -> JSONValue:
    try:
        return freeze_json(value)
    except (TypeError, ValueError) as exc:
        raise FieldError(str(exc)) from None


def _encode_json(value: Any, style: Style) -> object:
    return thaw_json(value)


def _json_type(value: object) -> str:  # noqa: PLR0911  # one per JSON type
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# --- building converters from type hints -----------------------------------------------

_failure_encoder: Callable[[Failure, Style], dict[str, object]]
_failure_decoder: FailureDecoder


def bind(encode: Callable[[Failure, Style], dict[str, object]], decode: FailureDecoder) -> None:
    """Wire the nested-failure converters (frames import this module, not the reverse)."""
    global _failure_encoder, _failure_decoder  # noqa: PLW0603  # set once at import
    _failure_encoder = encode
    _failure_decoder = decode


def _encode_failure(value: Any, style: Style) -> object:
    return _failure_encoder(value, style)


def _decode_failure_of(klass: type[Failure]) -> Decoder:
    def decode(value: object) -> Failure:
        failure = _failure_decoder(value)
        if not isinstance(failure, klass):
            raise FieldError(f"expected a {klass.__name__}, got {type(failure).__name__}")
        return failure

    return decode


def _enum_codec(tp: type[enum.Enum]) -> tuple[Encoder | None, Decoder]:
    def decode(value: object) -> enum.Enum:
        try:
            return tp(value)
        except ValueError:
            raise FieldError(f"{value!r} is not a {tp.__name__}") from None

    return (lambda value, style: value.value), decode


def _sequence_codec(item: object, factory: type[Any]) -> tuple[Encoder | None, Decoder]:
    encode_item, decode_item = _converters(item)

    def encode(value: Any, style: Style) -> object:
        if encode_item is None:
            return list(value)
        return [encode_item(v, style) for v in value]

    def decode(value: object) -> object:
        if not isinstance(value, list):
            raise FieldError(f"expected an array, got {_json_type(value)}")
        return factory(decode_item(v) for v in value)

    return encode, decode


def _union_codec(arms: tuple[object, ...]) -> tuple[Encoder | None, Decoder]:
    optional = type(None) in arms
    rest = [a for a in arms if a is not type(None)]
    converters = [(_runtime_type(a), *_converters(a)) for a in rest]

    def encode(value: Any, style: Style) -> object:
        if value is None:
            return None
        for runtime, enc, _ in converters:
            if runtime is None or isinstance(value, runtime):
                return value if enc is None else enc(value, style)
        return value

    def decode(value: object) -> object:
        if value is None and optional:
            return None
        errors: list[str] = []
        for _, _, dec in converters:
            try:
                return dec(value)
            except FieldError as exc:
                errors.append(str(exc))
        raise FieldError("; ".join(errors) or f"unexpected {_json_type(value)}")

    plain = all(enc is None for _, enc, _ in converters)
    return (None if plain else encode), decode


def _runtime_type(tp: object) -> type | tuple[type, ...] | None:
    origin = typing.get_origin(tp) or tp
    if isinstance(origin, typing.TypeVar):
        bound = origin.__bound__
        return _runtime_type(bound) if bound is not None else None
    if origin is float:
        return (int, float)
    if origin is JSONValue or tp == JSONValue:
        return None
    if isinstance(origin, type):
        return origin
    return None


def _converters(tp: object) -> tuple[Encoder | None, Decoder]:  # noqa: PLR0911, PLR0912  # one branch per type shape
    """The (encoder, decoder) of a declared type; ``None`` encoder means identity."""
    if isinstance(tp, typing.ForwardRef):
        tp = tp.__forward_arg__  # ``JSONValue`` is a string alias; nothing else is expected
    if isinstance(tp, typing.TypeVar):
        bound = tp.__bound__
        return _converters(bound) if bound is not None else (None, lambda v: v)
    if tp is str:
        return None, _check_str
    if tp is bool:
        return None, _check_bool
    if tp is int:
        return None, _check_int
    if tp is float:
        return None, _check_float
    if tp is type(None):
        return None, _check_none
    if tp is HTTPStatus:
        return (lambda value, style: int(value)), _decode_status
    if tp is Details:
        return _encode_json, _decode_details
    if tp is JSONValue or tp == JSONValue:
        return _encode_json, _decode_json
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        return _union_codec(args)
    if origin is Literal:
        allowed = set(args)

        def check_literal(value: object) -> object:
            if value not in allowed:
                raise FieldError(f"{value!r} is not one of {sorted(map(repr, allowed))}")
            return value

        return None, check_literal
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return _sequence_codec(args[0], tuple)
    if origin is list:
        return _sequence_codec(args[0], list)
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return _encode_json, _decode_details
    if isinstance(tp, type) and issubclass(tp, Mapping):
        return _encode_json, _decode_details
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return _enum_codec(tp)
    if isinstance(tp, type) and issubclass(tp, Failure):
        return _encode_failure, _decode_failure_of(tp)
    # Anything else travels as-is when JSON can carry it; decoding cannot check it.
    return None, lambda value: value


# --- class codecs ----------------------------------------------------------------------


def _inherits(cls: type[Failure], name: str) -> bool:
    """Whether ``cls`` reads ``name`` through `Failure`'s own property (a class constant)."""
    return getattr(cls, name) is getattr(Failure, name)


_codecs: dict[str, dict[type[Failure], ClassCodec]] = {style: {} for style in STYLE_KEYS}


def class_codec(cls: type[Failure], style: Style) -> ClassCodec:
    """The cached codec of ``cls`` in ``style``."""
    codecs = _codecs[style]
    codec = codecs.get(cls)
    if codec is None:
        codec = codecs[cls] = _build(cls, STYLE_KEYS[style])
    return codec


def _field_types(cls: type[Failure]) -> dict[str, object]:
    """The declared type of each attrs field, resolved one field at a time.

    ``typing.get_type_hints`` gives up on the whole class when one annotation
    (a ``ClassVar`` naming a typing-only import, say) cannot be resolved; here
    only that field falls back to "travels as-is".
    """
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001, S110  # resolved field by field below
        pass
    import railguard.core  # noqa: PLC0415  # names the core's annotations use

    fallback = vars(railguard.core)
    types_: dict[str, object] = {}
    for attribute in attrs.fields(cls):
        declared: object = attribute.type
        if isinstance(declared, str):
            owner = next(
                (k for k in cls.__mro__ if attribute.name in inspect.get_annotations(k)),
                cls,
            )
            namespace = {**fallback, **vars(sys.modules[owner.__module__])}
            try:
                declared = eval(declared, namespace)  # noqa: S307  # a class's own annotation, never input
            except Exception:  # noqa: BLE001  # unresolvable: travels as-is
                declared = object
        types_[attribute.name] = declared
    return types_


def _build(cls: type[Failure], keys: StyleKeys) -> ClassCodec:
    hints = _field_types(cls)
    names = {a.name for a in attrs.fields(cls)}
    renamed: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        code = getattr(klass, "default_code", None)
        if code is not None and klass.__dict__.get("default_code") == code:
            renamed.update(FRAME_KEYS.get(code, {}))
    fields: list[FieldCodec] = []
    for attribute in attrs.fields(cls):
        name = attribute.name
        if name in BASE_FIELDS or name in CONSTANT_FIELDS:
            continue
        if not attribute.init or not attribute.eq:
            continue  # e.g. InternalFailure.exception: local only, never on the wire
        encode, decode = _converters(hints.get(name, object))
        key = renamed.get(name, name)
        fields.append(
            FieldCodec(
                name=name,
                alias=attribute.alias,
                key=key,
                nested=key in keys.reserved,
                encode=encode,
                decode=decode,
                has_default=attribute.default is not attrs.NOTHING,
            )
        )
    constant_code = "code" not in names and _inherits(cls, "code")
    constant_status = (
        "status" not in names and _inherits(cls, "status") and _inherits(cls, "category")
    )
    # What Failure.status reads, computed once for the class.
    status = cls._default_status or cls.default_category.default_status
    return ClassCodec(
        cls=cls,
        fields=tuple(fields),
        taken=keys.reserved | {f.key for f in fields},
        code=cls.default_code if constant_code else None,
        status=int(status) if constant_status else None,
        instance_code="code" in names,
        instance_status="status" in names,
        instance_category="category" in names,
    )
