"""Reading kneo responses parses the body once and agrees on every reader (issue 10)."""

from __future__ import annotations

import json

import pytest

from railguard import http
from railguard._wire import read_json
from railguard.core import Details
from railguard.families import kneo
from railguard.families.kneo import KneoError, KneoFailure

_BODIES = [
    b"",
    b"   ",
    b'{"detail": "d"}',
    b'[{"type": "VALIDATION"}, {"type": "VALIDATION"}, 1, 2.5, null]',
    b'"just a string"',
    b"12",
    b'{"a": [1e999, 2], "b": {"c": -0.0}}',
    b"<html>Bad gateway</html>",
    b"[" * 40 + b"]" * 40,
    json.dumps({"detail": "x" * 5000}).encode(),
    json.dumps([0] * 50_000).encode(),
]


@pytest.mark.parametrize("content", _BODIES, ids=range(len(_BODIES)))
@pytest.mark.parametrize("status", [404, 409, 429, 503])
def test_every_reader_of_a_kneo_response_agrees(content: bytes, status: int) -> None:
    """decode(kneo), decode(auto) on a non-envelope, response_failure and the exception agree."""
    error = kneo.response_error(status, content, request_id="r", retry_after="3")
    expected = error.failure
    direct = kneo.response_failure(status, kneo.read_body(content), request_id="r", retry_after="3")
    decoded = http.decode(status, {"X-Request-ID": "r", "Retry-After": "3"}, content, "kneo")
    assert direct == expected
    assert decoded == expected
    assert type(decoded) is type(expected)


def test_the_exception_keeps_the_plain_parsed_body() -> None:
    """The exception's body is the parsed JSON itself (dicts and lists), not a frozen copy."""
    error = kneo.response_error(400, b'{"a": [1, {"b": 2}]}')
    assert error.body == {"a": [1, {"b": 2}]}
    assert type(error.body["a"]) is list
    assert isinstance(error.failure.body, Details)


def test_an_overflowed_float_is_kept_as_its_text() -> None:
    """1e999 (infinity once parsed) is kept as "inf", by the exception and the failure alike."""
    error = kneo.response_error(400, b"[1e999, 2]")
    assert error.body == ["inf", 2]
    assert error.failure.body == ("inf", 2)
    assert http.decode(400, {}, b"[1e999, 2]", "kneo").body == ("inf", 2)  # type: ignore[attr-defined]


@pytest.mark.parametrize("style", ["kneo", "auto"])
def test_decoding_parses_the_body_once(style: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """http.decode reads the body with the bounded reader once; kneo never reads it again."""
    from railguard.http import _style

    calls: list[int] = []
    real = read_json

    def counting(data: object, **kwargs: int) -> object:
        calls.append(1)
        return real(data, **kwargs)  # type: ignore[arg-type]

    def forbidden(data: object, **kwargs: int) -> object:
        raise AssertionError("the kneo reader parsed the body again")

    monkeypatch.setattr(_style, "read_json", counting)
    monkeypatch.setattr(kneo, "read_json", forbidden)
    failure = http.decode(404, {}, b'{"detail": "gone"}', style)  # type: ignore[arg-type]
    assert isinstance(failure, KneoFailure)
    assert failure.body == Details({"detail": "gone"})
    assert calls == [1]


def test_a_frozen_body_is_not_converted_again() -> None:
    """A body read_body froze is the failure's body itself: no second conversion."""
    body = kneo.read_body(json.dumps([[1, 2], {"a": 1}] * 1000).encode())
    failure = KneoFailure(body=body)
    assert failure.body is body


def test_a_plain_body_is_still_frozen() -> None:
    """Lists and dicts given by hand are frozen as before."""
    failure = KneoFailure(body={"a": [1, {"b": [2]}]})
    assert failure.body == Details({"a": (1, Details({"b": (2,)}))})
    assert isinstance(KneoError("m", body=[1]).failure.body, tuple)
