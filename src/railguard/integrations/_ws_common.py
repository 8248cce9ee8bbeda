"""What every WebSocket integration shares: exceptions to failures, handler results to replies."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeAlias

from returns.result import Failure as Err
from returns.result import Result, Success

from railguard.core import Failure, InternalFailure, public_failure, wire_failure

__all__ = ["FailureOf", "Outgoing", "Parse", "answer", "failure_of", "not_a_failure", "outgoing"]

Outgoing: TypeAlias = str | bytes | None
"""A message to send back (text or binary), or nothing."""

FailureOf: TypeAlias = Callable[[BaseException], Failure]
"""How a handler's exception becomes the failure the peer is told about."""

Parse: TypeAlias = Callable[[str | bytes], Result[Any, Failure]]
"""How a received message becomes the handler's argument (or the failure to answer)."""

_log = logging.getLogger("railguard.websocket")


def failure_of(exc: BaseException) -> Failure:
    """Return the failure a peer is told about for a handler's exception, logging unexpected ones.

    `railguard.wire_failure` decides: family exceptions, railguard's carrying
    exceptions and returns' ``UnwrapFailedError`` give their failure; anything
    else (a ``ValueError`` too: its text may hold secrets) gives a sanitized
    `railguard.InternalFailure` (nothing of it on the wire) that keeps it as
    ``.exception``: `railguard.observe.report` logs it where the failure is answered.
    """
    return wire_failure(exc)


def not_a_failure(inner: object, returned_by: str) -> Failure:
    """The failure answered for an ``Err`` holding ``inner``, not a `Failure`: a bug, logged.

    An exception is answered by the wire policy; anything else is INTERNAL, its type
    (never its value) named in the log for the code's author.
    """
    if isinstance(inner, BaseException):
        return failure_of(inner)
    _log.error(
        "railguard: %s returned Err(%s), not Err(Failure)", returned_by, type(inner).__qualname__
    )
    return InternalFailure()


def outgoing(value: object) -> tuple[Outgoing, Failure | None]:
    """Split what a handler returned into the message to send and the failure to report.

    ``Ok(x)`` and plain values send ``x``; ``Err(failure)`` reports it (a peer's failure
    as our own, see `railguard.core.public_failure`). ``str`` and
    ``bytes`` go as they are; a mapping or list goes as JSON; ``None`` sends nothing.
    """
    if isinstance(value, Result):
        if isinstance(value, Err):
            inner = value.failure()
            if isinstance(inner, Failure):
                return None, public_failure(inner)
            return None, not_a_failure(inner, "a WebSocket handler")
        value = value.unwrap() if isinstance(value, Success) else value
    if value is None or isinstance(value, (str, bytes)):
        return value, None
    if isinstance(value, (Mapping, list, tuple)):
        return json.dumps(value, ensure_ascii=False), None
    raise TypeError(
        f"a WebSocket handler returned a {type(value).__name__}; "
        "return str, bytes, a JSON-able mapping or list, a Result of one, or None"
    )


async def answer(
    message: str | bytes,
    handle: Callable[[Any], Awaitable[object]],
    *,
    parse: Parse | None = None,
    failure_of: FailureOf = failure_of,
) -> tuple[Outgoing, Failure | None]:
    """Run one message through ``parse`` and ``handle``: the reply to send, or the failure."""
    if parse is None:
        argument: Any = message
    else:
        parsed = parse(message)
        if isinstance(parsed, Err):
            return None, parsed.failure()
        argument = parsed.unwrap()
    try:
        return outgoing(await handle(argument))
    except Exception as exc:  # noqa: BLE001  # every failure is reported to the peer
        return None, failure_of(exc)
