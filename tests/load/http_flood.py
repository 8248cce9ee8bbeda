"""The HTTP flood: a real httpx ``AsyncClient`` against the load server, every answer checked."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import time
from typing import Final

import attrs
import httpx

from railguard import Category, Failure, FailureGroup
from railguard.families.kneo import KneoFailure
from railguard.http import Style, decode

from .cases import HTTP_CASES, SECRET, STYLES, HttpCase
from .figures import Tally, Verdict, foreign_ids, watching
from .server import Server

REQUEST_TIMEOUT: Final = 30.0
"""A request without an answer by then is lost."""

RID: Final = re.compile(r"h\d{8}")
"""A request's id: ``h`` and eight digits, in its path, ``X-Request-ID`` and answer."""

POOL: Final = 8
"""Connections per ``AsyncClient``: the workers share ``concurrency / POOL`` clients.

One client with a pool of 64 connections costs the client about three times the CPU
per request of eight clients with eight each (httpcore scans its pool on every
request), and the client, not the server, became what was measured.
"""

PLAN: Final[tuple[tuple[Style, HttpCase], ...]] = tuple(itertools.product(STYLES, HTTP_CASES))
"""Request ``i`` is ``PLAN[i % len(PLAN)]``: every style and case, round robin."""


def rid_of(i: int) -> str:
    """The id of request ``i``."""
    return f"h{i:08d}"


def path_of(style: Style, case: HttpCase, rid: str) -> str:
    """The path of one request."""
    return f"/{style}/{case.name}/{rid}{case.query}"


def check(style: Style, case: HttpCase, rid: str, response: httpx.Response) -> tuple[Verdict, str]:
    """Judge one answer: the request's own id, status, envelope (decoded with railguard)."""
    where = f"{path_of(style, case, rid)} -> {response.status_code}"
    text = response.text
    if SECRET in text or SECRET in str(response.headers):
        return "secret", where
    echoed = response.headers.get("x-request-id", "")
    others = foreign_ids(text, rid, RID) | foreign_ids(echoed, rid, RID)
    if others or echoed != rid:
        return "mixed", f"{where}: carries {sorted(others) or echoed!r}"
    if response.status_code != case.status:
        return "wrong", f"{where}: expected {case.status}: {text[:200]}"
    return _content(style, case, rid, response, where)


def _content(
    style: Style, case: HttpCase, rid: str, response: httpx.Response, where: str
) -> tuple[Verdict, str]:
    if case.failure is None and case.status == 200:
        return ("ok", where) if response.json() == {"id": rid} else ("wrong", response.text)
    failure = decode(response.status_code, response.headers, response.content, style=style)
    if case.failure is None:  # the validation case
        return _validation(failure, where)
    expected = case.failure(rid)
    if style != "agents" and isinstance(expected, KneoFailure):
        # a failure's own top-level ``request_id`` (kneo's) is the answer's id there
        expected = attrs.evolve(expected, request_id=rid)
    if failure != expected:
        return "wrong", f"{where}: decoded {failure!r}, expected {expected!r}"
    return "ok", where


def _validation(failure: Failure, where: str) -> tuple[Verdict, str]:
    items = failure.failures if isinstance(failure, FailureGroup) else (failure,)
    if failure.status == 400 and all(f.category is Category.VALIDATION for f in items):
        return "ok", where
    return "wrong", f"{where}: decoded {failure!r}"


async def _one(client: httpx.AsyncClient, i: int, tally: Tally) -> None:
    style, case = PLAN[i % len(PLAN)]
    rid = rid_of(i)
    tally.sent += 1
    try:
        response = await client.get(path_of(style, case, rid), headers={"X-Request-ID": rid})
    except httpx.HTTPError as exc:
        tally.lose(1, f"{path_of(style, case, rid)}: {exc!r}")
        return
    try:
        verdict = check(style, case, rid, response)
    except Exception as exc:  # an answer the check cannot even read is wrong
        verdict = ("wrong", f"{path_of(style, case, rid)}: {exc!r}")
    tally.count(*verdict)


async def run_http(
    server: Server, *, concurrency: int, requests: int, seconds: float, settle: float = 1.0
) -> Tally:
    """Send up to ``requests`` requests (or for ``seconds``), ``concurrency`` at a time."""
    tally = Tally("HTTP flood", concurrency)
    numbers = itertools.count()
    pool = min(POOL, concurrency)
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool)
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(
                httpx.AsyncClient(base_url=server.url, limits=limits, timeout=REQUEST_TIMEOUT)
            )
            for _ in range(-(-concurrency // pool))
        ]
        deadline = time.monotonic() + seconds

        async def worker(client: httpx.AsyncClient) -> None:
            for i in numbers:
                if i >= requests or time.monotonic() > deadline:
                    return
                await _one(client, i, tally)

        started = time.monotonic()
        async with watching(server.pid, tally, settle):
            await asyncio.gather(*(worker(clients[k % len(clients)]) for k in range(concurrency)))
            tally.seconds = time.monotonic() - started
    return tally
