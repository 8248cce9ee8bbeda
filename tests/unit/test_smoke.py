"""Smoke test: the package imports and a failure round-trips through its exception."""

import railguard


def test_failure_round_trips_through_exception() -> None:
    """A generic failure comes back equal from its exception."""
    failure = railguard.NotFoundFailure(message="gone", details={"id": 1})
    assert railguard.Failure.from_exception(failure.to_exception()) == failure
