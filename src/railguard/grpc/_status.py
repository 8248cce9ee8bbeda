"""Rich status, both ways: a failure as ``google.rpc.Status`` and any status back."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from fractions import Fraction
from typing import Any, Final, NamedTuple, TypeVar

import attrs
from google.rpc import error_details_pb2, status_pb2

from railguard._wire._exchange import EMPTY, Exchange, valid_trace_id
from railguard.core import (
    Category,
    Failure,
    FailureGroup,
    MalformedFailure,
    UnknownFailure,
    ValidationFailure,
    lookup,
)
from railguard.messages import LocalizedMessage

from . import _protobuf
from ._codes import CODE_CATEGORIES, Code, code_for, generic_class
from ._record import _failure_of, _record_of, from_metadata, to_metadata

__all__ = [
    "DETAILS_KEY",
    "LOCALE",
    "MAX_DETAILS_SIZE",
    "Encoded",
    "Serialized",
    "decode",
    "decoded",
    "details_of",
    "domain_of",
    "encode",
    "exchange_of",
    "serialized",
]

_log = logging.getLogger("railguard.grpc")
F = TypeVar("F", bound=Failure)

DETAILS_KEY: Final = "grpc-status-details-bin"
"""The trailer that carries the serialized ``google.rpc.Status``."""
MAX_DETAILS_SIZE: Final = 64 * 1024
"""Largest ``grpc-status-details-bin`` `decode` parses by default, in bytes."""
LOCALE: Final = "en-US"
"""The locale of the ``LocalizedMessage`` railguard sends (its messages are English)."""
_MAX_FOREIGN: Final = 16  # foreign detail type names kept, at most
_RAW_EXCERPT: Final = 192  # bytes of a malformed status kept (base64: 256 characters)
_MAX_DURATION_SECONDS: Final = 315_576_000_000  # google.protobuf.Duration's range
_FIELD_NAMES: Final = ("field", "field_name", "loc", "parameter")


class Encoded(NamedTuple):
    """A failure on the gRPC wire: the status code, its message and the rich status."""

    code: Code
    message: str
    status: status_pb2.Status


def domain_of(cls: type[Failure]) -> str:
    """The ``ErrorInfo.domain`` of a failure class: its top-level package (``railguard``)."""
    return cls.__module__.partition(".")[0]


# --- encoding --------------------------------------------------------------------------


def encode(
    failure: Failure,
    *,
    request_id: str | None = None,
    trace_id: str | None = None,
    localized_message: LocalizedMessage | None = None,
) -> Encoded:
    """Return the gRPC status of ``failure``; `decode` gives back an equal failure.

    ``ErrorInfo`` carries the code (``reason``), `domain_of` its class and, in
    ``metadata``, every other member of the failure's record (typed fields,
    details, cause, ...: text as is, anything else as JSON); ``RetryInfo`` the
    server's hint; ``BadRequest`` a `railguard.FailureGroup`'s validation members;
    ``RequestInfo`` the exchange's ``request_id`` and ``trace_id`` (as
    ``serving_data`` ``trace_id=<32 hex digits>``), when given (`exchange_of` reads
    them back); ``LocalizedMessage`` the failure's message for end users when
    ``localized_message`` is given (`railguard.messages.Messages.localize`; `exchange_of`
    reads it back), else the message itself in `LOCALE`. Never a ``DebugInfo``: an
    unexpected exception's failure (`railguard.Failure.from_exception`) says nothing
    of it.

    Raises:
        ValueError: a field holds a float JSON cannot carry (NaN, infinity), or
            ``trace_id`` is not 32 lowercase hex digits.
    """
    code, message, data = serialized(failure, request_id, trace_id, localized_message)
    return Encoded(code, message, status_pb2.Status.FromString(data))


class Serialized(NamedTuple):
    """`Encoded` with the status as the bytes ``grpc-status-details-bin`` carries."""

    code: Code
    message: str
    details: bytes


def serialized(
    failure: Failure,
    request_id: str | None = None,
    trace_id: str | None = None,
    localized_message: LocalizedMessage | None = None,
) -> Serialized:
    """`encode`, the status serialized by hand (`railguard.grpc._protobuf`): what servers send.

    Raises:
        ValueError: a field holds a float JSON cannot carry (NaN, infinity), or
            ``trace_id`` is not 32 lowercase hex digits.
    """
    record = _record_of(failure)
    reason = str(record.pop("code"))
    message = str(record.pop("message"))
    hint = record.pop("retry_after", None)
    cls = type(failure)
    if not _status_varies(cls):
        record.pop("status", None)  # the class's constant: its code says it
    delay = None
    if hint is not None:
        delay = _duration(hint)
        reading = None if delay is None else _seconds(*delay)
        if reading is None or reading != hint or type(reading) is not type(hint):
            record["retry_after"] = hint  # exactly, beside the Duration's reading
    info = _protobuf.error_info(reason, domain_of(cls), to_metadata(record))
    details = [(_protobuf.ERROR_INFO, info)]
    if delay is not None:
        details.append((_protobuf.RETRY_INFO, _protobuf.retry_info(*delay)))
    if isinstance(failure, FailureGroup):
        violations = _violations(failure)
        if violations:
            details.append((_protobuf.BAD_REQUEST, _protobuf.bad_request(violations)))
    if request_id is not None or trace_id is not None:
        details.append((_protobuf.REQUEST_INFO, _request_info(request_id, trace_id)))
    code = code_for(failure)
    if localized_message is None:
        return Serialized(code, message, _protobuf.status(int(code), message, details, LOCALE))
    locale, shown = localized_message.locale, localized_message.message
    return Serialized(code, message, _protobuf.status(int(code), message, details, locale, shown))


_TRACE_PREFIX: Final = "trace_id="
"""How ``RequestInfo.serving_data`` names the trace the answer was given in."""


def _request_info(request_id: str | None, trace_id: str | None) -> bytes:
    if trace_id is None:
        return _protobuf.request_info(request_id or "", "")
    if not valid_trace_id(trace_id):
        raise ValueError(f"a trace id is 32 lowercase hex digits, not {trace_id!r}")
    return _protobuf.request_info(request_id or "", _TRACE_PREFIX + trace_id)


_varies: dict[type[Failure], bool] = {}


def _status_varies(cls: type[Failure]) -> bool:
    """Whether instances of ``cls`` carry their own HTTP status (a field, not a constant)."""
    varies = _varies.get(cls)
    if varies is None:
        varies = _varies[cls] = "status" in attrs.fields_dict(cls)
    return varies


_NANOS: Final = 1_000_000_000


def _duration(seconds: float) -> tuple[int, int] | None:
    """A hint as a ``Duration``'s (seconds, nanos), to the nanosecond; ``None`` beyond its range."""
    if not -_MAX_DURATION_SECONDS <= seconds <= _MAX_DURATION_SECONDS:
        return None
    if type(seconds) is int:
        return seconds, 0
    whole, nanos = divmod(round(Fraction(seconds) * _NANOS), _NANOS)
    if whole < 0 and nanos > 0:  # a Duration's nanos share its seconds' sign
        return whole + 1, nanos - _NANOS
    return whole, nanos


def _seconds(seconds: int, nanos: int) -> float:
    """A ``Duration`` in seconds: an ``int`` when it is whole, else the nearest float."""
    if nanos == 0:
        return seconds
    return (seconds * _NANOS + nanos) / _NANOS


def _violations(group: FailureGroup[Failure]) -> list[tuple[str, str, str]]:
    """The group's validation members as (field, description, reason)."""
    return [
        (_field_of(member), member.message, member.code)
        for member in group.failures
        if member.category is Category.VALIDATION
    ]


def _field_of(member: Failure) -> str:
    """The field a validation failure is about, when it names one (typed field or detail)."""
    for name in _FIELD_NAMES:
        value = getattr(member, name, None)
        if value is None:
            value = member.details.get(name)
        if isinstance(value, str):
            return value
        if isinstance(value, tuple) and all(isinstance(part, (str, int)) for part in value):
            return ".".join(map(str, value))
    return ""


# --- decoding --------------------------------------------------------------------------


def details_of(trailing_metadata: Iterable[tuple[str, str | bytes]] | None) -> bytes | None:
    """The ``grpc-status-details-bin`` value among a call's trailing metadata, if any."""
    for key, value in trailing_metadata or ():
        if key == DETAILS_KEY:
            return value if isinstance(value, bytes) else value.encode("utf-8", "replace")
    return None


def decode(
    code: int,
    message: str = "",
    details: bytes | status_pb2.Status | None = None,
    *,
    max_size: int = MAX_DETAILS_SIZE,
) -> Failure:
    """Return the failure a gRPC status stands for; never raises.

    A status railguard sent (its ``ErrorInfo`` names a registered code in that
    code's domain) gives back the failure `encode` was given. Any other status
    gives the generic failure of its code's category (`CODE_CATEGORIES`), keeping
    the peer's message, hint, ``ErrorInfo`` and ``grpc_code`` in its details; with
    ``BadRequest`` violations, a `railguard.FailureGroup` of validation failures.
    An unknown code gives an `railguard.UnknownFailure`; details that are too large,
    truncated or disagree with ``code`` (or a detail, ``RequestInfo`` included, that
    does not parse as its type) give a `railguard.MalformedFailure`. A ``RequestInfo``
    is the exchange's, not the failure's: `exchange_of` reads it.

    Args:
        code: the status code (``grpc.StatusCode.value[0]``, or a `Code`).
        message: the status message (``grpc-message``, the call's ``details()``).
        details: ``grpc-status-details-bin`` as received, or an already parsed status.
        max_size: larger details are rejected unparsed (bytes).
    """
    return decoded(code, message, details, max_size=max_size)[0]


def decoded(
    code: int,
    message: str = "",
    details: bytes | status_pb2.Status | None = None,
    *,
    max_size: int = MAX_DETAILS_SIZE,
) -> tuple[Failure, Exchange]:
    """`decode` and `exchange_of` in one reading of the status (what clients use); never raises."""
    try:
        failure, request = _decode(code, message, details, max_size)
    except Exception as exc:  # noqa: BLE001  # decoding is total by contract
        _log.exception("railguard: decoding a gRPC status failed unexpectedly")
        raw = details if isinstance(details, bytes) else None
        return _malformed(raw, f"undecodable ({type(exc).__name__})"), EMPTY
    return failure, request


_CODES: Final = {int(code): code for code in Code}  # a lookup, cheaper than Code(code)


def _decode(  # noqa: PLR0911  # one return per rejection
    code: int, message: str, details: bytes | status_pb2.Status | None, max_size: int
) -> tuple[Failure, Exchange]:
    """The failure of a status, and its exchange when the details are valid (else `EMPTY`)."""
    try:
        known = _CODES.get(code)
    except TypeError:  # unhashable: no code at all, as Code(code) would say
        known = None
    if known is None:
        return _with_message(UnknownFailure(details={"grpc_code": code}), message), EMPTY
    if known is Code.OK:
        return _malformed(None, "the status is OK, which carries no failure"), EMPTY
    if details is None or details == b"":
        return _foreign(known, message, status_pb2.Status(code=code, message=message)), EMPTY
    status = _parsed(details, max_size)
    if not isinstance(status, status_pb2.Status):
        return status, EMPTY
    raw = details if isinstance(details, bytes) else None
    if status.code != known:
        problem = f"the details' code {status.code} disagrees with the status code {int(known)}"
        return _malformed(raw, problem), EMPTY
    try:
        parts = _parts(status)
    except Exception:  # noqa: BLE001  # a detail's bytes do not parse as its type
        return _malformed(raw, "a detail does not parse as its declared type"), EMPTY
    exchange = _exchange_from(parts.request, parts.localized, status.message)
    return _from_status(known, message, status, parts, raw), exchange


def _parsed(details: bytes | status_pb2.Status, max_size: int) -> status_pb2.Status | Failure:
    """The details as a ``google.rpc.Status``, or the `MalformedFailure` they are."""
    if isinstance(details, status_pb2.Status):
        return details
    if len(details) > max_size:
        return _malformed(details, f"too large: {len(details)} bytes, the limit is {max_size}")
    status = status_pb2.Status()
    try:
        status.ParseFromString(details)
    except Exception:  # noqa: BLE001  # protobuf's DecodeError, or worse
        return _malformed(details, "not a google.rpc.Status")
    return status


def exchange_of(
    details: bytes | status_pb2.Status | None, *, max_size: int = MAX_DETAILS_SIZE
) -> Exchange:
    """The exchange members of a status: request id, trace id and localized message.

    What `encode` was given as ``request_id`` and ``trace_id`` (its ``RequestInfo``;
    a ``serving_data`` other than ``trace_id=<32 hex digits>`` gives no trace id) and
    as ``localized_message`` (its ``LocalizedMessage``, the message for end users). A
    ``LocalizedMessage`` that only repeats ``Status.message`` (what railguard sends
    without `railguard.messages.Messages`, and what many servers mirror) or is empty
    is no message for end users: ``localized_message`` is then ``None``. `EMPTY`
    without either detail. Never raises: details that do not parse, or a detail that
    does not, read as absent.
    """
    status = None if details is None else _parsed(details, max_size)
    return _exchange_in(status) if isinstance(status, status_pb2.Status) else EMPTY


def _exchange_in(status: status_pb2.Status) -> Exchange:
    request: error_details_pb2.RequestInfo | None = None
    localized: error_details_pb2.LocalizedMessage | None = None
    request_seen = localized_seen = False
    for any_ in status.details:
        name = any_.type_url.rpartition("/")[2]
        if name == _REQUEST_INFO and not request_seen:
            request_seen = True
            request = _read_detail(error_details_pb2.RequestInfo, any_.value)
        elif name == _LOCALIZED and not localized_seen:
            localized_seen = True
            localized = _read_detail(error_details_pb2.LocalizedMessage, any_.value)
    return _exchange_from(request, localized, status.message)


_D = TypeVar("_D", error_details_pb2.RequestInfo, error_details_pb2.LocalizedMessage)


def _read_detail(kind: type[_D], value: bytes) -> _D | None:
    """A detail's message, or ``None`` when its bytes do not parse as ``kind``."""
    try:
        return kind.FromString(value)
    except Exception:  # noqa: BLE001  # protobuf's DecodeError, or worse
        return None


def _exchange_from(
    info: error_details_pb2.RequestInfo | None,
    localized: error_details_pb2.LocalizedMessage | None,
    status_message: str,
) -> Exchange:
    shown = _user_message(localized, status_message)
    if info is None:
        return EMPTY if shown is None else Exchange(localized_message=shown)
    serving = info.serving_data
    trace = serving[len(_TRACE_PREFIX) :] if serving.startswith(_TRACE_PREFIX) else None
    trace = trace if valid_trace_id(trace) else None
    return Exchange(info.request_id or None, trace, shown)


def _user_message(
    localized: error_details_pb2.LocalizedMessage | None, status_message: str
) -> LocalizedMessage | None:
    """A ``LocalizedMessage`` as a message for end users: not when empty or the message again."""
    if localized is None or not localized.message or localized.message == status_message:
        return None
    return LocalizedMessage(localized.locale, localized.message)


class _Parts(NamedTuple):
    info: error_details_pb2.ErrorInfo | None
    retry: error_details_pb2.RetryInfo | None
    violations: list[error_details_pb2.BadRequest.FieldViolation]
    localized: error_details_pb2.LocalizedMessage | None
    foreign: list[str]
    request: error_details_pb2.RequestInfo | None = None


_ERROR_INFO: Final = error_details_pb2.ErrorInfo.DESCRIPTOR.full_name
_RETRY_INFO: Final = error_details_pb2.RetryInfo.DESCRIPTOR.full_name
_BAD_REQUEST: Final = error_details_pb2.BadRequest.DESCRIPTOR.full_name
_LOCALIZED: Final = error_details_pb2.LocalizedMessage.DESCRIPTOR.full_name
_REQUEST_INFO: Final = error_details_pb2.RequestInfo.DESCRIPTOR.full_name


def _parts(status: status_pb2.Status) -> _Parts:
    info: error_details_pb2.ErrorInfo | None = None
    retry: error_details_pb2.RetryInfo | None = None
    violations: list[error_details_pb2.BadRequest.FieldViolation] = []
    localized: error_details_pb2.LocalizedMessage | None = None
    foreign: list[str] = []
    request: error_details_pb2.RequestInfo | None = None
    for any_ in status.details:
        name = any_.type_url.rpartition("/")[2]
        if name == _ERROR_INFO and info is None:
            info = error_details_pb2.ErrorInfo.FromString(any_.value)
        elif name == _RETRY_INFO and retry is None:
            retry = error_details_pb2.RetryInfo.FromString(any_.value)
        elif name == _BAD_REQUEST:
            violations.extend(error_details_pb2.BadRequest.FromString(any_.value).field_violations)
        elif name == _LOCALIZED and localized is None:
            localized = error_details_pb2.LocalizedMessage.FromString(any_.value)
        elif name == _REQUEST_INFO and request is None:  # the exchange's (`exchange_of`)
            request = error_details_pb2.RequestInfo.FromString(any_.value)  # broken: malformed
        elif len(foreign) < _MAX_FOREIGN:
            # DebugInfo, QuotaFailure, a type we have never heard of: named, never read
            foreign.append(name[:200])
    return _Parts(info, retry, violations, localized, foreign, request)


def _waited(retry: error_details_pb2.RetryInfo) -> float:
    """A ``RetryInfo``'s delay in seconds (`_seconds`)."""
    return _seconds(retry.retry_delay.seconds, retry.retry_delay.nanos)


def _from_status(
    code: Code, message: str, status: status_pb2.Status, parts: _Parts, raw: bytes | None
) -> Failure:
    info = parts.info
    if info is not None:
        try:
            record = from_metadata(info.metadata)
        except ValueError as exc:
            record = None
            problem = str(exc)
        if record is None:
            return _malformed(raw, f"bad ErrorInfo metadata: {problem}")
        kind = record.get("kind")
        cls = lookup(kind if isinstance(kind, str) else info.reason)
        if cls is not None and domain_of(cls) == info.domain:
            return _ours(info.reason, parts, status.message or message, record, raw)
    return _foreign(code, message, status, parts)


def _ours(
    reason: str, parts: _Parts, message: str, record: dict[str, Any], raw: bytes | None
) -> Failure:
    record["code"] = reason
    record["message"] = message  # Status.message: the LocalizedMessage may be for end users
    if "retry_after" not in record and parts.retry is not None:
        record["retry_after"] = _waited(parts.retry)
    try:
        return _failure_of(record)
    except ValueError as exc:
        return _malformed(raw, str(exc))


def _foreign(
    code: Code, message: str, status: status_pb2.Status, parts: _Parts | None = None
) -> Failure:
    """A status railguard did not send: the generic failure of its code's category."""
    parts = parts or _Parts(None, None, [], None, [])
    category = CODE_CATEGORIES[code]
    # the developer's message; a status that leaves it empty: its LocalizedMessage, as before
    shown = "" if parts.localized is None else parts.localized.message
    text = status.message or shown or message
    details: dict[str, object] = {"grpc_code": code.name}
    if parts.info is not None:
        details["reason"] = parts.info.reason
        details["domain"] = parts.info.domain
        details["metadata"] = dict(parts.info.metadata)
    if parts.foreign:
        details["grpc_details"] = list(parts.foreign)
    kwargs: dict[str, Any] = {"details": details}
    if text:
        kwargs["message"] = text
    if parts.retry is not None:
        kwargs["retry_after"] = _waited(parts.retry)
    if parts.violations:
        members = [
            _with_message(
                ValidationFailure(details={"field": v.field, "reason": v.reason}), v.description
            )
            for v in parts.violations
        ]
        return FailureGroup(failures=members, **kwargs)
    if parts.info is not None and parts.info.reason:
        return UnknownFailure(
            code=parts.info.reason, status=category.default_status, category=category, **kwargs
        )
    return generic_class(category)(**kwargs)


def _with_message(failure: F, message: str) -> F:
    """``failure`` with the peer's message, or its class's own when the peer sent none."""
    return attrs.evolve(failure, message=message) if message else failure


def _malformed(raw: bytes | None, problem: str) -> MalformedFailure:
    excerpt = None if raw is None else base64.b64encode(raw[:_RAW_EXCERPT]).decode("ascii")
    return MalformedFailure(
        message="The peer sent a malformed gRPC status.", raw=excerpt, details={"problem": problem}
    )
