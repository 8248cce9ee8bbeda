"""gRPC (the ``grpc`` extra): servers answer failures with rich statuses; clients read them back.

Server side, one interceptor per server flavour:

* `ServerInterceptor` (``grpc.server(..., interceptors=[ServerInterceptor()])``) and
  `AioServerInterceptor` (``grpc.aio.server(interceptors=[...])``): a servicer method
  that returns ``Err(failure)``, raises a family exception or ``unwrap()``s an ``Err``
  answers with `railguard.grpc.encode`'s status (code, message and
  ``grpc-status-details-bin``); ``Ok(value)`` answers ``value``. Any other exception
  answers ``INTERNAL`` with a message that reveals nothing of it (it is logged on
  the ``railguard.grpc`` logger). A method that aborts by itself is left alone.

  Each call is served under its request id (`railguard.observe.REQUEST_ID`): its
  ``x-request-id`` metadata when that is a plain token, else a new id. The id goes
  back as ``x-request-id`` trailing metadata and, in a failure's status, as a
  ``google.rpc.RequestInfo`` detail (with the current OpenTelemetry trace id as
  ``serving_data`` ``trace_id=<hex>``); the answer's log line carries it.

  Given ``messages=`` (a `railguard.messages.Messages`), each call is also served
  with the call's ``accept-language`` metadata, and a failure's status carries its
  message for end users in the negotiated locale as the ``LocalizedMessage``
  (AIP-193), instead of the failure's own message in ``en-US``; ``Status.message``
  stays the failure's message. Clients read it with `railguard.grpc.exchange_of`.

Client side:

* `failure_of`: a ``grpc.RpcError`` / ``grpc.aio.AioRpcError`` as its typed failure.
* `call` / `call_async`: a unary call as ``Result[response, Failure]``; the id of the
  request being served goes as ``x-request-id`` metadata unless the caller's metadata
  has one, and the peer's id of a failed call is kept with the failure's peer mark
  (`railguard.core.peer_request_id`), never sent on.
* `retry_call` / `retry_call_async`: `call` retried by each failure's own semantics
  through `railguard.retry` (a ``RetryInfo`` hint is waited out).
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import logging
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Iterator,
)
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar, cast

import attrs
import grpc
import grpc.aio
from returns.result import Failure as Err
from returns.result import Result, Success

from railguard.core import (
    EMPTY_DETAILS,
    Failure,
    InternalFailure,
    from_peer,
    public_failure,
    wire_failure,
)
from railguard.grpc import DETAILS_KEY, details_of, generic_class
from railguard.grpc._status import decoded, serialized
from railguard.integrations._exchange import LOCALIZE, localized_message
from railguard.integrations._grpc_ids import REQUEST_ID_KEY, keep_id, peer_id, sent, served_id
from railguard.observe import report
from railguard.observe._report import listening
from railguard.observe._request_id import REQUEST_ID, trace_id
from railguard.retry import DEFAULT_POLICY, RetryPolicy, retry, retry_async

if TYPE_CHECKING:
    from railguard.messages import Messages

__all__ = [
    "IDEMPOTENCY_KEY",
    "MAX_STATUS_SIZE",
    "AioServerInterceptor",
    "ServerInterceptor",
    "call",
    "call_async",
    "failure_of",
    "retry_call",
    "retry_call_async",
    "rich_status",
]

_log = logging.getLogger("railguard.grpc")

Req = TypeVar("Req")
Resp = TypeVar("Resp")
_Metadata = tuple[tuple[str, str | bytes], ...]
IDEMPOTENCY_KEY = "idempotency-key"
"""The request metadata key `retry_call` sends an idempotency key under."""


# --- server ----------------------------------------------------------------------------


MAX_STATUS_SIZE = 4096
"""Largest serialized status `rich_status` sends by default, in bytes.

grpcio clients refuse trailers beyond ``grpc.max_metadata_size`` (8 KiB by default; the
details travel base64-encoded, and the message once more as ``grpc-message``).
"""
_MESSAGE_BUDGET = 512  # characters of the message kept by the last resort


def rich_status(failure: Failure, *, max_size: int = MAX_STATUS_SIZE) -> grpc.Status:
    """The ``grpc.Status`` a server aborts with for ``failure`` (for ``abort_with_status``).

    In a call served with one of the interceptors (or wherever
    `railguard.observe.REQUEST_ID` is set) the status carries the call's request id,
    and the current OpenTelemetry trace id if any, as a ``RequestInfo`` detail, and
    the id as ``x-request-id`` trailing metadata. In a call served with ``messages=``
    its ``LocalizedMessage`` is the failure's message for end users in the caller's
    language.

    A status larger than ``max_size`` would not reach a default client, so it is sent
    smaller: first without the failure's ``details`` and ``cause``, then as the generic
    failure of its category with the message cut short (both logged). A failure whose
    fields JSON cannot carry (NaN, say) is logged and answered as an `InternalFailure`.
    """
    request_id, trace = REQUEST_ID.get(), trace_id()
    trailers: _Metadata = () if request_id is None else ((REQUEST_ID_KEY, request_id),)
    for candidate in _smaller(failure):
        try:
            localized = localized_message(candidate)
            code, message, data = serialized(candidate, request_id, trace, localized)
        except (TypeError, ValueError):
            _log.exception("railguard: %s cannot be put on the gRPC wire", candidate.code)
            continue
        if len(data) <= max_size:
            if candidate is not failure:
                _log.warning("railguard: %s was too large for gRPC; sent smaller", failure.code)
            return _Status(_STATUS_CODES[code], message, ((DETAILS_KEY, data), *trailers))
    last = InternalFailure()
    code, message, data = serialized(last, request_id, trace, localized_message(last))
    return _Status(_STATUS_CODES[code], message, ((DETAILS_KEY, data), *trailers))


def _bare(failure: Failure) -> Failure | None:
    """``failure`` without its details and cause, when it has any and its class allows it."""
    if not failure.details and failure.cause is None:
        return None
    try:
        return attrs.evolve(failure, details=EMPTY_DETAILS, cause=None)
    except (TypeError, ValueError):  # a class whose validators want its details
        return None


def _smaller(failure: Failure) -> Iterator[Failure]:
    """``failure``, then ever smaller stand-ins for it."""
    yield failure
    bare = _bare(failure)
    if bare is not None:
        yield bare
    generic = generic_class(failure.category)
    yield generic(message=failure.message[:_MESSAGE_BUDGET], retry_after=failure.retry_after)


_STATUS_CODES: dict[int, grpc.StatusCode] = {code.value[0]: code for code in grpc.StatusCode}


class _Status(grpc.Status):
    """A status to abort with (what ``grpc_status.rpc_status.to_status`` builds)."""

    __slots__ = ("code", "details", "trailing_metadata")

    def __init__(self, code: grpc.StatusCode, details: str, trailing_metadata: _Metadata) -> None:
        self.code = code
        self.details = details
        self.trailing_metadata = trailing_metadata


def _failure_of_exception(exc: BaseException) -> Failure:
    return wire_failure(exc)  # an unexpected one is logged where it is answered


def _outcome(value: object) -> tuple[object, Failure | None]:
    """A method's return value as (response, None), or (None, failure) for an ``Err``."""
    if not isinstance(value, Result):
        return value, None
    if isinstance(value, Success):
        return value.unwrap(), None
    error = value.failure()
    if isinstance(error, Failure):
        return None, public_failure(error)
    if isinstance(error, BaseException):
        return None, _failure_of_exception(error)
    return None, InternalFailure()


def _aborted(context: grpc.ServicerContext) -> bool:
    """Whether the method aborted (or set an error code) by itself before raising."""
    code = getattr(context, "code", lambda: None)()  # grpcio >= 1.38; the stubs lack it
    return code is not None and code is not grpc.StatusCode.OK


def _abort(context: grpc.ServicerContext, failure: Failure) -> NoReturn:
    if listening(failure, "grpc"):  # nothing built when no one takes the line
        report(failure, boundary="grpc")
    context.abort_with_status(rich_status(failure))


_ACCEPT_LANGUAGE_KEY: Final = "accept-language"
"""The invocation metadata key a call's preferred languages are read from (``messages=``)."""


def _localize(context: Any, messages: Messages) -> tuple[Messages, str | None]:
    """What `LOCALIZE` holds for the call ``context`` serves: the messages, its languages."""
    for key, value in context.invocation_metadata() or ():
        if key == _ACCEPT_LANGUAGE_KEY:
            return messages, value if isinstance(value, str) else None
    return messages, None


def _served(context: grpc.ServicerContext, messages: Messages | None) -> contextvars.Context:
    """A context for serving one call: a copy of the thread's, with the call's request id.

    (And its `LOCALIZE` with ``messages``.) The method runs in it (each step of a
    response stream too), so nothing stays behind in the worker thread's own context
    for the next call.
    """
    served = contextvars.copy_context()
    served.run(REQUEST_ID.set, served_id(context))
    if messages is not None:
        served.run(LOCALIZE.set, _localize(context, messages))
    return served


def _unary(
    behavior: Callable[[Any, grpc.ServicerContext], Any], messages: Messages | None
) -> Callable[..., Any]:
    def serve(request: Any, context: grpc.ServicerContext) -> Any:
        try:
            value, failure = _outcome(behavior(request, context))
        except Exception as exc:
            if _aborted(context):
                raise
            failure = _failure_of_exception(exc)
        if failure is None:
            keep_id(context, cast(str, REQUEST_ID.get()))
            return value
        _abort(context, failure)

    def answer(request: Any, context: grpc.ServicerContext) -> Any:
        return _served(context, messages).run(serve, request, context)

    return answer


def _streaming(
    behavior: Callable[[Any, grpc.ServicerContext], Any], messages: Messages | None
) -> Callable[..., Any]:
    def serve(request: Any, context: grpc.ServicerContext) -> Generator[Any]:
        try:
            produced, failure = _outcome(behavior(request, context))
            if failure is not None:
                _abort(context, failure)
            for item in cast(Iterator[Any], produced):
                value, failure = _outcome(item)
                if failure is not None:
                    _abort(context, failure)
                yield value
        except Exception as exc:
            if _aborted(context):
                raise
            _abort(context, _failure_of_exception(exc))
        keep_id(context, cast(str, REQUEST_ID.get()))

    def answer(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        served = _served(context, messages)
        steps = serve(request, context)
        try:
            while True:
                try:
                    item = served.run(next, steps)
                except StopIteration:
                    return
                yield item
        finally:
            served.run(steps.close)

    return answer


_Wrap = Callable[[Callable[..., Any], "Messages | None"], Callable[..., Any]]


def _rebuild(
    handler: grpc.RpcMethodHandler[Any, Any],
    unary: _Wrap,
    streaming: _Wrap,
    messages: Messages | None,
) -> grpc.RpcMethodHandler[Any, Any]:
    """``handler`` with each behavior wrapped (``unary`` or ``streaming`` by its response)."""
    codecs: dict[str, Any] = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(unary(handler.unary_unary, messages), **codecs)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(
            streaming(handler.unary_stream, messages), **codecs
        )
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(unary(handler.stream_unary, messages), **codecs)
    if handler.stream_stream is not None:
        return grpc.stream_stream_rpc_method_handler(
            streaming(handler.stream_stream, messages), **codecs
        )
    return handler


_CACHE_SIZE = 1024
# id(handler), flavour, id(messages) -> (handler, messages, wrapped): both are kept so
# their ids stay their own
_cache: dict[tuple[int, bool, int], tuple[object, object, grpc.RpcMethodHandler[Any, Any]]] = {}


def _wrapped(
    handler: grpc.RpcMethodHandler[Any, Any], flavour: bool, messages: Messages | None = None
) -> grpc.RpcMethodHandler[Any, Any]:
    """The wrapped handler, built once per method handler (a server's handlers are fixed)."""
    key = (id(handler), flavour, id(messages))
    cached = _cache.get(key)
    if cached is not None and cached[0] is handler and cached[1] is messages:
        return cached[2]
    if len(_cache) >= _CACHE_SIZE:  # handlers made per call: stay bounded
        _cache.clear()
    unary, streaming = (_unary_async, _streaming_async) if flavour else (_unary, _streaming)
    wrapped = _rebuild(handler, unary, streaming, messages)
    _cache[key] = (handler, messages, wrapped)
    return wrapped


_SYNC = False
_ASYNC = True


class ServerInterceptor(grpc.ServerInterceptor):
    """Answers returned ``Err``s and raised exceptions with railguard's rich status (sync).

    Args:
        messages: localize each failure's ``LocalizedMessage`` by the call's
            ``accept-language`` metadata (``None``: the failure's message in ``en-US``).
    """

    def __init__(self, *, messages: Messages | None = None) -> None:
        self.messages = messages

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler[Req, Resp] | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Req, Resp] | None:
        """Wrap the method's handler so its failures become rich statuses."""
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        return cast("grpc.RpcMethodHandler[Req, Resp]", _wrapped(handler, _SYNC, self.messages))


async def _abort_async(context: grpc.aio.ServicerContext[Any, Any], failure: Failure) -> NoReturn:
    if listening(failure, "grpc"):
        report(failure, boundary="grpc")
    await context.abort_with_status(rich_status(failure))


async def _settle(value: object) -> object:
    return await value if inspect.isawaitable(value) else value


def _reset(token: contextvars.Token[str | None], localize: _LocalizeToken | None) -> None:
    """Reset the request id (and `LOCALIZE`), unless this is another context.

    (A stream closed after its task: the call's own context then ended with its
    task, nothing stays behind.)
    """
    with contextlib.suppress(ValueError):
        REQUEST_ID.reset(token)
    if localize is not None:
        with contextlib.suppress(ValueError):
            LOCALIZE.reset(localize)


_LocalizeToken = contextvars.Token["tuple[Messages, str | None] | None"]


def _set_localize(context: Any, messages: Messages | None) -> _LocalizeToken | None:
    return None if messages is None else LOCALIZE.set(_localize(context, messages))


def _unary_async(behavior: Callable[..., Any], messages: Messages | None) -> Callable[..., Any]:
    async def answer(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        request_id = served_id(context)
        token = REQUEST_ID.set(request_id)
        localize = _set_localize(context, messages)
        try:
            try:
                value, failure = _outcome(await _settle(behavior(request, context)))
            except grpc.aio.AbortError:
                raise
            except Exception as exc:  # noqa: BLE001  # every exception is answered
                failure = _failure_of_exception(exc)
            if failure is not None:
                await _abort_async(context, failure)
            keep_id(context, request_id)
            return value
        finally:
            REQUEST_ID.reset(token)
            if localize is not None:
                LOCALIZE.reset(localize)

    return answer


def _streaming_async(behavior: Callable[..., Any], messages: Messages | None) -> Callable[..., Any]:
    async def answer(
        request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[Any]:
        request_id = served_id(context)
        token = REQUEST_ID.set(request_id)
        localize = _set_localize(context, messages)
        steps = serve(request, context)
        try:
            async for value in steps:
                yield value
            keep_id(context, request_id)
        finally:
            await steps.aclose()
            _reset(token, localize)

    async def serve(
        request: Any, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncGenerator[Any]:
        try:
            produced = behavior(request, context)
            if inspect.isawaitable(produced):  # writes with context.write, or returns an Err
                produced = await produced
            produced, failure = _outcome(produced)
            if failure is not None:
                await _abort_async(context, failure)
            if produced is None:
                return
            if hasattr(produced, "__aiter__"):
                async for item in cast(AsyncIterator[Any], produced):
                    value, failure = _outcome(item)
                    if failure is not None:
                        await _abort_async(context, failure)
                    yield value
            else:
                for item in cast(Iterator[Any], produced):
                    value, failure = _outcome(item)
                    if failure is not None:
                        await _abort_async(context, failure)
                    yield value
        except grpc.aio.AbortError:
            raise
        except Exception as exc:  # noqa: BLE001  # every exception is answered
            await _abort_async(context, _failure_of_exception(exc))

    return answer


class AioServerInterceptor(grpc.aio.ServerInterceptor):
    """Answers returned ``Err``s and raised exceptions with railguard's rich status (asyncio).

    Args:
        messages: as `ServerInterceptor`'s.
    """

    def __init__(self, *, messages: Messages | None = None) -> None:
        self.messages = messages

    async def intercept_service(
        self,
        continuation: Callable[
            [grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Req, Resp] | None]
        ],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Req, Resp] | None:
        """Wrap the method's handler so its failures become rich statuses."""
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        return cast("grpc.RpcMethodHandler[Req, Resp]", _wrapped(handler, _ASYNC, self.messages))


# --- client ----------------------------------------------------------------------------


def failure_of(error: grpc.RpcError) -> Failure:
    """The typed failure a failed call stands for (`railguard.grpc.decode`); never raises.

    Works for the sync stack's errors (which are ``grpc.Call``s) and for
    ``grpc.aio.AioRpcError``; a status without railguard's details gives the
    generic failure of its code (``UNAVAILABLE`` → `railguard.InfrastructureFailure`,
    ``DEADLINE_EXCEEDED`` → `railguard.TimeoutFailure`, ...).
    """
    try:
        status_code: grpc.StatusCode = cast(grpc.Call, error).code()
        message = cast(grpc.Call, error).details() or ""
        trailers = cast(grpc.Call, error).trailing_metadata()
    except Exception:  # noqa: BLE001  # an RpcError that is no call: nothing to read
        return Failure.from_exception(error)
    received = cast(_Metadata | None, trailers)
    failure, exchange = decoded(status_code.value[0], message, details_of(received))
    return from_peer(failure, request_id=peer_id(exchange.request_id, received))


def _received(error: grpc.RpcError) -> Failure:
    """The failure of a failed call, reported once (``received`` on ``railguard.grpc``)."""
    failure = failure_of(error)
    if listening(failure, "grpc"):
        report(failure, boundary="grpc", outcome="received")
    return failure


def _with_key(metadata: _Metadata | None, key: str | None) -> _Metadata | None:
    if key is None:
        return metadata
    return (*(metadata or ()), (IDEMPOTENCY_KEY, key))


def call(
    method: grpc.UnaryUnaryMultiCallable[Req, Resp],
    request: Req,
    /,
    *,
    timeout: float | None = None,
    metadata: _Metadata | None = None,
) -> Result[Resp, Failure]:
    """Call a unary method: ``Ok(response)``, or ``Err`` of the status's typed failure.

    The failure is reported once (``received`` on ``railguard.grpc``), the peer's
    message in that line only.
    """
    try:
        return Success(method(request, timeout=timeout, metadata=sent(metadata)))
    except grpc.RpcError as error:
        return Err(_received(error))


async def call_async(
    method: grpc.aio.UnaryUnaryMultiCallable[Req, Resp],
    request: Req,
    /,
    *,
    timeout: float | None = None,
    metadata: _Metadata | None = None,
) -> Result[Resp, Failure]:
    """`call` on a ``grpc.aio`` channel."""
    try:
        return Success(await method(request, timeout=timeout, metadata=sent(metadata)))
    except grpc.RpcError as error:
        return Err(_received(error))


def retry_call(
    method: grpc.UnaryUnaryMultiCallable[Req, Resp],
    request: Req,
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    timeout: float | None = None,
    metadata: _Metadata | None = None,
) -> Result[Resp, Failure]:
    """`call`, retried by each failure's semantics (`railguard.retry.retry`).

    A rate-limited answer's ``RetryInfo`` is waited out (capped by ``policy``);
    transient failures back off; anything else comes back at once. A
    non-idempotent method is retried only with an ``idempotency_key``, which is
    sent as ``idempotency-key`` request metadata on every attempt. When the
    policy runs out, the ``Err`` holds a `railguard.retry.RetryExhaustedFailure`.
    """
    sent = _with_key(metadata, idempotency_key)
    return retry(
        lambda: call(method, request, timeout=timeout, metadata=sent),
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        policy=policy,
        operation=_operation(method),
    )


async def retry_call_async(
    method: grpc.aio.UnaryUnaryMultiCallable[Req, Resp],
    request: Req,
    /,
    *,
    idempotent: bool,
    idempotency_key: str | None = None,
    policy: RetryPolicy = DEFAULT_POLICY,
    timeout: float | None = None,
    metadata: _Metadata | None = None,
) -> Result[Resp, Failure]:
    """`retry_call` on a ``grpc.aio`` channel (`railguard.retry.retry_async`)."""
    sent = _with_key(metadata, idempotency_key)

    async def attempt() -> Result[Resp, Failure]:
        return await call_async(method, request, timeout=timeout, metadata=sent)

    return await retry_async(
        attempt,
        idempotent=idempotent,
        idempotency_key=idempotency_key,
        policy=policy,
        operation=_operation(method),
    )


def _operation(method: object) -> str:
    name = getattr(method, "_method", None)
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    return name if isinstance(name, str) else "grpc call"
