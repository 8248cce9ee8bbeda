"""What railguard.observe recorded, for its tests: log records, a Prometheus registry, spans.

Test modules import the fixtures they use (``from tests.observing import records``);
the recorders are real: a `logging.Handler` on the ``railguard`` loggers, a fresh
prometheus-client registry scraped in its text format, the OpenTelemetry SDK's
in-memory exporter. The helpers hold no asserts: PYTEST_DONT_REWRITE (a module both
imported and loaded as a plugin would otherwise warn).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from railguard.observe import set_levels


class Records(logging.Handler):
    """A real handler that keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep ``record``."""
        self.records.append(record)


@pytest.fixture
def records() -> Iterator[list[logging.LogRecord]]:
    """Every record on the ``railguard`` loggers, at every level (all threads)."""
    handler = Records()
    root = logging.getLogger("railguard")
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler.records
    finally:
        root.removeHandler(handler)
        root.setLevel(old)
        set_levels()


@pytest.fixture
def registry() -> Iterator[Any]:
    """A fresh prometheus-client registry with railguard's collectors installed on it."""
    prometheus_client = pytest.importorskip("prometheus_client")
    from railguard.observe import metrics

    fresh = prometheus_client.CollectorRegistry()
    metrics.install(fresh)
    try:
        yield fresh
    finally:
        metrics.uninstall()


@pytest.fixture
def spans() -> Iterator[tuple[Any, Any]]:
    """A tracer whose finished spans land in memory (its exporter), railguard's tracing on."""
    sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from railguard.observe import tracing

    exporter = InMemorySpanExporter()
    provider = sdk_trace.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install()
    try:
        yield provider.get_tracer("railguard-tests"), exporter
    finally:
        tracing.uninstall()


def scrape(registry: Any) -> str:
    """The registry in Prometheus' text exposition format."""
    from prometheus_client import generate_latest

    return bytes(generate_latest(registry)).decode()


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in scraped ``text`` (``0.0`` when it is absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return float(found.value)
    return 0.0


def on(records: list[logging.LogRecord], name: str) -> list[logging.LogRecord]:
    """The records of logger ``name``."""
    return [r for r in records if r.name == name]


def printed(record: logging.LogRecord) -> str:
    """Everything of a record but its ``exc_info`` (the in-process traceback), as text."""
    kept = {k: v for k, v in vars(record).items() if k not in {"exc_info", "exc_text"}}
    return record.getMessage() + repr(kept)
