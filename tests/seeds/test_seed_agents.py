"""Seed 001 (ATRIA agents-server): the document's examples, run with only their imports changed."""

from __future__ import annotations

import pytest

from railguard import Failure
from railguard.families.agents import (  # was: the agents-server's error managers
    AgentExecutionException,
    AgentNotFoundException,
    AgentRateLimitError,
)


def test_usage_line_raises() -> None:
    """The usage line raises an execution exception carrying all it was given."""
    with pytest.raises(AgentExecutionException) as caught:
        raise AgentExecutionException(message='message error', service_error_code='ERROR CODE', detail='problem with the agent execution')  # fmt: skip  # noqa: E501  # verbatim
    exc = caught.value
    assert exc.error_code == "AGENT_EXECUTION_ERROR"
    assert exc.detail == "problem with the agent execution"
    assert exc.service_error_code == "ERROR CODE"
    assert "message error" in exc.message
    assert exc.failure.status == 500


def test_response_error_example_values() -> None:
    """The response example's error: type AGENT_NOT_FOUND, 404, the given message."""
    # {"code": "NOT_FOUND", "message": "Agent with identifier XXXX not found.",
    #  "errors": [{"type": "AGENT_NOT_FOUND", "message": "Agent with identifier XXXX not found."}]}
    exc = AgentNotFoundException(message="Agent with identifier XXXX not found.")
    failure = Failure.from_exception(exc)
    assert failure.code == "AGENT_NOT_FOUND"
    assert failure.message == "Agent with identifier XXXX not found."
    assert failure.status.name == "NOT_FOUND"
    assert failure.status == 404


def test_rate_limit_retry_after_is_the_header_value() -> None:
    """``retry_after`` is mandatory and is the Retry-After value the response needs."""
    exc = AgentRateLimitError(service_error_code="429", service_name="openai", retry_after="20")
    assert exc.failure.status == 429
    assert exc.failure.retry.after == 20
    assert exc.failure.to_exception().retry_after == "20"
