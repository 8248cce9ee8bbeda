"""railguard.retry against a real loopback HTTP server (uvicorn), through the httpx integration."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from railguard import InfrastructureFailure, Ok, RateLimitFailure
from railguard.integrations.httpx import wrap
from railguard.retry import FakeClock, RetryExhaustedFailure, RetryPolicy, retry, retry_async

from .servers import running_uvicorn

pytestmark = pytest.mark.integration


class Flaky:
    """An ASGI app answering with the scripted (status, headers) in order, then 200."""

    def __init__(self, *script: tuple[int, list[tuple[bytes, bytes]]]) -> None:
        self.script = list(script)
        self.requests = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one HTTP request."""
        assert scope["type"] == "http"
        self.requests += 1
        status, headers = self.script.pop(0) if self.script else (200, [])
        body = b'{"ok": true}' if status == 200 else b'{"code": "BUSY"}'
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *headers],
            }
        )
        await send({"type": "http.response.body", "body": body})


@pytest.fixture
def unavailable_twice() -> Iterator[tuple[str, Flaky]]:
    """A server answering 503, 503, then 200."""
    app = Flaky((503, []), (503, []))
    with running_uvicorn(app) as url:
        yield url, app


@pytest.fixture
def rate_limited_once() -> Iterator[tuple[str, Flaky]]:
    """A server answering 429 with Retry-After: 1, then 200."""
    app = Flaky((429, [(b"retry-after", b"1")]))
    with running_uvicorn(app) as url:
        yield url, app


def test_503_twice_then_200_is_retried_to_success(unavailable_twice: tuple[str, Flaky]) -> None:
    """Two 503 answers are backed off and the third request succeeds."""
    url, app = unavailable_twice
    clock = FakeClock()
    with wrap(httpx.Client(base_url=url)) as api:
        result = retry(
            lambda: api.get("/items/1"), idempotent=True, policy=RetryPolicy(clock=clock)
        )
    assert isinstance(result, Ok)
    assert result.unwrap().json() == {"ok": True}
    assert app.requests == 3
    assert len(clock.sleeps) == 2


@pytest.mark.anyio
async def test_503_twice_then_200_async(unavailable_twice: tuple[str, Flaky]) -> None:
    """The same through httpx.AsyncClient and retry_async."""
    url, app = unavailable_twice
    clock = FakeClock()
    async with wrap(httpx.AsyncClient(base_url=url)) as api:
        result = await retry_async(
            lambda: api.get("/items/1"), idempotent=True, policy=RetryPolicy(clock=clock)
        )
    assert isinstance(result, Ok)
    assert app.requests == 3


def test_post_without_idempotency_key_is_not_retried(unavailable_twice: tuple[str, Flaky]) -> None:
    """A POST without an Idempotency-Key gets its 503 back after one request."""
    url, app = unavailable_twice
    with wrap(httpx.Client(base_url=url)) as api:
        result = retry(
            lambda: api.post("/runs", json={}),
            idempotent=False,
            policy=RetryPolicy(clock=FakeClock()),
        )
    assert isinstance(result.failure(), InfrastructureFailure)
    assert app.requests == 1


def test_post_with_idempotency_key_is_retried(unavailable_twice: tuple[str, Flaky]) -> None:
    """A POST that sends an Idempotency-Key is retried to success."""
    url, app = unavailable_twice
    key = "run-7f3a"
    with wrap(httpx.Client(base_url=url)) as api:
        result = retry(
            lambda: api.post("/runs", json={}, headers={"Idempotency-Key": key}),
            idempotent=False,
            idempotency_key=key,
            policy=RetryPolicy(clock=FakeClock()),
        )
    assert isinstance(result, Ok)
    assert app.requests == 3


def test_429_retry_after_is_waited_out_on_a_fake_clock(
    rate_limited_once: tuple[str, Flaky],
) -> None:
    """A 429 with Retry-After: 1 sleeps exactly 1 s (fake clock), then succeeds."""
    url, app = rate_limited_once
    clock = FakeClock()
    with wrap(httpx.Client(base_url=url)) as api:
        policy = RetryPolicy(clock=clock)
        result = retry(lambda: api.get("/quota"), idempotent=True, policy=policy)
    assert isinstance(result, Ok)
    assert clock.sleeps == [1.0]
    assert app.requests == 2


def test_429_retry_after_is_waited_out_for_real(rate_limited_once: tuple[str, Flaky]) -> None:
    """With the system clock, the retry really waits about the server's 1 s."""
    url, app = rate_limited_once
    with wrap(httpx.Client(base_url=url)) as api:
        started = time.monotonic()
        result = retry(lambda: api.get("/quota"), idempotent=True)
        waited = time.monotonic() - started
    assert isinstance(result, Ok)
    assert app.requests == 2
    assert 1.0 <= waited < 5.0


def test_503_forever_is_exhausted_with_every_answer_kept() -> None:
    """A server that stays unavailable exhausts the policy; each 503 is in the chain."""
    app = Flaky(*[(503, [])] * 10)
    with running_uvicorn(app) as url, wrap(httpx.Client(base_url=url)) as api:
        result = retry(
            lambda: api.get("/items/1"),
            idempotent=True,
            policy=RetryPolicy(clock=FakeClock(), attempts=3),
            operation="get_item",
        )
    exhausted = result.failure()
    assert isinstance(exhausted, RetryExhaustedFailure)
    assert [type(f) for f in exhausted.failures] == [InfrastructureFailure] * 3
    assert exhausted.error_chain[0].startswith("INFRASTRUCTURE: ")
    assert app.requests == 3


def test_429_hint_is_kept_on_the_failure(rate_limited_once: tuple[str, Flaky]) -> None:
    """The integration carries Retry-After into the failure the retry reads."""
    url, _ = rate_limited_once
    with wrap(httpx.Client(base_url=url)) as api:
        first = api.get("/quota")
    failure = first.failure()
    assert isinstance(failure, RateLimitFailure)
    assert failure.retry.after == 1.0
