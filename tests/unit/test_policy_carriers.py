"""The exception policy's carrier entries: converted without entering its context, same answers."""

from __future__ import annotations

import logging
from typing import cast

import pytest

from railguard import (
    Failure,
    InternalFailure,
    NotFoundFailure,
    RailguardError,
    ValidationFailure,
    register_exception,
)
from railguard.core import failure_from_exception, wire_failure
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure

SECRET = "db password=hunter2"


def _raised_from(exc: BaseException, cause: BaseException) -> BaseException:
    try:
        raise exc from cause
    except BaseException as caught:  # the test's own chain
        return caught


def test_cause_less_family_exception_answers_its_failure() -> None:
    """A family exception without a cause is answered with the failure it builds."""
    exc = AgentNotFoundException("Agent 42 not found.")
    assert wire_failure(exc) == exc.failure == AgentNotFoundFailure(message="Agent 42 not found.")


def test_carried_failure_is_answered_as_it_is() -> None:
    """RailguardError carries its failure: the wire answer is that very value."""
    failure = NotFoundFailure(message="Order 7 not found.")
    assert wire_failure(RailguardError(failure)) is failure


def test_family_exception_cause_still_follows_the_wire_policy() -> None:
    """A carrier with a cause enters the context: a ValueError cause is sanitized on the wire."""
    exc = _raised_from(AgentNotFoundException("Agent 42 not found."), ValueError(SECRET))
    wired = wire_failure(exc)
    assert isinstance(wired.cause, InternalFailure)
    assert SECRET not in repr(wired)
    in_process = failure_from_exception(exc)
    assert isinstance(in_process.cause, ValidationFailure)
    assert in_process.cause.message == SECRET


class _Wrapper(Exception):
    """An exception that holds another one in an attribute (not as its cause)."""

    def __init__(self, inner: BaseException) -> None:
        super().__init__("wrapper")
        self.inner = inner


def _wrapped(exc: _Wrapper) -> Failure:
    return NotFoundFailure(message="wrapped", cause=failure_from_exception(exc.inner))


def test_non_carrier_converter_resolves_under_the_wire_policy() -> None:
    """A converter that resolves another exception still sees the wire policy in force."""
    register_exception(_Wrapper, _wrapped)  # not a carrier: it resolves ``inner``
    exc = _Wrapper(ValueError(SECRET))
    assert isinstance(wire_failure(exc).cause, InternalFailure)
    assert isinstance(failure_from_exception(exc).cause, ValidationFailure)


class _Carrying(Exception):
    """An application's own carrier: its converter only reads the exception's own state."""


class _BrokenCarrying(Exception):
    """A carrier whose converter raises."""


class _WrongCarrying(Exception):
    """A carrier whose converter returns something that is not a failure."""


class _PrivateCarrying(Exception):
    """A carrier kept in process (``public=False``)."""


def test_a_carrier_is_answered_alike_on_every_call() -> None:
    """The first answer resolves the type's entry, later ones read it directly: the same value."""
    register_exception(_Carrying, lambda exc: NotFoundFailure(message=str(exc)), carrier=True)
    answers = [wire_failure(_Carrying("Order 7 not found.")) for _ in range(3)]
    assert answers == [NotFoundFailure(message="Order 7 not found.")] * 3


def test_a_broken_carrier_is_logged_and_sanitized_on_every_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A carrier's converter that raises never reaches the wire, however often it is asked."""

    def broken(exc: _BrokenCarrying) -> Failure:
        raise KeyError(SECRET)

    register_exception(_BrokenCarrying, broken, carrier=True)
    for _ in range(3):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="railguard"):
            wired = wire_failure(_BrokenCarrying())
        assert isinstance(wired, InternalFailure)
        assert "converting _BrokenCarrying failed" in caplog.text
        assert SECRET not in repr(wired)


def test_a_carrier_returning_a_non_failure_is_logged_on_every_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What a carrier's converter returns is checked on the direct path too."""
    register_exception(_WrongCarrying, lambda exc: cast(Failure, SECRET), carrier=True)
    for _ in range(3):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="railguard"):
            wired = wire_failure(_WrongCarrying())
        assert isinstance(wired, InternalFailure)
        assert "registered for _WrongCarrying returned str, not a Failure" in caplog.text


def test_a_private_carrier_never_reaches_the_wire() -> None:
    """``public=False`` holds for a carrier on every call, and it still converts in process."""
    failure = NotFoundFailure(message=SECRET)
    register_exception(_PrivateCarrying, lambda exc: failure, public=False, carrier=True)
    for _ in range(3):
        assert isinstance(wire_failure(_PrivateCarrying()), InternalFailure)
    assert failure_from_exception(_PrivateCarrying()) is failure
