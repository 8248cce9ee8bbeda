"""Retry a ``Result``-returning callable by its failures' own recovery strategies."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, ParamSpec, TypeVar, cast, overload

from returns.result import Result

from railguard.core import Failure

from ._engine import Run, run_async, run_sync
from ._exhausted import RetryExhaustedFailure
from ._policy import RetryPolicy

__all__ = [
    "DEFAULT_POLICY",
    "Retrier",
    "retry",
    "retry_async",
    "retry_regenerating",
    "retry_regenerating_async",
    "retrying",
]

P = ParamSpec("P")
T = TypeVar("T")
I = TypeVar("I")  # noqa: E741  # the call's input
F = TypeVar("F", bound=Failure)
G = TypeVar("G", bound=Failure)
H = TypeVar("H", bound=Failure)

DEFAULT_POLICY = RetryPolicy()
"""5 attempts, 60 s deadline, backoff 0.2 s doubling up to 5 s plus 0-0.5 s jitter, hints ≤ 30 s."""

# The casts below name their types as strings: building these generic types at
# run time costs microseconds on every call.
_StepFn = Callable[[], Result[object, Failure]]
_RegenFn = Callable[[Failure, Any], Result[Any, Failure]]


def _name(call: object) -> str:
    name = getattr(call, "__qualname__", None) or getattr(call, "__name__", None)
    if not isinstance(name, str) or name.endswith("<lambda>"):
        return "operation"
    return name


def _run(
    *,
    first: object,
    policy: RetryPolicy,
    operation: str | None,
    call: object,
    idempotent: bool,
    idempotency_key: str | None,
    can_reconnect: bool,
    can_regenerate: bool,
) -> Run[Any]:
    return Run(
        first=first,
        policy=policy,
        operation=operation or _name(call),
        repeatable=idempotent or idempotency_key is not None,
        can_reconnect=can_reconnect,
        can_regenerate=can_regenerate,
    )


# Each entry point has an overload without ``reconnect=``: its failure union then has
# no reconnect type variable left unsolved (ty and pyrefly keep such a variable, and a
# ``match`` over the union could never be exhaustive).
@overload
def retry(
    call: Callable[[], Result[T, F]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: None = None,
    operation: str | None = None,
) -> Result[T, F | RetryExhaustedFailure[F]]: ...
@overload
def retry(
    call: Callable[[], Result[T, F]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Result[object, G]],
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]: ...


def retry(
    call: Callable[[], Result[T, F]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Result[object, G]] | None = None,
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]:
    """Call ``call`` until it succeeds or its failure says to stop; never beyond ``policy``.

    Each ``Err`` is handled by its own ``failure.retry``: backoff and
    after-hint retry the same call (only if ``idempotent`` or an
    ``idempotency_key`` is given), reconnect runs ``reconnect`` first,
    don't-retry and escalate come back at once. When the policy's attempts or
    deadline run out, the result is a `RetryExhaustedFailure` (the executor's
    ``MaxAttemptsExceededFailure``) holding every attempt's failure in order.
    Exceptions raised by ``call`` propagate.

    Args:
        call: the operation; called with no arguments (close over them).
        idempotent: whether repeating the call is harmless (GET, PUT, DELETE).
        idempotency_key: the key a non-idempotent call carries (POST with
            ``Idempotency-Key``); with one, it is retried like an idempotent call.
        policy: attempts, deadline, waits, hint cap and clock.
        reconnect: run before retrying a failure whose recovery is reconnect.
        operation: the name logged and kept in the exhaustion failure.
    """
    run = _run(
        first=None,
        policy=policy,
        operation=operation,
        call=call,
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        can_reconnect=reconnect is not None,
        can_regenerate=False,
    )
    result = run_sync(
        run, call, reconnect=cast("_StepFn | None", reconnect), regenerate=None, with_input=False
    )
    return cast("Result[T, F | G | RetryExhaustedFailure[F | G]]", result)


@overload
async def retry_async(
    call: Callable[[], Awaitable[Result[T, F]]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: None = None,
    operation: str | None = None,
) -> Result[T, F | RetryExhaustedFailure[F]]: ...
@overload
async def retry_async(
    call: Callable[[], Awaitable[Result[T, F]]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Awaitable[Result[object, G]]],
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]: ...


async def retry_async(
    call: Callable[[], Awaitable[Result[T, F]]],
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Awaitable[Result[object, G]]] | None = None,
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]:
    """`retry` for coroutines: ``call`` and ``reconnect`` are awaited, sleeps use ``clock.asleep``.

    Arguments as for `retry`.
    """
    run = _run(
        first=None,
        policy=policy,
        operation=operation,
        call=call,
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        can_reconnect=reconnect is not None,
        can_regenerate=False,
    )

    def attempt(_: object) -> Awaitable[Result[Any, Failure]]:
        return cast("Awaitable[Result[Any, Failure]]", call())  # run_async checks and awaits

    result = await run_async(
        run,
        attempt,
        reconnect=cast("Callable[[], Awaitable[Result[object, Failure]]] | None", reconnect),
        regenerate=None,
    )
    return cast("Result[T, F | G | RetryExhaustedFailure[F | G]]", result)


@overload
def retry_regenerating(
    call: Callable[[I], Result[T, F]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Result[I, G]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: None = None,
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]: ...
@overload
def retry_regenerating(
    call: Callable[[I], Result[T, F]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Result[I, G]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Result[object, H]],
    operation: str | None = None,
) -> Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]: ...


def retry_regenerating(
    call: Callable[[I], Result[T, F]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Result[I, G]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Result[object, H]] | None = None,
    operation: str | None = None,
) -> Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]:
    """`retry` a call that takes an input, regenerating the input when a failure asks for it.

    ``call(first)`` is tried; a failure whose recovery is regenerate (a code
    error, in the executor document) makes ``regenerate(failure, input)``
    produce the next input, and the call is tried again with it at once. A
    regenerated input is a new call, so the idempotency rule does not hold it
    back. Failing steps are attempts too: their failures join the chain and
    their own recovery decides what follows.

    Args:
        call: the operation on one input.
        first: the first input.
        regenerate: new input from the failure and the input that failed.
        idempotent: as for `retry` (same-call retries only).
        idempotency_key: as for `retry`.
        policy: as for `retry`.
        reconnect: as for `retry`.
        operation: as for `retry`.
    """
    run = _run(
        first=first,
        policy=policy,
        operation=operation,
        call=call,
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        can_reconnect=reconnect is not None,
        can_regenerate=True,
    )
    result = run_sync(
        run,
        cast("Callable[[Any], Result[Any, Failure]]", call),
        reconnect=cast("_StepFn | None", reconnect),
        regenerate=cast("_RegenFn", regenerate),
    )
    return cast("Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]", result)


@overload
async def retry_regenerating_async(
    call: Callable[[I], Awaitable[Result[T, F]]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Awaitable[Result[I, G]]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: None = None,
    operation: str | None = None,
) -> Result[T, F | G | RetryExhaustedFailure[F | G]]: ...
@overload
async def retry_regenerating_async(
    call: Callable[[I], Awaitable[Result[T, F]]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Awaitable[Result[I, G]]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Awaitable[Result[object, H]]],
    operation: str | None = None,
) -> Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]: ...


async def retry_regenerating_async(
    call: Callable[[I], Awaitable[Result[T, F]]],
    first: I,
    /,
    *,
    regenerate: Callable[[F, I], Awaitable[Result[I, G]]],
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    reconnect: Callable[[], Awaitable[Result[object, H]]] | None = None,
    operation: str | None = None,
) -> Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]:
    """`retry_regenerating` for coroutines: the call and both steps are awaited."""
    run = _run(
        first=first,
        policy=policy,
        operation=operation,
        call=call,
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        can_reconnect=reconnect is not None,
        can_regenerate=True,
    )
    result = await run_async(
        run,
        cast("Callable[[Any], Awaitable[Result[Any, Failure]]]", call),
        reconnect=cast("Callable[[], Awaitable[Result[object, Failure]]] | None", reconnect),
        regenerate=cast("Callable[[Failure, Any], Awaitable[Result[Any, Failure]]]", regenerate),
    )
    return cast("Result[T, F | G | H | RetryExhaustedFailure[F | G | H]]", result)


class Retrier:
    """Decorator made by `retrying`: sync and async functions alike, signature kept."""

    __slots__ = ("_idempotent", "_operation", "_policy")

    def __init__(self, *, idempotent: bool, policy: RetryPolicy, operation: str | None) -> None:
        self._idempotent = idempotent
        self._policy = policy
        self._operation = operation

    @overload
    def __call__(
        self, function: Callable[P, Coroutine[Any, Any, Result[T, F]]]
    ) -> Callable[P, Coroutine[Any, Any, Result[T, F | RetryExhaustedFailure[F]]]]: ...

    @overload
    def __call__(
        self, function: Callable[P, Result[T, F]]
    ) -> Callable[P, Result[T, F | RetryExhaustedFailure[F]]]: ...

    def __call__(self, function: Callable[P, Any]) -> Callable[P, Any]:
        """Wrap ``function`` so each call is retried by `retry` (or `retry_async`)."""
        idempotent, policy = self._idempotent, self._policy
        operation = self._operation or _name(function)
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                return await retry_async(
                    lambda: function(*args, **kwargs),
                    idempotent=idempotent,
                    policy=policy,
                    operation=operation,
                )

            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            return retry(
                lambda: function(*args, **kwargs),
                idempotent=idempotent,
                policy=policy,
                operation=operation,
            )

        return wrapper


def retrying(
    *, idempotent: bool, policy: RetryPolicy = DEFAULT_POLICY, operation: str | None = None
) -> Retrier:
    """Decorate a ``Result``-returning function (sync or ``async``) so calls are retried.

    The function's parameters are kept; its failure union gains
    `RetryExhaustedFailure`. A call that needs an idempotency key, a reconnect
    or a regenerate step uses `retry` / `retry_regenerating` instead: a key
    belongs to one call, not to a function.
    """
    return Retrier(idempotent=idempotent, policy=policy, operation=operation)
