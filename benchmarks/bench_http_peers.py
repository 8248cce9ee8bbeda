"""HTTP error responses/s against the RFC 9457 libraries, when they are installed.

Optional: each of fastapi-problem, fastapi-rfc9457 and fastapi-problem-details is
measured only if it imports (they are not in the ``dev`` extra). Each library's app
answers the same 404 its own way (its handler installed, its not-found problem
raised); railguard's app returns ``Err(failure)``. All apps, FastAPI's own
``HTTPException`` app included, run side by side in rotating rounds.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from benchmarks._harness import Ratio, paired
from benchmarks.bench_http import MESSAGE, baseline_app, railguard_app, responses_per_second


def _fastapi_problem() -> FastAPI:
    from fastapi_problem.error import NotFoundProblem  # noqa: PLC0415  # optional
    from fastapi_problem.handler import (  # noqa: PLC0415  # optional
        add_exception_handler,
        new_exception_handler,
    )

    app = FastAPI()
    add_exception_handler(app, new_exception_handler())

    @app.get("/agents/{agent_id}")
    async def get_agent(agent_id: str) -> dict[str, str]:
        raise NotFoundProblem(MESSAGE)

    return app


def _fastapi_rfc9457() -> FastAPI:
    from fastapi_rfc9457 import NotFound  # noqa: PLC0415  # optional
    from fastapi_rfc9457.integration import add_problem_handlers  # noqa: PLC0415  # optional

    app = FastAPI()
    add_problem_handlers(app)

    @app.get("/agents/{agent_id}")
    async def get_agent(agent_id: str) -> dict[str, str]:
        raise NotFound(detail=MESSAGE)

    return app


def _fastapi_problem_details() -> FastAPI:
    import fastapi_problem_details  # noqa: PLC0415  # optional

    app = FastAPI()
    fastapi_problem_details.init_app(app)

    @app.get("/agents/{agent_id}")
    async def get_agent(agent_id: str) -> dict[str, str]:
        raise fastapi_problem_details.ProblemException(status=404, detail=MESSAGE)

    return app


PEERS: dict[str, tuple[str, Callable[[], FastAPI]]] = {
    "fastapi-problem": ("fastapi_problem", _fastapi_problem),
    "fastapi-rfc9457": ("fastapi_rfc9457", _fastapi_rfc9457),
    "fastapi-problem-details": ("fastapi_problem_details", _fastapi_problem_details),
}


def run() -> list[Ratio]:
    """railguard's ``Err`` route against each installed library (and each against FastAPI)."""
    installed = {
        name: build for name, (module, build) in PEERS.items() if importlib.util.find_spec(module)
    }
    if not installed:
        return []
    apps: list[Any] = [railguard_app(raising=False), baseline_app()]
    apps += [build() for build in installed.values()]
    rates = responses_per_second(apps)
    returned, fastapi_own, *peers = rates
    rows = []
    for name, peer in zip(installed, peers, strict=True):
        rows.append(
            paired(
                f"http peers: Err route vs {name}",
                returned,
                peer,
                ">= 1.0",
                higher_is_better=True,
                unit="responses/s",
            )
        )
        rows.append(
            paired(
                f"http peers: {name} vs FastAPI HTTPException",
                peer,
                fastapi_own,
                "-",
                higher_is_better=True,
                unit="responses/s",
            )
        )
    return rows
