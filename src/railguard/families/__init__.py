"""The five documented error families, one module per seed document.

Each module exports both sides of every documented error: the failure value
and the document's exact exception, paired losslessly.
"""

from ._catalog import catalog_markdown

__all__ = ["FAMILY_MODULES", "catalog_markdown"]

FAMILY_MODULES: tuple[str, ...] = (
    "railguard.families.distiller",
    "railguard.families.agents",
    "railguard.families.kneo",
    "railguard.families.bridge",
    "railguard.families.executor",
)
"""Modules `railguard.catalog` imports so that the catalog is complete."""
