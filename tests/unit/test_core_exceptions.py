"""Exceptions ⇄ failures: pairing, cause chains, foreign exceptions, groups."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import pickle
import traceback
from typing import Any, cast

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.primitives.exceptions import UnwrapFailedError
from returns.result import Failure as ReturnsFailure

import railguard
from railguard import (
    AuthorizationFailure,
    Category,
    ConflictFailure,
    Err,
    Failure,
    FailureGroup,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    Ok,
    RailguardError,
    RailguardExceptionGroup,
    RateLimitFailure,
    TimeoutFailure,
    ValidationFailure,
    register_exception,
)
from railguard.core import cause_from, failure_from_exception, wire_failure
from railguard.families import bridge
from railguard.testing import exceptions_equal, instances_of

SECRET = "hunter2-do-not-leak"


@attrs.frozen(kw_only=True)
class LedgerLockedFailure(Failure, code="TEST_LEDGER_LOCKED", abstract=True):
    """A test failure with a typed field."""

    message: str = "The ledger is locked."
    ledger: str = "main"


class LedgerLocked(Exception):
    """A user's own exception type, mapped with register_exception."""

    def __init__(self, ledger: str) -> None:
        super().__init__(f"ledger {ledger} is locked")
        self.ledger = ledger


# --- pairing: failure -> exception -> failure ----------------------------------------------


def test_generic_failure_pairs_with_railguard_error() -> None:
    """A failure without a documented exception raises a RailguardError that carries it."""
    failure = NotFoundFailure(message="no agent 42", details={"id": 42})
    exc = failure.to_exception()
    assert type(exc) is RailguardError
    assert exc.failure is failure
    assert str(exc) == "no agent 42"
    assert exc.args == ("no agent 42",)


def test_failure_round_trips_through_its_exception() -> None:
    """A failure → exception → failure round trip gives an equal failure, typed fields too."""
    failure = LedgerLockedFailure(ledger="eu", retry_after=5, details={"by": "job-7"})
    assert Failure.from_exception(failure.to_exception()) == failure


def test_exception_round_trips_through_its_failure() -> None:
    """An exception → failure → exception round trip gives an equal exception (args, cause)."""
    exc = NotFoundFailure(cause=TimeoutFailure()).to_exception()
    again = Failure.from_exception(exc).to_exception()
    assert exceptions_equal(exc, again)


def test_cause_chain_becomes_the_exception_cause_chain() -> None:
    """``cause`` links become ``__cause__`` links, each the paired exception of its failure."""
    root = ValidationFailure(message="bad date")
    middle = TimeoutFailure(cause=root)
    top = NotFoundFailure(cause=middle)
    exc = top.to_exception()
    assert isinstance(exc.__cause__, RailguardError)
    assert exc.__cause__.failure == middle
    assert isinstance(exc.__cause__.__cause__, RailguardError)
    assert exc.__cause__.__cause__.failure == root
    assert exc.__cause__.__cause__.__cause__ is None


def test_cause_chain_survives_the_round_trip() -> None:
    """A failure's cause chain comes back intact from its exception."""
    failure = NotFoundFailure(cause=TimeoutFailure(cause=ValidationFailure()))
    restored = Failure.from_exception(failure.to_exception())
    assert restored == failure
    assert restored.cause is not None
    assert restored.cause.cause == ValidationFailure()


def test_railguard_error_pickles_with_its_failure() -> None:
    """A RailguardError pickles back to an exception carrying an equal failure."""
    exc = RateLimitFailure(retry_after=3).to_exception()
    restored = pickle.loads(pickle.dumps(exc))  # noqa: S301  # own data
    assert type(restored) is RailguardError
    assert restored.failure == RateLimitFailure(retry_after=3)
    assert str(restored) == str(exc)


def test_raised_railguard_error_is_caught_by_its_type() -> None:
    """The paired exception can be raised and caught like any exception."""
    with pytest.raises(RailguardError) as info:
        raise NotFoundFailure().to_exception()
    assert isinstance(info.value.failure, NotFoundFailure)


# --- foreign exceptions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TimeoutError("slow"), TimeoutFailure()),
        (ConnectionError("reset"), InfrastructureFailure(message="Connection failed.")),
        (
            ConnectionRefusedError(111, "refused"),
            InfrastructureFailure(message="Connection failed."),
        ),
        (PermissionError(13, "denied", f"/home/{SECRET}"), AuthorizationFailure()),
        (FileNotFoundError(2, "missing", f"/srv/{SECRET}.txt"), NotFoundFailure()),
        (ValueError("age must be positive"), ValidationFailure(message="age must be positive")),
        (ValueError(), ValidationFailure(message="Invalid value.")),
    ],
    ids=lambda value: type(value).__name__,
)
def test_builtin_exceptions_map_to_generic_failures(exc: BaseException, expected: Failure) -> None:
    """Builtin exceptions map by the table; OS errors get fixed messages (no path leaks)."""
    failure = Failure.from_exception(exc)
    assert failure == expected
    assert SECRET not in repr(failure)


def test_asyncio_timeout_is_a_timeout_failure() -> None:
    """The timeout of ``asyncio.wait_for`` (``asyncio.TimeoutError``) maps to TimeoutFailure."""

    async def too_slow() -> None:
        await asyncio.wait_for(asyncio.sleep(1), timeout=0.001)

    with pytest.raises(asyncio.TimeoutError) as info:
        asyncio.run(too_slow())
    assert Failure.from_exception(info.value) == TimeoutFailure()
    assert Failure.from_exception(TimeoutError()) == TimeoutFailure()


def test_json_decode_error_is_a_validation_failure_with_its_position() -> None:
    """A JSONDecodeError becomes a ValidationFailure naming what and where, not the document."""
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads('{"token": "' + SECRET + '", }')
    failure = Failure.from_exception(info.value)
    assert isinstance(failure, ValidationFailure)
    assert failure.message.startswith("Malformed JSON: ")
    assert failure.details == {"line": 1, "column": info.value.colno}
    assert SECRET not in repr(failure)


def test_unwrap_failed_error_gives_back_the_failure_inside() -> None:
    """``Err(failure).unwrap()`` raises UnwrapFailedError; it maps to that very failure."""
    failure = NotFoundFailure(message="no agent")
    with pytest.raises(UnwrapFailedError) as info:
        Err(failure).unwrap()
    assert Failure.from_exception(info.value) is failure


def test_unwrap_failed_error_names_the_failure_code_and_message() -> None:
    """``Err(failure).unwrap()`` outside a framework says which failure: code and message."""
    failure = NotFoundFailure(message="no agent")
    with pytest.raises(UnwrapFailedError) as info:
        Err(failure).unwrap()
    assert str(info.value) == "railguard failure NOT_FOUND: no agent"
    assert "railguard failure NOT_FOUND: no agent" in "".join(
        traceback.format_exception(info.value)
    )
    assert info.value.halted_container.failure() is failure


def test_unwrap_failed_error_of_other_containers_keeps_returns_text() -> None:
    """An Err of a non-failure and ``Ok(x).failure()`` keep returns' own (empty) text."""
    with pytest.raises(UnwrapFailedError) as plain:
        ReturnsFailure("not a failure").unwrap()
    with pytest.raises(UnwrapFailedError) as ok:
        Ok(1).failure()
    assert (str(plain.value), str(ok.value)) == ("", "")


def test_unwrap_failed_error_around_an_exception_maps_that_exception() -> None:
    """An Err holding an exception (returns' ``@safe``) maps that exception."""
    with pytest.raises(UnwrapFailedError) as info:
        ReturnsFailure(TimeoutError()).unwrap()
    assert Failure.from_exception(info.value) == TimeoutFailure()


def test_unwrap_failed_error_of_an_ok_failure_call(caplog: pytest.LogCaptureFixture) -> None:
    """``Ok(x).failure()`` raises UnwrapFailedError around a Success: an internal failure."""
    with pytest.raises(UnwrapFailedError) as info:
        Ok(1).failure()
    with caplog.at_level(logging.DEBUG, logger="railguard"):
        failure = Failure.from_exception(info.value)
    assert isinstance(failure, InternalFailure)
    assert failure.exception is info.value
    assert caplog.records == []


def test_httpx_exceptions_map_by_name() -> None:
    """The timeouts and transport errors of httpx map to timeout and infrastructure failures."""
    httpx = pytest.importorskip("httpx")
    assert Failure.from_exception(httpx.ConnectTimeout(SECRET)) == TimeoutFailure()
    failure = Failure.from_exception(httpx.ConnectError(SECRET))
    assert isinstance(failure, InfrastructureFailure)
    assert SECRET not in repr(failure)


def test_pydantic_validation_error_lists_errors_without_input() -> None:
    """A pydantic ValidationError becomes a ValidationFailure listing loc/msg/type, not input."""
    pydantic = pytest.importorskip("pydantic")

    class Model(pydantic.BaseModel):  # type: ignore[name-defined,misc]  # imported at runtime
        age: int

    with pytest.raises(pydantic.ValidationError) as info:
        Model(age=SECRET)
    failure = Failure.from_exception(info.value)
    assert isinstance(failure, ValidationFailure)
    assert failure.details == {
        "errors": [
            {
                "loc": ["age"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            }
        ]
    }
    assert SECRET not in repr(failure)


def test_most_specific_registered_type_wins(isolated_catalog: None) -> None:
    """Resolution walks the MRO: a registered subclass beats its registered base."""

    class QuotaExceeded(ConnectionError):
        pass

    register_exception(QuotaExceeded, lambda exc: RateLimitFailure())
    assert Failure.from_exception(QuotaExceeded()) == RateLimitFailure()
    assert isinstance(Failure.from_exception(ConnectionResetError()), InfrastructureFailure)


def test_register_exception_maps_a_users_own_type(isolated_catalog: None) -> None:
    """register_exception adds a converter for a type and its subclasses."""

    class EuLedgerLocked(LedgerLocked):
        pass

    register_exception(LedgerLocked, lambda exc: LedgerLockedFailure(ledger=exc.ledger))
    assert Failure.from_exception(EuLedgerLocked("eu")) == LedgerLockedFailure(ledger="eu")


def test_broken_converter_falls_back_to_internal_failure(
    isolated_catalog: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A converter that raises is logged; the exception becomes an InternalFailure."""

    def broken(exc: LedgerLocked) -> Failure:
        raise KeyError("converter bug")

    register_exception(LedgerLocked, broken)
    original = LedgerLocked(SECRET)
    with caplog.at_level(logging.ERROR, logger="railguard"):
        failure = Failure.from_exception(original)
    assert isinstance(failure, InternalFailure)
    assert failure.exception is original
    assert "LedgerLocked" in caplog.text


def test_converter_returning_a_non_failure_falls_back_to_internal_failure(
    isolated_catalog: None, caplog: pytest.LogCaptureFixture
) -> None:
    """A converter that returns a non-Failure is logged by name; never handed on as the failure."""
    register_exception(LedgerLocked, lambda exc: cast(Failure, "locked"))
    original = LedgerLocked(SECRET)
    with caplog.at_level(logging.ERROR, logger="railguard"):
        failure = Failure.from_exception(original)
    assert isinstance(failure, InternalFailure)
    assert failure.exception is original
    assert "converter registered for LedgerLocked returned str, not a Failure" in caplog.text
    assert isinstance(wire_failure(original), InternalFailure)


@pytest.mark.parametrize(
    ("exc_type", "converter", "says"),
    [
        (NotFoundFailure, lambda exc: NotFoundFailure(), "maps an exception type, not <class"),
        (
            "LedgerLocked",
            lambda exc: NotFoundFailure(),
            "maps an exception type, not 'LedgerLocked'",
        ),
        (
            LedgerLocked,
            NotFoundFailure(),
            r"not NotFoundFailure\(.*\) \(write lambda exc: NotFoundFailure",
        ),
    ],
)
def test_register_exception_refuses_what_cannot_work(
    isolated_catalog: None, exc_type: Any, converter: Any, says: str
) -> None:
    """A failure class for the type, a name, or a failure instead of a function: TypeError."""
    with pytest.raises(TypeError, match=says):
        register_exception(exc_type, converter)
    assert isinstance(Failure.from_exception(LedgerLocked("eu")), InternalFailure)


# --- unknown exceptions reveal nothing ------------------------------------------------------


class VaultError(Exception):
    """An exception nothing is registered for."""


def test_unknown_exception_becomes_an_internal_failure_that_reveals_nothing() -> None:
    """The public message, details, repr and pickled bytes hold nothing of the original."""
    original = VaultError(f"password={SECRET}")
    failure = Failure.from_exception(original)
    assert type(failure) is InternalFailure
    assert failure.message == "An internal error occurred."
    assert failure.details == {}
    assert failure.category is Category.INTERNAL
    assert failure.status == 500
    for text in (failure.message, repr(failure), str(failure), repr(dict(failure.details))):
        assert SECRET not in text
        assert "VaultError" not in text
    assert SECRET.encode() not in pickle.dumps(failure)


def test_internal_failure_keeps_the_original_as_exception_and_cause() -> None:
    """The original stays reachable: ``.exception`` and the paired exception's ``__cause__``."""
    original = VaultError(SECRET)
    failure = Failure.from_exception(original)
    assert isinstance(failure, InternalFailure)
    assert failure.exception is original
    exc = failure.to_exception()
    assert exc.__cause__ is original
    assert SECRET not in str(exc)


def test_internal_failures_compare_without_their_exception() -> None:
    """Two internal failures of different originals are equal values (the original is not shown)."""
    assert Failure.from_exception(VaultError("a")) == Failure.from_exception(KeyError("b"))


def test_base_exceptions_are_internal_failures_too() -> None:
    """from_exception never raises, whatever it is given."""
    assert isinstance(Failure.from_exception(KeyboardInterrupt()), InternalFailure)
    assert isinstance(Failure.from_exception(asyncio.CancelledError()), InternalFailure)


# --- exception groups -----------------------------------------------------------------------


def test_failure_group_pairs_with_an_exception_group() -> None:
    """A FailureGroup's exception is an ExceptionGroup of its members' exceptions."""
    group = FailureGroup(failures=[ValidationFailure(message="a"), NotFoundFailure()])
    exc = group.to_exception()
    assert isinstance(exc, ExceptionGroup)
    assert isinstance(exc, RailguardExceptionGroup)
    assert exc.failure is group
    assert exc.message == "2 failures occurred."
    assert [type(member) for member in exc.exceptions] == [RailguardError, RailguardError]
    assert [Failure.from_exception(member) for member in exc.exceptions] == list(group.failures)
    assert Failure.from_exception(exc) == group


def test_failure_group_round_trips_both_ways() -> None:
    """FailureGroup → ExceptionGroup → FailureGroup is equal, and the exception round trips too."""
    group = FailureGroup(
        failures=[ValidationFailure(message="name"), ValidationFailure(message="age")],
        message="2 fields are invalid.",
        cause=TimeoutFailure(),
    )
    exc = group.to_exception()
    assert Failure.from_exception(exc) == group
    assert exceptions_equal(Failure.from_exception(exc).to_exception(), exc)
    assert isinstance(exc.__cause__, RailguardError)


def test_plain_exception_group_becomes_a_failure_group() -> None:
    """Any ExceptionGroup maps member by member, keeping its message."""
    exc = ExceptionGroup("batch failed", [ValueError("bad row"), TimeoutError()])
    failure = Failure.from_exception(exc)
    assert failure == FailureGroup(
        message="batch failed",
        failures=[ValidationFailure(message="bad row"), TimeoutFailure()],
    )


def test_nested_exception_groups_become_nested_failure_groups() -> None:
    """Groups inside groups stay nested."""
    inner = ExceptionGroup("inner", [ValueError("x")])
    failure = Failure.from_exception(ExceptionGroup("outer", [inner, TimeoutError()]))
    assert isinstance(failure, FailureGroup)
    assert failure.failures[0] == FailureGroup(
        message="inner", failures=[ValidationFailure(message="x")]
    )


def test_exception_group_cause_is_kept() -> None:
    """The ``__cause__`` of a plain group becomes the FailureGroup's cause."""
    try:
        try:
            raise TimeoutError
        except TimeoutError as timeout:
            raise ExceptionGroup("failed", [ValueError("x")]) from timeout
    except ExceptionGroup as group:
        failure = Failure.from_exception(group)
    assert failure.cause == TimeoutFailure()


def test_cyclic_cause_chains_are_cut() -> None:
    """A cause cycle among groups ends at 32 links instead of recursing forever."""
    first = ExceptionGroup("first", [ValueError("a")])
    second = ExceptionGroup("second", [ValueError("b")])
    first.__cause__ = second
    second.__cause__ = first
    failure = Failure.from_exception(first)
    depth = 0
    while failure.cause is not None:
        failure = failure.cause
        depth += 1
    assert 0 < depth <= 32
    assert cause_from(ValueError()) is None


def test_except_star_splits_a_railguard_exception_group() -> None:
    """``except*`` works on a group's paired exceptions."""
    group = FailureGroup(failures=[ValidationFailure(), NotFoundFailure()])
    caught: list[BaseException] = []
    try:
        raise group.to_exception()
    except* RailguardError as split:
        caught.extend(split.exceptions)
    assert len(caught) == 2


def test_failure_group_status_and_category() -> None:
    """A group answers with its members' common status/category, else 400 or 500."""
    same = FailureGroup(failures=[ValidationFailure(), ValidationFailure(message="b")])
    assert (same.status, same.category) == (400, Category.VALIDATION)
    clients = FailureGroup(failures=[ValidationFailure(), NotFoundFailure()])
    assert (clients.status, clients.category) == (400, Category.VALIDATION)
    mixed = FailureGroup(failures=[ValidationFailure(), TimeoutFailure()])
    assert (mixed.status, mixed.category) == (500, Category.INTERNAL)


def test_failure_group_needs_a_member() -> None:
    """An empty FailureGroup is refused."""
    with pytest.raises(ValueError, match="at least one"):
        FailureGroup(failures=[])


def test_failure_group_message_counts_its_members() -> None:
    """The default message says how many failures occurred."""
    assert FailureGroup(failures=[NotFoundFailure()]).message == "1 failure occurred."
    assert FailureGroup(failures=[NotFoundFailure()] * 3).message == "3 failures occurred."


def test_railguard_exception_group_pickles() -> None:
    """The paired ExceptionGroup pickles back to one carrying an equal group."""
    group = FailureGroup(failures=[ValidationFailure(), NotFoundFailure()])
    restored = pickle.loads(pickle.dumps(group.to_exception()))  # noqa: S301  # own data
    assert isinstance(restored, RailguardExceptionGroup)
    assert restored.failure == group
    assert len(restored.exceptions) == 2


# --- the wire policy ----------------------------------------------------------------------------


def test_railguard_error_pickles_and_copies_with_cause_and_notes() -> None:
    """Pickling or copying a RailguardError keeps its __cause__ and __notes__."""
    exc = RailguardError(NotFoundFailure())
    exc.__cause__ = KeyError("k")
    exc.add_note("while loading agent 42")
    copies: list[RailguardError] = [
        pickle.loads(pickle.dumps(exc)),  # noqa: S301  # own data
        copy.copy(exc),
        copy.deepcopy(exc),
    ]
    for restored in copies:
        assert restored.failure == NotFoundFailure()
        assert isinstance(restored.__cause__, KeyError)
        assert restored.__cause__.args == ("k",)
        assert restored.__notes__ == ["while loading agent 42"]


def test_railguard_exception_group_pickles_with_its_notes() -> None:
    """The paired ExceptionGroup keeps its notes through pickle."""
    exc = FailureGroup(failures=[NotFoundFailure()]).to_exception()
    exc.add_note("batch 7")
    restored = pickle.loads(pickle.dumps(exc))  # noqa: S301  # own data
    assert restored.__notes__ == ["batch 7"]


#: Every documented row of the exception table, as in docs/decisions.md: in process, on a wire.
DOCUMENTED_ROWS: list[tuple[BaseException, Failure, Failure]] = [
    (TimeoutError(SECRET), TimeoutFailure(), TimeoutFailure()),
    (
        ConnectionResetError(SECRET),
        InfrastructureFailure(message="Connection failed."),
        InfrastructureFailure(message="Connection failed."),
    ),
    (PermissionError(SECRET), AuthorizationFailure(), InternalFailure()),
    (FileNotFoundError(SECRET), NotFoundFailure(), InternalFailure()),
    (ValueError(SECRET), ValidationFailure(message=SECRET), InternalFailure()),
    (UnicodeDecodeError("utf-8", b"\xff", 0, 1, SECRET), ValidationFailure(), InternalFailure()),
    (KeyError(SECRET), InternalFailure(), InternalFailure()),
    (RuntimeError(SECRET), InternalFailure(), InternalFailure()),
]


@pytest.mark.parametrize(("exc", "in_process", "on_wire"), DOCUMENTED_ROWS, ids=repr)
def test_the_table_and_the_wire_policy(
    exc: BaseException, in_process: Failure, on_wire: Failure
) -> None:
    """Each documented row maps as documented in process, and on a wire reveals nothing."""
    if type(exc) is UnicodeDecodeError:
        assert type(failure_from_exception(exc)) is ValidationFailure
    else:
        assert failure_from_exception(exc) == in_process
    assert wire_failure(exc) == on_wire
    assert SECRET not in repr(wire_failure(exc))


@settings(max_examples=1, deadline=None)
@given(st.data())
def test_every_family_exception_is_mapped_to_its_own_failure_on_the_wire(
    data: st.DataObject,
) -> None:
    """Exhaustive: every exception a registered failure pairs with resolves to that failure."""
    checked = 0
    for cls in railguard.catalog():
        exception_type = getattr(cls, "exception_type", None)
        if exception_type is None or cls.__dict__.get("_abstract", False):
            continue
        exc = data.draw(instances_of(cls)).to_exception()
        assert type(exc) is exception_type
        assert type(wire_failure(exc)) is cls, cls
        checked += 1
    assert checked > 50


def test_causes_and_group_members_follow_the_wire_policy() -> None:
    """On a wire, a family exception's cause and a plain group's members are sanitized."""
    try:
        try:
            raise ValueError(f"db password={SECRET}")
        except ValueError as inner:
            raise bridge.AuthenticationError("Invalid token") from inner
    except bridge.AuthenticationError as exc:
        raised = exc
    assert failure_from_exception(raised).cause == ValidationFailure(
        message=f"db password={SECRET}"
    )
    assert isinstance(wire_failure(raised).cause, InternalFailure)
    group = ExceptionGroup(SECRET, [NotFoundFailure().to_exception(), OSError(SECRET)])
    assert wire_failure(group) == InternalFailure()
    clean = ExceptionGroup(SECRET, [NotFoundFailure().to_exception()])
    assert wire_failure(clean) == FailureGroup(failures=[NotFoundFailure()])


def test_a_broken_carried_failure_does_not_raise() -> None:
    """A bridge exception with an unknown code answers a sanitized InternalFailure, no raise."""
    exc = bridge.ZhinengBridgeException("boom", code=999)
    assert wire_failure(exc) == InternalFailure()
    assert failure_from_exception(exc) == InternalFailure()


def test_deeply_nested_exception_groups_are_cut() -> None:
    """Groups nested 2,000 deep give a failure that encodes, prints and pickles."""
    exc: Exception = ValueError(SECRET)
    for _ in range(2000):
        exc = ExceptionGroup("g", [exc])
    assert wire_failure(exc) == InternalFailure()
    failure = failure_from_exception(exc)
    assert repr(failure)
    assert pickle.loads(pickle.dumps(failure)) == failure  # noqa: S301  # own data
    depth = 0
    while isinstance(failure, FailureGroup):
        failure = failure.failures[0]
        depth += 1
    assert depth <= 32
    assert isinstance(failure, InternalFailure)


def test_public_false_keeps_a_registered_mapping_in_process(isolated_catalog: None) -> None:
    """register_exception(public=False): the mapping holds in process; peers get INTERNAL."""
    register_exception(LedgerLocked, lambda exc: ConflictFailure(message=str(exc)), public=False)
    assert failure_from_exception(LedgerLocked("eu")) == ConflictFailure(
        message="ledger eu is locked"
    )
    assert wire_failure(LedgerLocked("eu")) == InternalFailure()
