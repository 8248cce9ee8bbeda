"""railguard: typed, explicit, lossless error handling for Python services.

Business logic returns ``Result[T, SomeFailure]``; failures are immutable attrs
values that know their category, retry semantics and wire forms. ``Ok`` and
``Err`` are returns' ``Success`` and ``Failure``, renamed because `Failure` is
railguard's error base class.
"""

import typing

from returns.result import Failure as Err
from returns.result import Result
from returns.result import Success as Ok

from railguard._catalog import catalog  # also checks every failure class as it is defined
from railguard.core import (
    EMPTY_DETAILS,
    AuthenticationFailure,
    AuthorizationFailure,
    Category,
    CodeFailure,
    ConfigurationFailure,
    ConflictFailure,
    Details,
    DuplicateCodeError,
    Failure,
    InfrastructureFailure,
    InternalFailure,
    JSONValue,
    MalformedFailure,
    NotFoundFailure,
    ProtocolFailure,
    RateLimitFailure,
    Recovery,
    Retry,
    StatusFailure,
    TimeoutFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
    freeze_json,
    lookup,
    thaw_json,
)

if typing.TYPE_CHECKING:
    from railguard.core import (
        CarriesFailure,
        Catcher,
        FailureGroup,
        RailguardError,
        RailguardExceptionGroup,
        cases,
        catching,
        collect,
        register_exception,
        then,
        unwrap_or_raise,
        wire_failure,
    )

__version__ = "0.1.0"

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
    "Err",
    "Failure",
    "FailureGroup",
    "InfrastructureFailure",
    "InternalFailure",
    "JSONValue",
    "MalformedFailure",
    "NotFoundFailure",
    "Ok",
    "ProtocolFailure",
    "RailguardError",
    "RailguardExceptionGroup",
    "RateLimitFailure",
    "Recovery",
    "Result",
    "Retry",
    "StatusFailure",
    "TimeoutFailure",
    "UnknownFailure",
    "UpstreamFailure",
    "ValidationFailure",
    "WorkflowFailure",
    "__version__",
    "cases",
    "catalog",
    "catching",
    "collect",
    "freeze_json",
    "lookup",
    "register_exception",
    "thaw_json",
    "then",
    "unwrap_or_raise",
    "wire_failure",
]

_LAZY = frozenset(
    {
        "CarriesFailure",
        "Catcher",
        "FailureGroup",
        "RailguardError",
        "RailguardExceptionGroup",
        "cases",
        "catching",
        "collect",
        "register_exception",
        "then",
        "unwrap_or_raise",
        "wire_failure",
    }
)


if not typing.TYPE_CHECKING:  # checkers see the static imports above, never a catch-all

    def __getattr__(name: str) -> object:
        """Load a name of the exception layer or the Result helpers on first use."""
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        import railguard.core  # noqa: PLC0415  # already loaded; its __getattr__ loads the name

        value = getattr(railguard.core, name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *__all__})
