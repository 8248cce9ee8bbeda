"""Error frames: their shape on the wire and how every kind of input decodes."""

from __future__ import annotations

import json
import math
from http import HTTPStatus

import attrs
import pytest

from railguard import (
    Category,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    RateLimitFailure,
    TimeoutFailure,
    UnknownFailure,
    ValidationFailure,
    http,
)
from railguard.websocket import (
    MalformedFrameFailure,
    WebSocketClosedFailure,
    decode_frame,
    encode_frame,
    error_reply,
    frame_dict,
    from_frame_dict,
    is_error_frame,
)


def test_bridge_frame_has_the_documented_shape() -> None:
    """The default frame is the bridge document's: type, message, numeric code, then extras."""
    frame = json.loads(encode_frame(NotFoundFailure(message="no such session")))
    assert frame == {
        "type": "error",
        "message": "no such session",
        "code": 404,
        "error_code": "NOT_FOUND",
    }


def test_frame_carries_details_retry_hint_and_cause() -> None:
    """Details, the retry hint and the cause chain travel and come back equal."""
    failure = RateLimitFailure(
        message="slow down",
        details={"limit": 100, "window": [1, "m"]},
        retry_after=30,
        cause=TimeoutFailure(message="upstream slow"),
    )
    frame = frame_dict(failure)
    assert frame["limit"] == 100  # details merge into the frame, as the bridge's to_dict()
    assert frame["window"] == [1, "m"]
    assert frame["retry_after"] == 30
    assert frame["cause"] == {"message": "upstream slow", "code": 504, "error_code": "TIMEOUT"}
    assert decode_frame(encode_frame(failure)) == failure


def test_envelope_style_nests_the_failure() -> None:
    """The envelope style puts the failure under ``error`` with a string ``code``."""
    frame = frame_dict(NotFoundFailure(message="gone"), style="envelope")
    assert frame == {
        "type": "error",
        "error": {"code": "NOT_FOUND", "status": 404, "message": "gone"},
    }
    assert decode_frame(json.dumps(frame)) == NotFoundFailure(message="gone")


def test_unknown_style_is_rejected() -> None:
    """Asking for a style that does not exist is a programming error."""
    with pytest.raises(ValueError, match="unknown frame style"):
        frame_dict(NotFoundFailure(), style="xml")  # type: ignore[arg-type]


def test_instance_level_code_status_and_category_travel() -> None:
    """An UnknownFailure's own code, status and category survive the trip."""
    failure = UnknownFailure(
        code="PEER_SPECIFIC",
        status=HTTPStatus.IM_A_TEAPOT,
        category=Category.CONFLICT,
        raw="{...}",
        message="teapot",
    )
    frame = frame_dict(failure)
    assert frame["error_code"] == "PEER_SPECIFIC"
    assert frame["code"] == 418
    assert frame["category"] == "conflict"
    assert decode_frame(encode_frame(failure)) == failure


def test_group_members_travel_as_nested_failures() -> None:
    """A FailureGroup's members are encoded as failures and come back typed."""
    group = FailureGroup(failures=(ValidationFailure(message="a"), NotFoundFailure(message="b")))
    for style in ("bridge", "envelope"):
        assert decode_frame(encode_frame(group, style=style)) == group


def test_internal_failure_reveals_nothing_of_its_exception() -> None:
    """The original exception of an InternalFailure never reaches the wire."""
    secret = RuntimeError("password=hunter2")
    text = encode_frame(InternalFailure(exception=secret))
    assert "hunter2" not in text
    assert decode_frame(text) == InternalFailure()


def test_foreign_bridge_frame_decodes_by_its_status_keeping_everything() -> None:
    """A bridge server's own frame (no error_code) decodes as over HTTP: by status, keys kept."""
    text = json.dumps(
        {"type": "error", "message": "Unknown message type: x", "code": 400, "message_type": "x"}
    )
    expected = ValidationFailure(message="Unknown message type: x", details={"message_type": "x"})
    assert decode_frame(text) == expected
    assert http.decode(400, {}, text, "bridge") == expected


def test_foreign_bridge_frame_with_an_unusual_status_keeps_it() -> None:
    """A status without a generic failure of its own is kept by an UnknownFailure."""
    failure = decode_frame('{"type": "error", "message": "m", "code": 418}')
    assert isinstance(failure, UnknownFailure)
    assert (failure.code, failure.status) == ("IM_A_TEAPOT", HTTPStatus.IM_A_TEAPOT)


def test_unregistered_code_is_kept() -> None:
    """A code the catalog does not know decodes to an UnknownFailure with that code."""
    failure = decode_frame('{"type": "error", "message": "m", "code": 503, "error_code": "NOPE"}')
    assert isinstance(failure, UnknownFailure)
    assert failure.code == "NOPE"
    assert failure.status == HTTPStatus.SERVICE_UNAVAILABLE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"\xff\xfe", "not UTF-8"),
        ("not json", "not JSON"),
        ("NaN", "NaN is not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"type": "result"}', "not an error frame"),
        ('{"type": "error", "error_code": "NOT_FOUND", "message": 3}', "'message' is not a string"),
        (
            '{"type": "error", "error_code": "NOT_FOUND", "details": []}',
            "'details' is not an object",
        ),
        ('{"type": "error", "error_code": "NOT_FOUND", "cause": 1}', "'cause' is not an object"),
        ('{"type": "error", "error_code": "FAILURE_GROUP", "failures": []}', "do not build"),
        ('{"type": "error", "error_code": "FAILURE_GROUP"}', "needs 'failures'"),
        ("[" * 100 + "]" * 100, "nested deeper"),
    ],
)
def test_malformed_frames_say_why(text: str | bytes, problem: str) -> None:
    """Anything that is not a well-formed error frame gives a MalformedFrameFailure."""
    failure = decode_frame(text)
    assert isinstance(failure, MalformedFrameFailure)
    assert problem in failure.problem


def test_oversized_frames_are_rejected_unparsed() -> None:
    """Frames over the size limit are refused before parsing, text or bytes."""
    big = json.dumps({"type": "error", "message": "x" * 2000})
    for payload in (big, big.encode()):
        failure = decode_frame(payload, max_size=1000)
        assert isinstance(failure, MalformedFrameFailure)
        assert "larger than 1000 bytes" in failure.problem
        assert failure.raw is not None
        assert len(failure.raw) <= 256


def test_nesting_limit_ignores_brackets_inside_strings() -> None:
    """Brackets inside JSON strings do not count towards the nesting limit."""
    text = encode_frame(ValidationFailure(message="[" * 500))
    assert decode_frame(text, max_depth=4) == ValidationFailure(message="[" * 500)


def test_extra_keys_of_a_registered_class_are_kept_as_details() -> None:
    """A peer's extra keys (a newer field, the bridge's context) come back as details."""
    text = '{"type": "error", "error_code": "NOT_FOUND", "message": "m", "code": 404, "new": 1}'
    assert decode_frame(text) == NotFoundFailure(message="m", details={"new": 1})


def test_details_clashing_with_frame_keys_nest_under_details() -> None:
    """A details key the frame already uses travels under ``details`` instead."""
    failure = NotFoundFailure(details={"message": "inner", "code": 1, "other": True})
    frame = frame_dict(failure)
    assert frame["details"] == {"message": "inner", "code": 1}
    assert frame["other"] is True
    assert decode_frame(encode_frame(failure)) == failure


def test_envelope_details_stay_nested() -> None:
    """The envelope style keeps details under their own key."""
    frame = frame_dict(NotFoundFailure(details={"a": 1}), style="envelope")
    assert frame["error"] == {
        "code": "NOT_FOUND",
        "status": 404,
        "message": "Not found.",
        "details": {"a": 1},
    }


def test_instance_code_unlike_the_class_code_travels_with_its_kind() -> None:
    """A failure whose own code differs from its class's names its class as ``kind``."""
    failure = UnknownFailure(code="NOT_FOUND", message="a peer's NOT_FOUND, kept unknown")
    frame = frame_dict(failure)
    assert frame["error_code"] == "NOT_FOUND"
    assert frame["kind"] == "UNKNOWN"
    assert decode_frame(encode_frame(failure)) == failure


def test_is_error_frame_and_from_frame_dict() -> None:
    """Parsed messages can be tested and decoded without re-serialising."""
    obj = frame_dict(NotFoundFailure())
    assert is_error_frame(obj)
    assert not is_error_frame({"type": "result"})
    assert not is_error_frame([1])
    assert from_frame_dict(obj) == NotFoundFailure()


def test_colliding_field_names_travel_under_fields() -> None:
    """A typed field named like a frame key travels under ``fields`` and comes back."""

    @attrs.frozen(kw_only=True)
    class TypedFailure(ValidationFailure, abstract=True):
        type: str = "x"

    frame = frame_dict(TypedFailure(type="custom"))
    assert frame["type"] == "error"
    assert frame["fields"] == {"type": "custom"}


def test_error_reply_closes_only_fatal_failures() -> None:
    """The reply to a recoverable failure is a frame; to a fatal one, a frame and a close."""
    recoverable = error_reply(ValidationFailure(message="bad"))
    assert recoverable.close is None
    fatal = error_reply(WebSocketClosedFailure(close_code=4401, reason="who?"))
    assert fatal.close == (4401, "who?")
    forced = error_reply(ValidationFailure(message="bad"), close=True)
    assert forced.close == (4400, "VALIDATION: bad")


def test_error_reply_reads_fatal_per_instance_when_the_category_is_a_field(
    isolated_catalog: None,
) -> None:
    """``fatal`` is read once per class only where the class decides it.

    A class whose ``category`` is a field, or that redefines ``fatal``, is asked per instance.
    """
    from railguard import Category, UnknownFailure

    for first, second in ((Category.AUTHENTICATION, Category.NOT_FOUND),) * 2:
        assert error_reply(UnknownFailure(code="X", category=first)).close is not None
        assert error_reply(UnknownFailure(code="X", category=second)).close is None

    @attrs.frozen(kw_only=True)
    class MaybeFatalFailure(ValidationFailure, code="TEST_MAYBE_FATAL"):
        ends: bool = False

        @property
        def fatal(self) -> bool:
            return self.ends

    assert error_reply(MaybeFatalFailure()).close is None
    assert error_reply(MaybeFatalFailure(ends=True)).close is not None
    assert error_reply(MaybeFatalFailure()).close is None
    # a class that decides at class level: the same answer on every send
    assert [error_reply(ValidationFailure()).close for _ in range(2)] == [None, None]
    assert all(error_reply(WebSocketClosedFailure()).close for _ in range(2))


def test_non_finite_floats_travel_as_their_names(isolated_catalog: None) -> None:
    """A NaN or infinite float field travels as "NaN"/"Infinity" and comes back (both wires)."""

    @attrs.frozen(kw_only=True)
    class ScoreFailure(ValidationFailure, code="TEST_SCORE"):
        score: float = 0.0

    for value in (float("inf"), float("-inf")):
        failure = ScoreFailure(score=value)
        assert frame_dict(failure)["score"] == ("Infinity" if value > 0 else "-Infinity")
        assert decode_frame(encode_frame(failure)) == failure
        assert http.decode(*http.encode(failure)) == failure
    for text in (
        encode_frame(ScoreFailure(score=float("nan"))),
        http.encode(ScoreFailure(score=float("nan"))).body,
    ):
        nan = decode_frame(text) if isinstance(text, str) else http.decode(400, {}, text)
        assert isinstance(nan, ScoreFailure)
        assert math.isnan(nan.score)


def test_error_reply_bounds_a_hint_json_cannot_carry() -> None:
    """A NaN retry hint is dropped on the wire (the one Retry-After reader), never an error."""
    reply = error_reply(RateLimitFailure(retry_after=float("nan")), close=True)
    assert decode_frame(reply.frame) == RateLimitFailure()
    assert reply.close == (4429, "RATE_LIMIT: Too many requests.")


def test_the_codec_imports_no_framework() -> None:
    """``import railguard.websocket`` loads neither websockets nor Starlette (sans-I/O)."""
    import subprocess
    import sys

    code = (
        "import sys, railguard.websocket; "
        "print(sorted(m for m in ('websockets', 'starlette', 'fastapi', 'uvicorn') "
        "if m in sys.modules))"
    )
    out = subprocess.run(  # noqa: S603  # our own interpreter, a fixed program
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_kind_without_a_usable_code_is_malformed_not_an_error() -> None:
    """A frame naming a class by ``kind`` but with a non-string code is reported, not raised."""
    failure = from_frame_dict({"type": "error", "kind": "UNKNOWN", "error_code": 3})
    assert isinstance(failure, MalformedFrameFailure)
    assert "error_code" in failure.problem
    default = from_frame_dict({"type": "error", "kind": "UNKNOWN"})
    assert isinstance(default, UnknownFailure)
