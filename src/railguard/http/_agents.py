"""The agents-server style: ``{"code": "NOT_FOUND", "message", "errors": [{"type", ...}]}``."""

from __future__ import annotations

import types
from typing import Any, Final, cast

from railguard._wire import (
    AGENTS_ITEM,
    WireError,
    constants,
    dumps,
    layout,
    read,
    schema_of,
    status_name,
    write,
)
from railguard.core import Failure, FailureGroup

from ._openapi import common_members, failure_schema
from ._status import for_status
from ._style import NO_DOCUMENT, EnvelopeStyle, HttpError, Reading, exchange_members, respond

__all__ = ["STYLE"]

MEDIA_TYPE: Final = "application/json"
_HEADERS: Final = types.MappingProxyType({"content-type": MEDIA_TYPE})

GROUP: Final = layout(
    name="agents-group",
    code="type",
    message="message",
    status=None,
    status_always=False,
    category_always=False,
    aliases={"failures": "errors"},
    nested_name="agents-item",
    extra_reserved=frozenset({"code", "errors"}),
)
"""An aggregate failure: the envelope itself holds its code (``type``) and members (``errors``)."""


def encode(failure: Failure, *, type_base: str, instance: str | None) -> HttpError:
    """The agents envelope of a failure (``type_base`` and ``instance`` are problem-only)."""
    schema = schema_of(type(failure))
    status = constants(failure, schema).status
    doc: dict[str, object] = {"code": status_name(status), "message": failure.message}
    if schema.is_group:
        write(failure, GROUP, doc)
    else:
        doc["errors"] = [write(failure, AGENTS_ITEM)]
    return respond(failure, schema, status, _HEADERS, dumps(doc).encode())


def decode(reading: Reading) -> Failure:
    """A failure from an agents envelope (a foreign one decodes by its ``errors`` items)."""
    doc, ctx = reading.document, reading.context
    if doc is NO_DOCUMENT:
        return for_status(reading.status, retry_after=ctx.retry_after)
    if type(doc) is not dict:
        raise WireError("not a JSON object")
    obj: dict[str, object] = doc  # narrowed by the test: no `cast` call on the hot path
    if "type" in obj:
        return read(obj, GROUP, ctx)
    if "errors" not in obj and "code" not in obj:
        raise WireError("not an agents envelope (no 'code' or 'errors')")
    message = obj.get("message")
    if message is not None and type(message) is not str:
        raise WireError("'message' is not a string")
    errors = obj.get("errors")
    if not errors:
        return for_status(reading.status, message, retry_after=ctx.retry_after)
    if type(errors) is not list:
        raise WireError("'errors' is not a list")
    items: list[object] = errors
    if len(items) == 1:
        item = items[0]
        if message is not None and type(item) is dict and "message" not in item:
            item = {**item, "message": message}
        return read(item, AGENTS_ITEM, ctx)
    members = tuple(read(item, AGENTS_ITEM, ctx, 1, top=False) for item in items)
    if message is None:
        return FailureGroup(failures=members, retry_after=ctx.retry_after)
    return FailureGroup(failures=members, message=message, retry_after=ctx.retry_after)


def detect(content_type: str, doc: object) -> bool:
    """A JSON object with a string ``code`` and an ``errors`` list."""
    if type(doc) is not dict:
        return False
    obj = cast(dict[str, object], doc)
    return type(obj.get("code")) is str and type(obj.get("errors")) is list


def openapi_schemas(ref: str) -> dict[str, dict[str, Any]]:
    """The envelope (``RailguardAgentsError``) and its items (``RailguardFailure``)."""
    envelope: dict[str, Any] = {
        "type": "object",
        "title": "RailguardAgentsError",
        "description": "The agents-server error envelope; one errors item per failure. "
        "An item is the document's {type, message}; category, details, cause, hint and "
        "typed fields are extension members, present only when they carry information.",
        "required": ["code", "message", "errors"],
        "properties": {
            "code": {"type": "string", "description": "HTTP status name (NOT_FOUND)."},
            "message": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": ref + "RailguardFailure"}},
            "type": {"type": "string", "description": "Code of an aggregate failure."},
            **common_members(ref),
            **exchange_members(),
        },
        "additionalProperties": True,
    }
    return {"RailguardFailure": failure_schema(ref), "RailguardAgentsError": envelope}


STYLE: Final = EnvelopeStyle(
    name="agents",
    media_type=MEDIA_TYPE,
    encode=encode,
    decode=decode,
    detect=detect,
    openapi_schemas=openapi_schemas,
    schema_name="RailguardAgentsError",
)
"""The agents-server envelope (the default style)."""
