"""The Python executor service errors (seed 004), as failures and as the document's exceptions.

Errors are grouped by `ErrorCategory`, which decides recovery: retry the same
execution (infrastructure), regenerate the code (code-related), or stop for a
person (workflow, configuration)::

    PythonExecutorException
    ├── ContainerConnectivityError
    ├── ContainerConfigurationError
    ├── CodeGenerationError
    ├── CodeSyntaxError
    ├── CodeRuntimeError
    ├── ExecutionTimeoutError
    ├── MaxAttemptsExceededError
    └── WorkflowError

Each failure keeps the exception's ``category`` as a railguard `Category` (one
of the four executor values, so recovery follows it), ``technical_details`` as
``details``, ``folder_path`` as text, lists as tuples, and a
``WorkflowError``'s ``original_exception`` as ``"TypeName: text"`` (the
exception comes back as an `ExceptionSummary`). ``retry_after`` (seconds,
keyword-only on the base) is a railguard addition so that a failure's retry
hint survives the exception.
"""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TypeAlias

import attrs

from railguard.core import Category

from ._pairing import (
    Attr,
    Family,
    PairedException,
    PairedFailure,
    class_default,
    derived_message,
    details_attr,
    frozen_tuple,
    keyword_defaults,
)

if TYPE_CHECKING:
    from typing_extensions import override

__all__ = [
    "CATEGORIES",
    "CodeGenerationError",
    "CodeGenerationFailure",
    "CodeRuntimeError",
    "CodeRuntimeFailure",
    "CodeSyntaxError",
    "CodeSyntaxFailure",
    "ContainerConfigurationError",
    "ContainerConfigurationFailure",
    "ContainerConnectivityError",
    "ContainerConnectivityFailure",
    "ErrorCategory",
    "ExceptionSummary",
    "ExecutionTimeoutError",
    "ExecutionTimeoutFailure",
    "ExecutorCategory",
    "MaxAttemptsExceededError",
    "MaxAttemptsExceededFailure",
    "PythonExecutorException",
    "PythonExecutorFailure",
    "WorkflowError",
    "WorkflowFailure",
]


class ErrorCategory(enum.Enum):
    """The document's error categories; each decides a recovery strategy."""

    INFRASTRUCTURE = "infrastructure"  # container / connectivity: retry the execution
    CODE_RELATED = "code_related"  # syntax / runtime / logic: regenerate the code
    WORKFLOW = "workflow"  # timeouts, attempt limits: special handling
    CONFIGURATION = "configuration"  # config / setup: fix the deployment


CATEGORIES: Mapping[ErrorCategory, Category] = {
    member: Category(member.value) for member in ErrorCategory
}
"""Each `ErrorCategory` as a `railguard.Category` (same values)."""

ExecutorCategory: TypeAlias = Literal[
    Category.INFRASTRUCTURE, Category.CODE_RELATED, Category.WORKFLOW, Category.CONFIGURATION
]
"""The railguard categories an executor failure can have: the document's four."""


_EXECUTOR_CATEGORIES: Final = frozenset(CATEGORIES.values())


def _one_of_the_four(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An executor failure's ``category`` is one of the document's four (`ExecutorCategory`)."""
    if value not in _EXECUTOR_CATEGORIES:
        four = ", ".join(sorted(c.name for c in _EXECUTOR_CATEGORIES))
        raise ValueError(
            f"{type(instance).__qualname__}: category={value!r} is not an executor category"
            f" (one of {four})"
        )


def _path_text(value: str | os.PathLike[str] | None) -> str | None:
    return None if value is None else str(Path(value))


# --- failures -----------------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class PythonExecutorFailure(
    PairedFailure, code="PYTHON_EXECUTOR_ERROR", category=Category.WORKFLOW
):
    """The Python executor failed; ``category`` (one of the four) decides the recovery.

    ``folder_path`` is the execution folder, kept for debugging.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> PythonExecutorException: ...

    message: str = "The Python executor failed."
    # varies per instance, so a field over Failure's per-class property
    category: ExecutorCategory = class_default(validator=_one_of_the_four)  # noqa: RUF009  # pyright: ignore[reportIncompatibleMethodOverride]
    folder_path: str | None = attrs.field(default=None, converter=_path_text)


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ContainerConnectivityFailure(
    PythonExecutorFailure,
    code="EXECUTOR_CONTAINER_CONNECTIVITY",
    category=Category.INFRASTRUCTURE,
):
    """The Jupyter container at ``host``:``port`` is unreachable; retry the same code."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ContainerConnectivityError: ...

    host: str
    port: int
    message: str = derived_message(lambda f: _unreachable(f.host, f.port))


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ContainerConfigurationFailure(
    PythonExecutorFailure,
    code="EXECUTOR_CONTAINER_CONFIGURATION",
    category=Category.CONFIGURATION,
):
    """The container configuration is invalid; fix the deployment, do not retry."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ContainerConfigurationError: ...

    message: str = "Container configuration is invalid"


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class CodeGenerationFailure(
    PythonExecutorFailure, code="EXECUTOR_CODE_GENERATION", category=Category.CODE_RELATED
):
    """The LLM failed to generate valid code (attempt ``generation_attempt``); regenerate."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> CodeGenerationError: ...

    message: str = "LLM failed to generate valid code"
    generation_attempt: int
    error_chain: tuple[str, ...] = attrs.field(converter=frozen_tuple)


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class CodeSyntaxFailure(
    PythonExecutorFailure, code="EXECUTOR_CODE_SYNTAX", category=Category.CODE_RELATED
):
    """The generated code has syntax errors (``syntax_issues``); regenerate it."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> CodeSyntaxError: ...

    message: str = "Generated code has syntax errors"
    syntax_issues: tuple[str, ...] = attrs.field(converter=frozen_tuple)


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class CodeRuntimeFailure(
    PythonExecutorFailure, code="EXECUTOR_CODE_RUNTIME", category=Category.CODE_RELATED
):
    """The code failed while running (``traceback_info``); regenerate it with that feedback."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> CodeRuntimeError: ...

    message: str = "Code failed during execution due to runtime errors"
    traceback_info: str
    execution_attempt: int


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class ExecutionTimeoutFailure(
    PythonExecutorFailure,
    code="EXECUTOR_EXECUTION_TIMEOUT",
    category=Category.WORKFLOW,
    status=504,
):
    """The execution exceeded ``timeout_seconds``; answers 504, notify a person."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> ExecutionTimeoutError: ...

    timeout_seconds: int
    message: str = derived_message(lambda f: _timeout(f.timeout_seconds))


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class MaxAttemptsExceededFailure(
    PythonExecutorFailure, code="EXECUTOR_MAX_ATTEMPTS_EXCEEDED", category=Category.WORKFLOW
):
    """``max_attempts`` of ``operation_type`` all failed (``error_chain``); stop retrying."""

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> MaxAttemptsExceededError: ...

    operation_type: str
    max_attempts: int
    error_chain: tuple[str, ...] = attrs.field(converter=frozen_tuple)
    message: str = derived_message(lambda f: _max_attempts(f.operation_type, f.max_attempts))


@attrs.frozen(kw_only=True, field_transformer=keyword_defaults)
class WorkflowFailure(
    PythonExecutorFailure, code="EXECUTOR_WORKFLOW_ERROR", category=Category.WORKFLOW
):
    """A bug in the executor itself at ``stage``; a person must look.

    ``original_exception`` is the original exception as ``"TypeName: text"``.
    """

    if TYPE_CHECKING:

        @override
        def to_exception(self) -> WorkflowError: ...

    message: str = "Unexpected workflow error"
    stage: str
    original_exception: str | None = None


# --- exceptions ---------------------------------------------------------------------


def _unreachable(host: str, port: int) -> str:
    return f"Python execution environment is not reachable at {host}:{port}"


def _timeout(timeout_seconds: int) -> str:
    return f"Python code execution timeout after {timeout_seconds} seconds"


def _max_attempts(operation_type: str, max_attempts: int) -> str:
    return f"Maximum {operation_type} attempts ({max_attempts}) exceeded"


class ExceptionSummary(Exception):  # it stands for any exception
    """An exception known only by its ``"TypeName: text"``.

    A `WorkflowFailure` keeps its ``original_exception`` as that text; the
    `WorkflowError` rebuilt from the failure holds one of these in its place.
    """

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


def _summary(exc: BaseException | None) -> str | None:
    if exc is None:
        return None
    if isinstance(exc, ExceptionSummary):
        return exc.summary
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _stand_in(summary: str | None) -> ExceptionSummary | None:
    return None if summary is None else ExceptionSummary(summary)


def _category(value: ErrorCategory | Category) -> Category:
    return Category(value.value)


def _error_category(value: Category) -> ErrorCategory:
    return ErrorCategory(value.value)


def _path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _list_attr(name: str) -> Attr:
    return Attr(name, to_failure=tuple, to_exception=list)


_EXECUTOR = Family(
    base=(
        Attr("message"),
        Attr("category", to_failure=_category, to_exception=_error_category),
        details_attr("details", "technical_details"),
        Attr("folder_path", to_failure=_path_text, to_exception=_path),
        Attr("retry_after"),
    ),
    special={
        "error_chain": _list_attr("error_chain"),
        "syntax_issues": _list_attr("syntax_issues"),
        "original_exception": Attr(
            "original_exception", to_failure=_summary, to_exception=_stand_in
        ),
    },
)


class PythonExecutorException(PairedException, failure=PythonExecutorFailure, family=_EXECUTOR):
    """Base of every Python executor exception: categorised, with debugging context.

    Args:
        message: human-readable error description.
        category: the error category, which decides the recovery strategy.
        technical_details: additional technical information for debugging.
        folder_path: the execution folder, if available.
        retry_after: the retry hint in seconds (railguard addition, keyword-only).
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> PythonExecutorFailure: ...

    def __init__(
        self,
        message: str,
        category: ErrorCategory,
        technical_details: dict[str, Any] | None = None,
        folder_path: Path | None = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.technical_details: dict[str, Any] = technical_details or {}
        self.folder_path = folder_path
        self.retry_after = retry_after

    def is_infrastructure_error(self) -> bool:
        """Whether this is an infrastructure or connectivity error (retry after a delay)."""
        return self.category == ErrorCategory.INFRASTRUCTURE

    def is_code_error(self) -> bool:
        """Whether this is a code-related error (regenerate the code with the error)."""
        return self.category == ErrorCategory.CODE_RELATED

    def is_workflow_error(self) -> bool:
        """Whether this is a workflow control error (user intervention or configuration)."""
        return self.category == ErrorCategory.WORKFLOW

    def should_retry_execution(self) -> bool:
        """Whether the same code should be executed again: infrastructure errors."""
        return self.category == ErrorCategory.INFRASTRUCTURE

    def should_retry_code_generation(self) -> bool:
        """Whether the code should be regenerated and executed again: code errors."""
        return self.category == ErrorCategory.CODE_RELATED


class ContainerConnectivityError(PythonExecutorException, failure=ContainerConnectivityFailure):
    """The Jupyter container is unreachable or the connection failed (infrastructure)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ContainerConnectivityFailure: ...

    def __init__(
        self,
        message: str,
        host: str,
        port: int,
        technical_details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, ErrorCategory.INFRASTRUCTURE, technical_details)
        self.host = host
        self.port = port

    def get_user_message(self) -> str:
        """A user-friendly message without the technical details.

        >>> ContainerConnectivityError("Connection refused", "localhost", 8888).get_user_message()
        'Python execution environment is not reachable at localhost:8888'
        """
        return _unreachable(self.host, self.port)


class ContainerConfigurationError(PythonExecutorException, failure=ContainerConfigurationFailure):
    """The container configuration is invalid (configuration)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ContainerConfigurationFailure: ...

    def __init__(self, message: str, technical_details: dict[str, Any] | None = None) -> None:
        super().__init__(message, ErrorCategory.CONFIGURATION, technical_details)


class CodeGenerationError(PythonExecutorException, failure=CodeGenerationFailure):
    """The LLM failed to generate valid code (code-related)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> CodeGenerationFailure: ...

    def __init__(
        self,
        message: str,
        generation_attempt: int,
        error_chain: list[str],
        technical_details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, ErrorCategory.CODE_RELATED, technical_details)
        self.generation_attempt = generation_attempt
        self.error_chain = error_chain


class CodeSyntaxError(PythonExecutorException, failure=CodeSyntaxFailure):
    """The generated code has syntax errors (code-related)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> CodeSyntaxFailure: ...

    def __init__(
        self,
        message: str,
        syntax_issues: list[str],
        technical_details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, ErrorCategory.CODE_RELATED, technical_details)
        self.syntax_issues = syntax_issues


class CodeRuntimeError(PythonExecutorException, failure=CodeRuntimeFailure):
    """The code failed during execution due to runtime errors (code-related)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> CodeRuntimeFailure: ...

    def __init__(
        self,
        message: str,
        traceback_info: str,
        execution_attempt: int,
        technical_details: dict[str, Any] | None = None,
        folder_path: Path | None = None,
    ) -> None:
        super().__init__(message, ErrorCategory.CODE_RELATED, technical_details, folder_path)
        self.traceback_info = traceback_info
        self.execution_attempt = execution_attempt


class ExecutionTimeoutError(PythonExecutorException, failure=ExecutionTimeoutFailure):
    """The code execution exceeded its timeout (workflow)."""

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> ExecutionTimeoutFailure: ...

    def __init__(
        self,
        timeout_seconds: int,
        technical_details: dict[str, Any] | None = None,
        folder_path: Path | None = None,
    ) -> None:
        super().__init__(
            _timeout(timeout_seconds), ErrorCategory.WORKFLOW, technical_details, folder_path
        )
        self.timeout_seconds = timeout_seconds


class MaxAttemptsExceededError(PythonExecutorException, failure=MaxAttemptsExceededFailure):
    """The maximum number of attempts was exceeded (workflow).

    ``operation_type`` is ``"code_generation"``, ``"execution"`` or ``"connectivity"``.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> MaxAttemptsExceededFailure: ...

    def __init__(
        self,
        operation_type: str,
        max_attempts: int,
        error_chain: list[str],
        technical_details: dict[str, Any] | None = None,
        folder_path: Path | None = None,
    ) -> None:
        super().__init__(
            _max_attempts(operation_type, max_attempts),
            ErrorCategory.WORKFLOW,
            technical_details,
            folder_path,
        )
        self.operation_type = operation_type
        self.max_attempts = max_attempts
        self.error_chain = error_chain


class WorkflowError(PythonExecutorException, failure=WorkflowFailure):
    """An unexpected workflow error: a bug in the executor, not in the user's code.

    ``stage`` is ``"code_generation"``, ``"static_analysis"``, ``"execution"`` or
    ``"orchestration"``.
    """

    if TYPE_CHECKING:

        @property
        @override
        def failure(self) -> WorkflowFailure: ...

    def __init__(
        self,
        message: str,
        stage: str,
        original_exception: Exception | None = None,
        technical_details: dict[str, Any] | None = None,
        folder_path: Path | None = None,
    ) -> None:
        super().__init__(message, ErrorCategory.WORKFLOW, technical_details, folder_path)
        self.stage = stage
        self.original_exception = original_exception

    def get_user_message(self) -> str:
        """A user-friendly message naming only the stage."""
        return f"An unexpected error occurred in the Python executor during {self.stage}"
