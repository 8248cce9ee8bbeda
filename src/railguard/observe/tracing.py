"""OpenTelemetry: the current span records each reported failure (extra ``tracing``).

Following OpenTelemetry's semantic conventions for errors: the span gets
``error.type`` = the failure code and an ``railguard.failure`` event (code, category,
boundary, outcome, and a relayed failure's peer codes); its status becomes ERROR only
for server-side categories (`railguard.observe.SERVER_SIDE`): a client's mistake
answered correctly is not a server error. Retry attempts add one event each.
"""

from __future__ import annotations

from railguard.observe._report import SERVER_SIDE, Observation, add_observer, remove_observer

__all__ = ["install", "observe_span", "uninstall"]


def observe_span(observation: Observation) -> None:
    """Record ``observation`` on the current span (nothing when none is recording)."""
    from opentelemetry import trace  # noqa: PLC0415  # the extra, loaded on first use

    span = trace.get_current_span()
    if not span.is_recording():
        return
    failure = observation.failure
    attributes: dict[str, str | tuple[str, ...]] = {
        "error.type": failure.code,
        "railguard.category": failure.category.value,
        "railguard.boundary": observation.boundary,
        "railguard.outcome": observation.outcome,
    }
    if observation.upstream_codes:
        attributes["railguard.upstream_codes"] = observation.upstream_codes
    span.add_event("railguard.failure", attributes)
    if observation.outcome == "attempt":
        return  # an attempt that may still succeed: an event, not the span's outcome
    span.set_attribute("error.type", failure.code)
    if failure.category in SERVER_SIDE:
        span.set_status(trace.StatusCode.ERROR, failure.code)


def install() -> None:
    """Record every reported failure on the current OpenTelemetry span from now on."""
    from opentelemetry import trace  # noqa: F401, PLC0415  # fail here if the extra is missing

    add_observer(observe_span)


def uninstall() -> None:
    """Stop recording failures on spans."""
    remove_observer(observe_span)
