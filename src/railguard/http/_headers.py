"""HTTP header helpers: reading the few headers decoders use, writing safe values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Final, TypeAlias

__all__ = [
    "HeadersLike",
    "WireHeaders",
    "header_safe",
    "read_headers",
    "retry_after_header",
]

HeadersLike: TypeAlias = (
    "Mapping[str, str] | Iterable[tuple[str, str]] | Iterable[tuple[bytes, bytes]]"
)
"""Response headers: a mapping (``httpx.Headers``, a dict) or ``(name, value)`` pairs (ASGI)."""

_SAFE_VALUE = re.compile(r"[!-~]{1,256}")
_WANTED: Final = {
    "content-type": "content_type",
    "retry-after": "retry_after",
    "x-request-id": "request_id",
    "idempotency-key": "idempotency_key",
}


class WireHeaders:
    """The few response headers the decoder reads, from any header container."""

    __slots__ = ("content_type", "idempotency_key", "request_id", "retry_after")

    def __init__(self) -> None:
        self.content_type = ""
        self.retry_after: str | None = None
        self.request_id: str | None = None
        self.idempotency_key: str | None = None


def read_headers(headers: object) -> WireHeaders:
    """Read content type, ``Retry-After``, ``X-Request-ID`` and ``Idempotency-Key``.

    Never raises: entries that are not ``(name, value)`` strings or bytes are skipped;
    values are cut to 256 characters.
    """
    found = WireHeaders()
    try:
        items = headers.items() if hasattr(headers, "items") else headers
        for item in items:  # type: ignore[union-attr]  # anything else raises, caught below
            try:
                name, value = item
            except (TypeError, ValueError):
                continue
            if type(name) is not str:
                if not isinstance(name, bytes):
                    continue
                name = name.decode("latin-1")
            slot = _WANTED.get(name.lower())
            if slot is None:
                continue
            if type(value) is not str:
                if not isinstance(value, bytes):
                    continue
                value = value.decode("latin-1")
            if slot == "content_type":
                found.content_type = value.split(";", 1)[0].strip().lower()
            else:
                setattr(found, slot, value[:256])
    except Exception:  # noqa: BLE001, S110  # decode is total: unreadable headers read as absent
        pass
    return found


def retry_after_header(seconds: float | None) -> str | None:
    """``Retry-After`` delay-seconds for a hint: whole seconds, rounded up."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return str(math.ceil(seconds))


def header_safe(value: object) -> str | None:
    """``value`` when it can go in a header as is (visible ASCII, at most 256), else ``None``."""
    if isinstance(value, str) and _SAFE_VALUE.fullmatch(value):
        return value
    return None
