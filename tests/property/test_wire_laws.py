"""Laws of the one wire model, over every registered failure: same record on every wire."""

from __future__ import annotations

import json
import math
from typing import Any, Final

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from railguard import Failure
from railguard._wire import ENVELOPE, dumps, write
from railguard.http import Exchange, decode, encode, exchange_of
from railguard.http._headers import header_safe
from railguard.http._style import with_exchange
from railguard.messages import LocalizedMessage
from railguard.websocket import decode_frame, encode_frame, frame_dict, frame_exchange
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


exchanges = st.builds(
    Exchange,
    request_id=st.none() | st.text(max_size=40),
    trace_id=st.none() | st.text("0123456789abcdef", min_size=32, max_size=32),
    localized_message=st.none() | st.builds(LocalizedMessage, st.text(max_size=8), st.text()),
)


_SHARED: Final = frozenset({"http-problem", "http-bridge", "frame-bridge"})
"""Forms whose top level holds a typed field (a kneo ``request_id``) and the exchange's id."""


def _has_request_id(failure: Failure) -> bool:
    return "request_id" in attrs.fields_dict(type(failure))


def _decoded_with(failure: Failure, exchange: Exchange, form: str) -> Failure:
    """What ``form`` decodes to with ``exchange`` added: a shared field reads the exchange's id."""
    if form in _SHARED and exchange.request_id is not None and _has_request_id(failure):
        changes: dict[str, Any] = {"request_id": exchange.request_id}
        return attrs.evolve(failure, **changes)
    return failure


def _read_with(failure: Failure, exchange: Exchange, form: str) -> Exchange:
    """What ``form`` reads back as the exchange.

    Without an exchange id, a failure's own ``request_id`` field is the response's (its
    member where shared, else the header it set).
    """
    field = getattr(failure, "request_id", None) if _has_request_id(failure) else None
    if exchange.request_id is not None or field is None:
        return exchange
    if form in _SHARED or (form == "http-agents" and header_safe(field) is not None):
        return attrs.evolve(exchange, request_id=field)
    return exchange


@given(any_failure, exchanges)
def test_exchange_members_travel_beside_the_record(failure: Failure, exchange: Exchange) -> None:
    """With ids added, every form decodes to the same failure and gives the members back."""
    for style in HTTP_STYLES:
        form = f"http-{style}"
        error = with_exchange(encode(failure, style), failure, exchange)  # type: ignore[arg-type]
        assert exchange_of(error.headers, error.body) == _read_with(failure, exchange, form), form
        expected = _decoded_with(failure, exchange, form)
        assert decode(*error, style) == expected, form  # type: ignore[arg-type]
        assert decode(*error, "auto") == expected, form
    for style in FRAME_STYLES:
        form = f"frame-{style}"
        frame = encode_frame(failure, style=style, exchange=exchange)  # type: ignore[arg-type]
        assert frame_exchange(frame) == _read_with(failure, exchange, form), form
        assert decode_frame(frame) == _decoded_with(failure, exchange, form), form


_JSON_VALUES: Final = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_the_one_writer_matches_the_standard_encoder(value: object) -> None:
    """`dumps` (a C encoder built once) writes what ``json.dumps`` with its settings writes."""
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    assert dumps(value) == expected


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"x": [math.nan]}])
def test_the_one_writer_refuses_non_finite_numbers(bad: object) -> None:
    """NaN and the infinities are not JSON: ``ValueError``, and the writer stays usable."""
    with pytest.raises(ValueError, match="not JSON compliant"):
        dumps(bad)
    assert dumps({"x": [1.5]}) == '{"x":[1.5]}'
