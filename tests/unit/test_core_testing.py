"""``railguard.testing``: the strategies and helpers shipped to users."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from railguard import (
    Category,
    Details,
    Failure,
    FailureGroup,
    JSONValue,
    NotFoundFailure,
    TimeoutFailure,
    ValidationFailure,
    freeze_json,
)
from railguard.testing import (
    exceptions_equal,
    failure_classes,
    failures,
    instances_of,
    register_field_strategy,
)


@attrs.frozen(kw_only=True)
class ShapesFailure(Failure, code="TEST_SHAPES", category=Category.VALIDATION, abstract=True):
    """Fields of every shape the strategies must build."""

    label: str
    count: int = 0
    ratio: float | None = None
    payload: JSONValue = None
    errors: tuple[JSONValue, ...] = ()
    tags: tuple[str, ...] = ()
    kind: Category = Category.VALIDATION
    inner: Failure | None = None


@attrs.frozen(kw_only=True)
class EvenFailure(Failure, code="TEST_EVEN", abstract=True):
    """A field with a constraint its type does not say: needs a registered strategy."""

    even: int = attrs.field(default=0)

    @even.validator
    def _check(self, _: attrs.Attribute[int], value: int) -> None:
        if value % 2:
            raise ValueError("even must be even")


register_field_strategy(EvenFailure, "even", st.integers(0, 100).map(lambda n: n * 2))


@settings(max_examples=30)
@given(instances_of(ShapesFailure))
def test_instances_of_builds_every_field_shape(failure: ShapesFailure) -> None:
    """JSONValue (alone and in tuples), unions, tuples, enums and causes are all drawn."""
    assert freeze_json(failure.payload) == failure.payload
    assert all(freeze_json(item) == item for item in failure.errors)
    assert isinstance(failure.details, Details)
    assert failure.inner is None or isinstance(failure.inner, Failure)


@settings(max_examples=30)
@given(instances_of(EvenFailure))
def test_registered_field_strategy_is_used(failure: EvenFailure) -> None:
    """A strategy registered for a field replaces the one its type would give."""
    assert failure.even % 2 == 0


@settings(max_examples=30)
@given(instances_of(FailureGroup))
def test_failure_groups_have_members(group: FailureGroup[Failure]) -> None:
    """Drawn FailureGroups always hold at least one failure."""
    assert len(group.failures) >= 1
    assert all(isinstance(member, Failure) for member in group.failures)


@settings(max_examples=30)
@given(failures(NotFoundFailure, TimeoutFailure))
def test_failures_draws_from_the_given_classes(failure: Failure) -> None:
    """``failures(*classes)`` draws only instances of those classes."""
    assert type(failure) in {NotFoundFailure, TimeoutFailure}


def test_failure_classes_is_the_catalog_filtered() -> None:
    """``failure_classes`` lists the catalog, optionally filtered."""
    assert NotFoundFailure in failure_classes()
    chosen = failure_classes(include=lambda cls: cls.default_category is Category.TIMEOUT)
    assert TimeoutFailure in chosen
    assert all(cls.default_category is Category.TIMEOUT for cls in chosen)
    assert NotFoundFailure not in chosen


def test_exceptions_equal_compares_type_args_attributes_and_cause() -> None:
    """Equal exceptions share type, args, attributes and an equal cause chain."""
    left = NotFoundFailure(cause=TimeoutFailure()).to_exception()
    assert exceptions_equal(left, NotFoundFailure(cause=TimeoutFailure()).to_exception())
    assert not exceptions_equal(left, NotFoundFailure().to_exception())
    assert not exceptions_equal(left, NotFoundFailure(message="x").to_exception())
    assert not exceptions_equal(ValueError("a"), KeyError("a"))


def test_exceptions_equal_compares_groups_member_by_member() -> None:
    """Exception groups are equal when their messages and members are."""
    group = FailureGroup(failures=[ValidationFailure(), NotFoundFailure()])
    assert exceptions_equal(group.to_exception(), group.to_exception())
    other = FailureGroup(failures=[ValidationFailure(), TimeoutFailure()])
    assert not exceptions_equal(group.to_exception(), other.to_exception())


def test_without_hypothesis_the_import_error_names_the_extra() -> None:
    """Importing railguard.testing without hypothesis says which extra to install."""
    blocked = "import sys; sys.modules['hypothesis'] = None; import railguard.testing"
    done = subprocess.run(  # noqa: S603  # our own interpreter, a fixed script
        [sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0
    assert "ImportError: railguard.testing needs hypothesis: pip install 'railguard[testing]'" in (
        done.stderr
    )


def test_the_testing_extra_installs_hypothesis() -> None:
    """The `testing` extra of pyproject, the one the error and the docs name, brings hypothesis."""
    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    assert any(requirement.startswith("hypothesis") for requirement in extras["testing"])
