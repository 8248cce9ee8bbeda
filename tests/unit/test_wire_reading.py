"""The bounded JSON reader and the freezers of parsed documents (issue 10, dense inputs)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import pytest
from returns.pipeline import is_successful

from railguard._wire import (
    MAX_BYTES,
    MAX_DEPTH,
    WireError,
    freeze,
    freeze_fresh,
    freeze_owned,
    read_json,
)
from railguard._wire._density import MAX_OBJECTS, crowded, measure, object_cap, weight_cap
from railguard._wire._json import SHARE_ABOVE, _too_deep
from railguard.cli._capture import read_capture
from railguard.core import Details
from railguard.integrations._distiller import _parse_json
from railguard.integrations.websockets import error_frame_failure
from railguard.websocket import MalformedFrameFailure


def _crowded(text: str) -> str | None:
    """What the reader says of ``text``'s density (`crowded` with its bracket counts)."""
    return crowded(text, text.count("{"), text.count("["))


def _nest(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


@pytest.mark.parametrize("depth", [0, 1, 31, 32])
def test_nesting_up_to_the_cap_is_read(depth: int) -> None:
    """Arrays and objects nested up to 32 levels parse."""
    text = '{"a":' * (depth // 2) + _nest(depth - depth // 2) + "}" * (depth // 2)
    assert read_json(text) == json.loads(text)
    assert not _too_deep(text, MAX_DEPTH)


@pytest.mark.parametrize("depth", [33, 100, 1_000])
def test_nesting_beyond_the_cap_is_refused(depth: int) -> None:
    """33 levels or more are refused before the parser recurses."""
    with pytest.raises(WireError, match="nested deeper"):
        read_json(_nest(depth).encode())


def test_deep_and_dense_nesting_is_refused_for_its_density_first() -> None:
    """10,000 openers in 20 KB are over the density cap, which is checked before depth."""
    with pytest.raises(WireError, match="too many values"):
        read_json(_nest(10_000).encode())


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
        read_json("[" * 1_000)
    assert _too_deep("[" * 100_000, MAX_DEPTH)


def test_a_big_document_shares_repeated_strings() -> None:
    """Over SHARE_ABOVE characters, equal short string values of objects are one object."""
    text = json.dumps([{"type": "VALIDATION", "n": i} for i in range(1_000)])
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


# -- the value-density caps (_wire/_density.py) ---------------------------------------


def _reference(document: object) -> tuple[int, int]:
    """Weight and objects of a parsed document, by walking it (what `measure` must count).

    The weight is one plus its commas, colons and strings, plus two per object or array.
    """
    commas = colons = strings = containers = objects = 0
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            containers, objects, colons = containers + 1, objects + 1, colons + len(value)
            commas, strings = commas + max(0, len(value) - 1), strings + len(value)
            stack.extend(value.values())
        elif isinstance(value, list):
            containers, commas = containers + 1, commas + max(0, len(value) - 1)
            stack.extend(value)
        elif isinstance(value, str):
            strings += 1
    return 1 + commas + colons + strings + 2 * containers, objects


def _largest(fits: Callable[[int], bool]) -> int:
    """The largest count for which ``fits`` holds (it holds for 1 and fails for 10**6)."""
    low, high = 1, 10**6
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def _crowded_ints(count: int) -> str:
    return json.dumps({"x": [1234] * count}, separators=(",", ":"))


@pytest.mark.parametrize(
    "document",
    [
        [],
        {},
        [[], {}],
        {"a": [1, "b", None, {"c": {}}]},
        ["a,b:c{d[e", 'quote " and \\ backslash \\', "\\\\", '\\"', "\\\\\\"],
        {'k"ey': "v,a:l{u[e", "x": ["]", "}", "\\"]},
    ],
)
def test_measure_counts_outside_strings_exactly(document: object) -> None:
    """Commas, colons, brackets and escaped quotes inside strings are not counted."""
    text = json.dumps(document)
    assert measure(text) == _reference(document)


def test_the_weight_cap_reads_up_to_it_and_refuses_over_it() -> None:
    """A document exactly at its weight cap is read; one value more is refused."""
    count = _largest(lambda n: measure(_crowded_ints(n))[0] <= weight_cap(len(_crowded_ints(n))))
    assert read_json(_crowded_ints(count)) == {"x": [1234] * count}
    for data in (_crowded_ints(count + 1), _crowded_ints(count + 1).encode()):
        with pytest.raises(WireError, match="too many values"):
            read_json(data)


def _objects(count: int, pad: int) -> str:
    return json.dumps([{"k": "v" * pad}] * count, separators=(",", ":"))


@pytest.mark.parametrize("pad", [12, 80])
def test_the_object_cap_reads_up_to_it_and_refuses_over_it(pad: int) -> None:
    """Short objects are capped by the text's size, long ones at `MAX_OBJECTS`."""
    count = _largest(lambda n: n <= object_cap(len(_objects(n, pad))))
    assert count == object_cap(len(_objects(count, pad)))
    assert len(read_json(_objects(count, pad))) == count  # type: ignore[arg-type]
    with pytest.raises(WireError, match="objects"):
        read_json(_objects(count + 1, pad))
    if pad == 80:
        assert count == MAX_OBJECTS


def test_a_long_message_full_of_commas_and_braces_is_read() -> None:
    """A 1 MiB message of separators and brackets (escaped quotes too) is not refused."""
    message = ',:{["\\' * ((MAX_BYTES - 64) // 8)
    text = json.dumps({"code": "X", "message": message})
    assert len(text.encode()) <= MAX_BYTES
    assert _crowded(text) is None
    assert read_json(text) == {"code": "X", "message": message}


def test_a_dense_body_is_refused_before_it_is_parsed() -> None:
    """`[{},{},...]` and `[-7,-7,...]` of 64 KiB are refused, the same from bytes and text."""
    for item in ("{}", "-7", '"ab"', "[]"):
        text = "[" + ",".join([item] * (64 * 1024 // (len(item) + 1))) + "]"
        for data in (text, text.encode()):
            with pytest.raises(WireError, match=r"objects|too many values"):
                read_json(data)


def test_short_texts_are_not_counted() -> None:
    """Texts too short to break a cap skip the counting altogether."""
    text = "[" + ",".join(["{}"] * 600) + "]"
    assert _crowded(text) is None
    assert read_json(text) == [{}] * 600


# -- every JSON reader goes through the one reader ------------------------------------

_DEEP_FRAME = '{"type":"error","message":"m","x":' + "[" * 5_000 + "]" * 5_000 + "}"


def test_the_websockets_client_reader_refuses_a_deep_frame_without_raising() -> None:
    """A deep frame is not an error frame it can read: no `RecursionError`, no failure."""
    assert error_frame_failure(_DEEP_FRAME) is None


def test_the_distiller_server_parse_refuses_a_deep_message() -> None:
    """The distiller's message parser answers a failed `Result` for a deep message."""
    assert not is_successful(_parse_json(_DEEP_FRAME))
    assert not is_successful(_parse_json("[" + ",".join(["{}"] * 40_000) + "]"))


def test_the_cli_reads_a_deep_frame_capture_as_malformed() -> None:
    """`read_capture` of a 2,000-deep object frame gives a malformed frame, not a crash."""
    capture = read_capture('{"a":' * 2_000 + "1" + "}" * 2_000)
    assert isinstance(capture.failure, MalformedFrameFailure)


def test_the_distiller_parse_answers_malformed_json_as_before() -> None:
    """Through the one reader, a syntax error still answers the parser's own words."""
    failure = _parse_json('{"op": "get"').failure()
    assert failure.message == "Malformed JSON: Expecting ',' delimiter"
    assert dict(failure.details) == {"line": 1, "column": 13}
