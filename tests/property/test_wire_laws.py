"""Laws of the one wire model, over every registered failure: same record on every wire."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from railguard import Failure
from railguard._wire import ENVELOPE, write
from railguard.http import decode, encode
from railguard.websocket import decode_frame, encode_frame, frame_dict
from tests.ws_strategies import any_failure

HTTP_STYLES = ("agents", "problem", "bridge")
FRAME_STYLES = ("bridge", "envelope")


def record(failure: Failure) -> dict[str, object]:
    """The canonical record of a failure (the envelope frame's ``error`` object)."""
    return write(failure, ENVELOPE)


def _wire_forms(failure: Failure) -> dict[str, Failure]:
    forms: dict[str, Failure] = {}
    for style in HTTP_STYLES:
        forms[f"http-{style}"] = decode(*encode(failure, style), style)  # type: ignore[arg-type]
        forms[f"http-auto-{style}"] = decode(*encode(failure, style), "auto")  # type: ignore[arg-type]
    for style in FRAME_STYLES:
        forms[f"frame-{style}"] = decode_frame(encode_frame(failure, style=style))  # type: ignore[arg-type]
    return forms


@given(any_failure)
def test_every_wire_form_decodes_back_equal(failure: Failure) -> None:
    """Each HTTP style and each frame style gives back an equal failure."""
    for form, decoded in _wire_forms(failure).items():
        assert decoded == failure, form


@given(any_failure)
def test_every_wire_form_carries_the_same_record(failure: Failure) -> None:
    """What each wire form carries is the failure's one record, member for member."""
    expected = record(failure)
    for form, decoded in _wire_forms(failure).items():
        assert record(decoded) == expected, form


@given(any_failure)
def test_a_frame_decoded_over_http_is_the_same_failure(failure: Failure) -> None:
    """The bridge frame is the HTTP bridge body: decoded over HTTP it is the same failure."""
    frame = encode_frame(failure)
    response = encode(failure, "bridge")
    assert response.body == frame.encode()
    assert decode(response.status, {}, frame, "bridge") == failure
    assert decode(response.status, {}, frame, "auto") == failure


@given(any_failure)
def test_the_envelope_frame_holds_the_record(failure: Failure) -> None:
    """The envelope frame's ``error`` object is the canonical record itself."""
    assert frame_dict(failure, style="envelope")["error"] == record(failure)
    assert json.loads(encode_frame(failure, style="envelope"))["error"] == json.loads(
        json.dumps(record(failure))
    )


@pytest.mark.parametrize("style", HTTP_STYLES)
@given(st.sampled_from(["NaN", "Infinity", "-1", "1e999", "true", '"x"', "[1]"]))
def test_a_peer_retry_hint_is_always_bounded(style: str, hint: str) -> None:
    """Whatever a peer puts in retry_after, the decoded hint is none or within 0..max."""
    body = json.loads(encode(decode(404, {}, b""), style).body)  # type: ignore[arg-type]
    text = json.dumps(body)[:-1] + ', "retry_after": ' + hint + "}"
    failure = decode(404, {}, text, style)  # type: ignore[arg-type]
    after = failure.retry_after
    assert after is None or 0 <= after <= 86_400
