"""The one function every boundary calls when it answers a failure: log once, then observers.

A boundary (HTTP response, WebSocket frame, retry attempt and exhaustion, the
httpx client, gRPC, Celery) calls `report` once per failure it answers. The
failure is logged on ``railguard.<boundary>`` at its category's level with
structured fields in ``extra=``, then handed to every registered observer
(metrics, tracing). Nothing here imports beyond the standard library.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Final

import attrs

from railguard.core import Category, Failure, InternalFailure
from railguard.core._policy import peer_request_id, relayed_codes
from railguard.observe._request_id import REQUEST_ID

__all__ = [
    "SERVER_SIDE",
    "Observation",
    "Observer",
    "add_observer",
    "fields_of",
    "level_for",
    "listening",
    "observed",
    "remove_observer",
    "report",
    "set_levels",
]

SERVER_SIDE: Final = frozenset(
    {
        Category.INTERNAL,
        Category.CONFIGURATION,
        Category.INFRASTRUCTURE,
        Category.TIMEOUT,
        Category.UPSTREAM,
    }
)
"""Categories that are the service's own (or its dependencies') fault, not the client's."""

_ERROR_CATEGORIES: Final = frozenset({Category.INTERNAL, Category.CONFIGURATION})
_DEFAULT_LEVELS: Final[Mapping[Category, int]] = {
    category: logging.ERROR
    if category in _ERROR_CATEGORIES
    else logging.WARNING
    if category in SERVER_SIDE
    else logging.INFO
    for category in Category
}
_levels: dict[Category, int] = dict(_DEFAULT_LEVELS)
_class_levels: dict[type[Failure], int] = {}
"""The level of each failure class whose category is the class's own (cleared by `set_levels`)."""
_CLASS_CATEGORY: Final = Failure.__dict__["category"]
"""`Failure.category`, the property a class-level category is read through."""
_loggers: dict[str, logging.Logger] = {}
_MAX_CAUSES: Final = 16
_self_log = logging.getLogger("railguard.observe")


@attrs.frozen
class Observation:
    """One failure answered at a boundary, as observers receive it."""

    failure: Failure
    boundary: str
    """``http``, ``websocket``, ``retry``, ``httpx``, ``grpc`` or ``celery``."""
    outcome: str = "answered"
    """``answered`` (sent to a peer), ``received`` (from a peer), ``attempt`` or ``exhausted``."""
    exception: BaseException | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    upstream_codes: tuple[str, ...] = ()
    """The codes of the peer failures answered as ``failure`` (`railguard.core.public_failure`)."""


Observer = Callable[[Observation], None]
"""Called with every `Observation` after it is logged; an observer must not raise."""

_observers: tuple[Observer, ...] = ()


def add_observer(observer: Observer) -> None:
    """Call ``observer`` with every failure any boundary reports from now on (once)."""
    global _observers  # noqa: PLW0603  # a tuple swapped whole: report() reads it lock-free
    if observer not in _observers:
        _observers = (*_observers, observer)


def remove_observer(observer: Observer) -> None:
    """Stop calling ``observer`` (no error if it was not registered)."""
    global _observers  # noqa: PLW0603  # see add_observer
    _observers = tuple(o for o in _observers if o != observer)


def set_levels(levels: Mapping[Category, int] | None = None) -> None:
    """Set the log level of failures per category; ``None`` restores the defaults.

    Defaults: ERROR for internal and configuration failures, WARNING for the
    other server-side categories (infrastructure, timeout, upstream), INFO for
    the client's mistakes (validation, not found, authentication, ...).
    """
    _levels.clear()
    _levels.update(_DEFAULT_LEVELS)
    _levels.update(levels or {})
    _class_levels.clear()


def level_for(failure: Failure) -> int:
    """The level ``failure`` is logged at (its category's)."""
    level = _class_levels.get(type(failure))
    if level is not None:
        return level
    level = _levels[failure.category]
    if type(failure).category is _CLASS_CATEGORY:  # not a field or a property of its own
        _class_levels[type(failure)] = level  # the category is the class's: once per class
    return level


def fields_of(observation: Observation) -> dict[str, object]:
    """The structured fields of a log line: codes, enums and ids only, nothing of a message."""
    o = observation
    return _fields(
        o.failure, o.boundary, o.outcome, o.request_id, o.idempotency_key, o.upstream_codes
    )


def _fields(  # noqa: PLR0917  # positional: the hot path's whole state, passed flat
    failure: Failure,
    boundary: str,
    outcome: str,
    request_id: str | None,
    idempotency_key: str | None,
    upstream: tuple[str, ...],
) -> dict[str, object]:
    cause = failure.cause
    causes: list[str] = []
    while cause is not None and len(causes) < _MAX_CAUSES:
        causes.append(cause.code)
        cause = cause.cause
    return {
        "boundary": boundary,
        "outcome": outcome,
        "code": failure.code,
        "category": failure.category._value_,  # the plain attribute: `.value` is a descriptor
        "status": int(failure.status),
        "recovery": failure.recovery._value_,
        "retry_after": failure.retry_after,
        "request_id": request_id,
        "peer_request_id": peer_request_id(failure),
        "idempotency_key": idempotency_key,
        "cause_codes": tuple(causes),
        "upstream_codes": upstream,
    }


def _logger(boundary: str) -> logging.Logger:
    found = _loggers.get(boundary)
    if found is None:
        found = _loggers[boundary] = logging.getLogger(f"railguard.{boundary}")
    return found


def listening(failure: Failure, boundary: str) -> bool:
    """Whether `report` of ``failure`` at ``boundary`` has anyone to tell (cheap).

    An observer is installed, or ``railguard.<boundary>`` takes the failure's level
    (``Logger.isEnabledFor``, which follows level changes). A boundary on a hot path
    asks this first: when nothing listens, it costs less than the call that finds out.
    """
    if _observers:
        return True
    logger = _loggers.get(boundary) or _logger(boundary)
    return logger.isEnabledFor(_class_levels.get(type(failure)) or level_for(failure))


def observed() -> bool:
    """Whether an observer is installed: what `report` with ``log=False`` has to tell (cheap).

    A boundary that logs the event itself (retry) asks this first.
    """
    return bool(_observers)


def report(
    failure: Failure,
    *,
    boundary: str,
    outcome: str = "answered",
    exception: BaseException | None = None,
    request_id: str | None = None,
    idempotency_key: str | None = None,
    log: bool = True,
) -> None:
    """Record one failure a boundary answered: one log line, then every observer.

    The line goes to ``railguard.<boundary>`` at the category's level (see
    `set_levels`) and reads ``answered NOT_FOUND: Agent not found``: the code
    and the message the peer is told. A failure answered in place of a peer's
    (`railguard.core.public_failure`) names the peer's codes on the same line:
    ``answered UPSTREAM: ... (upstream AGENT_NOT_FOUND)``. An unexpected exception
    (``exception``, or an `railguard.InternalFailure`'s own) is named by its type and
    attached as ``exc_info`` for the in-process log only; the structured fields never
    hold its text. ``request_id`` defaults to the id `RequestIdMiddleware` set for
    the request being served. ``log=False`` is for a boundary that logs the event
    itself (retry) and only needs observers. Nothing is built when no handler takes
    the line and no observer is installed.
    """
    observers = _observers
    logger: logging.Logger | None = None
    level = 0
    if log:
        logger = _loggers.get(boundary) or _logger(boundary)
        level = _class_levels.get(type(failure)) or level_for(failure)
        if not logger.isEnabledFor(level):
            logger = None
    if logger is None and not observers:
        return
    if request_id is None:
        request_id = REQUEST_ID.get()
    if exception is None and type(failure) is InternalFailure:
        exception = failure.exception
    upstream = relayed_codes(failure)
    if logger is not None:
        _line(
            logger,
            level,
            failure,
            boundary,
            outcome,
            exception,
            request_id,
            idempotency_key,
            upstream,
        )
    if not observers:
        return
    observation = Observation(
        failure, boundary, outcome, exception, request_id, idempotency_key, upstream
    )
    for observer in observers:
        try:
            observer(observation)
        except Exception:  # noqa: BLE001  # an observer's bug must not break an answer
            _self_log.exception("railguard: observer %r failed", observer)


def _line(  # noqa: PLR0917  # positional: the hot path's whole state, passed flat
    logger: logging.Logger,
    level: int,
    failure: Failure,
    boundary: str,
    outcome: str,
    exception: BaseException | None,
    request_id: str | None,
    idempotency_key: str | None,
    upstream: tuple[str, ...],
) -> None:
    """Make and handle the record (``findCaller`` would only find `report` itself)."""
    args: tuple[object, ...]
    text, args = "%s %s", (outcome, failure)
    exc_info: tuple[type[BaseException], BaseException, TracebackType | None] | None = None
    if upstream:
        text, args = "%s %s (upstream %s)", (outcome, failure, ", ".join(upstream))
    if exception is not None:  # the type names the bug in-process; its text stays in exc_info
        text, args = text + " (unexpected %s)", (*args, type(exception).__qualname__)
        exc_info = (type(exception), exception, exception.__traceback__)
    record = logger.makeRecord(logger.name, level, __file__, 0, text, args, exc_info, "report")
    # set directly, not as ``extra=``: makeRecord's per-key clash check costs as much as
    # the record itself, and these names are railguard's own (none is a LogRecord's)
    record.__dict__.update(
        _fields(failure, boundary, outcome, request_id, idempotency_key, upstream)
    )
    logger.handle(record)
