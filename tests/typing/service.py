"""A small order service written the way a user would, for the type checkers only.

Never executed: ``make typecheck`` checks it under mypy (with and without returns'
plugin) and pyright strict, and ``make typecheck-extra`` under ty and pyrefly. It goes
through every public entry point a service uses: its own failures and exceptions,
``catching``, chaining with ``then``, ``collect``, exhaustive ``match`` with ``cases``,
retries, the FastAPI and Starlette boundaries, httpx, the HTTP and WebSocket codecs,
the families and ``railguard.testing``. ``assert_type`` pins what a user relies on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias, assert_never, assert_type

import attrs
import httpx
from fastapi import FastAPI
from hypothesis import strategies as st
from starlette.websockets import WebSocket

from railguard import (
    Category,
    Details,
    Err,
    Failure,
    FailureGroup,
    JSONValue,
    NotFoundFailure,
    Ok,
    RailguardError,
    Recovery,
    Result,
    TimeoutFailure,
    ValidationFailure,
    cases,
    catching,
    collect,
    freeze_json,
    lookup,
    register_exception,
    then,
    unwrap_or_raise,
)
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure
from railguard.http import HttpError, decode, encode, parse_retry_after
from railguard.integrations.fastapi import error_response, fails_with, install
from railguard.integrations.httpx import from_response, wrap
from railguard.integrations.starlette_ws import send_failure, websocket_errors
from railguard.retry import (
    FakeClock,
    RetryExhaustedFailure,
    RetryPolicy,
    retry,
    retry_async,
    retrying,
)
from railguard.testing import instances_of
from railguard.websocket import close_code, decode_frame, encode_frame, error_reply

# --- the service's own failures -----------------------------------------------------------


@attrs.frozen(kw_only=True)
class OutOfStockFailure(Failure, code="SHOP_OUT_OF_STOCK", category=Category.CONFLICT):
    """No item left to reserve."""

    message: str = "The item is out of stock."
    sku: str


@attrs.frozen(kw_only=True)
class PaymentDeclinedFailure(
    Failure, code="SHOP_PAYMENT_DECLINED", status=402, recovery=Recovery.ESCALATE
):
    """The payment provider said no."""

    order_id: str


class OutOfStock(Exception):
    """What the warehouse client raises."""

    def __init__(self, sku: str) -> None:
        super().__init__(sku)
        self.sku = sku

    @property
    def failure(self) -> OutOfStockFailure:
        """The failure this exception stands for."""
        return OutOfStockFailure(sku=self.sku)


register_exception(OutOfStock, lambda exc: exc.failure)


@attrs.frozen
class Order:
    """A validated order."""

    order_id: str
    sku: str
    quantity: int


# --- steps that fail differently ----------------------------------------------------------


def parse_quantity(raw: str) -> Result[int, ValidationFailure]:
    """Validation: a positive number."""
    if raw.isdigit() and int(raw) > 0:
        return Ok(int(raw))
    return Err(ValidationFailure(message=f"bad quantity {raw!r}", details={"field": "quantity"}))


def parse_sku(raw: str) -> Result[str, ValidationFailure]:
    """Validation: a non-empty SKU."""
    return Ok(raw) if raw else Err(ValidationFailure(message="empty sku"))


@catching(OutOfStock)
def reserve(sku: str, quantity: int) -> str:
    """The warehouse raises; catching turns it into a typed Err."""
    if quantity > 10:
        raise OutOfStock(sku)
    return f"res-{sku}"


def charge(reservation: str) -> Result[str, PaymentDeclinedFailure | TimeoutFailure]:
    """The payment step has two failures of its own."""
    if reservation.endswith("x"):
        return Err(PaymentDeclinedFailure(order_id=reservation))
    return Ok(f"paid-{reservation}")


@catching(AgentNotFoundException)
def assign_agent(order_id: str) -> str:
    """A family exception caught like any other."""
    return f"agent-for-{order_id}"


# --- chaining with then, validating with collect ------------------------------------------

OrderFailure: TypeAlias = (
    ValidationFailure | OutOfStockFailure | PaymentDeclinedFailure | TimeoutFailure
)


def validate(sku: str, quantity: str) -> Result[list[str], FailureGroup[ValidationFailure]]:
    """Every validation failure at once."""
    return collect([parse_sku(sku), parse_quantity(quantity).map(str)])


def place_order(sku: str, quantity: str) -> Result[str, OrderFailure]:
    """The pipeline: each step's failures join the union."""
    parsed = parse_quantity(quantity)
    reserved = then(parsed, lambda count: reserve(sku, count))
    assert_type(reserved, Result[str, ValidationFailure | OutOfStockFailure])
    paid = then(reserved, charge)
    assert_type(paid, Result[str, OrderFailure])
    return paid


def answer(sku: str, quantity: str) -> tuple[int, str]:
    """Map every outcome to a status and a text: exhaustive, checked."""
    match cases(place_order(sku, quantity)):
        case Ok(receipt):
            assert_type(receipt, str)
            return 200, receipt
        case Err(failure):
            match failure:
                case ValidationFailure(message=message):
                    return 400, message
                case OutOfStockFailure(sku=missing):
                    return 409, f"{missing} is gone"
                case PaymentDeclinedFailure():
                    return 402, failure.order_id
                case TimeoutFailure():
                    return 504, str(failure.retry.after)
                case _:
                    assert_never(failure)


def summary(sku: str, quantity: str) -> str:
    """Other ways to consume a Result."""
    match cases(validate(sku, quantity)):
        case Err(group):
            assert_type(group.failures, tuple[ValidationFailure, ...])
        case Ok(fields):
            assert_type(fields, list[str])
    agent = assign_agent("o-1").map(str.upper).value_or("nobody")
    assert_type(agent, str)
    return unwrap_or_raise(place_order(sku, quantity)) + agent


# --- retries ------------------------------------------------------------------------------

POLICY = RetryPolicy(attempts=3, clock=FakeClock())


def fetch_price(sku: str) -> Result[int, TimeoutFailure | NotFoundFailure]:
    """An outbound call that may time out."""
    return Ok(100) if sku else Err(NotFoundFailure())


def priced(sku: str) -> str:
    """Retry, then match: exhaustive without reconnect=."""
    match cases(retry(lambda: fetch_price(sku), idempotent=True, policy=POLICY)):
        case Ok(price):
            return str(price)
        case Err(failure):
            match failure:
                case TimeoutFailure() | NotFoundFailure():
                    return failure.code
                case RetryExhaustedFailure():
                    return f"gave up after {len(failure.error_chain)}"
                case _:
                    assert_never(failure)


@retrying(idempotent=True, policy=POLICY)
def stock_level(sku: str) -> Result[int, TimeoutFailure]:
    """A retried function keeps its signature."""
    return Ok(len(sku))


async def price_later(sku: str, load: Callable[[], Awaitable[Result[int, TimeoutFailure]]]) -> int:
    """Async retry."""
    result = await retry_async(load, idempotent=True, policy=POLICY)
    assert_type(result, Result[int, TimeoutFailure | RetryExhaustedFailure[TimeoutFailure]])
    assert_type(
        stock_level(sku), Result[int, TimeoutFailure | RetryExhaustedFailure[TimeoutFailure]]
    )
    return result.value_or(0)


# --- the HTTP boundary --------------------------------------------------------------------

app = FastAPI()
install(app, "problem")


@app.get("/orders/{sku}")
@fails_with(ValidationFailure, OutOfStockFailure, PaymentDeclinedFailure, TimeoutFailure)
def get_order(sku: str, quantity: str = "1") -> Result[str, OrderFailure]:
    """A route may return a Result: the failure becomes the error response."""
    return place_order(sku, quantity)


def respond(failure: Failure) -> int:
    """Build an error response by hand."""
    return error_response(failure, style="problem", instance="/orders").status_code


def call_upstream(client: httpx.Client) -> Result[str, Failure]:
    """Outbound HTTP: non-2xx responses become failures."""
    with wrap(client) as railway:
        return railway.get("http://127.0.0.1:1/price").map(lambda response: response.text)


def decode_upstream(response: httpx.Response) -> Failure | None:
    """Decode an upstream error envelope."""
    return from_response(response).swap().value_or(None)


def wire_round_trip(failure: Failure) -> Failure:
    """The HTTP codec both ways."""
    error: HttpError = encode(failure, "problem")
    assert_type(parse_retry_after(error.headers.get("Retry-After")), float | None)
    return decode(error.status, error.headers, error.body, "problem")


# --- the WebSocket boundary ---------------------------------------------------------------


def frames(failure: Failure) -> tuple[str, int, Failure]:
    """The WebSocket codec: frame, close code, and back."""
    frame = encode_frame(failure)
    reply = error_reply(failure)
    assert_type(reply.frame, str)
    return frame, close_code(failure), decode_frame(frame)


@websocket_errors(style="bridge")
async def orders_socket(websocket: WebSocket) -> None:
    """A WebSocket endpoint whose failures reach the client."""
    await websocket.accept()
    sku = await websocket.receive_text()
    match cases(place_order(sku, "1")):
        case Ok(receipt):
            await websocket.send_text(receipt)
        case Err(failure):
            await send_failure(websocket, failure)


# --- details, catalog, exceptions ---------------------------------------------------------


def details_of(failure: Failure) -> JSONValue | None:
    """Details are frozen JSON; JSONValue is usable in any annotation."""
    frozen = freeze_json({"sku": "apple", "tags": ["a"]})
    assert_type(frozen, JSONValue)
    details: Details = failure.details
    return details.get("field")


def classes() -> list[type[Failure]]:
    """The catalog by code."""
    found = lookup("SHOP_OUT_OF_STOCK")
    return [found] if found is not None else []


def boundary(order_id: str) -> str:
    """At a boundary that speaks exceptions."""
    try:
        return unwrap_or_raise(assign_agent(order_id))
    except AgentNotFoundException as exc:
        assert_type(exc.failure, AgentNotFoundFailure)
        return exc.failure.message
    except RailguardError as exc:
        assert_type(exc.failure, Failure)
        return exc.failure.code


# --- property tests -----------------------------------------------------------------------


def strategies() -> st.SearchStrategy[OutOfStockFailure]:
    """railguard.testing builds any failure class."""
    return instances_of(OutOfStockFailure)
