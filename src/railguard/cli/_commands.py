"""The blocks and JSON each command prints: catalog, explain, decode."""

from __future__ import annotations

import enum
import json
from typing import Any

import attrs

from railguard import Failure, catalog

from ._capture import Capture
from ._describe import Description, public_path, sample
from ._render import Block, Code, Heading, Note, Pairs, Table

__all__ = [
    "FAMILY_AND_GENERIC",
    "catalog_blocks",
    "catalog_data",
    "decode_blocks",
    "decode_data",
    "explain_blocks",
]

FAMILY_AND_GENERIC = (
    "Two codes, on purpose: the failure's own code (e.g. AGENT_NOT_FOUND) is stable and "
    "names exactly this failure; the agents envelope's top-level `code` is the generic name "
    "of the HTTP status (NOT_FOUND), as the agents-server document specifies, so clients "
    "that only know HTTP still understand it. The family code rides in errors[].type "
    "(agents), `code` (problem) and `error_code` (bridge)."
)

_FATAL = {
    True: "yes: on a WebSocket, the error frame is followed by a close",
    False: "no: on a WebSocket, the session goes on after the error frame",
}

_CATALOG_COLUMNS = ("code", "failure", "exception", "status", "category", "recovery")


def _record(cls: type[Failure]) -> dict[str, str | int | None]:
    try:
        failure = sample(cls)
    except TypeError:  # a class placeholders cannot build: what the class itself says
        return dict.fromkeys(_CATALOG_COLUMNS) | {
            "code": cls.default_code,
            "failure": public_path(cls),
            "category": cls.default_category.value,
        }
    return {
        "code": failure.code,
        "failure": public_path(cls),
        "exception": public_path(type(failure.to_exception())),
        "status": int(failure.status),
        "category": failure.category.value,
        "recovery": failure.recovery.value,
    }


def catalog_data() -> list[dict[str, str | int | None]]:
    """One record per registered failure class, in catalog order."""
    return [_record(cls) for cls in catalog()]


def catalog_blocks() -> list[Block]:
    """The catalog as one table."""
    rows = tuple(
        tuple("?" if value is None else str(value) for value in record.values())
        for record in catalog_data()
    )
    return [Table(_CATALOG_COLUMNS, rows)]


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def explain_blocks(description: Description) -> list[Block]:
    """Everything about one failure, from its class to each of its wire forms."""
    d = description
    blocks: list[Block] = [
        Heading(f"{d.code}: {d.summary}" if d.summary else d.code),
        Pairs(
            (
                ("failure", d.failure),
                ("exception", d.exception),
                ("family", d.family),
                ("status", f"{d.status} {d.status_name}"),
                ("category", d.category),
                ("recovery", f"{d.recovery} (retryable: {_yes(d.retryable)})"),
                ("fatal", _FATAL[d.fatal]),
                ("user message", d.user_message or "-"),
            )
        ),
        Heading("Fields"),
        Table(
            ("field", "type", "default"),
            tuple(
                (f.name, f.type, "required" if f.default is None else f.default) for f in d.fields
            ),
        ),
    ]
    for style, (status, headers, body) in d.http.items():
        header_lines = "\n".join(f"{name}: {value}" for name, value in headers.items())
        blocks.append(Heading(f"HTTP, {style} envelope"))
        blocks.append(Code(f"HTTP/1.1 {status}\n{header_lines}\n\n{_pretty(body)}", "http"))
    blocks.extend(
        [
            Heading("WebSocket error frame"),
            Code(_pretty(d.frame), "json"),
            Heading("WebSocket close"),
            Pairs((("code", str(d.close[0])), ("reason", repr(d.close[1])))),
            Heading("Exception"),
            Code(f"raise {d.raised}", "python"),
            Note("Required fields show as <name> placeholders in the examples above."),
            Note(FAMILY_AND_GENERIC),
        ]
    )
    return blocks


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


_SHOWN = frozenset({"message", "details", "cause", "retry_after", "code", "status", "category"})
"""Members every failure has; `decode_data` shows them on their own, not among the fields."""


def _values(failure: Failure) -> dict[str, Any]:
    return {
        attribute.name: getattr(failure, attribute.name)
        for attribute in attrs.fields(type(failure))
        if attribute.name not in _SHOWN
    }


def decode_data(capture: Capture) -> dict[str, Any]:
    """The decoded failure as JSON-ready data (``None`` members when it is not an error)."""
    failure = capture.failure
    if failure is None:
        return {"kind": capture.kind, "status": capture.status, "failure": None}
    chain = []
    cause = failure.cause
    while cause is not None:
        chain.append({"failure": public_path(type(cause)), "code": cause.code})
        cause = cause.cause
    return {
        "kind": capture.kind,
        "failure": public_path(type(failure)),
        "code": failure.code,
        "message": failure.message,
        "status": int(failure.status),
        "category": failure.category.value,
        "recovery": failure.recovery.value,
        "retry_after": failure.retry.after,
        "fatal": failure.fatal,
        "fields": {k: _jsonable(v) for k, v in _values(failure).items()},
        "details": json.loads(json.dumps(dict(failure.details), default=str)),
        "cause": chain,
    }


def _jsonable(value: object) -> object:
    if isinstance(value, enum.Enum):
        return value.value
    try:
        json.dumps(value)
    except TypeError:
        return repr(value)
    return value


def _clip(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def decode_blocks(capture: Capture) -> list[Block]:
    """The decoded failure as a heading and its members."""
    data = decode_data(capture)
    if data["failure"] is None:
        what = f"HTTP {capture.status}" if capture.kind == "http" else "this WebSocket message"
        return [Heading("Not a failure"), Note(f"{what} is not an error.")]
    pairs = [
        (key, str(data[key]))
        for key in ("failure", "code", "message", "status", "category", "recovery")
    ]
    pairs.append(
        ("retry after", "-" if data["retry_after"] is None else f"{data['retry_after']:g} s")
    )
    pairs.append(("fatal", _yes(data["fatal"])))
    pairs.extend((name, _clip(repr(value))) for name, value in data["fields"].items())
    if data["details"]:
        pairs.append(("details", json.dumps(data["details"], ensure_ascii=False)))
    pairs.extend(("caused by", f"{link['failure']} ({link['code']})") for link in data["cause"])
    return [Heading(f"{capture.kind}: {data['code']}"), Pairs(tuple(pairs))]
