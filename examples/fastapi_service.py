"""A FastAPI service whose routes return Results, and a typed client that calls it.

Run the server (needs ``pip install 'railguard[demo]'``)::

    python examples/fastapi_service.py            # serves on 127.0.0.1:8000
    curl -si http://127.0.0.1:8000/orders/o-404 | railguard decode

or import ``app`` into your own ASGI server. ``railguard demo`` runs a larger
version of this, live, and prints what crossed the wire.
"""

from __future__ import annotations

import sys

import attrs
import httpx
import uvicorn
from fastapi import FastAPI

from railguard import Category, Err, Failure, NotFoundFailure, Ok, Result, cases
from railguard.integrations.fastapi import install
from railguard.integrations.httpx import wrap


@attrs.frozen(kw_only=True)
class OrderLockedFailure(Failure, code="SHOP_ORDER_LOCKED", category=Category.CONFLICT):
    """The order is being edited by someone else; answers 409."""

    message: str = "The order is locked."
    order_id: str


ORDERS = {"o-1": {"id": "o-1", "status": "open"}, "o-2": {"id": "o-2", "status": "locked"}}

app = FastAPI(title="orders")
install(app)  # every failure (returned or raised) answers with the agents envelope


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> Result[dict[str, str], NotFoundFailure | OrderLockedFailure]:
    """An order, or why not."""
    order = ORDERS.get(order_id)
    if order is None:
        return Err(NotFoundFailure(message=f"no order {order_id!r}"))
    if order["status"] == "locked":
        return Err(OrderLockedFailure(order_id=order_id))
    return Ok(order)


def describe(client: httpx.Client, order_id: str) -> str:
    """What a caller of the service sees: the order, or a typed failure."""
    match cases(wrap(client).get(f"/orders/{order_id}")):
        case Ok(response):
            return f"order {response.json()['id']} is {response.json()['status']}"
        case Err(OrderLockedFailure(order_id=locked) as failure):
            return f"order {locked} is locked; retry? {failure.retry.retryable}"
        case Err(failure):
            return f"{failure.code} ({int(failure.status)}): {failure.message}"


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
