"""The kneo style (decode only): the kneo family's own status table, for envelope-less peers."""

from __future__ import annotations

from typing import Any, Final

from railguard.core import Failure
from railguard.families import kneo

from ._style import EnvelopeStyle, Reading

__all__ = ["STYLE"]


def decode(reading: Reading) -> Failure:
    """What `railguard.families.kneo.from_response` gives for the same response, as a failure."""
    ctx = reading.context
    error = kneo.response_error(
        reading.status,
        reading.body,
        request_id=ctx.request_id,
        retry_after=reading.headers.retry_after,
        idempotency_key=ctx.idempotency_key,
    )
    return error.failure


def detect(content_type: str, doc: object) -> bool:
    """Anything: the kneo table reads every response (the last row ``auto`` tries)."""
    return True


def openapi_schemas(ref: str) -> dict[str, dict[str, Any]]:
    """None: railguard never answers in the kneo style."""
    return {}


STYLE: Final = EnvelopeStyle(
    name="kneo",
    media_type="application/json",
    encode=None,
    decode=decode,
    detect=detect,
    openapi_schemas=openapi_schemas,
)
"""The kneo client's reading of any response: the class by status, the body kept."""
