"""The ATRIA agents-server errors (seed 001), as failures and as the document's exceptions.

The AgentErrorManager's exceptions, and the FastApiErrorManager's validation errors::

    AgentBaseException
    ├── AgentNotFoundException
    ├── AgentConfigException
    ├── AgentValidationException
    ├── AgentExecutionException
    └── AgentExternalServiceException
        ├── AgentModelError
        └── AgentRateLimitError

    ValidationException
    ├── RequestValidationError
    └── ResponseValidationError

Each exception has its failure (``AgentNotFoundException`` ↔ `AgentNotFoundFailure`);
``exc.failure`` and ``failure.to_exception()`` convert losslessly. Beyond the
document, every agents exception also carries ``details`` (a dict) and
``retry_after`` (``Retry-After`` text), so that a failure's details and retry
hint survive the exception; both are keyword-only and default to empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from railguard.core import (
    Category,
    Details,  # noqa: F401  # get_type_hints resolves JSONValue here
    JSONValue,
)

from ._pairing import (
    Attr,
    Family,
    PairedException,
    PairedFailure,
    RetryAfterText,
    class_default,
    derived_message,
    details_attr,
    frozen_json,
    frozen_json_items,
    json_attr,
    keyword_defaults,
    plain,
)

if TYPE_CHECKING:
    from typing_extensions import override

__all__ = [
    "AgentBaseException",
    "AgentBaseFailure",
    "AgentConfigException",
    "AgentConfigFailure",
    "AgentExecutionException",
    "AgentExecutionFailure",
    "AgentExternalServiceException",
    "AgentExternalServiceFailure",
    "AgentModelError",
    "AgentModelFailure",
    "AgentNotFoundException",
    "AgentNotFoundFailure",
    "AgentRateLimitError",
    "AgentRateLimitFailure",
    "AgentValidationException",
    "AgentValidationFailure",
    "RequestValidationError",
    "RequestValidationFailure",
    "ResponseValidationError",
    "ResponseValidationFailure",
    "ValidationException",
    "ValidationFailure",
]


def compose_message(message: str, *extras: str) -> str:
    """The message with the document's extra information appended (empty parts skipped).

    ``detail`` and ``service_error_code`` are appended as they are, the service
    name as ``Service: {service_name}``, each separated by one space.
    """
    return " ".join(part for part in (message, *extras) if part)


def _service(service_name: str) -> str:
    return f"Service: {service_name}" if service_name else ""


def _service_message(default: str) -> Any:
    return derived_message(
        lambda f: compose_message(default, f.service_error_code, _service(f.service_name))
    )


# --- failures -----------------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentBaseFailure(PairedFailure, code="AGENT_ERROR", category=Category.INTERNAL):
    """An agent failed in a way no other agents failure describes; answers 500."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentBaseException: ...

    message: str = "An agent error occurred."
    # varies per instance, so a field over Failure's per-class property
    code: str = class_default()  # pyright: ignore[reportIncompatibleMethodOverride]


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentNotFoundFailure(AgentBaseFailure, code="AGENT_NOT_FOUND", category=Category.NOT_FOUND):
    """The agent is not in the system; answers 404 and retrying cannot help."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentNotFoundException: ...

    message: str = "Agent not found."


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentConfigFailure(
    AgentBaseFailure, code="AGENT_CONFIG_ERROR", category=Category.CONFIGURATION, status=400
):
    """The agent's configuration is wrong; answers 400 and a person must fix it."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentConfigException: ...

    message: str = "Agent configuration error."


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentValidationFailure(
    AgentBaseFailure, code="AGENT_VALIDATION_ERROR", category=Category.VALIDATION
):
    """The agent's input is invalid; answers 400 and the same input fails again."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentValidationException: ...

    message: str = "Agent validation failed."


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentExecutionFailure(
    AgentBaseFailure, code="AGENT_EXECUTION_ERROR", category=Category.INTERNAL
):
    """The agent failed while executing; answers 500.

    ``detail`` (and a ``service_error_code``/``service_name``, as the document's
    usage line passes one) are part of the message.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentExecutionException: ...

    detail: str = ""
    service_error_code: str = ""
    service_name: str = ""
    message: str = derived_message(
        lambda f: compose_message(
            "Agent execution failed.", f.detail, f.service_error_code, _service(f.service_name)
        )
    )


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentExternalServiceFailure(
    AgentBaseFailure, code="AGENT_EXTERNAL_SERVICE_ERROR", category=Category.UPSTREAM
):
    """An external service the agent calls failed; answers 502, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentExternalServiceException: ...

    service_error_code: str = ""
    service_name: str = ""
    message: str = _service_message("External service error.")


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentModelFailure(
    AgentExternalServiceFailure, code="AGENT_MODEL_ERROR", category=Category.UPSTREAM
):
    """The model service the agent calls failed; answers 502, retry with backoff."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentModelError: ...

    message: str = _service_message("Model error.")


def _header_text(value: str | None) -> str | None:
    """``""`` is the document's ``Retry-After`` text for "no hint": kept as ``None``.

    The exception cannot tell the two apart, so the failure does not either (lossless
    round trips both ways).
    """
    return value or None


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class AgentRateLimitFailure(
    AgentExternalServiceFailure, code="AGENT_RATE_LIMIT_ERROR", category=Category.RATE_LIMIT
):
    """The external service's rate limit was hit; answers 429 with ``Retry-After``.

    ``retry_after`` is the hint in seconds; ``retry_after_header`` keeps the
    exception's text when it is not plain seconds (an HTTP-date, ``"30.0"``).
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> AgentRateLimitError: ...

    retry_after_header: str | None = attrs.field(default=None, converter=_header_text)
    message: str = _service_message("Rate limit error.")


@attrs.frozen(kw_only=True)
class ValidationFailure(PairedFailure, code="VALIDATION_ERROR", category=Category.VALIDATION):
    """A request failed validation in the FastAPI layer; answers 400.

    ``errors`` are the validation errors as JSON (FastAPI's ``errors()``).
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ValidationException: ...

    message: str = "Validation failed."
    errors: tuple[JSONValue, ...] = attrs.field(default=(), converter=frozen_json_items)


@attrs.frozen(kw_only=True)
class RequestValidationFailure(
    ValidationFailure, code="REQUEST_VALIDATION_ERROR", category=Category.VALIDATION
):
    """The request body failed validation; answers 400 (the document's choice, not 422)."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> RequestValidationError: ...

    message: str = "Request validation failed."
    body: JSONValue = attrs.field(default=None, converter=frozen_json)


@attrs.frozen(kw_only=True)
class ResponseValidationFailure(
    ValidationFailure, code="RESPONSE_VALIDATION_ERROR", category=Category.VALIDATION
):
    """The response body failed validation; answers 400, as the document says."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ResponseValidationError: ...

    message: str = "Response validation failed."
    body: JSONValue = attrs.field(default=None, converter=frozen_json)


# --- exceptions ---------------------------------------------------------------------

_AGENTS = Family(
    base=(Attr("message"), Attr("code", "error_code"), details_attr(), RetryAfterText()),
    special={"retry_after_header": RetryAfterText(exact=True, none_text="")},
    constants={"default_message": "message", "default_error_code": "code"},
)


class AgentBaseException(PairedException, failure=AgentBaseFailure, family=_AGENTS):
    """Base of every agent exception; answers 500 Internal Server Error.

    Args:
        message: the message (default: the class's documented message).
        error_code: the error code (default: the class's documented code).
        details: extra context (railguard addition; keyword-only).
        retry_after: ``Retry-After`` text (railguard addition; keyword-only).
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentBaseFailure: ...

    default_message: ClassVar[str]
    default_error_code: ClassVar[str]

    def __init__(
        self,
        message: str | None = None,
        error_code: str | None = None,
        *,
        details: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        self.message: str = self.default_message if message is None else message
        self.error_code: str = self.default_error_code if error_code is None else error_code
        self.details: dict[str, Any] = dict(details or {})
        self.retry_after: str | None = retry_after
        super().__init__(self.message)


class AgentNotFoundException(AgentBaseException, failure=AgentNotFoundFailure):
    """The agent is not found in the system; answers 404 Not Found."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentNotFoundFailure: ...


class AgentConfigException(AgentBaseException, failure=AgentConfigFailure):
    """The agent configuration is wrong; answers 400 Bad Request."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentConfigFailure: ...


class AgentValidationException(AgentBaseException, failure=AgentValidationFailure):
    """The agent's input failed validation; answers 400 Bad Request."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentValidationFailure: ...


class AgentExecutionException(AgentBaseException, failure=AgentExecutionFailure):
    """The agent failed during execution; answers 500 Internal Server Error.

    ``detail`` is appended to the message; so are ``service_error_code`` and
    ``service_name``, which the document's usage line passes too.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentExecutionFailure: ...

    default_message: ClassVar[str] = "Agent execution failed."

    def __init__(
        self,
        message: str | None = None,
        error_code: str | None = None,
        detail: str = "",
        service_error_code: str = "",
        service_name: str = "",
        *,
        details: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        base = self.default_message if message is None else message
        composed = compose_message(base, detail, service_error_code, _service(service_name))
        super().__init__(composed, error_code, details=details, retry_after=retry_after)
        self.detail = detail
        self.service_error_code = service_error_code
        self.service_name = service_name


class AgentExternalServiceException(AgentBaseException, failure=AgentExternalServiceFailure):
    """An external service the agent calls failed; answers 502 Bad Gateway.

    ``service_error_code`` and ``Service: {service_name}`` are appended to the message.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentExternalServiceFailure: ...

    default_message: ClassVar[str] = "External service error."

    def __init__(
        self,
        message: str | None = None,
        error_code: str | None = None,
        service_error_code: str = "",
        service_name: str = "",
        *,
        details: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        base = self.default_message if message is None else message
        composed = compose_message(base, service_error_code, _service(service_name))
        super().__init__(composed, error_code, details=details, retry_after=retry_after)
        self.service_error_code = service_error_code
        self.service_name = service_name


class AgentModelError(AgentExternalServiceException, failure=AgentModelFailure):
    """The model service the agent calls failed; answers 502 Bad Gateway."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentModelFailure: ...

    default_message: ClassVar[str] = "Model error."


class AgentRateLimitError(AgentExternalServiceException, failure=AgentRateLimitFailure):
    """The external service's rate limit was exceeded; answers 429 Too Many Requests.

    ``retry_after`` is mandatory: the ``Retry-After`` header value of the response.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> AgentRateLimitFailure: ...

    default_message: ClassVar[str] = "Rate limit error."
    retry_after: str

    def __init__(
        self,
        message: str | None = None,
        error_code: str | None = None,
        service_error_code: str = "",
        service_name: str = "",
        *,
        retry_after: str,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(
            message,
            error_code,
            service_error_code,
            service_name,
            details=details,
            retry_after=retry_after,
        )


_VALIDATION = Family(
    base=(Attr("message"), details_attr(), RetryAfterText(), json_attr("errors", "_errors")),
    special={"body": json_attr("body")},
    args=lambda failure: (plain(getattr(failure, "errors", ())),),
    constants={"default_message": "message"},
)


class ValidationException(PairedException, failure=ValidationFailure, family=_VALIDATION):
    """A validation error in the FastAPI layer; answers 400 Bad Request.

    Shaped like FastAPI's exception of the same name: ``errors()`` returns the
    errors it was given, ``str()`` lists them; the request and response errors
    add ``body``. ``message``, ``details`` and ``retry_after`` are railguard
    additions: keyword-only arguments here, attributes of all three classes.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ValidationFailure: ...

    default_message: ClassVar[str]

    def __init__(
        self,
        errors: Sequence[Any],
        *,
        message: str | None = None,
        details: Mapping[str, Any] | None = None,
        retry_after: str | None = None,
    ) -> None:
        self._errors = list(errors)
        self.message: str = self.default_message if message is None else message
        self.details: dict[str, Any] = dict(details or {})
        self.retry_after: str | None = retry_after
        super().__init__(self._errors)

    def errors(self) -> Sequence[Any]:
        """The validation errors (FastAPI's ``errors()``)."""
        return self._errors

    def __str__(self) -> str:
        count = len(self._errors)
        lines = [f"{count} validation error{'s' if count != 1 else ''}:"]
        lines.extend(f"  {error}" for error in self._errors)
        return "\n".join(lines)


class RequestValidationError(ValidationException, failure=RequestValidationFailure):
    """The request body failed validation; answers 400 Bad Request."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> RequestValidationFailure: ...

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body


class ResponseValidationError(ValidationException, failure=ResponseValidationFailure):
    """The response body failed validation; answers 400 Bad Request (as documented)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ResponseValidationFailure: ...

    def __init__(self, errors: Sequence[Any], *, body: Any = None) -> None:
        super().__init__(errors)
        self.body = body
