"""Schemathesis over the conformance app: every answer conforms to the generated OpenAPI.

For each envelope style, schemathesis loads the app's own ``/openapi.json`` (in process,
through its ASGI support) and, for every operation, generates requests — valid ones and
invalid ones — and checks each response: its status is documented
(``status_code_conformance``), so is its content type (``content_type_conformance``),
its body validates against the documented schema (``response_schema_conformance``),
its documented headers do (``response_headers_conformance``), and on the operations
that never answer 5xx, ``not_a_server_error``. Besides, no request but the crash
route's may make the app log an unexpected exception.

The fast suite runs `EXAMPLES` examples per operation and mode; ``make conformance``
sets ``RAILGUARD_CONFORMANCE_EXAMPLES`` higher and prints the figures (``-s``):
operations, requests and failures per style.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator
from typing import Any, Literal

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from railguard.http import Style
from tests.conformance.schemathesis_app import CRASHING, SERVER_ERROR_FREE, build

Validation = Literal["envelope", "fastapi"]
VARIANTS: dict[str, tuple[Style, Validation]] = {
    "agents": ("agents", "envelope"),
    "problem": ("problem", "envelope"),
    "bridge": ("bridge", "envelope"),
    "agents-fastapi-422": ("agents", "fastapi"),  # install(validation="fastapi")
}
"""Each envelope style, and FastAPI's own validation answer (422) once."""
EXAMPLES = int(os.environ.get("RAILGUARD_CONFORMANCE_EXAMPLES", "6"))
"""Examples per operation and generation mode (positive, negative)."""

CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

FIGURES: Counter[str] = Counter()
"""``"<variant> operations"``, ``"<variant> requests"``, ``"<variant> failures"``."""

_schemas: dict[str, Any] = {}


def _schema(variant: str) -> Any:
    if variant not in _schemas:
        app = build(*VARIANTS[variant])
        _schemas[variant] = schemathesis.openapi.from_asgi("/openapi.json", app)
    return _schemas[variant]


def _operations() -> list[tuple[str, str, str]]:
    app = build("agents")  # every variant has the same operations
    return [
        (variant, method.upper(), path)
        for variant in VARIANTS
        for path, item in app.openapi()["paths"].items()
        for method in item
    ]


class _Unexpected(logging.Handler):
    """Records what railguard logs with a traceback: an exception nothing expected."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.records.append(record)


@pytest.fixture
def unexpected() -> Iterator[_Unexpected]:
    """The unexpected exceptions the app logs during the test."""
    handler = _Unexpected()
    logger = logging.getLogger("railguard")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("variant", VARIANTS)
def test_generated_document_is_valid(variant: str) -> None:
    """The conformance app's document validates against the OpenAPI specification."""
    validate(build(*VARIANTS[variant]).openapi())


@pytest.mark.parametrize(("variant", "method", "path"), _operations())
def test_every_answer_conforms(
    variant: str, method: str, path: str, unexpected: _Unexpected
) -> None:
    """Every response of the operation, to valid and invalid requests, conforms to the document."""
    operation = _schema(variant)[path][method]
    checks = [*CHECKS, not_a_server_error] if path in SERVER_ERROR_FREE else CHECKS
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    FIGURES[f"{variant} operations"] += 1

    @settings(
        max_examples=EXAMPLES * 2,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def run(case: Any) -> None:
        response = case.call()
        FIGURES[f"{variant} requests"] += 1
        try:
            case.validate_response(response, checks=checks)
        except Exception:
            FIGURES[f"{variant} failures"] += 1
            raise
        if path not in CRASHING:
            assert not unexpected.records, unexpected.records[0].getMessage()

    run()


def test_figures() -> None:
    """Every operation of every style ran requests, none failed (printed with ``-s``)."""
    if not FIGURES:
        pytest.skip("run with the conformance tests")
    for variant in VARIANTS:
        operations, requests, failures = (
            FIGURES[f"{variant} {kind}"] for kind in ("operations", "requests", "failures")
        )
        print(  # the figures make conformance reports
            f"schemathesis {variant}: {operations} operations, {requests} requests,"
            f" {failures} failures"
        )
        assert failures == 0
        assert requests >= operations
