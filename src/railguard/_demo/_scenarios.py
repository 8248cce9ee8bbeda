"""The demo's live calls; each becomes a `Step`: logic, wire, client and retry, side by side."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import attrs
import httpx
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from railguard import Err as ErrCase
from railguard import Failure, Recovery, Result, cases
from railguard import Ok as OkCase
from railguard.integrations.httpx import from_response
from railguard.retry import LOGGER_NAME, RetryPolicy, retry
from railguard.websocket import decode_frame, from_close

__all__ = ["RETRY_WORDS", "Step", "http_steps", "listening", "retry_steps", "websocket_steps"]

RETRY_WORDS = {
    Recovery.DONT_RETRY: "stop: the same call would fail the same way",
    Recovery.BACKOFF: "retry the same call, waiting longer each time (backoff)",
    Recovery.AFTER_HINT: "retry after the server's Retry-After hint",
    Recovery.REGENERATE: "retry with new input built from the failure",
    Recovery.RECONNECT: "reconnect, then retry",
    Recovery.ESCALATE: "stop: a person must act",
}
"""What each recovery strategy asks of a caller, in words."""

_SHOWN_HEADERS = ("content-type", "retry-after", "x-request-id")


@attrs.frozen
class Step:
    """One call: what each of the four parties saw."""

    call: str
    logic: str
    wire: str
    client: str
    retry: str
    code: str = "-"
    note: str = ""


def short(failure: Failure) -> str:
    """``AgentNotFoundFailure(code='AGENT_NOT_FOUND', message='...')``."""
    return f"{type(failure).__name__}(code={failure.code!r}, message={failure.message!r})"


def decided(failure: Failure) -> str:
    """The failure's own retry semantics, in words."""
    words = RETRY_WORDS[failure.retry.recovery]
    hint = failure.retry.after
    return f"{failure.retry.recovery.value}: {words}" + (f" ({hint:g} s)" if hint else "")


def _wire(response: httpx.Response) -> str:
    lines = [f"{response.http_version} {response.status_code} {response.reason_phrase}"]
    lines += [
        f"{name}: {response.headers[name]}" for name in _SHOWN_HEADERS if name in response.headers
    ]
    return "\n".join([*lines, "", _pretty(response.text)])


def _pretty(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


def _http_step(call: str, logic: str, response: httpx.Response, note: str = "") -> Step:
    result = from_response(response)
    match cases(result):
        case OkCase(ok):
            return Step(call, logic, _wire(ok), f"Ok(response): {ok.json()}", "nothing to retry")
        case ErrCase(failure):
            return Step(
                call, logic, _wire(response), short(failure), decided(failure), failure.code, note
            )


TWO_CODES = (
    "Two codes: AGENT_NOT_FOUND is this failure's own stable code (errors[].type); the "
    "top-level `code` NOT_FOUND is the generic name of the HTTP status, as the agents "
    "document's envelope specifies, for clients that only understand HTTP."
)
GENERIC = (
    "A generic code (INTERNAL) stands in for anything unexpected: the exception and its "
    "secret stay in the server's log; the client gets a sanitized 500."
)


def http_steps(raw: httpx.Client) -> list[Step]:
    """The HTTP calls: success, a returned Err, a raised exception, a bug, bad input."""
    return [
        _http_step("GET /agents/a1", "Ok({'id': 'a1', 'name': 'planner'})", raw.get("/agents/a1")),
        _http_step(
            "GET /agents/zz",
            "Err(AgentNotFoundFailure(message='Agent with identifier zz not found.'))",
            raw.get("/agents/zz"),
            TWO_CODES,
        ),
        _http_step(
            "POST /agents/a1/run",
            "raised AgentRateLimitError(service_name='llm', retry_after='2')",
            raw.post("/agents/a1/run"),
        ),
        _http_step(
            "GET /boom",
            "raised RuntimeError(...) whose message holds a database password",
            raw.get("/boom"),
            GENERIC,
        ),
        _http_step(
            "GET /square?n=abc",
            "never ran: FastAPI's validation rejected n='abc' first",
            raw.get("/square", params={"n": "abc"}),
            "Validation answers 400 (FastAPI alone answers 422); `message` replaces `detail`.",
        ),
    ]


class Lines(logging.Handler):
    """Keeps each record's message (never its traceback)."""

    def __init__(self, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def listening(name: str, *, propagate: bool = True, level: int = logging.INFO) -> Iterator[Lines]:
    """While the block runs, enable logger ``name`` at INFO; keep its lines from ``level``."""
    logger = logging.getLogger(name)
    handler, old, was_propagating = Lines(level), logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = propagate
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
        logger.propagate = was_propagating


def _retried(call: str, send: Callable[[], httpx.Response], *, idempotent: bool) -> list[Step]:
    responses: list[httpx.Response] = []
    decoded: list[Result[httpx.Response, Failure]] = []  # each response decoded (and logged) once

    def attempt() -> Result[httpx.Response, Failure]:
        responses.append(send())
        decoded.append(from_response(responses[-1]))
        return decoded[-1]

    policy = RetryPolicy(wait_initial=0.05, wait_jitter=0.0)
    with listening(LOGGER_NAME) as decisions:
        outcome = retry(attempt, idempotent=idempotent, policy=policy)
    steps = []
    for number, (response, result) in enumerate(zip(responses, decoded, strict=True), start=1):
        decision = decisions.lines[number - 1] if number <= len(decisions.lines) else "done: Ok"
        steps.append(
            Step(
                f"{call} #{number}",
                "-",
                _wire(response),
                short(result.failure()) if response.is_error else "Ok(response)",
                decision,
                result.failure().code if response.is_error else "-",
            )
        )
    match cases(outcome):
        case OkCase(response):
            final = f"Ok after {len(responses)} attempts: {response.json()}"
        case ErrCase(failure):
            final = f"Err: {short(failure)}"
    return (
        [attrs.evolve(steps[-1], note=f"retry(...) returned {final}")]
        if len(steps) == 1
        else [
            *steps[:-1],
            attrs.evolve(steps[-1], note=f"retry(...) returned {final}"),
        ]
    )


def retry_steps(raw: httpx.Client) -> list[Step]:
    """``railguard.retry`` on a flaky idempotent GET and on a non-idempotent POST."""
    return [
        *_retried("GET /flaky", lambda: raw.get("/flaky"), idempotent=True),
        *_retried("POST /agents/a1/run", lambda: raw.post("/agents/a1/run"), idempotent=False),
    ]


def websocket_steps(base_url: str) -> list[Step]:
    """A live session: ping, a bad tool (answered, goes on), a full server (fatal: closed)."""
    steps = []
    with connect(base_url.replace("http://", "ws://") + "/ws", open_timeout=5) as ws:
        ws.send(json.dumps({"type": "ping"}))
        steps.append(
            Step("send ping", "answered pong", str(ws.recv(timeout=5)), "a normal message", "-")
        )
        ws.send(json.dumps({"type": "run", "tool": "dance"}))
        frame = str(ws.recv(timeout=5))
        failure = decode_frame(frame)
        steps.append(
            Step(
                "send run tool=dance",
                "sent encode_frame(InvalidToolNameFailure(tool_name='dance', ...))",
                _pretty(frame),
                f"{short(failure)}, fatal={failure.fatal}",
                decided(failure),
                failure.code,
                "Not fatal: the session goes on.",
            )
        )
        ws.send(json.dumps({"type": "ping"}))
        steps.append(Step("send ping", "answered pong", str(ws.recv(timeout=5)), "still open", "-"))
        ws.send(json.dumps({"type": "run", "tool": "search"}))
        frame = str(ws.recv(timeout=5))
        try:
            ws.recv(timeout=5)
            closed = "(no close)"
            after = None
        except ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd is not None else None
            reason = exc.rcvd.reason if exc.rcvd is not None else ""
            closed = f"close {code} {reason!r}"
            after = from_close(code, reason)
        failure = decode_frame(frame)
        steps.append(
            Step(
                "send run tool=search",
                "raised MaxConnectionsError(current=100, max_connections=100)",
                f"{_pretty(frame)}\n{closed}",
                f"{short(failure)}, fatal={failure.fatal}"
                + (f"; the close alone decodes to {after.code}" if after is not None else ""),
                decided(failure),
                failure.code,
                "Fatal: the error frame, then the close code (4000 + HTTP status).",
            )
        )
    return steps
