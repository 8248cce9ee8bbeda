"""Operations: every failure a boundary answers, logged once and handed to observers.

``report`` is what the boundaries call; applications choose levels per category
(`set_levels`) and add observers: `railguard.observe.metrics` (Prometheus, extra
``metrics``) and `railguard.observe.tracing` (OpenTelemetry, extra ``tracing``).
Standard library only; the optional layers import their client on ``install()``.
"""

from railguard.observe._report import (
    SERVER_SIDE,
    Observation,
    Observer,
    add_observer,
    fields_of,
    level_for,
    remove_observer,
    report,
    set_levels,
)

__all__ = [
    "SERVER_SIDE",
    "Observation",
    "Observer",
    "add_observer",
    "fields_of",
    "level_for",
    "remove_observer",
    "report",
    "set_levels",
]
