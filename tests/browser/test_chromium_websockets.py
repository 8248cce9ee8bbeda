"""Headless Chromium as the WebSocket client: what a browser receives from railguard servers.

The page (`page.html`) opens a WebSocket per case to a FastAPI app with ``install()``
or to a ``websockets`` server with railguard's handlers, and writes every frame and
CloseEvent it got into the DOM; Chromium's ``--dump-dom`` hands the DOM back.
``make browser-check`` installs Chromium when missing and runs only this module.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Any, Final

import pytest
from websockets.asyncio.server import Server, serve

from railguard import (
    AuthenticationFailure,
    Category,
    ConflictFailure,
    Failure,
    InternalFailure,
    NotFoundFailure,
    RateLimitFailure,
)
from railguard.families import bridge
from railguard.websocket import close_code, close_reason, decode_frame, from_close
from tests.integration._loop import loop_thread
from tests.integration.servers import running_uvicorn

from .servers import SECRET, Seen, build_app, lib_handler, refusing

CHROMIUM: Final = shutil.which(os.environ.get("CHROMIUM", "chromium"))
BROWSER_TIMEOUT: Final = 120.0
"""Seconds Chromium may take for the whole page (each case is capped at 8 s by the page)."""

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="headless Chromium is not installed (apt-get install chromium; "
        "`make browser-check` does it)",
    ),
]

SEAT_TAKEN: Final = ConflictFailure(message="seat taken")
DEEP: Final = "[" * 5000


@dataclass(frozen=True)
class Case:
    """One WebSocket the page opens, and what the browser must see on it."""

    name: str
    url: str  # a path on the FastAPI app, or lib:<path> on the websockets server
    frames: tuple[Failure | type[Failure], ...]  # a class: any failure of it
    code: int
    send: tuple[str, ...] = ("hello",)
    close: tuple[int, str] | None = None  # the browser closes with these

    def for_page(self, lib: str) -> dict[str, object]:
        """The case as the page reads it."""
        url = lib + self.url[4:] if self.url.startswith("lib:") else self.url
        return {"name": self.name, "url": url, "send": list(self.send), "close": self.close}


CASES: Final = (
    Case("raised family exception", "/ws/family", (NotFoundFailure(message="no session 1"),), 4404),
    Case(
        "returned Err, recoverable then fatal",
        "/ws/returned",
        (SEAT_TAKEN, AuthenticationFailure(message="token expired")),
        4401,
        send=("take", "login"),
    ),
    Case("secret-bearing ValueError", "/ws/secret", (InternalFailure(),), 1011),
    Case(
        "malformed input, bridge flow",
        "/ws/bridge",
        (
            bridge.InvalidJSONFailure,
            bridge.InvalidJSONFailure,
            bridge.ValidationFailure(),
            bridge.AuthenticationFailure(message="Invalid token"),
        ),
        4401,
        send=("{not json", DEEP, '{"type": "secret"}', '{"type": "bye"}'),
    ),
    Case("FastAPI parameter validation", "/ws/items?count=many", (Failure,), 4400),
    Case(
        "close with a reason",
        "/ws/limited",
        (RateLimitFailure(message="slow down", retry_after=30),),
        4429,
        send=(),
    ),
    Case(
        "the browser closes with a reason",
        "/ws/listen",
        (),
        4409,
        send=(),
        close=(4409, close_reason(SEAT_TAKEN)),
    ),
    Case(
        "websockets: raised bridge exception",
        "lib:/denied",
        (bridge.AuthorizationFailure(message="Admin privileges required"),),
        4403,
    ),
    Case("websockets: secret-bearing exception", "lib:/secret", (InternalFailure(),), 1011),
    Case(
        "websockets: malformed input, bridge flow",
        "lib:/bridge",
        (bridge.InvalidJSONFailure, bridge.AuthenticationFailure(message="Invalid token")),
        4401,
        send=("{not json", '{"type": "bye"}'),
    ),
    # a refused handshake: browsers show scripts neither the status nor the body
    Case("websockets: handshake refused", "lib:/refused", (), 1006, send=()),
)


@dataclass(frozen=True)
class Run:
    """What one Chromium run saw, by case name, with the DOM and the servers' observations."""

    results: dict[str, dict[str, Any]]
    dom: str
    seen: Seen


def dump_dom(url: str) -> str:
    """Load ``url`` in headless Chromium; return the DOM once the page has loaded."""
    assert CHROMIUM is not None  # the module skips otherwise
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(  # noqa: S603  # a fixed command line
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--virtual-time-budget=10000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=BROWSER_TIMEOUT,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited with {done.returncode}: {done.stderr[-2000:]}")
    return done.stdout


async def _serve_lib() -> Server:
    return await serve(lib_handler, "127.0.0.1", 0, process_request=refusing)


@pytest.fixture(scope="module")
def run() -> Run:
    """Serve both servers on 127.0.0.1, let Chromium run every case once."""
    seen = Seen()
    with loop_thread() as loop:
        lib = loop.run(_serve_lib())
        try:
            lib_url = f"ws://127.0.0.1:{lib.sockets[0].getsockname()[1]}"
            app = build_app([case.for_page(lib_url) for case in CASES], seen)
            with running_uvicorn(app) as url:
                dom = dump_dom(url + "/")
        finally:
            lib.close()
            loop.run(lib.wait_closed())
    found = re.search(r'<pre id="results">(.*?)</pre>', dom, re.DOTALL)
    assert found is not None, dom[-2000:]
    results = json.loads(html.unescape(found.group(1)))
    return Run({result["name"]: result for result in results}, dom, seen)


def _matches(failure: Failure, expected: Failure | type[Failure]) -> bool:
    if isinstance(expected, type):
        return isinstance(failure, expected)
    return failure == expected


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_the_browser_gets_each_frame_and_close(run: Run, case: Case) -> None:
    """Every frame decodes to its failure; the CloseEvent has the mapped code and reason."""
    seen = run.results[case.name]
    assert not seen["timeout"], seen
    frames = [decode_frame(frame) for frame in seen["frames"]]
    assert len(frames) == len(case.frames), seen
    for failure, expected in zip(frames, case.frames, strict=True):
        assert _matches(failure, expected), (failure, expected)
    assert seen["close"]["code"] == case.code, seen
    if frames:  # the close names the last failure, as close_code/close_reason say
        last = frames[-1]
        assert (seen["close"]["code"], seen["close"]["reason"]) == (
            close_code(last),
            close_reason(last),
        )
        assert from_close(seen["close"]["code"], seen["close"]["reason"]).category is (
            last.category
        )
    assert seen["close"]["clean"] is (case.code != 1006)


def test_fastapi_validation_reaches_the_browser_as_a_frame(run: Run) -> None:
    """FastAPI's own validation of a WebSocket route reaches the browser as a 400 frame."""
    (frame,) = run.results["FastAPI parameter validation"]["frames"]
    failure = decode_frame(frame)
    assert failure.status == 400
    assert failure.category is Category.VALIDATION


def test_fastapi_validation_frame_names_the_declared_parameter(run: Run) -> None:
    """The validation frame's location names the route's declared parameter, as over HTTP."""
    (frame,) = run.results["FastAPI parameter validation"]["frames"]
    assert json.loads(frame)["failures"][0]["loc"] == ["query", "count"]


def test_the_server_reads_the_browsers_close(run: Run) -> None:
    """A close the browser sends with a code and reason is read back as that failure."""
    assert run.seen.closes == [SEAT_TAKEN]


def test_no_secret_reaches_the_browser(run: Run) -> None:
    """Nothing of a secret-bearing exception is in any frame, reason or the page."""
    assert SECRET not in run.dom
    assert len(run.results) == len(CASES)
