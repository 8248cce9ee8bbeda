"""Real problem+json bodies from other ecosystems decode without loss (issue 10).

Each file of ``problem_bodies/`` holds one body as its library or documentation
publishes it, the response status it came with and its ``source``.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any, cast

import pytest

from railguard.core import MalformedFailure, UnknownFailure, thaw_json
from railguard.http import decode

BODIES = sorted((Path(__file__).parent / "problem_bodies").glob("*.json"))
_STANDARD = frozenset({"type", "title", "status", "detail"})


def _case(path: Path) -> tuple[int, dict[str, Any]]:
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["source"], "every body cites its source"
    return case["response_status"], case["body"]


def test_the_folder_holds_at_least_fifteen_bodies() -> None:
    """The corpus is big enough to mean something (issue 10 asks for 15 or more)."""
    assert len(BODIES) >= 15


@pytest.mark.parametrize("style", ["problem", "auto"])
@pytest.mark.parametrize("path", BODIES, ids=[p.stem for p in BODIES])
def test_a_foreign_problem_keeps_every_member(path: Path, style: str) -> None:
    """Status, title, detail, instance and every extension member survive decoding."""
    status, body = _case(path)
    headers = {"Content-Type": "application/problem+json"}
    failure = decode(status, headers, json.dumps(body), style)  # type: ignore[arg-type]
    assert not isinstance(failure, MalformedFailure), failure.message
    assert failure.status == status
    details = cast(dict[str, object], thaw_json(failure.details))
    message = body.get("detail", body.get("title"))
    if message is not None:
        assert failure.message == message
    for key, value in body.items():
        if key not in _STANDARD:
            assert details[key] == value, key  # extensions and instance, whatever their type
    title = body.get("title")
    if title is not None and title not in (message, HTTPStatus(status).phrase):
        assert details["title"] == title
    problem_type = body.get("type", "about:blank")
    if problem_type != "about:blank":
        assert isinstance(failure, UnknownFailure)
        assert failure.code == problem_type


@pytest.mark.parametrize(
    ("member", "value"),
    [("details", "text"), ("code", 42), ("cause", "upstream"), ("retry_after", "soon")],
)
def test_railguard_names_with_other_types_are_extensions(member: str, value: object) -> None:
    """A foreign member reusing railguard's names with another type is kept, not malformed.

    Synthetic bodies (not from a real server): RFC 9457 leaves extensions to each type.
    """
    body = {"type": "https://example.com/probs/x", "title": "X", "status": 409, member: value}
    failure = decode(409, {"Content-Type": "application/problem+json"}, json.dumps(body), "problem")
    assert not isinstance(failure, MalformedFailure)
    assert failure.details[member] == value
    assert failure.status == 409


def test_a_foreign_body_shaped_like_a_record_keeps_its_extensions() -> None:
    """A ``type`` ending with its ``code`` reads as a record, yet no member is dropped.

    Synthetic body: a server whose problem types end with a railguard-like code.
    """
    body = {
        "type": "https://example.com/errors/NOT_FOUND",
        "title": "Not found",
        "status": 404,
        "detail": "No order 7.",
        "code": "NOT_FOUND",
        "order_id": 7,
        "details": {"shard": "eu"},
    }
    failure = decode(404, {"Content-Type": "application/problem+json"}, json.dumps(body), "auto")
    assert failure.code == "NOT_FOUND"
    assert failure.message == "No order 7."
    assert thaw_json(failure.details) == {"order_id": 7, "shard": "eu"}
