"""What the CLI knows about one failure class, read through public APIs only."""

from __future__ import annotations

import difflib
import enum
import importlib
import json
import re
import types
import typing
from collections.abc import Iterable
from typing import Any, Final

import attrs

from railguard import Failure, ValidationFailure, catalog, lookup
from railguard.http import encode
from railguard.websocket import close_code, close_reason, encode_frame

__all__ = [
    "HTTP_STYLES",
    "Description",
    "FieldInfo",
    "describe",
    "find",
    "public_path",
    "sample",
    "suggestions",
]

HTTP_STYLES: Final = ("agents", "problem", "bridge")
"""The envelope styles `railguard.http.encode` writes (kneo and auto only decode)."""

_TYPING_PREFIX: Final = re.compile(r"\b(?:typing|builtins|collections\.abc|http)\.")


@attrs.frozen
class FieldInfo:
    """One attrs field of a failure class: its name, type and default."""

    name: str
    type: str
    default: str | None
    """``repr`` of the default; ``None`` when the field is required."""


@attrs.frozen
class Description:
    """Everything ``railguard explain`` prints about one failure class."""

    code: str
    failure: str
    exception: str
    family: str
    summary: str
    fields: tuple[FieldInfo, ...]
    status: int
    status_name: str
    category: str
    recovery: str
    retryable: bool
    fatal: bool
    user_message: str | None
    http: dict[str, tuple[int, dict[str, str], str]]
    frame: str
    close: tuple[int, str]
    raised: str

    def as_json(self) -> dict[str, Any]:
        """The description as JSON-ready data (``--format json``)."""
        data = attrs.asdict(self, recurse=True)
        data["fields"] = [attrs.asdict(field) for field in self.fields]
        data["http"] = {
            style: {"status": status, "headers": headers, "body": _json_or_text(body)}
            for style, (status, headers, body) in self.http.items()
        }
        data["frame"] = _json_or_text(self.frame)
        data["close"] = {"code": self.close[0], "reason": self.close[1]}
        return data


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def public_path(cls: type) -> str:
    """The shortest importable dotted path of a class: ``railguard.NotFoundFailure``.

    Walks up from the defining module (``railguard.core._generic``) and returns the
    first public package that exports the very same object under its name.
    """
    parts = cls.__module__.split(".")
    candidates = [".".join(parts[:end]) for end in range(1, len(parts) + 1)]
    for module_name in candidates:
        if any(part.startswith("_") for part in module_name.split(".")):
            continue
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        if getattr(module, cls.__qualname__, None) is cls:
            return f"{module_name}.{cls.__qualname__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def family_of(cls: type) -> str:
    """``agents`` for ``railguard.families.agents``; ``generic`` for core; else the module."""
    path = public_path(cls).rsplit(".", 1)[0]
    if path.startswith("railguard.families."):
        return path.split(".")[2]
    if path == "railguard":
        return "generic"
    if path.startswith("railguard."):
        return path.split(".")[1]
    return path


def _type_text(hint: object) -> str:  # noqa: PLR0911  # one return per kind of type
    """A type as a reader writes it: ``tuple[Failure, ...]``, ``float | None``."""
    if isinstance(hint, str):
        return _TYPING_PREFIX.sub("", hint)
    if isinstance(hint, typing.TypeVar):
        return _type_text(hint.__bound__) if hint.__bound__ is not None else hint.__name__
    if hint is type(None) or hint is None:
        return "None"
    if hint is Ellipsis:
        return "..."
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_text(arg) for arg in args)
    if origin is not None:
        name = getattr(origin, "__name__", None) or _TYPING_PREFIX.sub("", repr(origin))
        return f"{name}[{', '.join(_type_text(arg) for arg in args)}]" if args else name
    if isinstance(hint, type):
        return hint.__name__
    return _TYPING_PREFIX.sub("", repr(hint))


def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except Exception:  # noqa: BLE001  # unresolvable forward references: show the raw text
        return {}


def _default_text(default: object) -> str:
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]  # a class at runtime
        name = getattr(getattr(default, "factory", None), "__name__", "")
        return "computed from the other fields" if name == "<lambda>" else f"{name}()"
    if isinstance(default, enum.Enum):
        return f"{type(default).__name__}.{default.name}"
    return repr(default)


def fields_of(cls: type[Failure]) -> tuple[FieldInfo, ...]:
    """The class's attrs fields with their annotations as written and their defaults."""
    hints = _hints(cls)
    infos = []
    for attribute in attrs.fields(cls):
        # the annotation as written (``JSONValue | None``), else the resolved hint
        hint = attribute.type if isinstance(attribute.type, str) else hints.get(attribute.name)
        default = None if attribute.default is attrs.NOTHING else _default_text(attribute.default)
        infos.append(FieldInfo(attribute.name, _type_text(hint), default))
    return tuple(infos)


def _placeholder(name: str, hint: object) -> object:
    """A value of the field's type for a sample instance."""
    args = typing.get_args(hint)
    if type(None) in args:
        return None
    origin = typing.get_origin(hint) or hint
    if origin is tuple and args and _is_failure_type(args[0]):
        return (ValidationFailure(message=f"<{name}>"),)  # a group needs a member
    simple: dict[object, object] = {
        str: f"<{name}>",
        int: 0,
        float: 0.0,
        bool: False,
        tuple: (),
        list: [],
        dict: {},
    }
    for kind, value in simple.items():
        if origin is kind:
            return value
    return None


def _is_failure_type(hint: object) -> bool:
    bound = hint.__bound__ if isinstance(hint, typing.TypeVar) else hint
    return isinstance(bound, type) and issubclass(bound, Failure)


def sample(cls: type[Failure]) -> Failure:
    """An instance with the class's defaults, required fields set to ``<name>`` placeholders.

    Raises:
        TypeError: the class cannot be built from placeholders.
    """
    hints = _hints(cls)
    kwargs: dict[str, Any] = {
        attribute.name: _placeholder(attribute.name, hints.get(attribute.name, attribute.type))
        for attribute in attrs.fields(cls)
        if attribute.default is attrs.NOTHING
    }
    try:
        return cls(**kwargs)
    except Exception as exc:
        raise TypeError(f"cannot build a sample {cls.__qualname__}: {exc}") from exc


def _summary(cls: type) -> str:
    doc = (cls.__doc__ or "").strip()
    if not doc or doc.startswith(f"{cls.__name__}("):  # attrs' generated signature
        return ""
    return " ".join(doc.split("\n\n", 1)[0].split()).replace("``", "`")


def describe(cls: type[Failure]) -> Description:
    """Describe a failure class: defaults, fields and every wire form of a sample."""
    failure = sample(cls)
    exception = failure.to_exception()
    user_message = getattr(failure, "user_message", None)
    http = {}
    for style in HTTP_STYLES:
        error = encode(failure, style)
        http[style] = (int(error.status), dict(error.headers), error.body.decode("utf-8"))
    return Description(
        code=failure.code,
        failure=public_path(cls),
        exception=public_path(type(exception)),
        family=family_of(cls),
        summary=_summary(cls),
        fields=fields_of(cls),
        status=int(failure.status),
        status_name=failure.status.name,
        category=failure.category.value,
        recovery=failure.recovery.value,
        retryable=failure.retry.retryable,
        fatal=failure.fatal,
        user_message=user_message if isinstance(user_message, str) else None,
        http=http,
        frame=encode_frame(failure),
        close=(close_code(failure), close_reason(failure)),
        raised=f"{public_path(type(exception))}({_exception_args(exception)})",
    )


def _exception_args(exc: BaseException) -> str:
    return ", ".join(repr(arg) for arg in exc.args)


def codes() -> list[str]:
    """Every registered code, in catalog order."""
    return [cls.default_code for cls in catalog()]


def find(code: str) -> type[Failure] | None:
    """The class registered under ``code``, matched exactly, then case-insensitively."""
    exact = lookup(code)
    if exact is not None:
        return exact
    folded = code.strip().upper().replace("-", "_")
    for cls in catalog():
        if cls.default_code.upper() == folded:
            return cls
    return None


def suggestions(code: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Close matches for a mistyped code (difflib), compared case-insensitively."""
    by_upper = {name.upper(): name for name in known}
    matches = difflib.get_close_matches(code.upper(), list(by_upper), n=limit, cutoff=0.6)
    return [by_upper[match] for match in matches]
