"""The families' documented user messages, as default templates per failure class.

kneo's document gives a ``user_message(exc)`` table; its last row (``f"Unexpected
error: {exc}"``) would show the exception's text, so a kneo failure without a row
gets its category's sentence instead. The executor's exceptions have
``get_user_message()``: its wording is read from those methods (called with
``{field}`` placeholders), so the two cannot drift. ``KneoServerFailure`` without a
``request_id`` cannot fill its template and falls back to its category's sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from railguard.core import Failure
from railguard.families import executor, kneo

from ._catalogs import N_
from ._defaults import Default

__all__ = ["BY_CLASS"]


def _kneo_wait(failure: Failure) -> Mapping[str, object]:
    """The kneo document's ``wait = exc.retry_after or 60``, shown as ``int(wait)``."""
    return {"wait": int(failure.retry_after or 60)}


def _placeholders(**fields: str) -> dict[str, Any]:
    """``{name: "{name}"}``: arguments that make a ``get_user_message()`` return its template."""
    return {name: f"{{{name}}}" for name in fields}


def _executor_templates() -> dict[type[Failure], Default]:
    """The executor's ``get_user_message()`` wording, as templates over the failure's fields."""
    connectivity = executor.ContainerConnectivityError("", **_placeholders(host="", port=""))
    workflow = executor.WorkflowError("", **_placeholders(stage=""))
    return {
        executor.ContainerConnectivityFailure: Default(connectivity.get_user_message()),
        executor.WorkflowFailure: Default(workflow.get_user_message()),
    }


BY_CLASS: Mapping[type[Failure], Default] = {
    kneo.KneoAuthFailure: Default(N_("Your API key is invalid. Please check your credentials.")),
    kneo.KneoPermissionFailure: Default(N_("You don't have permission to perform this action.")),
    kneo.KneoNotFoundFailure: Default(N_("The requested item could not be found.")),
    kneo.KneoRateLimitedFailure: Default(
        N_("Too many requests. Please try again in {wait}s."), _kneo_wait
    ),
    kneo.KneoServerFailure: Default(N_("Server error (request {request_id}). Please report this.")),
    kneo.KneoNetworkFailure: Default(
        N_("Could not reach the server. Check your network connection.")
    ),
    **_executor_templates(),
}
"""Documented wording per failure class; subclasses inherit their nearest base's entry."""
