"""What every family shares: trees, names, pairing, defaults, codes, pickling."""

from __future__ import annotations

import copy
import inspect
import pickle
import subprocess
import sys
import typing
from types import ModuleType

import attrs
import pytest

import railguard
from railguard import Failure
from railguard.families.pairing import PairedException, PairedFailure
from railguard.testing import exceptions_equal
from tests.families import (
    DOCUMENTED,
    MODULES,
    class_tree,
    docstring_trees,
    documented_exceptions,
    expected_failure_name,
    failure_of,
    family_failures,
    paired_exceptions,
    sample_exception,
    typed_pairings,
)

FAMILIES = list(MODULES.items())
EXCEPTIONS = documented_exceptions()


def _no_argument_constructible(cls: type[Exception]) -> bool:
    return all(
        p.default is not inspect.Parameter.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        for p in list(inspect.signature(cls).parameters.values())
    )


@pytest.mark.parametrize(("family", "module"), FAMILIES, ids=[f for f, _ in FAMILIES])
def test_docstring_tree_matches_the_classes(family: str, module: ModuleType) -> None:
    """Each module docstring draws exactly the exception tree its classes form."""
    members = paired_exceptions(module)
    drawn = docstring_trees(module)
    assert drawn, f"{family} draws no tree"
    roots = [getattr(module, tree[0][1]) for tree in drawn]
    assert [class_tree(root, members) for root in roots] == drawn
    assert sum(len(tree) for tree in drawn) == len(members)


@pytest.mark.parametrize(("family", "module"), FAMILIES, ids=[f for f, _ in FAMILIES])
def test_every_documented_exception_is_paired(family: str, module: ModuleType) -> None:
    """A family pairs exactly the exceptions its document names, no more."""
    assert {cls.__name__ for cls in paired_exceptions(module)} == set(DOCUMENTED[family])


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_failure_is_named_by_the_design_rule(exc_type: type[Exception]) -> None:
    """XError/XException pairs with XFailure, anything else with ...Failure appended."""
    failure = failure_of(exc_type)
    assert failure.__name__ == expected_failure_name(exc_type.__name__)
    assert failure.__module__ == exc_type.__module__
    assert getattr(sys.modules[exc_type.__module__], failure.__name__) is failure


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_failure_tree_mirrors_the_exception_tree(exc_type: type[Exception]) -> None:
    """A failure's base class is the failure of its exception's base class."""
    failure = failure_of(exc_type)
    (exc_base,) = exc_type.__bases__
    (failure_base,) = failure.__bases__
    if exc_base is PairedException:
        assert failure_base is PairedFailure
    else:
        assert failure_base is failure_of(exc_base)


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_pairing_links_both_ways_and_is_typed_so(exc_type: type[Exception]) -> None:
    """Both classes name each other, and their ``TYPE_CHECKING`` declarations say the same."""
    failure = failure_of(exc_type)
    assert issubclass(failure, PairedFailure)
    assert failure.exception_type is exc_type
    typed = typed_pairings(sys.modules[exc_type.__module__])
    assert typed[exc_type.__name__] == failure.__name__
    assert typed[failure.__name__] == exc_type.__name__
    assert railguard.lookup(failure.default_code) is failure


def test_family_failures_are_the_registered_family_classes() -> None:
    """Every registered family failure class is paired with a documented exception."""
    registered = {cls for cls in railguard.catalog() if cls.__module__.startswith("railguard.fam")}
    assert registered == set(family_failures())
    assert len(registered) == sum(len(names) for names in DOCUMENTED.values())


@pytest.mark.parametrize("failure", family_failures(), ids=lambda c: c.__name__)
def test_field_defaults_equal_the_class_keywords(failure: type[Failure]) -> None:
    """A per-instance code/status/category field defaults to the class's declared value."""
    fields = attrs.fields_dict(failure)
    if "code" in fields:
        assert fields["code"].default == failure.default_code
    if "category" in fields:
        assert fields["category"].default is failure.default_category
    if "status" in fields:
        declared = failure._default_status or failure.default_category.default_status
        assert fields["status"].default is declared


WIRE_TYPES = frozenset(
    {
        "str",
        "str | None",
        "int",
        "int | None",
        "float | None",
        "bool",
        "HTTPStatus",
        "ExecutorCategory",
        "Details",
        "JSONValue",
        "tuple[str, ...]",
        "tuple[JSONValue, ...]",
        "Failure | None",
    }
)


@pytest.mark.parametrize("failure", family_failures(), ids=lambda c: c.__name__)
def test_failure_fields_are_wire_types(failure: type[Failure]) -> None:
    """Family failure fields hold JSON-able wire values (no Path, no exception, no dict)."""
    annotations: dict[str, str] = {}
    for klass in reversed(failure.__mro__):
        annotations.update(getattr(klass, "__annotations__", {}))
    for attribute in attrs.fields(failure):
        assert annotations[attribute.name] in WIRE_TYPES, attribute.name


@pytest.mark.parametrize(
    "exc_type",
    [e for e in EXCEPTIONS if _no_argument_constructible(e)],
    ids=lambda c: f"{c.__module__}.{c.__name__}",
)
def test_exception_defaults_are_the_failure_defaults(exc_type: type[Exception]) -> None:
    """``XException().failure == XFailure()``: both sides document the same defaults."""
    assert exc_type().failure == failure_of(exc_type)()  # type: ignore[attr-defined]


def test_codes_are_unique_and_in_each_family_style() -> None:
    """Codes are unique; distiller codes are dotted, the others UPPER_SNAKE."""
    codes = [cls.default_code for cls in railguard.catalog()]
    assert len(codes) == len(set(codes))
    for failure in family_failures():
        code = failure.default_code
        if failure.__module__.endswith("distiller"):
            assert code.startswith("distiller.client.")
        else:
            assert code == code.upper()
            assert code.replace("_", "").isalnum()


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
@pytest.mark.parametrize(
    "clone",
    [lambda e: pickle.loads(pickle.dumps(e)), copy.copy, copy.deepcopy],  # noqa: S301  # our own bytes
    ids=["pickle", "copy", "deepcopy"],
)
def test_exception_survives_pickle_and_copies(
    exc_type: type[Exception], clone: typing.Callable[[Exception], Exception]
) -> None:
    """Every family exception comes back equal from pickle, copy and deepcopy, cause included."""
    exc = sample_exception(exc_type)
    cloned = clone(exc)
    assert type(cloned) is exc_type
    assert exceptions_equal(exc, cloned)
    assert cloned.failure == exc.failure  # type: ignore[attr-defined]


@pytest.mark.parametrize("exc_type", EXCEPTIONS, ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_from_exception_resolves_every_documented_exception(exc_type: type[Exception]) -> None:
    """``Failure.from_exception`` returns the paired failure for every documented exception."""
    exc = sample_exception(exc_type)
    failure = Failure.from_exception(exc)
    assert type(failure) is failure_of(exc_type)
    assert failure == exc.failure  # type: ignore[attr-defined]


@pytest.mark.parametrize("family", list(MODULES))
def test_importing_a_family_loads_no_framework(family: str) -> None:
    """A family module imports neither httpx nor any web framework."""
    code = (
        f"import sys, railguard.families.{family}; "
        "print(sorted(m for m in ('httpx', 'fastapi', 'starlette', 'pydantic', 'websockets') "
        "if m in sys.modules))"
    )
    out = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"
