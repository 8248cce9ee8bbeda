"""Laws every registered failure class obeys, checked with ``railguard.testing``'s strategies.

The classes come from ``railguard.catalog()``, so each family is covered as soon as it
is registered: a well-formed failure class passes these without any test of its own.
"""

from __future__ import annotations

import copy
import json
import pickle
import re

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import railguard
from railguard import Details, Failure, freeze_json, thaw_json
from railguard.testing import exceptions_equal, failure_classes, instances_of, json_values

CLASSES = failure_classes()

# Per-class tests share the profile's budget: a sixth of its examples each
# (10 with the default profiles, 333 with ``make fuzz``).
_PROFILE_EXAMPLES = settings().max_examples
per_class = settings(max_examples=max(5, _PROFILE_EXAMPLES // 6))


def _class_id(cls: type[Failure]) -> str:
    """``agents.ValidationFailure``: families reuse the generic failures' names."""
    return f"{cls.__module__.rsplit('.', 1)[-1].lstrip('_')}.{cls.__qualname__}"


by_class = pytest.mark.parametrize("cls", CLASSES, ids=_class_id)


def _plain_json() -> st.SearchStrategy[object]:
    """Mutable JSON as a parser produces it: dicts, lists and finite scalars."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=10)
    )
    return st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=5), children, max_size=3)
        ),
        max_leaves=10,
    )


@by_class
@per_class
@given(data=st.data())
def test_value_laws(cls: type[Failure], data: st.DataObject) -> None:
    """Immutable, equal by value, hash-consistent, and equal after pickle, copy and deepcopy."""
    failure = data.draw(instances_of(cls))
    # immutability: no field can be set or deleted, no attribute added
    for field in attrs.fields(cls):
        value = getattr(failure, field.name)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(failure, field.name, value)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            delattr(failure, field.name)
    with pytest.raises((attrs.exceptions.FrozenInstanceError, AttributeError)):
        failure.__railguard_probe__ = 1  # type: ignore[attr-defined]
    assert isinstance(failure.details, Details)
    # equality: reflexive, by value, with consistent hashes
    rebuilt = attrs.evolve(failure)
    assert failure == failure  # noqa: PLR0124  # reflexivity is the law under test
    assert rebuilt == failure
    assert hash(rebuilt) == hash(failure)
    # copies: every pickle protocol, copy and deepcopy
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        restored = pickle.loads(pickle.dumps(failure, protocol=protocol))  # noqa: S301  # own data
        assert type(restored) is cls
        assert restored == failure
        assert hash(restored) == hash(failure)
    assert copy.copy(failure) == failure
    assert copy.deepcopy(failure) == failure


@by_class
@per_class
@given(data=st.data())
def test_exception_round_trips(cls: type[Failure], data: st.DataObject) -> None:
    """Failure → exception → failure is equal; exception → failure → exception is equal."""
    failure = data.draw(instances_of(cls))
    exc = failure.to_exception()
    assert isinstance(exc, Exception)
    restored = Failure.from_exception(exc)
    assert type(restored) is cls
    assert restored == failure
    assert (restored.code, restored.status, restored.category, restored.retry) == (
        failure.code,
        failure.status,
        failure.category,
        failure.retry,
    )
    assert exceptions_equal(restored.to_exception(), exc)


@by_class
def test_class_is_registered_under_its_code(cls: type[Failure]) -> None:
    """lookup(code) gives back the class; the code is a non-empty identifier without spaces."""
    assert railguard.lookup(cls.default_code) is cls
    assert re.fullmatch(r"\S+", cls.default_code)


def test_codes_are_unique_across_the_catalog() -> None:
    """No two registered classes share a code, and none is listed twice."""
    codes = [cls.default_code for cls in railguard.catalog()]
    assert len(codes) == len(set(codes))
    assert len(CLASSES) == len(set(CLASSES))


@given(_plain_json())
def test_freeze_then_thaw_gives_back_the_json(value: object) -> None:
    """thaw(freeze(v)) == v for any JSON value, and the frozen form is hashable."""
    frozen = freeze_json(value)
    hash(frozen)
    assert thaw_json(frozen) == value
    assert json.loads(json.dumps(thaw_json(frozen))) == value


@given(json_values())
def test_thaw_then_freeze_gives_back_the_frozen_value(frozen: object) -> None:
    """freeze(thaw(f)) == f for any frozen value, with equal hashes."""
    again = freeze_json(thaw_json(frozen))  # type: ignore[arg-type]
    assert again == frozen
    assert hash(again) == hash(frozen)


@given(st.dictionaries(st.text(max_size=5), _plain_json(), max_size=4))
def test_details_pickle_and_equal_their_source(source: dict[str, object]) -> None:
    """Details equal the mapping they were built from and survive pickle."""
    details = Details(source)
    assert details == source
    restored = pickle.loads(pickle.dumps(details))  # noqa: S301  # own data
    assert restored == details
    assert hash(restored) == hash(details)


@by_class
@per_class
@given(data=st.data())
def test_construction_from_fields_gives_the_value_back(
    cls: type[Failure], data: st.DataObject
) -> None:
    """Calling the class with every field's value builds an equal, separate value."""
    failure = data.draw(instances_of(cls))
    fields = {a.alias: getattr(failure, a.name) for a in attrs.fields(cls) if a.init}
    rebuilt = cls(**fields)
    assert rebuilt == failure
    assert hash(rebuilt) == hash(failure)
    for field in attrs.fields(cls):
        assert getattr(rebuilt, field.name) == getattr(failure, field.name)


@by_class
def test_all_defaults_construction_is_stable(cls: type[Failure]) -> None:
    """A class whose fields all have defaults gives equal values on every no-argument call."""
    if any(a.default is attrs.NOTHING for a in attrs.fields(cls) if a.init):
        pytest.skip("has required fields")
    first, second = cls(), cls()
    assert first == second
    assert hash(first) == hash(second)
    assert pickle.loads(pickle.dumps(first)) == second  # noqa: S301  # own data
    assert cls() == first
