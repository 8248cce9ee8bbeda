"""Request ids on gRPC calls: the ``x-request-id`` metadata, the gRPC analogue of the header.

Server side, `served_id` reads the call's ``x-request-id`` invocation metadata (kept
when it is a plain token, as `railguard.observe.accept_request_id` says, else a new
id) and sends it back as ``x-request-id`` trailing metadata; `keep_id` puts it back
when the method replaced the trailers with its own. Client side, `sent` adds the id
of the request being served to a call's metadata unless the caller gave one, and
`peer_id` is the peer's id of a failed call (its ``RequestInfo``, else its
``x-request-id`` trailer), kept only when it is a plain token.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from railguard.core import plain_request_id
from railguard.observe._request_id import REQUEST_ID, accept_request_id

__all__ = ["REQUEST_ID_KEY", "keep_id", "peer_id", "sent", "served_id"]

REQUEST_ID_KEY: Final = "x-request-id"
"""The metadata key of a call's request id (both ways)."""

_Pairs = Iterable[tuple[str, str | bytes]]


def _value(metadata: _Pairs | None) -> str | bytes | None:
    for key, value in metadata or ():
        if key == REQUEST_ID_KEY:
            return value
    return None


def served_id(context: Any) -> str:
    """The request id of the call ``context`` serves; set as its ``x-request-id`` trailer."""
    request_id = accept_request_id(_value(context.invocation_metadata()))
    context.set_trailing_metadata(((REQUEST_ID_KEY, request_id),))
    return request_id


def keep_id(context: Any, request_id: str) -> None:
    """Add ``request_id`` back to trailers the method replaced by its own (if it did)."""
    trailers: Sequence[tuple[str, str | bytes]] = context.trailing_metadata() or ()
    if len(trailers) == 1 and trailers[0][0] == REQUEST_ID_KEY:  # ours, untouched
        return
    if _value(trailers) is None:
        context.set_trailing_metadata((*trailers, (REQUEST_ID_KEY, request_id)))


def sent(metadata: Sequence[tuple[str, str | bytes]] | None) -> Any:
    """A call's ``metadata`` with the served request's id, unless it has one or none is served."""
    request_id = REQUEST_ID.get()
    if request_id is None:
        return metadata
    if metadata and any(key.lower() == REQUEST_ID_KEY for key, _ in metadata):
        return metadata
    return (*(metadata or ()), (REQUEST_ID_KEY, request_id))


def peer_id(info_id: str | None, trailers: _Pairs | None) -> str | None:
    """The peer's id of a failed call: ``RequestInfo``'s, else its trailer; plain tokens only."""
    return plain_request_id(info_id if info_id is not None else _value(trailers))
