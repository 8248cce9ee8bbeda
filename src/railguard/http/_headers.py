"""HTTP header helpers: reading the few headers decoders use, writing safe values."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from types import MappingProxyType
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
_CONTENT_TYPE: Final = "content_type_header"
_WANTED: Final = {
    "content-type": _CONTENT_TYPE,
    "retry-after": "retry_after",
    "x-request-id": "request_id",
    "idempotency-key": "idempotency_key",
}


class WireHeaders:
    """The few response headers the decoder reads, from any header container.

    An absent header reads as the class default (no per-instance ``__init__`` work).
    """

    content_type_header: str = ""
    """The ``Content-Type`` value as sent."""
    retry_after: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None

    @property
    def content_type(self) -> str:
        """The media type, lower case, without parameters (read when first asked for)."""
        return self.content_type_header.split(";", 1)[0].strip().lower()


_PLAIN_MAPPINGS: Final = frozenset({dict, MappingProxyType})


def read_headers(headers: object) -> WireHeaders:
    """Read content type, ``Retry-After``, ``X-Request-ID`` and ``Idempotency-Key``.

    Never raises: entries that are not ``(name, value)`` strings or bytes are skipped;
    values are cut to 256 characters.
    """
    found = WireHeaders()
    try:
        if type(headers) in _PLAIN_MAPPINGS:  # the common case: a dict of str
            for name, value in headers.items():  # type: ignore[attr-defined]  # a dict
                if type(name) is str and type(value) is str:
                    # the name as given first: its hash is known (most names are lower case)
                    slot = _WANTED.get(name)
                    if slot is None:
                        slot = _WANTED.get(name.lower())
                    if slot is not None:
                        setattr(
                            found, slot, value if slot == "content_type_header" else value[:256]
                        )
                else:
                    _read_item(found, (name, value))
            return found
        items = headers.items() if hasattr(headers, "items") else headers
        for item in items:  # type: ignore[union-attr]  # anything else raises, caught below
            _read_item(found, item)
    except Exception:  # noqa: BLE001, S110  # decode is total: unreadable headers read as absent
        pass
    return found


def _read_item(found: WireHeaders, item: object) -> None:
    name: object
    value: object
    try:
        name, value = item  # type: ignore[misc]  # anything else is skipped
    except (TypeError, ValueError):
        return
    if type(name) is not str:
        if not isinstance(name, bytes):
            return
        name = name.decode("latin-1")
    slot = _WANTED.get(name)  # as given first: most names are lower case
    if slot is None:
        slot = _WANTED.get(name.lower())
    if slot is None:
        return
    if type(value) is not str:
        if not isinstance(value, bytes):
            return
        value = value.decode("latin-1")
    _put(found, slot, value)


def _put(found: WireHeaders, slot: str, value: str) -> None:
    setattr(found, slot, value if slot == _CONTENT_TYPE else value[:256])


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
