"""The layouts several wire forms share: the agents item, the bridge frame, the envelope frame."""

from __future__ import annotations

from typing import Final

from ._record import layout

__all__ = ["AGENTS_ITEM", "BRIDGE", "BRIDGE_NESTED", "ENVELOPE"]

AGENTS_ITEM: Final = layout(
    name="agents-item",
    code="type",
    message="message",
    status="status",
    status_always=False,
    category_always=True,
)
"""``{"type": CODE, "message", "category", ...}``: an agents ``errors`` item, a problem's
``errors`` item, and the causes and members of both envelopes."""

BRIDGE_NESTED: Final = layout(
    name="bridge-nested",
    code="error_code",
    message="message",
    status="code",
    status_always=True,
    category_always=False,
    flat_details=True,
    code_first=False,
    extra_reserved=frozenset({"type"}),
)
"""A failure inside a bridge frame (its cause, a group's members): the frame without ``type``."""

BRIDGE: Final = layout(
    name="bridge",
    code="error_code",
    message="message",
    status="code",
    status_always=True,
    category_always=False,
    head={"type": "error"},
    flat_details=True,
    code_first=False,
    nested_name="bridge-nested",
)
"""The bridge document's ``to_dict()`` frame: ``{"type": "error", "message", "code": 404,
"error_code", <typed fields and details>...}``; the HTTP bridge style and the WebSocket
bridge frame are this one layout."""

ENVELOPE: Final = layout(
    name="envelope",
    code="code",
    message="message",
    status="status",
    status_always=True,
    category_always=False,
    extra_reserved=frozenset({"type"}),
)
"""The WebSocket envelope frame's ``error`` object: ``{"code", "status", "message", ...}``."""
