"""The one schema per class: which field types travel, and which are refused at definition."""

from __future__ import annotations

import datetime as dt
import enum
import subprocess
import sys
import uuid
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Literal

import attrs
import pytest

from railguard import Failure, JSONValue, NotFoundFailure, ValidationFailure, freeze_json
from railguard._wire import schema_of
from railguard.http import decode, encode
from railguard.websocket import decode_frame, encode_frame


class Colour(enum.Enum):
    """A plain enum for the tests."""

    RED = "red"
    BLUE = "blue"


@attrs.frozen
class Point:
    """A plain attrs value held by a failure."""

    x: int
    y: float


def _wires(failure: Failure) -> list[Failure]:
    return [
        *(decode(*encode(failure, style), style) for style in ("agents", "problem", "bridge")),
        *(decode_frame(encode_frame(failure, style=s)) for s in ("bridge", "envelope")),
    ]


def test_common_field_types_round_trip_on_every_wire(isolated_catalog: None) -> None:
    """datetime, date, UUID, Decimal, Path, enums, Literal, containers, attrs and failures."""

    @attrs.frozen(kw_only=True)
    class RichFailure(Failure, code="TEST_RICH"):
        when: dt.datetime
        day: dt.date
        ident: uuid.UUID
        amount: Decimal
        path: Path
        colour: Colour
        mode: Literal["a", "b"]
        pair: tuple[int, str]
        tags: tuple[str, ...]
        scores: list[float]
        counts: Mapping[str, int]
        point: Point
        inner: NotFoundFailure | None
        maybe: int | None
        extra: JSONValue

    failure = RichFailure(
        when=dt.datetime(2030, 1, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
        day=dt.date(2030, 1, 2),
        ident=uuid.UUID(int=7),
        amount=Decimal("12.3400"),
        path=Path("data/a b.txt"),
        colour=Colour.BLUE,
        mode="b",
        pair=(1, "x"),
        tags=("t",),
        scores=[1.5, float("inf")],
        counts={"a": 1},
        point=Point(1, 2.5),
        inner=NotFoundFailure(message="inner"),
        maybe=None,
        extra=freeze_json({"k": [1, None]}),
    )
    for decoded in _wires(failure):
        assert decoded == failure
        assert isinstance(decoded, RichFailure)
        assert type(decoded.when) is dt.datetime


@pytest.mark.parametrize(
    ("annotation", "name"),
    [
        (set, "tags"),
        (bytes, "blob"),
        (complex, "z"),
        (dict[int, str], "by_number"),
        (str | uuid.UUID, "either"),
        (dt.date | dt.datetime, "when"),
    ],
)
def test_a_field_no_wire_can_carry_is_refused_at_definition(
    isolated_catalog: None, annotation: object, name: str
) -> None:
    """A field type that cannot travel (or be told apart) is a TypeError naming the field."""
    namespace = {"__annotations__": {name: annotation}}
    with pytest.raises(TypeError, match=rf"BadFailure\.{name}"):
        attrs.frozen(kw_only=True)(
            type("BadFailure", (ValidationFailure,), namespace, code="TEST_BAD")
        )


def test_schemas_are_built_once_per_class() -> None:
    """schema_of caches: the same object every time."""
    assert schema_of(NotFoundFailure) is schema_of(NotFoundFailure)


def test_refused_at_definition_right_after_import_railguard() -> None:
    """A fresh ``import railguard`` is enough: the class statement itself raises."""
    program = (
        "import attrs, railguard\n"
        "try:\n"
        "    @attrs.frozen(kw_only=True)\n"
        "    class BadFailure(railguard.ValidationFailure, code='TEST_BAD'):\n"
        "        tags: set\n"
        "except TypeError as exc:\n"
        "    print(exc)\n"
    )
    out = subprocess.run(  # noqa: S603  # our own interpreter, a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("BadFailure.tags:")
