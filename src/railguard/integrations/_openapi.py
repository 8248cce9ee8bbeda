"""OpenAPI for railguard apps: each route's failures as envelope responses with examples.

Routes mark their responses with the failure codes they answer (``x-railguard-failures``,
from ``Result`` annotations and `fails_with`) at every status each class can answer with
(`railguard.integrations._statuses`: one status, several, or the ranges ``4XX``/``5XX``);
`wrap_openapi` adds what railguard itself answers on every operation (validation, routing,
upstream, internal) and expands the markers into the envelope style's media type, schema
reference and one example per code at its exact status, and adds the style's schemas to
the components. Everything about a style is read from its row of `railguard.http.STYLES`,
so a new style needs nothing here.
"""

from __future__ import annotations

import copy
import json
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

import attrs
from fastapi import FastAPI
from fastapi.openapi.utils import (
    validation_error_definition,
    validation_error_response_definition,
)

from railguard.core import (
    Category,
    Details,
    Failure,
    FailureGroup,
    InternalFailure,
    NotFoundFailure,
    UpstreamFailure,
    ValidationFailure,
    lookup,
)
from railguard.http import STYLES, Style, encode

from ._statuses import StatusKey, answer_statuses, check_statuses

__all__ = ["MARKER", "declared_statuses", "default_status", "mark_responses", "wrap_openapi"]

MARKER: Final = "x-railguard-failures"
"""The response member listing the failure codes a route answers with at that status."""


def mark_responses(
    responses: dict[int | str, dict[str, Any]] | None,
    failures: Sequence[type[Failure]],
    statuses: Mapping[type[Failure], Sequence[StatusKey]] | None = None,
) -> dict[int | str, dict[str, Any]]:
    """Mark ``responses`` with each failure's code at every status it can answer with.

    A class's statuses are read from its declaration (`answer_statuses`) unless
    ``statuses`` narrows them (``fails_with(..., statuses=...)``, already checked).
    """
    marked: dict[int | str, dict[str, Any]] = {k: dict(v) for k, v in (responses or {}).items()}
    for cls in failures:
        example = _example(cls)
        code = example.code if example is not None else cls.default_code
        keys = (statuses or {}).get(cls) or answer_statuses(cls, default_status(cls))
        for key in keys:
            _mark(marked, key, code)
    return marked


def _mark(responses: dict[Any, dict[str, Any]], key: StatusKey, code: str) -> None:
    entry = responses.setdefault(key, {})
    codes = list(entry.get(MARKER, []))
    if code not in codes:
        codes.append(code)
    entry[MARKER] = codes
    entry.setdefault("description", _phrase(str(key)))


def default_status(cls: type[Failure]) -> int:
    """The status of ``cls``'s documentation example (its defaults), 500 without one."""
    example = _example(cls)
    return int(example.status) if example is not None else 500


def declared_statuses(
    declared: Mapping[type[Failure], Iterable[object]],
) -> dict[type[Failure], tuple[StatusKey, ...]]:
    """``fails_with``'s ``statuses``, checked against what each class can answer with."""
    return check_statuses(declared, default_status)


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


_REF: Final = "#/components/schemas/"


_METHODS: Final = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
_VALIDATION_REF: Final = "#/components/schemas/HTTPValidationError"


def _document(
    schema: dict[str, Any], style: Style, type_base: str, *, envelope_validation: bool = True
) -> dict[str, Any]:
    """Expand the failure markers of an OpenAPI document into envelope responses.

    With ``envelope_validation`` a request that fails validation answers the envelope's
    400 (FastAPI's documented 422 removed); without it (``install(...,
    validation="fastapi")``) FastAPI's 422 is documented wherever FastAPI answers it.
    Every operation also gets what railguard itself may answer there (`_railguard_answers`).
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            # FastAPI validates exactly the operations with parameters or a body
            validates = bool(operation.get("parameters") or operation.get("requestBody"))
            _railguard_answers(responses, path, validation=validates and envelope_validation)
            if validates and not envelope_validation:  # FastAPI's 422, joined below
                responses.setdefault("422", {"description": "Validation Error"})
            _spread_ranges(responses)
            for status, response in responses.items():
                codes = response.get(MARKER)
                if codes:
                    _expand(
                        response, codes, status=status, path=path, style=style, type_base=type_base
                    )
            if validates and not envelope_validation:
                _fastapi_422(responses, components)
    components.update(STYLES[style].openapi_schemas(_REF))
    if _VALIDATION_REF not in json.dumps(schema):
        components.pop("HTTPValidationError", None)
        if "#/components/schemas/ValidationError" not in json.dumps(schema):
            components.pop("ValidationError", None)
    return schema


def _railguard_answers(responses: dict[str, Any], path: str, *, validation: bool) -> None:
    """What railguard answers on any route, beside the route's own failures.

    With ``validation``, a request failing it (400 ``FAILURE_GROUP``; FastAPI's 422
    removed); on a path with parameters, one that routing cannot match once they are
    filled in (404, a parameter holding ``/``); on a route that declares failures, a
    failure decoded from a peer, sent as our own ``UPSTREAM`` (502); everywhere, an
    unexpected exception (500 ``INTERNAL``).
    """
    declares = any(MARKER in response for response in responses.values())
    if validation:
        content_422 = responses.get("422", {}).get("content", {}).get("application/json", {})
        if content_422.get("schema", {}).get("$ref") == _VALIDATION_REF:
            del responses["422"]
        _mark(responses, "400", FailureGroup.default_code)
    if "{" in path:
        _mark(responses, "404", NotFoundFailure.default_code)
    if declares:
        _mark(responses, "502", UpstreamFailure.default_code)
    _mark(responses, "500", InternalFailure.default_code)


def _spread_ranges(responses: dict[str, Any]) -> None:
    """A range's codes also answer at each error status the operation lists in the range.

    OpenAPI applies the exact entry, not the range, to a status both cover: a failure
    whose status varies (documented at ``5XX``) that answers 503 is read under ``503``.
    """
    for key, ranged in list(responses.items()):
        if key.upper() not in _RANGES or MARKER not in ranged:
            continue
        for other in list(responses):
            if other.isdigit() and other[0] == key[0]:
                for code in ranged[MARKER]:
                    _mark(responses, other, code)


def _fastapi_422(responses: dict[str, Any], components: dict[str, Any]) -> None:
    """FastAPI's own 422 (``validation="fastapi"``), beside a failure documented at 422.

    FastAPI leaves its 422 out of an operation that documents ``4XX``: it is put back,
    or joined (``anyOf``) to the envelope of a failure that answers 422 too.
    """
    fastapi = {"$ref": _VALIDATION_REF}
    entry = responses.setdefault("422", {"description": "Validation Error"})
    content = entry.setdefault("content", {})
    media = content.setdefault("application/json", {"schema": fastapi})
    if media.get("schema") != fastapi:
        media["schema"] = {"anyOf": [media.get("schema", {}), fastapi]}
    components.setdefault("ValidationError", copy.deepcopy(validation_error_definition))
    components.setdefault(
        "HTTPValidationError", copy.deepcopy(validation_error_response_definition)
    )


_RETRY_AFTER: Final = {
    "description": "The server's retry hint: delay-seconds or an HTTP-date (RFC 9110).",
    "schema": {"type": "string"},
}


def _expand(
    response: dict[str, Any],
    codes: Sequence[str],
    *,
    status: str,
    path: str,
    style: Style,
    type_base: str,
) -> None:
    """The envelope content of one response; an example per code that answers exactly here."""
    examples: dict[str, Any] = {}
    for code in dict.fromkeys(codes):
        cls = lookup(code)
        example = _example(cls) if cls is not None else None
        if code == "FAILURE_GROUP" and cls is FailureGroup:
            example = _VALIDATION_EXAMPLE
        if example is None or str(int(example.status)) != status:
            continue  # a range, or a status narrowed away from the class's default
        body = encode(example, style, type_base=type_base, instance=path)
        summary = (cls.__doc__ or code).strip().splitlines()[0] if cls is not None else code
        examples[code] = {"summary": summary, "value": json.loads(body.body)}
    row = STYLES[style]
    content = response.setdefault("content", {})
    content.pop("application/json", None) if row.media_type != "application/json" else None
    schema_name = row.schema_name or "RailguardFailure"
    media: dict[str, Any] = {"schema": {"$ref": _REF + schema_name}}
    if examples:
        media["examples"] = examples
    content[row.media_type] = media
    response.setdefault("headers", {})["Retry-After"] = _RETRY_AFTER
    response["description"] = f"{_phrase(status)}: {', '.join(dict.fromkeys(codes))}"


_VALIDATION_EXAMPLE: Final = FailureGroup(
    failures=(
        ValidationFailure(
            message="Field required",
            details={"loc": ["body", "name"], "type": "missing"},
        ),
    ),
    message="Request validation failed.",
)

_RANGES: Final = {"4XX": "Client Error", "5XX": "Server Error"}


def _phrase(status: str) -> str:
    if status.upper() in _RANGES:
        return _RANGES[status.upper()]
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return "Error"


def wrap_openapi(
    app: FastAPI, style: Style, type_base: str, *, envelope_validation: bool = True
) -> None:
    """Make ``app.openapi()`` document the envelope responses of its failures."""
    original: Callable[[], dict[str, Any]] = app.openapi
    done: dict[int, dict[str, Any]] = {}

    def openapi() -> dict[str, Any]:
        schema = original()
        if id(schema) not in done:
            done.clear()
            done[id(schema)] = _document(
                schema, style, type_base, envelope_validation=envelope_validation
            )
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension point
