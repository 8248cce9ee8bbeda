"""Laws of railguard.retry over any policy and any registered failure."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from returns.result import Result

from railguard import (
    Err,
    Failure,
    InfrastructureFailure,
    Ok,
    RateLimitFailure,
    Recovery,
    TimeoutFailure,
    UpstreamFailure,
)
from railguard.retry import (
    FakeClock,
    RetryExhaustedFailure,
    RetryPolicy,
    retry,
    retry_async,
    sleep_for,
)
from railguard.testing import failures


# abstract=True keeps the test double out of the catalog that other tests walk.
@attrs.frozen(kw_only=True)
class LinkDownFailure(Failure, code="TEST_LINK_DOWN", recovery=Recovery.RECONNECT, abstract=True):
    """A session-level failure asking for a reconnect (a test double)."""

    message: str = "The link is down."


def _seconds(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def policies(draw: st.DrawFn) -> RetryPolicy:
    """Any valid policy, on a fresh fake clock."""
    wait_initial = draw(_seconds(0, 2))
    return RetryPolicy(
        attempts=draw(st.integers(1, 8)),
        deadline=draw(_seconds(0.01, 120)),
        wait_initial=wait_initial,
        wait_max=wait_initial + draw(_seconds(0, 10)),
        wait_exp_base=draw(_seconds(1, 4)),
        wait_jitter=draw(_seconds(0, 2)),
        hint_max=draw(_seconds(0, 60)),
        clock=FakeClock(),
    )


any_failures = failures() | st.builds(LinkDownFailure, retry_after=st.none() | st.integers(0, 90))
transient_failures = failures(
    InfrastructureFailure, RateLimitFailure, TimeoutFailure, UpstreamFailure
) | st.builds(LinkDownFailure)
answers = st.lists(any_failures.map(Err) | st.just(Ok("done")), min_size=1, max_size=10) | st.lists(
    transient_failures.map(Err), min_size=1, max_size=10
)


class Scripted:
    """Answers in order (the last one repeats), recording when each attempt starts."""

    def __init__(self, answers: list[Result[str, Failure]], clock: FakeClock, cost: float) -> None:
        self.answers = answers
        self.clock = clock
        self.cost = cost
        self.starts: list[float] = []
        self.returned: list[Result[str, Failure]] = []

    def __call__(self) -> Result[str, Failure]:
        """The next answer; the attempt takes ``cost`` seconds of fake time."""
        self.starts.append(self.clock.now())
        answer = self.answers[min(len(self.starts) - 1, len(self.answers) - 1)]
        self.clock.advance(self.cost)
        self.returned.append(answer)
        return answer

    async def call_async(self) -> Result[str, Failure]:
        """The next answer, from a coroutine."""
        return self()


def _clock(policy: RetryPolicy) -> FakeClock:
    clock = policy.clock
    assert isinstance(clock, FakeClock)
    return clock


@given(policy=policies(), attempt=st.integers(1, 200))
def test_backoff_waits_stay_within_policy_bounds(policy: RetryPolicy, attempt: int) -> None:
    """Every backoff wait lies in [base, base + jitter], capped at wait_max."""
    try:
        base = policy.wait_initial * policy.wait_exp_base ** (attempt - 1)
    except OverflowError:
        base = policy.wait_max
    wait = policy.backoff(attempt)
    assert min(base, policy.wait_max) <= wait <= min(base + policy.wait_jitter, policy.wait_max)


@given(policy=policies(), failure=any_failures, hint=_seconds(0, 1e6), attempt=st.integers(1, 9))
def test_hints_are_honoured_and_capped(
    policy: RetryPolicy, failure: Failure, hint: float, attempt: int
) -> None:
    """A failure with a server hint waits exactly the hint, capped at hint_max."""
    hinted = attrs.evolve(failure, retry_after=hint)
    assert sleep_for(hinted, attempt, policy) == min(hint, policy.hint_max)


@given(policy=policies(), failure=any_failures, idempotent=st.booleans())
def test_non_retryable_failures_are_never_retried(
    policy: RetryPolicy, failure: Failure, idempotent: bool
) -> None:
    """A don't-retry or escalate failure comes back unchanged after exactly one call."""
    assume(not failure.retry.retryable)
    script = Scripted([Err(failure), Ok("never")], _clock(policy), cost=0.0)
    assert retry(script, idempotent=idempotent, policy=policy) == Err(failure)
    assert len(script.starts) == 1
    assert _clock(policy).sleeps == []


@given(policy=policies(), script_answers=answers)
def test_non_idempotent_calls_without_key_run_once(
    policy: RetryPolicy, script_answers: list[Result[str, Failure]]
) -> None:
    """A non-idempotent call without an idempotency key is never repeated."""
    script = Scripted(script_answers, _clock(policy), cost=0.0)
    result = retry(script, idempotent=False, policy=policy)
    assert len(script.starts) == 1
    assert result == script.returned[0]


@given(
    policy=policies(),
    script_answers=answers,
    cost=_seconds(0, 5),
    key=st.none() | st.just("key-1"),
)
def test_attempts_never_exceed_the_policy_and_the_chain_is_whole(
    policy: RetryPolicy, script_answers: list[Result[str, Failure]], cost: float, key: str | None
) -> None:
    """At most policy.attempts calls; exhaustion holds every attempt's failure, in order."""
    clock = _clock(policy)
    script = Scripted(script_answers, clock, cost=cost)
    result = retry(
        script,
        idempotent=key is None,
        idempotency_key=key,
        policy=policy,
        reconnect=lambda: Ok(None),
    )
    calls = len(script.starts)
    assert 1 <= calls <= policy.attempts
    assert len(clock.sleeps) == calls - 1
    if result == script.returned[-1]:
        event("returned as is")
        return  # a success, or a failure that is not retried here, comes back as is
    event(f"exhausted after {calls} of {policy.attempts} attempts")
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert exhausted.failures == tuple(r.failure() for r in script.returned)
    assert exhausted.status == exhausted.failures[-1].status
    assert exhausted.attempt_codes == tuple(f.code for f in exhausted.failures)
    assert exhausted.error_chain == tuple(f"{f.code}: {f.message}" for f in exhausted.failures)
    assert exhausted.max_attempts == policy.attempts


@given(policy=policies(), script_answers=answers, cost=_seconds(0, 30))
def test_no_attempt_starts_at_or_after_the_deadline(
    policy: RetryPolicy, script_answers: list[Result[str, Failure]], cost: float
) -> None:
    """Every retry starts (and every sleep ends) strictly before the deadline."""
    clock = _clock(policy)
    start = clock.now()
    script = Scripted(script_answers, clock, cost=cost)
    retry(script, idempotent=True, policy=policy, reconnect=lambda: Ok(None))
    assert all(at - start < policy.deadline for at in script.starts[1:])


@pytest.mark.anyio
@given(policy=policies(), script_answers=answers)
async def test_async_retry_decides_like_sync_retry(
    policy: RetryPolicy, script_answers: list[Result[str, Failure]]
) -> None:
    """retry_async makes the same calls, sleeps and result as retry (jitter off)."""
    sync_policy = attrs.evolve(policy, wait_jitter=0.0, clock=FakeClock())
    async_policy = attrs.evolve(policy, wait_jitter=0.0, clock=FakeClock())
    sync_script = Scripted(script_answers, _clock(sync_policy), cost=0.1)
    async_script = Scripted(script_answers, _clock(async_policy), cost=0.1)

    async def reconnect() -> Result[None, Failure]:
        return Ok(None)

    expected = retry(
        sync_script, idempotent=True, policy=sync_policy, reconnect=lambda: Ok(None), operation="op"
    )
    actual = await retry_async(
        async_script.call_async,
        idempotent=True,
        policy=async_policy,
        reconnect=reconnect,
        operation="op",
    )
    assert actual == expected
    assert _clock(async_policy).sleeps == _clock(sync_policy).sleeps
    assert async_script.starts == sync_script.starts
