"""The agents family (seed 001): defaults, statuses, messages, Retry-After, FastAPI errors."""

from __future__ import annotations

import pickle
from http import HTTPStatus

import pytest

from railguard import Category, Failure, Recovery, thaw_json
from railguard.core import MAX_RETRY_AFTER
from railguard.families.agents import (
    AgentBaseException,
    AgentBaseFailure,
    AgentConfigException,
    AgentExecutionException,
    AgentExternalServiceException,
    AgentExternalServiceFailure,
    AgentModelError,
    AgentNotFoundException,
    AgentNotFoundFailure,
    AgentRateLimitError,
    AgentRateLimitFailure,
    AgentValidationException,
    RequestValidationError,
    ResponseValidationError,
    ValidationException,
)
from railguard.testing import exceptions_equal

DOCUMENTED = [
    (AgentBaseException, "An agent error occurred.", "AGENT_ERROR", 500),
    (AgentNotFoundException, "Agent not found.", "AGENT_NOT_FOUND", 404),
    (AgentConfigException, "Agent configuration error.", "AGENT_CONFIG_ERROR", 400),
    (AgentValidationException, "Agent validation failed.", "AGENT_VALIDATION_ERROR", 400),
    (AgentExecutionException, "Agent execution failed.", "AGENT_EXECUTION_ERROR", 500),
    (
        AgentExternalServiceException,
        "External service error.",
        "AGENT_EXTERNAL_SERVICE_ERROR",
        502,
    ),
    (AgentModelError, "Model error.", "AGENT_MODEL_ERROR", 502),
]


@pytest.mark.parametrize(("cls", "message", "code", "status"), DOCUMENTED)
def test_documented_defaults(
    cls: type[AgentBaseException], message: str, code: str, status: int
) -> None:
    """Each agents exception has its documented default message, code and status."""
    exc = cls()
    assert (exc.message, exc.error_code, str(exc)) == (message, code, message)
    failure = exc.failure
    assert (failure.message, failure.code, failure.status) == (message, code, status)


def test_rate_limit_defaults_and_mandatory_retry_after() -> None:
    """``AgentRateLimitError`` defaults to 429 and cannot be built without ``retry_after``."""
    exc = AgentRateLimitError(retry_after="30")
    assert (exc.message, exc.error_code, exc.retry_after) == (
        "Rate limit error.",
        "AGENT_RATE_LIMIT_ERROR",
        "30",
    )
    assert exc.failure.status == HTTPStatus.TOO_MANY_REQUESTS
    with pytest.raises(TypeError):
        AgentRateLimitError()  # type: ignore[call-arg]


def test_custom_message_and_code_are_kept() -> None:
    """A given message and error code replace the defaults, positionally or by keyword."""
    exc = AgentNotFoundException("Agent with identifier XXXX not found.", "AGENT_GONE")
    assert (exc.message, exc.error_code) == ("Agent with identifier XXXX not found.", "AGENT_GONE")
    assert exc.failure.code == "AGENT_GONE"
    assert AgentNotFoundException(message="m", error_code="C").failure.code == "C"


def test_documented_usage_line() -> None:
    """The document's usage line works and keeps every part in the message."""
    exc = AgentExecutionException(
        message="message error",
        service_error_code="ERROR CODE",
        detail="problem with the agent execution",
    )
    assert exc.detail == "problem with the agent execution"
    assert exc.service_error_code == "ERROR CODE"
    assert exc.message == "message error problem with the agent execution ERROR CODE"
    assert exc.failure.status == HTTPStatus.INTERNAL_SERVER_ERROR


@pytest.mark.parametrize(
    "cls", [AgentExternalServiceException, AgentModelError, AgentRateLimitError]
)
def test_service_fields_fold_into_the_message(cls: type[AgentExternalServiceException]) -> None:
    """``service_error_code`` and ``Service: {service_name}`` are appended to the message."""
    exc = cls("Upstream said no.", service_error_code="E42", service_name="openai", retry_after="1")
    assert exc.message == "Upstream said no. E42 Service: openai"
    assert (exc.service_error_code, exc.service_name) == ("E42", "openai")
    only_name = cls(service_name="openai", retry_after="1")
    assert only_name.message == f"{cls.default_message} Service: openai"


def test_failure_defaults_fold_the_same_way() -> None:
    """A failure built from service fields gets the message its exception would get."""
    failure = AgentExternalServiceFailure(service_error_code="E42", service_name="openai")
    exc = AgentExternalServiceException(service_error_code="E42", service_name="openai")
    assert failure == exc.failure
    assert failure.message == "External service error. E42 Service: openai"


def test_model_and_rate_limit_errors_are_external_service_errors() -> None:
    """Model and rate-limit errors are caught as external-service errors, and so are failures."""
    assert issubclass(AgentModelError, AgentExternalServiceException)
    assert issubclass(AgentRateLimitError, AgentExternalServiceException)
    assert isinstance(AgentRateLimitFailure(), AgentExternalServiceFailure)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("30", 30.0), ("1.5", 1.5), ("30.0", 30.0), ("0", 0.0)],
)
def test_retry_after_text_becomes_seconds(text: str, seconds: float) -> None:
    """The rate limit's ``retry_after`` text becomes the failure's hint, AFTER_HINT."""
    failure = AgentRateLimitError(retry_after=text).failure
    assert failure.retry_after == seconds
    assert failure.retry.recovery is Recovery.AFTER_HINT
    assert failure.retry.after == seconds
    assert failure.category is Category.RATE_LIMIT


@pytest.mark.parametrize(
    "text", ["30", "1.5", "30.0", " 7 ", "Wed, 21 Oct 2015 07:28:00 GMT", "soon", ""]
)
def test_retry_after_text_round_trips_exactly(text: str) -> None:
    """Whatever ``retry_after`` text the exception had, it comes back exactly."""
    exc = AgentRateLimitError(retry_after=text)
    back = exc.failure.to_exception()
    assert back.retry_after == text
    assert exceptions_equal(exc, back)


def test_http_date_retry_after_counts_from_now() -> None:
    """An HTTP-date in the future gives the seconds until then; a past one gives 0."""
    assert AgentRateLimitError(retry_after="Wed, 21 Oct 2015 07:28:00 GMT").failure.retry_after == 0
    future = AgentRateLimitError(retry_after="Fri, 01 Jan 2100 00:00:00 GMT").failure
    assert future.retry_after is not None
    assert future.retry_after == MAX_RETRY_AFTER  # a far date is cut to the documented cap


def test_failure_hint_becomes_canonical_text() -> None:
    """A failure's hint in seconds becomes delay-seconds text on the exception."""
    assert AgentRateLimitFailure(retry_after=30).to_exception().retry_after == "30"
    assert AgentRateLimitFailure(retry_after=2.5).to_exception().retry_after == "2.5"
    assert AgentRateLimitFailure().to_exception().retry_after == ""


def test_details_and_retry_hint_survive_other_exceptions() -> None:
    """Any agents exception carries details and a Retry-After hint across the pairing."""
    failure = AgentNotFoundFailure(details={"agent_id": "a1"}, retry_after=5)
    exc = failure.to_exception()
    assert (exc.details, exc.retry_after) == ({"agent_id": "a1"}, "5")
    assert Failure.from_exception(exc) == failure


def test_agents_categories_and_recovery() -> None:
    """Config escalates, validation and not-found don't retry, upstream errors back off."""
    assert AgentConfigException().failure.recovery is Recovery.ESCALATE
    assert AgentValidationException().failure.recovery is Recovery.DONT_RETRY
    assert AgentNotFoundException().failure.retry.retryable is False
    assert AgentModelError().failure.recovery is Recovery.BACKOFF
    assert AgentBaseFailure().category is Category.INTERNAL


@pytest.mark.parametrize(
    "cls", [ValidationException, RequestValidationError, ResponseValidationError]
)
def test_fastapi_manager_errors_answer_400(cls: type[ValidationException]) -> None:
    """The FastAPI manager's three validation errors all answer 400 Bad Request."""
    errors = [{"loc": ["body", "name"], "msg": "field required", "type": "missing"}]
    exc = cls(errors)
    assert exc.errors() == errors
    assert exc.failure.status == HTTPStatus.BAD_REQUEST
    assert str(exc) == "1 validation error:\n  " + str(errors[0])
    assert exceptions_equal(exc, exc.failure.to_exception())


def test_request_validation_error_keeps_its_body() -> None:
    """``RequestValidationError`` keeps the body as JSON on the failure and back."""
    exc = RequestValidationError([], body={"name": None, "tags": ["a"]})
    assert exc.failure.body == {"name": None, "tags": ("a",)}
    back = exc.failure.to_exception()
    assert back.body == {"name": None, "tags": ["a"]}
    assert exceptions_equal(exc, pickle.loads(pickle.dumps(exc)))  # noqa: S301  # our own bytes


def test_non_json_validation_context_is_kept_as_text() -> None:
    """An error with a non-JSON value (an exception in ``ctx``) converts, as text."""
    exc = RequestValidationError([{"msg": "bad", "ctx": {"error": ValueError("nope")}}])
    assert [thaw_json(error) for error in exc.failure.errors] == [
        {"msg": "bad", "ctx": {"error": "nope"}}
    ]


def test_empty_retry_after_header_is_no_hint_both_ways() -> None:
    """``retry_after_header=""`` is the document's "no hint" text: equal to None, round-trips."""
    failure = AgentRateLimitFailure(retry_after_header="")
    assert failure == AgentRateLimitFailure()
    assert Failure.from_exception(failure.to_exception()) == failure
