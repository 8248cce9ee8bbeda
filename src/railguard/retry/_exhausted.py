"""The exhaustion failure, defined in `railguard.exhaustion` (loadable without tenacity)."""

from railguard.exhaustion import RetryExhaustedFailure, exhausted

__all__ = ["RetryExhaustedFailure", "exhausted"]
