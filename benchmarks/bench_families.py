"""Constructing ``AgentNotFoundFailure()`` against the exceptions (DESIGN.md's first row)."""

from __future__ import annotations

from benchmarks._harness import Ratio, interleaved
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure


class _SeedAgentBaseException(Exception):
    """The agents document's plain exception, as a service would write it."""

    def __init__(
        self, message: str = "An agent error occurred.", error_code: str = "AGENT_ERROR"
    ) -> None:
        self.message = message
        self.error_code = error_code
        super().__init__(self.message)


class _SeedAgentNotFoundException(_SeedAgentBaseException):
    def __init__(
        self, message: str = "Agent not found.", error_code: str = "AGENT_NOT_FOUND"
    ) -> None:
        super().__init__(message, error_code)


def run() -> list[Ratio]:
    """Construct the failure against the document's plain exception and railguard's one."""
    failure, seed = interleaved(AgentNotFoundFailure, _SeedAgentNotFoundException)
    failure_again, paired = interleaved(AgentNotFoundFailure, AgentNotFoundException)
    return [
        Ratio("construct AgentNotFoundFailure() / seed exception", failure, seed, "<= 1.0"),
        Ratio(
            "construct AgentNotFoundFailure() / AgentNotFoundException()",
            failure_again,
            paired,
            "<= 1.0",
        ),
    ]
