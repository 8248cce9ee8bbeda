"""What a WebSocket message handler returned, split into the reply and the failure."""

from __future__ import annotations

import logging

import pytest
from returns.result import Failure as Err
from returns.result import Success

from railguard import InternalFailure, NotFoundFailure
from railguard.integrations._ws_common import outgoing


def test_err_of_a_failure_is_reported_as_it_is() -> None:
    """A handler's Err(failure) sends nothing itself and reports the failure."""
    assert outgoing(Err(NotFoundFailure())) == (None, NotFoundFailure())
    assert outgoing(Success({"a": 1})) == ('{"a": 1}', None)


def test_err_of_a_non_failure_is_internal_and_named_in_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Err("text") answers INTERNAL (nothing of it on the wire) and the log says what it held."""
    with caplog.at_level(logging.ERROR, logger="railguard.websocket"):
        assert outgoing(Err("password=hunter2")) == (None, InternalFailure())
    assert "a WebSocket handler returned Err(str), not Err(Failure)" in caplog.text
    assert "hunter2" not in caplog.text


def test_err_of_an_exception_follows_the_wire_policy() -> None:
    """Err(exception) answers as the exception would: a ValueError is a sanitized INTERNAL."""
    reply, failure = outgoing(Err(ValueError("password=hunter2")))
    assert reply is None
    assert failure == InternalFailure()
