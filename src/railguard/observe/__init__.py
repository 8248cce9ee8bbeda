"""Operations: every failure a boundary answers, logged once and handed to observers.

``report`` is what the boundaries call; applications choose levels per category
(`set_levels`) and add observers: `railguard.observe.metrics` (Prometheus, extra
``metrics``) and `railguard.observe.tracing` (OpenTelemetry, extra ``tracing``).
`RequestIdMiddleware` puts each request's ``X-Request-ID`` on its lines and on the
envelopes and frames answered for it; `trace_id` is the current span's, when there is one.
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
from railguard.observe._request_id import REQUEST_ID, RequestIdMiddleware, request_id, trace_id

__all__ = [
    "REQUEST_ID",
    "SERVER_SIDE",
    "Observation",
    "Observer",
    "RequestIdMiddleware",
    "add_observer",
    "fields_of",
    "level_for",
    "remove_observer",
    "report",
    "request_id",
    "set_levels",
    "trace_id",
]
