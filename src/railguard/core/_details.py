"""The read-only, hashable mapping of JSON-able values that failures carry as ``details``."""

from __future__ import annotations

import math
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar, cast, final, overload

__all__ = ["EMPTY_DETAILS", "Details", "JSONValue", "freeze_json", "thaw_json"]

_T = TypeVar("_T")


@final
class Details(Mapping[str, "JSONValue"]):
    """An immutable, hashable mapping from strings to frozen JSON values.

    Build one with `freeze_json` (or pass any mapping as a failure's ``details``);
    nested objects become `Details` and arrays become tuples, so the whole value
    is immutable, compares by value and pickles.
    """

    __slots__ = ("_data", "_hash")

    _data: dict[str, JSONValue]
    _hash: int | None

    def __init__(self, data: Mapping[str, object] | None = None, /) -> None:
        frozen = (
            {} if data is None else _freeze_object(cast(Mapping[object, object], data), "details")
        )
        object.__setattr__(self, "_data", frozen)
        object.__setattr__(self, "_hash", None)

    @classmethod
    def _trusted(cls, data: dict[str, JSONValue]) -> Details:
        new = cls.__new__(cls)
        object.__setattr__(new, "_data", data)
        object.__setattr__(new, "_hash", None)
        return new

    def __getitem__(self, key: str) -> JSONValue:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    # the dict's own read-only views and lookup: Mapping's mixins go through
    # ``__iter__`` and ``__getitem__`` in Python for every key
    def keys(self) -> KeysView[str]:
        """The keys, a read-only view."""
        return self._data.keys()

    def values(self) -> ValuesView[JSONValue]:
        """The values, a read-only view."""
        return self._data.values()

    def items(self) -> ItemsView[str, JSONValue]:
        """The ``(key, value)`` pairs, a read-only view."""
        return self._data.items()

    @overload
    def get(self, key: str, /) -> JSONValue | None: ...
    @overload
    def get(self, key: str, default: JSONValue | _T, /) -> JSONValue | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        """The value of ``key``, else ``default``."""
        return self._data.get(key, default)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Details):
            return self._data == other._data
        if isinstance(other, Mapping):
            # compare with the frozen form, so nested lists equal their tuples
            try:
                return self._data == _freeze_object(other, "other")
            except (TypeError, ValueError):
                return False
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        return self._hash  # type: ignore[return-value]  # set just above

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Details is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Details is immutable")

    def __repr__(self) -> str:
        return f"Details({self._data!r})"

    def __reduce__(self) -> tuple[type[Details], tuple[object]]:
        return (Details, (thaw_json(self),))

    def __copy__(self) -> Details:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> Details:
        return self


# A real union at run time (after `Details`), so ``JSONValue | None`` works wherever
# annotations are evaluated; there the recursion is cut (no forward reference to resolve).
if TYPE_CHECKING:
    JSONValue: TypeAlias = str | int | float | bool | tuple["JSONValue", ...] | Details | None
else:
    JSONValue = str | int | float | bool | tuple[Any, ...] | Details | None
"""A frozen JSON value: objects are `Details`, arrays are tuples."""


EMPTY_DETAILS = Details()
"""The shared empty `Details`, the default of every failure's ``details``."""


def freeze_json(value: object, *, where: str = "value") -> JSONValue:
    """Return an immutable copy of a JSON-able value.

    Raises:
        TypeError: the value holds something JSON cannot carry (names the path).
        ValueError: a float is NaN or infinite.
    """
    if value is None:
        return value
    if isinstance(value, (str, int, float)):  # bool is an int
        if type(value) not in _PLAIN_SCALARS:
            value = _plain_scalar(value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{where} is {value!r}: JSON has no NaN or infinity")
        return value
    if isinstance(value, Details):
        return value
    if isinstance(value, Mapping):
        return Details._trusted(_freeze_object(value, where))
    if isinstance(value, (list, tuple)):
        return tuple(freeze_json(item, where=f"{where}[{i}]") for i, item in enumerate(value))
    raise TypeError(
        f"{where} is a {type(value).__name__}, which is not JSON-able "
        "(use str, int, float, bool, None, lists and mappings with str keys)"
    )


_PLAIN_SCALARS = frozenset({str, int, float, bool})


def _plain_scalar(value: str | int | float) -> str | int | float:
    """The plain scalar of a subclass (str/int enums, HTTPStatus, numpy floats).

    Details hold only the JSON types themselves: no foreign class to pickle,
    no extra state, no identity semantics.
    """
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int.__int__(value)
    return float.__float__(value)


def _freeze_object(value: Mapping[object, object], where: str) -> dict[str, JSONValue]:
    frozen: dict[str, JSONValue] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise TypeError(f"{where} has a {type(key).__name__} key {key!r}; JSON keys are str")
        frozen[key] = freeze_json(item, where=f"{where}[{key!r}]")
    return frozen


def to_details(value: Mapping[str, object]) -> Details:
    """Convert a failure's ``details`` argument to `Details` (attrs converter)."""
    if type(value) is Details:
        return value
    if type(value) is dict and not value:  # ``details={}``: the shared empty value
        return EMPTY_DETAILS
    if not isinstance(value, Mapping):
        raise TypeError(f"details must be a mapping of JSON values, not {type(value).__name__}")
    return Details(value)


def thaw_json(value: JSONValue) -> object:
    """Return a plain, mutable JSON value (dicts and lists) for serialisers."""
    if isinstance(value, Details):
        return {key: thaw_json(item) for key, item in value._data.items()}
    if isinstance(value, tuple):
        return [thaw_json(item) for item in value]
    return value
