"""A user-style program over the families, type-checked (pyright strict and mypy), never run.

It pins what issue 11 found pyright got wrong: `catching` over family exceptions
keeps the failure union (so an exhaustive ``match`` with ``assert_never`` holds),
``.to_exception()`` is typed as the paired exception, and ``exc.failure`` as the
paired failure.
"""

from __future__ import annotations

from typing import assert_never, assert_type

from railguard import Err, Ok, Result, cases, catching
from railguard.families.agents import (
    AgentBaseException,
    AgentBaseFailure,
    AgentNotFoundException,
    AgentNotFoundFailure,
)
from railguard.families.bridge import ConnectionError as BridgeConnectionError
from railguard.families.bridge import ConnectionFailure, ToolExecutionError, ToolExecutionFailure
from railguard.families.distiller import ConnectionTimeoutError, ConnectionTimeoutFailure
from railguard.families.executor import MaxAttemptsExceededError, WorkflowError, WorkflowFailure
from railguard.families.kneo import KneoRateLimited, KneoRateLimitedFailure
from railguard.retry import RetryExhaustedFailure


@catching(AgentNotFoundException, KneoRateLimited)
def fetch(agent_id: str) -> str:
    """Raise the documented exceptions; `catching` turns them into typed failures."""
    if not agent_id:
        raise AgentNotFoundException
    return agent_id


def describe(agent_id: str) -> str:
    """Match every failure `fetch` can return, exhaustively."""
    result = fetch(agent_id)
    assert_type(result, Result[str, AgentNotFoundFailure | KneoRateLimitedFailure])
    match cases(result):
        case Ok(value):
            return value
        case Err(failure):
            match failure:
                case AgentNotFoundFailure(message=message):
                    return message
                case KneoRateLimitedFailure(retry_after=seconds):
                    return f"retry in {seconds}"
                case _:
                    assert_never(failure)


def exceptions_of_failures() -> None:
    """``to_exception()`` is the paired exception, for a leaf and for a family base."""
    assert_type(AgentNotFoundFailure().to_exception(), AgentNotFoundException)
    assert_type(ConnectionTimeoutFailure().to_exception(), ConnectionTimeoutError)
    assert_type(ConnectionFailure().to_exception(), BridgeConnectionError)
    assert_type(WorkflowFailure(stage="x").to_exception(), WorkflowError)
    assert_type(WorkflowFailure(stage="x").to_exception().original_exception, Exception | None)
    assert_type(KneoRateLimitedFailure().to_exception(), KneoRateLimited)


def exhausted(failure: RetryExhaustedFailure[KneoRateLimitedFailure]) -> None:
    """A retry's exhaustion maps to the executor's failure, which raises its exception."""
    assert_type(failure.to_executor().to_exception(), MaxAttemptsExceededError)


def widen(failure: AgentBaseFailure) -> AgentBaseException:
    """A family base's failure gives the family base's exception."""
    return failure.to_exception()


def failures_of_exceptions(error: ToolExecutionError) -> ToolExecutionFailure:
    """``exc.failure`` is the paired failure, with its typed fields."""
    assert_type(AgentNotFoundException().failure, AgentNotFoundFailure)
    assert_type(ConnectionTimeoutError().failure, ConnectionTimeoutFailure)
    assert_type(error.failure.exit_code, int | None)
    return error.failure


def reraise(result: Result[int, AgentNotFoundFailure]) -> int:
    """A failure's exception can be raised and caught as the document's class."""
    try:
        match cases(result):
            case Ok(value):
                return value
            case Err(failure):
                raise failure.to_exception()
    except AgentNotFoundException as exc:
        assert_type(exc.failure, AgentNotFoundFailure)
        return 0
