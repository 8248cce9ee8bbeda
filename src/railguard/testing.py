"""Test helpers for railguard users: hypothesis strategies and exception equality.

Requires ``hypothesis``: ``pip install 'railguard[testing]'``. ``failures()`` can build an
instance of any registered failure class, with every field varied; round-trip
laws of every boundary use it.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar, cast

import attrs

try:
    from hypothesis import strategies as st
except ImportError as _missing:  # say which extra, not only which module
    _message = "railguard.testing needs hypothesis: pip install 'railguard[testing]'"
    raise ImportError(_message, name=_missing.name) from _missing

from railguard import catalog
from railguard.core import Category, Details, Failure, JSONValue, freeze_json

__all__ = [
    "exceptions_equal",
    "failure_classes",
    "failures",
    "instances_of",
    "json_values",
    "register_field_strategy",
]

F = TypeVar("F", bound=Failure)

_field_overrides: dict[tuple[type[Failure], str], st.SearchStrategy[object]] = {}


def register_field_strategy(
    cls: type[Failure], field: str, strategy: st.SearchStrategy[Any]
) -> None:
    """Use ``strategy`` for ``field`` of ``cls`` (and its subclasses) in `instances_of`."""
    _field_overrides[(cls, field)] = strategy


def json_values(*, max_leaves: int = 8) -> st.SearchStrategy[JSONValue]:
    """Frozen JSON values: scalars, tuples and `Details`."""
    scalars: st.SearchStrategy[object] = (
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=20)
    )
    tree = st.recursive(
        scalars,
        lambda children: (
            st.lists(children, max_size=3)
            | st.dictionaries(st.text(max_size=8), children, max_size=3)
        ),
        max_leaves=max_leaves,
    )
    return tree.map(freeze_json)


def _details() -> st.SearchStrategy[Details]:
    return st.dictionaries(st.text(max_size=8), json_values(max_leaves=4), max_size=3).map(Details)


def _leaf_failures() -> st.SearchStrategy[Failure]:
    """Causes: simple failures without a cause of their own."""
    from railguard.core import NotFoundFailure, TimeoutFailure, ValidationFailure  # noqa: PLC0415

    return st.sampled_from([NotFoundFailure, TimeoutFailure, ValidationFailure]).flatmap(
        lambda cls: st.builds(cls, message=st.text(max_size=20))
    )


_text = st.text(max_size=40)
_BY_TYPE: dict[object, st.SearchStrategy[object]] = {
    str: _text,
    int: st.integers(-(2**31), 2**31),
    float: st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False),
    bool: st.booleans(),
    type(None): st.none(),
    HTTPStatus: st.sampled_from([s for s in HTTPStatus if s >= 400]),
    Category: st.sampled_from(list(Category)),
    Details: _details(),
}


_JSON_SCALARS = frozenset({str, int, float, bool, type(None)})


def _is_json_value(tp: object) -> bool:
    """Whether ``tp`` is `JSONValue`: the alias, its text, or the union it resolves to.

    ``JSONValue`` is a string alias; ``get_type_hints`` resolves ``tuple[JSONValue, ...]``
    into a union whose nested arrays hold a ``ForwardRef`` hypothesis cannot resolve.
    """
    if tp is JSONValue or tp == JSONValue:
        return True
    if isinstance(tp, typing.ForwardRef):
        return tp.__forward_arg__ in {"JSONValue", JSONValue}
    if typing.get_origin(tp) in (types.UnionType, typing.Union):
        members = set(typing.get_args(tp))
        return Details in members and members >= _JSON_SCALARS
    return False


def _for_type(tp: object, field: str) -> st.SearchStrategy[object]:  # noqa: PLR0911  # one branch per type shape
    if field == "retry_after":
        # wire formats carry whole seconds (Retry-After: delay-seconds)
        return st.none() | st.integers(0, 86_400)
    if tp in _BY_TYPE:
        return _BY_TYPE[tp]
    if isinstance(tp, typing.TypeVar):
        # a generic failure's parameter (``FailureGroup[F]``): draw from its bound
        return _for_type(tp.__bound__ if tp.__bound__ is not None else object, field)
    if _is_json_value(tp):
        return cast(st.SearchStrategy[object], json_values())
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (types.UnionType, typing.Union):
        if any(isinstance(a, type) and issubclass(a, Failure) for a in args):
            return st.none() | cast(st.SearchStrategy[object], _leaf_failures())
        return st.one_of([_for_type(a, field) for a in args])
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_for_type(args[0], field), max_size=3).map(tuple)
    if origin is list:
        return st.lists(_for_type(args[0], field), max_size=3)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if isinstance(tp, type) and issubclass(tp, Failure):
        return cast(st.SearchStrategy[object], _leaf_failures())
    if origin is Mapping or tp is Mapping:
        return cast(st.SearchStrategy[object], _details())
    return st.from_type(cast(type[object], tp))


def _register_core_overrides() -> None:
    from railguard.core import FailureGroup  # noqa: PLC0415

    # a group needs at least one member
    register_field_strategy(
        FailureGroup, "failures", st.lists(_leaf_failures(), min_size=1, max_size=3).map(tuple)
    )


_register_core_overrides()


def instances_of(cls: type[F]) -> st.SearchStrategy[F]:
    """Instances of ``cls`` with every init field drawn from its declared type."""
    hints = typing.get_type_hints(cls, include_extras=False)
    kwargs: dict[str, st.SearchStrategy[object]] = {}
    for attribute in attrs.fields(cls):
        if not attribute.init or not attribute.eq:
            continue
        # strategies must not be tested for truth (hypothesis warns), only for None
        override = next(
            (
                s
                for klass in cls.__mro__
                if (s := _field_overrides.get((klass, attribute.name))) is not None
            ),
            None,
        )
        kwargs[attribute.alias] = (
            override if override is not None else _for_type(hints[attribute.name], attribute.name)
        )
    return st.builds(cls, **kwargs)


def failure_classes(
    *, include: Callable[[type[Failure]], bool] | None = None
) -> list[type[Failure]]:
    """Every registered failure class (optionally filtered), in catalog order."""
    return [cls for cls in catalog() if include is None or include(cls)]


def failures(*classes: type[Failure]) -> st.SearchStrategy[Failure]:
    """Instances of the given classes, or of every registered class when none is given."""
    chosen = list(classes) or failure_classes()
    return st.sampled_from(chosen).flatmap(instances_of)


def exceptions_equal(left: BaseException, right: BaseException) -> bool:
    """Whether two exceptions are equal: type, args, attributes and cause chain.

    Exception groups compare their message and their members, pairwise.
    """
    if type(left) is not type(right) or not _same_payload(left, right):
        return False
    left_state = {k: v for k, v in vars(left).items() if not isinstance(v, BaseException)}
    right_state = {k: v for k, v in vars(right).items() if not isinstance(v, BaseException)}
    if left_state != right_state:
        return False
    lc, rc = left.__cause__, right.__cause__
    if lc is None or rc is None:
        return lc is rc
    return exceptions_equal(lc, rc)


def _same_payload(left: BaseException, right: BaseException) -> bool:
    if isinstance(left, BaseExceptionGroup) and isinstance(right, BaseExceptionGroup):
        # a group's args hold its members, which compare by identity
        return (
            left.message == right.message
            and len(left.exceptions) == len(right.exceptions)
            and all(
                exceptions_equal(a, b)
                for a, b in zip(left.exceptions, right.exceptions, strict=True)
            )
        )
    return left.args == right.args
