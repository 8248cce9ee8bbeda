"""The executor family (seed 004): categories, recovery methods, verbatim messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from railguard import Category, Recovery
from railguard.families.executor import (
    CATEGORIES,
    CodeGenerationError,
    CodeRuntimeError,
    CodeSyntaxError,
    ContainerConfigurationError,
    ContainerConnectivityError,
    ErrorCategory,
    ExceptionSummary,
    ExecutionTimeoutError,
    ExecutionTimeoutFailure,
    MaxAttemptsExceededError,
    MaxAttemptsExceededFailure,
    PythonExecutorException,
    PythonExecutorFailure,
    WorkflowError,
    WorkflowFailure,
)
from railguard.testing import exceptions_equal

SAMPLES: list[tuple[PythonExecutorException, ErrorCategory]] = [
    (
        ContainerConnectivityError("Connection refused", "localhost", 8888),
        ErrorCategory.INFRASTRUCTURE,
    ),
    (ContainerConfigurationError("bad image"), ErrorCategory.CONFIGURATION),
    (CodeGenerationError("no code", 2, ["empty"]), ErrorCategory.CODE_RELATED),
    (CodeSyntaxError("bad syntax", ["line 1"]), ErrorCategory.CODE_RELATED),
    (CodeRuntimeError("ZeroDivisionError", "Traceback ...", 1), ErrorCategory.CODE_RELATED),
    (ExecutionTimeoutError(30), ErrorCategory.WORKFLOW),
    (MaxAttemptsExceededError("execution", 3, ["e1", "e2", "e3"]), ErrorCategory.WORKFLOW),
    (WorkflowError("bug", "orchestration"), ErrorCategory.WORKFLOW),
]


def test_error_category_values_are_exact() -> None:
    """``ErrorCategory`` has the document's four values, mapped onto railguard's."""
    assert {m.name: m.value for m in ErrorCategory} == {
        "INFRASTRUCTURE": "infrastructure",
        "CODE_RELATED": "code_related",
        "WORKFLOW": "workflow",
        "CONFIGURATION": "configuration",
    }
    assert CATEGORIES[ErrorCategory.CODE_RELATED] is Category.CODE_RELATED
    assert all(CATEGORIES[m].value == m.value for m in ErrorCategory)


@pytest.mark.parametrize(("exc", "category"), SAMPLES, ids=lambda v: type(v).__name__)
def test_category_and_predicates(exc: PythonExecutorException, category: ErrorCategory) -> None:
    """Each exception has its category, and the predicates agree with it."""
    assert exc.category is category
    assert exc.is_infrastructure_error() is (category is ErrorCategory.INFRASTRUCTURE)
    assert exc.is_code_error() is (category is ErrorCategory.CODE_RELATED)
    assert exc.is_workflow_error() is (category is ErrorCategory.WORKFLOW)
    assert exc.should_retry_execution() is (category is ErrorCategory.INFRASTRUCTURE)
    assert exc.should_retry_code_generation() is (category is ErrorCategory.CODE_RELATED)


@pytest.mark.parametrize(("exc", "category"), SAMPLES, ids=lambda v: type(v).__name__)
def test_failure_recovery_follows_the_category(
    exc: PythonExecutorException, category: ErrorCategory
) -> None:
    """Infrastructure retries the execution, code regenerates, workflow/config escalate."""
    failure = exc.failure
    assert failure.category is CATEGORIES[category]
    expected = {
        ErrorCategory.INFRASTRUCTURE: Recovery.BACKOFF,
        ErrorCategory.CODE_RELATED: Recovery.REGENERATE,
        ErrorCategory.WORKFLOW: Recovery.ESCALATE,
        ErrorCategory.CONFIGURATION: Recovery.ESCALATE,
    }[category]
    assert failure.recovery is expected


def test_base_category_is_per_instance() -> None:
    """The base exception's category, whatever it is, comes back from its failure."""
    exc = PythonExecutorException("m", ErrorCategory.CODE_RELATED, {"k": 1}, Path("/srv/run"))
    failure = exc.failure
    assert isinstance(failure, PythonExecutorFailure)
    assert (failure.category, failure.recovery) == (Category.CODE_RELATED, Recovery.REGENERATE)
    assert dict(failure.details) == {"k": 1}
    assert failure.folder_path == "/srv/run"
    assert exceptions_equal(exc, failure.to_exception())


def test_documented_messages_verbatim() -> None:
    """The document's computed messages, word for word."""
    assert ExecutionTimeoutError(30).message == "Python code execution timeout after 30 seconds"
    assert (
        MaxAttemptsExceededError("execution", 3, []).message
        == "Maximum execution attempts (3) exceeded"
    )
    connectivity = ContainerConnectivityError("Connection refused", "localhost", 8888)
    assert connectivity.get_user_message() == (
        "Python execution environment is not reachable at localhost:8888"
    )
    assert WorkflowError("m", "execution").get_user_message() == (
        "An unexpected error occurred in the Python executor during execution"
    )


def test_failures_format_the_same_messages() -> None:
    """Failures built from the same fields carry the same messages."""
    assert ExecutionTimeoutFailure(timeout_seconds=30) == ExecutionTimeoutError(30).failure
    failure = MaxAttemptsExceededFailure(operation_type="execution", max_attempts=3, error_chain=[])
    assert failure.message == "Maximum execution attempts (3) exceeded"
    assert ExecutionTimeoutFailure(timeout_seconds=30).status == 504


def test_original_exception_is_kept_as_a_summary() -> None:
    """A workflow error's original exception travels as ``"TypeName: text"``."""
    exc = WorkflowError("bug", "execution", original_exception=KeyError("plan"))
    failure = exc.failure
    assert isinstance(failure, WorkflowFailure)
    assert failure.original_exception == "KeyError: 'plan'"
    back = failure.to_exception()
    assert isinstance(back.original_exception, ExceptionSummary)
    assert str(back.original_exception) == "KeyError: 'plan'"
    assert back.failure == failure
    assert exceptions_equal(exc, back)


def test_lists_and_paths_convert_losslessly() -> None:
    """Lists become tuples and paths text on the failure, and come back as list and Path."""
    exc = CodeRuntimeError("m", "tb", 2, folder_path=Path("/srv/run//7"))
    assert exc.failure.folder_path == "/srv/run/7"
    back = exc.failure.to_exception()
    assert back.folder_path == Path("/srv/run/7")
    chain = CodeGenerationError("m", 1, ["a", "b"]).failure
    assert chain.error_chain == ("a", "b")
    assert chain.to_exception().error_chain == ["a", "b"]


def test_a_category_outside_the_documents_four_is_refused_when_built() -> None:
    """``category`` must be one of the executor's four: NOT_FOUND would answer 404."""
    with pytest.raises(ValueError, match="not an executor category"):
        PythonExecutorFailure(category=Category.NOT_FOUND)  # type: ignore[arg-type]  # the run-time check
    for category in (Category.INFRASTRUCTURE, Category.CODE_RELATED, Category.WORKFLOW):
        assert PythonExecutorFailure(category=category).category is category
