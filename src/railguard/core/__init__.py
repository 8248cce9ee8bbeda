"""railguard's core: failures, categories, retry semantics, the catalog and Result helpers."""

from ._details import EMPTY_DETAILS, Details, JSONValue, freeze_json, thaw_json
from ._exceptions import (
    CarriesFailure,
    FailureGroup,
    RailguardError,
    RailguardExceptionGroup,
    attach_cause,
)
from ._failure import Failure
from ._generic import (
    AuthenticationFailure,
    AuthorizationFailure,
    CodeFailure,
    ConfigurationFailure,
    ConflictFailure,
    InfrastructureFailure,
    InternalFailure,
    MalformedFailure,
    NotFoundFailure,
    ProtocolFailure,
    RateLimitFailure,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
)
from ._policy import cause_from, failure_from_exception, register_exception, wire_failure
from ._registry import DuplicateCodeError, lookup
from ._result import Catcher, cases, catching, collect, unwrap_or_raise
from ._retry_after import MAX_RETRY_AFTER, parse_retry_after
from ._semantics import Category, Recovery, Retry

__all__ = [
    "EMPTY_DETAILS",
    "MAX_RETRY_AFTER",
    "AuthenticationFailure",
    "AuthorizationFailure",
    "CarriesFailure",
    "Catcher",
    "Category",
    "CodeFailure",
    "ConfigurationFailure",
    "ConflictFailure",
    "Details",
    "DuplicateCodeError",
    "Failure",
    "FailureGroup",
    "InfrastructureFailure",
    "InternalFailure",
    "JSONValue",
    "MalformedFailure",
    "NotFoundFailure",
    "ProtocolFailure",
    "RailguardError",
    "RailguardExceptionGroup",
    "RateLimitFailure",
    "Recovery",
    "Retry",
    "TimeoutFailure",
    "UnknownFailure",
    "UpstreamFailure",
    "ValidationFailure",
    "WorkflowFailure",
    "attach_cause",
    "cases",
    "catching",
    "cause_from",
    "collect",
    "failure_from_exception",
    "freeze_json",
    "lookup",
    "parse_retry_after",
    "register_exception",
    "thaw_json",
    "unwrap_or_raise",
    "wire_failure",
]
