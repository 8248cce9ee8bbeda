"""The exception policy's carrier entries: converted without entering its context, same answers."""

from __future__ import annotations

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
