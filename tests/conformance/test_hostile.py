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

from tests.conformance.hostile import CASES, READERS, Case, check, run


def test_the_catalogue_is_big_enough() -> None:
    """At least 100 named cases, each name once, and every reader of the brief."""
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)
    assert {"websocket.from_close", "grpc.decode", "kneo.from_response"} <= set(READERS)


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
