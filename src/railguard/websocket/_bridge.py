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
from http import HTTPStatus
from typing import Any

from returns.result import Failure as Err
from returns.result import Result, Success

from railguard._wire import WireError, read_json
from railguard.core import Failure, InternalFailure, wire_failure
from railguard.families.bridge import (
    InvalidJSONFailure,
    ServerFailure,
    ValidationFailure,
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
    exc: BaseException, *, convert: Callable[[BaseException], Failure] = wire_failure
) -> Failure:
    """The failure a handler's exception is answered with, as the bridge document does.

    ``convert`` (`railguard.wire_failure` by default) decides first: a bridge
    exception (or any exception carrying a failure, or ``unwrap()`` on an ``Err``)
    gives its own failure. What it finds unexpected is mapped the document's way,
    with nothing of the exception's text: ``json.JSONDecodeError`` gives an
    ``InvalidJSONFailure`` (its position only), any other ``ValueError`` a bridge
    ``ValidationFailure`` with the class's fixed message (the text may hold
    secrets: raise ``bridge.ValidationError(...)`` to send one), anything else what
    ``exception_to_dict`` sends for an unknown exception: a ``ServerFailure`` named
    after the 500 status (a bridge exception that could not give its failure too).

    Args:
        exc: what the handler raised.
        convert: exception → failure for the general case (the integrations pass
            one that also logs unexpected exceptions).
    """
    failure: Failure = convert(exc)
    if not isinstance(failure, InternalFailure):
        return failure
    if isinstance(exc, json.JSONDecodeError):
        return InvalidJSONFailure(message=str(exc))  # json's fixed wording and the position
    if isinstance(exc, ValueError):
        return ValidationFailure()
    # what exception_to_dict sends for an unknown exception: the 500 status's phrase
    return ServerFailure(message=HTTPStatus.INTERNAL_SERVER_ERROR.phrase)
