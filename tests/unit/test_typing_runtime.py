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
    """get_type_hints resolves an annotation that uses JSONValue (as pydantic or FastAPI do)."""

    def first(details: Details) -> JSONValue | None:
        return details.get("x")

    hints = typing.get_type_hints(first, globalns={"JSONValue": JSONValue, "Details": Details})
    assert Details in typing.get_args(hints["return"])
