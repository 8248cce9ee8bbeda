"""Safe templates: ``{name}`` fields filled only from a failure's declared scalar fields.

A template may name a field of the failure's class (``{retry_after}``, ``{request_id}``),
``code``, ``status`` or ``category``, with a short numeric format spec (``{wait:d}``,
``{seconds:.1f}``). No attribute access, indexing or conversion (``{x.y}``, ``{x[0]}``,
``{x!r}``): a template cannot reach anything the failure does not declare. A field whose
value is missing (``None``) or not a scalar makes the template unusable for that failure,
so the caller falls back to the next template instead of showing ``None``.
"""

from __future__ import annotations

import enum
import functools
import re
import string
from collections.abc import Mapping

import attrs

from railguard.core import Failure

__all__ = ["MAX_TEMPLATE", "TemplateError", "check", "fields_of", "render"]

MAX_TEMPLATE = 1000
"""Characters a template may have."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_SPEC = re.compile(r"[<>^]?[0-9]{0,2}(?:\.[0-9])?[dfs]?")
_FORMATTER = string.Formatter()
_COMPUTED = ("code", "status", "category")


class TemplateError(ValueError):
    """A message template is malformed or names something it may not use."""


@functools.lru_cache(maxsize=512)  # templates are the app's and the catalogs': a few dozen
def _parse(template: str) -> tuple[tuple[str, str | None, str], ...]:
    """``template`` as ``(literal, field name or None, format spec)`` parts.

    Raises:
        TemplateError: the template is too long, malformed, or uses a conversion,
            attribute access, indexing or a format spec beyond a short numeric one.
    """
    if len(template) > MAX_TEMPLATE:
        raise TemplateError(f"a template has at most {MAX_TEMPLATE} characters")
    try:
        parsed = list(_FORMATTER.parse(template))
    except ValueError as exc:
        raise TemplateError(f"malformed template {template!r}: {exc}") from None
    parts: list[tuple[str, str | None, str]] = []
    for literal, name, spec, conversion in parsed:
        if name is not None and (
            not _NAME.fullmatch(name) or conversion is not None or not _SPEC.fullmatch(spec or "")
        ):
            raise TemplateError(
                f"template field {{{name}}} of {template!r} must be a plain field name"
                " with at most a short numeric format spec"
            )
        parts.append((literal, name, spec or ""))
    return tuple(parts)


def check(template: str, cls: type[Failure] | None = None) -> None:
    """Refuse a template that could never render (for ``cls``, when given).

    Raises:
        TemplateError: malformed, or it names a field ``cls`` does not declare.
    """
    names = {name for _, name, _ in _parse(template) if name is not None}
    if cls is None:
        return
    declared = {field.name for field in attrs.fields(cls)}.union(_COMPUTED)
    unknown = sorted(names - declared)
    if unknown:
        raise TemplateError(f"template {template!r} names {unknown}, not fields of {cls.__name__}")


def _scalar(value: object) -> object | None:
    """``value`` as a formattable scalar, or ``None`` (absent or not a scalar)."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str | int | float):  # bool is an int
        return value
    return None


def fields_of(failure: Failure) -> dict[str, object]:
    """The values a template may use: the failure's scalar fields, code, status, category."""
    values: dict[str, object] = {}
    for field in attrs.fields(type(failure)):
        value = _scalar(getattr(failure, field.name))
        if value is not None:
            values[field.name] = value
    values["code"] = failure.code
    values["status"] = int(failure.status)
    values["category"] = failure.category.value
    return values


def render(template: str, values: Mapping[str, object]) -> str | None:
    """``template`` filled from ``values``, or ``None`` when it cannot be (never raises)."""
    try:
        parts = _parse(template)
    except TemplateError:
        return None
    text: list[str] = []
    for literal, name, spec in parts:
        text.append(literal)
        if name is None:
            continue
        if name not in values:
            return None
        try:
            text.append(format(values[name], spec))
        except (ValueError, TypeError):
            return None
    return "".join(text)
