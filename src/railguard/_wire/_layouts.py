"""The layouts several wire forms share: the agents item, the bridge frame, the envelope frame."""

from __future__ import annotations

from typing import Final

from railguard.core import Failure

from ._json import WireError
from ._record import Context, layout, read
from ._status import for_status
from ._types import freeze_fresh

__all__ = ["AGENTS_ITEM", "BRIDGE", "BRIDGE_NESTED", "ENVELOPE", "read_bridge"]

AGENTS_ITEM: Final = layout(
    name="agents-item",
    code="type",
    message="message",
    status="status",
    status_always=False,
    category_always=False,
    keep_unknown=True,
)
"""``{"type": CODE, "message", ...}``: an agents ``errors`` item, a problem's ``errors`` item,
and the causes and members of both envelopes; ``category`` only when the instance varies it
(a registered type implies it), though a ``category`` member still decodes. A member a
foreign server adds to an item is kept in its details (railguard writes none)."""

BRIDGE_NESTED: Final = layout(
    name="bridge-nested",
    code="error_code",
    message="message",
    status="code",
    status_always=True,
    category_always=False,
    flat_details=True,
    order=("message", "status", "code"),
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
    order=("message", "status", "code"),
    nested_name="bridge-nested",
)
"""The bridge document's ``to_dict()`` frame: ``{"type": "error", "message", "code": 404,
"error_code", <typed fields and details>...}``; the HTTP bridge style and the WebSocket
bridge frame are this one layout."""

ENVELOPE: Final = layout(
    name="envelope",
    order=("code", "status", "message"),
    code="code",
    message="message",
    status="status",
    status_always=True,
    category_always=False,
    extra_reserved=frozenset({"type"}),
)
"""The WebSocket envelope frame's ``error`` object: ``{"code", "status", "message", ...}``."""


_TO_DICT_KEYS: Final = frozenset({"type", "message", "code"})


def read_bridge(obj: dict[str, object], ctx: Context) -> Failure:
    """A bridge frame (HTTP or WebSocket): the record, or the document's own ``to_dict()``.

    A frame without ``error_code`` (nor ``kind``) is what the bridge server itself
    sends: it decodes by its status (``code``), its other keys kept as details.
    """
    if "error_code" in obj:
        return read(obj, BRIDGE, ctx)
    kind = obj.get("kind")
    if type(kind) is str:
        return read(obj, BRIDGE, ctx, code=kind)
    message = obj.get("message")
    if message is not None and type(message) is not str:
        raise WireError("'message' is not a string")
    status = obj.get("code")
    if type(status) is not int:
        status = ctx.status if ctx.status is not None else 500
    leftovers = {k: v for k, v in obj.items() if k not in _TO_DICT_KEYS}
    return for_status(
        status,
        message,
        details=freeze_fresh(leftovers, 1) if leftovers else None,
        retry_after=ctx.retry_after,
    )
