"""A short railway: business steps return Results, the edge turns them into answers."""

from __future__ import annotations

import attrs

import railguard
from railguard import Category, Err, Failure, NotFoundFailure, Ok, Result, ValidationFailure, cases


@attrs.frozen(kw_only=True)
class OutOfStockFailure(Failure, code="OUT_OF_STOCK", category=Category.CONFLICT):
    """The item exists but none are left."""

    message: str = "The item is out of stock."
    sku: str


STOCK = {"apple": 3, "pear": 0}


def parse_quantity(raw: str) -> Result[int, ValidationFailure]:
    """Parse a positive quantity."""
    if not raw.isdigit() or int(raw) == 0:
        return Err(ValidationFailure(message=f"quantity must be a positive integer, got {raw!r}"))
    return Ok(int(raw))


def reserve(sku: str, quantity: int) -> Result[str, NotFoundFailure | OutOfStockFailure]:
    """Reserve stock for an order."""
    if sku not in STOCK:
        return Err(NotFoundFailure(message=f"no item {sku!r}", details={"sku": sku}))
    if STOCK[sku] < quantity:
        return Err(OutOfStockFailure(sku=sku))
    return Ok(f"reserved {quantity} x {sku}")


def order(sku: str, raw_quantity: str) -> Result[str, Failure]:
    """Parse, then reserve: the failure union widens as the steps chain."""
    quantity = parse_quantity(raw_quantity)
    match cases(quantity):
        case Ok(value):
            return reserve(sku, value)
        case Err(failure):
            return Err(failure)


def main() -> None:
    """Run four orders and show how each failure looks at the edge."""
    for sku, qty in [("apple", "2"), ("apple", "zero"), ("kiwi", "1"), ("pear", "1")]:
        match cases(order(sku, qty)):
            case Ok(text):
                print(f"ok      {text}")
            case Err(failure):
                print(
                    f"failed  {failure.code:<12} {int(failure.status)} {failure.category.value:<10}"
                    f" retry={failure.retry.recovery.value:<10} {failure.message}"
                )
                exc = failure.to_exception()
                assert railguard.Failure.from_exception(exc) == failure


if __name__ == "__main__":
    main()
