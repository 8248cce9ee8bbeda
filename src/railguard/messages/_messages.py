"""`Messages`: a failure's message for end users, per application, in the caller's language."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator, Mapping
from typing import cast

from railguard.core import Failure

from ._catalogs import DOMAIN, Catalogs
from ._defaults import BY_CATEGORY, BY_CODE, FALLBACK, Default
from ._families import BY_CLASS
from ._localized import LocalizedMessage
from ._negotiate import negotiate, valid_tag
from ._template import check, fields_of, render

__all__ = ["Messages", "user_message"]


class Messages:
    """Chooses, translates and fills the message an end user sees for a failure.

    A failure's user message is never its internal ``message``: it is the first
    template that renders among, in order, the application's override for the
    failure's code, the override for its class (nearest in the MRO), the family's
    documented wording for its class, the generic sentence for its code, then
    for its category. A template is filled only from the failure's declared scalar
    fields (see `railguard.messages`); one that names a field the failure lacks
    (or holds ``None``) is skipped, so answering never raises.

    Templates are gettext message ids: each is translated by the application's
    catalog (``domain``/``localedir``) when it names one, else by railguard's own.

    Args:
        overrides: templates keyed by failure class (covers its subclasses) or by code.
        domain: the application's gettext domain (``"railguard"``: railguard's only).
        localedir: where ``domain``'s compiled catalogs are
            (``<localedir>/<lang>/LC_MESSAGES/<domain>.mo``); ``None`` with the
            default domain means railguard's shipped catalogs, with another domain
            gettext's default directory.
        default_locale: the locale of a message when the caller names none or none matches.

    Raises:
        railguard.messages.TemplateError: an override is malformed, or names a field
            its class does not declare.
        ValueError: ``default_locale`` is not a language tag.

    >>> from railguard import NotFoundFailure
    >>> messages = Messages(overrides={NotFoundFailure: "No such order."})
    >>> messages.user_message(NotFoundFailure(message="order 17 missing from db-3"))
    'No such order.'
    """

    def __init__(
        self,
        *,
        overrides: Mapping[type[Failure] | str, str] | None = None,
        domain: str = DOMAIN,
        localedir: str | os.PathLike[str] | None = None,
        default_locale: str = "en",
    ) -> None:
        if not valid_tag(default_locale):
            raise ValueError(f"default_locale={default_locale!r} is not a language tag")
        self._by_code: dict[str, Default] = {}
        self._by_class: dict[type[Failure], Default] = {}
        for key, template in (overrides or {}).items():
            given = cast("object", key)  # checked at run time, whatever the annotation says
            if isinstance(given, str):
                check(template)
                self._by_code[given] = Default(template)
            elif isinstance(given, type) and issubclass(given, Failure):
                check(template, given)
                self._by_class[given] = Default(template)
            else:
                raise TypeError(f"an override is keyed by a Failure class or a code, not {key!r}")
        self._catalogs = Catalogs(domain, localedir)
        self._default_locale = default_locale

    @property
    def default_locale(self) -> str:
        """The locale of a message when the caller names none or none matches."""
        return self._default_locale

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales there are messages in: the default, then every catalog's."""
        found = dict.fromkeys([self._default_locale, *self._catalogs.available()])
        return tuple(found)

    def _candidates(self, failure: Failure) -> Iterator[Default]:
        """Templates for ``failure``, most specific first."""
        code = failure.code
        if code in self._by_code:
            yield self._by_code[code]
        mro = type(failure).__mro__
        for table in (self._by_class, BY_CLASS):
            for cls in mro:
                if cls in table:
                    yield table[cls]
                    break
        if code in BY_CODE:
            yield BY_CODE[code]
        yield from BY_CATEGORY[failure.category]

    def user_message(self, failure: Failure, locale: str | None = None) -> str:
        """The message an end user sees for ``failure``, in ``locale`` (default: the default).

        Never raises and never shows the failure's internal ``message``, details,
        cause or exception, unless a template names one of those fields explicitly.
        """
        language = locale or self._default_locale
        values = fields_of(failure)
        for candidate in self._candidates(failure):
            text = self._render(candidate, failure, values, language)
            if text is not None:
                return text
        return self._catalogs.gettext(FALLBACK.msgid, language)

    def _render(
        self, candidate: Default, failure: Failure, values: dict[str, object], language: str
    ) -> str | None:
        if candidate.values is not None:
            try:
                values = {**values, **candidate.values(failure)}
            except (ArithmeticError, TypeError, ValueError):
                return None
        return render(self._catalogs.gettext(candidate.msgid, language), values)

    def localize(self, failure: Failure, accept_language: str | None) -> LocalizedMessage:
        """The user message in the locale an ``Accept-Language`` header prefers.

        The locale is negotiated among `locales` (see `negotiate`); a missing or
        malformed header gives `default_locale`.
        """
        locale = negotiate(accept_language, self.locales, default=self._default_locale)
        return LocalizedMessage(locale, self.user_message(failure, locale))


@functools.cache
def _default_messages() -> Messages:
    return Messages()


def user_message(failure: Failure, locale: str | None = None) -> str:
    """``Messages().user_message(failure, locale)``: railguard's defaults and catalogs.

    >>> from railguard.families.kneo import KneoRateLimitedFailure
    >>> user_message(KneoRateLimitedFailure(retry_after=2.5))
    'Too many requests. Please try again in 2s.'
    """
    return _default_messages().user_message(failure, locale)
