"""Default user messages: per failure class (families), per code, then per category.

Every template is a gettext message id in railguard's domain. The family tables
(`railguard.messages._families`) come first; a failure no table names gets its
category's sentence, short and free of anything the failure carries.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import attrs

from railguard.core import Category, Failure

from ._catalogs import N_

__all__ = ["BY_CATEGORY", "BY_CODE", "FALLBACK", "Default"]


@attrs.frozen
class Default:
    """A default template and, when it needs any, the computed values it is filled from.

    Args:
        msgid: the English template, also its gettext message id.
        values: extra ``{name}`` values computed from the failure (beyond its fields).
    """

    msgid: str
    values: Callable[[Failure], Mapping[str, object]] | None = None


def _hint_seconds(failure: Failure) -> Mapping[str, object]:
    """``seconds``: the server's retry hint rounded up, when there is one."""
    after = failure.retry.after
    return {} if after is None or not math.isfinite(after) else {"seconds": math.ceil(after)}


FALLBACK = Default(N_("An unexpected error occurred. Please try again later."))
"""The last resort: ``INTERNAL``'s sentence."""

BY_CATEGORY: Mapping[Category, tuple[Default, ...]] = {
    Category.INFRASTRUCTURE: (
        Default(N_("The service is temporarily unavailable. Please try again later.")),
    ),
    Category.CODE_RELATED: (Default(N_("The code could not be run. Please revise it.")),),
    Category.WORKFLOW: (
        Default(N_("The request could not be completed. Please contact support.")),
    ),
    Category.CONFIGURATION: (
        Default(N_("The service is not configured correctly. Please contact support.")),
    ),
    Category.VALIDATION: (Default(N_("The request is invalid. Please check your input.")),),
    Category.AUTHENTICATION: (
        Default(N_("You are not signed in or your credentials are invalid.")),
    ),
    Category.AUTHORIZATION: (Default(N_("You don't have permission to perform this action.")),),
    Category.NOT_FOUND: (Default(N_("The requested item could not be found.")),),
    Category.CONFLICT: (
        Default(N_("The request conflicts with the current state. Please reload and try again.")),
    ),
    Category.RATE_LIMIT: (
        Default(N_("Too many requests. Please try again in {seconds}s."), _hint_seconds),
        Default(N_("Too many requests. Please try again later.")),
    ),
    Category.TIMEOUT: (Default(N_("The request took too long. Please try again.")),),
    Category.UPSTREAM: (Default(N_("A service we depend on failed. Please try again later.")),),
    Category.PROTOCOL: (Default(N_("The message could not be understood.")),),
    Category.INTERNAL: (FALLBACK,),
}
"""One or more sentences per category, tried in order (the first that renders wins)."""

BY_CODE: Mapping[str, Default] = {
    "MALFORMED": Default(
        N_("A service we depend on sent an invalid response. Please try again later.")
    ),
}
"""Generic failures whose category's sentence would mislead."""
