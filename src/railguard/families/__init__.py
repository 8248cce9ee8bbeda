"""The five documented error families, one module per seed document.

Each module exports both sides of every documented error: the failure value
and the document's exact exception, paired losslessly.
"""

FAMILY_MODULES: tuple[str, ...] = (
    "railguard.families.distiller",
    "railguard.families.agents",
    "railguard.families.kneo",
    "railguard.families.bridge",
    "railguard.families.executor",
)
"""Modules `railguard.catalog` imports so that the catalog is complete."""
