"""railguard.observe's metrics (a real prometheus-client registry) and tracing (OTel SDK)."""

from __future__ import annotations

import pytest

from railguard import InternalFailure, NotFoundFailure, RateLimitFailure, UnknownFailure
from railguard.observe import report

prometheus_client = pytest.importorskip("prometheus_client")
sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")

from opentelemetry import trace  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)
from opentelemetry.trace import StatusCode  # noqa: E402

from railguard.observe import metrics  # noqa: E402
from tests.observing import scrape  # noqa: E402

pytest_plugins = ["tests.observing"]  # the fixtures registry and spans


def test_failures_are_counted_by_code_category_and_boundary(registry: object) -> None:
    """Each report adds one to its labelled series; the text format shows it."""
    report(NotFoundFailure(message="secret-id-77 missing"), boundary="http", log=False)
    report(NotFoundFailure(), boundary="http", log=False)
    text = scrape(registry)
    assert (
        'railguard_failures_total{boundary="http",category="not_found",code="NOT_FOUND",'
        'outcome="answered"} 2.0'
    ) in text
    assert "secret-id-77" not in text


def test_unknown_codes_never_become_labels(registry: object) -> None:
    """A code outside the catalog (a peer's) is counted as OTHER."""
    report(UnknownFailure(code="PEER_SAYS_x9f3"), boundary="httpx", outcome="received", log=False)
    text = scrape(registry)
    assert 'code="OTHER"' in text
    assert "PEER_SAYS_x9f3" not in text


def test_retry_counters_and_hint_histogram(registry: object) -> None:
    """Attempts and exhaustions have their counters; hints land in the histogram."""
    report(RateLimitFailure(retry_after=2.0), boundary="retry", outcome="attempt", log=False)
    report(
        InternalFailure(cause=NotFoundFailure()), boundary="retry", outcome="exhausted", log=False
    )
    text = scrape(registry)
    assert 'railguard_retry_attempts_total{category="rate_limit",code="RATE_LIMIT"} 1.0' in text
    assert 'railguard_retry_exhausted_total{code="NOT_FOUND"} 1.0' in text
    assert 'railguard_failure_retry_after_seconds_bucket{boundary="retry",le="2.0"} 1.0' in text
    assert 'railguard_failure_retry_after_seconds_bucket{boundary="retry",le="1.0"} 0.0' in text


def test_bridge_track_error(registry: object) -> None:
    """The bridge document's ``track_error(name, severity)`` counts under its names."""
    metrics.track_error("session_creation_error", "error")
    assert 'errors_total{error_type="session_creation_error",severity="error"} 1.0' in scrape(
        registry
    )


def test_server_side_failure_sets_error_status(
    spans: tuple[trace.Tracer, InMemorySpanExporter],
) -> None:
    """An internal failure: ``error.type`` is its code and the span status is ERROR."""
    tracer, exporter = spans
    with tracer.start_as_current_span("request"):
        report(InternalFailure(), boundary="http", log=False)
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["error.type"] == "INTERNAL"
    assert span.status.status_code is StatusCode.ERROR
    assert [e.name for e in span.events] == ["railguard.failure"]


def test_client_failure_leaves_status_unset(
    spans: tuple[trace.Tracer, InMemorySpanExporter],
) -> None:
    """A client's mistake records ``error.type`` but is not a server error."""
    tracer, exporter = spans
    with tracer.start_as_current_span("request"):
        report(NotFoundFailure(), boundary="http", log=False)
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert span.attributes["error.type"] == "NOT_FOUND"
    assert span.status.status_code is StatusCode.UNSET


def test_retry_attempt_is_an_event_only(
    spans: tuple[trace.Tracer, InMemorySpanExporter],
) -> None:
    """A retried attempt adds an event; it does not set the span's error type."""
    tracer, exporter = spans
    with tracer.start_as_current_span("call"):
        report(RateLimitFailure(), boundary="retry", outcome="attempt", log=False)
    (span,) = exporter.get_finished_spans()
    assert span.attributes is not None
    assert "error.type" not in span.attributes
    assert span.events[0].attributes is not None
    assert span.events[0].attributes["error.type"] == "RATE_LIMIT"


def test_installing_twice_on_one_registry_counts_on() -> None:
    """install() again on the same registry (an app factory run twice) reuses its collectors."""
    prometheus_client = pytest.importorskip("prometheus_client")
    fresh = prometheus_client.CollectorRegistry()
    try:
        first = metrics.install(fresh)
        report(NotFoundFailure(), boundary="http", log=False)
        metrics.uninstall()
        assert metrics.install(fresh) is first
        assert metrics.install(fresh) is first
        report(NotFoundFailure(), boundary="http", log=False)
    finally:
        metrics.uninstall()
    assert 'code="NOT_FOUND",outcome="answered"} 2.0' in scrape(fresh)


def test_a_failed_install_keeps_the_installed_metrics_counting() -> None:
    """install() on a registry whose names are taken raises and leaves the previous one on."""
    prometheus_client = pytest.importorskip("prometheus_client")
    counting, taken = prometheus_client.CollectorRegistry(), prometheus_client.CollectorRegistry()
    prometheus_client.Counter("railguard_failures", "taken by someone else", registry=taken)
    try:
        metrics.install(counting)
        with pytest.raises(ValueError, match="railguard_failures"):
            metrics.install(taken)
        report(NotFoundFailure(), boundary="http", log=False)
    finally:
        metrics.uninstall()
    assert 'code="NOT_FOUND",outcome="answered"} 1.0' in scrape(counting)
