"""The one ``Retry-After`` reader: every hint from any peer becomes bounded seconds or none."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Final

__all__ = ["MAX_RETRY_AFTER", "parse_retry_after"]

MAX_RETRY_AFTER: Final = 86_400.0
"""The longest hint railguard keeps, in seconds (one day); longer hints are cut to it."""

# delay-seconds (RFC 9110 §10.2.3), plus a fraction as kneo and others send it; the
# integer part is bounded so no huge integer is ever built from input
_SECONDS: Final = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def parse_retry_after(value: object, *, now: datetime | None = None) -> float | None:  # noqa: PLR0911  # one answer per kind of input
    """Seconds to wait from a ``Retry-After`` value, or ``None`` when it says nothing usable.

    Accepts delay-seconds (``"30"``, and ``"1.5"``), an HTTP-date (``email.utils``;
    a date in the past gives ``0``), or a number (a body's ``retry_after``). The
    result is finite, at least ``0`` and at most `MAX_RETRY_AFTER` (a longer hint is
    cut to it); a negative number, NaN, an infinity, a boolean or any other text
    gives ``None``. Never raises.

    Args:
        value: the header's text, or a number read from a body.
        now: the current time for an HTTP-date (default: the clock, UTC).
    """
    kind = type(value)
    if kind is int and 0 <= value <= MAX_RETRY_AFTER:  # type: ignore[operator]  # an int
        return value  # type: ignore[return-value]  # an int is a float here
    if value is None or kind is bool:
        return None
    if isinstance(value, int):
        return None if value < 0 else float(min(value, MAX_RETRY_AFTER))
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0:
            return None
        return min(value, MAX_RETRY_AFTER)
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not isinstance(value, str):
        return None
    text = value.strip()
    match = _SECONDS.fullmatch(text)
    if match is not None:
        whole, fraction = match.groups()
        if len(whole.lstrip("0")) > 6:  # beyond any cap: never convert a huge number
            return MAX_RETRY_AFTER
        return min(float(f"{whole}.{(fraction or '0')[:9]}"), MAX_RETRY_AFTER)
    return _from_date(text, now)


def _from_date(text: str, now: datetime | None) -> float | None:
    if not text or len(text) > 64:
        return None
    from email.utils import parsedate_to_datetime  # noqa: PLC0415  # rare; keeps import light

    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    try:
        seconds = (when - current).total_seconds()
    except OverflowError:  # pragma: no cover  # dates are bounded by datetime itself
        return None
    return min(max(0.0, seconds), MAX_RETRY_AFTER)
