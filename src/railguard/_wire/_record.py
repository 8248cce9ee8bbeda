"""The record codec: a failure ⇄ a JSON-ready record, written in one of several layouts.

A *record* is what every wire carries of a failure: its code, message, typed
fields, details, retry hint, cause and group members. A `Layout` says where each
member goes and under which key (the agents ``errors`` item, the problem
document, the bridge frame, the envelope frame); `write` and `read` are the one
writer and the one reader, whatever the layout.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final, NamedTuple, cast

import attrs

from railguard.core import (
    MAX_RETRY_AFTER,
    Category,
    Details,
    Failure,
    UnknownFailure,
    lookup,
    parse_retry_after,
    thaw_json,
)
from railguard.core._registry import BY_CODE  # the registry, read on the hot path

from ._json import MAX_DEPTH, WireError, dumps, excerpt
from ._schema import (
    CONSTANT_FIELDS,
    FieldSpec,
    Schema,
    _schemas,  # the cache, read on the hot path
    schema_of,
)
from ._types import freeze, freeze_fresh, set_failure_codec

__all__ = ["COMMON_MEMBERS", "Context", "Layout", "read", "wire_status", "write"]

COMMON_MEMBERS: Final = frozenset({"kind", "details", "cause", "retry_after", "fields"})
"""Members every layout reserves: the class (``kind``), details, cause, hint, ``fields``."""


@attrs.frozen
class Layout:
    """Where a record's members go in one wire form, and under which keys."""

    name: str
    code: str
    """The member holding the failure code."""
    message: str
    """The member holding the message."""
    status: str | None
    """The member holding the status, when the form has one."""
    status_always: bool
    """Write the status for every failure (else only when the instance varies it)."""
    category_always: bool
    """Write the category for every failure (else only when the instance varies it)."""
    reserved: frozenset[str]
    """Members the form itself uses; a typed field of such a name travels in ``fields``."""
    head: Mapping[str, object] = attrs.field(factory=dict)
    """Constant members written first (``{"type": "error"}``)."""
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    """Typed field → member carrying it (a group's ``failures`` → ``errors``)."""
    flat_details: bool = False
    """Details are merged into the object (the bridge ``to_dict()``), clashing keys nested."""
    keep_unknown: bool = False
    """Members neither the form nor the class reads are kept in details when read (a
    foreign record loses nothing); always so with ``flat_details``."""
    nested_name: str | None = None
    """The layout of causes and failures held in fields (default: this one)."""
    order: tuple[str, ...] = ("code", "message", "status")
    """The order of the record's own members (``code``, ``message``, ``status``)."""

    @property
    def nested(self) -> Layout:
        """The layout of failures inside this one."""
        return LAYOUTS[self.nested_name] if self.nested_name is not None else self


LAYOUTS: dict[str, Layout] = {}
"""Every layout by name (filled by `layout`)."""


def layout(*, extra_reserved: frozenset[str] = frozenset(), **kwargs: Any) -> Layout:
    """Declare a layout (one row) and return it.

    Its reserved members are its own (code, message, status, category, head), the
    common ones (`COMMON_MEMBERS`) and ``extra_reserved``.
    """
    declared = Layout(**kwargs, reserved=frozenset())
    own = {declared.code, declared.message, "category", *declared.head}
    if declared.status is not None:
        own.add(declared.status)
    declared = attrs.evolve(declared, reserved=frozenset(own) | COMMON_MEMBERS | extra_reserved)
    LAYOUTS[declared.name] = declared
    return declared


# -- writing ------------------------------------------------------------------------------


class _Constants:
    __slots__ = ("category", "code", "status")

    def __init__(self, code: str, status: int, category: str) -> None:
        self.code = code
        self.status = status
        self.category = category


_constants: dict[type[Failure], _Constants] = {}


def wire_status(failure: Failure) -> int:
    """The status a failure answers with on the wire: its own when 4xx/5xx, else its category's."""
    status: object = failure.status  # a redeclared field may hold a plain int
    if isinstance(status, int) and 400 <= status <= 599:  # error statuses
        return int(status)
    return int(failure.category.default_status)


def constants(failure: Failure, schema: Schema) -> _Constants:
    """Code, wire status and category value; computed once per class when constant."""
    if schema.static_status:
        found = _constants.get(schema.cls)
        if found is None:
            found = _constants[schema.cls] = _Constants(
                schema.cls.default_code, wire_status(failure), failure.category.value
            )
        if schema.static:
            return found
        code = failure.code
        if code == found.code:
            return found  # the instance keeps its class's code
        return _Constants(code, found.status, found.category)
    return _Constants(failure.code, wire_status(failure), failure.category.value)


def _status_value(failure: Failure) -> object:
    status: object = failure.status
    return int(status) if isinstance(status, int) else status


def write(  # noqa: PLR0912  # one branch per member, inline on the hot path
    failure: Failure,
    form: Layout,
    doc: dict[str, object] | None = None,
    depth: int = 0,
) -> dict[str, object]:
    """Write ``failure``'s record into ``doc`` (a new object by default) in layout ``form``.

    Raises:
        TypeError: a field holds a value its declared type does not allow.
    """
    cls = type(failure)
    schema = schema_of(cls)
    fixed = constants(failure, schema)
    if doc is None:
        doc = dict(form.head) if form.head else {}
    status_key = form.status
    for member in form.order:
        if member == "code":
            doc[form.code] = fixed.code
        elif member == "message":
            doc[form.message] = failure.message
        elif status_key is not None and (form.status_always or schema.instance_status):
            doc[status_key] = _status_value(failure) if schema.instance_status else fixed.status
    if form.category_always or schema.instance_category:
        doc["category"] = fixed.category
    if not schema.static and lookup(fixed.code) is not cls:
        doc["kind"] = cls.default_code  # the class, when the instance's code names another
    if schema.fields:
        _write_fields(failure, schema, form, doc, depth)
    details = failure.details
    if details:
        if form.flat_details:
            _flat_details(failure, schema, form, doc)
        else:
            doc["details"] = _thawed(details)
    retry_after = failure.retry_after
    if retry_after is not None:
        hint = _hint(retry_after)
        if hint is not None:
            doc["retry_after"] = hint
    cause = failure.cause
    if cause is not None and depth < MAX_DEPTH:
        doc["cause"] = write(cause, form.nested, None, depth + 1)
    return doc


_SCALARS: Final = frozenset({str, int, float, bool, type(None)})


def _thawed(details: Details) -> dict[str, object]:
    """`thaw_json` of details, scalars copied without a call each."""
    return {
        key: value if type(value) in _SCALARS else thaw_json(value)
        for key, value in details._data.items()  # read on the hot path
    }


def _hint(value: float) -> float | None:
    """A hint as it may travel: finite, non-negative, capped (`parse_retry_after`'s range)."""
    if type(value) is int and 0 <= value <= MAX_RETRY_AFTER:
        return value
    if type(value) is float and math.isfinite(value) and 0 <= value <= MAX_RETRY_AFTER:
        return value
    return parse_retry_after(value)


_PUT, _RESERVED, _ALIASED = 0, 1, 2


class _Slot(NamedTuple):
    """Where one typed field goes in one layout (worked out once per class and layout)."""

    name: str
    key: str
    member: str
    encode: Any
    """The field's encoder, or ``None`` when its JSON value is the value itself."""
    mode: int
    """`_PUT`: its own member; `_RESERVED`: the form uses the name (``fields`` unless the
    form already holds the same value); `_ALIASED`: the form's place for it."""


_slots: dict[tuple[type[Failure], str], tuple[_Slot, ...]] = {}


def _slots_of(schema: Schema, form: Layout) -> tuple[_Slot, ...]:
    key = (schema.cls, form.name)
    found = _slots.get(key)
    if found is None:
        slots: list[_Slot] = []
        for spec in schema.fields:
            name = spec.name
            if name in CONSTANT_FIELDS and (name != "status" or form.status is not None):
                continue  # written as the record's own code, status and category
            encode = None if spec.codec.plain else spec.codec.encode
            alias = form.aliases.get(spec.key)
            if alias is not None:
                slots.append(_Slot(name, spec.key, alias, encode, _ALIASED))
            elif spec.key in form.reserved:
                slots.append(_Slot(name, spec.key, spec.key, encode, _RESERVED))
            else:
                slots.append(_Slot(name, spec.key, spec.key, encode, _PUT))
        found = _slots[key] = tuple(slots)
    return found


def _write_fields(
    failure: Failure, schema: Schema, form: Layout, doc: dict[str, object], depth: int
) -> None:
    extra: dict[str, object] | None = None
    nested = None
    for name, key, member, encode, mode in _slots_of(schema, form):
        value = getattr(failure, name)
        if encode is not None:
            if nested is None:
                nested = _Nest(form.nested, depth + 1)
            value = encode(value, nested)
        if mode == _PUT or (mode == _ALIASED and member not in doc):
            doc[member] = value
            continue
        if member in doc and _same(doc[member], value):
            continue
        if extra is None:
            extra = {}
        extra[key] = value
    if extra:
        doc["fields"] = extra


_ABSENT: Final = object()


def _same(a: object, b: object) -> bool:
    """JSON equality that tells ``1``, ``1.0`` and ``true`` apart."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        da, db = cast(dict[str, object], a), cast(dict[str, object], b)
        return da.keys() == db.keys() and all(_same(v, db[k]) for k, v in da.items())
    if type(a) is list:
        la, lb = cast(list[object], a), cast(list[object], b)
        return len(la) == len(lb) and all(_same(x, y) for x, y in zip(la, lb, strict=True))
    return a == b


def _flat_details(failure: Failure, schema: Schema, form: Layout, doc: dict[str, object]) -> None:
    """The bridge ``to_dict()``: details merge into the object; clashing keys nest."""
    nested: dict[str, object] | None = None
    reserved = form.reserved
    keys = schema.keys
    for key, value in failure.details.items():
        plain = value if type(value) in _SCALARS else thaw_json(value)
        if key in doc or key in reserved or key in keys:
            if nested is None:
                nested = {}
            nested[key] = plain
        else:
            doc[key] = plain
    if nested is not None:
        doc["details"] = nested


# -- reading ------------------------------------------------------------------------------


class Context(NamedTuple):
    """What a document alone does not say: the response's status, headers and body.

    A named tuple, so a decoder builds one in C (``tuple.__new__``), not through a
    Python-level ``__init__``.
    """

    status: int | None = None
    retry_after_text: str | float | None = None
    """The ``Retry-After`` hint as sent (`retry_after` reads it)."""
    request_id: str | None = None
    idempotency_key: str | None = None
    body: object = None

    @property
    def retry_after(self) -> float | None:
        """The ``Retry-After`` hint in seconds (``None`` when absent or unreadable)."""
        text = self.retry_after_text
        return None if text is None else parse_retry_after(text)


NESTED: Final = Context()
"""The context of a failure inside another: the response's own parts are the outer one's."""


def read(  # noqa: PLR0912  # one check per member, inline on the hot path
    doc: object,
    form: Layout,
    ctx: Context,
    depth: int = 0,
    *,
    top: bool = True,
    code: str | None = None,
) -> Failure:
    """Read a failure from its record in layout ``form``; raise `WireError` if it does not fit.

    Only registered classes are built; an unknown code gives an `UnknownFailure`.
    """
    if type(doc) is not dict:
        raise WireError("a failure is not a JSON object")
    if depth > MAX_DEPTH:
        raise WireError("failures nested too deeply")
    obj: dict[str, object] = doc
    if code is None:
        raw_code = obj.get(form.code)
        if type(raw_code) is not str:
            raise WireError(f"no failure code in {form.code!r}")
        code = raw_code
    kind = obj.get("kind")
    if kind is None:
        cls = BY_CODE.get(code)
    elif type(kind) is str:
        cls = BY_CODE.get(kind)
    else:
        raise WireError("'kind' is not a string")
    if cls is None:
        cls = UnknownFailure
    schema = _schemas.get(cls) or schema_of(cls)
    kwargs: dict[str, Any] = {}
    message = obj.get(form.message, _ABSENT)
    if message is not _ABSENT:
        if type(message) is not str:
            raise WireError(f"{form.message!r} is not a string")
        kwargs["message"] = message
    elif cls is UnknownFailure and type(obj.get("title")) is str:
        kwargs["message"] = obj["title"]
    if "details" in obj or "cause" in obj or "retry_after" in obj:
        _read_common(obj, form, ctx, depth, kwargs, top=top)
    elif top and ctx.retry_after_text is not None:  # the cheap test first
        hint = ctx.retry_after
        if hint is not None:
            kwargs["retry_after"] = hint
    if form.flat_details:
        _read_flat_details(obj, schema, form, depth, kwargs)
    elif form.keep_unknown and len(obj) > 2:  # ``type`` and ``message`` alone: all known
        known = _known.get((cls, form.name)) or _known_members(schema, form)
        if not known.issuperset(obj):
            _read_flat_details(obj, schema, form, depth, kwargs)
    if schema.fields and not (
        schema.default_code_only and code == cls.default_code and "fields" not in obj
    ):
        _read_fields(obj, schema, form, ctx, depth, kwargs, code=code, top=top)
    try:
        return cls(**kwargs)
    except Exception as exc:  # noqa: BLE001  # a class's validator or converter refused
        raise WireError(
            f"the fields do not build a {cls.__name__} ({type(exc).__name__})"
        ) from None


def _read_common(
    obj: dict[str, object],
    form: Layout,
    ctx: Context,
    depth: int,
    kwargs: dict[str, Any],
    *,
    top: bool,
) -> None:
    details = obj.get("details")
    if details is not None:
        if type(details) is not dict:
            raise WireError("'details' is not an object")
        kwargs["details"] = freeze(details, depth + 1)
    cause = obj.get("cause")
    if cause is not None:
        if type(cause) is not dict:
            raise WireError("'cause' is not an object")
        kwargs["cause"] = read(cause, form.nested, NESTED, depth + 1, top=False)
    retry_after = obj.get("retry_after", _ABSENT)
    if retry_after is _ABSENT:
        if top and ctx.retry_after_text is not None:
            hint = ctx.retry_after
            if hint is not None:
                kwargs["retry_after"] = hint
    elif retry_after is not None:
        if type(retry_after) not in (int, float):
            raise WireError("'retry_after' is not a number")
        kwargs["retry_after"] = parse_retry_after(retry_after)


_known: dict[tuple[type[Failure], str], frozenset[str]] = {}
"""The members a layout and a class read, per (class, layout name)."""


def _known_members(schema: Schema, form: Layout) -> frozenset[str]:
    """The members ``form`` and ``schema``'s class read (kept in `_known`)."""
    known = _known[schema.cls, form.name] = form.reserved | schema.keys
    return known


def _read_flat_details(
    obj: dict[str, object], schema: Schema, form: Layout, depth: int, kwargs: dict[str, Any]
) -> None:
    """Members that are neither the form's nor typed fields are the failure's details.

    Merged with the ``details`` member, whose keys win.
    """
    taken = form.reserved
    keys = schema.keys
    flat = {key: value for key, value in obj.items() if key not in taken and key not in keys}
    if flat:
        nested = obj.get("details")  # an object: _read_common checked it
        merged = {**flat, **cast(dict[str, object], nested)} if nested is not None else flat
        kwargs["details"] = freeze_fresh(merged, depth + 1)


def _read_fields(  # noqa: PLR0917  # the reader's whole state, passed flat on the hot path
    obj: dict[str, object],
    schema: Schema,
    form: Layout,
    ctx: Context,
    depth: int,
    kwargs: dict[str, Any],
    *,
    code: str,
    top: bool,
) -> None:
    extra: dict[str, object] | None = obj.get("fields")  # type: ignore[assignment]  # checked
    if extra is not None and type(extra) is not dict:
        raise WireError("'fields' is not an object")
    slots = _reading.get((schema.cls, form.name)) or _reading_slots(schema, form)
    for spec, member, special, default in slots:
        key = spec.key
        value = _ABSENT if extra is None else extra.get(key, _ABSENT)
        if value is _ABSENT:
            if member is not None:
                value = obj.get(member, _ABSENT)
            elif special and spec.name == "code":
                if code == default:
                    continue  # the record's code is the field's default: nothing to pass
                value = code
            if value is _ABSENT and special:
                value = _member(spec.name, key, obj, form, ctx, code, top=top)
        if value is _ABSENT:
            if spec.required:
                raise WireError(f"{schema.cls.__name__} needs {key!r}")
            continue
        if value is default or (
            type(value) is type(default) and type(value) in _EXACT and value == default
        ):
            continue  # the field's own default (as the codec would read it): nothing to pass
        try:
            kwargs[spec.alias] = spec.codec.decode(value, depth + 1, form)
        except WireError as exc:
            raise WireError(f"{schema.cls.__name__}.{key}: {exc}") from None


_SPECIAL: Final = frozenset({"code", "status", "category", "raw", "request_id", "idempotency_key"})
_EXACT: Final = frozenset({str, int, bool})
"""JSON scalars that read back as themselves when equal (not floats: ``-0.0 == 0.0``)."""
_Reading = tuple[FieldSpec, str | None, bool, object]
_reading: dict[tuple[type[Failure], str], tuple[_Reading, ...]] = {}


def _reading_slots(schema: Schema, form: Layout) -> tuple[_Reading, ...]:
    """Each typed field: the member it is read from, whether it has a fallback, its default.

    The member is ``None`` for the record's own members; the default is `_ABSENT`
    when the field has none or a factory.
    """
    key = (schema.cls, form.name)
    found = _reading.get(key)
    if found is None:
        defaults = attrs.fields_dict(schema.cls)
        slots: list[_Reading] = []
        for spec in schema.fields:
            special = spec.name in _SPECIAL
            alias = form.aliases.get(spec.key)
            if special and spec.name in CONSTANT_FIELDS:
                member = None  # the record's own member, read by _member
            else:
                # a reserved member holds the field when the writer found it equal there
                member = spec.key if alias is None else alias
            default = defaults[spec.name].default
            if default is attrs.NOTHING or isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # a class at run time
                default = _ABSENT
            slots.append((spec, member, special, default))
        found = _reading[key] = tuple(slots)
    return found


def _member(  # noqa: PLR0911, PLR0917  # one answer per kind of member
    name: str,
    key: str,
    obj: dict[str, object],
    form: Layout,
    ctx: Context,
    code: str,
    *,
    top: bool,
) -> object:
    """A typed field's value: its member, else what the form or the response implies."""
    if name == "code":
        return code
    if name == "status":
        if form.status is not None and form.status in obj:
            return obj[form.status]
        return _ABSENT if ctx.status is None else ctx.status
    if name == "category":
        if "category" in obj:
            return obj["category"]
        status = ctx.status
        if form.status is not None and type(obj.get(form.status)) is int:
            status = cast(int, obj[form.status])
        return Category.for_status(status if status is not None else _INTERNAL).value
    if name == "raw":
        source = ctx.body if top and ctx.body is not None else dumps(obj)
        return excerpt(source)
    if top and name == "request_id" and ctx.request_id is not None:
        return ctx.request_id
    if top and name == "idempotency_key" and ctx.idempotency_key is not None:
        return ctx.idempotency_key
    return _ABSENT


_INTERNAL: Final = int(HTTPStatus.INTERNAL_SERVER_ERROR)


def _read_nested(doc: object, depth: int, form: Any) -> Failure:
    return read(doc, cast(Layout, form).nested, NESTED, depth, top=False)


class _Nest(NamedTuple):
    """Where a failure held in a field is written: its layout and its depth."""

    form: Layout
    depth: int


def _write_nested(failure: Failure, nest: Any) -> object:
    form, depth = cast(_Nest, nest)
    if depth > MAX_DEPTH:
        raise ValueError(f"failures nested deeper than {MAX_DEPTH} cannot be written")
    return write(failure, form, None, depth)


set_failure_codec(_write_nested, _read_nested)
