"""Hypothesis fuzz of every decoder and reader of the hostile catalogue (issue 10).

In the normal suite each strategy runs `EXAMPLES` examples (300), each fed to all
thirteen readers. ``make fuzz`` sets ``RAILGUARD_FUZZ_SECONDS`` (default there: 120) and
the same tests run again and again, each round with a new seed, until that time has
passed; ``-s`` prints inputs tried, calls, exceptions, and per reader the worst CPU
time and the worst memory ratio of a call. Every call is held to the catalogue's
bounds (`hostile.check`: a typed outcome, no exception, 50 ms of CPU, 10x its input).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from railguard import NotFoundFailure, RateLimitFailure, ValidationFailure
from railguard.http import encode
from tests.conformance.hostile import READERS, Case, check, input_size, run

EXAMPLES = 300
"""Examples per strategy and round (each one goes to every reader)."""
SECONDS = float(os.environ.get("RAILGUARD_FUZZ_SECONDS", "0"))
"""``make fuzz``: keep running rounds until this many seconds have passed (0: one round)."""

_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)
_keys = st.sampled_from(
    [
        "code",
        "message",
        "errors",
        "type",
        "title",
        "status",
        "detail",
        "instance",
        "details",
        "cause",
        "retry_after",
        "fields",
        "kind",
        "category",
        "error",
        "error_code",
    ]
)
_bodies = [
    encode(failure, style).body
    for failure in (
        NotFoundFailure(message="gone", details={"id": 1}),
        RateLimitFailure(retry_after=3, cause=ValidationFailure()),
    )
    for style in ("agents", "problem", "bridge")
]


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    """A real railguard body with one member replaced by any JSON value (NaN included)."""
    doc: dict[str, Any] = json.loads(draw(st.sampled_from(_bodies)))
    target = doc
    if "errors" in doc and draw(st.booleans()):
        target = doc["errors"][0]
    target[draw(_keys)] = draw(_json_values)
    return json.dumps(doc).encode()


_cases = st.builds(
    Case,
    name=st.just("fuzz"),
    body=st.binary(max_size=512)
    | _json_values.map(lambda v: json.dumps(v).encode())
    | _mutated()
    | st.text(max_size=256).map(lambda t: t.encode("utf-8", "surrogatepass")),
    status=st.integers(min_value=-1, max_value=1000) | st.sampled_from([400, 404, 429, 503]),
    headers=st.dictionaries(
        st.sampled_from(["Retry-After", "Content-Type", "X-Request-ID"]), st.text(max_size=40)
    ),
    close_code=st.none() | st.integers(min_value=-(2**40), max_value=2**40),
    grpc_code=st.integers(min_value=-5, max_value=40),
    expect=st.just(""),
)

FIGURES: dict[str, Any] = {"inputs": 0, "calls": 0, "exceptions": 0}
WORST: dict[str, list[float]] = {name: [0.0, 0.0] for name in READERS}
"""Per reader: the worst CPU time of a call (ms) and the worst peak over its input's size."""


def _feed(case: Case) -> None:
    FIGURES["inputs"] += 1
    for name, reader in READERS.items():
        measure = run(reader, case)
        FIGURES["calls"] += 1
        FIGURES["exceptions"] += measure.raised is not None
        worst = WORST[name]
        worst[0] = max(worst[0], measure.seconds * 1000)
        worst[1] = max(worst[1], measure.peak_bytes / input_size(case))
        problems = check(case, name, measure)
        assert problems == [], (case, problems)


def _rounds(test: Callable[[], None]) -> None:
    """Run ``test`` once, or with fresh seeds until `SECONDS` have passed."""
    deadline = time.monotonic() + SECONDS
    round_seed = 0
    while True:
        seed(round_seed)(test)()
        round_seed += 1
        if time.monotonic() >= deadline:
            break


@pytest.mark.timeout(120 + 2 * SECONDS)  # ``make fuzz`` runs for SECONDS, then one more round
@pytest.mark.filterwarnings("ignore::hypothesis.errors.NonInteractiveExampleWarning")
def test_fuzz_every_reader() -> None:
    """Random bytes, JSON, mutated real bodies, headers and close codes: never a raise."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(_cases)
    def fuzz(case: Case) -> None:
        _feed(case)

    _rounds(fuzz)
    print(
        f"\nfuzz: {FIGURES['inputs']} inputs, {FIGURES['calls']} calls, "
        f"{FIGURES['exceptions']} exceptions"
    )
    for name, (worst_ms, worst_x) in WORST.items():
        print(f"  {name:30} worst {worst_ms:6.2f} ms of CPU, {worst_x:5.3f}x the input")
    assert FIGURES["exceptions"] == 0
    assert FIGURES["inputs"] >= EXAMPLES
