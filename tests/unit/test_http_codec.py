"""railguard.http: envelope shapes, headers, foreign documents and malformed input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http import HTTPStatus

import httpx
import pytest

from railguard import (
    Category,
    ConflictFailure,
    Failure,
    FailureGroup,
    InternalFailure,
    MalformedFailure,
    NotFoundFailure,
    RateLimitFailure,
    TimeoutFailure,
    UnknownFailure,
    ValidationFailure,
)
from railguard.core import MAX_RETRY_AFTER
from railguard.families import kneo
from railguard.families.agents import AgentExecutionFailure, AgentNotFoundFailure
from railguard.families.bridge import InvalidToolNameFailure
from railguard.families.kneo import KneoFailure, KneoIdempotencyMismatchFailure
from railguard.http import (
    DEFAULT_TYPE_BASE,
    MAX_BODY_BYTES,
    RAW_LIMIT,
    STYLES,
    HttpError,
    Style,
    decode,
    detect_style,
    encode,
    parse_retry_after,
)
from railguard.http._codec import _json_strings

_MESSAGE_MEMBER: dict[str, str] = {"agents": "message", "problem": "detail", "bridge": "message"}


def _json(error: HttpError) -> dict[str, object]:
    document: dict[str, object] = json.loads(error.body)
    return document


# -- encoding -------------------------------------------------------------------------------


def test_agents_envelope_matches_the_document() -> None:
    """The agents style is exactly the agents document's own example (no category member)."""
    failure = AgentNotFoundFailure(message="Agent with identifier XXXX not found.")
    error = encode(failure)
    assert error.status == 404
    assert error.headers == {"content-type": "application/json"}
    assert _json(error) == {
        "code": "NOT_FOUND",
        "message": "Agent with identifier XXXX not found.",
        "errors": [
            {
                "type": "AGENT_NOT_FOUND",
                "message": "Agent with identifier XXXX not found.",
            }
        ],
    }
    assert decode(*error) == failure


def test_agents_group_has_one_errors_item_per_failure() -> None:
    """An aggregate failure gives one errors item per member."""
    group = FailureGroup(failures=(ValidationFailure(message="a"), NotFoundFailure(message="b")))
    document = _json(encode(group))
    assert document["code"] == "BAD_REQUEST"
    assert [item["type"] for item in document["errors"]] == ["VALIDATION", "NOT_FOUND"]  # type: ignore[attr-defined]
    assert document["type"] == "FAILURE_GROUP"


def test_problem_document_members() -> None:
    """The problem style has RFC 9457 members plus the code and the retry hint, nothing implied."""
    failure = RateLimitFailure(message="Slow down.", retry_after=30)
    error = encode(failure, "problem", type_base="https://docs.example.com/errors#", instance="/x")
    assert error.headers["content-type"] == "application/problem+json"
    assert _json(error) == {
        "type": "https://docs.example.com/errors#RATE_LIMIT",
        "title": "Too many requests.",
        "status": 429,
        "detail": "Slow down.",
        "instance": "/x",
        "code": "RATE_LIMIT",
        "retry_after": 30,
    }


def test_problem_type_default_base() -> None:
    """Without a base, the type is a URN naming the failure code."""
    assert _json(encode(TimeoutFailure(), "problem"))["type"] == DEFAULT_TYPE_BASE + "TIMEOUT"


def test_bridge_frame_shape() -> None:
    """The bridge style is the document's frame: typed fields flat, plus error_code."""
    failure = InvalidToolNameFailure(tool_name="vim", valid_tools=("crush", "claude"))
    assert _json(encode(failure, "bridge")) == {
        "type": "error",
        "message": "Invalid tool_name: vim",
        "code": 400,
        "error_code": "BRIDGE_INVALID_TOOL_NAME",
        "tool_name": "vim",
        "valid_tools": ["crush", "claude"],
    }


def test_bridge_frame_merges_details_like_to_dict() -> None:
    """Bridge details sit in the frame itself, as the document's to_dict() does; clashes nest."""
    failure = NotFoundFailure(message="gone", details={"context": "more", "code": "x"})
    document = _json(encode(failure, "bridge"))
    assert document["context"] == "more"
    assert document["details"] == {"code": "x"}
    assert decode(*encode(failure, "bridge"), "bridge") == failure


def test_an_instance_code_of_another_class_names_its_class() -> None:
    """An UnknownFailure relaying a code the catalog knows comes back as itself ('kind')."""
    failure = UnknownFailure(code="NOT_FOUND", status=HTTPStatus.GONE, raw="peer body")
    for style in ("agents", "problem", "bridge"):
        error = encode(failure, style)
        assert b'"kind":"UNKNOWN"' in error.body
        assert decode(*error, style) == failure


def test_typed_field_named_like_a_member_goes_in_fields() -> None:
    """A typed field whose name the style uses (problem 'detail') travels in 'fields'."""
    failure = AgentExecutionFailure(message="m", detail="the detail")
    document = _json(encode(failure, "problem"))
    assert document["detail"] == "m"
    assert document["fields"] == {"detail": "the detail"}
    assert decode(*encode(failure, "problem"), "problem") == failure


def test_retry_after_header_is_whole_seconds_rounded_up() -> None:
    """Retry-After carries delay-seconds (rounded up); the body keeps the exact hint."""
    failure = RateLimitFailure(retry_after=1.2)
    error = encode(failure)
    assert error.headers["retry-after"] == "2"
    assert decode(*error) == failure


def test_request_id_header() -> None:
    """X-Request-ID is sent when the failure carries a request_id field."""
    error = encode(KneoFailure(request_id="abc-123"))
    assert error.headers["x-request-id"] == "abc-123"


def test_request_id_header_is_never_injected() -> None:
    """A request_id with CR/LF or non-ASCII text stays in the body, out of the headers."""
    failure = KneoFailure(request_id="x\r\nSet-Cookie: a=b")
    error = encode(failure)
    assert "x-request-id" not in error.headers
    assert decode(*error) == failure


def test_internal_failure_reveals_nothing_of_its_exception() -> None:
    """An InternalFailure's original exception and traceback never reach the body."""
    try:
        raise RuntimeError("password=hunter2")
    except RuntimeError as exc:
        failure = InternalFailure(exception=exc)
    for style in ("agents", "problem", "bridge"):
        body = encode(failure, style).body
        assert b"hunter2" not in body
        assert b"RuntimeError" not in body
        assert b"Traceback" not in body


def test_kneo_is_decode_only() -> None:
    """Encoding in the kneo style is refused: kneo servers send no railguard envelope."""
    with pytest.raises(ValueError, match="kneo"):
        encode(NotFoundFailure(), "kneo")  # type: ignore[arg-type]


def test_http_error_is_immutable() -> None:
    """HttpError is a value: its headers cannot be changed."""
    error = encode(NotFoundFailure())
    with pytest.raises(TypeError):
        error.headers["x"] = "y"  # type: ignore[index]


# -- decoding foreign documents ---------------------------------------------------------------


def test_decodes_a_plain_agents_server_envelope() -> None:
    """A genuine agents-server body (no railguard members) decodes by its errors item."""
    body = json.dumps(
        {
            "code": "CONFLICT",
            "message": "Busy.",
            "errors": [{"type": "CONFLICT", "message": "Busy."}],
        }
    )
    assert decode(409, {}, body) == ConflictFailure(message="Busy.")


def test_a_foreign_items_extra_members_are_kept_in_its_details() -> None:
    """An agents server's own members in an item (``field``, ``loc``) are details, not lost.

    A ``details`` member of the item wins where both name the same key; the members of a
    second item and of a cause are kept the same way.
    """
    body = json.dumps(
        {
            "code": "CONFLICT",
            "message": "Busy.",
            "errors": [
                {"type": "CONFLICT", "message": "Busy.", "field": "name", "details": {"a": 1}},
            ],
        }
    )
    assert decode(409, {}, body) == ConflictFailure(
        message="Busy.", details={"field": "name", "a": 1}
    )
    clash = {"type": "CONFLICT", "message": "m", "a": "member", "details": {"a": "details"}}
    two = json.dumps({"code": "CONFLICT", "errors": [clash, {**clash, "loc": ["body", "x"]}]})
    group = decode(409, {}, two)
    assert isinstance(group, FailureGroup)
    assert [dict(f.details) for f in group.failures] == [
        {"a": "details"},
        {"a": "details", "loc": ("body", "x")},
    ]
    cause = {"type": "TIMEOUT", "message": "slow", "upstream": "db"}
    nested = json.dumps({"code": "CONFLICT", "errors": [{**clash, "cause": cause}]})
    assert decode(409, {}, nested).cause == TimeoutFailure(
        message="slow", details={"upstream": "db"}
    )


def test_unknown_code_keeps_code_message_and_raw_body() -> None:
    """An unknown code decodes to UnknownFailure with code, message, status and raw body."""
    body = json.dumps(
        {
            "code": "NOT_FOUND",
            "message": "gone",
            "errors": [{"type": "WIDGET_GONE", "message": "gone"}],
        }
    ).encode()
    failure = decode(404, {}, body)
    assert failure == UnknownFailure(
        code="WIDGET_GONE",
        message="gone",
        status=HTTPStatus.NOT_FOUND,
        category=Category.NOT_FOUND,
        raw=body.decode(),
    )


def test_unknown_code_raw_body_is_capped() -> None:
    """The raw body an UnknownFailure keeps is capped at RAW_LIMIT characters."""
    body = json.dumps(
        {"code": "X", "message": "m", "errors": [{"type": "NO_SUCH_CODE", "message": "x" * 10_000}]}
    )
    failure = decode(500, {}, body)
    assert isinstance(failure, UnknownFailure)
    assert failure.raw is not None
    assert len(failure.raw) == RAW_LIMIT


def test_multiple_foreign_errors_decode_to_a_group() -> None:
    """A foreign agents envelope with several errors decodes to a FailureGroup."""
    body = json.dumps(
        {
            "code": "BAD_REQUEST",
            "message": "Invalid.",
            "errors": [
                {"type": "VALIDATION", "message": "a"},
                {"type": "VALIDATION", "message": "b"},
            ],
        }
    )
    assert decode(400, {}, body) == FailureGroup(
        failures=(ValidationFailure(message="a"), ValidationFailure(message="b")),
        message="Invalid.",
    )


def test_bridge_to_dict_without_error_code_decodes_by_status() -> None:
    """The bridge document's own to_dict() decodes by its status; extra members become details."""
    body = json.dumps({"type": "error", "message": "Session gone", "code": 404, "session_id": "s"})
    assert decode(404, {}, body, "bridge") == NotFoundFailure(
        message="Session gone", details={"session_id": "s"}
    )


def test_problem_about_blank_decodes_by_status() -> None:
    """A problem of type about:blank is the status's generic failure with its detail."""
    body = json.dumps({"title": "Not Found", "status": 404, "detail": "No such order."})
    assert decode(404, {"Content-Type": "application/problem+json"}, body, "problem") == (
        NotFoundFailure(message="No such order.")
    )


def test_foreign_problem_type_is_kept_as_the_code() -> None:
    """A foreign problem type URI is an unknown code: kept, with title as the message."""
    body = json.dumps(
        {"type": "https://example.com/probs/out-of-credit", "title": "No credit.", "status": 403}
    )
    failure = decode(403, {}, body, "problem")
    assert isinstance(failure, UnknownFailure)
    assert failure.code == "https://example.com/probs/out-of-credit"
    assert failure.message == "No credit."
    assert failure.status == 403


def test_problem_members_of_the_wrong_type_are_ignored() -> None:
    """RFC 9457: a standard member of the wrong type is ignored, not fatal."""
    body = json.dumps({"type": 7, "title": "Gone", "status": "404", "detail": None})
    assert decode(404, {}, body, "problem") == NotFoundFailure(message="Gone")


def test_empty_body_decodes_by_status() -> None:
    """An error response without a body (HEAD, a bare proxy) is the status's failure."""
    failure = decode(503, {"Retry-After": "5"}, b"")
    assert failure.category is Category.INFRASTRUCTURE
    assert failure.retry_after == 5


def test_method_not_allowed_keeps_its_status() -> None:
    """A status without a generic failure of its own is an UnknownFailure named after it."""
    failure = decode(405, {}, b"")
    assert isinstance(failure, UnknownFailure)
    assert (failure.code, failure.status) == ("METHOD_NOT_ALLOWED", 405)


# -- headers ----------------------------------------------------------------------------------


def test_retry_after_http_date() -> None:
    """Retry-After as an HTTP-date becomes the seconds until then."""
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=UTC)
    value = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(value, now=now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now=now) == 0


@pytest.mark.parametrize(
    "value", ["soon", "-1", "", "\x00", "1e3", "NaN", "inf", "1_000", " ", "Mon, 99 Foo 2024"]
)
def test_retry_after_garbage_is_ignored(value: str) -> None:
    """A Retry-After that is neither delay-seconds nor an HTTP-date is no hint."""
    assert parse_retry_after(value) is None


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("1.5", 1.5), ("30", 30), (" 7 ", 7), ("9" * 40, MAX_RETRY_AFTER), ("86401", MAX_RETRY_AFTER)],
)
def test_retry_after_seconds_are_bounded(value: str, seconds: float) -> None:
    """Delay-seconds (a fraction too) are read, and cut to the documented maximum."""
    assert parse_retry_after(value) == seconds


def test_retry_after_header_fills_a_foreign_failure() -> None:
    """A failure whose body has no hint takes the Retry-After header's."""
    body = json.dumps(
        {"code": "TOO_MANY_REQUESTS", "message": "m", "errors": [{"type": "RATE_LIMIT"}]}
    )
    failure = decode(429, {"retry-after": "12"}, body)
    assert failure == RateLimitFailure(message="m", retry_after=12)


def test_request_id_and_idempotency_key_fill_declared_fields() -> None:
    """X-Request-ID and the request's idempotency key fill the fields a foreign body lacks."""
    body = json.dumps({"code": "BAD_GATEWAY", "message": "m", "errors": [{"type": "KNEO_ERROR"}]})
    failure = decode(502, [(b"X-Request-ID", b"req-9")], body, idempotency_key="idem-1")
    assert failure == KneoFailure(message="m", request_id="req-9", idempotency_key="idem-1")


# -- kneo and auto ----------------------------------------------------------------------------


_KNEO_TABLE = {
    401: "KneoAuthFailure",
    403: "KneoPermissionFailure",
    404: "KneoNotFoundFailure",
    409: "KneoConflictFailure",
    429: "KneoRateLimitedFailure",
    502: "KneoServerFailure",
    503: "KneoServerFailure",
    418: "KneoFailure",
    302: "KneoFailure",
}


@pytest.mark.parametrize("status", sorted(_KNEO_TABLE))
def test_kneo_table_by_status(status: int) -> None:
    """The kneo style picks the document's class by status alone, keeping body and request id."""
    failure = decode(status, {"x-request-id": "r1"}, b'{"message": "nope"}', "kneo")
    assert type(failure).__name__ == _KNEO_TABLE[status]
    phrase = httpx.codes.get_reason_phrase(status)
    assert failure.message == f"HTTP {status} {phrase}: nope"
    assert isinstance(failure, KneoFailure)
    assert (failure.request_id, failure.response_status) == ("r1", status)
    assert failure.body == {"message": "nope"}


def test_kneo_idempotency_mismatch() -> None:
    """A 409 on a request sent with an idempotency key is the key's mismatch."""
    failure = decode(409, {}, b"", "kneo", idempotency_key="k-1")
    assert isinstance(failure, KneoIdempotencyMismatchFailure)
    assert failure.idempotency_key == "k-1"


def test_kneo_decoding_matches_the_family_from_response() -> None:
    """decode(style="kneo") gives the failure of the kneo family's own from_response()."""
    response = httpx.Response(
        429,
        json={"detail": "slow down"},
        headers={"X-Request-ID": "r-2", "Retry-After": "7"},
        request=httpx.Request("POST", "https://kneo.example/v1/runs"),
    )
    expected = kneo.from_response(response, idempotency_key="k-2").failure
    decoded = decode(429, response.headers, response.content, "kneo", idempotency_key="k-2")
    assert decoded == expected


_RETRY_AFTER_FORMS = [
    None,
    "7",
    "1.5",
    "0",
    "-1",
    "soon",
    "9" * 40,
    "Wed, 21 Oct 2015 07:28:00 GMT",
    "Fri, 01 Jan 2100 00:00:00 GMT",
]


@pytest.mark.parametrize("retry_after", _RETRY_AFTER_FORMS)
def test_kneo_decoding_agrees_with_from_response_for_every_status(retry_after: str | None) -> None:
    """decode(style="kneo") == kneo.from_response(...).failure for statuses 100-599."""
    headers = {"X-Request-ID": "r-1"} if retry_after is None else {"Retry-After": retry_after}
    for status in range(100, 600):
        for key in (None, "k-1"):
            response = httpx.Response(status, json={"detail": "d"}, headers=headers)
            expected = kneo.from_response(response, idempotency_key=key).failure
            decoded = decode(
                status, response.headers, response.content, "kneo", idempotency_key=key
            )
            assert decoded == expected, status


def test_kneo_keeps_a_text_body() -> None:
    """A non-JSON body is kept as (capped) text."""
    failure = decode(502, {}, b"<html>Bad gateway</html>", "kneo")
    assert isinstance(failure, KneoFailure)
    assert failure.body == "<html>Bad gateway</html>"


@pytest.mark.parametrize("style", ["agents", "problem", "bridge"])
def test_detect_style(style: str) -> None:
    """detect_style recognises each envelope by content type and shape."""
    error = encode(NotFoundFailure(), style)  # type: ignore[arg-type]
    assert detect_style(error.headers, error.body) == style


def test_detect_style_of_anything_else_is_kneo() -> None:
    """A body that is no railguard envelope is read by the kneo table."""
    assert detect_style({}, b'{"detail": "Not Found"}') == "kneo"
    assert detect_style({}, b"<html>") == "kneo"


# -- malformed --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"code": 1, "errors": "x"}',
        b'{"code": "X", "message": 5, "errors": [{"type": "NOT_FOUND"}]}',
        b'{"code": "X", "errors": [{"type": "NOT_FOUND", "details": [1]}]}',
        b'{"code": "X", "errors": [{"type": "RATE_LIMIT", "retry_after": "soon"}]}',
        b'{"code": "X", "errors": [{"type": "NOT_FOUND", "retry_after": NaN}]}',
        b'{"code": "X", "errors": [{"type": "KNEO_ERROR", "response_status": true}]}',
    ],
)
def test_malformed_bodies(body: bytes) -> None:
    """Bodies that are not JSON or have wrong types give a MalformedFailure with the raw excerpt."""
    failure = decode(500, {}, body)
    assert isinstance(failure, MalformedFailure)
    assert failure.raw == body.decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("hint", "expected"),
    [("1e999", None), ("-5", None), ("9" * 4000, MAX_RETRY_AFTER), ("2.5", 2.5)],
)
def test_body_retry_hints_are_bounded(hint: str, expected: float | None) -> None:
    """A body's retry_after is read by the one Retry-After reader: finite, 0..max, or none."""
    body = '{"code": "X", "errors": [{"type": "NOT_FOUND", "retry_after": ' + hint + "}]}"
    failure = decode(404, {}, body)
    assert failure == NotFoundFailure(retry_after=expected)
    assert encode(failure).status == 404


def test_huge_body_is_not_parsed() -> None:
    """A body larger than MAX_BODY_BYTES is malformed, its raw excerpt capped."""
    body = b'{"code": "X", "message": "' + b"x" * MAX_BODY_BYTES + b'"}'
    failure = decode(500, {}, body)
    assert isinstance(failure, MalformedFailure)
    assert failure.raw is not None
    assert len(failure.raw) == RAW_LIMIT


@pytest.mark.parametrize("depth", [40, 5_000, 200_000])
def test_deeply_nested_json_is_malformed(depth: int) -> None:
    """Deeply nested details, causes or arrays give a MalformedFailure, never a crash."""
    details = "[" * depth + "]" * depth
    cause = '{"type": "NOT_FOUND", "cause": ' * depth + "null" + "}" * depth
    for body in (
        f'{{"code": "X", "errors": [{{"type": "NOT_FOUND", "details": {{"a": {details}}}}}]}}',
        f'{{"code": "X", "errors": [{cause}]}}',
    ):
        assert isinstance(decode(500, {}, body), MalformedFailure)


def test_decode_is_total_on_nonsense_arguments() -> None:
    """Even arguments of the wrong types give a failure, not an exception."""
    assert isinstance(decode("x", None, None), MalformedFailure)  # type: ignore[arg-type]
    assert isinstance(decode(404, object(), b"{}"), Failure)  # type: ignore[arg-type]


def test_a_lone_surrogate_travels_on_every_wire() -> None:
    """A message or code holding a lone surrogate is escaped, never an encoding error."""
    from railguard.websocket import decode_frame, encode_frame  # the other wire

    for failure in (
        NotFoundFailure(message="\ud800 broken"),
        UnknownFailure(code="\udc00X", message="m"),
    ):
        for style in ("agents", "problem", "bridge"):
            assert decode(*encode(failure, style), style) == failure
        assert decode_frame(encode_frame(failure)) == failure


@pytest.mark.parametrize("style", ["agents", "problem", "bridge"])
def test_a_short_messages_answer_is_kept_and_a_long_ones_is_not(style: Style) -> None:
    """The template keeps a short message's answer (and JSON); each encodes as the style does."""
    short = f'Agent "{style}" not found: é \u2028 \x01'
    long = "Agent not found. " * 20
    for message in (short, long):
        first = encode(NotFoundFailure(message=message), style)
        again = encode(NotFoundFailure(message=message), style)
        reference = STYLES[style].encode
        assert reference is not None
        plain = reference(
            NotFoundFailure(message=message), type_base=DEFAULT_TYPE_BASE, instance=None
        )
        assert first == again == plain
        assert _json(again)[_MESSAGE_MEMBER[style]] == message
        assert (first is again) == (message is short)  # the kept answer, reused
    assert _json_strings[short] == json.dumps(short)
    assert long not in _json_strings


def test_with_an_instance_the_kept_json_string_fills_the_template() -> None:
    """A problem answer with an instance reuses the message's kept JSON string, byte for byte."""
    message = 'Gone: "x" \u2028'
    first = encode(NotFoundFailure(message=message), "problem", instance="/a%2Fb")
    again = encode(NotFoundFailure(message=message), "problem", instance="/a%2Fb")
    reference = STYLES["problem"].encode
    assert reference is not None
    plain = reference(
        NotFoundFailure(message=message), type_base=DEFAULT_TYPE_BASE, instance="/a%2Fb"
    )
    assert first == again == plain
    assert _json_strings[message] == json.dumps(message)
