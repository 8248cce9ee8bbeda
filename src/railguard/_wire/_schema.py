"""One schema per failure class, built once from its type hints and cached."""

from __future__ import annotations

import contextlib
import inspect
import sys
import threading
import typing
from collections.abc import Mapping
from typing import Any, Final

import attrs

from railguard.core import Failure, FailureGroup

from ._types import Codec, UnsupportedType, codec_for

__all__ = ["BASE_FIELDS", "FieldSpec", "Schema", "check", "schema_of"]

BASE_FIELDS: Final = frozenset({"message", "details", "cause", "retry_after"})
"""Fields every failure has; the record carries them under their own members."""

CONSTANT_FIELDS: Final = frozenset({"code", "status", "category"})
"""Class constants a subclass may redeclare as fields (``UnknownFailure``)."""


@attrs.frozen
class FieldSpec:
    """One typed field of a failure class."""

    key: str
    """Its member name on every wire (the class's ``wire_keys`` may rename it)."""
    alias: str
    """Its ``__init__`` argument."""
    name: str
    """Its attribute name."""
    codec: Codec
    required: bool


@attrs.frozen
class Schema:
    """Everything the record codec needs to know about a failure class, computed once."""

    cls: type[Failure]
    fields: tuple[FieldSpec, ...]
    """Typed fields beyond the base ones (redeclared ``code``/``status``/``category`` included)."""
    keys: frozenset[str]
    title: str | None
    """The class's default message (the problem ``title``), when it is a constant."""
    is_group: bool
    static: bool
    """Code, status and category are class constants (no field or property varies them)."""
    static_status: bool
    """Status and category are class constants (the code may vary per instance)."""
    templated: tuple[str, ...] | None
    """When the only typed fields redeclare ``code``/``status``/``category``: their names."""
    instance_code: bool
    instance_status: bool
    instance_category: bool
    default_code_only: bool = False
    """The only typed field is ``code``, defaulting to the class's code: a record of that
    code (without a ``fields`` member) has nothing more for the reader to pass."""


_schemas: dict[type[Failure], Schema] = {}
_lock = threading.Lock()
_BASE_PROPERTIES: Final = {name: Failure.__dict__[name] for name in CONSTANT_FIELDS}


def schema_of(cls: type[Failure]) -> Schema:
    """The (cached) schema of a failure class.

    Raises:
        TypeError: a field's type cannot travel (the message names the field).
    """
    schema = _schemas.get(cls)
    if schema is None:
        schema = _build(cls)
        with _lock:
            _schemas[cls] = schema
    return schema


def check(cls: type[Failure]) -> None:
    """Build the schema of a class being defined; refuse a field no wire can carry.

    Annotations naming something not defined yet (the class itself, a later class)
    are resolved at first use instead.
    """
    with contextlib.suppress(_Unresolved):
        schema_of(cls)


class _Unresolved(TypeError):
    """An annotation names something not (yet) defined."""


def _hints(cls: type) -> dict[str, object]:
    """The declared type of each attrs field, resolved one field at a time."""
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001, S110  # resolved field by field below
        pass
    resolved: dict[str, object] = {}
    for attribute in attrs.fields(cls):
        declared: object = attribute.type
        if isinstance(declared, str):
            owner = next(
                (k for k in cls.__mro__ if attribute.name in inspect.get_annotations(k)), cls
            )
            module = sys.modules.get(owner.__module__)
            namespace = {**(vars(module) if module else {}), cls.__name__: cls}
            try:
                declared = eval(declared, namespace)  # noqa: S307  # a class's own annotation, never input
            except NameError as exc:
                raise _Unresolved(f"{cls.__qualname__}.{attribute.name}: {exc}") from None
        resolved[attribute.name] = declared
    return resolved


def _nested_codecs(kind: type) -> dict[str, Codec]:
    hints = _hints(kind)
    codecs: dict[str, Codec] = {}
    for attribute in attrs.fields(kind):
        if attribute.init:
            codecs[attribute.name] = _field_codec(kind, attribute.name, hints.get(attribute.name))
    return codecs


def _field_codec(cls: type, name: str, hint: object) -> Codec:
    try:
        return codec_for(object if hint is None else hint, _nested_codecs)
    except UnsupportedType as exc:
        raise UnsupportedType(
            f"{cls.__qualname__}.{name}: {exc}; a failure field must be a type every wire "
            "can carry (str, int, float, bool, None, enums, Literal, datetime, date, UUID, "
            "Decimal, Path, tuples, lists, mappings, failures, attrs classes, JSONValue)"
        ) from None


def _wire_keys(cls: type[Failure]) -> Mapping[str, str]:
    keys: Any = getattr(cls, "wire_keys", None)
    return keys if isinstance(keys, Mapping) else {}


def _build(cls: type[Failure]) -> Schema:
    hints = _hints(cls)
    renamed = _wire_keys(cls)
    specs: list[FieldSpec] = []
    for attribute in attrs.fields(cls):
        if attribute.name in BASE_FIELDS or not attribute.init or not attribute.eq:
            continue  # e.g. InternalFailure.exception: local only, never on the wire
        specs.append(
            FieldSpec(
                key=renamed.get(attribute.name, attribute.alias),
                alias=attribute.alias,
                name=attribute.name,
                codec=_field_codec(cls, attribute.name, hints.get(attribute.name)),
                required=attribute.default is attrs.NOTHING,
            )
        )
    names = {a.name for a in attrs.fields(cls)}
    message_default = attrs.fields_dict(cls)["message"].default
    static = all(getattr(cls, name, None) is _BASE_PROPERTIES[name] for name in CONSTANT_FIELDS)
    return Schema(
        cls=cls,
        fields=tuple(specs),
        keys=frozenset(s.key for s in specs),
        title=message_default if isinstance(message_default, str) else None,
        is_group=issubclass(cls, FailureGroup),
        static=static,
        static_status=all(
            getattr(cls, name, None) is _BASE_PROPERTIES[name] for name in ("status", "category")
        ),
        templated=tuple(s.name for s in specs)
        if {s.name for s in specs} <= CONSTANT_FIELDS
        else None,
        instance_code="code" in names,
        instance_status="status" in names,
        instance_category="category" in names,
        default_code_only=[s.name for s in specs] == ["code"]
        and attrs.fields_dict(cls)["code"].default == cls.default_code,
    )
