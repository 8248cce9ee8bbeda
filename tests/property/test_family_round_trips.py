"""Round-trip laws of every family pair, on generated failures and generated exceptions."""

from __future__ import annotations

import copy
import inspect
import pickle
import typing
from http import HTTPStatus
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railguard import Failure, thaw_json
from railguard.families import bridge, executor
from railguard.families._pairing import retry_after_seconds
from railguard.families.agents import AgentRateLimitFailure
from railguard.families.pairing import PairedException
from railguard.testing import exceptions_equal, instances_of, json_values, register_field_strategy
from tests.families import (
    MODULES,
    documented_exceptions,
    failure_of,
    family_failures,
    sample_exception,
)

FAILURES = family_failures()
EXCEPTIONS = documented_exceptions()

# JSON fields are annotated ``JSONValue`` under postponed annotations, which
# railguard.testing cannot resolve by itself: name their strategies here.
for _cls in FAILURES:
    _fields = attrs.fields_dict(_cls)
    if "body" in _fields:
        register_field_strategy(_cls, "body", json_values())
    if "errors" in _fields:
        register_field_strategy(_cls, "errors", st.lists(json_values(), max_size=3).map(tuple))

# The bridge frame is flat: details may not reuse a typed field's key (the
# failure rejects it), so generated details avoid every such key.
_FRAME_KEYS = {
    key for cls in FAILURES if cls.__module__ == bridge.__name__ for key in bridge._typed_keys(cls)
}
register_field_strategy(
    bridge.ZhinengBridgeFailure,
    "details",
    st.dictionaries(
        st.text(max_size=8).filter(lambda key: key not in _FRAME_KEYS),
        json_values(max_leaves=4),
        max_size=3,
    ),
)

# Kept Retry-After text belongs with the seconds parsed from it; text that is
# not canonical delay-seconds is drawn together with its seconds below.
register_field_strategy(AgentRateLimitFailure, "retry_after_header", st.none())
_NON_CANONICAL = st.one_of(
    st.integers(0, 86_400).map(lambda n: f"{n}.0"),
    st.integers(0, 86_400).map(lambda n: f" {n}"),
    st.just("Wed, 21 Oct 2015 07:28:00 GMT"),
    st.text(max_size=10).filter(lambda t: retry_after_seconds(t) is None and t != ""),
)


def _family_id(cls: type) -> str:
    return f"{cls.__module__.rsplit('.', 1)[1]}.{cls.__name__}"


def _failures_of(cls: type[Failure]) -> st.SearchStrategy[Failure]:
    strategy = instances_of(cls)
    if cls is AgentRateLimitFailure:
        kept = _NON_CANONICAL.flatmap(
            lambda text: instances_of(AgentRateLimitFailure).map(
                lambda f: attrs.evolve(
                    f, retry_after=retry_after_seconds(text), retry_after_header=text
                )
            )
        )
        return st.one_of(strategy, kept)
    return strategy


# Every class gets its own examples: a third of the profile's count each keeps
# the file quick, and ``make fuzz`` (the deep profile) scales it up.
_EXAMPLES = settings(max_examples=max(10, settings().max_examples // 3))


@pytest.mark.parametrize("cls", FAILURES, ids=_family_id)
@_EXAMPLES
@given(data=st.data())
def test_failure_and_exception_round_trip(cls: type[Failure], data: st.DataObject) -> None:
    """Failure → exception → failure and exception → failure → exception both give equal values.

    For every family class: the failure comes back equal, and so does its
    exception (type, args, attributes, cause chain), also through pickle and deepcopy.
    """
    failure = data.draw(_failures_of(cls))
    exc = failure.to_exception()
    assert type(exc) is cls.exception_type  # type: ignore[attr-defined]
    assert Failure.from_exception(exc) == failure
    assert exceptions_equal(exc, Failure.from_exception(exc).to_exception())
    assert exceptions_equal(exc, pickle.loads(pickle.dumps(exc)))  # noqa: S301  # our own bytes
    assert exceptions_equal(exc, copy.deepcopy(exc))


# --- exceptions built by their own constructors ---------------------------------------

_plain_json = json_values(max_leaves=4).map(lambda v: typing.cast(Any, v))
_dicts = st.dictionaries(st.text(max_size=8), json_values(max_leaves=4), max_size=3).map(
    lambda d: {k: _thaw(v) for k, v in d.items()}
)
_statuses = st.sampled_from([s for s in HTTPStatus if s >= 400])


def _thaw(value: object) -> object:
    return thaw_json(typing.cast(Any, value))


_BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "extra": _dicts,
    "details": _dicts,
    "technical_details": _dicts,
    "body": _plain_json.map(_thaw),
    "errors": st.lists(_plain_json.map(_thaw), max_size=3),
    "status": _statuses,
    "code": _statuses.map(int),
    "cause": st.none(),
}
_BY_ANNOTATION: dict[str, st.SearchStrategy[Any]] = {
    # the agents' Retry-After text: any text on the rate limit (kept exactly),
    # delay-seconds elsewhere
    "str": st.text(max_size=20),
    "str | None": st.none() | st.integers(0, 86_400).map(str),
    "float | None": st.none() | st.floats(0, 1e6),
}


def _constructor_arguments(exc_type: type[Exception]) -> dict[str, st.SearchStrategy[Any]]:
    """Strategies for the constructor arguments we know how to draw (the rest are inferred)."""
    arguments: dict[str, st.SearchStrategy[Any]] = {}
    for name, parameter in inspect.signature(exc_type).parameters.items():
        if name in _BY_NAME:
            arguments[name] = _BY_NAME[name]
        elif name == "retry_after":
            arguments[name] = _BY_ANNOTATION[str(parameter.annotation)]
        elif name == "folder_path":
            arguments[name] = st.none() | st.text(max_size=10).map(Path)
    return arguments


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=_family_id)
@_EXAMPLES
@given(data=st.data())
def test_constructed_exception_round_trips(exc_type: type[Exception], data: st.DataObject) -> None:
    """An exception built by its own constructor comes back equal through its failure."""
    exc = data.draw(st.builds(exc_type, **_constructor_arguments(exc_type)))
    failure = Failure.from_exception(exc)
    assert type(failure) is failure_of(exc_type)
    assert exceptions_equal(exc, failure.to_exception())


# --- every documented exception is mapped ---------------------------------------------


def test_every_family_exception_is_mapped() -> None:
    """Every exception class a family module defines converts to its own failure class.

    Like httpx's check that every httpcore exception is mapped: an exception
    added without a pairing fails here instead of degrading to an internal failure.
    """
    helpers: set[type[BaseException]] = {executor.ExceptionSummary}
    defined: list[type[Exception]] = [
        value
        for module in MODULES.values()
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == module.__name__
        and value not in helpers
    ]
    assert sorted(c.__qualname__ for c in defined) == sorted(c.__qualname__ for c in EXCEPTIONS)
    for exc_type in defined:
        assert issubclass(exc_type, PairedException), exc_type
        assert "_pairing" in exc_type.__dict__, exc_type
        failure = Failure.from_exception(sample_exception(exc_type))
        assert type(failure) is failure_of(exc_type), exc_type
    assert {failure_of(exc_type) for exc_type in defined} == set(FAILURES)
