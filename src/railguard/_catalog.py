"""The complete catalog: every module that defines failures, imported before listing."""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from railguard.core import Failure
from railguard.core._registry import on_register, registered

__all__ = ["catalog", "check_definition", "failure_modules", "load_catalog"]


def check_definition(cls: type[Failure]) -> None:
    """Build a new failure class's wire schema: a field no wire can carry is refused now.

    Installed as a registration hook when ``railguard`` is imported; the wire layer is
    imported by the first class defined after that (core's own are checked at first use).
    """
    if cls.__module__.startswith("railguard.core."):
        return  # core's own classes (some load lazily, mid-import of the wire layer) at first use
    from railguard._wire import check  # noqa: PLC0415  # the wire layer sits above core

    check(cls)


on_register(check_definition)


def failure_modules() -> tuple[str, ...]:
    """The modules that define failure classes beyond core: every family, then the boundaries."""
    from railguard.families import FAMILY_MODULES  # noqa: PLC0415  # families sit above core

    return (*FAMILY_MODULES, "railguard.websocket", "railguard.exhaustion")


def load_catalog() -> None:
    """Import every module that defines failures; decoders call it so lookups are complete."""
    for module in failure_modules():
        importlib.import_module(module)


def catalog() -> Iterator[type[Failure]]:
    """Iterate every registered failure class in a stable order.

    Every family and every boundary that defines failures is imported first, so
    the catalog is the same in every process whatever was imported before.
    Classes are ordered by module, then by definition order within the module.
    """
    load_catalog()
    return registered()
