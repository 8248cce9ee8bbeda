"""``railguard demo``: live calls over loopback, showing what each party saw.

A FastAPI app (``railguard.integrations.fastapi.install``) runs under uvicorn on
127.0.0.1; the typed httpx client, a WebSocket session and ``railguard.retry`` call
it. For each call the demo prints what the business logic returned, what crossed
the wire, what the client decoded and what retry decided. It needs the ``demo``
extra (FastAPI, uvicorn, httpx, websockets, tenacity); ``rich`` (the ``cli`` extra)
adds colour on a terminal.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from collections.abc import Sequence
from typing import TextIO

from railguard.cli._render import Block, Code, Heading, Note, Pairs, Table, render

__all__ = ["LEGEND", "MissingExtra", "blocks", "run"]

_NEEDS = ("fastapi", "uvicorn", "httpx", "websockets", "tenacity")

LEGEND = (
    "legend  logic: route's result · wire: what was sent · client: what it decoded · "
    "retry: decision"
)


class MissingExtra(RuntimeError):
    """A package the demo needs is not installed."""


def _check() -> None:
    missing = [name for name in _NEEDS if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtra(
            f"needs {', '.join(missing)}: pip install 'railguard[demo]' (or make demo)"
        )


def _language(wire: str) -> str:
    if wire.startswith("HTTP/"):
        return "http"
    try:
        json.loads(wire)
    except ValueError:
        return "text"
    return "json"


def blocks() -> Sequence[Block]:
    """Run every scenario against a fresh loopback server; return the output blocks."""
    import httpx  # noqa: PLC0415  # the demo's dependencies load only when it runs

    from ._app import create_app  # noqa: PLC0415
    from ._scenarios import (  # noqa: PLC0415
        RETRY_WORDS,
        Step,
        http_steps,
        listening,
        retry_steps,
        websocket_steps,
    )
    from ._server import serving  # noqa: PLC0415

    with (
        listening("railguard", propagate=False, level=logging.WARNING) as server_log,
        serving(create_app()) as base,
        httpx.Client(base_url=base, timeout=5) as raw,
    ):
        sections = [
            (
                "HTTP: FastAPI + install(app), called with railguard.integrations.httpx",
                http_steps(raw),
            ),
            ("WebSocket: a live session on the same server", websocket_steps(base)),
            ("Retry: railguard.retry decides by each failure's own semantics", retry_steps(raw)),
        ]
    out: list[Block] = [Heading("railguard demo (live, 127.0.0.1)"), Note(LEGEND)]
    out.append(Pairs(tuple((f"{r.value}", w) for r, w in RETRY_WORDS.items())))
    summary: list[Step] = []
    for title, steps in sections:
        out.append(Heading(title))
        for step in steps:
            out.append(Heading(step.call))
            wire = step.wire.splitlines()[0]
            out.append(
                Pairs(
                    (
                        ("logic", step.logic),
                        ("wire", wire + (" (below)" if "\n" in step.wire else "")),
                        ("client", step.client),
                        ("retry", step.retry),
                    )
                )
            )
            out.append(Code(step.wire, _language(step.wire)))
            if step.note:
                out.append(Note(step.note))
        summary.extend(steps)
    out.append(Heading("Server log (messages only; tracebacks stay in the log, never on the wire)"))
    out.extend(Note(line) for line in server_log.lines if not line.startswith("attempt "))
    out.append(Heading("Summary"))
    out.append(
        Table(
            ("call", "code", "client decoded", "retry decided"),
            tuple(
                (s.call, s.code, s.client.split("(", 1)[0], s.retry.split(":", 1)[0])
                for s in summary
            ),
        )
    )
    return out


def run(out: TextIO | None = None, fmt: str = "table") -> None:
    """Run the demo and print it (rich on a terminal when installed, plain text otherwise).

    Raises:
        MissingExtra: a dependency of the demo is not installed.
    """
    _check()
    render(blocks(), fmt, out)
