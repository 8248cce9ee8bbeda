"""Retry and recovery driven by each failure's own semantics, on tenacity (the ``retry`` extra).

A ``Result``-returning call is retried by what its failure asks for
(``failure.retry``): back off, wait out the server's hint, regenerate the input,
reconnect first, or return at once. Every retry is bounded by a `RetryPolicy`
(attempts and a deadline); a non-idempotent call is retried only with an
idempotency key; when the policy runs out, the result is the executor document's
``MaxAttemptsExceededFailure`` (as `RetryExhaustedFailure`, which also keeps every
attempt's failure, typed, in order).

The same decisions come as tenacity building blocks (`retry_if_retryable_failure`,
`wait_by_failure`, `stop_by_policy`) for your own ``tenacity.Retrying``.
Attempts are logged at INFO on the ``railguard.retry`` logger, silent unless enabled.
"""

from ._api import (
    DEFAULT_POLICY,
    Retrier,
    retry,
    retry_async,
    retry_regenerating,
    retry_regenerating_async,
    retrying,
)
from ._engine import LOGGER_NAME
from ._exhausted import RetryExhaustedFailure
from ._plan import sleep_for
from ._policy import SYSTEM_CLOCK, Clock, FakeClock, RetryPolicy, SystemClock
from ._tenacity import failure_of, retry_if_retryable_failure, stop_by_policy, wait_by_failure

__all__ = [
    "DEFAULT_POLICY",
    "LOGGER_NAME",
    "SYSTEM_CLOCK",
    "Clock",
    "FakeClock",
    "Retrier",
    "RetryExhaustedFailure",
    "RetryPolicy",
    "SystemClock",
    "failure_of",
    "retry",
    "retry_async",
    "retry_if_retryable_failure",
    "retry_regenerating",
    "retry_regenerating_async",
    "retrying",
    "sleep_for",
    "stop_by_policy",
    "wait_by_failure",
]
