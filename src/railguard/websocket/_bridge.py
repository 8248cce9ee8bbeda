"""The bridge document's message-level flow, sans-I/O: which failure answers which problem.

The seed's server answers each message like this::

    try:
        validated_message = validate_message(message)
        ...
    except json.JSONDecodeError as e:
        error = InvalidJSONError(str(e))          # undecodable input
    except ValueError as e:
        error = ValidationError(str(e))           # bad fields
    except Exception as e:
        send_error_dict(client_id, exception_to_dict(e))   # everything else

`parse_bridge_message` and `bridge_failure` are those three branches as
values; the integrations' ``bridge_messages`` wrappers run them per message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from returns.result import Failure as Err
from returns.result import Result, Success

from railguard._wire import WireError, read_json
from railguard.core import Failure, InternalFailure
from railguard.core import ValidationFailure as CoreValidationFailure
from railguard.families.bridge import (
    InvalidJSONFailure,
    ServerFailure,
    ValidationFailure,
    exception_to_dict,
)

__all__ = ["bridge_failure", "parse_bridge_message"]


def parse_bridge_message(message: str | bytes) -> Result[Any, Failure]:
    """Parse a client message as JSON; ``Err(InvalidJSONFailure)`` when it is not JSON.

    Read by railguard's one bounded JSON reader: a message over 1 MiB or nested
    deeper than 32 levels is an ``InvalidJSONFailure`` too, never a crash.
    """
    try:
        return Success(read_json(message))
    except WireError as exc:
        return Err(InvalidJSONFailure(message=exc.detail))


def bridge_failure(
    exc: BaseException, *, convert: Callable[[BaseException], Failure] = Failure.from_exception
) -> Failure:
    """The failure a handler's exception is answered with, as the bridge document does.

    A bridge exception (or any exception carrying a failure, or ``unwrap()`` on
    an ``Err``) gives its own failure; ``json.JSONDecodeError`` an
    ``InvalidJSONFailure``; any other ``ValueError`` a bridge ``ValidationFailure``
    with its text; anything else what ``exception_to_dict`` would send: a
    ``ServerFailure`` named after its status, revealing nothing of it.

    Args:
        exc: what the handler raised.
        convert: exception → failure for the general case (the integrations pass
            one that also logs unexpected exceptions).
    """
    if isinstance(exc, json.JSONDecodeError):
        return InvalidJSONFailure(message=str(exc))
    failure: Failure = convert(exc)
    if isinstance(exc, ValueError) and type(failure) is CoreValidationFailure:
        # the generic ValueError mapping: the bridge answers with its ValidationError
        return ValidationFailure(message=str(exc) or failure.message, details=failure.details)
    if isinstance(failure, InternalFailure):
        return ServerFailure(message=str(exception_to_dict(exc)["message"]))
    return failure
