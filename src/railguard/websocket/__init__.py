"""WebSocket boundary, sans-I/O: error frames and close codes, both ways.

* `encode_frame` / `decode_frame`: a failure as a JSON text frame (the bridge
  document's ``{"type": "error", "message", "code", ...}`` by default) and back,
  losslessly; decoding is total and never builds an unregistered class. The
  session's ``request_id`` and ``trace_id`` (`Exchange`) are top-level members when
  set; `frame_exchange` reads them back.
* `close_code` / `close_reason` / `from_close`: failures to close codes (RFC 6455
  where one fits, ``4000 + HTTP status`` otherwise) and received closes back.
* `parse_bridge_message` / `bridge_failure`: the bridge document's message-level
  flow (invalid JSON, bad fields, everything else) as values.
* `error_reply`: the frame to send and, when the failure is fatal (`Failure.fatal`),
  the close.

No framework is imported here; `railguard.integrations.websockets` and
`railguard.integrations.starlette_ws` plug this into real connections.
"""

from ._bridge import bridge_failure, parse_bridge_message
from ._close import (
    MAX_REASON_BYTES,
    RESERVED_CLOSE_CODES,
    CloseCode,
    WebSocketClosedFailure,
    close_code,
    close_meaning,
    close_reason,
    from_close,
    is_sendable,
    truncate_reason,
)
from ._frames import (
    MAX_DEPTH,
    MAX_FRAME_SIZE,
    Exchange,
    MalformedFrameFailure,
    Style,
    decode_frame,
    encode_frame,
    frame_dict,
    frame_exchange,
    from_frame_dict,
    is_error_frame,
)
from ._reply import ErrorReply, error_reply

__all__ = [
    "MAX_DEPTH",
    "MAX_FRAME_SIZE",
    "MAX_REASON_BYTES",
    "RESERVED_CLOSE_CODES",
    "CloseCode",
    "ErrorReply",
    "Exchange",
    "MalformedFrameFailure",
    "Style",
    "WebSocketClosedFailure",
    "bridge_failure",
    "close_code",
    "close_meaning",
    "close_reason",
    "decode_frame",
    "encode_frame",
    "error_reply",
    "frame_dict",
    "frame_exchange",
    "from_close",
    "from_frame_dict",
    "is_error_frame",
    "is_sendable",
    "parse_bridge_message",
    "truncate_reason",
]
