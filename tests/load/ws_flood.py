"""The WebSocket flood: many ``websockets`` clients, each pipelining many messages.

Each connection sends ``messages`` messages without waiting (recoverable failures
of several kinds, echoes, and hostile input: not JSON, over the 1 MiB cap, nested
far past the depth cap), then a fatal one. Every message must get its own answer,
in order, then the close 4401 naming the connection's last message.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from railguard import Failure
from railguard.families.bridge import InvalidJSONFailure
from railguard.http import MAX_BODY_BYTES
from railguard.websocket import close_code, close_reason, decode_frame, from_close

from .cases import SECRET, WS_OPS, ws_bye
from .figures import Tally, Verdict, foreign_ids, watching
from .server import Server

CONNECTION_TIMEOUT: Final = 60.0
"""A connection not closed by the server by then has lost what it did not get."""

RID: Final = re.compile(r"c\d{6}m\d{5}")
"""A message's id: its connection and its place, in the message and in its answer."""

OPS: Final = tuple(WS_OPS)
HUGE: Final = MAX_BODY_BYTES + 64 * 1024
"""The size of the oversized message (sent once on every eighth connection)."""
DEEP: Final = "[" * 100_000
"""Nested far past the depth cap (and past Python's recursion limit)."""


@dataclass(frozen=True)
class Message:
    """One message to send and how to judge its answer."""

    text: str
    rid: str
    expect: Callable[[str], Failure] | None  # None: an echo of the id
    hostile: bool = False  # only "some InvalidJSONFailure" can be expected

    def check(self, answer: str | bytes) -> tuple[Verdict, str]:
        """Judge the answer this message got."""
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        where = f"{self.text[:60]!r} -> {text[:200]!r}"
        if SECRET in text:
            return "secret", where
        if foreign_ids(text, self.rid, RID):
            return "mixed", where
        if self.hostile:
            ok = isinstance(decode_frame(text), InvalidJSONFailure)
        elif self.expect is None:
            ok = text == json.dumps({"id": self.rid}, ensure_ascii=False)
        else:
            ok = decode_frame(text) == self.expect(self.rid)
        return ("ok" if ok else "wrong"), where


def script(connection: int, messages: int) -> list[Message]:
    """The messages of one connection: ``messages - 1`` recoverable ones, then the fatal one."""
    out: list[Message] = []
    for j in range(messages - 1):
        rid = f"c{connection:06d}m{j:05d}"
        if j % 25 == 11:
            out.append(Message(f'{{"op": "get", "id": "{rid}"', rid, None, hostile=True))
        elif j % 50 == 23:
            out.append(Message(DEEP, rid, None, hostile=True))
        elif j == 37 and connection % 8 == 0:
            padding = "x" * HUGE
            text = json.dumps({"op": "echo", "id": rid, "pad": padding})
            out.append(Message(text, rid, None, hostile=True))
        else:
            op = OPS[(j + connection) % len(OPS)]
            out.append(Message(json.dumps({"op": op, "id": rid}), rid, WS_OPS[op]))
    rid = f"c{connection:06d}m{messages - 1:05d}"
    out.append(Message(json.dumps({"op": "bye", "id": rid}), rid, ws_bye))
    return out


async def _connection(url: str, connection: int, messages: int, tally: Tally) -> None:
    plan = script(connection, messages)
    answers: list[str | bytes] = []
    tally.connections += 1
    try:
        async with (
            asyncio.timeout(CONNECTION_TIMEOUT),
            connect(
                url, max_size=None, compression=None, ping_interval=None, close_timeout=10
            ) as client,
        ):

            async def send_all() -> None:
                for message in plan:
                    tally.sent += 1
                    await client.send(message.text)

            async def receive_all() -> None:
                try:
                    async for answer in client:
                        answers.append(answer)
                except ConnectionClosed:
                    return

            await asyncio.gather(send_all(), receive_all())
            code, reason = client.close_code, client.close_reason or ""
    except (OSError, TimeoutError, WebSocketException) as exc:
        tally.lose(len(plan) - len(answers), f"connection {connection}: {exc!r}")
        return
    for message, answer in zip(plan, answers, strict=False):
        tally.count(*message.check(answer))
    if len(answers) != len(plan):
        tally.lose(len(plan) - len(answers), f"connection {connection}: {len(answers)} answers")
        return
    _check_close(plan[-1], code, reason, tally)


def _check_close(last: Message, code: int | None, reason: str, tally: Tally) -> None:
    fatal = ws_bye(last.rid)
    where = f"close {code} {reason!r}"
    if SECRET in reason:
        tally.count("secret", where)
    elif foreign_ids(reason, last.rid, RID):
        tally.count("mixed", where)
    elif (code, reason) != (close_code(fatal), close_reason(fatal)) or from_close(
        code, reason
    ) != fatal:
        tally.count("wrong", f"{where}, expected {close_code(fatal)} {close_reason(fatal)!r}")


async def run_ws(
    server: Server,
    *,
    concurrency: int,
    connections: int,
    messages: int,
    seconds: float,
    settle: float = 1.0,
) -> Tally:
    """Open up to ``connections`` connections (or for ``seconds``), ``concurrency`` at a time."""
    tally = Tally("WebSocket flood", concurrency)
    numbers = itertools.count()
    url = server.ws_url + "/ws/flood"
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        for c in numbers:
            if c >= connections or time.monotonic() > deadline:
                return
            await _connection(url, c, messages, tally)

    started = time.monotonic()
    async with watching(server.pid, tally, settle):
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        tally.seconds = time.monotonic() - started
    return tally
