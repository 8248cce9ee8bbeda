"""Failures from a bare HTTP status (the generic table lives in ``railguard._wire``)."""

from __future__ import annotations

from railguard._wire import for_status
from railguard.core import Failure

__all__ = ["for_status", "kneo_network_class"]


def kneo_network_class() -> type[Failure]:
    """The kneo family's transport failure (for the httpx integration)."""
    from railguard.families.kneo import KneoNetworkFailure  # noqa: PLC0415  # http sits above families

    return KneoNetworkFailure
