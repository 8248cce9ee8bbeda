"""Fatal or recoverable at message level: the failure's own semantics, plus a table for families."""

from __future__ import annotations

from typing import Final

import attrs

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
the table, and the most specific entry in the MRO wins. Each class's answer is
worked out once, on first use: add entries at import time. Failure classes of
your own should use the class keyword instead.
"""


def is_fatal(failure: Failure) -> bool:
    """Whether ``failure`` ends the connection (frame, then close) or only answers a message.

    The most specific of: the class's own ``fatal=`` keyword, `FATAL_BY_CODE`, a
    ``fatal`` property a class overrides, the category's default (authentication
    and protocol failures are fatal).
    """
    cls = type(failure)
    try:
        declared = _declared[cls]
    except KeyError:
        declared = _declared[cls] = _declared_fatal(cls)
    return failure.fatal if declared is None else declared


_declared: dict[type[Failure], bool | None] = {}


def _declared_fatal(cls: type[Failure]) -> bool | None:
    """What a class (or the table) declares, or ``None``: ask each instance."""
    if cls.fatal is not Failure.fatal:  # a class computes it per instance
        return None
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
    if "category" not in attrs.fields_dict(cls) and cls.category is Failure.category:
        return cls.default_category.default_fatal  # the class's category, fixed
    return None
