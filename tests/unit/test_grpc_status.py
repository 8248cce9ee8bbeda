"""The gRPC rich-status codec: every failure out and back, the mapping, hostile statuses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

import railguard.http
from railguard import (
    AuthenticationFailure,
    Category,
    ConflictFailure,
    Failure,
    FailureGroup,
    InfrastructureFailure,
    InternalFailure,
    MalformedFailure,
    NotFoundFailure,
    RateLimitFailure,
    UnknownFailure,
    ValidationFailure,
    WorkflowFailure,
)
from railguard.core import MAX_RETRY_AFTER, parse_retry_after
from railguard.grpc import (
    CATEGORY_CODES,
    CODE_CATEGORIES,
    DETAILS_KEY,
    JSON_KEYS,
    MAX_DETAILS_SIZE,
    Code,
    decode,
    details_of,
    domain_of,
    encode,
    generic_class,
)
from railguard.testing import failure_classes, instances_of

SECRET = "db-password=hunter2"


def _round_trip(failure: Failure) -> Failure:
    encoded = encode(failure)
    return decode(int(encoded.code), encoded.message, encoded.status.SerializeToString())


def _details(status: status_pb2.Status) -> dict[str, any_pb2.Any]:
    return {any_.TypeName(): any_ for any_ in status.details}


def _status(code: Code, message: str, *details: object) -> bytes:
    status = status_pb2.Status(code=int(code), message=message)
    for detail in details:
        status.details.add().Pack(detail)  # type: ignore[arg-type]  # protobuf messages
    return status.SerializeToString()


# -- every registered failure ----------------------------------------------------------------


@pytest.mark.parametrize("cls", failure_classes(), ids=lambda cls: cls.default_code)
@settings(max_examples=4)
@given(data=st.data())
def test_every_failure_round_trips(cls: type[Failure], data: st.DataObject) -> None:
    """Encoded and serialized, any registered failure decodes equal: type, fields, hint, cause.

    So the decoded failure also encodes to the HTTP envelope its original encodes to.
    """
    failure = data.draw(instances_of(cls), label="failure")
    received = _round_trip(failure)
    assert received == failure
    assert type(received) is type(failure)
    assert (received.code, received.status, received.retry) == (
        failure.code,
        failure.status,
        failure.retry,
    )
    for style in ("agents", "problem", "bridge"):
        assert railguard.http.encode(received, style) == railguard.http.encode(failure, style)


@settings(max_examples=30)
@given(
    hint=st.one_of(
        st.integers(0, int(MAX_RETRY_AFTER)), st.floats(0, MAX_RETRY_AFTER), st.floats(0, 1)
    )
)
def test_any_hint_round_trips_exactly(hint: float) -> None:
    """Whole or fractional, int or float, a hint in range comes back with its value and type."""
    received = _round_trip(RateLimitFailure(retry_after=hint))
    assert received.retry_after == hint
    assert type(received.retry_after) is type(hint)


@settings(max_examples=30)
@given(hint=st.one_of(st.integers(-(10**6), 10**7), st.floats(allow_nan=True)))
def test_any_hint_travels_as_the_one_retry_after_reader_reads_it(hint: float) -> None:
    """Out of range, negative or non-finite hints travel as `parse_retry_after` bounds them."""
    received = _round_trip(RateLimitFailure(retry_after=hint))
    assert received.retry_after == parse_retry_after(hint)


# -- the layout ------------------------------------------------------------------------------


def test_layout_uses_the_standard_details() -> None:
    """Code and domain in ErrorInfo, typed fields in its metadata, hint, message in their own."""
    failure = RateLimitFailure(message="slow down", retry_after=2, details={"plan": "free"})
    encoded = encode(failure)
    assert (encoded.code, encoded.message) == (Code.RESOURCE_EXHAUSTED, "slow down")
    assert (encoded.status.code, encoded.status.message) == (8, "slow down")
    parts = _details(encoded.status)
    assert set(parts) == {
        "google.rpc.ErrorInfo",
        "google.rpc.RetryInfo",
        "google.rpc.LocalizedMessage",
    }
    info = error_details_pb2.ErrorInfo()
    assert parts["google.rpc.ErrorInfo"].Unpack(info)
    assert (info.reason, info.domain) == ("RATE_LIMIT", "railguard")
    assert dict(info.metadata) == {"details": '{"plan":"free"}', JSON_KEYS: "details"}
    retry = error_details_pb2.RetryInfo()
    assert parts["google.rpc.RetryInfo"].Unpack(retry)
    assert (retry.retry_delay.seconds, retry.retry_delay.nanos) == (2, 0)
    localized = error_details_pb2.LocalizedMessage()
    assert parts["google.rpc.LocalizedMessage"].Unpack(localized)
    assert (localized.locale, localized.message) == ("en-US", "slow down")


def test_text_fields_travel_as_plain_metadata() -> None:
    """A failure's text fields are plain metadata strings; other values are JSON, listed."""
    from railguard.families.executor import ExecutionTimeoutFailure

    failure = ExecutionTimeoutFailure(timeout_seconds=15, cause=NotFoundFailure())
    info = error_details_pb2.ErrorInfo()
    assert _details(encode(failure).status)["google.rpc.ErrorInfo"].Unpack(info)
    typed = set(info.metadata[JSON_KEYS].split(","))
    assert {"timeout_seconds", "cause"} <= typed
    assert json.loads(info.metadata["timeout_seconds"]) == 15
    assert all(key in typed for key, value in info.metadata.items() if value[:1] in "{[")


def test_group_members_become_field_violations() -> None:
    """A FailureGroup's validation members are BadRequest field violations, naming the field."""
    group = FailureGroup(
        failures=[
            ValidationFailure(message="name is required", details={"field": "name"}),
            ValidationFailure(message="too many", details={"loc": ["items", 3]}),
            NotFoundFailure(),
        ]
    )
    bad = error_details_pb2.BadRequest()
    assert _details(encode(group).status)["google.rpc.BadRequest"].Unpack(bad)
    assert [(v.field, v.description, v.reason) for v in bad.field_violations] == [
        ("name", "name is required", "VALIDATION"),
        ("items.3", "too many", "VALIDATION"),
    ]
    assert _round_trip(group) == group


def test_unexpected_exception_leaks_nothing() -> None:
    """An unexpected exception's failure carries no DebugInfo, no text and no type of it."""
    try:
        raise RuntimeError(SECRET)
    except RuntimeError as exc:
        failure = Failure.from_exception(exc)
    encoded = encode(failure)
    wire = encoded.status.SerializeToString()
    assert encoded.code is Code.INTERNAL
    assert SECRET.encode() not in wire
    assert b"RuntimeError" not in wire
    assert b"Traceback" not in wire
    assert "google.rpc.DebugInfo" not in _details(encoded.status)
    assert _round_trip(failure) == InternalFailure()


# -- the mapping -----------------------------------------------------------------------------


def test_every_category_has_a_code_and_reads_back_sensibly() -> None:
    """Each category answers with a code; that code's HTTP mapping is a client or server error."""
    assert set(CATEGORY_CODES) == set(Category)
    for category, code in CATEGORY_CODES.items():
        assert code is not Code.OK
        assert (code.http_status >= 500) == (category.default_status >= 500) or category in {
            Category.WORKFLOW,  # FAILED_PRECONDITION: a person must act, HTTP says 400
        }
        assert generic_class(category).default_category is category


def test_every_error_code_reads_as_a_category() -> None:
    """Every non-OK gRPC code decodes to a category; the exact ones map back to themselves."""
    assert set(CODE_CATEGORIES) == set(Code) - {Code.OK}
    for code in (Code.NOT_FOUND, Code.UNAUTHENTICATED, Code.RESOURCE_EXHAUSTED, Code.INTERNAL):
        assert CATEGORY_CODES[CODE_CATEGORIES[code]] is code


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (Code.NOT_FOUND, NotFoundFailure),
        (Code.UNAVAILABLE, InfrastructureFailure),
        (Code.UNAUTHENTICATED, AuthenticationFailure),
        (Code.ALREADY_EXISTS, ConflictFailure),
        (Code.FAILED_PRECONDITION, WorkflowFailure),
        (Code.DATA_LOSS, InternalFailure),
    ],
)
def test_plain_status_decodes_to_the_generic_failure(code: Code, expected: type[Failure]) -> None:
    """A status without details (``context.abort(code, message)``) is its category's failure."""
    received = decode(int(code), "went wrong")
    assert type(received) is expected
    assert received.message == "went wrong"
    assert received.details == {"grpc_code": code.name}


# -- foreign and hostile statuses ------------------------------------------------------------


def test_foreign_error_info_is_kept_but_never_trusted() -> None:
    """A reason from another domain is an UnknownFailure keeping reason, domain and metadata."""
    info = error_details_pb2.ErrorInfo(
        reason="NOT_FOUND", domain="pubsub.example", metadata={"topic": "t1"}
    )
    retry = error_details_pb2.RetryInfo()
    retry.retry_delay.FromMilliseconds(1500)
    received = decode(5, "no topic", _status(Code.NOT_FOUND, "no topic", info, retry))
    assert type(received) is UnknownFailure
    assert (received.code, received.category, received.retry_after) == (
        "NOT_FOUND",
        Category.NOT_FOUND,
        1.5,
    )
    assert received.details["domain"] == "pubsub.example"
    assert received.details["metadata"] == {"topic": "t1"}


def test_foreign_bad_request_becomes_a_group() -> None:
    """A foreign BadRequest's violations become a FailureGroup of validation failures."""
    bad = error_details_pb2.BadRequest(
        field_violations=[
            error_details_pb2.BadRequest.FieldViolation(field="email", description="not an email")
        ]
    )
    received = decode(3, "invalid", _status(Code.INVALID_ARGUMENT, "invalid", bad))
    assert isinstance(received, FailureGroup)
    assert received.message == "invalid"
    [member] = received.failures
    assert (member.message, member.details["field"]) == ("not an email", "email")


def test_foreign_detail_types_are_named_never_read() -> None:
    """DebugInfo and unknown Any types are ignored; only their type names are kept."""
    debug = error_details_pb2.DebugInfo(stack_entries=[SECRET], detail=SECRET)
    strange = any_pb2.Any(type_url="type.example/acme.Secret", value=SECRET.encode())
    status = status_pb2.Status(code=13, message="oops")
    status.details.add().Pack(debug)
    status.details.append(strange)
    received = decode(13, "oops", status.SerializeToString())
    assert type(received) is InternalFailure
    assert received.details["grpc_details"] == ("google.rpc.DebugInfo", "acme.Secret")
    assert SECRET not in repr(received)


@pytest.mark.parametrize(
    ("code", "details", "problem"),
    [
        (5, b"\x0a\xff\xff", "not a google.rpc.Status"),
        (5, _status(Code.NOT_FOUND, "x")[:-1] + b"\xff", "not a google.rpc.Status"),
        (5, b"\x08" + b"\x80" * (MAX_DETAILS_SIZE + 1), "too large"),
        (3, _status(Code.NOT_FOUND, "x"), "disagrees"),
        (0, None, "OK"),
    ],
    ids=["garbage", "truncated", "oversized", "mismatch", "ok"],
)
def test_hostile_details_are_malformed(code: int, details: bytes | None, problem: str) -> None:
    """Truncated, oversized or inconsistent details give a MalformedFailure, never an error."""
    received = decode(code, "x", details)
    assert type(received) is MalformedFailure
    assert problem in str(received.details["problem"])


def test_bad_metadata_in_our_domain_is_malformed() -> None:
    """ErrorInfo metadata claiming JSON that is not JSON gives a MalformedFailure."""
    info = error_details_pb2.ErrorInfo(
        reason="NOT_FOUND", domain="railguard", metadata={"details": "{", JSON_KEYS: "details"}
    )
    received = decode(5, "x", _status(Code.NOT_FOUND, "x", info))
    assert type(received) is MalformedFailure


def test_record_that_does_not_build_is_malformed() -> None:
    """Metadata of the wrong type for a registered class gives a MalformedFailure."""
    info = error_details_pb2.ErrorInfo(
        reason="NOT_FOUND", domain="railguard", metadata={"details": "[1]", JSON_KEYS: "details"}
    )
    received = decode(5, "x", _status(Code.NOT_FOUND, "x", info))
    assert type(received) is MalformedFailure
    assert "details" in str(received.details["problem"])


def test_unknown_code_is_an_unknown_failure() -> None:
    """A code outside google.rpc.Code gives an UnknownFailure keeping the number."""
    received = decode(42, "what")
    assert type(received) is UnknownFailure
    assert (received.message, received.details["grpc_code"]) == ("what", 42)


@settings(max_examples=100)
@given(code=st.integers(-5, 40), message=st.text(max_size=10), details=st.binary(max_size=64))
def test_decode_is_total(code: int, message: str, details: bytes) -> None:
    """Any code, message and bytes decode to some failure; nothing raises."""
    assert isinstance(decode(code, message, details), Failure)


def test_details_of_finds_the_trailer() -> None:
    """The details trailer is found among a call's trailing metadata, as bytes."""
    assert details_of([("x", "1"), (DETAILS_KEY, b"\x08\x05")]) == b"\x08\x05"
    assert details_of([("x", "1")]) is None
    assert details_of(None) is None


def test_domain_is_the_declaring_package() -> None:
    """Railguard's own classes share the ``railguard`` domain."""
    assert domain_of(NotFoundFailure) == "railguard"


def _modules_after(code: str) -> list[str]:
    script = f"import json, sys; {code}; print(json.dumps(sorted(sys.modules)))"
    completed = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return list(json.loads(completed.stdout))


def test_import_railguard_does_not_import_grpc() -> None:
    """``import railguard`` (and its catalog) loads neither grpcio nor protobuf."""
    modules = _modules_after("import railguard; railguard.catalog()")
    assert not [m for m in modules if m == "grpc" or m.startswith(("grpc.", "google.protobuf"))]


def test_sans_io_package_does_not_import_grpcio() -> None:
    """``railguard.grpc`` needs protobuf only; grpcio is the integration's business."""
    modules = _modules_after("import railguard.grpc")
    assert "google.rpc.status_pb2" in modules
    assert not [m for m in modules if m == "grpc" or m.startswith("grpc.")]
