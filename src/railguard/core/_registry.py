"""The catalog of failure classes, keyed by their stable ``code``."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._failure import Failure

__all__ = ["BY_CODE", "DuplicateCodeError", "lookup", "on_register", "register", "registered"]

_lock = threading.Lock()
_by_code: dict[str, type[Failure]] = {}
BY_CODE: Mapping[str, type[Failure]] = MappingProxyType(_by_code)
"""The registry by code, read-only: `lookup` without a Python call, for hot paths."""
_by_name: dict[tuple[str, str], type[Failure]] = {}
_order: dict[type[Failure], int] = {}
_counter = itertools.count()
_hooks: list[Callable[[type[Failure]], None]] = []


class DuplicateCodeError(TypeError):
    """Two different failure classes declare the same ``code``."""


def register(cls: type[Failure]) -> None:
    """Add a failure class to the catalog under its ``default_code``.

    A class defined again with the same module and qualified name (a reload)
    replaces the old one, keeps its place in the catalog and releases the old
    code if it changed; any other class with a taken code is an error.

    Raises:
        DuplicateCodeError: another class already owns the code.
        TypeError: a registration hook refused the class (see `on_register`).
    """
    for hook in _hooks:
        hook(cls)  # e.g. the wire schema: a field type no wire can carry is refused here
    code = cls.default_code
    name = _name(cls)
    with _lock:
        existing = _by_code.get(code)
        if existing is not None and existing is not cls and _name(existing) != name:
            raise DuplicateCodeError(
                f"failure code {code!r} of {cls.__module__}.{cls.__qualname__} is already "
                f"registered by {existing.__module__}.{existing.__qualname__}"
            )
        previous = _by_name.get(name)
        if previous is not None and previous is not cls:
            position = _order.pop(previous)
            if _by_code.get(previous.default_code) is previous:
                del _by_code[previous.default_code]
        else:
            position = next(_counter)
        _by_code[code] = cls
        _by_name[name] = cls
        _order.setdefault(cls, position)


def _name(cls: type[Failure]) -> tuple[str, str]:
    return (cls.__module__, cls.__qualname__)


def lookup(code: str) -> type[Failure] | None:
    """Return the failure class registered under ``code``, or ``None``.

    Only registered classes are ever returned: nothing is imported or
    instantiated by a name taken from input.
    """
    return _by_code.get(code)


def on_register(hook: Callable[[type[Failure]], None]) -> None:
    """Run ``hook`` on every class registered from now on, before it enters the catalog.

    A hook refuses a class by raising (``TypeError``); layers above core use this to
    check a class when it is defined, without core knowing them.
    """
    with _lock:
        _hooks.append(hook)


def registered() -> Iterator[type[Failure]]:
    """Iterate the classes registered so far, by module, then definition order.

    Nothing is imported: `railguard.catalog` first imports every module that
    defines failures, so its answer does not depend on what was imported before.
    """
    with _lock:
        ordered = sorted(_order.items(), key=lambda item: (item[0].__module__, item[1]))
    return iter([cls for cls, _ in ordered])
