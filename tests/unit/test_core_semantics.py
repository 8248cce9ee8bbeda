"""`Category`, `Recovery`, `Retry`: what kind of failure, and what to do about it."""

from __future__ import annotations

from http import HTTPStatus

import attrs
import pytest

from railguard import Category, Recovery, Retry

EXECUTOR_VALUES = {"infrastructure", "code_related", "workflow", "configuration"}


def test_category_has_the_executor_documents_values() -> None:
    """The executor document's four ErrorCategory values exist with their exact strings."""
    assert {category.value for category in Category} >= EXECUTOR_VALUES
    assert Category("code_related") is Category.CODE_RELATED


def test_category_covers_what_the_other_documents_need() -> None:
    """Validation, auth, not found, conflict, rate limit, timeout and internal exist."""
    needed = {
        "validation",
        "authentication",
        "authorization",
        "not_found",
        "conflict",
        "rate_limit",
        "timeout",
        "internal",
    }
    assert needed <= {category.value for category in Category}


@pytest.mark.parametrize("category", list(Category))
def test_every_category_has_defaults(category: Category) -> None:
    """Each category has a default HTTP error status and a default recovery."""
    assert isinstance(category.default_status, HTTPStatus)
    assert category.default_status >= 400
    assert isinstance(category.default_recovery, Recovery)


@pytest.mark.parametrize(
    ("category", "status", "recovery"),
    [
        (Category.VALIDATION, 400, Recovery.DONT_RETRY),
        (Category.AUTHENTICATION, 401, Recovery.DONT_RETRY),
        (Category.AUTHORIZATION, 403, Recovery.DONT_RETRY),
        (Category.NOT_FOUND, 404, Recovery.DONT_RETRY),
        (Category.CONFLICT, 409, Recovery.ESCALATE),
        (Category.RATE_LIMIT, 429, Recovery.AFTER_HINT),
        (Category.INTERNAL, 500, Recovery.DONT_RETRY),
        (Category.INFRASTRUCTURE, 503, Recovery.BACKOFF),
        (Category.TIMEOUT, 504, Recovery.BACKOFF),
        (Category.CODE_RELATED, 422, Recovery.REGENERATE),
    ],
)
def test_documented_defaults(category: Category, status: int, recovery: Recovery) -> None:
    """The defaults the docs' table shows for the common categories."""
    assert category.default_status == status
    assert category.default_recovery is recovery


@pytest.mark.parametrize(
    ("status", "category"),
    [
        (400, Category.VALIDATION),
        (401, Category.AUTHENTICATION),
        (403, Category.AUTHORIZATION),
        (404, Category.NOT_FOUND),
        (409, Category.CONFLICT),
        (418, Category.VALIDATION),
        (429, Category.RATE_LIMIT),
        (500, Category.INTERNAL),
        (502, Category.UPSTREAM),
        (503, Category.INFRASTRUCTURE),
        (504, Category.TIMEOUT),
        (599, Category.INTERNAL),
        (302, Category.PROTOCOL),
    ],
)
def test_category_for_a_received_status(status: int, category: Category) -> None:
    """A peer's status maps to the category that describes it; unknown 4xx/5xx by class."""
    assert Category.for_status(status) is category


@pytest.mark.parametrize(
    ("recovery", "retryable"),
    [
        (Recovery.DONT_RETRY, False),
        (Recovery.BACKOFF, True),
        (Recovery.AFTER_HINT, True),
        (Recovery.REGENERATE, True),
        (Recovery.RECONNECT, True),
        (Recovery.ESCALATE, False),
    ],
)
def test_retryable_follows_the_recovery(recovery: Recovery, retryable: bool) -> None:
    """Retrying may help after backoff, a hint, new input or a reconnect; never otherwise."""
    assert Retry(recovery).retryable is retryable
    assert Retry(recovery, after=5).retryable is retryable


def test_retry_is_an_immutable_value() -> None:
    """Retry compares by value and cannot be changed."""
    retry = Retry(Recovery.AFTER_HINT, after=30)
    assert retry == Retry(Recovery.AFTER_HINT, 30)
    assert hash(retry) == hash(Retry(Recovery.AFTER_HINT, 30))
    assert retry != Retry(Recovery.AFTER_HINT)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        retry.after = 1  # type: ignore[misc]
