"""railguard.retry: each recovery strategy, idempotency, exhaustion, logging, tenacity blocks."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator

import attrs
import pytest
import tenacity
from returns.result import Result

import railguard
from railguard import (
    Category,
    CodeFailure,
    Err,
    Failure,
    InfrastructureFailure,
    NotFoundFailure,
    Ok,
    RailguardError,
    RateLimitFailure,
    Recovery,
    TimeoutFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
    unwrap_or_raise,
)
from railguard.families.executor import MaxAttemptsExceededError, MaxAttemptsExceededFailure
from railguard.http import decode, encode
from railguard.retry import (
    DEFAULT_POLICY,
    LOGGER_NAME,
    FakeClock,
    RetryExhaustedFailure,
    RetryPolicy,
    retry,
    retry_async,
    retry_if_retryable_failure,
    retry_regenerating,
    retry_regenerating_async,
    retrying,
    stop_by_policy,
    wait_by_failure,
)


# abstract=True keeps the test double out of the catalog that other tests walk.
@attrs.frozen(kw_only=True)
class SessionLostFailure(
    Failure, code="TEST_SESSION_LOST", recovery=Recovery.RECONNECT, abstract=True
):
    """The session dropped; reconnect, then retry (a test double)."""

    message: str = "The session was lost."


class Script:
    """A callable answering with the given results in order, counting its calls."""

    def __init__(self, *answers: Result[str, Failure]) -> None:
        self.answers = list(answers)
        self.calls = 0

    def __call__(self) -> Result[str, Failure]:
        """The next answer."""
        self.calls += 1
        return self.answers.pop(0)

    async def call_async(self) -> Result[str, Failure]:
        """The next answer, from a coroutine."""
        return self()


@pytest.fixture
def clock() -> FakeClock:
    """A fake clock: sleeps are recorded, never slept."""
    return FakeClock()


@pytest.fixture
def policy(clock: FakeClock) -> RetryPolicy:
    """The default policy without jitter, on the fake clock."""
    return RetryPolicy(clock=clock, wait_jitter=0.0)


# --- backoff -----------------------------------------------------------------


def test_backoff_retries_until_success(clock: FakeClock, policy: RetryPolicy) -> None:
    """A transient failure is retried with exponential waits until the call succeeds."""
    script = Script(Err(InfrastructureFailure()), Err(TimeoutFailure()), Ok("done"))
    assert retry(script, idempotent=True, policy=policy) == Ok("done")
    assert script.calls == 3
    assert clock.sleeps == [0.2, 0.4]


def test_backoff_waits_are_capped_at_wait_max(clock: FakeClock) -> None:
    """Backoff doubles from wait_initial and never exceeds wait_max."""
    policy = RetryPolicy(clock=clock, wait_jitter=0.0, attempts=6, wait_initial=1.0, wait_max=3.0)
    retry(Script(*[Err(TimeoutFailure())] * 6), idempotent=True, policy=policy)
    assert clock.sleeps == [1.0, 2.0, 3.0, 3.0, 3.0]


def test_jitter_is_added_within_bounds(clock: FakeClock) -> None:
    """Jitter adds between 0 and wait_jitter seconds to each backoff wait."""
    policy = RetryPolicy(clock=clock, wait_jitter=0.5, attempts=4)
    retry(Script(*[Err(TimeoutFailure())] * 4), idempotent=True, policy=policy)
    for sleep, base in zip(clock.sleeps, [0.2, 0.4, 0.8], strict=True):
        assert base <= sleep <= base + 0.5


@pytest.mark.anyio
async def test_backoff_async(clock: FakeClock, policy: RetryPolicy) -> None:
    """retry_async awaits the call and sleeps on the clock's async sleep."""
    script = Script(Err(InfrastructureFailure()), Ok("done"))
    assert await retry_async(script.call_async, idempotent=True, policy=policy) == Ok("done")
    assert clock.sleeps == [0.2]


def test_retry_of_an_async_call_says_to_use_retry_async(policy: RetryPolicy) -> None:
    """retry(lambda: client.get(...)) on an async client: a TypeError, not a coroutine back."""

    async def fetch() -> Result[str, InfrastructureFailure]:
        return Ok("done")

    with pytest.raises(TypeError, match=r"retry\(\) got an awaitable .* retry_async"):
        retry(fetch, idempotent=True, policy=policy)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_retry_async_of_a_blocking_call_says_to_use_retry(policy: RetryPolicy) -> None:
    """retry_async(blocking_call): a TypeError naming retry, not "can't be used in 'await'"."""
    script = Script(Err(InfrastructureFailure()), Ok("done"))
    with pytest.raises(TypeError, match=r"retry_async\(\) got a plain value .* retry\(\.\.\.\)"):
        await retry_async(script, idempotent=True, policy=policy)  # type: ignore[arg-type]


# --- after hint ----------------------------------------------------------------


def test_after_hint_waits_the_servers_hint(clock: FakeClock, policy: RetryPolicy) -> None:
    """A rate limit with Retry-After: 3 is retried after exactly 3 seconds."""
    script = Script(Err(RateLimitFailure(retry_after=3)), Ok("done"))
    assert retry(script, idempotent=True, policy=policy) == Ok("done")
    assert clock.sleeps == [3.0]


def test_after_hint_is_capped_by_policy(clock: FakeClock) -> None:
    """A hint longer than hint_max is waited out only up to hint_max."""
    policy = RetryPolicy(clock=clock, hint_max=10.0)
    retry(Script(Err(RateLimitFailure(retry_after=3600)), Ok("x")), idempotent=True, policy=policy)
    assert clock.sleeps == [10.0]


def test_after_hint_without_hint_backs_off(clock: FakeClock, policy: RetryPolicy) -> None:
    """A rate limit without a hint falls back to backoff."""
    retry(Script(Err(RateLimitFailure()), Ok("x")), idempotent=True, policy=policy)
    assert clock.sleeps == [0.2]


def test_hint_on_a_backoff_failure_wins(clock: FakeClock, policy: RetryPolicy) -> None:
    """A 503 that carries Retry-After waits the hint rather than backing off."""
    retry(
        Script(Err(InfrastructureFailure(retry_after=2)), Ok("x")), idempotent=True, policy=policy
    )
    assert clock.sleeps == [2.0]


def test_hint_past_the_deadline_gives_up_without_sleeping(clock: FakeClock) -> None:
    """A hint that would end past the deadline ends the retry at once, chain kept."""
    policy = RetryPolicy(clock=clock, deadline=5.0, hint_max=30.0)
    failure = RateLimitFailure(retry_after=20)
    result = retry(Script(Err(failure)), idempotent=True, policy=policy)
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert exhausted.failures == (failure,)
    assert exhausted.details["stopped_by"] == "deadline"
    assert clock.sleeps == []


# --- don't retry / escalate ------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [NotFoundFailure(), ValidationFailure(), WorkflowFailure()],
    ids=["dont_retry-not_found", "dont_retry-validation", "escalate-workflow"],
)
def test_non_retryable_failure_returns_at_once(
    clock: FakeClock, policy: RetryPolicy, failure: Failure
) -> None:
    """Don't-retry and escalate failures come back unchanged after one call."""
    script = Script(Err(failure))
    assert retry(script, idempotent=True, policy=policy) == Err(failure)
    assert script.calls == 1
    assert clock.sleeps == []


def test_success_is_returned_at_once(policy: RetryPolicy) -> None:
    """A first-time success is returned as is."""
    script = Script(Ok("ok"))
    assert retry(script, idempotent=True, policy=policy) == Ok("ok")
    assert script.calls == 1


def test_exceptions_propagate_unretried(policy: RetryPolicy) -> None:
    """An exception raised by the call is a bug: it propagates and is not retried."""
    calls = 0

    def broken() -> Result[str, Failure]:
        nonlocal calls
        calls += 1
        raise KeyError("bug")

    with pytest.raises(KeyError):
        retry(broken, idempotent=True, policy=policy)
    assert calls == 1


# --- idempotency ---------------------------------------------------------------


def test_non_idempotent_call_without_key_is_not_retried(
    clock: FakeClock, policy: RetryPolicy
) -> None:
    """A POST without an idempotency key returns its transient failure as is."""
    failure = InfrastructureFailure()
    script = Script(Err(failure), Ok("created"))
    assert retry(script, idempotent=False, policy=policy) == Err(failure)
    assert script.calls == 1
    assert clock.sleeps == []


def test_non_idempotent_call_with_key_is_retried(policy: RetryPolicy) -> None:
    """A POST that carries an idempotency key is retried like an idempotent call."""
    script = Script(Err(InfrastructureFailure()), Ok("created"))
    assert retry(script, idempotent=False, idempotency_key="k-1", policy=policy) == Ok("created")
    assert script.calls == 2


def test_non_idempotent_call_is_not_reconnected(policy: RetryPolicy) -> None:
    """A lost session is not reconnected and resent for a non-idempotent call without key."""
    script = Script(Err(SessionLostFailure()), Ok("x"))
    reconnects: list[int] = []

    def reconnect() -> Result[None, Failure]:
        reconnects.append(1)
        return Ok(None)

    result = retry(script, idempotent=False, policy=policy, reconnect=reconnect)
    assert result == Err(SessionLostFailure())
    assert reconnects == []


# --- reconnect -----------------------------------------------------------------


def test_reconnect_runs_before_the_retry(clock: FakeClock, policy: RetryPolicy) -> None:
    """A reconnect failure runs the reconnect step, then retries the call."""
    events: list[str] = []
    answers = [Err(SessionLostFailure()), Ok("sent")]

    def send() -> Result[str, Failure]:
        events.append("send")
        return answers.pop(0)

    def reconnect() -> Result[None, Failure]:
        events.append("reconnect")
        return Ok(None)

    assert retry(send, idempotent=True, policy=policy, reconnect=reconnect) == Ok("sent")
    assert events == ["send", "reconnect", "send"]
    assert clock.sleeps == [0.2]


def test_failing_reconnect_is_retried_by_its_own_failure(policy: RetryPolicy) -> None:
    """A reconnect step that fails transiently is itself retried; its failure joins the chain."""
    events: list[str] = []
    connects = [Err(InfrastructureFailure()), Ok(None)]

    def send() -> Result[str, Failure]:
        events.append("send")
        return Err(SessionLostFailure()) if events.count("send") == 1 else Ok("sent")

    def reconnect() -> Result[None, Failure]:
        events.append("reconnect")
        return connects.pop(0)

    assert retry(send, idempotent=True, policy=policy, reconnect=reconnect) == Ok("sent")
    assert events == ["send", "reconnect", "reconnect", "send"]


def test_reconnect_step_failing_for_good_is_returned(policy: RetryPolicy) -> None:
    """A reconnect step's don't-retry failure (bad credentials) is returned at once."""
    denied = NotFoundFailure(message="no such session")
    result = retry(
        Script(Err(SessionLostFailure())),
        idempotent=True,
        policy=policy,
        reconnect=lambda: Err(denied),
    )
    assert result == Err(denied)


def test_reconnect_without_step_returns_at_once(policy: RetryPolicy) -> None:
    """Without a reconnect step, a reconnect failure is returned as is."""
    script = Script(Err(SessionLostFailure()), Ok("x"))
    assert retry(script, idempotent=True, policy=policy) == Err(SessionLostFailure())
    assert script.calls == 1


@pytest.mark.anyio
async def test_reconnect_async(clock: FakeClock, policy: RetryPolicy) -> None:
    """retry_async awaits the reconnect step before retrying."""
    events: list[str] = []
    script = Script(Err(SessionLostFailure()), Ok("sent"))

    async def reconnect() -> Result[None, Failure]:
        events.append("reconnect")
        return Ok(None)

    result = await retry_async(
        script.call_async, idempotent=True, policy=policy, reconnect=reconnect
    )
    assert result == Ok("sent")
    assert events == ["reconnect"]


# --- regenerate ------------------------------------------------------------------


def execute(code: str) -> Result[str, Failure]:
    """Run "code": it works once it says fixed."""
    if code.endswith("fixed"):
        return Ok(f"ran {code}")
    return Err(CodeFailure(message=f"broken: {code}"))


def test_regenerate_produces_new_input_and_retries(clock: FakeClock, policy: RetryPolicy) -> None:
    """A code failure asks the regenerate step for new input, then runs it at once."""
    seen: list[tuple[str, str]] = []

    def regenerate(failure: Failure, code: str) -> Result[str, Failure]:
        seen.append((failure.message, code))
        return Ok(f"{code} fixed")

    result = retry_regenerating(
        execute, "v1", regenerate=regenerate, idempotent=False, policy=policy
    )
    assert result == Ok("ran v1 fixed")
    assert seen == [("broken: v1", "v1")]
    assert clock.sleeps == [0.0]


def test_regeneration_is_bounded_by_attempts(policy: RetryPolicy) -> None:
    """A regeneration loop that never fixes the code ends in exhaustion with every failure."""
    result = retry_regenerating(
        execute, "v", regenerate=lambda f, code: Ok(code + "'"), idempotent=True, policy=policy
    )
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert [f.message for f in exhausted.failures] == [
        "broken: v",
        "broken: v'",
        "broken: v''",
        "broken: v'''",
        "broken: v''''",
    ]


def test_regenerate_step_failure_is_returned(policy: RetryPolicy) -> None:
    """A regenerate step that fails for good ends the retry with its failure."""
    refused = ValidationFailure(message="model refused")
    result = retry_regenerating(
        execute, "v", regenerate=lambda f, code: Err(refused), idempotent=True, policy=policy
    )
    assert result == Err(refused)


def test_transient_failure_keeps_the_current_input(policy: RetryPolicy) -> None:
    """A backoff failure retries the same (possibly regenerated) input."""
    inputs: list[str] = []
    answers = [Err(CodeFailure()), Err(InfrastructureFailure()), Ok("ran")]

    def run(code: str) -> Result[str, Failure]:
        inputs.append(code)
        return answers.pop(0)

    result = retry_regenerating(
        run, "a", regenerate=lambda f, code: Ok("b"), idempotent=True, policy=policy
    )
    assert result == Ok("ran")
    assert inputs == ["a", "b", "b"]


@pytest.mark.anyio
async def test_regenerate_async(policy: RetryPolicy) -> None:
    """retry_regenerating_async awaits the call and the regenerate step."""

    async def run(code: str) -> Result[str, Failure]:
        return execute(code)

    async def regenerate(failure: Failure, code: str) -> Result[str, Failure]:
        return Ok(f"{code} fixed")

    result = await retry_regenerating_async(
        run, "v1", regenerate=regenerate, idempotent=True, policy=policy
    )
    assert result == Ok("ran v1 fixed")


# --- exhaustion ------------------------------------------------------------------


def test_exhaustion_keeps_the_whole_chain_in_order(policy: RetryPolicy) -> None:
    """Exhaustion is railguard's own failure: every attempt in order, the last one's status."""
    chain = [
        InfrastructureFailure(message="one"),
        TimeoutFailure(message="two"),
        RateLimitFailure(retry_after=1),
        InfrastructureFailure(message="four"),
        TimeoutFailure(message="five"),
    ]
    result = retry(Script(*map(Err, chain)), idempotent=True, policy=policy, operation="fetch")
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert not isinstance(exhausted, MaxAttemptsExceededFailure)
    assert exhausted.failures == tuple(chain)
    assert exhausted.attempt_codes == (
        "INFRASTRUCTURE",
        "TIMEOUT",
        "RATE_LIMIT",
        "INFRASTRUCTURE",
        "TIMEOUT",
    )
    assert exhausted.error_chain[-1] == "TIMEOUT: five"
    assert exhausted.status == chain[-1].status
    assert exhausted.max_attempts == 5
    assert exhausted.operation_type == "fetch"
    assert exhausted.message == "Maximum fetch attempts (5) exceeded"
    assert exhausted.details["stopped_by"] == "attempts"
    assert (exhausted.code, exhausted.category) == ("RETRY_EXHAUSTED", Category.WORKFLOW)
    assert exhausted.recovery is Recovery.ESCALATE
    assert railguard.lookup("RETRY_EXHAUSTED") is RetryExhaustedFailure


def test_exhaustion_puts_only_codes_on_the_wire(policy: RetryPolicy) -> None:
    """The encoded exhaustion carries the attempts' codes, never their messages."""
    chain = [UpstreamFailure(message="upstream says db-password=hunter2")] * 5
    result = retry(Script(*map(Err, chain)), idempotent=True, policy=policy, operation="fetch")
    exhausted = result.failure()
    for style in ("agents", "problem", "bridge"):
        error = encode(exhausted, style)
        assert error.status == 502
        assert b"hunter2" not in error.body
        assert b"UPSTREAM" in error.body
    back = decode(error.status, error.headers, error.body, "bridge")
    assert isinstance(back, RetryExhaustedFailure)
    assert back.attempt_codes == ("UPSTREAM",) * 5
    assert back.failures == ()


def test_unwrap_or_raise_on_exhaustion_keeps_the_last_exception(policy: RetryPolicy) -> None:
    """unwrap_or_raise raises railguard's error, the last failure's exception as cause."""
    last = TimeoutFailure(message="last")
    result = retry(
        Script(*[Err(TimeoutFailure())] * 4, Err(last)),
        idempotent=True,
        policy=policy,
        operation="execution",
    )
    with pytest.raises(RailguardError) as caught:
        unwrap_or_raise(result)
    exc = caught.value
    assert isinstance(exc.failure, RetryExhaustedFailure)
    assert str(exc) == "Maximum execution attempts (5) exceeded"
    cause = exc.__cause__
    assert isinstance(cause, RailguardError)
    assert cause.failure == last


def test_exhaustion_maps_to_the_executor_failure_where_that_family_is_used(
    policy: RetryPolicy,
) -> None:
    """to_executor/from_executor map to the executor document's MaxAttemptsExceededFailure."""
    result = retry(Script(*[Err(TimeoutFailure())] * 5), idempotent=True, policy=policy)
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    executor = exhausted.to_executor()
    assert type(executor) is MaxAttemptsExceededFailure
    assert executor.error_chain == exhausted.error_chain
    assert executor.cause == exhausted.failures[-1]
    with pytest.raises(MaxAttemptsExceededError):
        unwrap_or_raise(Err(executor))
    back = RetryExhaustedFailure.from_executor(executor, exhausted.failures)
    assert back == exhausted
    assert back.failures == exhausted.failures


def test_deadline_ends_the_retry(clock: FakeClock) -> None:
    """No sleep ends at or past the deadline; slow attempts count against it."""
    policy = RetryPolicy(clock=clock, wait_jitter=0.0, attempts=100, deadline=10.0)

    def slow() -> Result[str, Failure]:
        clock.advance(3.0)
        return Err(TimeoutFailure())

    result = retry(slow, idempotent=True, policy=policy)
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert exhausted.details["stopped_by"] == "deadline"
    assert len(exhausted.failures) == 3
    assert clock.now() < 10.0 + 3.0
    assert clock.sleeps == [0.2, 0.4]


def test_a_non_retryable_failure_after_retries_is_returned_as_is(policy: RetryPolicy) -> None:
    """When a later attempt fails for good, that failure is the answer (not an exhaustion)."""
    script = Script(Err(InfrastructureFailure()), Err(NotFoundFailure()))
    assert retry(script, idempotent=True, policy=policy) == Err(NotFoundFailure())


def test_single_attempt_policy_never_sleeps(clock: FakeClock) -> None:
    """attempts=1 makes one call; a retryable failure comes back as exhaustion."""
    result = retry(
        Script(Err(TimeoutFailure())), idempotent=True, policy=RetryPolicy(clock=clock, attempts=1)
    )
    assert isinstance(result.failure(), RetryExhaustedFailure)
    assert clock.sleeps == []


# --- decorator -------------------------------------------------------------------


def test_retrying_decorator_keeps_arguments(clock: FakeClock, policy: RetryPolicy) -> None:
    """The decorator retries each call with its own arguments."""
    answers = [Err(TimeoutFailure()), Ok(None)]
    seen: list[int] = []

    @retrying(idempotent=True, policy=policy)
    def fetch(item: int) -> Result[int, Failure]:
        seen.append(item)
        return answers.pop(0).map(lambda _: item * 2)

    assert fetch(21) == Ok(42)
    assert seen == [21, 21]
    assert fetch.__name__ == "fetch"


@pytest.mark.anyio
async def test_retrying_decorator_async(policy: RetryPolicy) -> None:
    """The decorator keeps coroutine functions coroutine functions."""
    answers = [Err(TimeoutFailure()), Ok(7)]

    @retrying(idempotent=True, policy=policy, operation="load")
    async def load() -> Result[int, Failure]:
        return answers.pop(0)

    assert await load() == Ok(7)


def test_retrying_decorator_names_the_operation(policy: RetryPolicy) -> None:
    """Exhaustion from a decorated function names it as the operation."""

    @retrying(idempotent=True, policy=policy)
    def flaky() -> Result[int, Failure]:
        return Err(TimeoutFailure())

    exhausted = flaky().failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert exhausted.operation_type.endswith("flaky")


# --- policy ------------------------------------------------------------------------


def test_default_policy_is_bounded() -> None:
    """The default policy has finite attempts, deadline, waits and hint cap."""
    assert DEFAULT_POLICY.attempts == 5
    assert DEFAULT_POLICY.deadline == 60.0
    assert (DEFAULT_POLICY.wait_initial, DEFAULT_POLICY.wait_max) == (0.2, 5.0)
    assert DEFAULT_POLICY.hint_max == 30.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"deadline": float("inf")},
        {"deadline": 0.0},
        {"wait_initial": -1.0},
        {"wait_max": float("inf")},
        {"wait_initial": 2.0, "wait_max": 1.0},
        {"wait_exp_base": 0.5},
        {"hint_max": float("nan")},
    ],
)
def test_policy_rejects_unbounded_or_invalid_values(kwargs: dict[str, float]) -> None:
    """A policy that could retry forever (or makes no sense) cannot be built."""
    with pytest.raises(ValueError, match=r"must"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]  # the values are the point


def test_policy_is_immutable() -> None:
    """A policy is a frozen value; attrs.evolve makes variants."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        DEFAULT_POLICY.attempts = 9  # type: ignore[misc]  # frozen on purpose
    assert attrs.evolve(DEFAULT_POLICY, attempts=2).attempts == 2


def test_nan_hint_waits_the_cap() -> None:
    """A nonsensical (NaN) hint waits hint_max, never forever and never not at all."""
    assert DEFAULT_POLICY.hinted(float("nan")) == DEFAULT_POLICY.hint_max
    assert DEFAULT_POLICY.hinted(-5) == 0.0


# --- logging -----------------------------------------------------------------------


def test_attempts_are_logged_like_kneo(
    caplog: pytest.LogCaptureFixture, policy: RetryPolicy
) -> None:
    """Each failed attempt logs "attempt N failed (CODE); sleeping S" on railguard.retry."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    retry(
        Script(Err(InfrastructureFailure()), Err(RateLimitFailure(retry_after=1)), Ok("x")),
        idempotent=True,
        policy=policy,
    )
    assert [r.getMessage() for r in caplog.records] == [
        "attempt 1 failed (INFRASTRUCTURE); sleeping 0.20s",
        "attempt 2 failed (RATE_LIMIT); sleeping 1.00s",
    ]
    assert {r.name for r in caplog.records} == {LOGGER_NAME}
    assert caplog.records[0].attempt == 1  # type: ignore[attr-defined]  # logging extra
    assert caplog.records[0].failure_code == "INFRASTRUCTURE"  # type: ignore[attr-defined]


def test_giving_up_and_holding_back_are_logged(
    caplog: pytest.LogCaptureFixture, policy: RetryPolicy
) -> None:
    """Exhaustion and an idempotency hold-back are logged at INFO with their reason."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    retry(Script(Err(TimeoutFailure())), idempotent=False, policy=policy)
    retry(Script(*[Err(TimeoutFailure())] * 5), idempotent=True, policy=policy)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0] == (
        "attempt 1 failed (TIMEOUT); not retrying: "
        "the call is not idempotent and has no idempotency key"
    )
    assert messages[-1] == "attempt 5 failed (TIMEOUT); giving up: 5 attempts made"


def test_logging_is_silent_by_default() -> None:
    """Without logging configured, retrying prints nothing (NullHandler, INFO level)."""
    code = (
        "from railguard import Err, TimeoutFailure\n"
        "from railguard.retry import FakeClock, RetryPolicy, retry\n"
        "retry(lambda: Err(TimeoutFailure()), idempotent=True,"
        " policy=RetryPolicy(clock=FakeClock()))\n"
    )
    done = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert (done.stdout, done.stderr) == ("", "")


def test_import_railguard_does_not_import_tenacity() -> None:
    """Importing railguard never loads tenacity; importing railguard.retry does."""
    code = (
        "import sys, railguard\n"
        "assert 'tenacity' not in sys.modules, 'tenacity imported'\n"
        "import railguard.retry\n"
        "assert 'tenacity' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)  # noqa: S603  # fixed code


# --- tenacity building blocks --------------------------------------------------------


def _tenacity(
    sleeps: list[float], *, idempotent: bool, policy: RetryPolicy = DEFAULT_POLICY
) -> tenacity.Retrying:
    return tenacity.Retrying(
        retry=retry_if_retryable_failure(idempotent=idempotent),
        wait=wait_by_failure(attrs.evolve(policy, wait_jitter=0.0)),
        stop=stop_by_policy(policy),
        sleep=sleeps.append,
    )


def test_tenacity_blocks_retry_results(policy: RetryPolicy) -> None:
    """In a plain tenacity.Retrying, Err results are retried by their semantics."""
    sleeps: list[float] = []
    script = Script(Err(InfrastructureFailure()), Err(RateLimitFailure(retry_after=2)), Ok("x"))
    assert _tenacity(sleeps, idempotent=True)(script) == Ok("x")
    assert sleeps == [0.2, 2.0]


def test_tenacity_blocks_retry_exceptions_by_their_failure() -> None:
    """Exceptions are judged by their failure: ConnectionError retried, KeyError raised."""
    sleeps: list[float] = []
    raised: Iterator[BaseException] = iter([ConnectionError(), KeyError("bug")])

    def call() -> None:
        raise next(raised)

    with pytest.raises(KeyError):
        _tenacity(sleeps, idempotent=True)(call)
    assert sleeps == [0.2]


def test_tenacity_blocks_respect_idempotency() -> None:
    """The predicate never retries a non-idempotent call without a key."""
    sleeps: list[float] = []
    failure = InfrastructureFailure()
    assert _tenacity(sleeps, idempotent=False)(Script(Err(failure), Ok("x"))) == Err(failure)
    assert sleeps == []
    keyed = retry_if_retryable_failure(idempotent=False, idempotency_key="k")
    assert keyed.repeatable


def test_tenacity_stop_by_policy_bounds_attempts() -> None:
    """stop_by_policy stops after the policy's attempts."""
    sleeps: list[float] = []
    retrying_ = _tenacity(sleeps, idempotent=True, policy=RetryPolicy(attempts=3))
    result = retrying_.copy(retry_error_callback=lambda state: "gave up")(
        Script(*[Err(TimeoutFailure())] * 3)
    )
    assert result == "gave up"
    assert len(sleeps) == 2


@pytest.mark.anyio
async def test_tenacity_blocks_in_async_retrying() -> None:
    """The same blocks work in tenacity.AsyncRetrying."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    script = Script(Err(TimeoutFailure()), Ok("x"))
    retrying_ = tenacity.AsyncRetrying(
        retry=retry_if_retryable_failure(idempotent=True),
        wait=wait_by_failure(RetryPolicy(wait_jitter=0.0)),
        stop=stop_by_policy(),
        sleep=sleep,
    )
    assert await retrying_(script.call_async) == Ok("x")
    assert sleeps == [0.2]


def test_fake_clock_records_and_advances() -> None:
    """FakeClock.sleep records the sleep and moves time; advance only moves time."""
    clock = FakeClock(start=5.0)
    clock.sleep(1.5)
    clock.advance(2.0)
    assert (clock.now(), clock.sleeps) == (8.5, [1.5])
    assert "8.5" in repr(clock)


def test_public_names_are_exactly_all() -> None:
    """railguard.retry's __all__ is sorted and lists exactly its public names."""
    import railguard.retry as module

    public = {name for name in vars(module) if not name.startswith("_")}
    assert module.__all__ == sorted(module.__all__, key=lambda n: (not n.isupper(), n))
    assert set(module.__all__) == public


def test_docs_defaults_table_matches_the_policy() -> None:
    """docs/retry.md lists every RetryPolicy field with its default, in order."""
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "retry.md"
    section = page.read_text(encoding="utf-8").split("\n## Defaults and bounds\n")[1]
    section = section.split("\n## ")[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| `([^`]+)` \|", section, flags=re.MULTILINE))
    fields = attrs.fields(RetryPolicy)
    assert list(rows) == [field.name for field in fields]
    for field in fields:
        shown = rows[field.name]
        expected = "SYSTEM_CLOCK" if field.name == "clock" else repr(field.default)
        assert shown == expected, field.name


@pytest.mark.anyio
async def test_cancelling_an_async_retry_stops_it_while_sleeping() -> None:
    """Cancelling the task during a backoff sleep cancels the retry (no further attempt)."""
    import anyio

    class StuckClock(FakeClock):
        """A clock whose async sleep never ends on its own."""

        async def asleep(self, seconds: float) -> None:
            """Record the sleep, then wait until cancelled."""
            self.sleeps.append(seconds)
            await anyio.Event().wait()

    clock = StuckClock()
    script = Script(Err(TimeoutFailure()), Ok("never"))
    with anyio.move_on_after(0) as scope:
        await retry_async(script.call_async, idempotent=True, policy=RetryPolicy(clock=clock))
    assert scope.cancelled_caught
    assert script.calls == 1
    assert len(clock.sleeps) == 1
