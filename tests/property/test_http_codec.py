"""Property laws of the sans-I/O HTTP codecs: lossless round trips, total decoding."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railguard import Failure, FailureGroup
from railguard._wire import schema_of
from railguard.http import DEFAULT_TYPE_BASE, STYLES, DecodeStyle, Style, decode, encode
from railguard.testing import failure_classes, failures, json_values

STYLES_NAMES: tuple[Style, ...] = ("agents", "problem", "bridge")


_single = failures(*failure_classes(include=lambda cls: not issubclass(cls, FailureGroup)))
_groups = st.builds(
    FailureGroup,
    failures=st.lists(_single, min_size=1, max_size=3).map(tuple),
    message=st.text(max_size=20),
    details=st.dictionaries(st.text(max_size=5), json_values(max_leaves=3), max_size=2),
    cause=st.none() | _single,
    retry_after=st.none() | st.integers(0, 3600),
)
# every registered class, plus groups whose members are of any class (nested groups too)
ANY_FAILURE = st.one_of(failures(), _groups, _groups.map(lambda g: FailureGroup(failures=(g,))))


@pytest.mark.parametrize("style", STYLES_NAMES)
@given(failure=ANY_FAILURE)
def test_round_trip(style: Style, failure: Failure) -> None:
    """decode(encode(f)) == f for every registered failure in every envelope style."""
    response = encode(failure, style)
    assert decode(*response, style) == failure


@pytest.mark.parametrize("style", STYLES_NAMES)
@given(failure=ANY_FAILURE)
def test_auto_detects_every_style(style: Style, failure: Failure) -> None:
    """The auto style recognises each envelope by content type and shape."""
    response = encode(failure, style)
    assert decode(*response, "auto") == failure


_json_text = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "code",
                    "message",
                    "errors",
                    "type",
                    "title",
                    "status",
                    "detail",
                    "error_code",
                    "details",
                    "cause",
                    "fields",
                    "retry_after",
                    "raw",
                    "category",
                    "failures",
                ]
            )
            | st.text(max_size=5),
            children,
            max_size=5,
        )
    ),
    max_leaves=20,
).map(lambda v: json.dumps(v).encode())
_headers = st.dictionaries(
    st.sampled_from(["content-type", "retry-after", "x-request-id", "Idempotency-Key", "x"]),
    st.sampled_from(
        [
            "application/problem+json",
            "application/json",
            "5",
            "-1",
            "soon",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "\x00",
        ]
    )
    | st.text(max_size=10),
)


@pytest.mark.parametrize("style", [*STYLES_NAMES, "kneo", "auto"])
@settings(max_examples=200)
@given(status=st.integers(-1000, 10_000), headers=_headers, body=st.binary() | _json_text)
def test_decode_is_total(
    style: DecodeStyle, status: int, headers: dict[str, str], body: bytes
) -> None:
    """Any status, headers and bytes decode to a failure, never an exception."""
    assert isinstance(decode(status, headers, body, style), Failure)


def _message_only(cls: type[Failure]) -> bool:
    schema = schema_of(cls)
    return schema.templated is not None and not any(spec.required for spec in schema.fields)


@pytest.mark.parametrize("style", STYLES_NAMES)
@given(
    cls=st.sampled_from(failure_classes(include=_message_only)),
    message=st.text(),
    instance=st.none() | st.text(max_size=20),
)
def test_template_fast_path_is_the_generic_encoding(
    style: Style, cls: type[Failure], message: str, instance: str | None
) -> None:
    """The template used for message-only failures gives byte for byte the style's encoding."""
    failure = cls(message=message)
    encoder = STYLES[style].encode
    assert encoder is not None
    generic = encoder(failure, type_base=DEFAULT_TYPE_BASE, instance=instance)
    assert encode(failure, style, instance=instance) == generic
