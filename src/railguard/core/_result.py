"""Result helpers: exceptions into ``Err`` values, ``Err`` values into exceptions, collecting."""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Iterable
from typing import Any, Generic, ParamSpec, TypeVar, cast, overload

from returns.result import Failure as Err
from returns.result import Result, Success

from ._exceptions import CarriesFailure, FailureGroup
from ._failure import Failure
from ._policy import failure_from_exception

__all__ = ["Catcher", "cases", "catching", "collect", "then", "unwrap_or_raise"]

P = ParamSpec("P")
T = TypeVar("T")
U = TypeVar("U")
F_co = TypeVar("F_co", bound=Failure, covariant=True)
F1 = TypeVar("F1", bound=Failure)
F2 = TypeVar("F2", bound=Failure)
F3 = TypeVar("F3", bound=Failure)
F4 = TypeVar("F4", bound=Failure)
F5 = TypeVar("F5", bound=Failure)
FailureT = TypeVar("FailureT", bound=Failure)
E = TypeVar("E", bound=Failure)
F = TypeVar("F", bound=Failure)


class Catcher(Generic[F_co]):
    """Decorator made by `catching`: sync and async functions alike."""

    __slots__ = ("_exceptions",)

    def __init__(self, exceptions: tuple[type[BaseException], ...]) -> None:
        self._exceptions = exceptions

    @overload
    def __call__(  # type: ignore[overload-overlap]  # coroutine functions match first
        self, function: Callable[P, Coroutine[Any, Any, T]]
    ) -> Callable[P, Coroutine[Any, Any, Result[T, F_co]]]: ...

    @overload
    def __call__(self, function: Callable[P, T]) -> Callable[P, Result[T, F_co]]: ...

    def __call__(self, function: Callable[P, Any]) -> Callable[P, Any]:
        """Wrap ``function`` so the listed exceptions come back as ``Err(failure)``."""
        caught = self._exceptions
        import inspect  # noqa: PLC0415  # at decoration time only: keeps `import railguard` light

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Result[Any, Failure]:
                try:
                    return Success(await function(*args, **kwargs))
                except caught as exc:
                    return Err(failure_from_exception(exc))

            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Result[Any, Failure]:
            try:
                return Success(function(*args, **kwargs))
            except caught as exc:
                return Err(failure_from_exception(exc))

        return wrapper


@overload
def catching(e1: type[CarriesFailure[F1]], /) -> Catcher[F1]: ...
@overload
def catching(e1: type[CarriesFailure[F1]], e2: type[CarriesFailure[F2]], /) -> Catcher[F1 | F2]: ...
@overload
def catching(
    e1: type[CarriesFailure[F1]],
    e2: type[CarriesFailure[F2]],
    e3: type[CarriesFailure[F3]],
    /,
) -> Catcher[F1 | F2 | F3]: ...
@overload
def catching(
    e1: type[CarriesFailure[F1]],
    e2: type[CarriesFailure[F2]],
    e3: type[CarriesFailure[F3]],
    e4: type[CarriesFailure[F4]],
    /,
) -> Catcher[F1 | F2 | F3 | F4]: ...
@overload
def catching(
    e1: type[CarriesFailure[F1]],
    e2: type[CarriesFailure[F2]],
    e3: type[CarriesFailure[F3]],
    e4: type[CarriesFailure[F4]],
    e5: type[CarriesFailure[F5]],
    /,
) -> Catcher[F1 | F2 | F3 | F4 | F5]: ...
@overload
def catching(*exceptions: type[BaseException]) -> Catcher[Failure]: ...
def catching(*exceptions: type[BaseException]) -> Catcher[Failure]:  # type: ignore[misc]  # the overloads narrow the failure union
    """Turn the listed exceptions raised by a function into ``Err(failure)``.

    The failure union is inferred from the exceptions' failures: catching
    ``AgentNotFoundException`` and ``KneoRateLimited`` gives
    ``Result[T, AgentNotFoundFailure | KneoRateLimitedFailure]``. Other
    exception types (``ValueError``, ...) widen it to ``Failure``. Works on
    ``async def`` functions too. Unlisted exceptions propagate.
    """
    if not exceptions:
        raise TypeError("catching() needs at least one exception type")
    for exc_type in exceptions:
        candidate: object = exc_type
        if not (isinstance(candidate, type) and issubclass(candidate, BaseException)):
            raise TypeError(f"catching() takes exception types, not {exc_type!r}")
    return Catcher(exceptions)


def unwrap_or_raise(result: Result[T, Failure]) -> T:
    """Return the value of an ``Ok``; raise the paired exception of an ``Err``.

    The raised exception's ``__cause__`` chain is the failure's ``cause`` chain,
    its ``.failure`` is the failure, and a note (PEP 678, shown in tracebacks)
    names the failure's code and message: a family exception keeps the ``str``
    its document gives it. (returns' own ``Err(f).unwrap()`` raises
    ``UnwrapFailedError``, whose ``str`` railguard makes ``railguard failure CODE:
    message``; ``.halted_container.failure()`` holds the failure.)
    """
    if isinstance(result, Success):
        value: T = result.unwrap()
        return value
    failure: object = result.failure()
    if not isinstance(failure, Failure):  # mypy cannot see it when Err(...) joined to Any
        message = f"unwrap_or_raise() takes results whose failures are Failures, not {failure!r}"
        raise TypeError(message) from (failure if isinstance(failure, BaseException) else None)
    exc = failure.to_exception()
    exc.add_note(f"railguard failure {failure}")
    raise exc


def cases(result: Result[T, FailureT]) -> Success[T] | Err[FailureT]:
    """Return ``result`` typed as ``Ok[T] | Err[F]``, so ``match`` on it is exhaustive.

    ``Result`` is a class, not a union, so mypy cannot tell that ``Ok`` and
    ``Err`` cover it; ``match cases(result):`` lets it::

        match cases(result):
            case Ok(value):
                return value
            case Err(failure):
                return fallback(failure)
    """
    return result  # type: ignore[return-value]  # Result has exactly these two subclasses


def collect(results: Iterable[Result[T, FailureT]]) -> Result[list[T], FailureGroup[FailureT]]:
    """Collect results into ``Ok(values)`` or one `FailureGroup` holding every failure.

    Every result is looked at, so all failures are reported at once (validation).
    An ``Err`` holding anything but a `Failure` raises ``TypeError``: mypy cannot
    always see it (``[Ok(1), Err("x")]`` joins to ``Result[Any, Any]``).
    """
    values: list[T] = []
    failures: list[FailureT] = []
    for result in results:
        if isinstance(result, Success):
            values.append(result.unwrap())
            continue
        failure: object = result.failure()
        if not isinstance(failure, Failure):
            raise TypeError(f"collect() takes results whose failures are Failures, not {failure!r}")
        failures.append(result.failure())
    if failures:
        return Err(FailureGroup(failures=tuple(failures)))
    return Success(values)


def then(result: Result[T, E], step: Callable[[T], Result[U, F]], /) -> Result[U, E | F]:
    """Chain a step that fails differently: the failure union widens to ``E | F``.

    ``then(result, step)`` is ``result.bind(step)`` typed ``Result[U, E | F]``: the
    way to chain steps whose failures differ. Every type checker infers the union
    (mypy with or without returns' plugin, pyright, ty, pyrefly), so
    ``match cases(...)`` + ``assert_never`` over a chain's failures is exhaustive.
    An ``Err`` comes back as it is, and ``step`` is not called::

        order = then(then(parse(raw), load), reserve)
        # Result[Reservation, ValidationFailure | NotFoundFailure | OutOfStockFailure]
    """
    if isinstance(result, Success):
        return step(result.unwrap())
    return cast(Result[U, E | F], result)
