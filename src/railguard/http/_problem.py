"""The RFC 9457 style: ``application/problem+json`` with railguard's extension members."""

from __future__ import annotations

import re
import types
from http import HTTPStatus
from typing import Any, Final, cast
from urllib.parse import quote, unquote

import attrs

from railguard._wire import (
    WireError,
    constants,
    dumps,
    freeze_fresh,
    layout,
    read,
    schema_of,
    write,
)
from railguard._wire._exchange import strip
from railguard.core import Failure, thaw_json

from ._openapi import common_members, failure_schema
from ._status import for_status
from ._style import NO_DOCUMENT, EnvelopeStyle, HttpError, Reading, exchange_members, respond

__all__ = ["STYLE"]

MEDIA_TYPE: Final = "application/problem+json"
_HEADERS: Final = types.MappingProxyType({"content-type": MEDIA_TYPE})

PROBLEM: Final = layout(
    name="problem",
    code="code",
    message="detail",
    status=None,
    status_always=False,
    category_always=False,
    aliases={"failures": "errors"},
    nested_name="agents-item",
    extra_reserved=frozenset({"type", "title", "status", "instance", "errors"}),
)
"""RFC 9457's members first, then the record's code and only the extensions that are set
(``category`` only when the instance varies it; ``errors`` only for a group)."""

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
        doc["instance"] = uri_reference(instance)
    write(failure, PROBLEM, doc)
    return respond(failure, schema, status, _HEADERS, dumps(doc).encode())


_NOT_IN_URI: Final = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]")
"""A character a URI reference cannot hold as is: outside RFC 3986's set, or a stray ``%``."""


def uri_reference(target: str) -> str:
    """``target`` as a valid URI reference: characters it cannot hold are percent-encoded.

    An existing escape (``%2F``) is kept, so a raw request target passes unchanged and
    ``/a%2Fb`` stays distinct from ``/a/b``; a decoded path gets its spaces, stray ``%``
    and non-ASCII characters encoded (``/agents/a b`` → ``/agents/a%20b``).
    """
    return _NOT_IN_URI.sub(lambda m: quote(m.group(), safe="", errors="surrogatepass"), target)


_TYPED: Final = (
    ("details", dict),
    ("cause", dict),
    ("fields", dict),
    ("kind", str),
    ("category", str),
    ("errors", list),
)


def _is_record(obj: dict[str, object], code: object) -> bool:
    """A railguard record: a string code its ``type`` ends with, and well-typed members."""
    if type(code) is not str:
        return False
    problem_type = obj.get("type")
    if problem_type is not None and not cast(str, problem_type).endswith(
        quote(code, safe="", errors="surrogatepass")
    ):
        return False
    hint = obj.get("retry_after")
    if hint is not None and type(hint) not in (int, float):
        return False
    return all(obj.get(key) is None or type(obj[key]) is kind for key, kind in _TYPED)


def decode(reading: Reading) -> Failure:
    """A failure from a problem document; a foreign one keeps every extension member.

    ``about:blank`` decodes by the status; another foreign type is an unknown code.
    """
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
    if _is_record(obj, code):
        return _with_leftovers(read(obj, PROBLEM, ctx, code=cast(str, code)), obj)
    problem_type = cast(str, obj.get("type", "about:blank"))
    base = reading.type_base
    if code is None and base and problem_type.startswith(base) and len(problem_type) > len(base):
        return read(
            obj, PROBLEM, ctx, code=unquote(problem_type[len(base) :], errors="surrogatepass")
        )
    return _foreign(obj, problem_type, reading)


def _with_leftovers(failure: Failure, obj: dict[str, object]) -> Failure:
    """``failure`` with the members neither the layout nor its class reads kept in details.

    Railguard never writes such members, so its own bodies are unchanged; a foreign body
    that happens to look like a record (its ``type`` ends with its ``code``) loses nothing.
    The exchange members (``request_id``, ``trace_id``) are the answer's, not the failure's.
    """
    obj, _ = strip(obj)
    keys = schema_of(type(failure)).keys
    leftovers = {k: v for k, v in obj.items() if k not in PROBLEM.reserved and k not in keys}
    if not leftovers:
        return failure
    merged = {**leftovers, **cast(dict[str, object], thaw_json(failure.details))}
    try:
        return attrs.evolve(failure, details=freeze_fresh(merged, 1))
    except WireError:
        raise
    except Exception:  # noqa: BLE001  # a class refusing details: keep the failure as read
        return failure


def _foreign(obj: dict[str, object], problem_type: str, reading: Reading) -> Failure:
    """Another server's problem: ``detail`` (else ``title``) is the message, the rest details.

    Every extension member is kept in ``details`` under its own name, whatever its type
    (``"details": "text"``, a numeric ``code``, Spring's ``invalid-params``, ASP.NET's
    ``errors``), and so are ``title``, ``instance`` and a ``status`` that differs from the
    response's; a ``title`` that is the message or the status's phrase is implied.
    """
    ctx = reading.context
    detail, title = obj.get("detail"), obj.get("title")
    message = cast(str | None, detail if detail is not None else title)
    kept = {k: v for k, v in obj.items() if k not in _IMPLIED}
    if title is not None and (title == message or title == _phrase(reading.status)):
        kept.pop("title")
    if obj.get("status") is not None and obj["status"] != reading.status:
        kept["status"] = obj["status"]
    if problem_type == "about:blank":
        details = freeze_fresh(kept, 1) if kept else None
        return for_status(reading.status, message, details=details, retry_after=ctx.retry_after)
    record: dict[str, object] = {"title": title} if title is not None else {}
    if message is not None:
        record["detail"] = message
    if kept:
        record["details"] = kept
    return read(record, PROBLEM, ctx, code=problem_type)


_IMPLIED: Final = frozenset({"type", "detail", "status"})


def _phrase(status: int) -> str | None:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return None


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
        "description": "RFC 9457 problem details; extension members only where they carry "
        "information: the code, typed fields, details, cause, hint, a group's errors.",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {"type": "string", "format": "uri-reference"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "instance": {"type": "string", "format": "uri-reference"},
            "code": {"type": "string"},
            "errors": {
                "type": "array",
                "items": {"$ref": ref + "RailguardFailure"},
                "description": "The members of a group (absent for a single failure).",
            },
            **common_members(ref),
            **exchange_members(),
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
