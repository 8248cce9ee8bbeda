"""The kneo style (decode only): the kneo family's own status table, for envelope-less peers."""

from __future__ import annotations

from typing import Any, Final

from railguard.core import Failure
from railguard.families import kneo

from ._style import NO_DOCUMENT, EnvelopeStyle, Reading

__all__ = ["STYLE"]


def decode(reading: Reading) -> Failure:
    """What `railguard.families.kneo.from_response` gives for the same response, as a failure.

    The body is the document ``decode`` already parsed (frozen in place: nothing else
    holds it), or the capped text of one it refused; it is not read again.
    """
    ctx = reading.context
    document = reading.document
    body = kneo.text_body(reading.body) if document is NO_DOCUMENT else kneo.freeze_body(document)
    return kneo.response_failure(
        reading.status,
        body,
        request_id=ctx.request_id,
        retry_after=reading.headers.retry_after,
        idempotency_key=ctx.idempotency_key,
    )


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
