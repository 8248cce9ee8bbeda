"""gRPC boundary, sans-I/O: failures as rich statuses (``google.rpc.Status``), both ways.

* `encode`: a failure as ``(code, message, google.rpc.Status)``: ``ErrorInfo``
  (code as ``reason``, `domain_of` its class, typed fields in ``metadata``),
  ``RetryInfo`` (the hint), ``BadRequest`` (a group's validation members),
  ``RequestInfo`` (the exchange's request id and trace id, when given) and
  ``LocalizedMessage`` (the message for end users when given, else the message);
  never ``DebugInfo``.
* `decode`: a received code, message and ``grpc-status-details-bin`` back into the
  failure; total: unknown codes, foreign detail types, truncated or oversized
  details give a typed failure, never an exception.
* `exchange_of`: the ``RequestInfo`` and ``LocalizedMessage`` of a status (the
  request id, trace id and message for end users `encode` was given), as an ``Exchange``.
* `CATEGORY_CODES` / `CODE_CATEGORIES`: category ⇄ gRPC code (`Code`), after
  ``google.rpc.Code``'s HTTP mapping.

Needs the ``grpc`` extra's protobuf modules; grpcio itself is imported only by
`railguard.integrations.grpc`, which plugs this into servers and clients.
"""

from ._codes import CATEGORY_CODES, CODE_CATEGORIES, Code, code_for, generic_class
from ._record import JSON_KEYS
from ._status import (
    DETAILS_KEY,
    LOCALE,
    MAX_DETAILS_SIZE,
    Encoded,
    decode,
    details_of,
    domain_of,
    encode,
    exchange_of,
)

__all__ = [
    "CATEGORY_CODES",
    "CODE_CATEGORIES",
    "DETAILS_KEY",
    "JSON_KEYS",
    "LOCALE",
    "MAX_DETAILS_SIZE",
    "Code",
    "Encoded",
    "code_for",
    "decode",
    "details_of",
    "domain_of",
    "encode",
    "exchange_of",
    "generic_class",
]
