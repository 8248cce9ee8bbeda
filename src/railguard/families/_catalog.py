"""The catalog page: one Markdown table of every registered error, generated from the registry."""

from __future__ import annotations

from http import HTTPStatus
from typing import cast

import attrs

from railguard import catalog
from railguard.core import Category, Failure, FailureGroup

from ._pairing import PairedFailure

__all__ = ["catalog_markdown", "catalog_rows"]

_HEADER = """\
# Failure catalog

Every registered error, generated from the registry with
`railguard catalog --markdown > docs/families/catalog.md`; a test fails when
this page and the code disagree. Status, category and recovery are each class's
defaults; the [families overview](index.md) lists the ones that vary per instance.

| Exception | Failure | Code | Status | Category | Recovery |
|---|---|---|---|---|---|
"""


def _name(cls: type) -> str:
    """``family.Name`` / ``websocket.Name`` for a public submodule, ``railguard.Name`` for core."""
    public = cls.__module__.split("._")[0]  # railguard.websocket._closing -> railguard.websocket
    if public.startswith("railguard.core") or public == "railguard":
        return f"railguard.{cls.__qualname__}"
    return f"{public.rsplit('.', 1)[1]}.{cls.__qualname__}"


def _default(cls: type[Failure], field: str, fallback: object) -> object:
    """A field's plain default when the class declares one, else the class-level value."""
    attribute = attrs.fields_dict(cls).get(field)
    if attribute is None or attribute.default is attrs.NOTHING:
        return fallback
    if isinstance(attribute.default, attrs.Factory):  # type: ignore[arg-type]  # attrs.Factory is a class at runtime
        return fallback
    return attribute.default


def _exception_name(cls: type[Failure]) -> str:
    if issubclass(cls, PairedFailure):
        return _name(cls.exception_type)
    if issubclass(cls, FailureGroup):
        return "railguard.RailguardExceptionGroup"
    return "railguard.RailguardError"


def catalog_rows() -> list[tuple[str, str, str, int, str, str]]:
    """One row per registered railguard failure class, in catalog order.

    Each row is (exception, failure, code, status, category, recovery), with
    the class's default status, category and recovery.
    """
    rows = []
    for cls in catalog():
        if not cls.__module__.startswith("railguard."):
            continue
        category = _default(cls, "category", cls.default_category)
        assert isinstance(category, Category)  # noqa: S101  # a field default of that type
        status = _default(cls, "status", cls._default_status or category.default_status)
        recovery = cls._default_recovery or category.default_recovery
        rows.append(
            (
                _exception_name(cls),
                _name(cls),
                cls.default_code,
                int(cast(HTTPStatus, status)),
                category.value,
                recovery.value,
            )
        )
    return rows


def catalog_markdown() -> str:
    """The catalog page (Markdown): a title, a note and one table of every error."""
    lines = [
        f"| `{exc}` | `{failure}` | `{code}` | {status} | {category} | {recovery} |"
        for exc, failure, code, status, category, recovery in catalog_rows()
    ]
    return _HEADER + "\n".join(lines) + "\n"
