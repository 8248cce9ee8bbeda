"""gRPC status codes and the one table between them, railguard's categories and HTTP."""

from __future__ import annotations

import enum
from typing import Final

from railguard.core import (
    AuthenticationFailure,
    AuthorizationFailure,
    Category,
    CodeFailure,
    ConfigurationFailure,
    ConflictFailure,
    Failure,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    ProtocolFailure,
    RateLimitFailure,
    TimeoutFailure,
    UpstreamFailure,
    ValidationFailure,
    WorkflowFailure,
)

__all__ = ["CATEGORY_CODES", "CODE_CATEGORIES", "Code", "code_for", "generic_class"]


class Code(enum.IntEnum):
    """The canonical gRPC status codes (``google.rpc.Code``), comparable with plain ints."""

    OK = 0
    CANCELLED = 1
    UNKNOWN = 2
    INVALID_ARGUMENT = 3
    DEADLINE_EXCEEDED = 4
    NOT_FOUND = 5
    ALREADY_EXISTS = 6
    PERMISSION_DENIED = 7
    RESOURCE_EXHAUSTED = 8
    FAILED_PRECONDITION = 9
    ABORTED = 10
    OUT_OF_RANGE = 11
    UNIMPLEMENTED = 12
    INTERNAL = 13
    UNAVAILABLE = 14
    DATA_LOSS = 15
    UNAUTHENTICATED = 16

    @property
    def http_status(self) -> int:
        """The HTTP status ``google.rpc.Code`` documents for this code (499 has no `HTTPStatus`)."""
        return _GOOGLE_HTTP[self]


# google/rpc/code.proto: "HTTP Mapping" of each code.
_GOOGLE_HTTP: Final[dict[Code, int]] = {
    Code.OK: 200,
    Code.CANCELLED: 499,
    Code.UNKNOWN: 500,
    Code.INVALID_ARGUMENT: 400,
    Code.DEADLINE_EXCEEDED: 504,
    Code.NOT_FOUND: 404,
    Code.ALREADY_EXISTS: 409,
    Code.PERMISSION_DENIED: 403,
    Code.RESOURCE_EXHAUSTED: 429,
    Code.FAILED_PRECONDITION: 400,
    Code.ABORTED: 409,
    Code.OUT_OF_RANGE: 400,
    Code.UNIMPLEMENTED: 501,
    Code.INTERNAL: 500,
    Code.UNAVAILABLE: 503,
    Code.DATA_LOSS: 500,
    Code.UNAUTHENTICATED: 401,
}

# One row per category: the code a failure of it answers with, and the generic failure a
# foreign status of that category becomes. docs/boundaries/grpc.md shows this table.
_ROWS: Final[dict[Category, tuple[Code, type[Failure]]]] = {
    Category.VALIDATION: (Code.INVALID_ARGUMENT, ValidationFailure),
    Category.AUTHENTICATION: (Code.UNAUTHENTICATED, AuthenticationFailure),
    Category.AUTHORIZATION: (Code.PERMISSION_DENIED, AuthorizationFailure),
    Category.NOT_FOUND: (Code.NOT_FOUND, NotFoundFailure),
    Category.CONFLICT: (Code.ABORTED, ConflictFailure),
    Category.RATE_LIMIT: (Code.RESOURCE_EXHAUSTED, RateLimitFailure),
    Category.TIMEOUT: (Code.DEADLINE_EXCEEDED, TimeoutFailure),
    Category.INFRASTRUCTURE: (Code.UNAVAILABLE, InfrastructureFailure),
    Category.UPSTREAM: (Code.UNAVAILABLE, UpstreamFailure),
    Category.WORKFLOW: (Code.FAILED_PRECONDITION, WorkflowFailure),
    Category.CODE_RELATED: (Code.INVALID_ARGUMENT, CodeFailure),
    Category.CONFIGURATION: (Code.INTERNAL, ConfigurationFailure),
    Category.PROTOCOL: (Code.INVALID_ARGUMENT, ProtocolFailure),
    Category.INTERNAL: (Code.INTERNAL, InternalFailure),
}

CATEGORY_CODES: Final[dict[Category, Code]] = {cat: row[0] for cat, row in _ROWS.items()}
"""The gRPC code a failure of each category answers with."""

CODE_CATEGORIES: Final[dict[Code, Category]] = {
    Code.CANCELLED: Category.INFRASTRUCTURE,
    Code.UNKNOWN: Category.INTERNAL,
    Code.INVALID_ARGUMENT: Category.VALIDATION,
    Code.DEADLINE_EXCEEDED: Category.TIMEOUT,
    Code.NOT_FOUND: Category.NOT_FOUND,
    Code.ALREADY_EXISTS: Category.CONFLICT,
    Code.PERMISSION_DENIED: Category.AUTHORIZATION,
    Code.RESOURCE_EXHAUSTED: Category.RATE_LIMIT,
    Code.FAILED_PRECONDITION: Category.WORKFLOW,
    Code.ABORTED: Category.CONFLICT,
    Code.OUT_OF_RANGE: Category.VALIDATION,
    Code.UNIMPLEMENTED: Category.CONFIGURATION,
    Code.INTERNAL: Category.INTERNAL,
    Code.UNAVAILABLE: Category.INFRASTRUCTURE,
    Code.DATA_LOSS: Category.INTERNAL,
    Code.UNAUTHENTICATED: Category.AUTHENTICATION,
}
"""The category a foreign status (one without railguard's ``ErrorInfo``) is read as."""


def code_for(failure: Failure) -> Code:
    """The gRPC code ``failure`` answers with: its category's row of `CATEGORY_CODES`."""
    return CATEGORY_CODES[failure.category]


def generic_class(category: Category) -> type[Failure]:
    """The generic failure class a foreign status of ``category`` decodes to."""
    return _ROWS[category][1]
