"""What kind of failure it is (`Category`) and what to do about it (`Recovery`, `Retry`)."""

from __future__ import annotations

import enum
from http import HTTPStatus

import attrs

__all__ = ["Category", "Recovery", "Retry"]


class Recovery(enum.Enum):
    """The recovery strategy a failure asks of its caller."""

    DONT_RETRY = "dont_retry"
    """Retrying cannot help: the same call fails the same way."""
    BACKOFF = "backoff"
    """Transient: retry the same call, with exponential backoff and jitter."""
    AFTER_HINT = "after_hint"
    """Retry after the delay the server asked for (``Retry-After``); backoff if none."""
    REGENERATE = "regenerate"
    """The input is at fault: produce new input from the failure, then retry."""
    RECONNECT = "reconnect"
    """The session is gone: reconnect first, then retry."""
    ESCALATE = "escalate"
    """A person must act (conflict, approval, configuration); do not retry."""


_RETRYABLE = frozenset(
    {Recovery.BACKOFF, Recovery.AFTER_HINT, Recovery.REGENERATE, Recovery.RECONNECT}
)


@attrs.frozen
class Retry:
    """Retry semantics of a failure: the recovery strategy and the server's hint.

    Args:
        recovery: what the caller should do.
        after: the server's hint in seconds (``Retry-After``), when one was given.
    """

    recovery: Recovery
    after: float | None = None

    @property
    def retryable(self) -> bool:
        """Whether trying again (possibly after new input or a reconnect) may succeed."""
        return self.recovery in _RETRYABLE


class Category(enum.Enum):
    """What kind of problem a failure is; one enum for every family.

    The first four values are the executor document's ``ErrorCategory`` values.
    Each category has a default HTTP status and recovery strategy.
    """

    INFRASTRUCTURE = "infrastructure"
    CODE_RELATED = "code_related"
    WORKFLOW = "workflow"
    CONFIGURATION = "configuration"
    VALIDATION = "validation"
    AUTHENTICATION = "authentication"
    AUTHORIZATION = "authorization"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RATE_LIMIT = "rate_limit"
    TIMEOUT = "timeout"
    UPSTREAM = "upstream"
    PROTOCOL = "protocol"
    INTERNAL = "internal"

    @property
    def default_status(self) -> HTTPStatus:
        """The HTTP status a failure of this category answers with by default."""
        return self._status  # type: ignore[attr-defined, no-any-return]  # set below

    @property
    def default_recovery(self) -> Recovery:
        """The recovery strategy a failure of this category asks for by default."""
        return self._recovery  # type: ignore[attr-defined, no-any-return]  # set below

    @property
    def default_fatal(self) -> bool:
        """Whether a failure of this category ends its connection or session by default.

        Only a failed authentication and a broken protocol do: after either, the
        peer's next message cannot be trusted. Every other failure is answered
        and the connection goes on, unless its class declares ``fatal=True``.
        """
        return self._fatal  # type: ignore[attr-defined, no-any-return]  # set below

    @classmethod
    def for_status(cls, status: int) -> Category:
        """The category that best describes an HTTP status received from a peer."""
        exact = _CATEGORY_FOR_STATUS.get(status)
        if exact is not None:
            return exact
        if 400 <= status < 500:
            return cls.VALIDATION
        if status >= 500:
            return cls.INTERNAL
        return cls.PROTOCOL


_S = HTTPStatus
_DEFAULT_STATUS: dict[Category, HTTPStatus] = {
    Category.INFRASTRUCTURE: _S.SERVICE_UNAVAILABLE,
    Category.CODE_RELATED: _S.UNPROCESSABLE_ENTITY,
    Category.WORKFLOW: _S.INTERNAL_SERVER_ERROR,
    Category.CONFIGURATION: _S.INTERNAL_SERVER_ERROR,
    Category.VALIDATION: _S.BAD_REQUEST,
    Category.AUTHENTICATION: _S.UNAUTHORIZED,
    Category.AUTHORIZATION: _S.FORBIDDEN,
    Category.NOT_FOUND: _S.NOT_FOUND,
    Category.CONFLICT: _S.CONFLICT,
    Category.RATE_LIMIT: _S.TOO_MANY_REQUESTS,
    Category.TIMEOUT: _S.GATEWAY_TIMEOUT,
    Category.UPSTREAM: _S.BAD_GATEWAY,
    Category.PROTOCOL: _S.BAD_REQUEST,
    Category.INTERNAL: _S.INTERNAL_SERVER_ERROR,
}
_DEFAULT_RECOVERY: dict[Category, Recovery] = {
    Category.INFRASTRUCTURE: Recovery.BACKOFF,
    Category.CODE_RELATED: Recovery.REGENERATE,
    Category.WORKFLOW: Recovery.ESCALATE,
    Category.CONFIGURATION: Recovery.ESCALATE,
    Category.VALIDATION: Recovery.DONT_RETRY,
    Category.AUTHENTICATION: Recovery.DONT_RETRY,
    Category.AUTHORIZATION: Recovery.DONT_RETRY,
    Category.NOT_FOUND: Recovery.DONT_RETRY,
    Category.CONFLICT: Recovery.ESCALATE,
    Category.RATE_LIMIT: Recovery.AFTER_HINT,
    Category.TIMEOUT: Recovery.BACKOFF,
    Category.UPSTREAM: Recovery.BACKOFF,
    Category.PROTOCOL: Recovery.DONT_RETRY,
    Category.INTERNAL: Recovery.DONT_RETRY,
}
_FATAL_CATEGORIES = frozenset({Category.AUTHENTICATION, Category.PROTOCOL})
_CATEGORY_FOR_STATUS: dict[int, Category] = {
    400: Category.VALIDATION,
    401: Category.AUTHENTICATION,
    402: Category.AUTHORIZATION,  # refused until paid: not the request's shape (validation)
    403: Category.AUTHORIZATION,
    404: Category.NOT_FOUND,
    408: Category.TIMEOUT,
    409: Category.CONFLICT,
    410: Category.NOT_FOUND,
    422: Category.VALIDATION,
    429: Category.RATE_LIMIT,
    500: Category.INTERNAL,
    502: Category.UPSTREAM,
    503: Category.INFRASTRUCTURE,
    504: Category.TIMEOUT,
}

# Each member keeps its defaults as attributes: read on every ``failure.status``,
# ``failure.recovery`` and ``failure.fatal``, where a table lookup would hash the member
# in Python.
for _category in Category:
    _category._status = _DEFAULT_STATUS[_category]  # type: ignore[attr-defined]
    _category._recovery = _DEFAULT_RECOVERY[_category]  # type: ignore[attr-defined]
    _category._fatal = _category in _FATAL_CATEGORIES  # type: ignore[attr-defined]


def plain_retry(recovery: Recovery) -> Retry:
    """The shared `Retry` of ``recovery`` without a server hint (an immutable value)."""
    return _PLAIN_RETRY[recovery._value_]


_PLAIN_RETRY: dict[str, Retry] = {recovery._value_: Retry(recovery) for recovery in Recovery}
