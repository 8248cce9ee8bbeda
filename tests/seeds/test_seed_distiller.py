"""Seed 000 (Distiller client): the document's examples, run with only their imports changed.

``AsyncAIRefinery`` is a stand-in for the document's own client: its calls
raise whatever exception a test gives it.
"""

# ruff: noqa: D103, E402, I001  # the document's code keeps its imports, names and placement
# mypy: disable-error-code="no-untyped-def, no-untyped-call"

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from http import HTTPStatus

import pytest

import railguard.families.distiller as distiller_module


class _Session:
    def __init__(self, error: BaseException | None) -> None:
        self._error = error

    async def query(self, *, query: str) -> str:
        if self._error is not None:
            raise self._error
        return f"answer to {query}"


class _Distiller:
    """``client.distiller``: callable (a session) and with ``create_project``."""

    error: BaseException | None = None

    @contextlib.asynccontextmanager
    async def __call__(self, *, project: str, uuid: str) -> AsyncIterator[_Session]:
        yield _Session(self.error)

    def create_project(self, *, project: str, config_path: str) -> None:
        if self.error is not None:
            raise self.error


class AsyncAIRefinery:
    """Stand-in for ``air.AsyncAIRefinery``."""

    def __init__(self, *, api_key: str) -> None:
        self.distiller = _Distiller()


# --- example 1: robust connection handling (only the imports changed) -----------------
# fmt: off

from railguard.families.distiller import (  # was: from air.distiller.exceptions import (
    UserAlreadyConnectedError,
    ConnectionTimeoutError,
    ConnectionError,
)

client = AsyncAIRefinery(api_key="...")


async def connect_session():
    try:
        async with client.distiller(project="my_agent", uuid="user_123") as dc:
            await dc.query(query="Hello Agent")
    except UserAlreadyConnectedError as e:
        print(f"Session Conflict: {e.message}")
        print("Please close your other tab or wait a moment.")
    except ConnectionTimeoutError as e:
        print(f"Connection timed out. Last ping received: {e.extra.get('last_ping')}")
        print("Attempting reconnection...")
        # Add logic to retry connection
    except ConnectionError as e:
        print(f"Network error ({e.status}): {e.message}")

# fmt: on


# --- tests -----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_user_conflict_branch(capsys: pytest.CaptureFixture[str]) -> None:
    """A UUID conflict lands in the conflict branch with its message."""
    client.distiller.error = UserAlreadyConnectedError("uuid user_123 is active elsewhere")
    await connect_session()
    assert capsys.readouterr().out == (
        "Session Conflict: uuid user_123 is active elsewhere\n"
        "Please close your other tab or wait a moment.\n"
    )


@pytest.mark.anyio
async def test_timeout_branch_reads_extra(capsys: pytest.CaptureFixture[str]) -> None:
    """A timeout lands in the timeout branch; ``extra['last_ping']`` is readable."""
    client.distiller.error = ConnectionTimeoutError("no ping", extra={"last_ping": "12:00:03"})
    await connect_session()
    out = capsys.readouterr().out
    assert out == "Connection timed out. Last ping received: 12:00:03\nAttempting reconnection...\n"


@pytest.mark.anyio
async def test_other_connection_errors_land_in_the_base_branch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A closed connection is a ``ConnectionError``; the status prints as 503."""
    client.distiller.error = distiller_module.ConnectionClosedError("socket closed")
    await connect_session()
    assert capsys.readouterr().out == f"Network error ({HTTPStatus(503)}): socket closed\n"


@pytest.mark.anyio
async def test_success_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """Without an error the example does nothing visible."""
    client.distiller.error = None
    await connect_session()
    assert capsys.readouterr().out == ""


# --- example 2: debugging with extra info (only the import changed) --------------------


def test_project_creation_extra(capsys: pytest.CaptureFixture[str]) -> None:
    """``extra`` gives the server's status code and message without parsing the text."""
    client.distiller.error = distiller_module.ProjectCreationError(
        "Project creation failed",
        extra={"status_code": 422, "error_message": "invalid name", "project": "p@@"},
    )

    # fmt: off
    from railguard.families.distiller import ProjectCreationError  # was: air.distiller.exceptions

    try:
        client.distiller.create_project(
            project="invalid_project_name@@",
            config_path="config.yaml"
        )
    except ProjectCreationError as e:
        print("Creation Failed!")
        # Access structured data for logging
        print(f"Server responded with: {e.extra.get('status_code')}")
        print(f"Server error message: {e.extra.get('error_message')}")
    # fmt: on

    assert capsys.readouterr().out == (
        "Creation Failed!\nServer responded with: 422\nServer error message: invalid name\n"
    )
