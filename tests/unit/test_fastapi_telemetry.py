"""railguard's tracing beside FastAPI's own OpenTelemetry spans (FastAPI 0.16x and later).

FastAPI traces each request when a tracer provider is configured: a server span, and
operation spans for the dependencies and the endpoint. railguard's observer records the
failure on the span current when the answer is made (the server span), with its rule:
``error.type`` is the failure code, status ERROR only for server-side categories.
FastAPI's endpoint span follows FastAPI's rule: any exception other than its own
``HTTPException`` leaving the endpoint is an error of that span. A returned ``Err``
leaves it alone. docs/operations.md states this; these tests pin it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from railguard import Err, Failure, InternalFailure, Result
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure
from railguard.integrations.fastapi import install

sdk_trace = pytest.importorskip("opentelemetry.sdk.trace")
pytest.importorskip("fastapi.telemetry")  # FastAPI's own tracing

from opentelemetry.sdk.trace.export import SimpleSpanProcessor  # noqa: E402
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (  # noqa: E402
    InMemorySpanExporter,
)

from railguard.observe import tracing  # noqa: E402


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Finished spans in memory; railguard's tracing observer on."""
    found = InMemorySpanExporter()
    tracing.install()
    try:
        yield found
    finally:
        tracing.uninstall()


def _app(exporter: InMemorySpanExporter) -> FastAPI:
    provider = sdk_trace.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = FastAPI(telemetry={"tracer_provider": provider})
    install(app)

    @app.get("/returned")
    async def returned() -> Result[dict[str, str], Failure]:
        return Err(AgentNotFoundFailure(message="Agent 7 not found."))

    @app.get("/raised")
    async def raised() -> dict[str, str]:
        raise AgentNotFoundException("Agent 7 not found.")

    @app.get("/internal")
    async def internal() -> Result[dict[str, str], Failure]:
        return Err(InternalFailure())

    return app


async def _spans(exporter: InMemorySpanExporter, path: str) -> dict[str, Any]:
    exporter.clear()
    app = _app(exporter)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await client.get(path)
    return {span.name: span for span in exporter.get_finished_spans()}


@pytest.mark.anyio
async def test_returned_err_leaves_fastapi_endpoint_span_unset(
    exporter: InMemorySpanExporter,
) -> None:
    """A returned 404: the server span carries the code, no span is an error."""
    spans = await _spans(exporter, "/returned")
    server = spans["GET /returned"]
    assert server.attributes["error.type"] == "AGENT_NOT_FOUND"
    assert [event.name for event in server.events] == ["railguard.failure"]
    assert {span.status.status_code.name for span in spans.values()} == {"UNSET"}


@pytest.mark.anyio
async def test_raised_family_exception_marks_only_fastapi_endpoint_span(
    exporter: InMemorySpanExporter,
) -> None:
    """A raised 404: FastAPI's endpoint span is an error by FastAPI's rule, the server span not."""
    spans = await _spans(exporter, "/raised")
    server = spans["GET /raised"]
    assert server.attributes["error.type"] == "AGENT_NOT_FOUND"
    assert server.status.status_code.name == "UNSET"
    endpoint = spans["fastapi.endpoint"]
    assert endpoint.status.status_code.name == "ERROR"
    assert endpoint.attributes["error.type"].endswith("AgentNotFoundException")


@pytest.mark.anyio
async def test_server_side_failure_is_an_error_of_the_server_span(
    exporter: InMemorySpanExporter,
) -> None:
    """A 500: the server span is an error; FastAPI names it by status, railguard's event by code."""
    spans = await _spans(exporter, "/internal")
    server = spans["GET /internal"]
    assert server.status.status_code.name == "ERROR"
    assert server.attributes["error.type"] == "500"  # HTTP semantic conventions: the status
    (event,) = server.events
    assert event.name == "railguard.failure"
    assert event.attributes["error.type"] == "INTERNAL"
