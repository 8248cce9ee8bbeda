"""Laws of the WebSocket boundary, for every registered failure."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from railguard import Failure, JSONValue, thaw_json
from railguard.testing import instances_of, json_values
from railguard.websocket import (
    RESERVED_CLOSE_CODES,
    WebSocketClosedFailure,
    close_code,
    close_reason,
    decode_frame,
    encode_frame,
    from_close,
    is_sendable,
    truncate_reason,
)
from tests.ws_strategies import PLAIN, any_failure

_plain = PLAIN
styles = st.sampled_from(["bridge", "envelope"])


@given(any_failure, styles)
def test_frames_round_trip(failure: Failure, style: str) -> None:
    """decode_frame(encode_frame(f)) == f, as text and as UTF-8 bytes, in both styles."""
    text = encode_frame(failure, style=style)  # type: ignore[arg-type]
    assert decode_frame(text) == failure
    assert decode_frame(text.encode("utf-8")) == failure


@given(st.text() | st.binary())
def test_decode_never_raises_on_arbitrary_input(data: str | bytes) -> None:
    """Any text or bytes decodes to some failure."""
    assert isinstance(decode_frame(data), Failure)


@given(json_values())
def test_decode_never_raises_on_arbitrary_json(value: JSONValue) -> None:
    """Any JSON value, error-frame-shaped or not, decodes to some failure."""
    text = json.dumps(thaw_json(value))
    assert isinstance(decode_frame(text), Failure)


_frame_keys = st.sampled_from(
    ["type", "message", "code", "error_code", "kind", "details", "cause", "retry_after", "fields"]
)


@given(
    st.dictionaries(_frame_keys | st.text(max_size=5), json_values(max_leaves=4), max_size=6),
    st.sampled_from(_plain).map(lambda cls: cls.default_code),
)
def test_decode_never_raises_on_mangled_frames(extra: dict[str, JSONValue], code: str) -> None:
    """Error frames with any registered code and garbage in any key decode to a failure."""
    frame: dict[str, JSONValue] = {"type": "error", "error_code": code}
    frame.update(extra)
    frame["type"] = "error"
    text = json.dumps({key: thaw_json(value) for key, value in frame.items()})
    assert isinstance(decode_frame(text), Failure)


@given(any_failure)
def test_close_code_is_never_reserved(failure: Failure) -> None:
    """close_code gives a sendable code, never 1004/1005/1006/1015."""
    code = close_code(failure)
    assert code not in RESERVED_CLOSE_CODES
    assert is_sendable(code)


@given(any_failure)
def test_close_reason_fits_in_a_close_frame(failure: Failure) -> None:
    """close_reason is valid UTF-8 of at most 123 bytes."""
    assert len(close_reason(failure).encode("utf-8")) <= 123


@given(st.text())
def test_truncate_reason_keeps_a_prefix(text: str) -> None:
    """Truncation keeps whole characters of the start, within 123 bytes."""
    cut = truncate_reason(text)
    assert len(cut.encode("utf-8")) <= 123
    if not any("\ud800" <= c <= "\udfff" for c in text):  # no lone surrogates: a prefix
        assert text.startswith(cut)


@given(st.integers(-10, 70_000) | st.none(), st.text(max_size=200))
def test_from_close_never_raises(code: int | None, reason: str) -> None:
    """Any received close gives a failure whose own close code is sendable."""
    failure = from_close(code, reason)
    assert isinstance(failure, Failure)
    assert is_sendable(close_code(failure))


@given(instances_of(WebSocketClosedFailure))
def test_relayed_closes_never_send_reserved_codes(failure: WebSocketClosedFailure) -> None:
    """Relaying a received close never sends a reserved or out-of-range code."""
    assert is_sendable(close_code(failure))
