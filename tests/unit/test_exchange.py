"""Exchange members (request id, trace id, localized message) on the wire; peer request ids."""

from __future__ import annotations

import gc
import json
import logging
import subprocess
import sys
import types
from contextvars import ContextVar

import httpx
import pytest
from opentelemetry import context
from opentelemetry.sdk.trace import TracerProvider

from railguard import NotFoundFailure, UpstreamFailure, wire_failure
from railguard.core import expose, from_peer, is_from_peer, peer_request_id
from railguard.families.agents import AgentNotFoundFailure
from railguard.families.kneo import KneoNotFoundFailure
from railguard.http import Exchange, Style, decode, encode, exchange_of
from railguard.http._style import with_exchange
from railguard.integrations._exchange import LOCALIZE, current_exchange
from railguard.integrations.httpx import wrap
from railguard.messages import LocalizedMessage, Messages
from railguard.observe import REQUEST_ID, report, trace_id
from railguard.observe._request_id import _context_reader
from railguard.websocket import decode_frame, encode_frame, frame_dict, frame_exchange

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
STYLES: tuple[Style, ...] = ("agents", "problem", "bridge")


@pytest.mark.parametrize("style", ["problem", "bridge"])
def test_a_typed_request_id_field_gives_way_to_the_exchanges(style: Style) -> None:
    """Where the record's member and the exchange's coincide, our id takes the field's place."""
    failure = KneoNotFoundFailure(message="nf", request_id="peer-9")
    error = with_exchange(encode(failure, style), failure, Exchange("ours"))
    assert error.body.count(b'"request_id"') == 1
    assert json.loads(error.body)["request_id"] == "ours"
    assert error.headers["x-request-id"] == "ours"
    decoded = decode(*error, style)
    assert isinstance(decoded, KneoNotFoundFailure)
    assert decoded.request_id == "ours"
    assert b"peer-9" not in error.body


def test_in_the_agents_item_a_typed_field_stays_the_failures() -> None:
    """The agents item is the failure's record: its field stays; the envelope names our id."""
    failure = KneoNotFoundFailure(message="nf", request_id="x-1")
    error = with_exchange(encode(failure, "agents"), failure, Exchange("ours"))
    body = json.loads(error.body)
    assert (body["request_id"], body["errors"][0]["request_id"]) == ("ours", "x-1")
    assert error.headers["x-request-id"] == "ours"
    assert decode(*error, "agents") == failure


def test_a_flat_detail_of_the_same_name_moves_under_details() -> None:
    """A bridge frame's flat detail named request_id is kept (nested) and decodes back."""
    failure = NotFoundFailure(message="x", details={"request_id": "the user's", "a": 1})
    error = with_exchange(encode(failure, "bridge"), failure, Exchange("ours", TRACE))
    body = json.loads(error.body)
    assert (body["request_id"], body["details"], body["a"]) == (
        "ours",
        {"request_id": "the user's"},
        1,
    )
    assert decode(*error, "bridge") == failure
    frame = encode_frame(failure, exchange=Exchange("ours"))
    assert decode_frame(frame) == failure
    assert frame_exchange(frame) == Exchange("ours")


def test_ill_formed_members_are_plain_members() -> None:
    """A trace_id that is not 32 lowercase hex digits is no exchange member: a detail."""
    frame = json.loads(encode_frame(NotFoundFailure(message="x")))
    frame["trace_id"] = "ABC"
    failure = decode_frame(json.dumps(frame))
    assert failure == NotFoundFailure(message="x", details={"trace_id": "ABC"})
    assert frame_exchange(frame) == Exchange()


@pytest.mark.parametrize("style", STYLES)
def test_no_exchange_leaves_the_encoding_untouched(style: Style) -> None:
    """An empty exchange is the identity: the same object back."""
    error = encode(NotFoundFailure(message="x"), style)
    assert with_exchange(error, NotFoundFailure(message="x"), Exchange()) is error


def test_an_id_no_header_can_hold_is_in_the_body_only() -> None:
    """A request id with a line break goes in the body; no header names another id."""
    failure = KneoNotFoundFailure(message="nf", request_id="peer-9")
    error = with_exchange(encode(failure, "problem"), failure, Exchange("a\nb"))
    assert "x-request-id" not in error.headers
    assert exchange_of(error.headers, error.body).request_id == "a\nb"


def test_exchange_of_reads_the_header_when_the_body_has_no_member() -> None:
    """Any error body (or none): the request id falls back to X-Request-ID."""
    assert exchange_of({"X-Request-ID": "h-1"}, b"not json") == Exchange("h-1")
    assert exchange_of({}, b"") == Exchange()
    assert exchange_of({"x-request-id": "h-1"}, b'{"request_id":"b-1"}') == Exchange("b-1")


def test_frame_exchange_is_total() -> None:
    """Garbage, non-objects and oversized frames read as an empty exchange."""
    for text in ("", "[1]", "{", b"\xff", '{"request_id": "a", "x": "' + "x" * (1 << 20) + '"}'):
        assert frame_exchange(text) == Exchange()


def test_frame_dict_carries_the_members() -> None:
    """The dict form holds the same top-level members as the text."""
    frame = frame_dict(
        NotFoundFailure(message="x"), style="envelope", exchange=Exchange(None, TRACE)
    )
    assert frame["trace_id"] == TRACE
    assert "request_id" not in frame


def test_a_trace_id_is_32_lowercase_hex_digits() -> None:
    """The Exchange refuses a trace id in another form."""
    with pytest.raises(ValueError, match="32 lowercase hex"):
        Exchange(trace_id=TRACE.upper())


# --- the context an integration reads -------------------------------------------------------


def test_the_current_exchange_is_empty_outside_a_request() -> None:
    """No request id, no span: the shared empty exchange (nothing is added)."""
    assert current_exchange(NotFoundFailure()) is current_exchange(UpstreamFailure())
    token = REQUEST_ID.set("r-1")
    try:
        assert current_exchange(NotFoundFailure()) == Exchange("r-1")
    finally:
        REQUEST_ID.reset(token)


def test_trace_id_reads_the_current_span() -> None:
    """Inside an SDK span, `trace_id` is its trace id; outside, ``None``."""
    assert trace_id() is None
    with TracerProvider().get_tracer("t").start_as_current_span("s") as span:
        assert trace_id() == format(span.get_span_context().trace_id, "032x")
    assert trace_id() is None


def test_the_default_otel_runtime_is_read_through_its_context_variable() -> None:
    """With OpenTelemetry's own runtime context, the reader is its ContextVar's ``get``."""
    reader = _context_reader(context)
    assert reader is not None
    assert reader == context._RUNTIME_CONTEXT._current_context.get  # type: ignore[attr-defined]  # the probed private name
    with TracerProvider().get_tracer("t").start_as_current_span("s"):
        assert reader() is context.get_current()
        assert reader()


def test_another_otel_runtime_is_read_through_get_current() -> None:
    """Any other runtime context (or renamed internals): ``get_current`` itself answers."""
    current = object()

    def get_current() -> object:
        return current

    class OtherRuntime:
        _current_context = ContextVar("other", default=current)

    other = types.SimpleNamespace(get_current=get_current, _RUNTIME_CONTEXT=OtherRuntime())
    assert _context_reader(other) is get_current
    assert _context_reader(types.SimpleNamespace(get_current=get_current)) is get_current


def test_railguard_never_imports_opentelemetry_for_trace_ids() -> None:
    """Answering a failure in a process without OpenTelemetry does not import it."""
    code = (
        "import sys\n"
        "from railguard import NotFoundFailure\n"
        "from railguard.integrations._exchange import current_exchange\n"
        "current_exchange(NotFoundFailure())\n"
        "print('opentelemetry' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == "False"


# --- peer request ids ------------------------------------------------------------------------


def test_a_peer_failure_keeps_the_peers_id_until_exposed() -> None:
    """`peer_request_id` reads the id given to `from_peer`; `expose` forgets it with the mark."""
    peer = from_peer(AgentNotFoundFailure(message="gone"), request_id="p-1")
    assert peer_request_id(peer) == "p-1"
    assert peer_request_id(AgentNotFoundFailure(message="gone")) is None
    assert peer_request_id(from_peer(AgentNotFoundFailure(message="gone"))) is None
    expose(peer)
    assert not is_from_peer(peer)
    assert peer_request_id(peer) is None


def test_a_dead_peer_failure_leaves_no_id_behind() -> None:
    """The id goes with its failure: nothing accumulates."""
    from railguard.core import _policy  # the registry itself

    gc.collect()  # earlier tests' garbage (a traceback's frames) may hold peer failures
    before = len(_policy._peer_ids)
    for n in range(50):
        from_peer(NotFoundFailure(message=str(n)), request_id=f"p-{n}")
    gc.collect()
    assert len(_policy._peer_ids) == before


def test_a_raised_peer_failure_is_answered_as_ours_with_the_peers_id_for_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A rebuilt peer failure is answered as ours; its one line names the peer's code and id."""
    peer = from_peer(AgentNotFoundFailure(message="gone"), request_id="p-2")
    with caplog.at_level(logging.INFO, logger="railguard"):
        answered = wire_failure(peer.to_exception())
        assert answered == UpstreamFailure()
        assert caplog.records == []
        report(answered, boundary="http")
    (record,) = caplog.records
    assert (vars(record)["upstream_codes"], vars(record)["peer_request_id"]) == (
        ("AGENT_NOT_FOUND",),
        "p-2",
    )
    assert "gone" not in caplog.text


# --- httpx -----------------------------------------------------------------------------------


def _peer(request: httpx.Request) -> httpx.Response:
    body = {"request_id": "peer-5", "code": "NOT_FOUND", "message": "m", "errors": []}
    return httpx.Response(404, json=body)


def test_the_sync_client_sends_the_id_and_reads_the_peers() -> None:
    """A wrapped `httpx.Client` keeps the peer's envelope id with each failure it decodes."""
    with wrap(httpx.Client(transport=httpx.MockTransport(_peer))) as api:
        token = REQUEST_ID.set("ours-3")
        try:
            failure = api.get("http://peer/x").failure()
            sent = api.send(api.client.build_request("GET", "http://peer/x")).failure()
        finally:
            REQUEST_ID.reset(token)
        outside = api.get("http://peer/x").failure()
    assert is_from_peer(failure)
    assert (peer_request_id(failure), peer_request_id(sent)) == ("peer-5", "peer-5")
    assert peer_request_id(outside) == "peer-5"


def test_the_peer_id_falls_back_to_its_header() -> None:
    """A body without the member: the peer's X-Request-ID header is its id."""

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, text="busy", headers={"X-Request-ID": "peer-h"})

    with wrap(httpx.Client(transport=httpx.MockTransport(respond))) as api:
        failure = api.get("http://peer/x").failure()
    assert peer_request_id(failure) == "peer-h"


def test_what_was_sent_is_the_served_id() -> None:
    """The peer saw our id only while a request was being served."""
    seen: list[str | None] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("x-request-id"))
        return httpx.Response(200)

    with wrap(httpx.Client(transport=httpx.MockTransport(record))) as api:
        token = REQUEST_ID.set("ours-4")
        try:
            api.get("http://peer/x")
            api.post("http://peer/x", headers=[("X-Request-ID", "mine")])
        finally:
            REQUEST_ID.reset(token)
        api.get("http://peer/x")
    assert seen == ["ours-4", "mine", None]


# --- localized messages ----------------------------------------------------------------------


def test_a_localized_message_is_an_object_of_locale_and_message() -> None:
    """AIP-193's shape on every wire, read back as a `LocalizedMessage`."""
    failure = NotFoundFailure(message="row 7 missing")
    exchange = Exchange(localized_message=LocalizedMessage("de", "Nicht gefunden."))
    for style in STYLES:
        error = with_exchange(encode(failure, style), failure, exchange)
        assert json.loads(error.body)["localized_message"] == {
            "locale": "de",
            "message": "Nicht gefunden.",
        }
        assert exchange_of(error.headers, error.body) == exchange
        assert decode(*error, style) == failure
    frame = encode_frame(failure, style="envelope", exchange=exchange)
    assert frame_exchange(frame) == exchange


def test_a_localized_message_of_another_shape_is_a_plain_member() -> None:
    """An extra key (or a non-string) makes it no exchange member: a detail of the frame."""
    frame = json.loads(encode_frame(NotFoundFailure(message="x")))
    frame["localized_message"] = {"locale": "de", "message": "m", "x": 1}
    assert decode_frame(json.dumps(frame)).details["localized_message"] == {
        "locale": "de",
        "message": "m",
        "x": 1,
    }
    assert frame_exchange(frame) == Exchange()


def test_the_current_exchange_localizes_with_the_apps_messages() -> None:
    """Inside a localized request, the current exchange holds the negotiated message."""
    messages = Messages()
    token = LOCALIZE.set((messages, "de"))
    try:
        exchange = current_exchange(NotFoundFailure(message="internal"))
    finally:
        LOCALIZE.reset(token)
    assert exchange == Exchange(
        localized_message=messages.localize(NotFoundFailure(message="internal"), "de")
    )
    assert exchange.localized_message is not None
    assert exchange.localized_message.locale == "de"


def test_decoding_without_a_localized_member_never_imports_the_catalogs() -> None:
    """Encoding and decoding ids alone never loads `railguard.messages` (gettext, catalogs)."""
    code = (
        "import sys\n"
        "from railguard import NotFoundFailure\n"
        "from railguard.http import Exchange, decode, encode, exchange_of\n"
        "from railguard.http._style import with_exchange\n"
        "f = NotFoundFailure()\n"
        "e = with_exchange(encode(f), f, Exchange('r'))\n"
        "decode(*e); exchange_of(e.headers, e.body)\n"
        "print('railguard.messages' in sys.modules)"
    )
    out = subprocess.run(  # noqa: S603  # our own interpreter and code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.strip()
    assert out == "False"


def test_error_response_answers_as_every_boundary_does() -> None:
    """``error_response`` adds the exchange's id and answers a peer's failure as our own."""
    from railguard.integrations.starlette import error_response  # the extra

    token = REQUEST_ID.set("ours-1")
    try:
        plain = error_response(NotFoundFailure(message="gone"), style="problem")
        relayed = error_response(from_peer(NotFoundFailure(message="secret"), request_id="p-9"))
    finally:
        REQUEST_ID.reset(token)
    assert json.loads(bytes(plain.body))["request_id"] == "ours-1"
    body = json.loads(bytes(relayed.body))
    assert (relayed.status_code, body["request_id"]) == (502, "ours-1")
    assert b"secret" not in bytes(relayed.body)
    assert b"p-9" not in bytes(relayed.body)
