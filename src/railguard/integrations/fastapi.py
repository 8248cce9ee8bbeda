"""FastAPI: railguard's Starlette integration, plus routes that return ``Result`` and OpenAPI.

One call::

    app = FastAPI()
    railguard.integrations.fastapi.install(app)            # style="agents"

Afterwards, inside any route: a raised family or railguard exception, ``.unwrap()`` on
an ``Err`` (returns' ``UnwrapFailedError``), FastAPI's ``RequestValidationError`` (400,
one ``errors`` item per validation error), Starlette's ``HTTPException`` and any
unexpected exception (a generic 500, logged with its traceback, nothing of it on the
wire; a response failing the route's response model is one) answer with the configured
envelope; in a WebSocket endpoint they answer with the error frame and the mapped close
code. Routes may return a ``Result``: ``Ok(value)`` is the normal response,
``Err(failure)`` the envelope, and the failure types of the annotation appear in the
OpenAPI document with status, envelope schema and examples. Plain Starlette apps get
the handlers from `railguard.integrations.starlette` (there is no OpenAPI).

Routes declared on an ``APIRouter`` need ``APIRouter(route_class=Route)`` to return
``Result``; ``install`` sets it for the app's own router.
"""

from __future__ import annotations

import functools
import inspect
import logging
import types
import typing
from collections.abc import Callable, Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal, TypeVar

from fastapi import FastAPI
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import (
    RequestValidationError,
    ResponseValidationError,
    WebSocketRequestValidationError,
)
from fastapi.routing import APIRoute, APIRouter, APIWebSocketRoute
from returns.result import Failure as Err
from returns.result import Result, Success
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from railguard.core import Failure, FailureGroup, InternalFailure, ValidationFailure, wire_failure
from railguard.http import DEFAULT_TYPE_BASE, Style

from ._openapi import declared_statuses, mark_responses, wrap_openapi
from .starlette import FailureResponse, FrameworkFailure, error_response, responder_of
from .starlette import install as install_handlers

if TYPE_CHECKING:
    from railguard.messages import Messages

__all__ = [
    "MAX_VALIDATION_ERRORS",
    "Route",
    "error_response",
    "fails_with",
    "failure_for_exception",
    "install",
    "validation_failure",
]

F = TypeVar("F", bound=Callable[..., Any])

_log = logging.getLogger("railguard.http")

_FAILURES_ATTR: Final = "__railguard_failures__"
_STATUSES_ATTR: Final = "__railguard_statuses__"

failure_for_exception = wire_failure
"""The failure a server answers for an exception raised in a route (`railguard.wire_failure`)."""


# -- FastAPI's validation errors ----------------------------------------------------------

_SOURCES: Final = frozenset({"body", "query", "path", "header", "cookie"})


MAX_VALIDATION_ERRORS: Final = 256
"""The most validation errors one answer lists (the rest are counted in its details).

A railguard peer reads at most 2,048 objects from one body (SECURITY.md, the caps):
256 errors, two objects each, stay well within it, so the answer always decodes.
"""


def validation_failure(
    errors: Iterable[Mapping[str, Any]], message: str, *, names: frozenset[str] | None = None
) -> Failure:
    """One `ValidationFailure` per pydantic/FastAPI validation error, grouped.

    At most `MAX_VALIDATION_ERRORS` are listed: beyond them the group's message says
    how many there were, and its details hold ``errors`` (the count) and ``listed``.

    Each member's message is the error's ``msg``; its details keep ``loc`` and
    ``type``. The offending input is not echoed (it may hold secrets); with
    ``names`` (the names the route declares), a ``loc`` part that is none of them
    — a dictionary key the client sent — is shown as ``"*"``.
    """
    members: list[Failure] = []
    count = 0
    for error in errors:
        count += 1
        if count > MAX_VALIDATION_ERRORS:
            continue  # counted, not listed
        loc = [
            part
            if isinstance(part, int) or names is None or part in names or part in _SOURCES
            else "*"
            for part in (p if isinstance(p, (str, int)) else str(p) for p in error.get("loc", ()))
        ]
        members.append(
            ValidationFailure(
                message=str(error.get("msg", "Invalid value.")),
                details={"loc": loc, "type": str(error.get("type", "value_error"))},
            )
        )
    if not members:
        return ValidationFailure(message=message)
    if count > MAX_VALIDATION_ERRORS:
        message = f"{message} The first {MAX_VALIDATION_ERRORS} of {count} errors are listed."
        return FailureGroup(
            failures=tuple(members),
            message=message,
            details={"errors": count, "listed": MAX_VALIDATION_ERRORS},
        )
    return FailureGroup(failures=tuple(members), message=message)


def _model_names(annotation: object, into: set[str], seen: set[object]) -> None:
    if annotation in seen:
        return
    seen.add(annotation)
    for arg in typing.get_args(annotation):
        _model_names(arg, into, seen)
    fields = getattr(annotation, "model_fields", None)
    if isinstance(annotation, type) and isinstance(fields, Mapping):
        for name, field in fields.items():
            into.add(name)
            if isinstance(field.alias, str):
                into.add(field.alias)
            _model_names(field.annotation, into, seen)


_NAMES_ATTR: Final = "_railguard_declared_names"


def _declared_names(route: APIRoute | APIWebSocketRoute) -> frozenset[str]:
    """Every name a route declares: its parameters and the fields of their models (cached)."""
    cached: frozenset[str] | None = route.__dict__.get(_NAMES_ATTR)
    if cached is not None:
        return cached
    names: set[str] = set()
    seen: set[object] = set()
    dependant = route.dependant
    for param in (
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
        *dependant.body_params,
    ):
        names.update((param.name, param.alias))
        _model_names(param.field_info.annotation, names, seen)
    found = frozenset(names)
    setattr(route, _NAMES_ATTR, found)
    return found


def _names_of(connection: HTTPConnection) -> frozenset[str]:
    route = connection.scope.get("route")
    if isinstance(route, APIRoute | APIWebSocketRoute):
        return _declared_names(route)
    return frozenset()


def _request_invalid(exc: RequestValidationError, connection: HTTPConnection) -> Failure:
    return validation_failure(
        exc.errors(), "Request validation failed.", names=_names_of(connection)
    )


def _websocket_invalid(exc: WebSocketRequestValidationError, connection: HTTPConnection) -> Failure:
    return validation_failure(
        exc.errors(), "Request validation failed.", names=_names_of(connection)
    )


def _response_invalid(exc: ResponseValidationError, connection: HTTPConnection) -> Failure:
    # the server's own answer broke its contract: a 500, logged, nothing of it on the wire
    return InternalFailure(exception=exc)


FASTAPI_FAILURES: Final[Mapping[type[Exception], FrameworkFailure]] = {
    RequestValidationError: _request_invalid,
    WebSocketRequestValidationError: _websocket_invalid,
    ResponseValidationError: _response_invalid,
}


# -- routes that return Result ------------------------------------------------------------


def fails_with(
    *failure_types: type[Failure],
    statuses: Mapping[type[Failure], Iterable[int | str]] | None = None,
) -> Callable[[F], F]:
    """Declare the failures a route can answer with (for OpenAPI), when it raises them.

    Routes that return ``Result[T, F1 | F2]`` need no declaration: the annotation says it.
    Each class is documented at every status its declaration allows (a class whose
    status varies per instance, at ``4XX`` and ``5XX``); ``statuses`` narrows a class
    to the statuses this route answers it with, e.g.
    ``statuses={KneoServerFailure: [502, 503, 504]}`` (a class in it is declared too).

    Raises:
        TypeError: an argument is not a failure class.
        ValueError: a status is not an error status (400-599, ``"4XX"``, ``"5XX"``) or
            one the class cannot answer with.
    """
    for cls in (*failure_types, *(statuses or {})):
        candidate: object = cls
        if not (isinstance(candidate, type) and issubclass(candidate, Failure)):
            raise TypeError(f"fails_with() takes failure classes, not {cls!r}")
    narrowed = declared_statuses(statuses or {})

    def mark(endpoint: F) -> F:
        declared = tuple(getattr(endpoint, _FAILURES_ATTR, ()))
        setattr(endpoint, _FAILURES_ATTR, declared + tuple(failure_types) + tuple(narrowed))
        setattr(endpoint, _STATUSES_ATTR, {**getattr(endpoint, _STATUSES_ATTR, {}), **narrowed})
        return endpoint

    return mark


def _result_types(endpoint: Callable[..., Any]) -> tuple[object, tuple[type[Failure], ...]] | None:
    """``(ok_type, failure_types)`` of a ``Result[T, F]`` return annotation, else ``None``."""
    try:
        hints = typing.get_type_hints(endpoint)
    except Exception as exc:
        raw = getattr(endpoint, "__annotations__", {}).get("return")
        if isinstance(raw, str) and "Result[" in raw:
            name = getattr(endpoint, "__qualname__", repr(endpoint))
            raise TypeError(
                f"railguard: cannot resolve the return annotation {raw!r} of {name} ({exc}); "
                "import the names it uses at module level"
            ) from exc
        return None  # other unresolvable annotations: FastAPI reports them
    annotation = hints.get("return")
    if typing.get_origin(annotation) is not Result:
        return None
    ok_type, err_type = typing.get_args(annotation)
    if ok_type is type(None):  # `-> None` as FastAPI reads it: no response model (a 204 may say so)
        ok_type = None
    return ok_type, tuple(_failure_classes(err_type))


def _failure_classes(hint: object) -> Iterable[type[Failure]]:
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        for arg in typing.get_args(hint):
            yield from _failure_classes(arg)
        return
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and issubclass(origin, Failure):
        yield origin


def _settle(result: Any) -> object:  # any value: a Result is checked here
    """``Ok(value)`` → the value; ``Err(failure)`` → its response, encoded when it is sent."""
    # the exact classes first: ``isinstance`` on returns' ABCs is a call (so is ``cast``)
    kind = type(result)
    if kind is not Err and (kind is Success or isinstance(result, Success)):
        return result.unwrap()
    if kind is Err or isinstance(result, Err):
        inner = result.failure()
        if isinstance(inner, Failure):
            return FailureResponse(inner)
        if isinstance(inner, BaseException):
            raise inner
        # a bug in the route: its type (never its value, which may be a secret) in the log
        _log.error(
            "railguard: a route returned Err(%s), not Err(Failure)", type(inner).__qualname__
        )
        return FailureResponse(InternalFailure())
    return result


def _adapt(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap an endpoint annotated ``-> Result[T, F]``: FastAPI sees ``-> T``; ``Err`` answers."""
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


class Route(APIRoute):
    """An ``APIRoute`` whose endpoint may return ``Result[T, F]`` and declare failures.

    ``Ok(value)`` answers as the endpoint's ``T`` would; ``Err(failure)`` answers with
    the installed envelope. The failure types (from the annotation and `fails_with`)
    become the route's documented error responses. Use ``APIRouter(route_class=Route)``;
    `install` sets it on the app's own router.
    """

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        adapted = _adapt(endpoint)
        self.returns_result: bool = adapted is not endpoint
        """Whether the endpoint returns ``Result`` (its failures are answered, not raised)."""
        endpoint = adapted
        failures = _declared(endpoint)
        if failures:
            kwargs["responses"] = mark_responses(
                kwargs.get("responses"), failures, getattr(endpoint, _STATUSES_ATTR, None)
            )
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's request handler; for an endpoint that raises, exceptions answered there.

        An endpoint returning ``Result`` answers its failures without raising: its
        handler stays FastAPI's own, one layer less on every request.
        """
        handler = super().get_route_handler()
        return handler if getattr(self, "returns_result", False) else _answering(handler)


_STACKS: Final = ("fastapi_function_astack", "fastapi_inner_astack")
"""The scope keys of the exit stacks FastAPI runs a request's dependencies with ``yield`` in."""


def _answering(
    handler: Callable[[Request], Coroutine[Any, Any, Response]],
) -> Callable[[Request], Coroutine[Any, Any, Response]]:
    """``handler``, answering an exception the app's railguard handler would answer itself.

    The same answer as the handler gives when Starlette finds it, without the exception
    climbing FastAPI's and Starlette's layers to get there. Only when no dependency with
    ``yield`` was entered (both of FastAPI's exit stacks are empty): such a dependency
    must see the exception, so it then takes FastAPI's usual way. An exception another
    handler is registered for takes that way too.
    """

    async def answering(request: Request) -> Response:
        try:
            return await handler(request)
        except Exception as exc:
            scope = request.scope
            for key in _STACKS:
                # ``_exit_callbacks``: the stack's callbacks (contextlib's own attribute);
                # a stack missing, or not as expected, means FastAPI's usual way
                if getattr(scope.get(key), "_exit_callbacks", True):
                    raise
            handlers = scope.get("starlette.exception_handlers")
            responder = responder_of(scope)
            if handlers is None or not responder.answers(exc, handlers):
                raise
            response = responder.http_response(request, exc)
            exc.__traceback__ = None  # as Starlette does once its handler answered
            return response

    return answering


_RESULT_ROUTE_HINT: Final = (
    "railguard: a route returning returns' Result needs railguard's Route: declare it on an "
    "app after railguard.integrations.fastapi.install(app), or on "
    "APIRouter(route_class=railguard.integrations.fastapi.Route)"
)


def _result_is_no_pydantic_type(cls: type, source: object, handler: object) -> object:
    # a model that allows arbitrary types keeps holding Results as before (an isinstance
    # check); anything else, a FastAPI response model among them, gets railguard's hint
    generator = getattr(handler, "_generate_schema", None)
    config = getattr(generator, "_config_wrapper", None)
    if getattr(config, "arbitrary_types_allowed", False) is True:
        from pydantic_core import core_schema  # noqa: PLC0415  # only on this path

        return core_schema.is_instance_schema(typing.get_origin(source) or source)
    raise TypeError(_RESULT_ROUTE_HINT)


# returns' Result is not a pydantic type: a plain APIRoute meeting one as its response model
# fails when the route is declared, with this message instead of "Invalid args for response
# field!" (whose hint, response_model=None, would make every answer a 500)
if "__get_pydantic_core_schema__" not in vars(Result):
    Result.__get_pydantic_core_schema__ = classmethod(_result_is_no_pydantic_type)  # type: ignore[attr-defined]  # the hook pydantic looks for


# -- install ----------------------------------------------------------------------------


def install(
    app: Starlette,
    style: Style = "agents",
    *,
    type_base: str = DEFAULT_TYPE_BASE,
    validation: Literal["envelope", "fastapi"] = "envelope",
    messages: Messages | None = None,
) -> None:
    """Answer every error of ``app`` with the ``style`` envelope; document it in OpenAPI.

    Call it right after creating the app, before declaring routes (the app's router
    then builds `Route` routes, which may return ``Result``).

    Args:
        app: a FastAPI or Starlette application, not yet started.
        style: ``"agents"`` (default), ``"problem"`` or ``"bridge"``.
        type_base: base of the problem ``type`` URIs (link them to your docs).
        validation: ``"envelope"`` (default) answers a request that fails FastAPI's
            validation with the envelope (400, one ``errors`` item per error);
            ``"fastapi"`` keeps FastAPI's own answer (422, ``{"detail": [...]}``) and
            its OpenAPI entry, for clients that expect it.
        messages: every envelope and frame then carries ``localized_message``, the
            failure's message for end users in the caller's ``Accept-Language``.

    Raises:
        RuntimeError: railguard is already installed on ``app``.
        ValueError: ``style`` is not an envelope style, or ``validation`` is unknown.
        TypeError: ``app`` is not an application (a router takes ``route_class=Route``).
    """
    given: object = app  # checked at run time: a router or a module is a common slip
    if not isinstance(given, Starlette):
        hint = " (an APIRouter takes route_class=Route)" if isinstance(given, APIRouter) else ""
        raise TypeError(
            f"install() takes a FastAPI or Starlette app, not {type(given).__name__}{hint}"
        )
    if not isinstance(app, FastAPI):
        install_handlers(app, style, type_base=type_base, messages=messages)
        return
    if validation not in ("envelope", "fastapi"):
        raise ValueError(f"validation must be 'envelope' or 'fastapi', not {validation!r}")
    install_handlers(app, style, type_base=type_base, framework=FASTAPI_FAILURES, messages=messages)
    if validation == "fastapi":  # FastAPI's own handler, looked up before railguard's root one
        app.add_exception_handler(RequestValidationError, _fastapi_validation)
    _use_route_class(app)
    wrap_openapi(app, style, type_base, envelope_validation=validation == "envelope")


async def _fastapi_validation(request: Request, exc: Exception) -> Response:
    """FastAPI's own answer to a request that fails validation (``validation="fastapi"``)."""
    if not isinstance(exc, RequestValidationError):  # pragma: no cover  # registered for it only
        raise exc
    return await request_validation_exception_handler(request, exc)


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
                route.responses = mark_responses(
                    route.responses, failures, getattr(route.endpoint, _STATUSES_ATTR, None)
                )
