"""The HTTP statuses a failure class can answer with, read from the class's own declaration.

OpenAPI lists a route's failures by status; an instance of a class does not always answer
with the class's status. What the class declares says which statuses are possible:

- ``status=`` as a class keyword, nothing per instance: that one status;
- a ``status`` field: the values of its ``Literal`` type, else any error status;
- a ``category`` field (the status is the category's): the statuses of the categories
  its ``Literal`` type allows (the executor family's four), else of every category;
- a ``status`` or ``category`` computed by a property of the class (kneo's status is
  its ``response_status``, a group's its members'): any error status.

"Any error status" is the two OpenAPI ranges ``4XX`` and ``5XX`` (the encoders answer
500 for a status outside 400-599). A route narrows a class to the statuses it really
answers with ``fails_with(..., statuses={Class: [...]})``, checked against this set.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Final, Literal

import attrs

from railguard.core import Category, Failure

__all__ = ["ANY_ERROR", "StatusKey", "answer_statuses", "check_statuses", "status_key"]

StatusKey = int | str
"""An OpenAPI response key: an error status (``404``) or a range (``"5XX"``)."""

ANY_ERROR: Final[tuple[str, ...]] = ("4XX", "5XX")
"""Every error status, as OpenAPI ranges."""

_cache: dict[type[Failure], tuple[StatusKey, ...]] = {}


def answer_statuses(cls: type[Failure], default: int) -> tuple[StatusKey, ...]:
    """The statuses an instance of ``cls`` can answer with; ``default`` first.

    ``default`` is the status of the class's documentation example (its defaults).
    """
    if cls not in _cache:
        _cache[cls] = tuple(dict.fromkeys((default, *_declared(cls))))
    return _cache[cls]


def _declared(cls: type[Failure]) -> Iterable[StatusKey]:
    fields = attrs.fields_dict(cls)
    status_owner = _owner(cls, "status")
    if "status" in fields:
        return _statuses(_literal(cls, "status"), ANY_ERROR)
    if status_owner is not Failure:
        return ANY_ERROR  # computed by the class's own property
    if cls._default_status is not None:  # pyright: ignore[reportPrivateUsage]  # core's class-level status
        return (int(cls._default_status),)  # pyright: ignore[reportPrivateUsage]
    if "category" in fields:
        allowed = _literal(cls, "category")
        categories = list(Category) if allowed is None else allowed
        return _statuses(
            [c.default_status for c in categories if isinstance(c, Category)], ANY_ERROR
        )
    if _owner(cls, "category") is not Failure:
        return ANY_ERROR
    return (int(cls.default_category.default_status),)


def _owner(cls: type, name: str) -> type | None:
    """The class of ``cls``'s MRO that defines ``name`` (a property, a field's slot)."""
    return next((k for k in cls.__mro__ if name in k.__dict__), None)


def _literal(cls: type, name: str) -> list[object] | None:
    """The values a field's ``Literal`` type allows (through ``| None``), else ``None``."""
    try:
        hint = typing.get_type_hints(cls).get(name)
    except Exception:  # noqa: BLE001  # a class local to a function: its field's type as written
        hint = attrs.fields_dict(cls)[name].type
    values: list[object] = []
    for arm in _arms(hint):
        if arm is type(None):
            continue  # None answers the class's own status
        if typing.get_origin(arm) is not Literal:
            return None
        values.extend(typing.get_args(arm))
    return values or None


def _arms(hint: object) -> tuple[object, ...]:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        return typing.get_args(hint)
    return (hint,)


def _statuses(values: Iterable[object] | None, otherwise: Iterable[StatusKey]) -> list[StatusKey]:
    """Each value as the status it answers with (500 for a non-error one)."""
    if values is None:
        return list(otherwise)
    found: list[StatusKey] = []
    for value in values:
        if isinstance(value, int):
            found.append(int(value) if 400 <= value <= 599 else 500)
    return found or list(otherwise)


def status_key(status: object) -> StatusKey:
    """A declared status as a response key; ``ValueError`` for anything but 400-599 or a range."""
    if isinstance(status, str) and status.upper() in ANY_ERROR:
        return status.upper()
    if isinstance(status, int) and not isinstance(status, bool):
        try:
            value = HTTPStatus(status)
        except ValueError:
            value = None
        if value is not None and 400 <= value <= 599:
            return int(value)
    raise ValueError(f"{status!r} is not an error status (400-599) nor a range ('4XX', '5XX')")


def _covers(keys: Iterable[StatusKey], key: StatusKey) -> bool:
    for allowed in keys:
        if allowed == key or (isinstance(allowed, str) and str(key)[0] == allowed[0]):
            return True
    return False


def check_statuses(
    declared: Mapping[type[Failure], Iterable[object]], default: Callable[[type[Failure]], int]
) -> dict[type[Failure], tuple[StatusKey, ...]]:
    """Declared statuses per class as response keys, each one the class can answer with.

    ``default`` gives a class's example status (see `answer_statuses`).

    Raises:
        ValueError: a status is not an error status, or the class cannot answer with it.
    """
    checked: dict[type[Failure], tuple[StatusKey, ...]] = {}
    for cls, statuses in declared.items():
        keys = tuple(dict.fromkeys(status_key(s) for s in statuses))
        if not keys:
            raise ValueError(f"statuses of {cls.__qualname__}: declare at least one")
        possible = answer_statuses(cls, default(cls))
        for key in keys:
            if not _covers(possible, key):
                raise ValueError(
                    f"{cls.__qualname__} cannot answer {key}: its declaration allows"
                    f" {', '.join(map(str, possible))}"
                )
        checked[cls] = keys
    return checked
