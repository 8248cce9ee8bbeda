"""The catalog: registration at class creation, lookup, order, duplicates, reloads, threads."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

import railguard
from railguard import (
    DuplicateCodeError,
    Failure,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    ValidationFailure,
)

GENERIC_CODES = [
    "INFRASTRUCTURE",
    "CODE_RELATED",
    "WORKFLOW",
    "CONFIGURATION",
    "VALIDATION",
    "AUTHENTICATION",
    "AUTHORIZATION",
    "NOT_FOUND",
    "CONFLICT",
    "RATE_LIMIT",
    "TIMEOUT",
    "UPSTREAM",
    "PROTOCOL",
    "INTERNAL",
    "UNKNOWN",
    "MALFORMED",
    "HTTP_STATUS",
    "FAILURE_GROUP",
]


@pytest.mark.parametrize("code", GENERIC_CODES)
def test_lookup_finds_the_generic_failures(code: str) -> None:
    """Every generic failure is registered under its code."""
    cls = railguard.lookup(code)
    assert cls is not None
    assert cls.default_code == code


def test_lookup_of_an_unknown_code_is_none() -> None:
    """An unregistered code gives None: nothing is imported or built from input."""
    assert railguard.lookup("NO_SUCH_CODE") is None
    assert railguard.lookup("railguard.core._generic.NotFoundFailure") is None
    assert railguard.lookup("") is None


def test_catalog_lists_every_registered_class_once_in_a_stable_order() -> None:
    """catalog() has no duplicates, includes the generic failures and repeats its order."""
    first = list(railguard.catalog())
    assert first == list(railguard.catalog())
    assert len(first) == len(set(first))
    assert {NotFoundFailure, ValidationFailure, InternalFailure, FailureGroup} <= set(first)
    codes = [cls.default_code for cls in first]
    assert len(codes) == len(set(codes))


def test_catalog_orders_by_module_then_definition() -> None:
    """Within a module, classes appear in the order they were defined."""
    generic = [cls for cls in railguard.catalog() if cls.__module__ == NotFoundFailure.__module__]
    assert [cls.default_code for cls in generic] == GENERIC_CODES[:-1]
    modules = [cls.__module__ for cls in railguard.catalog()]
    assert modules == sorted(modules)


def test_catalog_imports_the_family_modules() -> None:
    """catalog() imports every module listed in FAMILY_MODULES first."""
    from railguard.families import FAMILY_MODULES

    list(railguard.catalog())
    assert all(module in sys.modules for module in FAMILY_MODULES)


def test_new_class_is_registered_at_creation(isolated_catalog: None) -> None:
    """Defining a concrete failure class registers it; lookup returns that class."""

    @attrs.frozen(kw_only=True)
    class ShelfEmptyFailure(Failure, code="TEST_SHELF_EMPTY"):
        pass

    assert railguard.lookup("TEST_SHELF_EMPTY") is ShelfEmptyFailure
    assert list(railguard.catalog()).count(ShelfEmptyFailure) == 1


def test_duplicate_code_is_an_error_at_class_creation(isolated_catalog: None) -> None:
    """A second class claiming a taken code fails when it is defined, naming both classes."""
    with pytest.raises(DuplicateCodeError, match=r"'NOT_FOUND'.*NotFoundFailure"):

        @attrs.frozen(kw_only=True)
        class ImpostorFailure(Failure, code="NOT_FOUND"):
            pass

    assert railguard.lookup("NOT_FOUND") is NotFoundFailure


def test_duplicate_code_error_is_a_type_error() -> None:
    """DuplicateCodeError is a TypeError: a class definition is at fault."""
    assert issubclass(DuplicateCodeError, TypeError)


def test_unfinished_class_is_not_registered(isolated_catalog: None) -> None:
    """Only the class attrs finishes is registered, not the one the class statement made."""

    @attrs.frozen(kw_only=True)
    class FinishedFailure(Failure, code="TEST_FINISHED"):
        pass

    registered = railguard.lookup("TEST_FINISHED")
    assert registered is FinishedFailure
    assert "__attrs_attrs__" in vars(registered)


@pytest.fixture
def module_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory on sys.path for modules written by the test."""
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("railguard_reload_probe", None)


def _write_module(path: Path, first: str, second: str, *, mtime: int) -> None:
    path.write_text(
        textwrap.dedent(
            f"""
            import attrs
            from railguard import Failure

            @attrs.frozen(kw_only=True)
            class FirstFailure(Failure, code="{first}"):
                pass

            @attrs.frozen(kw_only=True)
            class SecondFailure(Failure, code="{second}"):
                pass
            """
        )
    )
    os.utime(path, (mtime, mtime))  # a reload must see a new source file


def test_reload_replaces_classes_in_place(isolated_catalog: None, module_dir: Path) -> None:
    """Reloading a module replaces its classes under their codes and keeps their order."""
    path = module_dir / "railguard_reload_probe.py"
    _write_module(path, "TEST_RELOAD_A", "TEST_RELOAD_B", mtime=1_000_000_000)
    module = importlib.import_module("railguard_reload_probe")
    old_first = module.FirstFailure
    before = [cls.__qualname__ for cls in railguard.catalog() if cls.__module__ == module.__name__]

    _write_module(path, "TEST_RELOAD_A", "TEST_RELOAD_B", mtime=1_100_000_000)
    module = importlib.reload(module)

    assert module.FirstFailure is not old_first
    assert railguard.lookup("TEST_RELOAD_A") is module.FirstFailure
    after = [cls for cls in railguard.catalog() if cls.__module__ == module.__name__]
    assert [cls.__qualname__ for cls in after] == before
    assert old_first not in after


def test_reload_with_a_changed_code_releases_the_old_code(
    isolated_catalog: None, module_dir: Path
) -> None:
    """A reloaded class whose code changed is found only under the new code."""
    path = module_dir / "railguard_reload_probe.py"
    _write_module(path, "TEST_RELOAD_OLD", "TEST_RELOAD_B", mtime=1_000_000_000)
    module = importlib.import_module("railguard_reload_probe")

    _write_module(path, "TEST_RELOAD_NEW", "TEST_RELOAD_B", mtime=1_100_000_000)
    module = importlib.reload(module)

    assert railguard.lookup("TEST_RELOAD_OLD") is None
    assert railguard.lookup("TEST_RELOAD_NEW") is module.FirstFailure
    ours = [cls for cls in railguard.catalog() if cls.__module__ == module.__name__]
    assert ours == [module.FirstFailure, module.SecondFailure]


def test_concurrent_class_creation_registers_every_class(isolated_catalog: None) -> None:
    """Classes created from many threads at once are all registered, none lost or doubled."""
    threads_count, per_thread = 8, 25
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def create(worker: int) -> None:
        try:
            barrier.wait()
            for index in range(per_thread):
                attrs.frozen(kw_only=True)(
                    type(
                        f"Threaded{worker}_{index}Failure",
                        (Failure,),
                        {"__module__": __name__},
                        code=f"TEST_THREAD_{worker}_{index}",
                    )
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    made = [cls for cls in railguard.catalog() if cls.default_code.startswith("TEST_THREAD_")]
    assert len(made) == threads_count * per_thread
    assert len({cls.default_code for cls in made}) == threads_count * per_thread


def test_concurrent_duplicate_codes_let_exactly_one_class_win(isolated_catalog: None) -> None:
    """Threads racing to register the same code: one succeeds, every other gets the error."""
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create(worker: int) -> None:
        barrier.wait()
        try:
            attrs.frozen(kw_only=True)(
                type(
                    f"Racer{worker}Failure",
                    (Failure,),
                    {"__module__": __name__},
                    code="TEST_RACE",
                )
            )
            outcome = "registered"
        except DuplicateCodeError:
            outcome = "duplicate"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=create, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["duplicate"] * (threads_count - 1) + ["registered"]
    winner = railguard.lookup("TEST_RACE")
    assert winner is not None
    assert winner.__qualname__.startswith("Racer")


def test_core_imports_no_family_and_no_boundary() -> None:
    """The registry names no family or boundary; `import railguard.core` registers none."""
    source = (Path(railguard.__file__).parent / "core" / "_registry.py").read_text()
    assert "families" not in source
    assert "websocket" not in source
    assert "importlib" not in source


_AGENTS_BODY = (
    '{"code": "NOT_FOUND", "message": "m", "errors": [{"type": "AGENT_NOT_FOUND", "message": "m"}]}'
)
_DECODERS = {
    "http": f"import railguard.http as h; f = h.decode(404, {{}}, {_AGENTS_BODY!r})",
    "http-auto": f"import railguard.http as h; f = h.decode(404, {{}}, {_AGENTS_BODY!r}, 'auto')",
    "websocket": (
        "import railguard.websocket as w; "
        'f = w.decode_frame(\'{"type": "error", "error_code": "AGENT_NOT_FOUND"}\')'
    ),
    "close": "import railguard.websocket as w; f = w.from_close(4404, 'AGENT_NOT_FOUND: m')",
}


@pytest.mark.parametrize("decoder", sorted(_DECODERS))
def test_each_decoder_gives_the_same_result_in_a_fresh_process(decoder: str) -> None:
    """A fresh interpreter decodes a family code as a warm one does (no import-order effects)."""
    program = _DECODERS[decoder] + "; print(type(f).__name__)"
    fresh = subprocess.run(  # noqa: S603  # our own interpreter, a fixed program
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    ).stdout.strip()
    namespace: dict[str, object] = {}
    exec(_DECODERS[decoder], namespace)  # noqa: S102  # the same fixed program, warm
    assert fresh == type(namespace["f"]).__name__ == "AgentNotFoundFailure"
