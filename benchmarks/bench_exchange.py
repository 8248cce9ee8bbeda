"""Exchange members: what request ids, trace ids and localized messages cost an error answer.

A FastAPI app answering ``Err(failure)`` (404) with no id set, against the same app with
the exchange step replaced by the identity: the cost a service that uses none of it
pays, per error response (target: within 2%). For information, the same measured on
``Responder.encoded`` alone, and the splice itself when a request id and a trace id are
set, against the plain encoding.
"""

from __future__ import annotations

import asyncio

import railguard.integrations.starlette as starlette_integration
from benchmarks._harness import Ratio, paired, timed_ratio
from benchmarks.bench_http import _requests, railguard_app
from railguard.core import public_failure
from railguard.families.agents import AgentNotFoundFailure
from railguard.http import DEFAULT_TYPE_BASE, Exchange, HttpError, encode
from railguard.http._style import with_exchange
from railguard.integrations.starlette import Responder
from railguard.observe import report

_FAILURE = AgentNotFoundFailure(message="Agent with identifier XXXX not found.")
_RESPONDER = Responder("agents", DEFAULT_TYPE_BASE)
_IDS = Exchange("3f2a9c1e-req", "4bf92f3577b34da6a3ce929d0e0e4736")
_NAMESPACE = vars(starlette_integration)  # where Responder.encoded looks the step up
_STEP = _NAMESPACE["http_in_exchange"]


def _identity(error: HttpError, failure: object) -> HttpError:
    return error


def _without_exchange() -> object:
    """``Responder.encoded`` as it was before exchange members: policy, report, encode."""
    public = public_failure(_FAILURE)
    report(public, boundary="http")
    return encode(public, "agents", type_base=DEFAULT_TYPE_BASE, instance=None)


async def _rounds(rounds: int, count: int) -> tuple[list[float], list[float]]:
    app = railguard_app(raising=False)
    with_step: list[float] = []
    without: list[float] = []
    await _requests(app, 200)  # warm up
    try:
        for i in range(rounds):
            for on in (True, False) if i % 2 else (False, True):
                _NAMESPACE["http_in_exchange"] = _STEP if on else _identity
                (with_step if on else without).append(1 / await _requests(app, count))
    finally:
        _NAMESPACE["http_in_exchange"] = _STEP
    return with_step, without


def run() -> list[Ratio]:
    """The no-id cost end to end and on the encoder; the cost of writing the ids."""
    on, off = asyncio.run(_rounds(40, 150))
    return [
        paired(
            "exchange: FastAPI error responses/s, no id set vs no exchange step",
            on,
            off,
            ">= 0.98",
            higher_is_better=True,
            unit="responses/s",
        ),
        timed_ratio(
            "exchange: Responder.encoded, no id set vs without the exchange step",
            lambda: _RESPONDER.encoded(_FAILURE, None),
            _without_exchange,
            "-",
            number=5_000,
        ),
        timed_ratio(
            "exchange: encode + request id and trace id vs encode alone",
            lambda: with_exchange(encode(_FAILURE), _FAILURE, _IDS),
            lambda: encode(_FAILURE),
            "-",
            number=5_000,
        ),
    ]
