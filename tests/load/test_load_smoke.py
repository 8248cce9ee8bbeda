"""The load test, small: a few hundred requests and messages, so that ``make load`` cannot rot."""

from __future__ import annotations

import json

import httpx
import pytest

from railguard import NotFoundFailure
from railguard.http import encode
from railguard.websocket import encode_frame

from .cases import HTTP_CASES, SECRET
from .figures import Memory, Tally
from .http_flood import check
from .run import Settings, main, verdict
from .ws_flood import script

pytestmark = pytest.mark.integration

RETURNED = next(case for case in HTTP_CASES if case.name == "returned")


def _answer(rid: str, *, echoed: str | None = None, message: str | None = None) -> httpx.Response:
    error = encode(NotFoundFailure(message=message or f"no item {rid}"), style="agents")
    headers = {**dict(error.headers), "x-request-id": echoed or rid}
    return httpx.Response(error.status, headers=headers, content=error.body)


def test_a_short_run_passes_and_reports_its_figures(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """300 requests and 8 connections x 40 messages: all answered right, figures printed."""
    for name, value in {
        "LOAD_SECONDS": "30",
        "LOAD_REQUESTS": "300",
        "LOAD_CONCURRENCY": "16",
        "LOAD_WS_CONNECTIONS": "8",
        "LOAD_WS_MESSAGES": "40",
    }.items():
        monkeypatch.setenv(name, value)
    assert main() == 0
    report = capsys.readouterr().out
    assert "answered right          300" in report
    assert "answered right          320" in report
    assert report.count("lost                      0") == 2
    assert report.rstrip().endswith("passed")


def test_the_http_check_tells_mixed_wrong_and_leaking_answers_apart() -> None:
    """An answer for another request is mixed; a wrong message is wrong; a secret is caught."""
    rid, other = "h00000001", "h00000002"
    assert check("agents", RETURNED, rid, _answer(rid))[0] == "ok"
    assert check("agents", RETURNED, rid, _answer(other, echoed=other))[0] == "mixed"
    assert check("agents", RETURNED, rid, _answer(rid, echoed=other))[0] == "mixed"
    assert check("agents", RETURNED, rid, _answer(rid, message="no item"))[0] == "wrong"
    assert check("agents", RETURNED, rid, _answer(rid, message=SECRET))[0] == "secret"


def test_the_websocket_check_tells_mixed_and_wrong_answers_apart() -> None:
    """Each message's answer must be its own: another message's answer is mixed."""
    first, second = script(0, 3)[:2]  # an echo, then a returned NotFoundFailure
    assert first.check(json.dumps({"id": first.rid}))[0] == "ok"
    assert second.check(encode_frame(NotFoundFailure(message=f"no item {second.rid}")))[0] == "ok"
    assert second.check(json.dumps({"id": first.rid}))[0] == "mixed"
    assert second.check('{"type": "error"}')[0] == "wrong"


def test_the_verdict_fails_on_loss_or_growth() -> None:
    """A lost answer, or growth over the bound, fails the run."""
    settings = Settings(max_growth_mib=1.0)
    fine = Tally("flood", 1, answered=1, ok=1, memory=Memory(before=1024, after=1024))
    lost = Tally("flood", 1, answered=1, ok=1, lost=1, memory=Memory(before=1024, after=1024))
    grown = Tally("flood", 1, answered=1, ok=1, memory=Memory(before=1024, after=4096))
    assert verdict((fine,), settings) == []
    assert verdict((lost,), settings) != []
    assert verdict((grown,), settings) != []
