"""The bounded JSON reader and the freezers of parsed documents (issue 10, dense inputs)."""

from __future__ import annotations

import json
import math

import pytest

from railguard._wire import MAX_DEPTH, WireError, freeze, freeze_fresh, freeze_owned, read_json
from railguard._wire._json import SHARE_ABOVE, _too_deep
from railguard.core import Details


def _nest(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize("depth", [0, 1, 31, 32])
def test_nesting_up_to_the_cap_is_read(depth: int) -> None:
    """Arrays and objects nested up to 32 levels parse."""
    text = '{"a":' * (depth // 2) + _nest(depth - depth // 2) + "}" * (depth // 2)
    assert read_json(text) == json.loads(text)
    assert not _too_deep(text, MAX_DEPTH)


@pytest.mark.parametrize("depth", [33, 100, 10_000])
def test_nesting_beyond_the_cap_is_refused(depth: int) -> None:
    """33 levels or more are refused before the parser recurses."""
    with pytest.raises(WireError, match="nested deeper"):
        read_json(_nest(depth).encode())


def test_brackets_inside_strings_do_not_count() -> None:
    """Openers inside strings, escaped quotes included, are not nesting."""
    text = json.dumps({"m": "[" * 100, "n": ['\\"[[[[' * 50, "{" * 40]})
    assert read_json(text) == json.loads(text)


def test_closers_inside_strings_cannot_hide_nesting() -> None:
    """A string's closer never cancels a real opener: 40 real levels are still refused."""
    text = "[" + '"]",[' * 40 + "1" + "]" * 41
    assert _too_deep(text, MAX_DEPTH)
    with pytest.raises(WireError, match="nested deeper"):
        read_json(text)


def test_unclosed_openers_count_as_nesting() -> None:
    """Text that opens more than 32 levels and never closes them is refused as too deep."""
    with pytest.raises(WireError, match="nested deeper"):
        read_json("[" * 100_000)


def test_a_big_document_shares_repeated_strings() -> None:
    """Over SHARE_ABOVE characters, equal short string values of objects are one object."""
    text = json.dumps([{"type": "VALIDATION", "n": i} for i in range(2_000)])
    assert len(text) > SHARE_ABOVE
    document = read_json(text)
    assert document == json.loads(text)
    assert isinstance(document, list)
    assert document[0]["type"] is document[-1]["type"]


def test_sharing_keeps_distinct_values_apart() -> None:
    """Sharing never merges different texts (or texts of different length)."""
    items = [{"m": f"v{i % 7}", "long": "x" * (100 + i % 3)} for i in range(2_000)]
    text = json.dumps(items)
    assert read_json(text) == items


@pytest.mark.parametrize(
    "document",
    [
        {"a": [1, 2.5, {"b": None}], "c": "d"},
        [{"t": 1}, {"t": True}, {"t": 1.0}, {"t": -0.0}, {"t": 0.0}],
        [{}, {}, [], "x"],
        "text",
        7,
    ],
)
def test_freeze_owned_gives_what_freeze_gives(document: object) -> None:
    """freeze_owned equals freeze, and keeps 1, true, 1.0 and -0.0 apart."""
    expected = freeze(json.loads(json.dumps(document)), 0)
    frozen = freeze_owned(json.loads(json.dumps(document)))
    assert frozen == expected
    assert repr(frozen) == repr(expected)  # types and signs, not only equality


def test_freeze_owned_shares_equal_small_objects() -> None:
    """Ten thousand equal items become one Details: the frozen tree costs a tuple."""
    frozen = freeze_owned(json.loads(json.dumps([{"type": "VALIDATION"}] * 10_000)))
    assert isinstance(frozen, tuple)
    assert len({id(item) for item in frozen}) == 1
    assert frozen[0] == Details({"type": "VALIDATION"})


def test_freeze_owned_refuses_an_overflowed_float() -> None:
    """An exponent that overflowed to infinity is refused, as freeze refuses it."""
    with pytest.raises(WireError):
        freeze_owned(json.loads('{"a": [1e999]}'))


def test_freeze_fresh_leaves_nested_values_alone() -> None:
    """Only the dict built for it is reused; nested values the caller holds are copied."""
    nested = {"k": [1, 2]}
    fresh: dict[str, object] = {"n": nested, "x": 1.5}
    frozen = freeze_fresh(fresh, 1)
    assert frozen == freeze({"n": {"k": [1, 2]}, "x": 1.5}, 1)
    assert nested == {"k": [1, 2]}
    assert isinstance(nested["k"], list)


def test_freeze_fresh_refuses_what_freeze_refuses() -> None:
    """A non-finite float or a non-string key is a WireError, as with freeze."""
    with pytest.raises(WireError):
        freeze_fresh({"x": math.inf}, 1)
    with pytest.raises(WireError):
        freeze_fresh({1: "x"}, 1)  # type: ignore[dict-item]
