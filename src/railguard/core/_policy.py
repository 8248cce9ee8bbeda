"""The exception policy: one table from exception types to failures, and what may go on a wire.

Resolution walks the exception's MRO; the most specific entry wins (as httpx maps
its transport errors). Each entry also says whether the failure it gives may be
put on a wire::

    RailguardError, RailguardExceptionGroup, family roots   carried failure   public
    returns' UnwrapFailedError                              the Err inside    as its content
    BaseExceptionGroup                                      FailureGroup      if every member is
    TimeoutError, httpx.TimeoutException                    TimeoutFailure    public (fixed text)
    ConnectionError, httpx.TransportError                   Infrastructure    public (fixed text)
    types registered with register_exception                their converter   public by default
    ValueError, JSONDecodeError, pydantic ValidationError   ValidationFailure in process only
    PermissionError, FileNotFoundError                      403 / 404         in process only
    anything else                                           InternalFailure   (reveals nothing)

`failure_from_exception` gives the in-process answer (``catching``, ``Failure.from_exception``);
`wire_failure` the answer every boundary sends: an entry that is not public (its text
may hold secrets, or it would blame the client for a server fault) becomes a sanitized
`InternalFailure`, and so do causes and group members resolved on the way.

Upstream failures never pass through blindly (AIP-193): a decoder marks what it builds
from a peer's response with `from_peer`; `public_failure` (applied by `wire_failure` and
by every boundary to a returned failure) answers such a failure — or any failure holding
one as a cause, group member or attempt — as our own `UpstreamFailure` (502, fixed
message, only the finite ``retry_after`` hint kept); `relayed_codes` gives the boundary's
log line the peer codes it replaced.
`expose` is the explicit opt-in that lets one peer failure pass as it is.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import weakref
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

import attrs
from returns.primitives.exceptions import UnwrapFailedError

from ._exceptions import CarriesFailure, FailureGroup, RailguardError, RailguardExceptionGroup
from ._failure import Failure
from ._generic import (
    AuthorizationFailure,
    InfrastructureFailure,
    InternalFailure,
    NotFoundFailure,
    TimeoutFailure,
    UpstreamFailure,
    ValidationFailure,
)

__all__ = [
    "cause_from",
    "expose",
    "failure_from_exception",
    "from_peer",
    "is_from_peer",
    "peer_exception",
    "peer_request_id",
    "plain_request_id",
    "public_failure",
    "register_exception",
    "relayed_codes",
    "wire_failure",
]

E = TypeVar("E", bound=BaseException)
F = TypeVar("F", bound=Failure)
_Converter = Callable[[BaseException], Failure]

MAX_DEPTH: Final = 32
"""How deep causes and nested exception groups are followed; deeper links are cut."""

_state: contextvars.ContextVar[int] = contextvars.ContextVar("railguard_policy", default=0)
"""The resolution under way in this context: ``depth * 2 + on_wire`` (``0``: none).

One variable, set once per level, for two facts: how many conversions deep we are
(causes and members are cut at `MAX_DEPTH`) and whether a boundary asked
(`wire_failure`: non-public entries answer `InternalFailure`).
"""
_WIRE: Final = 1
_LEVEL: Final = 2
_CUT: Final = MAX_DEPTH * _LEVEL
_log = logging.getLogger("railguard")


@attrs.frozen
class _Entry:
    convert: _Converter
    public: bool
    carrier: bool = False
    """The converter reads the failure the exception carries (or builds from its own state)."""


_table: dict[type[BaseException] | str, _Entry] = {}
"""Exception type (or qualified name, for libraries railguard never imports) → entry."""

_resolved: dict[type[BaseException], _Entry | None] = {}
"""The MRO walk's answer per exception type; emptied whenever the table changes."""


def register_exception(
    exc_type: type[E],
    converter: Callable[[E], Failure],
    *,
    public: bool = True,
    carrier: bool = False,
) -> None:
    """Map an exception type (and its subclasses) to a failure.

    The most specific registered type in an exception's MRO wins, so a family
    registers its root and each subclass resolves to its own pairing.

    Args:
        exc_type: the exception type.
        converter: builds the failure; it may raise (the exception then counts as unexpected).
        public: whether the failure may be sent to a peer (`wire_failure`); ``False``
            keeps the mapping in process and answers peers with a sanitized `InternalFailure`.
        carrier: the converter only reads the failure the exception carries or builds
            from its own attributes, resolving no other exception than its ``__cause__``
            (through `cause_from`); an exception without a cause is then converted
            without entering the resolution context (railguard's exceptions, family roots).

    Raises:
        TypeError: ``exc_type`` is not an exception type, or ``converter`` is not callable
            (a failure instance in its place: write ``lambda exc: TheFailure(...)``).
    """
    given: object = exc_type  # checked at run time: a failure class is a common slip
    if not (isinstance(given, type) and issubclass(given, BaseException)):
        raise TypeError(f"register_exception() maps an exception type, not {exc_type!r}")
    if not callable(converter):
        raise TypeError(
            f"register_exception() takes a function that builds the failure, not {converter!r}"
            f" (write lambda exc: {type(converter).__name__}(...))"
        )
    _table[exc_type] = _Entry(cast(_Converter, converter), public, carrier)
    _resolved.clear()


def _entry(exc_type: type[BaseException]) -> _Entry | None:
    try:
        return _resolved[exc_type]
    except KeyError:
        pass
    found = None
    for klass in exc_type.__mro__:
        found = _table.get(klass) or _table.get(f"{klass.__module__}.{klass.__qualname__}")
        if found is not None:
            break
    _resolved[exc_type] = found
    return found


def _resolve(exc: BaseException) -> Failure:
    return _convert(exc, _state.get())


def _convert(exc: BaseException, state: int) -> Failure:
    """The failure of ``exc`` resolved in ``state`` (its converter runs one level deeper)."""
    entry = _resolved.get(type(exc)) or _entry(type(exc))
    if entry is None or state >= _CUT or (state & _WIRE and not entry.public):
        return InternalFailure(exception=exc)
    # a carrier without a cause resolves nothing further: no context to enter
    token = None if entry.carrier and exc.__cause__ is None else _state.set(state + _LEVEL)
    try:
        failure: object = entry.convert(exc)  # a lambda may return anything
    except Exception:  # a broken converter (or carried state) must not hide the error  # noqa: BLE001
        return _broken(exc)
    finally:
        if token is not None:
            _state.reset(token)
    return failure if isinstance(failure, Failure) else _not_failure(exc, failure)


def _broken(exc: BaseException) -> Failure:
    """A converter raised on ``exc``: logged, and the sanitized failure in its place."""
    _log.exception("railguard: converting %s failed", type(exc).__qualname__)
    return InternalFailure(exception=exc)


def _not_failure(exc: BaseException, value: object) -> Failure:
    """A converter returned ``value``, not a failure: logged, and the sanitized failure.

    Said plainly here rather than as "str has no .category" later.
    """
    _log.error(
        "railguard: the converter registered for %s returned %s, not a Failure",
        type(exc).__qualname__,
        type(value).__qualname__,
        exc_info=exc,
    )
    return InternalFailure(exception=exc)


def failure_from_exception(exc: BaseException) -> Failure:
    """Return the failure for any exception, in process; never raises.

    Carried failures (railguard's exceptions, returns' ``UnwrapFailedError``)
    come back as they are; registered exceptions convert by the table; anything
    else becomes an `InternalFailure` whose message reveals nothing of it.
    Inside `wire_failure` (a converter resolving a cause) it follows the wire policy.
    """
    return _resolve(exc)


def wire_failure(exc: BaseException) -> Failure:
    """Return the failure a peer may be told about for ``exc``; never raises.

    Every boundary (HTTP handlers, WebSocket frames and close reasons, the bridge
    flow, retry) answers with this. Failures carried by railguard and family
    exceptions and by registered public entries pass; every other exception —
    including ``ValueError`` and its friends, whose text may hold secrets — becomes
    an `InternalFailure` with a fixed message that keeps the original as
    ``.exception`` for the log. Causes and group members follow the same rule, and
    a failure decoded from a peer is answered as our own (`public_failure`).
    """
    state = _state.get()
    if not state and not _peers:
        # the usual answer: a carrier without a cause (a family or railguard exception),
        # nothing under way, no peer failure alive; `_convert` gives the same, one call deeper
        entry = _resolved.get(type(exc))
        if entry is not None and entry.carrier and entry.public and exc.__cause__ is None:
            try:
                carried: object = entry.convert(exc)
            except Exception:  # noqa: BLE001  # as `_convert`
                return _broken(exc)
            return carried if isinstance(carried, Failure) else _not_failure(exc, carried)
    if state & _WIRE:  # a converter resolving a cause or member: the policy is in force
        return _convert(exc, state)
    failure = _convert(exc, state | _WIRE)  # one context-variable set for the whole walk
    if not _peers:  # no peer failure alive: nothing to answer as our own (`public_failure`)
        return failure
    if getattr(exc, _PEER_MARK, False) and not is_from_peer(failure):
        return public_failure(from_peer(failure, request_id=_marked_id(exc)))  # rebuilt
    return public_failure(failure)


# --- upstream failures (AIP-193) -----------------------------------------------------------

_peers: dict[int, weakref.ref[Failure]] = {}
"""``id`` of each live failure decoded from a peer → a weak reference to it."""

_peer_ids: dict[int, str] = {}
"""``id`` of a live peer failure → the peer's request id, when it sent one."""


def _forget(key: int) -> None:
    _peers.pop(key, None)
    _peer_ids.pop(key, None)


def from_peer(failure: F, *, request_id: str | None = None) -> F:
    """Mark ``failure`` as decoded from a peer's response; return the marked value.

    Decoders (the httpx integration, the WebSocket client readers) call this on what
    they build. The value returned is a fresh copy (equal to ``failure``; all-default
    failures may be one shared instance, which must stay unmarked). In process it is
    the peer's failure, matched and read as usual; on any wire our boundaries answer
    it as our own `UpstreamFailure` unless it is passed to `expose`.

    ``request_id`` is the peer's id of the exchange (its ``X-Request-ID`` or envelope
    ``request_id``): kept with the mark for logs (`peer_request_id`), never sent on;
    only a plain token is kept (`plain_request_id`), so a peer cannot forge log lines.
    """
    own = _own_copy(failure)
    key = id(own)
    _peers[key] = weakref.ref(own, lambda _, key=key: _forget(key))  # type: ignore[misc]
    if request_id is not None:
        kept = plain_request_id(request_id)
        if kept is not None:
            _peer_ids[key] = kept
    return own


_PLAIN_ID: Final = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_PLAIN_ID_BYTES: Final = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")


def plain_request_id(value: object) -> str | None:
    """``value`` as a request id to keep, when it is a plain token; else ``None``.

    A plain token is 1 to 128 letters, digits and ``._:-`` (text, or bytes as a header
    arrives): what may go into a log line or a header as it is. Anything else — line
    breaks and other control characters that could forge log lines, spaces, non-ASCII
    letters, other types — is not kept. Every boundary reads incoming and peer ids
    through this.
    """
    if isinstance(value, str):
        return str(value) if _PLAIN_ID.fullmatch(value) else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        raw = bytes(value)
        return raw.decode("ascii") if _PLAIN_ID_BYTES.fullmatch(raw) else None
    return None


def _own_copy(failure: F) -> F:
    """An equal failure that is its own instance (an all-defaults one may be shared)."""
    try:
        rebuild, args, state = cast("tuple[Any, tuple[object, ...], object]", failure.__reduce__())
        own = rebuild(*args)
        own.__setstate__(state)
    except Exception:  # noqa: BLE001  # a class with its own pickling: the value itself
        return failure
    return cast("F", own)


def peer_request_id(failure: Failure) -> str | None:
    """The request id the peer gave the exchange ``failure`` was decoded from, if any.

    For logs and support tickets of our own: our boundaries never send it on (an
    answered peer failure is our `UpstreamFailure`, in an envelope carrying our id).
    For that answer (what `public_failure` made from peer failures) it is the first
    replaced peer's id, so the boundary's one log line names it.
    """
    if _peer_ids and is_from_peer(failure):
        return _peer_ids.get(id(failure))
    entry = _relayed.get(id(failure)) if _relayed else None  # our answer for peer failures
    return entry[2] if entry is not None and entry[0]() is failure else None


_PEER_MARK: Final = "__railguard_peer__"


def peer_exception(failure: Failure, exc: E) -> E:
    """Mark ``exc``, built from ``failure``, as a peer's when ``failure`` is; return ``exc``.

    For exception pairings (``to_exception``): a family exception rebuilds its failure
    from its own attributes, so the mark travels on the exception.
    """
    if _peers and is_from_peer(failure):
        with contextlib.suppress(AttributeError, TypeError):  # an exception without __dict__
            setattr(exc, _PEER_MARK, peer_request_id(failure) or True)  # the peer's id, or True
    return exc


def _marked_id(exc: BaseException) -> str | None:
    """The peer's request id `peer_exception` left on ``exc``, if it had one."""
    mark = getattr(exc, _PEER_MARK, None)
    return mark if isinstance(mark, str) else None


def is_from_peer(failure: Failure) -> bool:
    """Whether ``failure`` was decoded from a peer (`from_peer`) and not exposed."""
    ref = _peers.get(id(failure))
    return ref is not None and ref() is failure


def expose(failure: F) -> F:
    """Opt in: let this peer failure reach our own callers as it is (message, fields, ids).

    Only for a failure whose content is meant for them (the upstream is ours and its
    messages are public). Returns ``failure``.
    """
    _forget(id(failure))
    return failure


def public_failure(failure: Failure) -> Failure:
    """Return the failure our caller may see in place of ``failure``; never raises.

    A failure from a peer becomes our `UpstreamFailure`; a failure that holds one
    (as ``cause``, group member, retry attempt or any other failure-valued field)
    is rebuilt with it replaced. Anything else is returned as it is, at the cost
    of one dictionary check while no peer failure is alive.
    """
    if not _peers:
        return failure
    replaced: list[Failure] = []  # the peer failures replaced
    try:
        public = _public(failure, 0, replaced)
    except Exception:  # noqa: BLE001  # a failure that cannot be rebuilt: nothing of it leaves
        _log.exception("railguard: sanitizing %s failed", type(failure).__qualname__)
        return UpstreamFailure()
    if replaced:  # not logged here: the boundary's one line names them (`relayed_codes`)
        public = _own_copy(public)
        key = id(public)
        ref = weakref.ref(public, lambda _, key=key: _relayed.pop(key, None))  # type: ignore[misc]
        codes = tuple(dict.fromkeys(peer.code for peer in replaced))
        ids = [i for i in map(peer_request_id, replaced) if i is not None]
        _relayed[key] = (ref, codes, ids[0] if ids else None)
    return public


_relayed: dict[int, tuple[weakref.ref[Failure], tuple[str, ...], str | None]] = {}
"""``id`` of each live failure `public_failure` made from peer failures → their codes, id."""


def relayed_codes(failure: Failure) -> tuple[str, ...]:
    """The codes of the peer failures `public_failure` replaced to give ``failure``, if any.

    For the boundary's log line (`railguard.observe.report`): one line names both the
    failure answered and the upstream codes it stands for.
    """
    if not _relayed:
        return ()
    entry = _relayed.get(id(failure))
    return entry[1] if entry is not None and entry[0]() is failure else ()


def _public(failure: Failure, depth: int, replaced: list[Failure]) -> Failure:
    if is_from_peer(failure):
        replaced.append(failure)
        return UpstreamFailure(retry_after=failure.retry_after)
    if depth >= MAX_DEPTH:
        return failure
    changes: dict[str, Any] = {}
    for field in attrs.fields(type(failure)):
        value = getattr(failure, field.name)
        if isinstance(value, Failure):
            public = _public(value, depth + 1, replaced)
            if public is not value:
                changes[field.alias or field.name] = public
        elif isinstance(value, tuple) and value and isinstance(value[0], Failure):
            members = tuple(_public(v, depth + 1, replaced) for v in value)
            if any(p is not v for p, v in zip(members, value, strict=True)):
                changes[field.alias or field.name] = members
    return attrs.evolve(failure, **changes) if changes else failure


def cause_from(exc: BaseException) -> Failure | None:
    """Return the failure of ``exc.__cause__`` (``None`` if there is none).

    Chains deeper than 32 links (or cyclic ones) are cut there.
    """
    cause = exc.__cause__
    if cause is None:
        return None
    state = _state.get()
    return None if state >= _CUT else _convert(cause, state)


# --- the entries ---------------------------------------------------------------------------


def _carried(exc: BaseException) -> Failure:
    return cast(CarriesFailure[Failure], exc).failure


def _unwrapped(exc: BaseException) -> Failure:
    try:
        inner = cast(UnwrapFailedError, exc).halted_container.failure()
    except Exception:  # noqa: BLE001  # an Ok, or a container without .failure() (Maybe, IO)
        return InternalFailure(exception=exc)
    if isinstance(inner, Failure):
        return inner
    if isinstance(inner, BaseException):
        return _resolve(inner)
    return InternalFailure(exception=exc)


def _group(exc: BaseException) -> Failure:
    group = cast(BaseExceptionGroup[BaseException], exc)
    members = tuple(_resolve(e) for e in group.exceptions)
    if not _state.get() & _WIRE:
        return FailureGroup(message=group.message, failures=members, cause=cause_from(group))
    if any(isinstance(member, InternalFailure) for member in members):
        return InternalFailure(exception=exc)
    # the group's own text was not written for a peer: the default message counts members
    return FailureGroup(failures=members, cause=cause_from(group))


def _json_decode(exc: BaseException) -> Failure:
    error = cast(json.JSONDecodeError, exc)
    return ValidationFailure(
        message=f"Malformed JSON: {error.msg}",
        details={"line": error.lineno, "column": error.colno},
    )


def _pydantic(exc: BaseException) -> Failure:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)  # type: ignore[attr-defined]  # pydantic is not imported
    items = [
        {"loc": [str(part) for part in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
        for e in errors
    ]
    return ValidationFailure(message="Validation failed.", details={"errors": items})


def _by_name(name: str, converter: _Converter, *, public: bool) -> None:
    _table[name] = _Entry(converter, public)
    _resolved.clear()


register_exception(RailguardError, _carried, carrier=True)
register_exception(RailguardExceptionGroup, _carried, carrier=True)
register_exception(UnwrapFailedError, _unwrapped)
register_exception(BaseExceptionGroup, _group)
register_exception(TimeoutError, lambda exc: TimeoutFailure())
register_exception(ConnectionError, lambda exc: InfrastructureFailure(message="Connection failed."))
register_exception(PermissionError, lambda exc: AuthorizationFailure(), public=False)
register_exception(FileNotFoundError, lambda exc: NotFoundFailure(), public=False)
register_exception(json.JSONDecodeError, _json_decode, public=False)
register_exception(
    ValueError, lambda exc: ValidationFailure(message=str(exc) or "Invalid value."), public=False
)
_by_name("httpx.TimeoutException", lambda exc: TimeoutFailure(), public=True)
_by_name(
    "httpx.TransportError",
    lambda exc: InfrastructureFailure(message="Could not reach the server."),
    public=True,
)
_by_name("pydantic_core._pydantic_core.ValidationError", _pydantic, public=False)
