"""The ``fatal`` semantics: per-category defaults, overridable per class."""

from __future__ import annotations

import attrs
import pytest

from railguard import (
    AuthenticationFailure,
    Category,
    Failure,
    NotFoundFailure,
    ProtocolFailure,
    ValidationFailure,
)


@pytest.mark.parametrize("category", list(Category))
def test_only_authentication_and_protocol_are_fatal_by_default(category: Category) -> None:
    """A category's default is fatal exactly for authentication and protocol failures."""
    expected = category in {Category.AUTHENTICATION, Category.PROTOCOL}
    assert category.default_fatal is expected


def test_generic_failures_follow_their_category() -> None:
    """Generic failures take the category default."""
    assert AuthenticationFailure().fatal
    assert ProtocolFailure().fatal
    assert not ValidationFailure().fatal
    assert not NotFoundFailure().fatal


def test_class_keyword_overrides_and_is_inherited() -> None:
    """``fatal=`` on a class wins over the category and is inherited by subclasses."""
    # abstract=True keeps these test classes out of the catalog.

    @attrs.frozen(kw_only=True)
    class SeatTakenFailure(Failure, category=Category.CONFLICT, fatal=True, abstract=True):
        message: str = "Seat taken."

    @attrs.frozen(kw_only=True)
    class WindowSeatTakenFailure(SeatTakenFailure, abstract=True):
        pass

    @attrs.frozen(kw_only=True)
    class SoftAuthFailure(AuthenticationFailure, fatal=False, abstract=True):
        pass

    assert SeatTakenFailure().fatal
    assert WindowSeatTakenFailure().fatal
    assert not SoftAuthFailure().fatal


def test_families_declare_their_connection_level_failures_fatal() -> None:
    """The distiller's connection branch and the bridge's max connections declare fatal=True."""
    from railguard.families import bridge, distiller

    assert distiller.ConnectionFailure().fatal
    assert distiller.UserAlreadyConnectedFailure().fatal
    assert distiller.ConnectionTimeoutFailure().fatal
    assert bridge.MaxConnectionsFailure(current=101, max_connections=100).fatal
    assert not bridge.MaxSessionsFailure(current=51, max_sessions=50).fatal
    assert AuthenticationFailure().fatal
    assert not ValidationFailure().fatal
