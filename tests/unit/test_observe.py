"""railguard.observe: a failure's text, the one report function, metrics and tracing observers."""

from __future__ import annotations

import logging

import pytest
from returns.primitives.exceptions import UnwrapFailedError

from railguard import (
    Category,
    Err,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    RailguardError,
    RateLimitFailure,
    StatusFailure,
    UnknownFailure,
    UpstreamFailure,
    ValidationFailure,
    unwrap_or_raise,
)
from railguard.core import plain_request_id
from railguard.observe import (
    Observation,
    add_observer,
    level_for,
    remove_observer,
    report,
    set_levels,
)
from railguard.observe._report import listening
from railguard.observe._request_id import accept_request_id

pytest_plugins = ["tests.observing"]  # the fixture records

SECRET = "hunter2-observe"


# -- the failure's text -------------------------------------------------------------------


def test_str_shows_code_and_message_and_repr_stays_attrs() -> None:
    """``str`` is ``CODE: message``; ``repr`` is still attrs' field listing."""
    failure = NotFoundFailure(message="Agent not found")
    assert str(failure) == "NOT_FOUND: Agent not found"
    assert repr(failure).startswith("NotFoundFailure(message='Agent not found'")


def test_family_failure_str() -> None:
    """A family failure shows its own code."""
    from railguard.families.agents import AgentNotFoundFailure

    failure = AgentNotFoundFailure(message="Agent not found")
    assert str(failure) == "AGENT_NOT_FOUND: Agent not found"


def test_unwrap_or_raise_names_code_and_message() -> None:
    """The raised exception carries the failure and a note naming its code and message."""
    failure = NotFoundFailure(message="gone")
    with pytest.raises(RailguardError) as caught:
        unwrap_or_raise(Err(failure))
    assert caught.value.failure is failure
    assert caught.value.__notes__ == ["railguard failure NOT_FOUND: gone"]


def test_returns_unwrap_keeps_the_failure_on_the_halted_container() -> None:
    """Returns' own ``unwrap`` cannot name it, but its ``halted_container`` holds the failure."""
    failure = NotFoundFailure(message="gone")
    with pytest.raises(UnwrapFailedError) as caught:
        Err(failure).unwrap()
    assert caught.value.halted_container.failure() is failure
    assert "NOT_FOUND: gone" in repr(caught.value.halted_container)


# -- logging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "level"),
    [
        (ValidationFailure(message="bad"), logging.INFO),
        (NotFoundFailure(), logging.INFO),
        (InfrastructureFailure(), logging.WARNING),
        (UpstreamFailure(), logging.WARNING),
        (InternalFailure(), logging.ERROR),
    ],
)
def test_level_follows_category(
    records: list[logging.LogRecord], failure: NotFoundFailure, level: int
) -> None:
    """Client mistakes log at INFO, infrastructure at WARNING, internal at ERROR."""
    report(failure, boundary="http")
    assert [(r.name, r.levelno) for r in records] == [("railguard.http", level)]
    assert records[0].getMessage() == f"answered {failure}"


def test_fields_are_structured_and_carry_the_cause_chain(
    records: list[logging.LogRecord],
) -> None:
    """``extra=`` gives code, category, status, recovery, ids and the causes' codes."""
    failure = RateLimitFailure(
        message="slow down", retry_after=2.0, cause=UpstreamFailure(cause=InternalFailure())
    )
    report(failure, boundary="httpx", outcome="received", request_id="r-1", idempotency_key="k")
    (record,) = records
    fields = {k: getattr(record, k) for k in ("code", "category", "status", "recovery")}
    assert fields == {
        "code": "RATE_LIMIT",
        "category": "rate_limit",
        "status": 429,
        "recovery": failure.recovery.value,
    }
    assert record.cause_codes == ("UPSTREAM", "INTERNAL")  # type: ignore[attr-defined]
    assert record.request_id == "r-1"  # type: ignore[attr-defined]
    assert record.idempotency_key == "k"  # type: ignore[attr-defined]
    assert record.retry_after == 2.0  # type: ignore[attr-defined]
    assert record.boundary == "httpx"  # type: ignore[attr-defined]


def test_unexpected_exception_keeps_its_traceback_in_process_only(
    records: list[logging.LogRecord],
) -> None:
    """The exception is ``exc_info``; the message and fields hold nothing of its text."""
    try:
        raise RuntimeError(f"password={SECRET}")
    except RuntimeError as exc:
        failure = InternalFailure(exception=exc)
    report(failure, boundary="http")
    (record,) = records
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None
    assert record.exc_info[1] is failure.exception
    assert SECRET not in record.getMessage()
    assert record.getMessage() == (
        "answered INTERNAL: An internal error occurred. (unexpected RuntimeError)"
    )
    assert SECRET not in repr(
        {k: v for k, v in vars(record).items() if k not in {"exc_info", "exc_text"}}
    )


def test_levels_are_configurable_per_category(records: list[logging.LogRecord]) -> None:
    """``set_levels`` moves one category; ``set_levels()`` restores the defaults."""
    set_levels({Category.NOT_FOUND: logging.DEBUG})
    report(NotFoundFailure(), boundary="http")
    report(ValidationFailure(), boundary="http")
    assert [r.levelno for r in records] == [logging.DEBUG, logging.INFO]
    set_levels()
    report(NotFoundFailure(), boundary="http")
    assert records[-1].levelno == logging.INFO


def test_levels_follow_set_levels_with_the_logger_at_info(
    records: list[logging.LogRecord],
) -> None:
    """Moving a category below the logger's level and back: its lines come back at INFO."""
    logging.getLogger("railguard").setLevel(logging.INFO)
    set_levels({Category.NOT_FOUND: logging.DEBUG, Category.VALIDATION: logging.ERROR})
    report(NotFoundFailure(), boundary="http")  # DEBUG: below the logger's INFO
    report(ValidationFailure(), boundary="http")
    set_levels()
    report(NotFoundFailure(), boundary="http")
    assert [r.levelno for r in records] == [logging.ERROR, logging.INFO]


def test_disabled_level_logs_nothing_but_observers_still_run() -> None:
    """With the logger above the level no line is made; observers still see the failure."""
    seen: list[Observation] = []
    logger = logging.getLogger("railguard.websocket")
    old = logger.level
    logger.setLevel(logging.CRITICAL)
    add_observer(seen.append)
    try:
        report(NotFoundFailure(), boundary="websocket", log=True)
    finally:
        remove_observer(seen.append)
        logger.setLevel(old)
    assert [(o.boundary, o.failure.code) for o in seen] == [("websocket", "NOT_FOUND")]


def test_listening_follows_observers_and_levels_changed_at_runtime() -> None:
    """`listening` is asked on every answer: an observer or a level set later counts at once."""
    logger = logging.getLogger("railguard.http")
    old = logger.level
    seen: list[Observation] = []
    logger.setLevel(logging.WARNING)
    try:
        assert not listening(NotFoundFailure(), "http")  # INFO, below the logger's level
        assert listening(InternalFailure(), "http")  # ERROR
        add_observer(seen.append)
        assert listening(NotFoundFailure(), "http")
        remove_observer(seen.append)
        assert not listening(NotFoundFailure(), "http")
        logger.setLevel(logging.INFO)
        assert listening(NotFoundFailure(), "http")
        set_levels({Category.NOT_FOUND: logging.DEBUG})
        assert not listening(NotFoundFailure(), "http")
    finally:
        remove_observer(seen.append)
        logger.setLevel(old)
        set_levels()


def test_a_failing_observer_does_not_break_the_report(records: list[logging.LogRecord]) -> None:
    """An observer that raises is logged on ``railguard.observe``; the others still run."""
    seen: list[Observation] = []

    def broken(observation: Observation) -> None:
        raise ValueError("observer bug")

    add_observer(broken)
    add_observer(seen.append)
    try:
        report(NotFoundFailure(), boundary="http", log=False)
    finally:
        remove_observer(broken)
        remove_observer(seen.append)
    assert len(seen) == 1
    assert [r.name for r in records] == ["railguard.observe"]


def test_structlog_renders_the_fields() -> None:
    """Structlog's stdlib bridge renders the record's ``extra`` fields as JSON."""
    structlog = pytest.importorskip("structlog")
    import json

    lines: list[str] = []

    class _Lines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = _Lines()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ExtraAdder(),
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(sort_keys=True),
            ]
        )
    )
    logger = logging.getLogger("railguard.http")
    logger.addHandler(handler)
    old = logger.level
    logger.setLevel(logging.INFO)
    try:
        report(NotFoundFailure(message="gone"), boundary="http", request_id="r-9")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old)
    (line,) = lines
    event = json.loads(line)
    assert event["event"] == "answered NOT_FOUND: gone"
    assert (event["code"], event["status"], event["request_id"]) == ("NOT_FOUND", 404, "r-9")


def test_relayed_peer_failure_is_one_line_naming_the_peer_code(
    records: list[logging.LogRecord],
) -> None:
    """Answering a peer's failure as ours logs one line that names the peer's code."""
    from railguard.core import from_peer, public_failure

    peer = from_peer(NotFoundFailure(message=f"peer says {SECRET}"))
    answered = public_failure(RateLimitFailure(message="slow", cause=peer))
    report(answered, boundary="http")
    (record,) = records  # sanitizing logged nothing of its own
    assert record.getMessage() == "answered RATE_LIMIT: slow (upstream NOT_FOUND)"
    assert record.upstream_codes == ("NOT_FOUND",)  # type: ignore[attr-defined]
    assert record.cause_codes == ("UPSTREAM",)  # type: ignore[attr-defined]
    assert SECRET not in record.getMessage() + repr(vars(record))


def test_a_shared_default_failure_is_never_marked_as_relayed(
    records: list[logging.LogRecord],
) -> None:
    """``UpstreamFailure()`` made by sanitizing is its own instance: the shared one stays plain."""
    from railguard.core import from_peer, public_failure

    relayed = public_failure(from_peer(NotFoundFailure()))
    assert relayed == UpstreamFailure()
    report(UpstreamFailure(), boundary="http")
    report(relayed, boundary="http")
    assert [r.getMessage() for r in records] == [
        "answered UPSTREAM: An upstream service failed.",
        "answered UPSTREAM: An upstream service failed. (upstream NOT_FOUND)",
    ]


def test_level_per_instance_category_and_after_set_levels() -> None:
    """A category held per instance is read per instance; ``set_levels`` reaches every class."""
    assert level_for(UnknownFailure(category=Category.TIMEOUT)) == logging.WARNING
    assert level_for(UnknownFailure(category=Category.NOT_FOUND)) == logging.INFO
    assert level_for(StatusFailure.for_status(501)) == logging.ERROR
    assert level_for(StatusFailure.for_status(405)) == logging.INFO
    assert level_for(NotFoundFailure()) == logging.INFO
    set_levels({Category.NOT_FOUND: logging.WARNING})
    try:
        assert level_for(NotFoundFailure()) == logging.WARNING
    finally:
        set_levels()
    assert level_for(NotFoundFailure()) == logging.INFO


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("req-1", "req-1"),
        (b"req-1", "req-1"),
        (bytearray(b"A.b:c_d-9"), "A.b:c_d-9"),
        ("x" * 128, "x" * 128),
        ("x" * 129, None),
        ("", None),
        ("a\nERROR forged", None),
        ("a\r", None),
        ("wörker", None),
        ("two words", None),
        (b"\xff\xfe", None),
        (42, None),
        (None, None),
        (["req-1"], None),
    ],
)
def test_plain_request_ids_are_kept_anything_else_is_not(value: object, kept: str | None) -> None:
    """One rule for every id read from outside: a plain token, else nothing (or a new id)."""
    assert plain_request_id(value) == kept
    if isinstance(value, (str, bytes)) or value is None:
        made = accept_request_id(value)
        assert made == kept if kept is not None else len(made) == 32
