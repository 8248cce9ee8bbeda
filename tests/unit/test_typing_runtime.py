"""Public type aliases are usable at run time, where annotations are evaluated."""

from __future__ import annotations

import typing

import railguard
from railguard import Details, JSONValue


def test_json_value_is_a_real_union() -> None:
    """``JSONValue | None`` evaluates (it raised TypeError when the alias was a string)."""
    optional = railguard.JSONValue | None
    assert type(None) in typing.get_args(optional)
    assert Details in typing.get_args(JSONValue)


def test_json_value_resolves_in_evaluated_annotations() -> None:
    """get_type_hints resolves JSONValue (as pydantic or FastAPI do): no forward reference left."""

    def first(details: Details) -> railguard.JSONValue | None:
        return details.get("x")

    hints = typing.get_type_hints(first)
    assert Details in typing.get_args(hints["return"])
    assert not any(isinstance(arg, typing.ForwardRef) for arg in typing.get_args(hints["return"]))
