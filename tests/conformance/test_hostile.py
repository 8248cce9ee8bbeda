"""The hostile-input catalogue against every decoder and reader (issue 10).

Over 100 named cases (`hostile.CASES`: malformed JSON, wrong types, unknown codes,
sizes within and over the caps, deep nesting, NaN and Infinity tokens, lone
surrogates, invalid UTF-8, hostile headers, ``Retry-After`` values, close codes and
reasons) go to each of `hostile.READERS`. Every call must give its documented typed
outcome, never raise, take at most 50 ms of CPU and peak at most 10x its input (the
measurement is defined in `tests.conformance.hostile`). ``python -m
tests.conformance.hostile`` prints the figures.
"""

from __future__ import annotations

import pytest

from railguard._wire._density import MAX_OBJECTS
from railguard.core import MalformedFailure
from railguard.http import decode
from tests.conformance.hostile import CASES, READERS, Case, check, refused, run


def test_the_catalogue_is_big_enough() -> None:
    """At least 100 named cases, each name once, and every reader of the brief."""
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)
    assert {"websocket.from_close", "grpc.decode", "kneo.from_response"} <= set(READERS)
    assert sum(case.expect == "decode" for case in CASES) >= 8
    assert sum(case.expect == "refuse" for case in CASES) >= 15


_EXPECTING = [case for case in CASES if case.expect]


@pytest.mark.parametrize("case", _EXPECTING, ids=[case.name for case in _EXPECTING])
def test_each_cap_refuses_just_over_it_and_reads_up_to_it(case: Case) -> None:
    """Cases at or below a cap decode (no malformed failure); cases over one are refused."""
    assert refused(case.body) is (case.expect == "refuse")
    assert case.within_caps is (case.expect == "decode")
    failure = decode(400, {}, case.body, "agents")
    assert isinstance(failure, MalformedFailure) is (case.expect == "refuse"), failure.message


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """First calls load the catalog and fill caches; they are not what is measured."""
    for case in CASES[:3]:
        for reader in READERS.values():
            reader(case)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_reader_keeps_its_promises(case: Case) -> None:
    """Typed outcome, no exception, at most 50 ms of CPU, at most 10x the input, every reader."""
    problems = [p for name, reader in READERS.items() for p in check(case, name, run(reader, case))]
    assert problems == []


def test_a_group_decodes_up_to_the_object_cap() -> None:
    """The largest validation group every reader reads has `MAX_OBJECTS` - 1 members."""
    assert f"group-{MAX_OBJECTS - 1}-validation-items" in {case.name for case in _EXPECTING}
    assert f"group-{MAX_OBJECTS}-validation-items" in {
        case.name for case in _EXPECTING if case.expect == "refuse"
    }
