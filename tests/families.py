"""Shared helpers for the family tests: the modules, their pairs, their documented trees."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import typing
from types import ModuleType

import attrs

import railguard
from railguard.families import FAMILY_MODULES
from railguard.families.pairing import PairedException, PairedFailure

MODULES: dict[str, ModuleType] = {
    name.rsplit(".", 1)[1]: importlib.import_module(name) for name in FAMILY_MODULES
}

# Every exception each document names (the agents module adds the FastAPI manager's three).
DOCUMENTED: dict[str, tuple[str, ...]] = {
    "distiller": (
        "DistillerClientError",
        "AuthenticationError",
        "ProjectCreationError",
        "ProjectDownloadError",
        "ConnectionError",
        "UserAlreadyConnectedError",
        "ConnectionTimeoutError",
        "ConnectionClosedError",
        "WebSocketError",
        "WebSocketSendError",
        "WebSocketReceiveError",
        "DatabaseError",
        "HistoryRetrievalError",
        "ChatLoggingError",
    ),
    "agents": (
        "AgentBaseException",
        "AgentNotFoundException",
        "AgentConfigException",
        "AgentValidationException",
        "AgentExecutionException",
        "AgentExternalServiceException",
        "AgentModelError",
        "AgentRateLimitError",
        "ValidationException",
        "RequestValidationError",
        "ResponseValidationError",
    ),
    "kneo": (
        "KneoError",
        "KneoNetworkError",
        "KneoAuthError",
        "KneoPermissionError",
        "KneoNotFoundError",
        "KneoConflictError",
        "KneoIdempotencyMismatchError",
        "KneoRateLimited",
        "KneoServerError",
    ),
    "bridge": (
        "ZhinengBridgeException",
        "ValidationError",
        "InvalidMessageTypeError",
        "InvalidToolNameError",
        "InvalidSessionIdError",
        "InvalidJSONError",
        "MissingFieldError",
        "AuthenticationError",
        "AuthorizationError",
        "RateLimitError",
        "SessionNotFoundError",
        "SessionAlreadyRunningError",
        "MaxConnectionsError",
        "MaxSessionsError",
        "ServerException",
        "SessionManagerError",
        "ToolExecutionError",
        "ConnectionError",
        "TimeoutError",
        "ConfigurationError",
    ),
    "executor": (
        "PythonExecutorException",
        "ContainerConnectivityError",
        "ContainerConfigurationError",
        "CodeGenerationError",
        "CodeSyntaxError",
        "CodeRuntimeError",
        "ExecutionTimeoutError",
        "MaxAttemptsExceededError",
        "WorkflowError",
    ),
}


def documented_exceptions() -> list[type[Exception]]:
    """Every documented exception class of every family, in document order."""
    return [
        getattr(MODULES[family], name) for family, names in DOCUMENTED.items() for name in names
    ]


def paired_exceptions(module: ModuleType) -> list[type[Exception]]:
    """The exception classes a family module pairs with failures, in definition order."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Exception)
        and value.__module__ == module.__name__
        and issubclass(value, PairedException)
        and "_pairing" in value.__dict__
    ]


def family_failures() -> list[type[PairedFailure]]:
    """Every failure class of every family, in definition order."""
    return [failure_of(exc) for module in MODULES.values() for exc in paired_exceptions(module)]


def failure_of(exc_type: type[Exception]) -> type[PairedFailure]:
    """The failure class paired with an exception class."""
    assert issubclass(exc_type, PairedException)
    return exc_type._pairing.failure_class


def expected_failure_name(exc_name: str) -> str:
    """DESIGN.md's rule: a trailing Error/Exception becomes Failure, else Failure is appended."""
    return re.sub(r"(Error|Exception)$", "", exc_name) + "Failure"


_TREE_LINE = re.compile(r"^(?P<indent>(?:[│ ]   )*)(?:[├└]── )?(?P<name>\w+)$")


def docstring_trees(module: ModuleType) -> list[list[tuple[int, str]]]:
    """The trees drawn in a module docstring: each a list of (depth, class name)."""
    trees: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    for raw in (module.__doc__ or "").splitlines():
        line = raw.removeprefix("    ").rstrip()
        match = _TREE_LINE.match(line) if raw.startswith("    ") else None
        if match is None:
            if current:
                trees.append(current)
                current = []
            continue
        has_branch = "── " in line
        depth = len(match["indent"]) // 4 + (1 if has_branch else 0)
        current.append((depth, match["name"]))
    if current:
        trees.append(current)
    return trees


def class_tree(root: type[Exception], members: list[type[Exception]]) -> list[tuple[int, str]]:
    """The tree under ``root`` rebuilt from the classes (direct subclasses, definition order)."""
    tree: list[tuple[int, str]] = []

    def walk(cls: type[Exception], depth: int) -> None:
        tree.append((depth, cls.__name__))
        for sub in cls.__subclasses__():
            if sub in members:
                walk(sub, depth + 1)

    walk(root, 0)
    return tree


def sample_exception(exc_type: type[Exception]) -> Exception:
    """A representative exception: from its failure's field defaults, with a cause."""
    failure_class = failure_of(exc_type)
    required: dict[str, typing.Any] = {
        a.name: _sample_value(typing.get_type_hints(failure_class)[a.name])
        for a in attrs.fields(failure_class)
        if a.default is attrs.NOTHING
    }
    failure = failure_class(
        **required,
        details={"context": [1, "two"]},
        retry_after=7,
        cause=railguard.TimeoutFailure(message="slow"),
    )
    exc = failure.to_exception()
    assert isinstance(exc, Exception)
    return exc


def _sample_value(hint: object) -> object:
    if hint is int:
        return 3
    if typing.get_origin(hint) is tuple:
        return ("a", "b")
    return "x"


def typed_pairings(module: ModuleType) -> dict[str, str]:
    """What each class's ``if TYPE_CHECKING:`` block tells type checkers it pairs with.

    Maps a class name to the return annotation of its typed ``failure`` property
    (an exception) or ``to_exception`` method (a failure), as written.
    """
    declared: dict[str, str] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for statement in node.body:
            if not (
                isinstance(statement, ast.If) and ast.unparse(statement.test) == "TYPE_CHECKING"
            ):
                continue
            for member in statement.body:
                if not isinstance(member, ast.FunctionDef) or member.returns is None:
                    continue
                if member.name in ("failure", "to_exception"):
                    declared[node.name] = ast.unparse(member.returns).removeprefix("_this.")
    return declared
