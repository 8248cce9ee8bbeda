"""Result helpers: ``catching`` (sync and async), ``unwrap_or_raise``, ``collect``, ``cases``."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import assert_never

import pytest
from returns.pointfree import bind, unify
from returns.result import Result, Success

from railguard import (
    Err,
    Failure,
    FailureGroup,
    NotFoundFailure,
    Ok,
    RailguardError,
    TimeoutFailure,
    ValidationFailure,
    cases,
    catching,
    collect,
    then,
    unwrap_or_raise,
)

# --- catching -------------------------------------------------------------------------------


def test_catching_turns_a_listed_exception_into_err() -> None:
    """A listed exception raised by the function comes back as ``Err(its failure)``."""

    @catching(ValueError)
    def parse(raw: str) -> int:
        return int(raw)

    assert parse("12") == Ok(12)
    assert parse("x") == Err(
        ValidationFailure(message="invalid literal for int() with base 10: 'x'")
    )


def test_catching_returns_the_carried_failure_of_a_railguard_error() -> None:
    """A raised paired exception gives back exactly the failure it carries."""
    failure = NotFoundFailure(message="no agent 7")

    @catching(RailguardError)
    def get() -> str:
        raise failure.to_exception()

    result = get()
    assert isinstance(result, Err)
    assert result.failure() is failure


def test_catching_catches_subclasses_of_listed_exceptions() -> None:
    """Listing a base exception catches its subclasses too."""

    @catching(OSError)
    def read() -> bytes:
        raise FileNotFoundError(2, "missing", "/etc/secret")

    assert read() == Err(NotFoundFailure())


def test_catching_lets_unlisted_exceptions_propagate() -> None:
    """An exception that is not listed is raised as usual."""

    @catching(ValueError)
    def lookup_key() -> int:
        raise KeyError("k")

    with pytest.raises(KeyError):
        lookup_key()


def test_catching_several_exception_types() -> None:
    """Each listed type is caught and mapped to its own failure."""

    @catching(ValueError, TimeoutError, RailguardError)
    def step(kind: str) -> str:
        if kind == "value":
            raise ValueError("bad")
        if kind == "timeout":
            raise TimeoutError
        if kind == "railguard":
            raise NotFoundFailure().to_exception()
        return kind

    assert step("ok") == Ok("ok")
    assert step("value") == Err(ValidationFailure(message="bad"))
    assert step("timeout") == Err(TimeoutFailure())
    assert step("railguard") == Err(NotFoundFailure())


def test_catching_keeps_the_functions_metadata() -> None:
    """The wrapper keeps the wrapped function's name, docstring and ``__wrapped__``."""

    def original(x: int) -> int:
        """Return x."""
        return x

    wrapped = catching(ValueError)(original)
    assert wrapped.__name__ == "original"
    assert wrapped.__doc__ == "Return x."
    assert wrapped.__wrapped__ is original  # type: ignore[attr-defined]


def test_catching_passes_arguments_through() -> None:
    """Positional and keyword arguments reach the wrapped function unchanged."""

    @catching(ValueError)
    def join(a: str, b: str, *, sep: str = "-") -> str:
        return f"{a}{sep}{b}"

    assert join("x", "y", sep="+") == Ok("x+y")


def test_catching_needs_exception_types() -> None:
    """``catching()`` without types, or with something that is not an exception type, fails."""
    with pytest.raises(TypeError, match="at least one"):
        catching()
    with pytest.raises(TypeError, match="exception types"):
        catching("ValueError")  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="exception types"):
        catching(int)  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_catching_async_turns_a_listed_exception_into_err() -> None:
    """On an ``async def``, a listed exception comes back as ``Err`` when awaited."""

    @catching(TimeoutError)
    async def fetch(delay: float) -> str:
        await asyncio.wait_for(asyncio.sleep(delay), timeout=0.001)
        return "done"

    assert await fetch(0) == Ok("done")
    assert await fetch(1) == Err(TimeoutFailure())


@pytest.mark.anyio
async def test_catching_async_lets_unlisted_exceptions_propagate() -> None:
    """On an ``async def``, an unlisted exception propagates from the await."""

    @catching(TimeoutError)
    async def fetch() -> str:
        raise KeyError("k")

    with pytest.raises(KeyError):
        await fetch()


def test_catching_async_wrapper_is_a_coroutine_function() -> None:
    """Wrapping an ``async def`` gives an ``async def``."""

    @catching(ValueError)
    async def work() -> int:
        return 1

    assert asyncio.iscoroutinefunction(work)
    assert asyncio.run(work()) == Ok(1)


# --- unwrap_or_raise ------------------------------------------------------------------------


def test_unwrap_or_raise_returns_the_value_of_ok() -> None:
    """``unwrap_or_raise(Ok(x))`` is x."""
    assert unwrap_or_raise(Ok([1, 2])) == [1, 2]


def test_unwrap_or_raise_raises_the_paired_exception() -> None:
    """``unwrap_or_raise(Err(failure))`` raises the failure's paired exception."""
    failure = NotFoundFailure(message="gone")
    with pytest.raises(RailguardError, match="gone") as info:
        unwrap_or_raise(Err(failure))
    assert info.value.failure is failure


def test_unwrap_or_raise_chains_the_cause_as_dunder_cause() -> None:
    """The raised exception's ``__cause__`` chain follows the failure's ``cause`` chain."""
    failure = NotFoundFailure(cause=TimeoutFailure(cause=ValidationFailure(message="root")))
    with pytest.raises(RailguardError) as info:
        unwrap_or_raise(Err(failure))
    chain = []
    exc: BaseException | None = info.value
    while exc is not None:
        assert isinstance(exc, RailguardError)
        chain.append(exc.failure)
        exc = exc.__cause__
    assert chain == [failure, TimeoutFailure(cause=ValidationFailure(message="root")), chain[2]]
    assert chain[2] == ValidationFailure(message="root")


def test_unwrap_or_raise_rejects_a_non_failure_in_the_error_channel() -> None:
    """An Err holding a plain value or an exception is a TypeError naming it."""
    with pytest.raises(TypeError, match="takes results whose failures are Failures, not 'boom'"):
        unwrap_or_raise(Err("boom"))  # type: ignore[arg-type]
    original = ValueError("bad")
    with pytest.raises(TypeError, match="not ValueError") as info:
        unwrap_or_raise(Err(original))  # type: ignore[arg-type]
    assert info.value.__cause__ is original


def test_unwrap_or_raise_round_trips_with_catching() -> None:
    """``catching`` of what ``unwrap_or_raise`` raises gives back the same ``Err``."""
    failure = TimeoutFailure(retry_after=2)

    result: Result[int, TimeoutFailure] = Err(failure)

    @catching(RailguardError)
    def boundary() -> int:
        return unwrap_or_raise(result)

    assert boundary() == Err(failure)


# --- collect --------------------------------------------------------------------------------


def test_collect_all_ok_gives_ok_list_in_order() -> None:
    """Only successes: ``Ok`` of their values, in order."""
    assert collect([Ok(1), Ok(2), Ok(3)]) == Ok([1, 2, 3])


def test_collect_of_nothing_is_ok_empty_list() -> None:
    """No results at all: ``Ok([])``."""
    empty: list[Result[int, Failure]] = []
    assert collect(empty) == Ok([])


def test_collect_reports_every_failure_at_once() -> None:
    """Any failure: one FailureGroup holding every failure, in order; successes dropped."""
    name = ValidationFailure(message="name is empty")
    age = ValidationFailure(message="age is negative")
    results: list[Result[str, ValidationFailure]] = [Err(name), Ok("x"), Err(age)]
    collected = collect(results)
    assert collected == Err(FailureGroup(failures=[name, age]))


def test_collect_consumes_any_iterable_once() -> None:
    """A generator is consumed once and every result looked at."""
    seen: list[int] = []

    def results() -> Iterator[Result[int, ValidationFailure]]:
        for n in range(4):
            seen.append(n)
            yield Ok(n) if n % 2 else Err(ValidationFailure(message=str(n)))

    collected = collect(results())
    assert seen == [0, 1, 2, 3]
    assert isinstance(collected, Err)
    assert [f.message for f in collected.failure().failures] == ["0", "2"]


def test_collect_rejects_a_non_failure_in_the_error_channel() -> None:
    """An Err holding a plain value is a TypeError, not a FailureGroup of strings."""
    with pytest.raises(TypeError, match="'bad'"):
        collect([Ok(1), Err("bad")])  # mypy cannot see it: Ok(1) joins to Result[int, Any]


def test_collected_failures_raise_an_exception_group() -> None:
    """unwrap_or_raise of a collected failure raises an ExceptionGroup of the members."""
    collected = collect([Err(ValidationFailure(message="a")), Err(ValidationFailure(message="b"))])
    with pytest.raises(ExceptionGroup) as info:
        unwrap_or_raise(collected)
    assert [str(exc) for exc in info.value.exceptions] == ["a", "b"]


# --- cases, unify, .unwrap() ----------------------------------------------------------------


def _describe(result: Result[int, NotFoundFailure | TimeoutFailure]) -> str:
    match cases(result):
        case Ok(value):
            return f"ok {value}"
        case Err(failure):
            match failure:
                case NotFoundFailure():
                    return f"missing: {failure.message}"
                case TimeoutFailure():
                    return "slow"
                case _:  # pragma: no cover - mypy proves this unreachable
                    assert_never(failure)


def test_cases_returns_the_same_result() -> None:
    """``cases`` is the identity at runtime; it only retypes for ``match``."""
    result: Result[int, Failure] = Ok(1)
    assert cases(result) is result


def test_cases_matches_ok_and_each_failure() -> None:
    """``match cases(result)`` reaches the Ok branch and each failure branch."""
    assert _describe(Ok(3)) == "ok 3"
    assert _describe(Err(NotFoundFailure(message="no x"))) == "missing: no x"
    assert _describe(Err(TimeoutFailure())) == "slow"


def _parse(raw: str) -> Result[int, ValidationFailure]:
    return Ok(int(raw)) if raw.isdigit() else Err(ValidationFailure(message=raw))


def _load(key: int) -> Result[str, NotFoundFailure]:
    return Ok(f"item {key}") if key < 10 else Err(NotFoundFailure())


def test_unify_widens_the_failure_union_when_chaining() -> None:
    """Returns' ``unify`` chains steps with different failure types."""
    chained = unify(_load)(_parse("3"))
    assert chained == Ok("item 3")
    assert unify(_load)(_parse("x")) == Err(ValidationFailure(message="x"))
    assert unify(_load)(_parse("42")) == Err(NotFoundFailure())


def test_then_chains_steps_with_different_failures() -> None:
    """``then`` calls the step on Ok and returns the first Err as it is."""
    calls: list[int] = []

    def load(key: int) -> Result[str, NotFoundFailure]:
        calls.append(key)
        return _load(key)

    assert then(_parse("3"), load) == Ok("item 3")
    assert then(_parse("42"), load) == Err(NotFoundFailure())
    assert then(_parse("x"), load) == Err(ValidationFailure(message="x"))
    assert calls == [3, 42]


def test_then_is_bind_for_steps_that_share_a_failure() -> None:
    """``then(r, step)`` equals ``r.bind(step)`` whatever r holds."""
    for raw in ("1", "12", "z"):
        assert then(_parse(raw), _load) == unify(_load)(_parse(raw))


def test_bind_keeps_a_single_failure_type() -> None:
    """Returns' ``bind`` chains steps that share a failure type."""

    def double(x: int) -> Result[int, ValidationFailure]:
        return Success(x * 2)

    assert bind(double)(_parse("4")) == Ok(8)


def test_unwrap_at_a_boundary_raises_unwrap_failed_error_carrying_the_failure() -> None:
    """A plain ``.unwrap()`` on Err raises returns' error; from_exception finds the failure."""
    from returns.primitives.exceptions import UnwrapFailedError

    failure = NotFoundFailure()
    with pytest.raises(UnwrapFailedError) as info:
        Err(failure).unwrap()
    assert Failure.from_exception(info.value) is failure
