"""A stand-in for what railguard's gRPC wrappers use of a ``grpc.ServicerContext``.

For tests that call the interceptors' wrappers directly (sync and aio alike): grpcio
runs every real call in a context of its own, so a context variable leaking out of a
wrapper only shows when the wrapper runs outside grpcio.
"""

from __future__ import annotations

import grpc


class ServicerContextStub:
    """The invocation metadata given, the trailers set, and an abort that records its status."""

    def __init__(self, metadata: tuple[tuple[str, str], ...] = ()) -> None:
        self.metadata = metadata
        self.trailers: tuple[tuple[str, str | bytes], ...] = ()
        self.aborts: list[grpc.Status] = []

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        """The call's metadata."""
        return self.metadata

    def set_trailing_metadata(self, trailers: tuple[tuple[str, str | bytes], ...]) -> None:
        """Keep the trailers."""
        self.trailers = tuple(trailers)

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        """The trailers set so far."""
        return self.trailers

    def code(self) -> None:
        """No status code set by the method."""
        return

    @property
    def aborted(self) -> grpc.Status | None:
        """The status of the first abort (the one the call ended with), if any."""
        return self.aborts[0] if self.aborts else None

    def abort_with_status(self, status: grpc.Status) -> None:
        """Record ``status`` and end the method, as grpcio's abort does."""
        self.aborts.append(status)
        raise RuntimeError("aborted")
