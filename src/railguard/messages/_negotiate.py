"""`negotiate`: pick a locale from an ``Accept-Language`` header (RFC 9110, RFC 4647 lookup).

Bounded by design: only the first `MAX_HEADER` characters and `MAX_RANGES` ranges of a
header are read, each range is checked by an anchored, bounded pattern, and nothing
raises: a malformed header (or a malformed range in it) is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

__all__ = ["MAX_HEADER", "MAX_RANGES", "negotiate", "valid_tag"]

MAX_HEADER = 4096
"""Characters of a header read; a longer one is cut at its last comma before this."""
MAX_RANGES = 32
"""Language ranges of a header considered; the rest are ignored."""

_TAG = re.compile(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8}){0,7}")
_RANGE = re.compile(r"(\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8}){0,7})")
_WEIGHT = re.compile(r"q=(0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)", re.IGNORECASE)


def valid_tag(tag: str) -> bool:
    """Whether ``tag`` looks like a language tag (``de``, ``de-AT``, ``pt_BR``), bounded."""
    return len(tag) <= 71 and _TAG.fullmatch(tag) is not None


def _ranges(header: str) -> list[tuple[str, float]]:
    """The header's well-formed ``(range, q)`` pairs, lower-cased, best first (stable)."""
    if len(header) > MAX_HEADER:
        header = header[: header.rfind(",", 0, MAX_HEADER) + 1]
    weighted: list[tuple[str, float]] = []
    for item in header.split(",", MAX_RANGES)[:MAX_RANGES]:
        language, _, params = item.strip().partition(";")
        language = language.strip()
        if _RANGE.fullmatch(language) is None:
            continue
        quality = 1.0
        if params:
            weight = _WEIGHT.fullmatch(params.strip().replace(" ", "", 4))
            if weight is None:
                continue
            quality = float(weight[1])
        weighted.append((language.lower(), quality))
    weighted.sort(key=lambda pair: -pair[1])  # sort is stable: header order breaks ties
    return weighted


def _matches(language: str, tags: dict[str, str]) -> list[str]:
    """Available tags (lower-cased keys) a range matches: exact, extended, then truncated."""
    if language in tags:
        return [language]
    longer = [tag for tag in tags if tag.startswith(language + "-")]
    if longer:
        return longer
    while "-" in language:  # RFC 4647 lookup: de-at-1996 -> de-at -> de
        language = language.rsplit("-", 1)[0]
        if language in tags:
            return [language]
    return []


def negotiate(accept_language: str | None, available: Iterable[str], *, default: str = "en") -> str:
    """The available locale an ``Accept-Language`` header prefers, else ``default``.

    Ranges are tried by weight (``q``), then header order; a range matches an
    available tag exactly (case-insensitive), or a longer tag (``de`` finds
    ``de-DE``), or after dropping subtags from its end (``de-AT`` finds ``de``).
    ``*`` matches any available tag not refused with ``q=0``; ``q=0`` refuses.
    A missing, malformed or hostile header gives ``default``; nothing raises.

    Args:
        accept_language: the header's value, or ``None`` when absent.
        available: the locales there are messages for, as BCP 47 tags (``_`` is read as ``-``).
        default: the answer when nothing acceptable matches.

    Returns:
        One of ``available`` as spelled there, or ``default``.

    >>> negotiate("fr;q=0.5, de-AT", ["en", "de"])
    'de'
    >>> negotiate("da, *;q=0.1", ["en", "de"], default="de")
    'de'
    >>> negotiate("de;q=high", ["en", "de"])
    'en'
    """
    header = cast("object", accept_language)  # a caller may pass the raw bytes of ASGI
    if not header or not isinstance(header, str):
        return default
    tags: dict[str, str] = {}
    for tag in available:
        if valid_tag(tag):
            tags.setdefault(tag.replace("_", "-").lower(), tag)
    ranges = _ranges(header)
    refused = {tag for language, q in ranges if q == 0.0 for tag in _matches(language, tags)}
    for language, quality in ranges:
        if quality == 0.0:
            break
        if language == "*":
            preferred = default.replace("_", "-").lower()
            candidates = [preferred, *tags] if preferred in tags else list(tags)
        else:
            candidates = _matches(language, tags)
        for tag in candidates:
            if tag not in refused:
                return tags[tag]
    return default
