"""The public API as a user writes it, for the type checkers only: never executed.

``make typecheck`` checks it under ``mypy --strict`` twice: with returns' mypy plugin
(``mypy.ini``) and without it (``tests/typing/mypy-noplugin.ini``), and under pyright
strict (``tests/typing/pyrightconfig.json``); ``make typecheck-extra`` under ty and
pyrefly. ``assert_type`` pins what must be inferred; anything that stops type-checking
breaks the build.
"""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import assert_never, assert_type

import attrs
from hypothesis import strategies as st

import railguard
from railguard import (
    EMPTY_DETAILS,
    AuthenticationFailure,
    AuthorizationFailure,
    CarriesFailure,
    Catcher,
    Category,
    CodeFailure,
    ConfigurationFailure,
    ConflictFailure,
    Details,
    DuplicateCodeError,
    Err,
    Failure,
    FailureGroup,
    InfrastructureFailure,
    InternalFailure,
    JSONValue,
    MalformedFailure,
    NotFoundFailure,
    Ok,
    ProtocolFailure,
    RailguardError,
    RailguardExceptionGroup,
    RateLimitFailure,
    Recovery,
    Result,
    Retry,
    StatusFailure,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
    cases,
    catalog,
    catching,
    collect,
    freeze_json,
    lookup,
    register_exception,
    thaw_json,
    then,
    unwrap_or_raise,
)
from railguard.testing import exceptions_equal, failure_classes, failures, instances_of

# --- defining failures and their exceptions ---------------------------------------------------


@attrs.frozen(kw_only=True)
class OutOfStockFailure(Failure, code="API_OUT_OF_STOCK", category=Category.CONFLICT):
    """The item exists but none are left."""

    message: str = "The item is out of stock."
    sku: str


@attrs.frozen(kw_only=True)
class ShopFailure(Failure, category=Category.UPSTREAM, status=502, abstract=True):
    """Base of a family branch: not registered, carries no code of its own."""


@attrs.frozen(kw_only=True)
class PaymentDeclinedFailure(ShopFailure, code="API_PAYMENT_DECLINED", recovery=Recovery.ESCALATE):
    """A branch member with its own recovery."""

    order_id: str
    amount_cents: int = 0


class OutOfStock(Exception):
    """A user's own exception that carries its failure."""

    def __init__(self, sku: str) -> None:
        super().__init__(f"{sku} is out of stock")
        self.sku = sku

    @property
    def failure(self) -> OutOfStockFailure:
        """The failure this exception stands for."""
        return OutOfStockFailure(sku=self.sku)


def fields_and_semantics() -> None:
    """Reading a failure: typed fields, class-level constants, retry semantics."""
    failure = OutOfStockFailure(sku="apple", details={"warehouse": "north"})
    assert_type(failure.sku, str)
    assert_type(failure.message, str)
    assert_type(failure.code, str)
    assert_type(failure.status, HTTPStatus)
    assert_type(failure.category, Category)
    assert_type(failure.recovery, Recovery)
    assert_type(failure.retry, Retry)
    assert_type(failure.retry.after, float | None)
    assert_type(failure.retry.retryable, bool)
    assert_type(failure.details, Details)
    assert_type(failure.details["warehouse"], JSONValue)
    assert_type(failure.cause, Failure | None)
    assert_type(failure.retry_after, float | None)
    assert_type(OutOfStockFailure.default_code, str)
    assert_type(Category.RATE_LIMIT.default_status, HTTPStatus)
    assert_type(Category.for_status(429), Category)
    assert_type(Category.TIMEOUT.default_recovery, Recovery)
    assert_type(attrs.evolve(failure, sku="pear"), OutOfStockFailure)
    assert_type(PaymentDeclinedFailure(order_id="o-1", cause=failure).cause, Failure | None)


def every_generic_failure() -> list[Failure]:
    """Each generic failure builds with keyword arguments only."""
    return [
        InfrastructureFailure(),
        CodeFailure(),
        WorkflowFailure(),
        ConfigurationFailure(message="FOO is not set"),
        ValidationFailure(details={"field": "age"}),
        AuthenticationFailure(),
        AuthorizationFailure(),
        NotFoundFailure(cause=TimeoutFailure()),
        ConflictFailure(),
        RateLimitFailure(retry_after=30),
        TimeoutFailure(retry_after=1.5),
        UpstreamFailure(),
        ProtocolFailure(),
        InternalFailure(exception=RuntimeError("kept for logs")),
        UnknownFailure(code="PEER", status=HTTPStatus.IM_A_TEAPOT, raw="{}"),
        MalformedFailure(raw="<html>"),
        StatusFailure(status=405),
        StatusFailure.for_status(415, "Send JSON.", details={"accepted": ["application/json"]}),
        FailureGroup(failures=[ValidationFailure(), ValidationFailure()]),
    ]


def details_and_json() -> None:
    """Details: build, read, freeze and thaw."""
    details = Details({"ids": [1, 2], "owner": {"name": "ada"}})
    assert_type(details.get("ids"), JSONValue | None)
    assert_type(freeze_json([1, "a"]), JSONValue)
    assert_type(thaw_json(details), object)
    assert_type(EMPTY_DETAILS, Details)
    assert_type(dict(details), dict[str, JSONValue])


def catalog_and_registry() -> None:
    """The catalog: lookup, iteration, the duplicate error."""
    assert_type(lookup("NOT_FOUND"), type[Failure] | None)
    assert_type(catalog(), Iterator[type[Failure]])
    assert_type(list(railguard.catalog()), list[type[Failure]])
    assert issubclass(DuplicateCodeError, TypeError)


# --- exceptions -------------------------------------------------------------------------------


def exceptions_both_ways() -> None:
    """Pairing failures with exceptions, foreign mappings, groups."""
    failure = NotFoundFailure()
    assert_type(failure.to_exception(), Exception)
    assert_type(Failure.from_exception(ValueError("x")), Failure)
    assert_type(RailguardError(failure).failure, Failure)
    group = FailureGroup(failures=[ValidationFailure(), ValidationFailure()])
    assert_type(group, FailureGroup[ValidationFailure])
    assert_type(group.failures, tuple[ValidationFailure, ...])
    assert_type(group.to_exception(), RailguardExceptionGroup)
    assert_type(group.to_exception().failure, FailureGroup[Failure])
    register_exception(OutOfStock, lambda exc: exc.failure)
    carrier: CarriesFailure[OutOfStockFailure] = OutOfStock("apple")
    assert_type(carrier.failure, OutOfStockFailure)
    try:
        raise failure.to_exception()
    except RailguardExceptionGroup as exc_group:
        assert_type(exc_group.failure, FailureGroup[Failure])
    except RailguardError as exc:
        assert_type(exc.failure, Failure)


# --- results ----------------------------------------------------------------------------------


@catching(OutOfStock)
def reserve(sku: str, quantity: int) -> str:
    """Catching a user's exception: the failure type comes from its ``failure``."""
    raise OutOfStock(sku)


@catching(OutOfStock, RailguardError, ValueError)
async def reserve_later(sku: str) -> int:
    """Catching on ``async def``; a builtin in the list widens the failure to Failure."""
    raise ValueError(sku)


def parse_quantity(raw: str) -> Result[int, ValidationFailure]:
    """A step that can fail validation."""
    return Ok(int(raw)) if raw.isdigit() else Err(ValidationFailure(message=raw))


def load(sku: str) -> Result[str, NotFoundFailure | OutOfStockFailure]:
    """A step with a union of failures."""
    if sku == "pear":
        return Err(OutOfStockFailure(sku=sku))
    return Ok(sku) if sku else Err(NotFoundFailure())


def fallback() -> Result[str, TimeoutFailure]:
    """A recovery step with its own failure."""
    return Ok("fallback")


def result_helpers() -> None:
    """What the Result helpers infer."""
    assert_type(reserve("apple", 1), Result[str, OutOfStockFailure])
    assert_type(catching(OutOfStock), Catcher[OutOfStockFailure])
    assert_type(catching(ValueError), Catcher[Failure])
    assert_type(unwrap_or_raise(load("apple")), str)
    assert_type(
        collect([parse_quantity("1"), parse_quantity("2")]),
        Result[list[int], FailureGroup[ValidationFailure]],
    )
    assert_type(
        then(parse_quantity("1"), lambda _: load("apple")),
        Result[str, ValidationFailure | NotFoundFailure | OutOfStockFailure],
    )
    assert_type(load("apple").map(len).value_or(0), int)
    assert_type(load("apple").alt(lambda failure: failure.code), Result[str, str])
    # returns types lash with higher kinds, which pyright strict calls partially unknown
    recovered = load("apple").lash(lambda _: fallback())  # pyright: ignore[reportUnknownMemberType]
    assert_type(recovered, Result[str, TimeoutFailure])


async def awaiting() -> None:
    """Awaiting a caught coroutine gives the Result."""
    assert_type(await reserve_later("apple"), Result[int, Failure])


def answer(sku: str) -> str:
    """Exhaustive handling: ``cases`` for Ok/Err, then ``assert_never`` over the union."""
    match cases(load(sku)):
        case Ok(value):
            assert_type(value, str)
            return value
        case Err(failure):
            match failure:
                case NotFoundFailure():
                    return "missing"
                case OutOfStockFailure(sku=missing):
                    return f"{missing} is out of stock"
                case _:
                    assert_never(failure)


# --- testing helpers --------------------------------------------------------------------------


def testing_helpers() -> None:
    """railguard.testing's strategies are typed by the classes they build."""
    assert_type(instances_of(OutOfStockFailure), st.SearchStrategy[OutOfStockFailure])
    assert_type(failures(), st.SearchStrategy[Failure])
    assert_type(failure_classes(), list[type[Failure]])
    assert_type(exceptions_equal(ValueError(), ValueError()), bool)


# --- retry ----------------------------------------------------------------------------------


def retried() -> None:
    """railguard.retry keeps the Result type; exhaustion widens the failure union, typed."""
    from railguard.families.executor import MaxAttemptsExceededError, MaxAttemptsExceededFailure
    from railguard.retry import FakeClock, RetryExhaustedFailure, RetryPolicy, retry, retrying

    policy = RetryPolicy(clock=FakeClock(), attempts=3)
    result = retry(lambda: load("apple"), idempotent=True, policy=policy)
    assert_type(
        result,
        Result[
            str,
            NotFoundFailure
            | OutOfStockFailure
            | RetryExhaustedFailure[NotFoundFailure | OutOfStockFailure],
        ],
    )
    failure = result.failure()
    if isinstance(failure, RetryExhaustedFailure):  # a class pattern would lose the parameter
        assert_type(failure.failures, tuple[NotFoundFailure | OutOfStockFailure, ...])
        assert_type(failure.error_chain, tuple[str, ...])
        assert_type(failure.attempt_codes, tuple[str, ...])
        assert_type(failure.to_executor().to_exception(), MaxAttemptsExceededError)
        kept: MaxAttemptsExceededFailure = failure.to_executor()
        assert_type(kept.max_attempts, int)

    @retrying(idempotent=False)
    def reserve_again(sku: str) -> Result[str, OutOfStockFailure]:
        return Err(OutOfStockFailure(sku=sku))

    assert_type(
        reserve_again("apple"),
        Result[str, OutOfStockFailure | RetryExhaustedFailure[OutOfStockFailure]],
    )
