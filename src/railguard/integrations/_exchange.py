"""The exchange an answer belongs to: its request id and trace id, put on envelopes and frames.

Every integration that answers a failure (an HTTP envelope, a WebSocket error frame)
asks `current_exchange` for the members of the exchange being served: the request id
`railguard.observe.RequestIdMiddleware` (or `railguard.integrations.websockets.request_context`)
set, and the current OpenTelemetry span's trace id. With neither, it is `EMPTY` and
nothing is added: two context-variable reads and a dictionary lookup.
"""

from __future__ import annotations

from railguard._wire._exchange import EMPTY, Exchange, splice
from railguard.core import Failure
from railguard.http._style import HttpError, with_exchange
from railguard.observe._request_id import REQUEST_ID, trace_id

__all__ = ["current_exchange", "frame_in_exchange", "http_in_exchange"]


def current_exchange(failure: Failure) -> Exchange:
    """The members of the exchange being served, for the answer ``failure`` (`EMPTY` if none)."""
    request_id = REQUEST_ID.get()
    trace = trace_id()
    if request_id is None and trace is None:
        return EMPTY
    return Exchange(request_id, trace)


def http_in_exchange(error: HttpError, failure: Failure) -> HttpError:
    """``error`` (the encoding of the public ``failure``) with the current exchange's members."""
    exchange = current_exchange(failure)
    return error if exchange is EMPTY else with_exchange(error, failure, exchange)


def frame_in_exchange(frame: str, failure: Failure) -> str:
    """``frame`` (the error frame of ``failure``) with the current exchange's members."""
    exchange = current_exchange(failure)
    return frame if exchange is EMPTY else splice(frame, failure, exchange)
