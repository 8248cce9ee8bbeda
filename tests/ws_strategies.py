"""Strategies for the WebSocket tests: every registered failure, the families' included.

``railguard.testing`` draws each field from its declared type. Two kinds of
family fields need help, named here (registering the same strategy again is
harmless, so other test modules may do the same):

* fields annotated with the ``JSONValue`` alias under postponed annotations,
  which the type-driven strategy cannot resolve;
* bridge failures, whose flat frame forbids ``details`` keys equal to a typed
  field's frame key (the failure rejects them).
"""

from __future__ import annotations

import attrs
from hypothesis import strategies as st

from railguard import Failure, FailureGroup
from railguard.testing import failure_classes, failures, json_values, register_field_strategy

PLAIN = failure_classes(include=lambda cls: cls is not FailureGroup)
"""Every registered class but the group (built below from the others)."""

_BASE = {"message", "details", "cause", "retry_after", "code", "status", "category"}


def _register() -> None:
    bridge_keys: set[str] = set()
    bridge_root: type[Failure] | None = None
    for cls in PLAIN:
        for field in attrs.fields(cls):
            declared = field.type if isinstance(field.type, str) else ""
            if declared.startswith("tuple[JSONValue"):
                items = st.lists(json_values(), max_size=3).map(tuple)
                register_field_strategy(cls, field.name, items)
            elif declared.startswith("JSONValue"):
                register_field_strategy(cls, field.name, json_values())
        if cls.__module__ == "railguard.families.bridge":
            bridge_keys.update(f.name for f in attrs.fields(cls) if f.name not in _BASE)
            if bridge_root is None:
                bridge_root = cls
    if bridge_root is not None:
        bridge_keys.add("field")  # MissingFieldError's frame key for field_name
        details = st.dictionaries(
            st.text(max_size=8).filter(lambda key: key not in bridge_keys),
            json_values(max_leaves=4),
            max_size=3,
        )
        register_field_strategy(bridge_root, "details", details)


_register()

groups: st.SearchStrategy[FailureGroup[Failure]] = st.builds(
    FailureGroup,
    failures=st.lists(failures(*PLAIN), min_size=1, max_size=3).map(tuple),
    message=st.text(max_size=20),
)
any_failure: st.SearchStrategy[Failure] = failures(*PLAIN) | groups
"""An instance of any registered failure class, groups included."""
