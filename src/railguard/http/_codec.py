"""Failures ⇄ HTTP error responses, in the agents, problem, bridge and kneo styles."""

from __future__ import annotations

import json
import logging
import math
import types
from collections.abc import Callable, Mapping
from http import HTTPStatus
from json.encoder import encode_basestring_ascii
from typing import Any, Final, Literal, NamedTuple, TypeAlias, cast
from urllib.parse import quote, unquote

import attrs

from railguard.core import (
    Category,
    Details,
    Failure,
    FailureGroup,
    MalformedFailure,
    UnknownFailure,
    lookup,
    thaw_json,
)

from . import _status
from ._fields import (
    MAX_DEPTH,
    MISSING,
    Invalid,
    Plan,
    freeze,
    plan_for,
    set_failure_codec,
)
from ._wire import (
    MAX_BODY_BYTES,
    HeadersLike,
    WireHeaders,
    excerpt,
    header_safe,
    parse_retry_after,
    read_headers,
    retry_after_header,
    status_name,
)

__all__ = [
    "CONTENT_TYPES",
    "DEFAULT_TYPE_BASE",
    "DecodeStyle",
    "HttpError",
    "Style",
    "decode",
    "detect_style",
    "encode",
]

_log = logging.getLogger("railguard.http")

Style: TypeAlias = Literal["agents", "problem", "bridge"]
"""The envelope styles a server can answer with."""

DecodeStyle: TypeAlias = Literal["agents", "problem", "bridge", "kneo", "auto"]
"""What ``decode`` reads: an envelope style, the kneo status table, or ``auto`` (detect)."""

DEFAULT_TYPE_BASE: Final = "urn:railguard:failure:"
"""Default base of problem ``type`` URIs; set ``type_base`` to your docs to make them links."""

CONTENT_TYPES: Final[Mapping[str, str]] = types.MappingProxyType(
    {
        "agents": "application/json",
        "problem": "application/problem+json",
        "bridge": "application/json",
    }
)
"""The ``Content-Type`` of each envelope style."""


class HttpError(NamedTuple):
    """An encoded error response: status, headers and body. Immutable.

    A named tuple, so ``decode(*encode(failure))`` reads as the round trip it is.
    """

    status: int
    headers: Mapping[str, str]
    """Lower-case names: ``content-type``; ``retry-after``, ``x-request-id`` when due."""
    body: bytes


# -- layouts: where each style puts a failure's parts -----------------------------------


@attrs.frozen
class _Layout:
    code_key: str
    message_key: str
    reserved: frozenset[str]
    """Members the style itself uses; typed fields of these names go in ``fields``
    unless the member already holds the same value."""
    aliases: Mapping[str, str]
    """Typed field → the style member that carries it (``code`` → ``type``)."""
    flat_details: bool = False
    """Details are merged into the document (the bridge ``to_dict()``), not nested."""


_COMMON = frozenset({"category", "kind", "details", "cause", "retry_after", "fields"})
_RECORD = _Layout(
    "type", "message", _COMMON | {"type", "message"}, types.MappingProxyType({"code": "type"})
)
_AGENTS_GROUP = _Layout(
    "type",
    "message",
    _RECORD.reserved | {"code", "errors"},
    types.MappingProxyType({"code": "type", "failures": "errors"}),
)
_PROBLEM = _Layout(
    "code",
    "detail",
    _COMMON | {"type", "title", "status", "detail", "instance", "code", "errors"},
    types.MappingProxyType({"failures": "errors"}),
)
# the bridge frame has no category member (a category field is a typed field there)
_BRIDGE = _Layout(
    "error_code",
    "message",
    (_COMMON - {"category"}) | {"type", "message", "code", "error_code"},
    types.MappingProxyType({"code": "error_code", "status": "code"}),
    flat_details=True,
)


def _same(a: object, b: object) -> bool:
    """JSON equality that tells ``1``, ``1.0`` and ``true`` apart."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        da, db = cast(dict[str, object], a), cast(dict[str, object], b)
        return da.keys() == db.keys() and all(_same(v, db[k]) for k, v in da.items())
    if type(a) is list:
        la, lb = cast(list[object], a), cast(list[object], b)
        return len(la) == len(lb) and all(_same(x, y) for x, y in zip(la, lb, strict=True))
    return a == b


# -- encoding ---------------------------------------------------------------------------


def _values(failure: Failure, plan: Plan) -> dict[str, object]:
    return {spec.key: spec.codec.encode(getattr(failure, spec.name)) for spec in plan.fields}


def _place(doc: dict[str, object], values: dict[str, object], layout: _Layout) -> None:
    extra: dict[str, object] | None = None
    reserved = layout.reserved
    for key, value in values.items():
        member = layout.aliases.get(key, key)
        if member in reserved:
            if member in doc and _same(doc[member], value):
                continue
            if extra is None:
                extra = {}
            extra[key] = value
        else:
            doc[key] = value
    if extra:
        doc["fields"] = extra


def _common(doc: dict[str, object], failure: Failure, depth: int, *, details: bool = True) -> None:
    if details and failure.details:
        doc["details"] = thaw_json(failure.details)
    if failure.cause is not None and depth < MAX_DEPTH:
        doc["cause"] = _record(failure.cause, depth + 1)
    retry_after = failure.retry_after
    if retry_after is not None and math.isfinite(retry_after):
        doc["retry_after"] = retry_after


class _Constants(NamedTuple):
    code: str
    category: str
    status: int


_constants: dict[type[Failure], _Constants] = {}


def _constants_of(failure: Failure, plan: Plan) -> _Constants:
    """Code, category and wire status; computed once per class when they are constants."""
    if plan.static:
        found = _constants.get(plan.cls)
        if found is None:
            found = _constants[plan.cls] = _Constants(
                failure.code, failure.category.value, _wire_status(failure)
            )
        return found
    return _Constants(failure.code, failure.category.value, _wire_status(failure))


def _record(failure: Failure, depth: int = 0, plan: Plan | None = None) -> dict[str, object]:
    """A failure as a self-contained JSON object: the agents ``errors`` item, causes, members."""
    cls = type(failure)
    if plan is None:
        plan = plan_for(cls)
    constants = _constants_of(failure, plan)
    doc: dict[str, object] = {
        "type": constants.code,
        "message": failure.message,
        "category": constants.category,
    }
    if not plan.static and lookup(constants.code) is not cls:
        doc["kind"] = cls.default_code  # the class, when the instance's code names another class
    if plan.fields:
        _place(doc, _values(failure, plan), _RECORD)
    if failure.details or failure.cause is not None or failure.retry_after is not None:
        _common(doc, failure, depth)
    return doc


def _wire_status(failure: Failure) -> int:
    status: object = failure.status  # a redeclared field may hold a plain int
    if isinstance(status, int) and 400 <= status <= 599:
        return int(status)
    return int(failure.category.default_status)


def _agents(failure: Failure, plan: Plan, status: int) -> dict[str, object]:
    if not plan.is_group:
        return {
            "code": status_name(status),
            "message": failure.message,
            "errors": [_record(failure, 0, plan)],
        }
    values = _values(failure, plan)
    doc: dict[str, object] = {
        "code": status_name(status),
        "message": failure.message,
        "errors": values["failures"],
        "type": failure.code,
        "category": failure.category.value,
    }
    _kind(doc, failure)
    _place(doc, values, _AGENTS_GROUP)
    _common(doc, failure, 0)
    return doc


def _problem(
    failure: Failure, plan: Plan, status: int, type_base: str, instance: str | None
) -> dict[str, object]:
    code = failure.code
    values = _values(failure, plan) if plan.fields else {}
    doc: dict[str, object] = {
        "type": type_base + quote(code, safe=""),
        "title": plan.title if plan.title is not None else HTTPStatus(status).phrase,
        "status": status,
        "detail": failure.message,
    }
    if instance is not None:
        doc["instance"] = instance
    doc["code"] = code
    doc["category"] = failure.category.value
    _kind(doc, failure)
    doc["errors"] = (
        values["failures"] if plan.is_group else [{"type": code, "message": failure.message}]
    )
    if values:
        _place(doc, values, _PROBLEM)
    _common(doc, failure, 0)
    return doc


def _bridge(failure: Failure, plan: Plan, status: int) -> dict[str, object]:
    doc: dict[str, object] = {
        "type": "error",
        "message": failure.message,
        "code": status,
        "error_code": failure.code,
    }
    _kind(doc, failure)
    if plan.fields:
        _place(doc, _values(failure, plan), _BRIDGE)
    details = failure.details
    if details:
        # the document's to_dict() merges the context into the frame; clashing keys nest
        nested: dict[str, object] = {}
        for key, value in details.items():
            if key in doc or key in _BRIDGE.reserved or key in plan.keys:
                nested[key] = thaw_json(value)
            else:
                doc[key] = thaw_json(value)
        if nested:
            doc["details"] = nested
    _common(doc, failure, 0, details=False)
    return doc


def _kind(doc: dict[str, object], failure: Failure) -> None:
    cls = type(failure)
    if lookup(failure.code) is not cls:
        doc["kind"] = cls.default_code


_BASE_HEADERS: Final = {
    style: types.MappingProxyType({"content-type": content_type})
    for style, content_type in CONTENT_TYPES.items()
}


def encode(
    failure: Failure,
    style: Style = "agents",
    *,
    type_base: str = DEFAULT_TYPE_BASE,
    instance: str | None = None,
) -> HttpError:
    """Encode a failure as an HTTP error response in one of the envelope styles.

    Args:
        failure: any failure; its typed fields, details and cause travel in the body.
        style: ``"agents"`` (default), ``"problem"`` (RFC 9457) or ``"bridge"``.
        type_base: base of the problem ``type`` URI (``type_base + code``).
        instance: the problem ``instance`` (e.g. the request path); problem style only.

    Returns:
        The status, headers (``content-type``; ``retry-after`` when the failure has a
        hint; ``x-request-id`` when it has a ``request_id`` field) and JSON body.

    Raises:
        ValueError: ``style`` is not an envelope style (``kneo`` only decodes).
    """
    plan = plan_for(type(failure))
    if (
        plan.templated is not None
        and failure.cause is None
        and failure.retry_after is None
        and not failure.details
        and style in _BASE_HEADERS
    ):
        # the common case, a failure with only a message (and its code): fill a template
        fast = _fast(failure, plan.templated, style, type_base, instance)
        if fast is not None:
            return fast
    status = _constants_of(failure, plan).status
    return _encode(failure, plan, status, style, type_base=type_base, instance=instance)


def _encode(
    failure: Failure,
    plan: Plan,
    status: int,
    style: str,
    *,
    type_base: str,
    instance: str | None,
) -> HttpError:
    if style == "agents":
        doc = _agents(failure, plan, status)
    elif style == "problem":
        doc = _problem(failure, plan, status, type_base, instance)
    elif style == "bridge":
        doc = _bridge(failure, plan, status)
    else:
        raise ValueError(f"cannot encode style {style!r}: use 'agents', 'problem' or 'bridge'")
    body = _ENCODER.encode(doc).encode()
    headers: Mapping[str, str] = _BASE_HEADERS[style]
    retry_after = None
    if "retry_after_header" in plan.keys:
        # the agents document's retry_after text, sent as is when it is a valid Retry-After
        text = header_safe(getattr(failure, "retry_after_header", None))
        if text is not None and parse_retry_after(text) is not None:
            retry_after = text
    if retry_after is None:
        retry_after = retry_after_header(failure.retry_after)
    request_id = None
    if "request_id" in plan.keys:
        request_id = header_safe(getattr(failure, "request_id", None))
    if retry_after is not None or request_id is not None:
        extra = dict(headers)
        if retry_after is not None:
            extra["retry-after"] = retry_after
        if request_id is not None:
            extra["x-request-id"] = request_id
        headers = types.MappingProxyType(extra)
    return HttpError(status, headers, body)


# Templates: the body of a constant-code failure with only a message, split where the
# message (and the problem instance) go. Built by encoding a stand-in through the generic
# path, so a filled template is byte for byte what that path gives.
_MESSAGE_SLOT: Final = "\x00railguard-message\x00"
_INSTANCE_SLOT: Final = "\x00railguard-instance\x00"


class _Template(NamedTuple):
    status: int
    headers: Mapping[str, str]
    body: str
    """A ``str.format`` string: ``{0}`` is the JSON message, ``{1}`` the JSON instance."""


_templates: dict[tuple[object, ...], _Template] = {}
_MAX_TEMPLATES: Final = 4096


def _fast(
    failure: Failure, fields: tuple[str, ...], style: str, type_base: str, instance: str | None
) -> HttpError | None:
    cls = type(failure)
    if not fields:
        key: tuple[object, ...] = (cls, style, type_base, instance is not None)
    elif len(fields) == 1:
        key = (cls, style, type_base, instance is not None, getattr(failure, fields[0]))
    else:
        key = (cls, style, type_base, instance is not None, *[getattr(failure, f) for f in fields])
    template = _templates.get(key)
    if template is None:
        if len(_templates) >= _MAX_TEMPLATES:
            return None  # instances vary their codes without bound: the generic path
        template = _templates[key] = _template(failure, style, type_base, instance is not None)
    body = template.body.format(
        encode_basestring_ascii(failure.message),
        "" if instance is None else encode_basestring_ascii(instance),
    )
    return HttpError(template.status, template.headers, body.encode())


def _template(failure: Failure, style: str, type_base: str, has_instance: bool) -> _Template:
    """Encode a stand-in through the generic path and cut it where the message goes."""
    stand_in = attrs.evolve(failure, message=_MESSAGE_SLOT)
    plan = plan_for(type(failure))
    status = _constants_of(failure, plan).status
    instance = _INSTANCE_SLOT if has_instance else None
    error = _encode(stand_in, plan, status, style, type_base=type_base, instance=instance)
    text = error.body.decode().replace("{", "{{").replace("}", "}}")
    text = text.replace(encode_basestring_ascii(_MESSAGE_SLOT), "{0}")
    text = text.replace(encode_basestring_ascii(_INSTANCE_SLOT), "{1}")
    return _Template(error.status, error.headers, text)


# -- decoding ---------------------------------------------------------------------------


class _Context:
    """What a document alone does not say: the response's status and headers."""

    __slots__ = (
        "_retry_after",
        "_retry_after_text",
        "body",
        "idempotency_key",
        "request_id",
        "status",
    )

    def __init__(
        self, status: int, wire: WireHeaders, body: bytes | str, idempotency_key: str | None
    ) -> None:
        self.status = status
        self.body = body
        self._retry_after_text = wire.retry_after
        self._retry_after: float | _Unparsed | None = _UNPARSED
        self.request_id = wire.request_id
        self.idempotency_key = (
            idempotency_key if idempotency_key is not None else wire.idempotency_key
        )

    @property
    def retry_after(self) -> float | None:
        """The ``Retry-After`` hint in seconds, parsed when first asked for."""
        value = self._retry_after
        if isinstance(value, _Unparsed):
            text = self._retry_after_text
            value = self._retry_after = None if text is None else parse_retry_after(text)
        return value


class _Unparsed:
    """The ``Retry-After`` header is not parsed yet."""


_UNPARSED: Final = _Unparsed()


def _fallback(  # noqa: PLR0911  # one answer per field
    key: str, code: str, doc: dict[str, object], ctx: _Context, *, top: bool
) -> object:
    """A value for a typed field the document lacks (peers that are not railguard)."""
    if key == "code":
        return code
    if key == "status":
        return ctx.status
    if key == "category":
        return Category.for_status(ctx.status).value
    if key == "raw":
        return excerpt(ctx.body) if top else excerpt(json.dumps(doc))
    if top and key == "request_id" and ctx.request_id is not None:
        return ctx.request_id
    if top and key == "idempotency_key" and ctx.idempotency_key is not None:
        return ctx.idempotency_key
    return MISSING


def _number(value: object) -> float:
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(cast(float, value))):
        return cast(float, value)
    raise Invalid("retry_after is not a number")


def _decode_record(  # noqa: PLR0912  # one check per member, inline on the hot path
    doc: object,
    layout: _Layout,
    ctx: _Context,
    depth: int,
    *,
    top: bool,
    code: str | None = None,
) -> Failure:
    if type(doc) is not dict:
        raise Invalid("a failure is not a JSON object")
    if depth > MAX_DEPTH:
        raise Invalid("failures nested too deeply")
    obj: dict[str, object] = doc
    if code is None:
        raw_code = obj.get(layout.code_key)
        if type(raw_code) is not str:
            raise Invalid(f"no failure code in {layout.code_key!r}")
        code = raw_code
    kind = obj.get("kind")
    if kind is None:
        cls = lookup(code)
    elif type(kind) is str:
        cls = lookup(kind)
    else:
        raise Invalid("'kind' is not a string")
    unknown = cls is None
    plan = plan_for(UnknownFailure if cls is None else cls)
    kwargs: dict[str, Any] = {}
    message = obj.get(layout.message_key, MISSING)
    if message is not MISSING:
        if type(message) is not str:
            raise Invalid(f"{layout.message_key!r} is not a string")
        kwargs["message"] = message
    elif unknown and type(obj.get("title")) is str:
        kwargs["message"] = obj["title"]
    if "details" in obj or "cause" in obj or "retry_after" in obj:
        _read_common(obj, ctx, depth, kwargs, top=top)
    elif top and ctx.retry_after is not None:
        kwargs["retry_after"] = ctx.retry_after
    if layout.flat_details:
        _read_flat_details(obj, plan, layout, depth, kwargs)
    if plan.fields:
        _read_fields(obj, plan, layout, ctx=ctx, depth=depth, kwargs=kwargs, code=code, top=top)
    try:
        return plan.cls(**kwargs)
    except Exception as exc:  # noqa: BLE001  # a class's validator or converter refused
        raise Invalid(f"{plan.cls.__name__} refused the document ({type(exc).__name__})") from None


def _read_flat_details(
    obj: dict[str, object], plan: Plan, layout: _Layout, depth: int, kwargs: dict[str, Any]
) -> None:
    """Members that are neither the style's nor typed fields are the failure's details."""
    taken = layout.reserved
    flat = {
        key: value
        for key, value in obj.items()
        if key not in taken and (key not in plan.keys or layout.aliases.get(key, key) in taken)
    }
    if flat:
        nested = obj.get("details")  # an object: _read_common checked it
        merged = {**flat, **cast(dict[str, object], nested)} if nested is not None else flat
        kwargs["details"] = freeze(merged, depth + 1)


def _read_common(
    obj: dict[str, object], ctx: _Context, depth: int, kwargs: dict[str, Any], *, top: bool
) -> None:
    details = obj.get("details")
    if details is not None:
        if type(details) is not dict:
            raise Invalid("'details' is not an object")
        kwargs["details"] = freeze(details, depth + 1)
    cause = obj.get("cause")
    if cause is not None:
        kwargs["cause"] = _decode_record(cause, _RECORD, ctx, depth + 1, top=False)
    retry_after = obj.get("retry_after", MISSING)
    if retry_after is MISSING:
        if top and ctx.retry_after is not None:
            kwargs["retry_after"] = ctx.retry_after
    elif retry_after is not None:
        kwargs["retry_after"] = _number(retry_after)


def _read_fields(
    obj: dict[str, object],
    plan: Plan,
    layout: _Layout,
    *,
    ctx: _Context,
    depth: int,
    kwargs: dict[str, Any],
    code: str,
    top: bool,
) -> None:
    extra = obj.get("fields")
    if extra is not None and type(extra) is not dict:
        raise Invalid("'fields' is not an object")
    extra_fields = cast(dict[str, object], extra) if extra is not None else {}
    for spec in plan.fields:
        key = spec.key
        member = layout.aliases.get(key, key)
        if member in layout.reserved:
            value = extra_fields.get(key, MISSING)
            if value is MISSING:
                value = obj.get(member, MISSING)
        else:
            value = obj.get(key, MISSING)
        if value is not MISSING:
            kwargs[key] = spec.codec.decode(value, depth + 1)
            continue
        value = _fallback(key, code, obj, ctx, top=top)
        if value is not MISSING:
            try:
                kwargs[key] = spec.codec.decode(value, depth + 1)
                continue
            except Invalid:
                pass
        if spec.required:
            raise Invalid(f"{plan.cls.__name__} needs {key!r}")


def _nested_decode(doc: object, depth: int) -> Failure:
    # failures held in typed fields (group members, failure-valued fields)
    return _decode_record(doc, _RECORD, _NESTED, depth, top=False)


def _nested_encode(failure: Failure, depth: int) -> object:
    return _record(failure, depth)


set_failure_codec(_nested_encode, _nested_decode)


class _NestedContext(_Context):
    """Context for members: the response's own status/headers are the outer failure's."""


_NESTED = _NestedContext(500, WireHeaders(), b"", None)


def _agents_decode(doc: object, ctx: _Context, type_base: str) -> Failure:
    if type(doc) is not dict:
        raise Invalid("not a JSON object")
    obj: dict[str, object] = doc
    if "type" in obj:
        return _decode_record(obj, _AGENTS_GROUP, ctx, 0, top=True)
    if "errors" not in obj and "code" not in obj:
        raise Invalid("not an agents envelope (no 'code' or 'errors')")
    message = obj.get("message")
    if message is not None and type(message) is not str:
        raise Invalid("'message' is not a string")
    errors = obj.get("errors")
    if not errors:
        return _status.for_status(ctx.status, message, retry_after=ctx.retry_after)
    if type(errors) is not list:
        raise Invalid("'errors' is not a list")
    items: list[object] = errors
    if len(items) == 1:
        item = items[0]
        if message is not None and type(item) is dict and "message" not in item:
            item = {**item, "message": message}
        return _decode_record(item, _RECORD, ctx, 0, top=True)
    members = tuple(_decode_record(item, _RECORD, ctx, 1, top=False) for item in items)
    if message is None:
        return FailureGroup(failures=members, retry_after=ctx.retry_after)
    return FailureGroup(failures=members, message=message, retry_after=ctx.retry_after)


_PROBLEM_MEMBERS: Final = (
    ("type", str),
    ("title", str),
    ("status", int),
    ("detail", str),
    ("instance", str),
)


def _problem_decode(doc: object, ctx: _Context, type_base: str) -> Failure:
    if type(doc) is not dict:
        raise Invalid("not a JSON object")
    obj = cast(dict[str, object], doc)
    # RFC 9457 3.1: a standard member of the wrong type is ignored, as if absent
    wrong = [k for k, kind in _PROBLEM_MEMBERS if k in obj and type(obj[k]) is not kind]
    if wrong:
        obj = {k: v for k, v in obj.items() if k not in wrong}
    code = obj.get("code")
    if code is not None and type(code) is not str:
        raise Invalid("'code' is not a string")
    if code is None:
        problem_type = cast(str, obj.get("type", "about:blank"))
        if type_base and problem_type.startswith(type_base) and len(problem_type) > len(type_base):
            code = unquote(problem_type[len(type_base) :])
        elif problem_type == "about:blank":
            message = obj.get("detail", obj.get("title"))  # both checked str above
            return _status.for_status(
                ctx.status, cast(str | None, message), retry_after=ctx.retry_after
            )
        else:
            code = problem_type
    return _decode_record(obj, _PROBLEM, ctx, 0, top=True, code=code)


def _bridge_decode(doc: object, ctx: _Context, type_base: str) -> Failure:
    if type(doc) is not dict or cast(dict[str, object], doc).get("type") != "error":
        raise Invalid("not a bridge error frame (no type 'error')")
    obj = cast(dict[str, object], doc)
    if "error_code" in obj:
        return _decode_record(obj, _BRIDGE, ctx, 0, top=True)
    # the bridge document's own to_dict(): status code and flat context, no failure code
    message = obj.get("message")
    if message is not None and type(message) is not str:
        raise Invalid("'message' is not a string")
    status = obj.get("code")
    leftovers = {k: v for k, v in obj.items() if k not in ("type", "message", "code")}
    return _status.for_status(
        status if type(status) is int else ctx.status,
        message,
        details=cast(Details, freeze(leftovers, 1)) if leftovers else None,
        retry_after=ctx.retry_after,
    )


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# one encoder and one decoder for every call: compact, ASCII-safe, strict about NaN
_ENCODER: Final = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
_DECODER: Final = json.JSONDecoder(parse_constant=_reject_constant)


def _blank(body: bytes | str) -> bool:
    return not body or body.isspace()


def _parse(body: bytes | str) -> object:
    try:
        # RFC 8259: JSON between systems is UTF-8
        text = body if isinstance(body, str) else body.decode()
        try:
            document, end = _DECODER.raw_decode(text)
        except ValueError:
            return _DECODER.decode(text)  # leading whitespace; raises for anything else
        if end != len(text) and not text[end:].isspace():
            raise Invalid("not JSON (extra data)")
        return document
    except RecursionError:
        raise Invalid("JSON nested too deeply") from None
    except ValueError:  # JSONDecodeError, UnicodeDecodeError, int digit limit
        raise Invalid("not JSON") from None


def detect_style(headers: HeadersLike, body: bytes | str) -> DecodeStyle:
    """Which style an error response is in, by content type and shape; ``kneo`` if none.

    ``application/problem+json`` is ``problem``; a JSON object with ``"type": "error"``
    is ``bridge``; one with a string ``code`` and an ``errors`` list is ``agents``;
    one with ``type``, ``title`` and ``status`` is ``problem``.
    """
    try:
        content_type = read_headers(headers).content_type
        if content_type == "application/problem+json":
            return "problem"
        if len(body) > MAX_BODY_BYTES or _blank(body):
            return "kneo"
        return _detect(content_type, _parse(body))
    except Exception:  # noqa: BLE001  # detection is total too
        return "kneo"


def _detect(content_type: str, doc: object) -> DecodeStyle:
    if content_type == "application/problem+json":
        return "problem"
    if type(doc) is not dict:
        return "kneo"
    obj = cast(dict[str, object], doc)
    if obj.get("type") == "error" and "message" in obj:
        return "bridge"
    if type(obj.get("code")) is str and type(obj.get("errors")) is list:
        return "agents"
    if type(obj.get("type")) is str and "title" in obj and type(obj.get("status")) is int:
        return "problem"
    return "kneo"


def decode(
    status: int,
    headers: HeadersLike,
    body: bytes | str,
    style: DecodeStyle = "agents",
    *,
    idempotency_key: str | None = None,
    type_base: str = DEFAULT_TYPE_BASE,
) -> Failure:
    """Decode an HTTP error response into a failure. Never raises.

    Args:
        status: the response status.
        headers: the response headers (mapping or ``(name, value)`` pairs).
        body: the response body.
        style: the envelope style, ``"kneo"`` (status table, for servers that send no
            railguard envelope) or ``"auto"`` (detect the style, else the kneo table).
        idempotency_key: the ``Idempotency-Key`` the request was sent with.
        type_base: base of problem ``type`` URIs, to read the code from ``type``.

    Returns:
        The failure the envelope names, with its typed fields, details and cause; an
        `UnknownFailure` (code, message and capped raw body kept) for a code that is
        not in the catalog; a `MalformedFailure` for a body that is not a valid
        envelope (not JSON, wrong types, larger than 1 MiB, nested too deeply).
    """
    try:
        return _decode(
            status, headers, body, style, idempotency_key=idempotency_key, type_base=type_base
        )
    except Invalid as exc:
        return _malformed(body, str(exc))
    except Exception:  # noqa: BLE001  # total: even a bug here answers a failure
        _log.debug("railguard.http.decode: unexpected error", exc_info=True)
        return _malformed(body, "unreadable")


def _malformed(body: object, reason: str) -> Failure:
    try:
        if isinstance(body, (bytearray, memoryview)):
            body = bytes(body)
        raw = excerpt(body) if isinstance(body, (bytes, str)) else None
    except Exception:  # noqa: BLE001  # a body that cannot even be excerpted
        raw = None
    return MalformedFailure(message=f"The peer sent a malformed error response: {reason}.", raw=raw)


def _decode(
    status: int,
    headers: HeadersLike,
    body: bytes | str,
    style: DecodeStyle,
    *,
    idempotency_key: str | None,
    type_base: str,
) -> Failure:
    if type(status) is not int:
        status = int(status)
    given: object = body
    if type(given) is not bytes and type(given) is not str:
        if isinstance(given, (bytes, bytearray, memoryview)):
            body = bytes(given)
        elif isinstance(given, str):
            body = str(given)
        else:
            raise Invalid("body is not bytes")
    wire = read_headers(headers)
    ctx = _Context(status, wire, body, idempotency_key)
    envelope = _ENVELOPE_DECODERS.get(style)
    if envelope is None:
        if style == "auto":
            return _decode_auto(ctx, wire.content_type, type_base)
        if style == "kneo":
            return _kneo_decode(ctx)
        raise Invalid(f"unknown style {style!r}")
    if len(body) > MAX_BODY_BYTES:
        raise Invalid("body larger than 1 MiB")
    if not body or body.isspace():
        # no envelope at all (HEAD, a bare proxy answer): the status says what it is
        return _status.for_status(status, retry_after=ctx.retry_after)
    return envelope(_parse(body), ctx, type_base)


def _decode_auto(ctx: _Context, content_type: str, type_base: str) -> Failure:
    body = ctx.body
    if len(body) > MAX_BODY_BYTES or _blank(body):
        return _kneo_decode(ctx)
    try:
        doc = _parse(body)
    except Invalid:
        return _kneo_decode(ctx)
    detected = _detect(content_type, doc)
    if detected == "kneo":
        return _kneo_decode(ctx, doc)
    return _decode_doc(detected, doc, ctx, type_base)


def _decode_doc(style: DecodeStyle, doc: object, ctx: _Context, type_base: str) -> Failure:
    return _ENVELOPE_DECODERS[style](doc, ctx, type_base)


_ENVELOPE_DECODERS: Final[dict[str, Callable[[object, _Context, str], Failure]]] = {
    "agents": _agents_decode,
    "problem": _problem_decode,
    "bridge": _bridge_decode,
}


_MESSAGE_KEYS: Final = ("detail", "message", "error")


def _kneo_decode(ctx: _Context, doc: object = MISSING) -> Failure:
    """The kneo document's ``from_response``: the class by status, the body kept."""
    body_value: object = None
    if doc is MISSING and ctx.body and len(ctx.body) <= MAX_BODY_BYTES:
        try:
            doc = _parse(ctx.body)
        except Invalid:
            doc = MISSING
    if doc is not MISSING:
        try:
            body_value = freeze(doc, 0)
        except (Invalid, TypeError, ValueError):
            doc = MISSING
    if doc is MISSING and ctx.body:
        body_value = excerpt(ctx.body)
    message = _kneo_message(ctx.status, body_value)
    cls = _status.kneo_class_for(ctx.status, idempotency_key=ctx.idempotency_key)
    if cls is None:
        details = {
            k: v
            for k, v in (
                ("body", body_value),
                ("request_id", ctx.request_id),
                ("idempotency_key", ctx.idempotency_key),
            )
            if v is not None
        }
        return _status.for_status(
            ctx.status,
            message,
            details=Details(details) if details else None,
            retry_after=ctx.retry_after,
        )
    plan = plan_for(cls)
    kwargs: dict[str, Any] = {"message": message}
    if ctx.retry_after is not None:
        kwargs["retry_after"] = ctx.retry_after
    wire: dict[str, object] = {
        "response_status": ctx.status,
        "status": ctx.status,
        "body": thaw_json(cast(Any, body_value)),
        "request_id": ctx.request_id,
        "idempotency_key": ctx.idempotency_key,
    }
    for spec in plan.fields:
        if spec.key in wire:
            try:
                kwargs[spec.key] = spec.codec.decode(wire[spec.key], 1)
            except Invalid:
                continue
    try:
        return cls(**kwargs)
    except Exception:  # noqa: BLE001  # a class that needs more than the wire gives
        return _status.for_status(ctx.status, message, retry_after=ctx.retry_after)


def _kneo_message(status: int, body: object) -> str:
    """``HTTP 404 Not Found: <the body's detail, message or error>``, as kneo's client says it."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    message = f"HTTP {status} {phrase}".rstrip()
    if isinstance(body, Details):
        for key in _MESSAGE_KEYS:
            value = body.get(key)
            if isinstance(value, str) and value:
                return f"{message}: {value[:1000]}"
    return message
