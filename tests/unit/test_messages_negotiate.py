"""railguard.messages.negotiate: Accept-Language negotiation (RFC 9110, RFC 4647), bounded."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from railguard.messages import negotiate

AVAILABLE = ["en", "de", "pt-BR"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("de-AT", "de"),
        ("de-AT-1996", "de"),
        ("fr, de;q=0.8", "de"),
        ("en;q=0.5, de;q=0.9", "de"),
        ("en, de", "en"),
        ("de;q=0.5, en;q=0.5", "de"),
        ("pt", "pt-BR"),
        ("pt_br", "en"),
        ("pt-br", "pt-BR"),
        ("*", "en"),
        ("fr, *;q=0.1", "en"),
        ("en;q=0, *", "de"),
        ("de;q=0", "en"),
        ("de;q=0, de-AT", "en"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
        ("de;q=2", "en"),
        ("de;q=abc, en", "en"),
        ("de;q=0.8;x=1, pt", "pt-BR"),
        ("de ; q = 0.7 , en ; q=0.6", "de"),
        ("d€", "en"),
        (",,,, ;;;", "en"),
        ("toolongsubtag-de", "en"),
        ("de-toolongsubtag", "en"),
    ],
)
def test_negotiation_cases(header: str | None, expected: str) -> None:
    """Weights, header order, wildcards, refusals, prefixes and truncation pick the locale."""
    assert negotiate(header, AVAILABLE) == expected


def test_default_is_returned_when_nothing_matches() -> None:
    """The default is the answer for an unmatched header, even when not available."""
    assert negotiate("fr", ["de"], default="it") == "it"
    assert negotiate("fr", [], default="en") == "en"


def test_wildcard_prefers_the_default() -> None:
    """``*`` picks the default when it is available and not refused."""
    assert negotiate("*", ["fr", "de"], default="de") == "de"
    assert negotiate("*", ["fr", "de"], default="it") == "fr"


def test_available_spelling_is_kept() -> None:
    """The answer is spelled as in ``available``; gettext-style names are understood."""
    assert negotiate("pt-BR", ["pt_BR"]) == "pt_BR"


def test_only_the_first_ranges_count() -> None:
    """Ranges after the first 32 are ignored."""
    header = ", ".join(["fr"] * 40 + ["de"])
    assert negotiate(header, AVAILABLE) == "en"


@given(st.text(max_size=300))
def test_any_text_gives_an_available_locale_or_the_default(header: str) -> None:
    """No header raises; the answer is always available or the default."""
    assert negotiate(header, AVAILABLE, default="xx") in {*AVAILABLE, "xx"}


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["de", "en", "pt-BR", "fr", "*", "de-AT", "x" * 9, "d3"]),
            st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=1.5", ";q=-1", ";Q=0.25"]),
        ),
        max_size=40,
    )
)
def test_structured_headers_never_raise(ranges: list[tuple[str, str]]) -> None:
    """Headers built from plausible and broken ranges always negotiate."""
    header = ", ".join(language + weight for language, weight in ranges)
    assert negotiate(header, AVAILABLE) in AVAILABLE


@pytest.mark.parametrize(
    "header",
    [
        "a" * 1_000_000,
        "de-" * 300_000,
        "de;q=0.5," * 200_000,
        ";" * 1_000_000,
        "de-" + "a1-" * 300_000 + "de",
        "\x00" * 1_000_000,
    ],
    ids=["long-token", "long-tag", "many-ranges", "semicolons", "subtags", "nul"],
)
def test_hostile_headers_are_cheap(header: str) -> None:
    """A megabyte of hostile header is answered quickly with the default."""
    start = time.process_time()
    assert negotiate(header, AVAILABLE) in AVAILABLE
    assert time.process_time() - start < 0.05


def test_a_header_of_the_wrong_type_gives_the_default() -> None:
    """Raw header bytes (as ASGI has them) are not read, and do not raise."""
    assert negotiate(b"de", AVAILABLE) == "en"  # type: ignore[arg-type]
