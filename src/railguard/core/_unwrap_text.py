"""returns' ``UnwrapFailedError`` names the railguard failure it halted on.

``Err(failure).unwrap()`` raises returns' ``UnwrapFailedError``, whose text is
empty. Imported with railguard, its ``str`` (and so the traceback's last line)
becomes ``railguard failure CODE: message`` when the halted container is an
``Err`` of a railguard `Failure`; any other container keeps returns' own text.
"""

from __future__ import annotations

from typing import cast

from returns.primitives.exceptions import UnwrapFailedError
from returns.result import Failure as Err

from ._failure import Failure

__all__: list[str] = []

_returns_str = UnwrapFailedError.__str__


def _unwrap_failed_str(self: BaseException) -> str:
    container: object = getattr(self, "halted_container", None)
    if isinstance(container, Err):
        inner: object = cast("Err[object]", container).failure()
        if isinstance(inner, Failure):
            return f"railguard failure {inner}"
    return _returns_str(self)


UnwrapFailedError.__str__ = _unwrap_failed_str  # type: ignore[method-assign]  # see module doc
