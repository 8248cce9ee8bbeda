"""A failure's JSON-ready record, and the record as ``ErrorInfo`` metadata (strings only).

`_record_of` / `_failure_of` are the one place this package reaches the record codec:
railguard's one wire model (``railguard._wire``) in its ``envelope`` layout, the record
every other wire carries too.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from railguard import _wire
from railguard._catalog import load_catalog
from railguard.core import Failure

load_catalog()  # a status may name any registered class, whatever this process imported

__all__ = ["JSON_KEYS", "from_metadata", "to_metadata"]

JSON_KEYS: Final = "railguard-json"
"""Metadata entry listing (comma-separated) the entries whose value is JSON, not plain text.

Its ``-`` keeps it apart from every record key (typed fields are Python identifiers).
"""

_encoder: Final = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _record_of(failure: Failure) -> dict[str, Any]:
    """The failure's record: code, message, typed fields, details, hint, cause."""
    return _wire.write(failure, _wire.ENVELOPE)


def _failure_of(record: Mapping[str, Any]) -> Failure:
    """The failure of a record.

    Raises:
        ValueError: the record does not build its class (a field of the wrong type, ...).
    """
    doc = record if type(record) is dict else dict(record)  # read only reads it
    return _wire.read(doc, _wire.ENVELOPE, _wire.Context())


def to_metadata(record: Mapping[str, Any]) -> dict[str, str]:
    """The record's members as strings: text as is, anything else as JSON (listed in `JSON_KEYS`).

    Raises:
        ValueError: a value JSON cannot carry (NaN, infinity).
    """
    metadata: dict[str, str] = {}
    typed: list[str] = []
    for key, value in record.items():
        if isinstance(value, str):
            metadata[key] = value
        else:
            metadata[key] = _encoder.encode(value)
            typed.append(key)
    if typed:
        metadata[JSON_KEYS] = ",".join(typed)
    return metadata


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


_decoder: Final = json.JSONDecoder(parse_constant=_reject_constant)


def from_metadata(metadata: Mapping[str, str]) -> dict[str, Any]:
    """The record `to_metadata` wrote; raises ``ValueError`` on a value that is not JSON."""
    listed = metadata.get(JSON_KEYS, "")
    typed = frozenset(listed.split(",")) if listed else frozenset()
    record: dict[str, Any] = {}
    for key in metadata:  # keys, then each value: faster than items() on protobuf's map
        if key == JSON_KEYS:
            continue
        value = metadata[key]
        if key in typed:
            try:
                record[key] = _decoder.decode(value)
            except RecursionError:
                raise ValueError(f"metadata {key!r} is nested too deeply") from None
        else:
            record[key] = value
    return record
