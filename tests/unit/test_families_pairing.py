"""The public family toolkit: one declaration per constant, pairing by class keyword, its guards."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import attrs
import pytest

import railguard
from railguard import Category, Failure
from railguard.families import pairing
from railguard.families.bridge import ServerException, SessionManagerError, ValidationError
from railguard.families.distiller import (
    AuthenticationError,
    AuthenticationFailure,
    DistillerClientFailure,
)
from railguard.families.pairing import (
    Attr,
    Family,
    PairedException,
    PairedFailure,
    class_default,
    details_attr,
    keyword_defaults,
)

pytestmark = pytest.mark.usefixtures("isolated_catalog")

_FAMILY = Family(
    base=(
        Attr("message"),
        Attr("status", "code", HTTPStatus, int),
        details_attr(),
        Attr("retry_after"),
    )
)


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class _Shop(PairedFailure, code="TEST_SHOP", category=Category.CONFLICT, status=409, abstract=True):
    """The test family's root, abstract: a failure class pairs once, so each test derives one."""

    message: str = "shop"
    status: HTTPStatus = class_default()  # noqa: RUF009  # an attrs field declaration


def _shop_failure() -> type[_Shop]:
    """A fresh, registered failure class of the test family."""

    @attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
    class ShopFailure(_Shop, code="TEST_SHOP_ONE"):
        pass

    return ShopFailure


class _ShopState(Exception):
    """What the test family's exceptions hold: message, code, details, retry hint."""

    def __init__(self, message: str = "shop", code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details: dict[str, Any] = {}
        self.retry_after: float | None = None


def test_public_module_exports_the_toolkit() -> None:
    """``railguard.families.pairing`` exports exactly its documented, sorted names."""
    assert pairing.__all__ == sorted(pairing.__all__)
    assert all(hasattr(pairing, name) for name in pairing.__all__)
    assert "retry_after_seconds" not in pairing.__all__


def test_class_keywords_are_the_field_defaults_per_class() -> None:
    """A per-instance field defaults to each class's own keyword, and can still be set."""
    assert DistillerClientFailure().status == HTTPStatus.INTERNAL_SERVER_ERROR
    assert AuthenticationFailure().status == HTTPStatus.UNAUTHORIZED
    assert AuthenticationFailure().code == "distiller.client.authentication_error"
    assert AuthenticationFailure(status=HTTPStatus.FORBIDDEN).status == HTTPStatus.FORBIDDEN
    assert _shop_failure()().status == HTTPStatus.CONFLICT


def test_a_constant_declared_twice_is_refused() -> None:
    """A class keyword restated as a field default is a ``TypeError`` naming the field."""
    with pytest.raises(TypeError, match=r"status: declare it once"):

        @attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
        class _Twice(_Shop, code="TEST_TWICE", status=410):
            status: HTTPStatus = HTTPStatus.GONE


def test_a_forgotten_transformer_is_refused() -> None:
    """A subclass whose field would keep its base's default is refused when defined."""
    with pytest.raises(TypeError, match="field_transformer=keyword_defaults"):

        @attrs.frozen(kw_only=True)
        class _Forgot(_Shop, code="TEST_FORGOT", status=410):
            pass


def test_exceptions_pair_by_class_keyword() -> None:
    """The root names failure and family; a subclass its failure; an unpaired one its base's."""
    shop = _shop_failure()

    @attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
    class SoldOutFailure(_Shop, code="TEST_SOLD_OUT", status=410):
        item: str

    class ShopError(_ShopState, PairedException, failure=shop, family=_FAMILY):
        pass

    class SoldOutError(ShopError, failure=SoldOutFailure):
        def __init__(self, item: str) -> None:
            super().__init__(f"{item} sold out", 410)
            self.item = item

    class LocalSoldOut(SoldOutError):
        pass

    failure = SoldOutFailure(item="tea", message="tea sold out")
    assert type(failure.to_exception()) is SoldOutError
    assert SoldOutError("tea").failure == failure
    assert Failure.from_exception(LocalSoldOut("tea")) == failure
    assert Failure.from_exception(ShopError("closed", 503)) == shop(
        message="closed", status=HTTPStatus.SERVICE_UNAVAILABLE
    )
    assert railguard.lookup("TEST_SOLD_OUT") is SoldOutFailure


@pytest.mark.parametrize(
    ("keyword", "message"),
    [
        ("failure", "the family root must name its Family"),
        ("family", "a family names its root's failure class"),
    ],
)
def test_an_incomplete_pairing_is_refused(keyword: str, message: str) -> None:
    """A root without a family, or a family without a failure class, is a ``TypeError``."""
    keywords = {"failure": _shop_failure()} if keyword == "failure" else {"family": _FAMILY}
    with pytest.raises(TypeError, match=message):
        type("Broken", (PairedException,), {}, **keywords)


def test_a_failure_class_pairs_once() -> None:
    """A second exception class naming an already paired failure class is refused."""
    shop = _shop_failure()

    class First(PairedException, failure=shop, family=_FAMILY):
        pass

    with pytest.raises(TypeError, match="already paired"):

        class Second(PairedException, failure=shop, family=_FAMILY):
            pass

    assert shop.exception_type is First


def test_family_constants_come_from_the_failures() -> None:
    """``DEFAULT_CODE`` & co. are the failure's defaults, converted by the field's codec."""
    assert ValidationError.DEFAULT_CODE == 422
    assert type(ValidationError.DEFAULT_CODE) is int
    assert SessionManagerError.DEFAULT_CODE == ServerException.DEFAULT_CODE == 500
    assert AuthenticationError.DEFAULT_STATUS is HTTPStatus.UNAUTHORIZED
    assert AuthenticationFailure().message == AuthenticationError.DEFAULT_MESSAGE


def test_a_restated_constant_is_refused() -> None:
    """An exception class restating a constant its failure already declares is refused."""
    family = Family(base=(Attr("message"),), constants={"DEFAULT_MESSAGE": "message"})

    with pytest.raises(TypeError, match="DEFAULT_MESSAGE restates"):

        class Restated(PairedException, failure=_shop_failure(), family=family):
            DEFAULT_MESSAGE = "shop"


def test_the_compiled_reader_reads_any_attribute_name_and_the_cause() -> None:
    """The pair's reader, compiled on first use, reads a keyword-named attribute and the cause."""

    @attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
    class RoutedFailure(_Shop, code="TEST_ROUTED"):
        origin: str = "nowhere"

    routed = Family(base=_FAMILY.base, special={"origin": Attr("origin", "from")})

    class ShopError(_ShopState, PairedException, failure=_shop_failure(), family=routed):
        pass

    class RoutedError(ShopError, failure=RoutedFailure):
        def __init__(self, origin: str) -> None:
            super().__init__("routed")
            setattr(self, "from", origin)  # not an identifier: read with getattr

    pairing_of = RoutedError._pairing  # pyright: ignore[reportPrivateUsage]
    first = pairing_of.read
    plain = RoutedError("the shelf")
    try:
        raise RoutedError("the till") from ValueError("secret")
    except RoutedError as exc:
        caused = exc
    assert plain.failure == RoutedFailure(message="routed", origin="the shelf")
    assert pairing_of.read is not first  # compiled, in place
    assert caused.failure == RoutedFailure(
        message="routed", origin="the till", cause=caused.failure.cause
    )
    assert caused.failure.cause is not None
    assert caused.failure == Failure.from_exception(caused)
