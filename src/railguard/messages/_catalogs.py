"""gettext catalogs: railguard's own (``railguard`` domain, shipped in the package) and an app's.

A message is looked up in the application's domain first (when it names one), then in
railguard's; the first catalog that translates it wins, else the message stays as written
(English). Translations are cached per locale, with a bound.
"""

from __future__ import annotations

import gettext
import os
import threading
from pathlib import Path

from ._negotiate import valid_tag

__all__ = ["DOMAIN", "LOCALEDIR", "N_", "Catalogs"]

DOMAIN = "railguard"
"""railguard's gettext domain."""
LOCALEDIR = Path(__file__).resolve().parent / "locale"
"""Where railguard's compiled catalogs (``<lang>/LC_MESSAGES/railguard.mo``) ship."""

_MAX_CACHED = 64


def N_(message: str) -> str:  # noqa: N802  # gettext's conventional no-op marker
    """Mark ``message`` for extraction (``pybabel extract`` finds ``N_``); return it unchanged.

    >>> N_("Your payment was declined.")
    'Your payment was declined.'
    """
    return message


def _gettext_name(tag: str) -> str:
    """A BCP 47 tag as gettext names its directories: ``pt-BR`` -> ``pt_BR``."""
    language, _, region = tag.replace("-", "_").partition("_")
    return f"{language.lower()}_{region.upper()}" if region else language.lower()


def _bcp47(name: str) -> str:
    """A gettext directory name as a BCP 47 tag: ``pt_BR`` -> ``pt-BR``."""
    return name.replace("_", "-")


def _locales(domain: str, localedir: Path) -> list[str]:
    """The locales that have a compiled catalog of ``domain`` under ``localedir``."""
    try:
        entries = sorted(os.listdir(localedir))
    except OSError:
        return []
    return [
        _bcp47(name)
        for name in entries
        if valid_tag(name) and (localedir / name / "LC_MESSAGES" / f"{domain}.mo").is_file()
    ]


class Catalogs:
    """Translations of railguard's domain and, optionally, an application's domain."""

    def __init__(self, domain: str = DOMAIN, localedir: str | os.PathLike[str] | None = None):
        own = domain == DOMAIN and localedir is None
        self._sources: list[tuple[str, Path | None]] = (
            [] if own else [(domain, None if localedir is None else Path(localedir))]
        )
        self._sources.append((DOMAIN, LOCALEDIR))
        self._cache: dict[str, list[gettext.NullTranslations]] = {}
        self._lock = threading.Lock()
        self._available: tuple[str, ...] | None = None

    def available(self) -> tuple[str, ...]:
        """Locales with a compiled catalog in any source (scanned once)."""
        if self._available is None:
            found: dict[str, None] = {}
            for domain, localedir in self._sources:
                if localedir is not None:
                    found.update(dict.fromkeys(_locales(domain, localedir)))
            self._available = tuple(found)
        return self._available

    def _translations(self, locale: str) -> list[gettext.NullTranslations]:
        key = _gettext_name(locale)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        chain = [
            gettext.translation(domain, localedir, languages=[key], fallback=True)
            for domain, localedir in self._sources
        ]
        with self._lock:
            if len(self._cache) >= _MAX_CACHED:
                self._cache.clear()
            self._cache[key] = chain
        return chain

    def gettext(self, message: str, locale: str) -> str:
        """``message`` translated into ``locale`` by the first catalog that has it.

        A ``locale`` that is not a language tag finds no catalog (no path is built from it).
        """
        if not valid_tag(locale):
            return message
        for translations in self._translations(locale):
            translated = translations.gettext(message)
            if translated != message:
                return translated
        return message
