"""The retry engine: tenacity drives the loop, each failure's own semantics decide."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final, Generic, TypeVar, cast

import tenacity
from returns.result import Failure as Err
from returns.result import Result, Success

from railguard.core import Failure
from railguard.observe import report
from railguard.observe._report import observed

from ._exhausted import exhausted
from ._plan import Action, Plan, Step, plan
from ._policy import RetryPolicy

__all__ = ["LOGGER_NAME", "Run", "logger", "run_async", "run_sync"]

LOGGER_NAME = "railguard.retry"
"""The logger every attempt is reported on (INFO); silent unless enabled."""

logger = logging.getLogger(LOGGER_NAME)
logger.addHandler(logging.NullHandler())

I = TypeVar("I")  # noqa: E741  # the call's input, as in the docs

_STEP_SUFFIX = {
    Step.NONE: "",
    Step.RECONNECT: ", then reconnecting",
    Step.REGENERATE: ", then regenerating the input",
}


class Run(Generic[I]):
    """The state of one retried call: its input, the chain of failures, pending steps."""

    __slots__ = (
        "can_reconnect",
        "can_regenerate",
        "chain",
        "from_step",
        "input",
        "last_plan",
        "needs_reconnect",
        "operation",
        "pending_regenerate",
        "policy",
        "repeatable",
        "start",
    )

    def __init__(
        self,
        *,
        first: I,
        policy: RetryPolicy,
        operation: str,
        repeatable: bool,
        can_reconnect: bool,
        can_regenerate: bool,
    ) -> None:
        self.input = first
        self.policy = policy
        self.operation = operation
        self.repeatable = repeatable
        self.can_reconnect = can_reconnect
        self.can_regenerate = can_regenerate
        self.chain: list[Failure] = []
        self.from_step = False
        self.needs_reconnect = False
        self.pending_regenerate: Failure | None = None
        self.last_plan: Plan | None = None
        self.start = policy.clock.now()

    # tenacity hooks -------------------------------------------------------

    def should_retry(self, state: tenacity.RetryCallState) -> bool:
        """For tenacity's ``retry``: plan after an ``Err``; results and exceptions pass through."""
        outcome = state.outcome
        if outcome is None or outcome.failed:
            return False  # an exception is a bug, not a failure value: it propagates
        value = outcome.result()
        if not isinstance(value, Err):
            return False
        failure = value.failure()
        if not isinstance(failure, Failure):
            return False
        self.chain.append(failure)
        if observed():  # logged below; observers only
            report(failure, boundary="retry", outcome="attempt", log=False)
        decided = plan(
            failure,
            attempt=state.attempt_number,
            elapsed=self.policy.clock.now() - self.start,
            policy=self.policy,
            repeatable=self.repeatable,
            can_reconnect=self.can_reconnect,
            can_regenerate=self.can_regenerate,
            from_step=self.from_step,
        )
        self.last_plan = decided
        if decided.action is Action.RETURN:
            # A failure that asks not to be retried is an answer (DEBUG); a retryable
            # one held back (idempotency, missing step) is worth seeing (INFO).
            level = logging.INFO if failure.retry.retryable else logging.DEBUG
            if logger.isEnabledFor(level):  # the extra dict is not built for nothing
                logger.log(
                    level,
                    "attempt %d failed (%s); not retrying: %s",
                    state.attempt_number,
                    failure.code,
                    decided.reason,
                    extra=self._extra(state, failure),
                )
            return False
        if decided.action is Action.RETRY:
            if decided.step is Step.RECONNECT:
                self.needs_reconnect = True
            elif decided.step is Step.REGENERATE and not self.from_step:
                self.pending_regenerate = failure
        return True

    def wait(self, state: tenacity.RetryCallState) -> float:
        """For tenacity's ``wait``: the sleep the plan chose."""
        return self.last_plan.sleep if self.last_plan is not None else 0.0

    def stop(self, state: tenacity.RetryCallState) -> bool:
        """For tenacity's ``stop``: whether the plan gave up (attempts or deadline spent)."""
        return self.last_plan is not None and self.last_plan.action is Action.GIVE_UP

    def before_sleep(self, state: tenacity.RetryCallState) -> None:
        """For tenacity's ``before_sleep``: log the attempt like kneo's transport."""
        if not logger.isEnabledFor(logging.INFO):
            return
        decided = self.last_plan
        failure = self.chain[-1]
        assert decided is not None  # noqa: S101  # set by should_retry before any sleep
        logger.info(
            "attempt %d failed (%s); sleeping %.2fs%s",
            state.attempt_number,
            failure.code,
            decided.sleep,
            _STEP_SUFFIX[decided.step],
            extra=self._extra(state, failure, sleep=decided.sleep),
        )

    def give_up(self, state: tenacity.RetryCallState) -> Result[Any, Failure]:
        """For tenacity's ``retry_error_callback``: the exhaustion failure, whole chain kept."""
        decided = self.last_plan
        failure = self.chain[-1]
        assert decided is not None  # noqa: S101  # set by should_retry before giving up
        if logger.isEnabledFor(logging.INFO):
            logger.info(
                "attempt %d failed (%s); giving up: %s",
                state.attempt_number,
                failure.code,
                decided.reason,
                extra=self._extra(state, failure),
            )
        by_deadline = state.attempt_number < self.policy.attempts
        gave_up = exhausted(
            operation=self.operation,
            max_attempts=self.policy.attempts,
            chain=self.chain,
            deadline=self.policy.deadline if by_deadline else None,
        )
        if observed():  # logged above; observers only
            report(gave_up, boundary="retry", outcome="exhausted", log=False)
        return Err(gave_up)

    def _extra(
        self, state: tenacity.RetryCallState, failure: Failure, sleep: float | None = None
    ) -> dict[str, object]:
        return {
            "operation": self.operation,
            "attempt": state.attempt_number,
            "failure_code": failure.code,
            "sleep": sleep,
        }

    def tenacity_kwargs(self) -> dict[str, Any]:
        """The keyword arguments shared by ``Retrying`` and ``AsyncRetrying``."""
        return {
            "retry": self.should_retry,
            "wait": self.wait,
            "stop": self.stop,
            # no hook at all while INFO is off: tenacity then skips the call per retry
            "before_sleep": self.before_sleep if logger.isEnabledFor(logging.INFO) else None,
            "retry_error_callback": self.give_up,
        }


_RESULTS: Final = (Success, Err)
"""The classes a call's value usually has: no awaitable check for them (it is slow)."""


def run_sync(
    run: Run[I],
    call: Callable[..., Result[Any, Failure]],
    *,
    reconnect: Callable[[], Result[object, Failure]] | None,
    regenerate: Callable[[Failure, I], Result[I, Failure]] | None,
    with_input: bool = True,
) -> Result[Any, Failure]:
    """Retry ``call`` under ``run`` with a blocking ``tenacity.Retrying``.

    ``call`` takes the run's input, or nothing when ``with_input`` is false.
    """

    def attempt() -> Result[Any, Failure]:
        run.from_step = False
        if run.needs_reconnect and reconnect is not None:
            connected = reconnect()
            if isinstance(connected, Err):
                run.from_step = True
                return connected
            run.needs_reconnect = False
        if run.pending_regenerate is not None and regenerate is not None:
            regenerated = regenerate(run.pending_regenerate, run.input)
            if not isinstance(regenerated, Success):
                run.from_step = True
                return regenerated
            run.input = regenerated.unwrap()
            run.pending_regenerate = None
        result: object = call(run.input) if with_input else call()
        if result.__class__ not in _RESULTS and inspect.isawaitable(result):  # an async call
            if inspect.iscoroutine(result):
                result.close()  # never awaited: no "was never awaited" warning on top
            raise TypeError(
                "retry() got an awaitable from its call: retry an async call with"
                " `await retry_async(...)` (retry_regenerating_async for retry_regenerating)"
            )
        return cast("Result[Any, Failure]", result)  # a Result, as the signature says

    retrying = tenacity.Retrying(sleep=run.policy.clock.sleep, **run.tenacity_kwargs())
    return retrying(attempt)


async def run_async(
    run: Run[I],
    call: Callable[[I], Awaitable[Result[Any, Failure]]],
    *,
    reconnect: Callable[[], Awaitable[Result[object, Failure]]] | None,
    regenerate: Callable[[Failure, I], Awaitable[Result[I, Failure]]] | None,
) -> Result[Any, Failure]:
    """Retry ``call`` under ``run`` with ``tenacity.AsyncRetrying``."""

    async def attempt() -> Result[Any, Failure]:
        run.from_step = False
        if run.needs_reconnect and reconnect is not None:
            connected = await reconnect()
            if isinstance(connected, Err):
                run.from_step = True
                return connected
            run.needs_reconnect = False
        if run.pending_regenerate is not None and regenerate is not None:
            regenerated = await regenerate(run.pending_regenerate, run.input)
            if not isinstance(regenerated, Success):
                run.from_step = True
                return regenerated
            run.input = regenerated.unwrap()
            run.pending_regenerate = None
        pending: object = call(run.input)
        if not inspect.isawaitable(pending):  # a blocking call given to the async retry
            raise TypeError(
                "retry_async() got a plain value from its call: retry a blocking call with"
                " retry(...) (retry_regenerating for retry_regenerating_async)"
            )
        result: Result[Any, Failure] = await pending
        return result

    retrying = tenacity.AsyncRetrying(sleep=run.policy.clock.asleep, **run.tenacity_kwargs())
    result: Result[Any, Failure] = await retrying(attempt)
    return result
