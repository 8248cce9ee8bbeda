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
from ._registry import DuplicateCodeError, catalog, lookup
from ._result import Catcher, cases, catching, collect, unwrap_or_raise
from ._semantics import Category, Recovery, Retry

__all__ = [
    "EMPTY_DETAILS",
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
    "catalog",
    "catching",
    "cause_from",
    "collect",
    "failure_from_exception",
    "freeze_json",
    "lookup",
    "register_exception",
    "thaw_json",
    "unwrap_or_raise",
    "wire_failure",
]
