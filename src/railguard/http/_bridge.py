"""The bridge style: the bridge document's ``to_dict()`` frame, the same layout as WebSocket's."""

from __future__ import annotations

import types
from typing import Any, Final, cast

from railguard._wire import BRIDGE, WireError, constants, dumps, read_bridge, schema_of, write
from railguard._wire._exchange import bridge_record
from railguard.core import Failure

from ._openapi import common_members, failure_schema
from ._status import for_status
from ._style import NO_DOCUMENT, EnvelopeStyle, HttpError, Reading, exchange_members, respond

__all__ = ["STYLE"]

MEDIA_TYPE: Final = "application/json"
_HEADERS: Final = types.MappingProxyType({"content-type": MEDIA_TYPE})


def encode(failure: Failure, *, type_base: str, instance: str | None) -> HttpError:
    """The bridge frame of a failure (the body a bridge WebSocket frame would be)."""
    schema = schema_of(type(failure))
    status = constants(failure, schema).status
    return respond(failure, schema, status, _HEADERS, dumps(write(failure, BRIDGE)).encode())


def decode(reading: Reading) -> Failure:
    """A failure from a bridge frame; the document's own ``to_dict()`` decodes by status."""
    doc, ctx = reading.document, reading.context
    if doc is NO_DOCUMENT:
        return for_status(reading.status, retry_after=ctx.retry_after)
    if type(doc) is not dict or cast(dict[str, object], doc).get("type") != "error":
        raise WireError("not a bridge error frame (no type 'error')")
    return read_bridge(*bridge_record(cast(dict[str, object], doc), ctx))


def detect(content_type: str, doc: object) -> bool:
    """A JSON object with ``"type": "error"`` and a ``message``."""
    if type(doc) is not dict:
        return False
    obj = cast(dict[str, object], doc)
    return obj.get("type") == "error" and "message" in obj


def openapi_schemas(ref: str) -> dict[str, dict[str, Any]]:
    """The bridge frame (``RailguardBridgeError``) and the failure items it may nest."""
    envelope: dict[str, Any] = {
        "type": "object",
        "title": "RailguardBridgeError",
        "description": "The bridge error frame; typed fields as further members.",
        "required": ["type", "message", "code", "error_code"],
        "properties": {
            "type": {"type": "string", "const": "error"},
            "message": {"type": "string"},
            "code": {"type": "integer", "description": "HTTP status."},
            "error_code": {"type": "string"},
            **common_members(ref),
            **exchange_members(),
            "cause": {"type": "object", "description": "The cause: a frame without 'type'."},
        },
        "additionalProperties": True,
    }
    return {"RailguardFailure": failure_schema(ref), "RailguardBridgeError": envelope}


STYLE: Final = EnvelopeStyle(
    name="bridge",
    media_type=MEDIA_TYPE,
    encode=encode,
    decode=decode,
    detect=detect,
    openapi_schemas=openapi_schemas,
    schema_name="RailguardBridgeError",
)
"""The bridge document's error frame."""
