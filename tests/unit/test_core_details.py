"""`Details`, `freeze_json`, `thaw_json`: the immutable JSON mapping failures carry."""

from __future__ import annotations

import copy
import enum
import json
import pickle
from collections import OrderedDict
from http import HTTPStatus

import pytest

from railguard import EMPTY_DETAILS, Details, NotFoundFailure, freeze_json, thaw_json


class Colour(enum.Enum):
    """A plain enum: not JSON."""

    RED = "red"


class Shade(enum.StrEnum):
    """A str enum: stored as its plain string."""

    DARK = "dark"


def test_freeze_turns_objects_into_details_and_arrays_into_tuples() -> None:
    """Nested objects become Details and arrays (lists or tuples) become tuples."""
    frozen = freeze_json({"a": [1, {"b": (2, 3)}], "c": None})
    assert isinstance(frozen, Details)
    inner = frozen["a"]
    assert isinstance(inner, tuple)
    assert isinstance(inner[1], Details)
    assert inner[1]["b"] == (2, 3)


@pytest.mark.parametrize("scalar", [None, True, False, 0, -7, 2.5, "", "text"])
def test_scalars_freeze_to_themselves(scalar: object) -> None:
    """JSON scalars are already immutable and are kept as they are."""
    frozen = freeze_json(scalar)
    assert frozen == scalar
    assert type(frozen) is type(scalar)


@pytest.mark.parametrize(
    ("value", "plain"),
    [(Shade.DARK, "dark"), (HTTPStatus.NOT_FOUND, 404), (True, True)],
    ids=["str-enum", "int-enum", "bool"],
)
def test_scalar_subclasses_become_plain_json_scalars(value: object, plain: object) -> None:
    """Subclasses of str and int (enums, HTTPStatus) become the plain scalar; bool stays."""
    frozen = freeze_json(value)
    assert frozen == plain
    assert type(frozen) is type(plain)


@pytest.mark.parametrize(
    ("value", "error", "where"),
    [
        ({"x": object()}, TypeError, r"value\['x'\]"),
        ({"x": b"bytes"}, TypeError, "bytes"),
        ({"x": {1, 2}}, TypeError, "set"),
        ({"x": Colour.RED}, TypeError, "Colour"),
        ({1: "int key"}, TypeError, "key"),
        ({"x": [0, float("nan")]}, ValueError, r"value\['x'\]\[1\]"),
        ({"x": float("inf")}, ValueError, "infinity"),
        ({"x": -float("inf")}, ValueError, "infinity"),
    ],
)
def test_non_json_values_are_rejected_with_their_path(
    value: object, error: type[Exception], where: str
) -> None:
    """Anything JSON cannot carry is refused, and the message names where it is."""
    with pytest.raises(error, match=where):
        freeze_json(value)


def test_details_is_read_only() -> None:
    """Details has no item assignment, deletion or attribute assignment."""
    details = Details({"a": 1})
    with pytest.raises(TypeError):
        details["a"] = 2  # type: ignore[index]
    with pytest.raises(TypeError):
        del details["a"]  # type: ignore[attr-defined]
    with pytest.raises(AttributeError):
        details._data = {}
    with pytest.raises(AttributeError):
        del details._data
    assert not hasattr(details, "update")


def test_details_copies_its_input() -> None:
    """Mutating the mapping a Details was built from does not change it."""
    source = {"a": [1]}
    details = Details(source)
    source["a"].append(2)
    source["b"] = [3]
    assert details == {"a": [1]}


def test_details_is_a_mapping() -> None:
    """Details supports the read-only Mapping protocol in insertion order."""
    details = Details(OrderedDict([("z", 1), ("a", 2)]))
    assert list(details) == ["z", "a"]
    assert len(details) == 2
    assert "z" in details
    assert "q" not in details
    assert details.get("q") is None
    assert details.get("q", 0) == 0
    assert details.get("z", 0) == 1
    assert dict(details.items()) == {"z": 1, "a": 2}
    assert list(details.keys()) == ["z", "a"]
    assert list(details.values()) == [1, 2]
    assert details.items() == {("z", 1), ("a", 2)}  # a set-like view, as Mapping's
    assert details.keys() & {"a", "q"} == {"a"}


def test_details_views_do_not_open_the_value() -> None:
    """The views are the read-only views of the data: nothing in them can change it."""
    details = Details({"a": [1]})
    for view in (details.keys(), details.values(), details.items()):
        assert not hasattr(view, "__setitem__")
        assert not hasattr(view, "pop")
    assert details.items() == {("a", (1,))}  # nested arrays stay frozen
    assert hash(details) == hash(Details({"a": [1]}))


def test_details_equality_and_hash() -> None:
    """Details equal by content (order-insensitive) and hash consistently."""
    left = Details({"a": [1, {"b": 2}], "c": "x"})
    right = Details({"c": "x", "a": (1, {"b": 2})})
    assert left == right
    assert hash(left) == hash(right)
    assert left != Details({"a": [1, {"b": 3}], "c": "x"})


def test_details_equal_their_plain_mapping() -> None:
    """Details compare equal to a plain dict with lists in place of tuples, both ways."""
    plain = {"ids": [1, 2], "owner": {"tags": ["x"]}}
    details = Details(plain)
    assert details == plain
    assert plain == details
    assert details != {"ids": [1, 2]}
    assert details != {"ids": [object()]}
    assert details != [("ids", [1, 2])]


def test_details_pickle_copy_deepcopy() -> None:
    """Details survive pickle equal; copy and deepcopy return the immutable value itself."""
    details = Details({"a": [1, {"b": None}]})
    assert pickle.loads(pickle.dumps(details)) == details  # noqa: S301  # own data
    assert copy.copy(details) is details
    assert copy.deepcopy(details) is details


def test_thaw_gives_plain_mutable_json() -> None:
    """thaw_json returns dicts and lists that json.dumps accepts."""
    details = Details({"a": (1, Details({"b": (True, None)}))})
    plain = thaw_json(details)
    assert plain == {"a": [1, {"b": [True, None]}]}
    assert json.loads(json.dumps(plain)) == plain
    assert thaw_json(3) == 3


def test_empty_details_is_the_shared_default() -> None:
    """A failure built without details shares EMPTY_DETAILS; Details() equals it."""
    assert NotFoundFailure().details is EMPTY_DETAILS
    assert NotFoundFailure(details={}).details is EMPTY_DETAILS  # an empty dict: no new value
    assert NotFoundFailure(details=OrderedDict()).details == EMPTY_DETAILS
    assert Details() == EMPTY_DETAILS
    assert Details(None) == {}
    assert len(EMPTY_DETAILS) == 0


def test_failure_details_accept_any_mapping() -> None:
    """A failure's ``details`` converts any str-keyed mapping and keeps a Details as it is."""
    details = Details({"a": 1})
    assert NotFoundFailure(details=details).details is details
    assert NotFoundFailure(details=OrderedDict(a=1)).details == details
    assert type(NotFoundFailure(details={"a": 1}).details) is Details


def test_repr_shows_the_content() -> None:
    """The repr shows the frozen content."""
    assert repr(Details({"a": [1]})) == "Details({'a': (1,)})"
