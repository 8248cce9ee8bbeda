"""A pairing's reader, compiled once: an exception's state into its failure in one function.

The reader does what a loop over the pair's codecs does, unrolled for the pair: the
``__cause__`` (through `railguard.core.cause_from`) and every plain attribute in one
dictionary display, in the codecs' order, then each other codec's ``load`` into it,
then the failure class called with it. The same reads in the same order as the loop,
without a loop step, a tuple unpacking and a dictionary store per attribute (the
compiled constructors of `railguard.core._construct` do the same for failures).
"""

from __future__ import annotations

import keyword
from collections.abc import Callable, Sequence
from typing import Any

from railguard.core import Failure

__all__ = ["Reader", "compile_reader"]

Reader = Callable[[BaseException], Failure]
"""Reads an exception of one pair into its failure."""

Attribute = tuple[str, str, Callable[[Any], Any] | None]
"""A plain attribute: ``(field name, exception attribute, conversion or None)``."""

Load = Callable[[BaseException, dict[str, Any]], None]
"""A codec's ``load``: reads its field(s) from the exception into the keyword arguments."""


def compile_reader(
    failure_class: type[Failure],
    attributes: Sequence[Attribute],
    loads: Sequence[Load],
    cause_from: Callable[[BaseException], Failure | None],
) -> Reader:
    """The reader of one pair (see the module's docstring)."""
    namespace: dict[str, Any] = {"_cls": failure_class, "_cause_from": cause_from}
    items: list[str] = []
    for i, (name, attr, convert) in enumerate(attributes):
        read = f"exc.{attr}" if _plain_name(attr) else f"getattr(exc, {attr!r})"
        if convert is not None:
            namespace[f"_c{i}"] = convert
            read = f"_c{i}({read})"
        items.append(f"{name!r}: {read}")
    fields = ", ".join(items)
    source = [
        "def read(exc):",
        "  if exc.__cause__ is None:",  # else no cause: the field's default
        f"    kwargs = {{{fields}}}",
        "  else:",
        f"    kwargs = {{'cause': _cause_from(exc), {fields}}}",
    ]
    for j, load in enumerate(loads):
        namespace[f"_l{j}"] = load
        source.append(f"  _l{j}(exc, kwargs)")
    source.append("  return _cls(**kwargs)")
    name = f"<railguard reader of {failure_class.__qualname__}>"
    exec(compile("\n".join(source), name, "exec"), namespace)  # noqa: S102  # our own generated source; names are checked identifiers or reprs
    reader: Reader = namespace["read"]
    return reader


def _plain_name(attr: str) -> bool:
    """Whether ``attr`` can be written ``exc.attr``: an identifier that is not a keyword."""
    return attr.isidentifier() and not keyword.iskeyword(attr)
