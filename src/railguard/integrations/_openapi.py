"""OpenAPI for railguard apps: each route's failures as envelope responses with examples.

Routes mark their responses with the failure codes they answer (``x-railguard-failures``,
from ``Result`` annotations and `fails_with`); `wrap_openapi` expands the markers into
the envelope style's media type, schema reference and one example per code, and adds
the style's schemas to the components. Everything about a style is read from its row of
`railguard.http.STYLES`, so a new style needs nothing here.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any, Final

import attrs
from fastapi import FastAPI

from railguard.core import Category, Details, Failure, FailureGroup, ValidationFailure, lookup
from railguard.http import STYLES, Style, encode

__all__ = ["MARKER", "mark_responses", "wrap_openapi"]

MARKER: Final = "x-railguard-failures"
"""The response member listing the failure codes a route answers with at that status."""


def mark_responses(
    responses: dict[int | str, dict[str, Any]] | None, failures: Sequence[type[Failure]]
) -> dict[int | str, dict[str, Any]]:
    marked: dict[int | str, dict[str, Any]] = {k: dict(v) for k, v in (responses or {}).items()}
    for cls in failures:
        example = _example(cls)
        status = int(example.status) if example is not None else 500
        entry = marked.setdefault(status, {})
        codes = list(entry.get(MARKER, []))
        code = example.code if example is not None else cls.default_code
        if code not in codes:
            codes.append(code)
        entry[MARKER] = codes
        entry.setdefault("description", HTTPStatus(status).phrase)
    return marked


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

    With ``envelope_validation`` FastAPI's documented 422 becomes the envelope's 400;
    without it (``install(..., validation="fastapi")``) FastAPI's 422 stays as it is.
    """
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    used = False
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            fastapi_422 = responses.get("422", {})
            content_422 = fastapi_422.get("content", {}).get("application/json", {})
            if envelope_validation and content_422.get("schema", {}).get("$ref") == _VALIDATION_REF:
                # validation errors answer 400 with the envelope (agents document)
                del responses["422"]
                entry = responses.setdefault("400", {"description": "Bad Request"})
                entry[MARKER] = [*entry.get(MARKER, []), "FAILURE_GROUP"]
            for status, response in responses.items():
                codes = response.get(MARKER)
                if codes:
                    _expand(
                        response, codes, status=status, path=path, style=style, type_base=type_base
                    )
                    used = True
    if used:
        components.update(STYLES[style].openapi_schemas(_REF))
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
    examples: dict[str, Any] = {}
    for code in dict.fromkeys(codes):
        cls = lookup(code)
        example = _example(cls) if cls is not None else None
        if code == "FAILURE_GROUP" and cls is FailureGroup:
            example = FailureGroup(
                failures=(
                    ValidationFailure(
                        message="Field required",
                        details={"loc": ["body", "name"], "type": "missing"},
                    ),
                ),
                message="Request validation failed.",
            )
        if example is None:
            continue
        body = encode(example, style, type_base=type_base, instance=path)
        summary = (cls.__doc__ or code).strip().splitlines()[0] if cls is not None else code
        examples[code] = {"summary": summary, "value": json.loads(body.body)}
    row = STYLES[style]
    content = response.setdefault("content", {})
    content.pop("application/json", None) if row.media_type != "application/json" else None
    schema_name = row.schema_name or "RailguardFailure"
    content[row.media_type] = {"schema": {"$ref": _REF + schema_name}, "examples": examples}
    response["description"] = f"{_phrase(status)}: {', '.join(dict.fromkeys(codes))}"


def _phrase(status: str) -> str:
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
