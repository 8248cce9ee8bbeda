"""railguard's core: failures, categories, retry semantics, the catalog and Result helpers.

The exception layer (``_exceptions``) and the Result helpers (``_result``) load on
first use of one of their names: a service that only builds and returns failures
never pays for them at import.
"""

import typing

from . import _unwrap_text  # noqa: F401  # Err(f).unwrap() names the failure
from ._details import EMPTY_DETAILS, Details, JSONValue, freeze_json, thaw_json
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
    StatusFailure,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
)
from ._registry import DuplicateCodeError, lookup
from ._semantics import Category, Recovery, Retry

if typing.TYPE_CHECKING:
    from ._exceptions import (
        CarriesFailure,
        FailureGroup,
        RailguardError,
        RailguardExceptionGroup,
        attach_cause,
    )
    from ._policy import (
        cause_from,
        expose,
        failure_from_exception,
        from_peer,
        is_from_peer,
        peer_exception,
        peer_request_id,
        plain_request_id,
        public_failure,
        register_exception,
        wire_failure,
    )
    from ._result import Catcher, cases, catching, collect, then, unwrap_or_raise
    from ._retry_after import MAX_RETRY_AFTER, parse_retry_after

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
    "StatusFailure",
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
    "expose",
    "failure_from_exception",
    "freeze_json",
    "from_peer",
    "is_from_peer",
    "lookup",
    "parse_retry_after",
    "peer_exception",
    "peer_request_id",
    "plain_request_id",
    "public_failure",
    "register_exception",
    "thaw_json",
    "then",
    "unwrap_or_raise",
    "wire_failure",
]

_LAZY = {
    "CarriesFailure": "_exceptions",
    "FailureGroup": "_exceptions",
    "RailguardError": "_exceptions",
    "RailguardExceptionGroup": "_exceptions",
    "attach_cause": "_exceptions",
    "cause_from": "_policy",
    "expose": "_policy",
    "failure_from_exception": "_policy",
    "from_peer": "_policy",
    "is_from_peer": "_policy",
    "peer_exception": "_policy",
    "peer_request_id": "_policy",
    "plain_request_id": "_policy",
    "public_failure": "_policy",
    "register_exception": "_policy",
    "wire_failure": "_policy",
    "MAX_RETRY_AFTER": "_retry_after",
    "parse_retry_after": "_retry_after",
    "Catcher": "_result",
    "cases": "_result",
    "catching": "_result",
    "collect": "_result",
    "then": "_result",
    "unwrap_or_raise": "_result",
}


if not typing.TYPE_CHECKING:  # checkers see the static imports above, never a catch-all

    def __getattr__(name: str) -> object:
        """Load a name of the exception layer or the Result helpers on first use."""
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import importlib  # noqa: PLC0415  # only on the first lazy access

        value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
