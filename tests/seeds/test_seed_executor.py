"""Seed 004 (Python executor): the module's docstring examples, run with only their imports changed.

The executors, the code regenerator and the logger are stand-ins for the
document's own objects; the ``>>>`` examples run inside ``async def``s.
"""

# ruff: noqa: D102, D103, F841  # the document's code, as written
# mypy: disable-error-code="no-untyped-def, no-untyped-call"

from __future__ import annotations

import logging
from typing import Any

import pytest

from railguard.families.executor import (  # was: from the executor service's exceptions module
    CodeRuntimeError,
    ContainerConnectivityError,
    ExecutionTimeoutError,
    PythonExecutorException,
)

logger = logging.getLogger("executor-example")
calls: list[tuple[str, Any]] = []
notified: list[str] = []
code = "print(1)"


class _Executor:
    def __init__(self, name: str) -> None:
        self.name = name
        self.errors: list[BaseException] = []

    async def execute_code(self, code: str) -> str:
        calls.append((self.name, code))
        if self.errors:
            raise self.errors.pop(0)
        return f"{self.name} ran {code}"


executor = _Executor("executor")
container_executor = _Executor("container")
local_executor = _Executor("local")


async def execute_code(code: str) -> str:
    return await executor.execute_code(code)


async def retry_execution(code: str) -> str:
    calls.append(("retry", code))
    return "retried"


async def retry_execution_with_backoff(code: str) -> str:
    calls.append(("retry with backoff", code))
    return "retried"


async def regenerate_code(error_feedback: str) -> str:
    calls.append(("regenerate", error_feedback))
    return "print(2)"


async def regenerate_with_feedback(feedback: str) -> str:
    return await regenerate_code(feedback)


async def notify_user(message: str) -> None:
    notified.append(message)


@pytest.fixture(autouse=True)
def _clean() -> None:
    calls.clear()
    notified.clear()
    executor.errors.clear()


# --- "Catching and handling different error categories" ----------------------------
# fmt: off

async def catching_categories():
    try:
        result = await executor.execute_code(code)
    except ContainerConnectivityError as e:
        logger.warning(f"Container unreachable: {e.get_user_message()}")
        # Retry with different container or fallback to local execution
    except CodeRuntimeError as e:
        logger.info(f"Code failed, regenerating: {e.message}")
        # Trigger code regeneration with error feedback
    except ExecutionTimeoutError as e:
        logger.error(f"Execution timeout: {e.timeout_seconds}s")
        # Notify user and potentially increase timeout

# fmt: on


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("error", "level", "text"),
    [
        (
            ContainerConnectivityError("Connection refused", "localhost", 8888),
            logging.WARNING,
            "Container unreachable: Python execution environment is not reachable at "
            "localhost:8888",
        ),
        (
            CodeRuntimeError("NameError: x", "Traceback ...", 1),
            logging.INFO,
            "Code failed, regenerating: NameError: x",
        ),
        (ExecutionTimeoutError(30), logging.ERROR, "Execution timeout: 30s"),
    ],
)
async def test_catching_categories(
    error: PythonExecutorException, level: int, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each category lands in its branch and logs what the example logs."""
    executor.errors.append(error)
    with caplog.at_level(logging.INFO, logger="executor-example"):
        await catching_categories()
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(level, text)]


# --- "Error category-based retry logic" ---------------------------------------------
# fmt: off

async def category_retry(exception):
    if exception.should_retry_execution():
        # Infrastructure error - retry same code
        await retry_execution(code)
    elif exception.should_retry_code_generation():
        # Code error - regenerate and retry
        new_code = await regenerate_code(error_feedback=str(exception))
        await execute_code(new_code)

# fmt: on


@pytest.mark.anyio
async def test_infrastructure_errors_retry_the_same_code() -> None:
    """An infrastructure error retries the same code."""
    await category_retry(ContainerConnectivityError("refused", "localhost", 8888))
    assert calls == [("retry", "print(1)")]


@pytest.mark.anyio
async def test_code_errors_regenerate() -> None:
    """A code error regenerates the code from the error, then runs the new code."""
    await category_retry(CodeRuntimeError("NameError: x", "tb", 1))
    assert calls == [("regenerate", "NameError: x"), ("executor", "print(2)")]


@pytest.mark.anyio
async def test_workflow_errors_do_neither() -> None:
    """A workflow error neither retries nor regenerates."""
    await category_retry(ExecutionTimeoutError(30))
    assert calls == []


# --- the method examples ----------------------------------------------------------------
# fmt: off

async def infrastructure_example():
    try:
        await execute_code(code)
    except PythonExecutorException as e:
        if e.is_infrastructure_error():
            await asyncio.sleep(1)  # Brief delay
            await execute_code(code)  # Retry same code

async def code_error_example():
    try:
        await execute_code(code)
    except PythonExecutorException as e:
        if e.is_code_error():
            new_code = await regenerate_code(error_feedback=str(e))
            await execute_code(new_code)

async def workflow_example():
    try:
        await execute_code(code)
    except PythonExecutorException as e:
        if e.is_workflow_error():
            await notify_user(f"Execution failed: {e.message}")

async def should_retry_execution_example(exception):
    if exception.should_retry_execution():
        logger.info("Infrastructure issue, retrying execution...")
        await retry_execution_with_backoff(code)

async def should_retry_code_generation_example(exception):
    if exception.should_retry_code_generation():
        logger.info("Code issue, regenerating with feedback...")
        improved_code = await regenerate_with_feedback(str(exception))
        await execute_code(improved_code)

async def container_example():
    try:
        result = await container_executor.execute_code(code)
    except ContainerConnectivityError as e:
        logger.warning(f"Container issue: {e.get_user_message()}")
        # Automatic retry or fallback to local execution
        result = await local_executor.execute_code(code)
    return result

# fmt: on


class asyncio:  # noqa: N801  # stands in for the module, so the 1-second sleep is instant
    """``asyncio.sleep`` without the wait."""

    @staticmethod
    async def sleep(seconds: float) -> None:
        calls.append(("sleep", seconds))


@pytest.mark.anyio
async def test_is_infrastructure_error_example() -> None:
    """An infrastructure error sleeps briefly and runs the same code again."""
    executor.errors.append(ContainerConnectivityError("refused", "localhost", 8888))
    await infrastructure_example()
    assert calls == [("executor", "print(1)"), ("sleep", 1), ("executor", "print(1)")]


@pytest.mark.anyio
async def test_is_code_error_example() -> None:
    """A code error regenerates the code with the error as feedback."""
    executor.errors.append(CodeRuntimeError("boom", "tb", 1))
    await code_error_example()
    assert calls == [("executor", "print(1)"), ("regenerate", "boom"), ("executor", "print(2)")]


@pytest.mark.anyio
async def test_is_workflow_error_example() -> None:
    """A workflow error notifies the user with its message."""
    executor.errors.append(ExecutionTimeoutError(30))
    await workflow_example()
    assert notified == ["Execution failed: Python code execution timeout after 30 seconds"]


@pytest.mark.anyio
async def test_should_retry_examples() -> None:
    """The two retry predicates pick backoff for infrastructure and regeneration for code."""
    await should_retry_execution_example(ContainerConnectivityError("x", "h", 1))
    await should_retry_code_generation_example(CodeRuntimeError("bad", "tb", 1))
    assert calls == [
        ("retry with backoff", "print(1)"),
        ("regenerate", "bad"),
        ("executor", "print(2)"),
    ]


@pytest.mark.anyio
async def test_container_fallback_example(caplog: pytest.LogCaptureFixture) -> None:
    """An unreachable container falls back to local execution with a user message."""
    container_executor.errors.append(ContainerConnectivityError("refused", "localhost", 8888))
    with caplog.at_level(logging.WARNING, logger="executor-example"):
        assert await container_example() == "local ran print(1)"
    assert caplog.messages == [
        "Container issue: Python execution environment is not reachable at localhost:8888"
    ]


def test_get_user_message_doctest() -> None:
    """The ``get_user_message`` doctest prints the documented text."""
    # fmt: off
    error = ContainerConnectivityError(
        "Connection refused", "localhost", 8888
    )
    # fmt: on
    assert error.get_user_message() == (
        "Python execution environment is not reachable at localhost:8888"
    )
