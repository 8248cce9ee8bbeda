"""The hand-written google.rpc.Status bytes equal protobuf's own serialization."""

from __future__ import annotations

import pytest
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

from railguard import Failure
from railguard.grpc import LOCALE
from railguard.grpc import _protobuf as wire
from railguard.grpc._status import serialized
from railguard.testing import failure_classes, instances_of

_INT32 = st.integers(-(2**31), 2**31 - 1)
_INT64 = st.integers(-(2**63), 2**63 - 1)
_TEXT = st.text(max_size=200)  # past 127 bytes, lengths take two varint bytes
_VIOLATIONS = st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=3)
_TYPES: dict[str, type[Message]] = {
    "google.rpc.ErrorInfo": error_details_pb2.ErrorInfo,
    "google.rpc.RetryInfo": error_details_pb2.RetryInfo,
    "google.rpc.BadRequest": error_details_pb2.BadRequest,
    "google.rpc.LocalizedMessage": error_details_pb2.LocalizedMessage,
    "google.rpc.RequestInfo": error_details_pb2.RequestInfo,
}


def _read(status: status_pb2.Status) -> list[tuple[str, Message]]:
    """Each detail as (type URL, message): ``Any``s compare by bytes, maps have no order."""
    return [(a.type_url, _TYPES[a.TypeName()].FromString(a.value)) for a in status.details]


def _packed(detail: Message) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(detail)
    return packed


@settings(max_examples=200)
@given(
    code=_INT32,
    message=_TEXT,
    reason=_TEXT,
    domain=_TEXT,
    metadata=st.dictionaries(_TEXT, _TEXT, max_size=3),
    delay=st.none() | st.tuples(_INT64, _INT32),
    violations=_VIOLATIONS,
    request=st.none() | st.tuples(_TEXT, _TEXT),
    locale=_TEXT,
)
def test_status_equals_protobufs_serialization(  # noqa: PLR0917  # one per field
    code: int,
    message: str,
    reason: str,
    domain: str,
    metadata: dict[str, str],
    delay: tuple[int, int] | None,
    violations: list[tuple[str, str, str]],
    request: tuple[str, str] | None,
    locale: str,
) -> None:
    """Any field values give the Status protobuf builds: equal, same size, same bytes.

    The bytes are identical whenever the map has at most one entry (protobuf writes a
    map's entries in no set order; equality of the parsed messages covers the rest).
    """
    info = error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=metadata)
    details = [(wire.ERROR_INFO, wire.error_info(reason, domain, metadata))]
    expected = [_packed(info)]
    if delay is not None:
        retry = error_details_pb2.RetryInfo(
            retry_delay=duration_pb2.Duration(seconds=delay[0], nanos=delay[1])
        )
        details.append((wire.RETRY_INFO, wire.retry_info(*delay)))
        expected.append(_packed(retry))
    if violations:
        bad = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=field, description=text, reason=why
                )
                for field, text, why in violations
            ]
        )
        details.append((wire.BAD_REQUEST, wire.bad_request(violations)))
        expected.append(_packed(bad))
    if request is not None:
        requested = error_details_pb2.RequestInfo(request_id=request[0], serving_data=request[1])
        details.append((wire.REQUEST_INFO, wire.request_info(*request)))
        expected.append(_packed(requested))
    localized = error_details_pb2.LocalizedMessage(locale=locale, message=message)
    expected.append(_packed(localized))
    reference = status_pb2.Status(code=code, message=message, details=expected)

    data = wire.status(code, message, details, locale)
    reference_bytes = reference.SerializeToString()
    received = status_pb2.Status.FromString(data)
    assert (received.code, received.message) == (code, message)
    assert _read(received) == _read(reference)
    assert len(data) == len(reference_bytes)
    if len(metadata) <= 1:
        assert data == reference_bytes


@pytest.mark.parametrize("cls", failure_classes(), ids=lambda cls: cls.default_code)
@settings(max_examples=4)
@given(data=st.data())
def test_every_failures_status_is_canonical(cls: type[Failure], data: st.DataObject) -> None:
    """A failure's bytes are protobuf's serialization of the Status they parse to.

    Every detail re-serializes, through its own protobuf class, to the bytes sent (an
    ErrorInfo with several metadata entries to the same size: its map has no set order).
    """
    failure = data.draw(instances_of(cls), label="failure")
    request_id = data.draw(st.none() | st.from_regex(r"[A-Za-z0-9._:\-]{1,128}", fullmatch=True))
    trace = data.draw(st.none() | st.from_regex(r"[0-9a-f]{32}", fullmatch=True))
    sent = serialized(failure, request_id, trace)
    status = status_pb2.Status.FromString(sent.details)
    assert (status.code, status.message) == (int(sent.code), sent.message)
    assert len(status.SerializeToString()) == len(sent.details)
    for any_ in status.details:
        detail = _TYPES[any_.TypeName()].FromString(any_.value)
        again = detail.SerializeToString()
        if isinstance(detail, error_details_pb2.ErrorInfo) and len(detail.metadata) > 1:
            assert len(again) == len(any_.value)
        else:
            assert again == any_.value
    assert status.details[-1].TypeName() == "google.rpc.LocalizedMessage"
    localized = error_details_pb2.LocalizedMessage.FromString(status.details[-1].value)
    assert (localized.locale, localized.message) == (LOCALE, sent.message)
