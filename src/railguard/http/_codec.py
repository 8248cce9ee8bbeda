"""``encode``, ``decode`` and ``detect_style``: dispatch through the `STYLES` table."""

from __future__ import annotations

import logging
import types
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii
from typing import Final, Literal, NamedTuple, TypeAlias

import attrs

from railguard._catalog import load_catalog
from railguard._wire import MAX_BYTES, Context, WireError, constants, excerpt, read_json, schema_of
from railguard._wire._schema import _schemas  # the cache, read on the hot path
from railguard.core import EMPTY_DETAILS, Failure, MalformedFailure

from . import _agents, _bridge, _kneo, _problem
from ._headers import HeadersLike, read_headers
from ._style import (
    DEFAULT_TYPE_BASE,
    NO_DOCUMENT,
    EnvelopeStyle,
    HttpError,
    Reading,
    parse,
)

__all__ = [
    "CONTENT_TYPES",
    "STYLES",
    "DecodeStyle",
    "Style",
    "decode",
    "detect_style",
    "encode",
]

_log = logging.getLogger("railguard.http")

load_catalog()  # every family and boundary failure is registered before the first decode

Style: TypeAlias = Literal["agents", "problem", "bridge"]
"""The envelope styles a server can answer with."""

DecodeStyle: TypeAlias = Literal["agents", "problem", "bridge", "kneo", "auto"]
"""What ``decode`` reads: an envelope style, the kneo status table, or ``auto`` (detect)."""

STYLES: Final[Mapping[str, EnvelopeStyle]] = types.MappingProxyType(
    {style.name: style for style in (_agents.STYLE, _problem.STYLE, _bridge.STYLE, _kneo.STYLE)}
)
"""Every envelope style by name, in detection order (``auto`` tries each row's ``detect``).

A new style is one module declaring an `EnvelopeStyle` and one row here.
"""

_ROWS: Final = dict(STYLES)
_new_tuple: Final = tuple.__new__

CONTENT_TYPES: Final[Mapping[str, str]] = types.MappingProxyType(
    {name: style.media_type for name, style in STYLES.items() if style.encode is not None}
)
"""The ``Content-Type`` of each style a server can answer with."""


def _style(name: str, *, encoding: bool) -> EnvelopeStyle:
    style = STYLES.get(name)
    if style is None or (encoding and style.encode is None):
        known = [n for n, s in STYLES.items() if s.encode is not None or not encoding]
        verb = "encode" if encoding else "decode"
        raise ValueError(f"cannot {verb} style {name!r}: use one of {known}")
    return style


def encode(
    failure: Failure,
    style: Style = "agents",
    *,
    type_base: str = DEFAULT_TYPE_BASE,
    instance: str | None = None,
) -> HttpError:
    """Encode a failure as an HTTP error response in one of the envelope styles.

    Args:
        failure: any failure; its typed fields, details and cause travel in the body.
        style: ``"agents"`` (default), ``"problem"`` (RFC 9457) or ``"bridge"``.
        type_base: base of the problem ``type`` URI (``type_base + code``).
        instance: the problem ``instance`` (e.g. the request path); problem style only.

    Returns:
        The status, headers (``content-type``; ``retry-after`` when the failure has a
        hint; ``x-request-id`` when it has a ``request_id`` field) and JSON body.

    Raises:
        ValueError: ``style`` is not an envelope style (``kneo`` only decodes).
    """
    cls = type(failure)
    templated = (_schemas.get(cls) or schema_of(cls)).templated
    if templated is not None and failure.cause is None and failure.retry_after is None:
        details = failure.details
        if details is EMPTY_DETAILS or not details:
            # the common case, a failure with only a message (and its code): fill a template
            if not templated:
                key: tuple[object, ...] = (cls, style, type_base, instance is None)
            elif len(templated) == 1:  # the usual redeclared field: ``code``
                key = (cls, style, type_base, instance is None, getattr(failure, templated[0]))
            else:
                key = (cls, style, type_base, instance is None, *_values(failure, templated))
            template = _templates.get(key) or _new_template(
                key, failure, style, type_base, instance
            )
            if template is not None:
                text = failure.message
                if template.pieces is not None:  # no instance: the answer is the message's
                    return template.answers.get(text) or _filled(template, text)
                message = _json_strings.get(text) or _json_string(text)
                body = template.body.format(message, _json_instance(instance))
                # `HttpError(...)` without the named tuple's Python-level ``__new__``
                return _new_tuple(HttpError, (template.status, template.headers, body.encode()))
    encoder = _style(style, encoding=True).encode
    assert encoder is not None  # noqa: S101  # checked by _style
    return encoder(failure, type_base=type_base, instance=instance)


# Templates: the body of a constant-code failure with only a message, split where the
# message (and the problem instance) go. Built by encoding a stand-in through the style's
# encoder, so a filled template is byte for byte what that encoder gives.
_MESSAGE_SLOT: Final = "\x00railguard-message\x00"
_INSTANCE_SLOT: Final = "%00railguard-instance%00"  # a valid URI reference: kept as is


class _Template(NamedTuple):
    status: int
    headers: Mapping[str, str]
    body: str
    """A ``str.format`` string: ``{0}`` is the JSON message, ``{1}`` the JSON instance."""
    pieces: tuple[str, ...] | None
    """Without an instance: the body split where the message goes (joined by it)."""
    answers: dict[str, HttpError]
    """Without an instance: the answer filled for each short message seen (see `_filled`)."""


_templates: dict[tuple[object, ...], _Template] = {}
"""``(class, style, type_base, no instance, *templated field values)`` → its template."""
_MAX_TEMPLATES: Final = 4096


_json_strings: dict[str, str] = {}
"""The JSON string of each short message seen (most messages are constants in the code)."""
_MAX_KEPT: Final = 1024
"""The most JSON strings, and the most filled answers, kept (each)."""
_SHORT: Final = 256
_answers_kept = 0


def _json_string(text: str) -> str:
    """``text`` as a JSON string, kept while the cache has room and the text is short."""
    found = encode_basestring_ascii(text)
    if len(text) <= _SHORT and len(_json_strings) < _MAX_KEPT:
        _json_strings[text] = found
    return found


def _filled(template: _Template, text: str) -> HttpError:
    """The answer of ``template`` (no instance) for the message ``text``; kept for reuse.

    An answer is immutable, so the same one serves every failure with this message;
    kept while ``text`` is short and fewer than `_MAX_KEPT` answers are kept in all.
    """
    global _answers_kept  # noqa: PLW0603  # one count for every template; a race only miscounts
    assert template.pieces is not None  # noqa: S101  # the caller's test
    body = (_json_strings.get(text) or _json_string(text)).join(template.pieces)
    # `HttpError(...)` without the named tuple's Python-level ``__new__``
    answer: HttpError = _new_tuple(HttpError, (template.status, template.headers, body.encode()))
    if len(text) <= _SHORT and _answers_kept < _MAX_KEPT:
        template.answers[text] = answer
        _answers_kept += 1
    return answer


def _values(failure: Failure, fields: tuple[str, ...]) -> list[object]:
    return [getattr(failure, f) for f in fields]


def _json_instance(instance: str | None) -> str:
    return "" if instance is None else encode_basestring_ascii(_problem.uri_reference(instance))


def _new_template(
    key: tuple[object, ...], failure: Failure, style: str, type_base: str, instance: str | None
) -> _Template | None:
    """The template for ``key``, made and kept; ``None`` once the cache is full."""
    if len(_templates) >= _MAX_TEMPLATES:
        return None  # instances vary their codes without bound: the generic path
    template = _templates[key] = _template(failure, style, type_base, instance is not None)
    return template


def _template(failure: Failure, style: str, type_base: str, has_instance: bool) -> _Template:
    """Encode a stand-in through the style's encoder and cut it where the message goes."""
    encoder = _style(style, encoding=True).encode
    assert encoder is not None  # noqa: S101  # checked by _style
    stand_in = attrs.evolve(failure, message=_MESSAGE_SLOT)
    instance = _INSTANCE_SLOT if has_instance else None
    error = encoder(stand_in, type_base=type_base, instance=instance)
    raw = error.body.decode()
    text = raw.replace("{", "{{").replace("}", "}}")
    text = text.replace(encode_basestring_ascii(_MESSAGE_SLOT), "{0}")
    text = text.replace(encode_basestring_ascii(_INSTANCE_SLOT), "{1}")
    pieces = None if has_instance else tuple(raw.split(encode_basestring_ascii(_MESSAGE_SLOT)))
    return _Template(error.status, error.headers, text, pieces, {})


def detect_style(headers: HeadersLike, body: bytes | str) -> DecodeStyle:
    """Which style an error response is in, by content type and shape; ``kneo`` if none.

    Each row of `STYLES` is asked in turn (``application/problem+json`` is ``problem``;
    a JSON object with ``"type": "error"`` is ``bridge``; one with a string ``code`` and
    an ``errors`` list is ``agents``; one with ``type``, ``title`` and ``status`` is
    ``problem``); the kneo table reads anything else.
    """
    try:
        content_type = read_headers(headers).content_type
        return _detect(content_type, _document(body))
    except Exception:  # noqa: BLE001  # detection is total too
        return "kneo"


def _document(body: bytes | str) -> object:
    if not body or body.isspace() or len(body) > MAX_BYTES:
        return NO_DOCUMENT
    try:
        return parse(body)
    except WireError:
        return NO_DOCUMENT


_DETECTION_ORDER: Final[tuple[Style, ...]] = ("bridge", "agents", "problem")
"""The order ``auto`` asks the envelope rows in (the most specific shape first)."""


def _detect(content_type: str, doc: object) -> DecodeStyle:
    if STYLES["problem"].detect(content_type, NO_DOCUMENT):
        return "problem"
    for name in _DETECTION_ORDER:
        if STYLES[name].detect(content_type, doc):
            return name
    return "kneo"


def decode(
    status: int,
    headers: HeadersLike,
    body: bytes | str,
    style: DecodeStyle = "agents",
    *,
    idempotency_key: str | None = None,
    type_base: str = DEFAULT_TYPE_BASE,
) -> Failure:
    """Decode an HTTP error response into a failure. Never raises for any response.

    Args:
        status: the response status.
        headers: the response headers (mapping or ``(name, value)`` pairs).
        body: the response body.
        style: a style of `STYLES`, ``"kneo"`` (the kneo family's status table, for
            servers that send no railguard envelope) or ``"auto"`` (detect the style,
            else the kneo table).
        idempotency_key: the ``Idempotency-Key`` the request was sent with.
        type_base: base of problem ``type`` URIs, to read the code from ``type``.

    Returns:
        The failure the envelope names, with its typed fields, details and cause; an
        `UnknownFailure` (code, message and capped raw body kept) for a code that is
        not in the catalog; a `MalformedFailure` for a body that is not a valid
        envelope (not JSON, wrong types, over the caps of ``railguard.http.MAX_BODY_BYTES``
        and ``MAX_DEPTH``).

    Raises:
        ValueError: ``style`` is not a style at all (a bug in the caller, not the peer).
    """
    row = _ROWS.get(style)
    if row is None and style != "auto":
        _style(style, encoding=False)  # raises: not a style at all
    # the whole decode, inline in the ``try`` (no second frame on the hot path); ``row``
    # is ``None`` for ``auto``: the detected style's
    try:
        if type(status) is not int:
            status = int(status)
        given: object = body
        if type(given) is not bytes and type(given) is not str:
            if isinstance(given, (bytes, bytearray, memoryview)):
                body = bytes(given)
            elif isinstance(given, str):
                body = str(given)
            else:
                raise WireError("body is not bytes")
        wire = read_headers(headers)
        # `context_of`, inline on the hot path, and without the named tuple's ``__new__``
        ctx: Context = _new_tuple(
            Context,
            (
                status,
                wire.retry_after,
                wire.request_id,
                idempotency_key if idempotency_key is not None else wire.idempotency_key,
                body,
            ),
        )
        # the body is parsed once, here, and the document handed to the style's decoder
        if row is None:
            doc = _document(body)
            row = STYLES[_detect(wire.content_type, doc)]
        elif row is _kneo.STYLE:
            doc = _document(body)  # kneo keeps a body it cannot read as text
        elif not body or body.isspace():
            doc = NO_DOCUMENT  # no body: the status says it all
        else:
            doc = read_json(body)  # `parse`: the one bounded reader
        # `Reading(...)` without the named tuple's Python-level ``__new__``
        return row.decode(_new_tuple(Reading, (status, wire, body, doc, ctx, type_base)))
    except WireError as exc:
        return _malformed(body, str(exc))
    except Exception:  # noqa: BLE001  # total: even a bug here answers a failure
        _log.debug("railguard.http.decode: unexpected error", exc_info=True)
        return _malformed(body, "unreadable")


def _malformed(body: object, reason: str) -> Failure:
    try:
        raw = excerpt(body)
    except Exception:  # noqa: BLE001  # a body that cannot even be excerpted
        raw = None
    return MalformedFailure(message=f"The peer sent a malformed error response: {reason}.", raw=raw)


def status_of(failure: Failure) -> int:
    """The status ``encode`` answers ``failure`` with."""
    return constants(failure, schema_of(type(failure))).status
