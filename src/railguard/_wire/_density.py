"""How many Python objects a JSON text would become, bounded before it is parsed.

A Python object costs more than its JSON text (an empty object 64 B for ``{},``, an
int 28 B for ``-7,``, a short string about 50 B, a member of a wide object about
190 B), and decoding one failure costs about 2.5 µs; so a 1 MiB body of tiny values,
or of tens of thousands of error items, would cost far more than ten times its size in
memory and far more than 50 ms. `crowded` refuses such a text by two caps that grow
with its size up to a ceiling, both counted outside strings:

* its *weight*: one, plus one per comma (so about one per value), one per string (key
  or value), two per object or array, and one per object member, three when the text
  has over `NARROW_KEYS`
  distinct keys (an object of thousands of distinct keys costs three times a record
  whose keys repeat); at most `weight_cap`: `WEIGHT_ALLOWANCE` plus one per
  `BYTES_PER_WEIGHT` characters, never over `MAX_WEIGHT`;
* its *objects*: at most `object_cap`: `OBJECT_ALLOWANCE` plus one per
  `BYTES_PER_OBJECT` characters, never over `MAX_OBJECTS`. Every failure is read from
  its own object, so this caps the failures one document can make: a group's members,
  their causes, nested groups, all counted.

The constants were chosen by measurement (SECURITY.md, docs/decisions.md): every text
within both caps decodes in every reader under 10x its size and well under 50 ms.

It is cheap: counting characters over the whole text (C-level ``str.count``, a member
counted as wide) over-counts, since a message full of commas, colons, quotes or braces
counts them too; only when that says "maybe over" are the strings located (one regex,
after the escapes are dropped with ``str.replace``), the count redone outside them and,
if it matters, the distinct keys counted (one regex and a set), so such a message is
never refused. A text of at most 2,048 characters is not counted at all.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "BYTES_PER_OBJECT",
    "BYTES_PER_WEIGHT",
    "MAX_OBJECTS",
    "MAX_WEIGHT",
    "NARROW_KEYS",
    "OBJECT_ALLOWANCE",
    "UNCOUNTED",
    "WEIGHT_ALLOWANCE",
    "WIDE",
    "crowded",
    "measure",
    "object_cap",
    "weight_cap",
]

WEIGHT_ALLOWANCE: Final = 4096
"""The weight any text may have, however short."""
BYTES_PER_WEIGHT: Final = 6
"""Beyond the allowance, one unit of weight per this many characters of text."""
MAX_WEIGHT: Final = 65_536
"""The most weight any text may have, however long (it bounds the CPU a reader spends)."""
OBJECT_ALLOWANCE: Final = 1024
"""The objects any text may hold, however short."""
BYTES_PER_OBJECT: Final = 64
"""Beyond the allowance, one object per this many characters of text."""
MAX_OBJECTS: Final = 2048
"""The most objects any text may hold: so the most failures one document can make."""
NARROW_KEYS: Final = 1024
"""A text with at most this many distinct keys weighs one per member; more, `WIDE`."""
WIDE: Final = 3
"""What a member weighs in a text of many distinct keys: an object of thousands of
distinct keys costs about 190 B a member (its key, the parser's memo of keys, the
table of a large dict as it grows), three times a member of records with repeated keys."""

UNCOUNTED: Final = min(2 * OBJECT_ALLOWANCE, WEIGHT_ALLOWANCE // 2)
"""Texts this short are within both caps: an object takes two characters, a unit of
weight (``"",`` weighs 2, ``{},`` 3) at least one."""

_STRING: Final = re.compile(r'"[^"]*"')
"""A string, once its escaped backslashes and quotes are gone."""
_KEY: Final = re.compile(r'"([^"]*)"[ \t\n\r]*:')
"""An object's key (a string followed by a colon), once the escapes are gone."""


def weight_cap(size: int) -> int:
    """The most weight a text of ``size`` characters may have."""
    return min(MAX_WEIGHT, WEIGHT_ALLOWANCE + size // BYTES_PER_WEIGHT)


def object_cap(size: int) -> int:
    """The most objects a text of ``size`` characters may hold."""
    return min(MAX_OBJECTS, OBJECT_ALLOWANCE + size // BYTES_PER_OBJECT)


def _weight(text: str, containers: int, strings: int, member: int) -> int:
    """Values (one plus the commas and openers), strings, containers, members (colons)."""
    return 1 + text.count(",") + strings + 2 * containers + member * text.count(":")


def crowded(text: str, objects: int, arrays: int) -> str | None:
    """Why ``text`` holds too much for its size, or ``None`` when it is within both caps.

    ``objects`` and ``arrays`` are ``text.count("{")`` and ``text.count("[")`` (the
    reader counts them once for both this and the depth check). Exact for JSON; for
    broken text an estimate, which the parser refuses anyway.
    """
    size = len(text)
    if size <= UNCOUNTED:
        return None
    weight_most, object_most = weight_cap(size), object_cap(size)
    quotes = text.count('"')
    if objects <= object_most and _weight(text, objects + arrays, quotes // 2, WIDE) <= weight_most:
        return None
    # maybe over: count again outside the strings, with the members' true weight
    text = _unescaped(text)
    strings = text.count('"') // 2  # exact now: every quote left is a delimiter
    if 2 * strings > weight_most:  # each string is a key or a value: 2 per string
        return _heavy(weight_most)
    bare = _STRING.sub("", text)
    objects = bare.count("{")
    if objects > object_most:
        return f"more than {object_most} objects for its size"
    weight = _weight(bare, objects + bare.count("["), strings, 1)
    if weight > weight_most:
        return _heavy(weight_most)
    if _member(text, bare) == WIDE:
        weight += (WIDE - 1) * bare.count(":")
    return _heavy(weight_most) if weight > weight_most else None


def measure(text: str) -> tuple[int, int]:
    """The weight of a JSON text and its number of objects, counted outside its strings."""
    text = _unescaped(text)
    bare, strings = _STRING.subn("", text)
    objects = bare.count("{")
    return _weight(bare, objects + bare.count("["), strings, _member(text, bare)), objects


def _member(text: str, bare: str) -> int:
    """What a member weighs: `WIDE` when the text has over `NARROW_KEYS` distinct keys.

    ``text`` is unescaped, ``bare`` is it without its strings.
    """
    if bare.count(":") <= NARROW_KEYS or len(set(_KEY.findall(text))) <= NARROW_KEYS:
        return 1
    return WIDE


def _unescaped(text: str) -> str:
    r"""``text`` without its escaped backslashes and quotes: every quote left is a delimiter.

    Escapes are read left to right, so ``\\`` pairs go first, then ``\"``.
    """
    if "\\" not in text:
        return text
    return text.replace("\\\\", "").replace('\\"', "")


def _heavy(most: int) -> str:
    return f"too many values for its size (weight over {most})"
