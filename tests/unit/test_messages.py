"""railguard.messages: default, family and overridden user messages (English)."""

from __future__ import annotations

import math

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from railguard import (
    Category,
    Failure,
    InternalFailure,
    NotFoundFailure,
    RateLimitFailure,
    UnknownFailure,
    ValidationFailure,
    catalog,
)
from railguard.families import executor, kneo
from railguard.messages import LocalizedMessage, Messages, TemplateError, user_message
from railguard.messages._defaults import BY_CATEGORY
from railguard.messages._template import render
from railguard.testing import instances_of

SECRET = "\u2603secret-internal-text\u2603"
CLASSES = list(catalog())


def _kneo_user_message(exc: kneo.KneoError) -> str:
    """The kneo document's ``user_message(exc)``, verbatim (its last row left out)."""
    if isinstance(exc, kneo.KneoAuthError):
        return "Your API key is invalid. Please check your credentials."
    if isinstance(exc, kneo.KneoPermissionError):
        return "You don't have permission to perform this action."
    if isinstance(exc, kneo.KneoNotFoundError):
        return "The requested item could not be found."
    if isinstance(exc, kneo.KneoRateLimited):
        wait = exc.retry_after or 60
        return f"Too many requests. Please try again in {int(wait)}s."
    if isinstance(exc, kneo.KneoServerError):
        return f"Server error (request {exc.request_id}). Please report this."
    if isinstance(exc, kneo.KneoNetworkError):
        return "Could not reach the server. Check your network connection."
    raise AssertionError("the document's fallback row shows str(exc): not reproduced")


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.default_code)
@settings(max_examples=10)
@given(data=st.data())
def test_every_registered_class_has_a_safe_default(cls: type[Failure], data: st.DataObject) -> None:
    """Each class's default user message is non-empty and shows no message, detail or cause."""
    failure = data.draw(instances_of(cls))
    failure = attrs.evolve(
        failure,
        message=SECRET,
        details={"secret": SECRET},
        cause=ValidationFailure(message=SECRET),
    )
    text = user_message(failure)
    assert text.strip()
    assert "secret" not in text
    assert text != failure.message


def test_internal_failure_hides_its_exception() -> None:
    """An InternalFailure's exception text never reaches its user message."""
    failure = InternalFailure(message=SECRET, exception=RuntimeError(SECRET))
    assert user_message(failure) == "An unexpected error occurred. Please try again later."


@pytest.mark.parametrize(
    "exc",
    [
        kneo.KneoAuthError("bad key sk-123", status=401),
        kneo.KneoPermissionError("scope", status=403),
        kneo.KneoNotFoundError("gone", status=404),
        kneo.KneoRateLimited("slow down", status=429, retry_after=12.9),
        kneo.KneoRateLimited("slow down", status=429),
        kneo.KneoServerError("boom", status=500, request_id="req-42"),
        kneo.KneoNetworkError("dns failed"),
    ],
    ids=lambda exc: type(exc).__name__,
)
def test_kneo_wording_matches_the_document(exc: kneo.KneoError) -> None:
    """The kneo failures read exactly as the document's user_message table says."""
    assert user_message(exc.failure) == _kneo_user_message(exc)


def test_kneo_server_failure_without_request_id_uses_the_category_sentence() -> None:
    """A KneoServerFailure with no request id does not show 'request None'."""
    text = user_message(kneo.KneoServerFailure())
    assert text == "A service we depend on failed. Please try again later."


@given(host=st.text(max_size=30), port=st.integers(0, 65535))
def test_executor_connectivity_matches_get_user_message(host: str, port: int) -> None:
    """ContainerConnectivityFailure's user message is its exception's get_user_message()."""
    failure = executor.ContainerConnectivityFailure(host=host, port=port, message=SECRET)
    assert user_message(failure) == failure.to_exception().get_user_message()


@given(stage=st.text(max_size=30))
def test_executor_workflow_matches_get_user_message(stage: str) -> None:
    """The executor WorkflowFailure's user message is its exception's get_user_message()."""
    failure = executor.WorkflowFailure(stage=stage, message=SECRET)
    assert user_message(failure) == failure.to_exception().get_user_message()


def test_rate_limit_hint_is_rounded_up_and_optional() -> None:
    """A generic rate limit names its hint in whole seconds, rounded up, when it has one."""
    assert user_message(RateLimitFailure(retry_after=0.2)) == (
        "Too many requests. Please try again in 1s."
    )
    assert user_message(RateLimitFailure()) == "Too many requests. Please try again later."
    assert user_message(RateLimitFailure(retry_after=math.inf)) == (
        "Too many requests. Please try again later."
    )


def test_override_by_class_covers_subclasses() -> None:
    """A class override applies to the class and every subclass of it."""
    messages = Messages(overrides={kneo.KneoFailure: "The catalog service failed."})
    assert messages.user_message(kneo.KneoAuthFailure()) == "The catalog service failed."
    assert messages.user_message(NotFoundFailure()) == "The requested item could not be found."


def test_override_by_code_wins_over_class() -> None:
    """An override for the failure's code beats one for its class."""
    messages = Messages(overrides={kneo.KneoFailure: "by class", "KNEO_AUTH_ERROR": "by code"})
    assert messages.user_message(kneo.KneoAuthFailure()) == "by code"
    assert messages.user_message(kneo.KneoNotFoundFailure()) == "by class"


def test_nearest_class_override_wins() -> None:
    """Of two class overrides, the one nearer in the failure's MRO wins."""
    messages = Messages(overrides={Failure: "base", kneo.KneoConflictFailure: "conflict"})
    assert messages.user_message(kneo.KneoIdempotencyMismatchFailure()) == "conflict"
    assert messages.user_message(NotFoundFailure()) == "base"


def test_override_fills_declared_fields() -> None:
    """An override may name the failure's declared fields, code, status and category."""
    messages = Messages(
        overrides={kneo.KneoServerFailure: "{code}/{status}/{category}: ask about {request_id}."}
    )
    failure = kneo.KneoServerFailure(request_id="r-1", response_status=503)
    assert messages.user_message(failure) == "KNEO_SERVER_ERROR/503/upstream: ask about r-1."


def test_override_with_missing_value_falls_back() -> None:
    """An override whose field is None on this failure gives way to the default."""
    messages = Messages(overrides={kneo.KneoServerFailure: "Quote {request_id}."})
    assert messages.user_message(kneo.KneoServerFailure()) == (
        "A service we depend on failed. Please try again later."
    )


def test_message_only_when_a_template_names_it() -> None:
    """The internal message appears only if an override asks for {message} explicitly."""
    messages = Messages(overrides={"VALIDATION": "Invalid: {message}"})
    assert messages.user_message(ValidationFailure(message="age < 0")) == "Invalid: age < 0"


@pytest.mark.parametrize(
    "template",
    [
        "{message.__class__}",
        "{details[secret]}",
        "{message!r}",
        "{0}",
        "{}",
        "unbalanced {",
        "{retry_after:>{width}}",
        "{retry_after:1000000}",
        "x" * 1001,
    ],
)
def test_unsafe_or_malformed_overrides_are_refused(template: str) -> None:
    """An override reaching beyond plain fields, or malformed, is refused at construction."""
    with pytest.raises(TemplateError):
        Messages(overrides={"VALIDATION": template})


def test_override_naming_an_undeclared_field_is_refused() -> None:
    """A class override naming a field its class lacks is refused at construction."""
    with pytest.raises(TemplateError, match="request_id"):
        Messages(overrides={NotFoundFailure: "{request_id}"})


def test_a_bad_value_never_raises_at_answer_time() -> None:
    """A numeric spec on a text field renders nothing and falls back, without raising."""
    messages = Messages(overrides={"KNEO_SERVER_ERROR": "{request_id:d}"})
    failure = kneo.KneoServerFailure(request_id="r-1")
    assert messages.user_message(failure) == "Server error (request r-1). Please report this."


@given(template=st.text(max_size=60))
def test_rendering_any_text_never_raises(template: str) -> None:
    """Any template text renders or is refused with None; it never raises."""
    text = render(template, {"request_id": "r-1", "retry_after": 2.5, "status": 503})
    assert text is None or isinstance(text, str)


def test_override_keys_are_checked() -> None:
    """An override keyed by something other than a Failure class or a code is refused."""
    with pytest.raises(TypeError):
        Messages(overrides={int: "x"})  # type: ignore[dict-item]


def test_default_locale_must_be_a_tag() -> None:
    """A default locale that is not a language tag is refused."""
    with pytest.raises(ValueError, match="language tag"):
        Messages(default_locale="../etc")


def test_localize_returns_locale_and_message() -> None:
    """localize() answers with the negotiated locale and the message."""
    messages = Messages()
    answer = messages.localize(NotFoundFailure(), "xx, en;q=0.5")
    assert answer == LocalizedMessage("en", "The requested item could not be found.")
    assert messages.localize(NotFoundFailure(), None).locale == "en"


@pytest.mark.parametrize("category", list(Category), ids=lambda category: category.name)
def test_every_category_has_a_sentence(category: Category) -> None:
    """A peer's unknown failure of any category gets that category's own sentence."""
    failure = UnknownFailure(message=SECRET, code="SOMETHING", category=category)
    text = user_message(failure)
    assert text.strip()
    assert SECRET not in text
    assert text in {default.msgid for default in BY_CATEGORY[category]}
