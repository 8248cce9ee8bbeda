"""Fatal or recoverable at message level: the failure's own semantics, plus a table for families."""

from __future__ import annotations

from typing import Final

from railguard.core import Failure

__all__ = ["FATAL_BY_CODE", "is_fatal"]

FATAL_BY_CODE: Final[dict[str, bool]] = {
    # The distiller's ConnectionError branch is about the WebSocket connection
    # itself: duplicate UUID, timeouts, unexpected closes, protocol errors.
    "distiller.client.connection_error": True,
    # The bridge server is full: the connection cannot be served.
    "BRIDGE_MAX_CONNECTIONS": True,
}
"""Per-class overrides for families that do not declare ``fatal=`` themselves, by code.

A code covers its class's subclasses; a class declaring ``fatal=`` wins over
the table, and the most specific entry in the MRO wins. Failure classes of
your own should use the class keyword instead.
"""


def is_fatal(failure: Failure) -> bool:
    """Whether ``failure`` ends the connection (frame, then close) or only answers a message.

    The most specific of: the class's own ``fatal=`` keyword, `FATAL_BY_CODE`, a
    ``fatal`` property a class overrides, the category's default (authentication
    and protocol failures are fatal).
    """
    cls = type(failure)
    if cls.fatal is not Failure.fatal:  # a class computes it per instance
        return failure.fatal
    for klass in cls.__mro__:
        own = klass.__dict__
        declared = own.get("_default_fatal")
        if declared is not None:
            return bool(declared)
        code = own.get("default_code")
        if code is not None and code in FATAL_BY_CODE:
            return FATAL_BY_CODE[code]
        if klass is Failure:
            break
    return failure.fatal
