"""FastAPI and Starlette: answer every error with a railguard envelope, document it in OpenAPI.

One call::

    app = FastAPI()
    railguard.integrations.fastapi.install(app)            # style="agents"

Afterwards, inside any route: a raised family or railguard exception, ``.unwrap()`` on
an ``Err`` (returns' ``UnwrapFailedError``), FastAPI's ``RequestValidationError`` and
``ResponseValidationError`` (400, one ``errors`` item per validation error), Starlette's
``HTTPException`` and any unexpected exception (a generic 500, logged with its traceback,
nothing of it on the wire) answer with the configured envelope; in a WebSocket endpoint
they answer with the error frame and the mapped close code. Routes may return a
``Result``: ``Ok(value)`` is the normal response, ``Err(failure)`` the envelope, and the
failure types of the annotation appear in the OpenAPI document with status, envelope
schema and examples. Plain Starlette apps get the handlers (there is no OpenAPI).

Routes declared on an ``APIRouter`` need ``APIRouter(route_class=Route)`` to return
``Result``; ``install`` sets it for the app's own router.
"""

from __future__ import annotations

import functools
import inspect
import json
import logging
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final, TypeVar, cast

import attrs
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from returns.primitives.exceptions import UnwrapFailedError
from returns.result import Failure as Err
from returns.result import Result, Success
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import ASGIApp, ExceptionHandler, Message, Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from railguard import catalog
from railguard.core import (
    Category,
    Details,
    Failure,
    FailureGroup,
    InternalFailure,
    RailguardError,
    ValidationFailure,
)
from railguard.core import _exceptions as _core_exceptions
from railguard.http import CONTENT_TYPES, DEFAULT_TYPE_BASE, HttpError, Style, encode
from railguard.http._status import for_status
from railguard.integrations.starlette_ws import WebSocketFailureMiddleware, send_failure

__all__ = ["Route", "error_response", "fails_with", "failure_for_exception", "install"]

_log = logging.getLogger("railguard.integrations.fastapi")

F = TypeVar("F", bound=Callable[..., Any])

_FAILURES_ATTR: Final = "__railguard_failures__"
_MARKER: Final = "x-railguard-failures"
_NO_BODY: Final = frozenset({204, 205, 304})


# -- exceptions → failures --------------------------------------------------------------


def failure_for_exception(exc: BaseException) -> Failure:
    """The failure a server answers for an exception raised in a route.

    Railguard-aware exceptions answer with their failure: family and railguard
    exceptions, ``UnwrapFailedError`` around an ``Err(failure)``, exception groups
    of those, and exception types registered with `railguard.register_exception`.
    Anything else — builtins included, whose text may hold secrets — is unexpected:
    an `InternalFailure` that keeps the exception for the log and shows nothing of it.
    """
    if isinstance(exc, UnwrapFailedError):
        return _unwrapped(exc)
    carried = getattr(exc, "failure", None)
    if isinstance(carried, Failure):
        return carried
    if isinstance(exc, BaseExceptionGroup):
        members = [failure_for_exception(e) for e in exc.exceptions]
        if any(isinstance(m, InternalFailure) for m in members):
            return InternalFailure(exception=exc)
        return FailureGroup(failures=tuple(members), message=exc.message)
    if _trusted_mapping(type(exc)):
        return Failure.from_exception(exc)
    return InternalFailure(exception=exc)


def _unwrapped(exc: UnwrapFailedError) -> Failure:
    try:
        inner = exc.halted_container.failure()
    except Exception:  # noqa: BLE001  # a container without .failure() (Maybe, IO)
        return InternalFailure(exception=exc)
    if isinstance(inner, Failure):
        return inner
    if isinstance(inner, BaseException):
        return failure_for_exception(inner)
    return InternalFailure(exception=exc)


def _trusted_mapping(exc_type: type[BaseException]) -> bool:
    """Whether the exception → failure table maps this type by a non-stdlib entry.

    The core maps ``ValueError`` and friends for convenience; a route that raises
    one has a bug, and ``str(exc)`` may hold secrets, so those answer a generic 500.
    """
    by_type = _core_exceptions._by_type  # read-only view of the core table
    by_name = _core_exceptions._by_name
    for klass in exc_type.__mro__:
        qualified = f"{klass.__module__}.{klass.__qualname__}"
        if klass in by_type or qualified in by_name:
            root = klass.__module__.split(".", 1)[0]
            return root not in sys.stdlib_module_names and root not in ("pydantic", "pydantic_core")
    return False


# -- responses --------------------------------------------------------------------------


def error_response(
    failure: Failure,
    *,
    style: Style = "agents",
    type_base: str = DEFAULT_TYPE_BASE,
    instance: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A Starlette response carrying ``failure`` in the given envelope style."""
    return _to_response(
        encode(failure, style, type_base=type_base, instance=instance), headers=headers
    )


_RAW_CONTENT_TYPES: Final = {
    value: (b"content-type", value.encode("latin-1")) for value in CONTENT_TYPES.values()
}


class _EnvelopeResponse(Response):
    """A response whose body and headers are already encoded (no re-rendering)."""

    def __init__(self, error: HttpError, headers: Mapping[str, str] | None) -> None:
        self.status_code = error.status
        self.background = None
        self.body = error.body
        content_type = _RAW_CONTENT_TYPES.get(error.headers.get("content-type", ""))
        if content_type is not None and len(error.headers) == 1:
            raw = [content_type]  # the usual headers: only the style's content type
        else:
            raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in error.headers.items()]
        if headers:
            own = {name for name, _ in raw}
            for key, value in headers.items():
                name = key.lower().encode("latin-1")
                if name not in own and name != b"content-length":
                    raw.append((name, value.encode("latin-1")))
        raw.append((b"content-length", str(len(error.body)).encode("latin-1")))
        self.raw_headers = raw


def _to_response(error: HttpError, *, headers: Mapping[str, str] | None = None) -> Response:
    if error.status in _NO_BODY:
        return Response(status_code=error.status, headers=dict(headers or {}))
    return _EnvelopeResponse(error, headers)


@attrs.frozen
class _Responder:
    """Turns failures into responses for one app (its style and problem ``type`` base)."""

    style: Style
    type_base: str

    def respond(
        self, request: Request, failure: Failure, headers: Mapping[str, str] | None = None
    ) -> Response:
        instance = request.scope.get("path") if self.style == "problem" else None
        try:
            error = encode(failure, self.style, type_base=self.type_base, instance=instance)
        except Exception:  # noqa: BLE001  # an unencodable failure is a bug: answer a generic 500
            _log.exception("railguard: encoding %s failed", type(failure).__qualname__)
            error = encode(InternalFailure(), self.style, type_base=self.type_base)
        return _to_response(error, headers=headers)

    def unexpected(self, request: Request, exc: BaseException) -> Response:
        return self.respond(request, self.resolve(exc, request))

    async def handle_exception(self, request: Request, exc: Exception) -> Response | None:
        if request.scope["type"] != "http":
            await self.websocket(request, exc)
            return None
        return self.unexpected(request, exc)

    async def websocket(self, connection: HTTPConnection, exc: Exception) -> None:
        """A WebSocket endpoint's exception: its error frame, then the mapped close code."""
        if isinstance(exc, WebSocketDisconnect) or not isinstance(connection, WebSocket):
            return
        failure = self.resolve(exc, connection)
        await send_failure(connection, failure, close=True)

    def resolve(self, exc: BaseException, connection: HTTPConnection | None = None) -> Failure:
        """The failure answering ``exc``; an unexpected exception is logged with its traceback."""
        failure = failure_for_exception(exc)
        if isinstance(failure, InternalFailure):
            original = failure.exception if failure.exception is not None else exc
            scope = connection.scope if connection is not None else {}
            _log.error(
                "Unhandled %s in %s %s",
                type(original).__qualname__,
                scope.get("method", "WEBSOCKET"),
                scope.get("path", "?"),
                exc_info=(type(original), original, original.__traceback__),
            )
        return failure

    async def handle_http_exception(self, request: Request, exc: Exception) -> Response | None:
        if request.scope["type"] != "http":
            await self.websocket(request, exc)
            return None
        if not isinstance(exc, HTTPException):
            raise exc
        detail: object = exc.detail
        status = exc.status_code
        if isinstance(detail, str):
            failure = for_status(status, detail)
        else:
            failure = for_status(status, details=Details({"detail": detail}))
        if status in _NO_BODY or status < 400:
            return Response(status_code=status, headers=exc.headers)
        return self.respond(request, failure, exc.headers)

    async def handle_validation(self, request: Request, exc: Exception) -> Response:
        if request.scope["type"] != "http" or not isinstance(
            exc, (RequestValidationError, ResponseValidationError)
        ):
            raise exc
        which = "Request" if isinstance(exc, RequestValidationError) else "Response"
        if which == "Response":
            _log.warning("Response validation failed in %s: %s", request.scope.get("path"), exc)
        return self.respond(
            request, validation_failure(exc.errors(), f"{which} validation failed.")
        )


def validation_failure(errors: Iterable[Mapping[str, Any]], message: str) -> Failure:
    """One `ValidationFailure` per pydantic/FastAPI validation error, grouped.

    Each member's message is the error's ``msg``; its details keep ``loc`` and
    ``type``. The offending input is not echoed (it may hold secrets).
    """
    members: list[Failure] = []
    for error in errors:
        loc = [part if isinstance(part, (str, int)) else str(part) for part in error.get("loc", ())]
        members.append(
            ValidationFailure(
                message=str(error.get("msg", "Invalid value.")),
                details={"loc": loc, "type": str(error.get("type", "value_error"))},
            )
        )
    if not members:
        return ValidationFailure(message=message)
    return FailureGroup(failures=tuple(members), message=message)


class _Guard:
    """Middleware answering exceptions no handler took, even with ``debug=True``.

    Starlette sends exceptions without a handler to ``ServerErrorMiddleware``, which
    answers a traceback page when ``debug=True`` and re-raises; this guard answers first.
    WebSocket connections go through the WebSocket integration's middleware (an error
    frame, then the mapped close code).
    """

    def __init__(self, app: ASGIApp, responder: _Responder) -> None:
        self.app = app
        self.responder = responder
        # WebSocket endpoints: what no handler took is answered with a frame and a close
        self.websocket = WebSocketFailureMiddleware(app, failure_of=responder.resolve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "websocket":
                await self.websocket(scope, receive, send)
            else:
                await self.app(scope, receive, send)
            return
        started = False

        async def sender(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, sender)
        except Exception as exc:
            if started:
                raise
            response = self.responder.unexpected(Request(scope, receive), exc)
            await response(scope, receive, send)


# -- routes that return Result ------------------------------------------------------------


def fails_with(*failure_types: type[Failure]) -> Callable[[F], F]:
    """Declare the failures a route can answer with (for OpenAPI), when it raises them.

    Routes that return ``Result[T, F1 | F2]`` need no declaration: the annotation says it.
    """
    for cls in failure_types:
        candidate: object = cls
        if not (isinstance(candidate, type) and issubclass(candidate, Failure)):
            raise TypeError(f"fails_with() takes failure classes, not {cls!r}")

    def mark(endpoint: F) -> F:
        declared = tuple(getattr(endpoint, _FAILURES_ATTR, ()))
        setattr(endpoint, _FAILURES_ATTR, declared + tuple(failure_types))
        return endpoint

    return mark


def _result_types(endpoint: Callable[..., Any]) -> tuple[object, tuple[type[Failure], ...]] | None:
    """``(ok_type, failure_types)`` of a ``Result[T, F]`` return annotation, else ``None``."""
    try:
        hints = typing.get_type_hints(endpoint)
    except Exception:  # noqa: BLE001  # unresolvable annotations: FastAPI reports them
        return None
    annotation = hints.get("return")
    if typing.get_origin(annotation) is not Result:
        return None
    ok_type, err_type = typing.get_args(annotation)
    return ok_type, tuple(_failure_classes(err_type))


def _failure_classes(hint: object) -> Iterable[type[Failure]]:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        for arg in typing.get_args(hint):
            yield from _failure_classes(arg)
        return
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and issubclass(origin, Failure):
        yield origin


def _settle(result: object) -> object:
    if isinstance(result, Success):
        return result.unwrap()
    if isinstance(result, Err):
        inner = result.failure()
        if isinstance(inner, BaseException):
            raise inner
        if isinstance(inner, Failure):
            raise RailguardError(inner)
        raise RailguardError(InternalFailure())
    return result


def _adapt(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an endpoint annotated ``-> Result[T, F]``: FastAPI sees ``-> T``; ``Err`` raises."""
    found = _result_types(endpoint)
    if found is None:
        return endpoint
    ok_type, failures = found
    wrapper: Callable[..., Any]
    if inspect.iscoroutinefunction(endpoint):

        @functools.wraps(endpoint)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            return _settle(await endpoint(*args, **kwargs))

        wrapper = async_wrapper
    else:

        @functools.wraps(endpoint)
        def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
            return _settle(endpoint(*args, **kwargs))

        wrapper = sync_wrapper
    try:
        signature = inspect.signature(endpoint, eval_str=True)
    except NameError:
        signature = inspect.signature(endpoint)
    # FastAPI reads the signature: the parameters stay, the return type is the Ok value's
    setattr(wrapper, "__signature__", signature.replace(return_annotation=ok_type))  # noqa: B010
    wrapper.__annotations__ = {**wrapper.__annotations__, "return": ok_type}
    declared = tuple(getattr(endpoint, _FAILURES_ATTR, ()))
    setattr(wrapper, _FAILURES_ATTR, declared + failures)
    return wrapper


def _declared(endpoint: Callable[..., Any]) -> tuple[type[Failure], ...]:
    seen: dict[type[Failure], None] = {}
    for cls in getattr(endpoint, _FAILURES_ATTR, ()):
        seen.setdefault(cls, None)
    return tuple(seen)


def _mark_responses(
    responses: dict[int | str, dict[str, Any]] | None, failures: Sequence[type[Failure]]
) -> dict[int | str, dict[str, Any]]:
    marked: dict[int | str, dict[str, Any]] = {k: dict(v) for k, v in (responses or {}).items()}
    for cls in failures:
        example = _example(cls)
        status = int(example.status) if example is not None else 500
        entry = marked.setdefault(status, {})
        codes = list(entry.get(_MARKER, []))
        code = example.code if example is not None else cls.default_code
        if code not in codes:
            codes.append(code)
        entry[_MARKER] = codes
        entry.setdefault("description", HTTPStatus(status).phrase)
    return marked


class Route(APIRoute):
    """An ``APIRoute`` whose endpoint may return ``Result[T, F]`` and declare failures.

    ``Ok(value)`` answers as the endpoint's ``T`` would; ``Err(failure)`` answers with
    the installed envelope. The failure types (from the annotation and `fails_with`)
    become the route's documented error responses. Use ``APIRouter(route_class=Route)``;
    `install` sets it on the app's own router.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        endpoint = _adapt(endpoint)
        failures = _declared(endpoint)
        if failures:
            kwargs["responses"] = _mark_responses(kwargs.get("responses"), failures)
        super().__init__(path, endpoint, **kwargs)


# -- OpenAPI ----------------------------------------------------------------------------

_PLACEHOLDERS: Final[dict[object, object]] = {
    str: "string",
    int: 0,
    float: 0.0,
    bool: False,
    HTTPStatus: HTTPStatus.INTERNAL_SERVER_ERROR,
    Category: Category.INTERNAL,
    Details: Details(),
}


def _placeholder(hint: object) -> object:  # noqa: PLR0911  # one answer per type shape
    if hint in _PLACEHOLDERS:
        return _PLACEHOLDERS[hint]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return None if type(None) in args else _placeholder(args[0])
    if origin is tuple:
        return ()
    if origin is list:
        return []
    if isinstance(hint, type) and issubclass(hint, Failure):
        return _example(hint)
    if isinstance(hint, type) and hasattr(hint, "__members__"):
        return next(iter(typing.cast(Iterable[object], hint)))
    return None


_examples: dict[type[Failure], Failure | None] = {}


def _example(cls: type[Failure]) -> Failure | None:
    """An instance of ``cls`` for documentation: its defaults, placeholders for the rest."""
    if cls not in _examples:
        _examples[cls] = _build_example(cls)
    return _examples[cls]


def _build_example(cls: type[Failure]) -> Failure | None:
    if issubclass(cls, FailureGroup):
        return cls(failures=(ValidationFailure(),))
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001  # a class local to a function
        hints = {}
    kwargs: dict[str, Any] = {}
    for attribute in attrs.fields(cls):
        if attribute.init and attribute.default is attrs.NOTHING:
            kwargs[attribute.alias] = _placeholder(hints.get(attribute.name, str))
    try:
        return cls(**kwargs)
    except Exception:  # noqa: BLE001  # a validator refused the placeholders
        return None


def _schemas(style: Style) -> dict[str, dict[str, Any]]:
    ref = "#/components/schemas/"
    category = {"type": "string", "enum": [c.value for c in Category]}
    common: dict[str, Any] = {
        "category": category,
        "details": {"type": "object", "description": "Structured context (JSON object)."},
        "cause": {"$ref": ref + "RailguardFailure"},
        "retry_after": {"type": "number", "description": "Server's retry hint, seconds."},
        "fields": {
            "type": "object",
            "description": "Typed fields whose names the envelope itself uses.",
        },
    }
    failure = {
        "type": "object",
        "title": "RailguardFailure",
        "description": "A failure: its code, message and category; its typed fields as "
        "further members.",
        "required": ["type", "message"],
        "properties": {"type": {"type": "string"}, "message": {"type": "string"}, **common},
        "additionalProperties": True,
    }
    if style == "agents":
        envelope: dict[str, Any] = {
            "type": "object",
            "title": "RailguardAgentsError",
            "description": "The agents-server error envelope; one errors item per failure.",
            "required": ["code", "message", "errors"],
            "properties": {
                "code": {"type": "string", "description": "HTTP status name (NOT_FOUND)."},
                "message": {"type": "string"},
                "errors": {"type": "array", "items": {"$ref": ref + "RailguardFailure"}},
                "type": {"type": "string", "description": "Code of an aggregate failure."},
                **common,
            },
            "additionalProperties": True,
        }
        return {"RailguardFailure": failure, "RailguardAgentsError": envelope}
    if style == "problem":
        envelope = {
            "type": "object",
            "title": "RailguardProblem",
            "description": "RFC 9457 problem details with railguard's extension members.",
            "required": ["type", "title", "status", "detail", "code"],
            "properties": {
                "type": {"type": "string", "format": "uri-reference"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "instance": {"type": "string", "format": "uri-reference"},
                "code": {"type": "string"},
                "errors": {"type": "array", "items": {"$ref": ref + "RailguardFailure"}},
                **common,
            },
            "additionalProperties": True,
        }
        return {"RailguardFailure": failure, "RailguardProblem": envelope}
    envelope = {
        "type": "object",
        "title": "RailguardBridgeError",
        "description": "The bridge error frame; typed fields as further members.",
        "required": ["type", "message", "code", "error_code"],
        "properties": {
            "type": {"type": "string", "const": "error"},
            "message": {"type": "string"},
            "code": {"type": "integer", "description": "HTTP status."},
            "error_code": {"type": "string"},
            **common,
        },
        "additionalProperties": True,
    }
    return {"RailguardFailure": failure, "RailguardBridgeError": envelope}


_ENVELOPE_NAME: Final = {
    "agents": "RailguardAgentsError",
    "problem": "RailguardProblem",
    "bridge": "RailguardBridgeError",
}
_METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_VALIDATION_REF: Final = "#/components/schemas/HTTPValidationError"


def _document(schema: dict[str, Any], style: Style, type_base: str) -> dict[str, Any]:
    """Expand the failure markers of an OpenAPI document into envelope responses."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    used = False
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            fastapi_422 = responses.get("422", {})
            content_422 = fastapi_422.get("content", {}).get("application/json", {})
            if content_422.get("schema", {}).get("$ref") == _VALIDATION_REF:
                # validation errors answer 400 with the envelope (agents document)
                del responses["422"]
                entry = responses.setdefault("400", {"description": "Bad Request"})
                entry[_MARKER] = [*entry.get(_MARKER, []), "FAILURE_GROUP"]
            for status, response in responses.items():
                codes = response.get(_MARKER)
                if codes:
                    _expand(
                        response, codes, status=status, path=path, style=style, type_base=type_base
                    )
                    used = True
    if used:
        components.update(_schemas(style))
    text = json.dumps(schema)
    if _VALIDATION_REF not in text:
        components.pop("HTTPValidationError", None)
        if "#/components/schemas/ValidationError" not in json.dumps(schema):
            components.pop("ValidationError", None)
    return schema


def _expand(
    response: dict[str, Any],
    codes: Sequence[str],
    *,
    status: str,
    path: str,
    style: Style,
    type_base: str,
) -> None:
    from railguard.core import lookup  # noqa: PLC0415  # keeps the module's imports short

    examples: dict[str, Any] = {}
    for code in dict.fromkeys(codes):
        cls = lookup(code)
        example = _example(cls) if cls is not None else None
        if code == "FAILURE_GROUP" and cls is FailureGroup:
            example = validation_failure(
                [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}],
                "Request validation failed.",
            )
        if example is None:
            continue
        body = encode(example, style, type_base=type_base, instance=path)
        summary = (cls.__doc__ or code).strip().splitlines()[0] if cls is not None else code
        examples[code] = {"summary": summary, "value": json.loads(body.body)}
    media = CONTENT_TYPES[style]
    content = response.setdefault("content", {})
    content.pop("application/json", None) if media != "application/json" else None
    content[media] = {
        "schema": {"$ref": "#/components/schemas/" + _ENVELOPE_NAME[style]},
        "examples": examples,
    }
    response["description"] = f"{_phrase(status)}: {', '.join(dict.fromkeys(codes))}"


def _phrase(status: str) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return "Error"


# -- install ----------------------------------------------------------------------------


def install(
    app: Starlette,
    style: Style = "agents",
    *,
    type_base: str = DEFAULT_TYPE_BASE,
) -> None:
    """Answer every error of ``app`` with the ``style`` envelope; document it in OpenAPI.

    Call it right after creating the app, before declaring routes (the app's router
    then builds `Route` routes, which may return ``Result``).

    Args:
        app: a FastAPI or Starlette application, not yet started.
        style: ``"agents"`` (default), ``"problem"`` or ``"bridge"``.
        type_base: base of the problem ``type`` URIs (link them to your docs).

    Raises:
        RuntimeError: railguard is already installed on ``app``.
        ValueError: ``style`` is not an envelope style.
    """
    if style not in CONTENT_TYPES:
        raise ValueError(f"unknown style {style!r}: use 'agents', 'problem' or 'bridge'")
    if getattr(app.state, "railguard", None) is not None:
        raise RuntimeError("railguard is already installed on this app")
    responder = _Responder(style, type_base)
    app.state.railguard = responder
    # one handler for both kinds of connection: a response for HTTP, a frame and a close
    # for a WebSocket (Starlette types the two separately)
    handle_http = cast(ExceptionHandler, responder.handle_http_exception)
    handle_any = cast(ExceptionHandler, responder.handle_exception)
    app.add_exception_handler(HTTPException, handle_http)
    for exc_type in _railguard_exception_types():
        app.add_exception_handler(exc_type, handle_any)
    # a backstop for exceptions raised by middleware outside the guard
    app.add_exception_handler(Exception, handle_any)
    app.add_middleware(_Guard, responder=responder)
    if isinstance(app, FastAPI):
        app.add_exception_handler(RequestValidationError, responder.handle_validation)
        app.add_exception_handler(ResponseValidationError, responder.handle_validation)
        _use_route_class(app)
        _wrap_openapi(app, style, type_base)


def _railguard_exception_types() -> list[type[Exception]]:
    """Exception types answered with their failure without a detour through the guard."""
    catalog()  # import the families, which register their exceptions
    found: list[type[Exception]] = [RailguardError, UnwrapFailedError]
    for exc_type in list(_core_exceptions._by_type):  # read-only
        if issubclass(exc_type, Exception) and _trusted_mapping(exc_type):
            found.append(exc_type)
    return list(dict.fromkeys(found))


def _use_route_class(app: FastAPI) -> None:
    current = app.router.route_class
    if not issubclass(current, Route):
        app.router.route_class = (
            Route
            if current is APIRoute
            else type(f"Railguard{current.__name__}", (Route, current), {})
        )
    # routes declared before install: document their fails_with() declarations
    for route in app.router.routes:
        if isinstance(route, APIRoute) and not isinstance(route, Route):
            failures = _declared(route.endpoint)
            if failures:
                route.responses = _mark_responses(route.responses, failures)


def _wrap_openapi(app: FastAPI, style: Style, type_base: str) -> None:
    original: Callable[[], dict[str, Any]] = app.openapi
    done: dict[int, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        schema = original()
        if id(schema) not in done:
            done.clear()
            done[id(schema)] = _document(schema, style, type_base)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
