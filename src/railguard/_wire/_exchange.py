"""Exchange members: what an envelope or frame says about the exchange, not about the failure.

``request_id``, ``trace_id`` and ``localized_message`` sit in the outermost object of
every HTTP envelope and WebSocket error frame, and only when the exchange has them, so
a body without them is exactly the documented shape. `splice` writes them into an
encoded body; `strip` takes them out of a parsed one before the record is read (they
are never details).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _string
from typing import TYPE_CHECKING, Final, cast

import attrs

from railguard.core import Failure

from ._json import dumps
from ._record import Context
from ._schema import schema_of

if TYPE_CHECKING:
    from railguard.messages import LocalizedMessage

__all__ = [
    "EMPTY",
    "MEMBERS",
    "Exchange",
    "bridge_record",
    "read_exchange",
    "splice",
    "strip",
    "valid_trace_id",
]

_TRACE_ID: Final = re.compile(r"[0-9a-f]{32}")


def valid_trace_id(value: object) -> bool:
    """Whether ``value`` is an OpenTelemetry trace id as written: 32 lowercase hex digits."""
    return type(value) is str and _TRACE_ID.fullmatch(value) is not None


@attrs.frozen
class Exchange:
    """The exchange's members of an envelope or frame: request id, trace id, localized message.

    Each is ``None`` when absent. The trace id is OpenTelemetry's: 32 lowercase hex
    digits. The localized message is the failure's message for end users in the
    caller's language (`railguard.messages`), AIP-193's ``LocalizedMessage``.
    """

    request_id: str | None = None
    """The ``X-Request-ID`` of the request (or WebSocket session) that was answered."""
    trace_id: str | None = attrs.field(default=None)
    """The trace the answer was given in (W3C trace context: 32 lowercase hex digits)."""

    localized_message: LocalizedMessage | None = None
    """``{"locale": "de", "message": "..."}`` on the wire."""

    @trace_id.validator
    def _check_trace_id(self, _: object, value: str | None) -> None:
        if value is not None and not valid_trace_id(value):
            raise ValueError(f"a trace id is 32 lowercase hex digits, not {value!r}")

    def members(self) -> dict[str, object]:
        """The members as they are written: only those present, in wire order."""
        found: dict[str, object] = {}
        if self.request_id is not None:
            found["request_id"] = self.request_id
        if self.trace_id is not None:
            found["trace_id"] = self.trace_id
        localized = self.localized_message
        if localized is not None:
            found["localized_message"] = {"locale": localized.locale, "message": localized.message}
        return found


EMPTY: Final = Exchange()
"""An exchange without members."""

MEMBERS: Final = ("request_id", "trace_id", "localized_message")
"""The member names, in the order they are written."""


def splice(text: str, failure: Failure, exchange: Exchange) -> str:
    """``text`` (an encoded envelope or frame of ``failure``) with ``exchange``'s members.

    The members are appended to the outermost object. When the text already holds a
    member of such a name (a failure with a typed ``request_id`` field, as kneo's, or a
    bridge frame's flat detail of that name) it is parsed: the exchange's value takes a
    typed field's place (the answer's own id, never a relayed one) and a flat detail
    moves under ``details``, so it still decodes as one.
    """
    if (  # the common case: no member of these names yet, append
        text.endswith("}")
        and '"request_id"' not in text
        and '"trace_id"' not in text
        and '"localized_message"' not in text
    ):
        piece = _piece(exchange)
        return f"{text[:-1]},{piece}}}" if piece else text
    members = exchange.members()
    if not members:
        return text
    doc: dict[str, object] = json.loads(text)  # our own encoder's output
    keys = schema_of(type(failure)).keys
    for key, value in members.items():
        if key in doc and key not in keys:
            nested = doc.setdefault("details", {})
            if isinstance(nested, dict):
                nested.setdefault(key, doc[key])
        doc[key] = value
    return dumps(doc)


_LOCALIZED_KEYS: Final = frozenset({"locale", "message"})


def _valid_localized(value: object) -> bool:
    """``{"locale": str, "message": str}`` and nothing else."""
    if type(value) is not dict:
        return False
    obj = cast("dict[str, object]", value)
    return obj.keys() == _LOCALIZED_KEYS and all(type(v) is str for v in obj.values())


def _piece(exchange: Exchange) -> str:
    """The members as JSON text without braces (what `dumps` writes, without its overhead)."""
    parts: list[str] = []
    if exchange.request_id is not None:
        parts.append('"request_id":' + _string(exchange.request_id))
    if exchange.trace_id is not None:
        parts.append(f'"trace_id":"{exchange.trace_id}"')  # hex digits: nothing to escape
    localized = exchange.localized_message
    if localized is not None:
        locale, message = _string(localized.locale), _string(localized.message)
        parts.append(f'"localized_message":{{"locale":{locale},"message":{message}}}')
    return ",".join(parts)


def _member(key: str, value: object) -> bool:
    """Whether ``value`` is a well-formed exchange member ``key`` (else it is a plain member)."""
    if key == "trace_id":
        return valid_trace_id(value)
    if key == "localized_message":
        return _valid_localized(value)
    return type(value) is str


def read_exchange(obj: Mapping[str, object]) -> Exchange:
    """The exchange members of a parsed envelope or frame (absent or ill-formed: ``None``)."""
    request_id = obj.get("request_id")
    trace_id = obj.get("trace_id")
    localized = obj.get("localized_message")
    message = None
    if localized is not None and _valid_localized(localized):
        from railguard.messages import LocalizedMessage  # noqa: PLC0415  # only when present

        given = cast("dict[str, str]", localized)
        message = LocalizedMessage(given["locale"], given["message"])
    return Exchange(
        request_id if type(request_id) is str else None,
        cast("str", trace_id) if valid_trace_id(trace_id) else None,
        message,
    )


def strip(obj: dict[str, object]) -> tuple[dict[str, object], str | None]:
    """``obj`` without its well-formed exchange members, and the request id among them.

    The same object when it has none (the common case: three lookups).
    """
    if "request_id" not in obj and "trace_id" not in obj and "localized_message" not in obj:
        return obj, None
    found = [key for key in MEMBERS if key in obj and _member(key, obj[key])]
    if not found:
        return obj, None
    request_id = cast("str", obj["request_id"]) if "request_id" in found else None
    return {k: v for k, v in obj.items() if k not in found}, request_id


def bridge_record(obj: dict[str, object], ctx: Context) -> tuple[dict[str, object], Context]:
    """A bridge frame without its exchange members, and the context that carries its id.

    Railguard's frames (with ``error_code`` or ``kind``) hold the members flat next to
    the record's: taken out, they are not read as details; a typed ``request_id`` field
    (kneo's) still reads the id, from the context. The bridge document's own frame is
    left as it is (every key it has is one of its details).
    """
    if "error_code" not in obj and "kind" not in obj:
        return obj, ctx
    obj, request_id = strip(obj)
    if request_id is None or ctx.request_id is not None:
        return obj, ctx
    return obj, ctx._replace(request_id=request_id)
