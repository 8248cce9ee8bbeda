"""The family toolkit: pair a document's exceptions with railguard failures, in one file.

A *family* is one error hierarchy (a document's, a library's, your service's)
modelled twice: as immutable failures and as the exceptions code already
raises and catches. This module is everything a family needs:

- `PairedFailure`, the base of its failures, with `class_default` and the
  `keyword_defaults` field transformer for a ``code``/``status``/``category``
  that varies per instance (each value is declared once, as a class keyword);
- `PairedException`, the base of its root exception: each exception class names
  its failure class as a class keyword (``failure=XFailure``) and the root its
  `Family`;
- `Family` and the codecs (`Attr`, `ArgsMessage`, `FrameDetails`,
  `RetryAfterText`, `details_attr`, `json_attr`): where each failure field lives
  on the exception and how its value converts;
- value helpers for fields and exception state (`derived_message`,
  `frozen_json`, `frozen_json_items`, `frozen_tuple`, `details_of`, `json_of`,
  `plain`).

The [new family guide](../families/new-family.md) builds a complete family
with it. The five documented families of `railguard.families` use nothing else.
"""

from ._pairing import (
    ArgsMessage,
    Attr,
    Codec,
    Family,
    FrameDetails,
    PairedException,
    PairedFailure,
    RetryAfterText,
    class_default,
    derived_message,
    details_attr,
    details_of,
    frozen_json,
    frozen_json_items,
    frozen_tuple,
    json_attr,
    json_of,
    keyword_defaults,
    plain,
)

__all__ = [
    "ArgsMessage",
    "Attr",
    "Codec",
    "Family",
    "FrameDetails",
    "PairedException",
    "PairedFailure",
    "RetryAfterText",
    "class_default",
    "derived_message",
    "details_attr",
    "details_of",
    "frozen_json",
    "frozen_json_items",
    "frozen_tuple",
    "json_attr",
    "json_of",
    "keyword_defaults",
    "plain",
]
