"""The RFC 9457 style: ``application/problem+json`` with railguard's extension members."""

from __future__ import annotations

import types
from http import HTTPStatus
from typing import Any, Final, cast
from urllib.parse import quote, unquote

from railguard._wire import WireError, constants, dumps, layout, read, schema_of, write
from railguard.core import Failure

from ._openapi import common_members, failure_schema
from ._status import for_status
from ._style import NO_DOCUMENT, EnvelopeStyle, HttpError, Reading, respond

__all__ = ["STYLE"]

MEDIA_TYPE: Final = "application/problem+json"
_HEADERS: Final = types.MappingProxyType({"content-type": MEDIA_TYPE})

PROBLEM: Final = layout(
    name="problem",
    code="code",
    message="detail",
    status=None,
    status_always=False,
    category_always=True,
    aliases={"failures": "errors"},
    nested_name="agents-item",
    extra_reserved=frozenset({"type", "title", "status", "instance", "errors"}),
)
"""RFC 9457's members first; the record's code, category and the rest as extensions."""

_MEMBERS: Final = (
    ("type", str),
    ("title", str),
    ("status", int),
    ("detail", str),
    ("instance", str),
)


def encode(failure: Failure, *, type_base: str, instance: str | None) -> HttpError:
    """The problem document of a failure; ``type`` is ``type_base`` + its code."""
    schema = schema_of(type(failure))
    status = constants(failure, schema).status
    code = failure.code
    doc: dict[str, object] = {
        "type": type_base + quote(code, safe="", errors="surrogatepass"),
        "title": schema.title if schema.title is not None else HTTPStatus(status).phrase,
        "status": status,
    }
    if instance is not None:
        doc["instance"] = instance
    write(failure, PROBLEM, doc)
    if not schema.is_group:
        doc["errors"] = [{"type": code, "message": failure.message}]
    return respond(failure, schema, status, _HEADERS, dumps(doc).encode())


def decode(reading: Reading) -> Failure:
    """A failure from a problem document; ``about:blank`` decodes by the status."""
    doc, ctx = reading.document, reading.context
    if doc is NO_DOCUMENT:
        return for_status(reading.status, retry_after=ctx.retry_after)
    if type(doc) is not dict:
        raise WireError("not a JSON object")
    obj = cast(dict[str, object], doc)
    # RFC 9457 3.1: a standard member of the wrong type is ignored, as if absent
    wrong = [k for k, kind in _MEMBERS if k in obj and type(obj[k]) is not kind]
    if wrong:
        obj = {k: v for k, v in obj.items() if k not in wrong}
    code = obj.get("code")
    if code is not None and type(code) is not str:
        raise WireError("'code' is not a string")
    if code is None:
        problem_type = cast(str, obj.get("type", "about:blank"))
        base = reading.type_base
        if base and problem_type.startswith(base) and len(problem_type) > len(base):
            code = unquote(problem_type[len(base) :], errors="surrogatepass")
        elif problem_type == "about:blank":
            message = obj.get("detail", obj.get("title"))  # both checked str above
            return for_status(
                reading.status, cast(str | None, message), retry_after=ctx.retry_after
            )
        else:
            code = problem_type
    return read(obj, PROBLEM, ctx, code=code)


def detect(content_type: str, doc: object) -> bool:
    """The problem media type, or a JSON object with ``type``, ``title`` and ``status``."""
    if content_type == MEDIA_TYPE:
        return True
    if type(doc) is not dict:
        return False
    obj = cast(dict[str, object], doc)
    return type(obj.get("type")) is str and "title" in obj and type(obj.get("status")) is int


def openapi_schemas(ref: str) -> dict[str, dict[str, Any]]:
    """The problem document (``RailguardProblem``) and its items (``RailguardFailure``)."""
    envelope: dict[str, Any] = {
        "type": "object",
        "title": "RailguardProblem",
        "description": "RFC 9457 problem details with railguard's extension members.",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
            "code": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": ref + "RailguardFailure"}},
            **common_members(ref),
        },
        "additionalProperties": True,
    }
    return {"RailguardFailure": failure_schema(ref), "RailguardProblem": envelope}


STYLE: Final = EnvelopeStyle(
    name="problem",
    media_type=MEDIA_TYPE,
    encode=encode,
    decode=decode,
    detect=detect,
    openapi_schemas=openapi_schemas,
    schema_name="RailguardProblem",
)
"""RFC 9457 problem details."""
