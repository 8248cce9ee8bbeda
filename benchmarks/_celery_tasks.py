"""The tasks `bench_celery` runs on a real worker: one returns ``Err``, one raises the exception."""

from __future__ import annotations

import os

from celery import Celery

from railguard import Err, Result
from railguard.families.agents import AgentNotFoundException, AgentNotFoundFailure
from railguard.integrations.celery import result_task

app = Celery("railguard_bench")


def configure(url: str) -> None:
    """Broker and backend on ``url``, JSON only (the defaults of a modern Celery)."""
    app.conf.update(
        broker_url=url,
        result_backend=url,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
    )


if "RAILGUARD_CELERY_URL" in os.environ:  # the worker process
    configure(os.environ["RAILGUARD_CELERY_URL"])


@result_task(app, idempotent=False, name="bench.returns_err")
def returns_err(agent_id: str) -> Result[str, AgentNotFoundFailure]:
    """railguard: the failure is returned, stored as its record."""
    return Err(AgentNotFoundFailure(message=f"Agent {agent_id} not found"))


@app.task(name="bench.raises")
def raises(agent_id: str) -> str:
    """The peer: the paired exception raised, stored by Celery's own exception handling."""
    raise AgentNotFoundException(f"Agent {agent_id} not found")
