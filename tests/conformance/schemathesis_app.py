"""The app the schemathesis conformance suite fuzzes: every declared failure, in one style.

`build(style)` is a FastAPI app with railguard installed in ``style``. Each failure
module of the catalog (core's generic failures, split into client and server ones, every
family, the WebSocket and retry failures) gets one route, ``GET /failures/{module}/{code}``,
that answers the failure of ``code``: returned as ``Err`` (its ``Result`` annotation
declares every class of the module) or raised (``?raised=true``). Query parameters vary
the instance: ``status`` (for a class whose status varies per instance), ``category``
(the executor family's), ``message``, ``retry_after``, ``cause``, ``grouped`` (inside a
`FailureGroup`) and ``relayed`` (decoded from a peer first, so answered as ``UPSTREAM``).
Beside them: a narrowed ``fails_with(statuses=...)`` route, a model route (validation),
and a route that crashes (500). `SERVER_ERRORS` names the operations that answer 5xx
by design; on every other one a 5xx is a bug.
"""

import enum
import typing
from http import HTTPStatus
from typing import Annotated, Any, Literal

import attrs
from fastapi import FastAPI, Path, Query
from pydantic import BaseModel, Field

from railguard import (
    Category,
    Err,
    Failure,
    FailureGroup,
    NotFoundFailure,
    Ok,
    Result,
    ValidationFailure,
    catalog,
)
from railguard.core import from_peer
from railguard.families.kneo import KneoServerFailure
from railguard.http import Style, decode, encode
from railguard.integrations.fastapi import fails_with, install

ERROR_STATUSES: tuple[int, ...] = tuple(int(s) for s in HTTPStatus if 400 <= s <= 599)
"""Every error status an instance may be given (``?status=``)."""


class Item(BaseModel):
    """What the model routes answer with."""

    id: int
    name: Annotated[str, Field(min_length=1, max_length=40)]


ExecutorCategory = Literal["infrastructure", "code_related", "workflow", "configuration"]


def _module_key(cls: type[Failure]) -> str:
    module = cls.__module__
    if module.startswith("railguard.core."):
        return "core-server" if cls().status >= 500 else "core-client"
    parts = module.split(".")  # railguard.families.kneo, railguard.websocket._close
    return parts[2] if parts[1] == "families" else parts[1]


def modules() -> dict[str, tuple[type[Failure], ...]]:
    """Every failure class of the catalog (the group aside: see ``grouped``), by module."""
    found: dict[str, list[type[Failure]]] = {}
    for cls in catalog():
        if cls is not FailureGroup:
            found.setdefault(_module_key(cls), []).append(cls)
    return {key: tuple(classes) for key, classes in found.items()}


_PLACEHOLDERS: dict[object, object] = {int: 3, str: "x", float: 1.5}


def _required(cls: type[Failure]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.init and field.default is attrs.NOTHING:
            hint = hints.get(field.name, str)
            kwargs[field.alias] = () if typing.get_origin(hint) is tuple else _PLACEHOLDERS[hint]
    return kwargs


@attrs.frozen
class Variation:
    """How the request asks the failure to be built and sent."""

    status: int | None = None
    category: str | None = None
    message: str | None = None
    retry_after: float | None = None
    cause: bool = False
    grouped: bool = False
    relayed: bool = False


def instance(cls: type[Failure], how: Variation, style: Style) -> Failure:
    """An instance of ``cls`` built as ``how`` asks."""
    kwargs = _required(cls)
    fields = attrs.fields_dict(cls)
    if how.status is not None:
        if "status" in fields:  # an HTTPStatus: 499 and the like are not one
            known = how.status in ERROR_STATUSES
            kwargs["status"] = HTTPStatus(how.status if known else 500)
        elif "response_status" in fields:  # kneo keeps any integer the peer sent
            kwargs["response_status"] = how.status
    if how.category is not None and "category" in fields and "status" not in fields:
        kwargs["category"] = Category(how.category)
    if how.message is not None:
        kwargs["message"] = how.message
    if how.retry_after is not None:
        kwargs["retry_after"] = how.retry_after
    if how.cause:
        kwargs["cause"] = ValidationFailure(message="the cause")
    failure: Failure = cls(**kwargs)
    if how.grouped:
        failure = FailureGroup(failures=(failure, ValidationFailure(message="and another")))
    if how.relayed:  # what an httpx client of a peer in this style would hand the route
        failure = from_peer(decode(*encode(failure, style), style))
    return failure


def _family_route(app: FastAPI, style: Style, key: str, classes: tuple[type[Failure], ...]) -> None:
    names = {c.default_code: c.default_code for c in classes}
    codes = enum.StrEnum(f"{key.title().replace('-', '')}Code", names)  # type: ignore[misc]
    by_code = {c.default_code: c for c in classes}
    declared = typing.Union[(*classes, FailureGroup)]  # type: ignore[valid-type]  # built at run time

    def answer(
        code: str,  # the codes' enum (below): a member is its code
        *,
        raised: bool = False,
        status: Annotated[int | None, Query(ge=400, le=599)] = None,
        category: ExecutorCategory | None = None,
        message: Annotated[str | None, Query(max_length=200)] = None,
        retry_after: Annotated[float | None, Query(ge=0, le=86_400)] = None,
        cause: bool = False,
        grouped: bool = False,
        relayed: bool = False,
    ) -> Result[Item, Failure]:
        cls = by_code[code]
        how = Variation(status, category, message, retry_after, cause, grouped, relayed)
        failure = instance(cls, how, style)
        if raised:
            raise failure.to_exception()
        return Err(failure)

    returns = Result[Item, declared]
    answer.__annotations__ = {**answer.__annotations__, "code": codes, "return": returns}
    answer.__name__ = answer.__qualname__ = f"answer_{key.replace('-', '_')}"
    app.get(f"/failures/{key}/{{code}}")(answer)


def build(style: Style, validation: Literal["envelope", "fastapi"] = "envelope") -> FastAPI:
    """The conformance app in ``style``, validation errors answered as ``validation`` says."""
    app = FastAPI(title=f"railguard conformance ({style}, {validation})", version="1")
    install(app, style, validation=validation)
    for key, classes in modules().items():
        _family_route(app, style, key, classes)

    @app.get("/upstream/{status}")
    @fails_with(statuses={KneoServerFailure: [502, 503, 504]})
    def upstream(status: Literal[502, 503, 504]) -> Item:
        raise KneoServerFailure(response_status=status).to_exception()

    @app.post("/items")
    def create_item(item: Item) -> Result[Item, ValidationFailure]:
        if item.name.strip() == "":
            return Err(ValidationFailure(message="A name is required."))
        return Ok(item)

    @app.get("/items/{item_id}")
    def get_item(item_id: Annotated[int, Path(ge=0)]) -> Item:
        return Item(id=item_id, name="an item")

    @app.get("/items/by-name/{name}")
    def find_item(name: str) -> Result[Item, NotFoundFailure]:
        # the problem style's instance is this path, percent-encoded, whatever the name holds
        return Err(NotFoundFailure(message=f"No item is named {name}."))

    @app.get("/crash")
    def crash() -> Item:
        raise RuntimeError("password=hunter2")

    return app


SERVER_ERROR_FREE: frozenset[str] = frozenset(
    {"/items", "/items/{item_id}", "/items/by-name/{name}"}
)
"""The operations that never answer 5xx: ``not_a_server_error`` runs on them."""

CRASHING: frozenset[str] = frozenset({"/crash"})
"""The operations that raise an unexpected exception by design."""
