"""Seed 002 (kneo-client): the document's examples, run with only their imports changed.

``client`` is a stand-in for the document's own client: each call raises the
exception ``from_response`` makes of a real, in-memory ``httpx.Response`` (or
of a real ``httpx`` transport error). Fragments that use ``await`` or
``return`` run inside an ``async def``.
"""

# ruff: noqa: D103, E402, F841, PLR0911, RET501  # the document's code, as written
# mypy: disable-error-code="no-untyped-def, no-untyped-call"

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from railguard.families import kneo

log = logging.getLogger("kneo-example")


class _Endpoint:
    """``client.platform.runs`` / ``client.platform.health``: every call does ``action()``."""

    def __init__(self) -> None:
        self.action: Callable[[], Any] = lambda: {"id": "run-1"}

    async def create(self, payload: object, *, idempotency_key: str | None = None) -> Any:
        return self.action()

    async def get(self, run_id: str) -> Any:
        return self.action()

    async def readyz(self) -> Any:
        return self.action()


class _Platform:
    def __init__(self) -> None:
        self.runs = _Endpoint()
        self.health = _Endpoint()


class _Client:
    def __init__(self) -> None:
        self.platform = _Platform()


client = _Client()
payload = {"spec": "demo"}
key = "idem-key-1"
processed: list[object] = []


def process(run: object) -> None:
    processed.append(run)


def _fails_with(response: httpx.Response, *, idempotency_key: str | None = None) -> None:
    def action() -> None:
        raise kneo.from_response(response, idempotency_key=idempotency_key)

    client.platform.runs.action = action
    client.platform.health.action = action


# --- "Catch broadly, log richly" ----------------------------------------------------------
# fmt: off

from railguard.families.kneo import KneoError  # was: from kneo_client.core.errors import KneoError


async def catch_broadly():
    try:
        run = await client.platform.runs.create(payload)
    except KneoError as exc:
        log.error(
            "create_run failed status=%s request_id=%s idempotency_key=%s body=%r",
            exc.status,
            exc.request_id,
            exc.idempotency_key,
            exc.body,
        )
        raise

# fmt: on


@pytest.mark.anyio
async def test_catch_broadly_logs_the_context(caplog: pytest.LogCaptureFixture) -> None:
    """The broad catch logs status, request id, idempotency key and body, then re-raises."""
    _fails_with(
        httpx.Response(422, headers={"X-Request-ID": "req-7"}, json={"detail": "bad spec"}),
        idempotency_key="k-1",
    )
    with caplog.at_level(logging.ERROR), pytest.raises(KneoError):
        await catch_broadly()
    assert caplog.messages == [
        "create_run failed status=422 request_id=req-7 idempotency_key=k-1 "
        "body={'detail': 'bad spec'}"
    ]


# --- "Branch on specific status" ----------------------------------------------------------
# fmt: off

from railguard.families.kneo import (  # was: from kneo_client.core.errors import (
    KneoAuthError,
    KneoNotFoundError,
    KneoRateLimited,
    KneoServerError,
)


async def branch_on_status(run_id):
    try:
        run = await client.platform.runs.get(run_id)
    except KneoAuthError:
        print("API key is missing, invalid, or revoked.")
        raise
    except KneoNotFoundError:
        print(f"run {run_id!r} does not exist.")
        return None
    except KneoRateLimited as exc:
        print(f"rate-limited; server suggests waiting {exc.retry_after}s")
        await asyncio.sleep(exc.retry_after or 10)
        raise
    except KneoServerError as exc:
        log.error("platform 5xx (after retries): %s", exc.body)
        raise

# fmt: on


@pytest.mark.anyio
async def test_branch_not_found_returns_none(capsys: pytest.CaptureFixture[str]) -> None:
    """A 404 prints the stale id and returns ``None``."""
    _fails_with(httpx.Response(404))
    assert await branch_on_status("r-9") is None
    assert capsys.readouterr().out == "run 'r-9' does not exist.\n"


@pytest.mark.anyio
async def test_branch_auth_reraises(capsys: pytest.CaptureFixture[str]) -> None:
    """A 401 prints the key message and re-raises ``KneoAuthError``."""
    _fails_with(httpx.Response(401))
    with pytest.raises(KneoAuthError):
        await branch_on_status("r-1")
    assert capsys.readouterr().out == "API key is missing, invalid, or revoked.\n"


@pytest.mark.anyio
async def test_branch_rate_limited_waits_the_hint(capsys: pytest.CaptureFixture[str]) -> None:
    """A 429 reads ``retry_after`` from the header, waits it, and re-raises."""
    _fails_with(httpx.Response(429, headers={"Retry-After": "0.01"}))
    with pytest.raises(KneoRateLimited):
        await branch_on_status("r-1")
    assert capsys.readouterr().out == "rate-limited; server suggests waiting 0.01s\n"


@pytest.mark.anyio
async def test_branch_server_error_logs_the_body(caplog: pytest.LogCaptureFixture) -> None:
    """A 503 logs the platform's body and re-raises ``KneoServerError``."""
    _fails_with(httpx.Response(503, text="maintenance"))
    with caplog.at_level(logging.ERROR), pytest.raises(KneoServerError):
        await branch_on_status("r-1")
    assert caplog.messages == ["platform 5xx (after retries): maintenance"]


# --- "Handle idempotency-key mismatches loudly" ---------------------------------------
# fmt: off

from railguard.families.kneo import KneoIdempotencyMismatchError  # was: kneo_client.core.errors


async def create_with_key():
    try:
        await client.platform.runs.create(payload, idempotency_key=key)
    except KneoIdempotencyMismatchError as exc:
        raise RuntimeError(
            f"Idempotency-Key {exc.idempotency_key!r} was reused with a different payload. "
            f"Either generate a new key for the new request or fix the payload drift."
        ) from exc

# fmt: on


@pytest.mark.anyio
async def test_idempotency_mismatch_is_surfaced() -> None:
    """A 409 on a keyed request is a mismatch, surfaced with the key."""
    _fails_with(httpx.Response(409, json={"detail": "payload differs"}), idempotency_key=key)
    with pytest.raises(RuntimeError, match="'idem-key-1' was reused") as caught:
        await create_with_key()
    assert isinstance(caught.value.__cause__, KneoIdempotencyMismatchError)


@pytest.mark.anyio
async def test_conflict_without_key_is_generic() -> None:
    """A 409 without a key is the generic conflict, not caught by the mismatch branch."""
    _fails_with(httpx.Response(409))
    with pytest.raises(kneo.KneoConflictError) as caught:
        await create_with_key()
    assert type(caught.value) is kneo.KneoConflictError


# --- "Don't catch successful-status branches" -----------------------------------------
# fmt: off


async def right_and_wrong():
    # Right
    try:
        run = await client.platform.runs.create(payload)
        process(run)
    except KneoError:
        ...

    # Wrong — runs.create never returns None / False on failure; it raises
    result = await client.platform.runs.create(payload)
    if result is None:  # never happens
        ...

# fmt: on


@pytest.mark.anyio
async def test_success_is_returned_not_raised() -> None:
    """On success the call returns the parsed model; the 'right' branch processes it."""
    client.platform.runs.action = lambda: {"id": "run-1"}
    processed.clear()
    await right_and_wrong()
    assert processed == [{"id": "run-1"}]


# --- "Transport errors specifically" --------------------------------------------------
# fmt: off

from railguard.families.kneo import KneoNetworkError  # was: kneo_client.core.errors


async def readyz():
    try:
        health = await client.platform.health.readyz()
    except KneoNetworkError as exc:
        print(f"could not reach the platform: {exc}")
        # Treat as a hard dependency outage; don't pretend the call succeeded.
        raise

# fmt: on


@pytest.mark.anyio
async def test_transport_error_keeps_the_httpx_cause(capsys: pytest.CaptureFixture[str]) -> None:
    """A connect failure is a ``KneoNetworkError`` whose ``__cause__`` is the httpx error."""
    error = httpx.ConnectError("[Errno 111] Connection refused")

    def action() -> None:
        raise kneo.from_http_error(error)

    client.platform.health.action = action
    with pytest.raises(KneoNetworkError) as caught:
        await readyz()
    assert caught.value.__cause__ is error
    assert capsys.readouterr().out == (
        "could not reach the platform: ConnectError: [Errno 111] Connection refused\n"
    )


def test_transport_logger_level() -> None:
    """The document's logging snippet runs."""
    # fmt: off
    import logging
    logging.getLogger("kneo_client.transport").setLevel(logging.INFO)
    # fmt: on
    assert logging.getLogger("kneo_client.transport").level == logging.INFO


# --- "Building error messages for users" ----------------------------------------------
# fmt: off

from railguard.families.kneo import KneoPermissionError  # was: kneo_client.core.errors


def user_message(exc: KneoError) -> str:
    if isinstance(exc, KneoAuthError):
        return "Your API key is invalid. Please check your credentials."
    if isinstance(exc, KneoPermissionError):
        return "You don't have permission to perform this action."
    if isinstance(exc, KneoNotFoundError):
        return "The requested item could not be found."
    if isinstance(exc, KneoRateLimited):
        wait = exc.retry_after or 60
        return f"Too many requests. Please try again in {int(wait)}s."
    if isinstance(exc, KneoServerError):
        return f"Server error (request {exc.request_id}). Please report this."
    if isinstance(exc, KneoNetworkError):
        return "Could not reach the server. Check your network connection."
    return f"Unexpected error: {exc}"

# fmt: on


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(401), "Your API key is invalid. Please check your credentials."),
        (httpx.Response(403), "You don't have permission to perform this action."),
        (httpx.Response(404), "The requested item could not be found."),
        (
            httpx.Response(429, headers={"Retry-After": "42"}),
            "Too many requests. Please try again in 42s.",
        ),
        (httpx.Response(429), "Too many requests. Please try again in 60s."),
        (
            httpx.Response(502, headers={"X-Request-ID": "req-3"}),
            "Server error (request req-3). Please report this.",
        ),
        (httpx.Response(418), "Unexpected error: HTTP 418 I'm a teapot"),
    ],
)
def test_user_messages(response: httpx.Response, message: str) -> None:
    """Each branch of the document's ``user_message`` is reached by its status."""
    assert user_message(kneo.from_response(response)) == message


def test_user_message_for_network_errors() -> None:
    """A network error gets the network message."""
    exc = kneo.from_http_error(httpx.ReadTimeout("timed out"))
    assert user_message(exc) == "Could not reach the server. Check your network connection."


# --- what every exception carries, and the reference --------------------------------


def test_documented_attributes_and_signatures() -> None:
    """``KneoError`` carries the documented attributes; the signatures match the reference."""
    assert {"status", "body", "request_id", "idempotency_key"} <= set(
        inspect.get_annotations(KneoError)
    )
    assert "retry_after" in inspect.get_annotations(KneoError)
    error_parameters = inspect.signature(KneoError).parameters
    assert list(error_parameters)[:5] == [
        "message",
        "status",
        "body",
        "request_id",
        "idempotency_key",
    ]
    assert all(
        error_parameters[n].kind is inspect.Parameter.KEYWORD_ONLY
        for n in list(error_parameters)[1:]
    )
    from_response_parameters = inspect.signature(kneo.from_response).parameters
    assert list(from_response_parameters) == ["response", "idempotency_key"]
    assert from_response_parameters["idempotency_key"].kind is inspect.Parameter.KEYWORD_ONLY
    assert issubclass(kneo.KneoIdempotencyMismatchError, kneo.KneoConflictError)
