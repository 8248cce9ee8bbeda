"""The one wire model under every boundary (private): schema, record codec, bounded JSON.

* `schema_of`: one schema per failure class, from its type hints, cached; a field
  type no wire can carry is refused when the class is defined (`check`).
* `write` / `read`: a failure ⇄ its record, in a `Layout` (where each member goes).
* `read_json` / `dumps`: the one bounded JSON reader (`MAX_BYTES`, `MAX_DEPTH`) and writer.

`railguard.http` and `railguard.websocket` are layouts over this package.
"""

from ._json import MAX_BYTES, MAX_DEPTH, RAW_LIMIT, WireError, dumps, excerpt, read_json
from ._layouts import AGENTS_ITEM, BRIDGE, BRIDGE_NESTED, ENVELOPE, read_bridge
from ._record import (
    COMMON_MEMBERS,
    LAYOUTS,
    NESTED,
    Context,
    Layout,
    constants,
    layout,
    read,
    wire_status,
    write,
)
from ._schema import FieldSpec, Schema, check, schema_of
from ._status import for_status, status_name
from ._types import UnsupportedType, freeze, freeze_fresh, freeze_owned

__all__ = [
    "AGENTS_ITEM",
    "BRIDGE",
    "BRIDGE_NESTED",
    "COMMON_MEMBERS",
    "ENVELOPE",
    "LAYOUTS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "NESTED",
    "RAW_LIMIT",
    "Context",
    "FieldSpec",
    "Layout",
    "Schema",
    "UnsupportedType",
    "WireError",
    "check",
    "constants",
    "dumps",
    "excerpt",
    "for_status",
    "freeze",
    "freeze_fresh",
    "freeze_owned",
    "layout",
    "read",
    "read_bridge",
    "read_json",
    "schema_of",
    "status_name",
    "wire_status",
    "write",
]
