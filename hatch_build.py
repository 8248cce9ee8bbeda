"""Hatchling build hook: compile railguard's gettext catalogs (``.po`` -> ``.mo``) with Babel.

Runs for every wheel, editable ones included (``pip install -e .``): each
``src/railguard/messages/locale/<lang>/LC_MESSAGES/<domain>.po`` is compiled next to
itself, where the installed or the editable package reads it; a regular wheel also
force-includes the ``.mo`` files (they are git-ignored, never committed). A catalog
Babel reports errors for, or one with fuzzy or untranslated entries, fails the build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src", "railguard", "messages", "locale")


def compile_catalogs(root: Path) -> list[Path]:
    """Compile every ``.po`` under ``root/LOCALE`` next to itself; return the ``.mo`` paths."""
    from babel.messages.mofile import write_mo  # noqa: PLC0415  # a build requirement only
    from babel.messages.pofile import read_po  # noqa: PLC0415

    compiled: list[Path] = []
    for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name, domain=po.stem)
        problems = [
            f"{po}: {message.id!r}: {error}"
            for message, errors in catalog.check()
            for error in errors
        ]
        problems += [
            f"{po}: {message.id!r} is fuzzy or untranslated"
            for message in list(catalog)[1:]
            if message.fuzzy or not message.string
        ]
        if problems:
            raise ValueError("catalog errors:\n" + "\n".join(problems))
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog)
        compiled.append(mo)
    return compiled


class CatalogsBuildHook(BuildHookInterface):  # type: ignore[type-arg]  # generic over its config
    """Compiles the catalogs before each wheel is built."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile the catalogs; a regular wheel force-includes them."""
        root = Path(self.root)
        for mo in compile_catalogs(root):
            if version != "editable":
                build_data["force_include"][str(mo)] = mo.relative_to(root / "src").as_posix()
