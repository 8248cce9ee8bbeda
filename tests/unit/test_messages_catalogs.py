"""railguard.messages' gettext catalogs: the shipped German and English, an app's own, the build."""

from __future__ import annotations

import datetime
import gettext
import shutil
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import attrs
import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from railguard import Category, Failure, NotFoundFailure, RateLimitFailure, catalog
from railguard.families import executor, kneo
from railguard.messages import (
    LOCALEDIR,
    N_,
    LocalizedMessage,
    Messages,
    negotiate,
    user_message,
)
from railguard.messages._defaults import BY_CATEGORY, BY_CODE, FALLBACK
from railguard.messages._families import BY_CLASS

# Babel's .po reader parses header dates with datetime.strptime, which imports _strptime
# from C on first use. The typing cases (pytest-mypy-plugins) rebind sys.modules, after
# which that first import fails with KeyError: '_strptime'; so it is made at collection.
datetime.datetime.strptime("2026-12-01", "%Y-%m-%d")

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ROOT / "src" / "railguard" / "messages" / "locale"
LANGUAGES = ("de", "en")
DEFAULTS = {
    default.msgid
    for default in (
        *(entry for entries in BY_CATEGORY.values() for entry in entries),
        *BY_CODE.values(),
        *BY_CLASS.values(),
        FALLBACK,
    )
}


def _po(language: str, root: Path = SOURCES, domain: str = "railguard") -> Catalog:
    """The ``.po`` source of ``language``, read by Babel."""
    with (root / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as source:
        return read_po(source, locale=language)


def _fields(template: str) -> set[str | None]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_sources_cover_every_default(language: str) -> None:
    """Each .po has every default template, nothing else, translated with the same fields."""
    po = _po(language)
    entries = {str(message.id): message.string for message in po if message.id}
    assert set(entries) == DEFAULTS
    for msgid, translation in entries.items():
        assert isinstance(translation, str)
        assert translation.strip(), msgid
        assert _fields(translation) == _fields(msgid), msgid
    assert not [message.id for message in po if message.fuzzy and message.id]


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogs_match_their_sources(language: str) -> None:
    """The .mo railguard reads is the build's compilation of the current .po."""
    mo = LOCALEDIR / language / "LC_MESSAGES" / "railguard.mo"
    assert mo.is_file(), f"{mo} is missing: reinstall (pip install -e '.[dev]') to compile it"
    with mo.open("rb") as compiled:
        translations = gettext.GNUTranslations(compiled)
    stale = [
        message.id
        for message in _po(language)
        if message.id and translations.gettext(str(message.id)) != message.string
    ]
    assert not stale, f"{mo} is older than its .po: reinstall (pip install -e '.[dev]')"


def test_german_and_english_are_available() -> None:
    """The shipped catalogs make English and German negotiable."""
    assert set(Messages().locales) == {"en", "de"}


def test_german_messages_come_from_the_catalog() -> None:
    """Defaults, family wording and filled templates read in German."""
    messages = Messages()
    assert messages.user_message(NotFoundFailure(), "de") == (
        "Das angeforderte Element wurde nicht gefunden."
    )
    assert messages.user_message(kneo.KneoRateLimitedFailure(retry_after=7), "de") == (
        "Zu viele Anfragen. Bitte versuchen Sie es in 7 s erneut."
    )
    failure = executor.ContainerConnectivityFailure(host="box", port=8888)
    assert user_message(failure, "de") == (
        "Die Python-Ausführungsumgebung ist unter box:8888 nicht erreichbar"
    )
    assert user_message(RateLimitFailure(), "de-AT") == (
        "Zu viele Anfragen. Bitte versuchen Sie es später erneut."
    )


@pytest.mark.parametrize("category", list(Category), ids=lambda category: category.name)
def test_every_generic_default_has_a_german_translation(category: Category) -> None:
    """Every category's sentences differ in German from English."""
    failure = _generic(category)
    assert user_message(failure, "de") != user_message(failure, "en")


def _generic(category: Category) -> Failure:
    """The generic failure class of ``category``, from the catalog."""
    for cls in catalog():
        if cls.__module__ == "railguard.core._generic" and cls.default_category is category:
            return cls()
    raise AssertionError(category)


def test_localize_negotiates_from_the_header() -> None:
    """localize() picks German for de-AT and English for an unknown language."""
    messages = Messages()
    assert messages.localize(NotFoundFailure(), "de-AT, en;q=0.8") == LocalizedMessage(
        "de", "Das angeforderte Element wurde nicht gefunden."
    )
    assert messages.localize(NotFoundFailure(), "fr").locale == "en"
    assert messages.localize(NotFoundFailure(), "en;q=0, fr").locale == "en"


def test_unknown_or_hostile_locale_reads_english() -> None:
    """A locale with no catalog, or not a tag at all, gives English (no path built from it)."""
    assert user_message(NotFoundFailure(), "fr") == "The requested item could not be found."
    assert user_message(NotFoundFailure(), "../../de") == "The requested item could not be found."


@pytest.fixture
def payment(isolated_catalog: None) -> type[Failure]:
    """A test application's own failure class, forgotten after the test."""

    @attrs.frozen(kw_only=True)
    class PaymentDeclinedFailure(
        Failure, code="TEST_MESSAGES_PAYMENT_DECLINED", category=Category.CONFLICT, status=402
    ):
        message: str = "card 4242 declined by issuer"
        order_id: str = "B-7"

    return PaymentDeclinedFailure


def _app_catalog(tmp_path: Path, language: str, entries: dict[str, str]) -> Path:
    """Compile an application catalog (domain ``shop``) as its build would, with Babel."""
    po = Catalog(locale=language, domain="shop")
    for msgid, translation in entries.items():
        po.add(msgid, translation)
    target = tmp_path / language / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "shop.mo").open("wb") as compiled:
        write_mo(compiled, po)
    return tmp_path


def test_an_application_catalog_translates_its_own_messages(
    tmp_path: Path, payment: type[Failure]
) -> None:
    """An app's domain translates its overrides; railguard's domain still does the defaults."""
    localedir = _app_catalog(
        tmp_path,
        "de",
        {
            "Your payment for order {order_id} was declined.": "Ihre Zahlung "
            "für die Bestellung {order_id} wurde abgelehnt."
        },
    )
    messages = Messages(
        overrides={payment: N_("Your payment for order {order_id} was declined.")},
        domain="shop",
        localedir=localedir,
    )
    failure = payment()
    assert messages.user_message(failure, "de") == (
        "Ihre Zahlung für die Bestellung B-7 wurde abgelehnt."
    )
    assert messages.user_message(failure) == "Your payment for order B-7 was declined."
    assert messages.user_message(NotFoundFailure(), "de") == (
        "Das angeforderte Element wurde nicht gefunden."
    )


def test_an_application_catalog_adds_locales(tmp_path: Path, payment: type[Failure]) -> None:
    """A language only the app translates is negotiable; railguard's defaults stay English."""
    localedir = _app_catalog(tmp_path, "fr", {"Payment declined.": "Paiement refusé."})
    messages = Messages(
        overrides={payment: "Payment declined."}, domain="shop", localedir=localedir
    )
    assert set(messages.locales) == {"en", "de", "fr"}
    assert messages.localize(payment(), "fr-CA") == LocalizedMessage("fr", "Paiement refusé.")
    assert negotiate("fr", messages.locales) == "fr"


def test_an_application_catalog_may_reword_railguard_defaults(tmp_path: Path) -> None:
    """The app's domain is asked first, so it can replace railguard's German wording."""
    localedir = _app_catalog(
        tmp_path, "de", {"The requested item could not be found.": "Gibt es nicht."}
    )
    messages = Messages(domain="shop", localedir=localedir)
    assert messages.user_message(NotFoundFailure(), "de") == "Gibt es nicht."


def test_a_broken_translation_falls_back_without_raising(
    tmp_path: Path, payment: type[Failure]
) -> None:
    """A translation naming a field the failure lacks gives way to the next template."""
    localedir = _app_catalog(tmp_path, "de", {"Payment declined.": "Abgelehnt: {secret}"})
    messages = Messages(
        overrides={payment: "Payment declined."}, domain="shop", localedir=localedir
    )
    assert messages.user_message(payment(), "de") == (
        "Die Anfrage widerspricht dem aktuellen Zustand. Bitte laden Sie neu und versuchen Sie"
        " es erneut."
    )


@pytest.mark.slow
def test_a_regular_wheel_ships_the_compiled_catalogs(tmp_path: Path) -> None:
    """``pip wheel .`` runs the Babel build hook: the wheel has a .mo beside each .po."""
    source = tmp_path / "src-tree"
    ignored = shutil.ignore_patterns(".venv*", ".git", "*.mo", "site", ".*cache", "__pycache__")
    shutil.copytree(ROOT, source, ignore=ignored)
    built = subprocess.run(  # noqa: S603  # this interpreter's pip
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = tmp_path.glob("railguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for language in LANGUAGES:
        base = f"railguard/messages/locale/{language}/LC_MESSAGES/railguard"
        assert {f"{base}.po", f"{base}.mo"} <= names


def test_docs_table_matches_the_catalogs() -> None:
    """docs/messages.md lists every category's sentences in English and German as shipped."""
    text = (ROOT / "docs" / "messages.md").read_text(encoding="utf-8")
    section = text.split("\n## The generic sentences\n", 1)[1].split("\n## ", 1)[0]
    rows = {
        cells[0].strip("` "): [cell.strip() for cell in cells[1:]]
        for line in section.splitlines()
        if line.startswith("| `")
        for cells in [line.strip("|").split("|")]
    }
    assert list(rows) == [category.name for category in Category]
    german = gettext.translation("railguard", LOCALEDIR, languages=["de"])
    for category in Category:
        msgids = [default.msgid for default in BY_CATEGORY[category]]
        english, deutsch = rows[category.name]
        assert english == " / ".join(msgids)
        assert deutsch == " / ".join(german.gettext(msgid) for msgid in msgids)


def test_the_default_locale_can_be_german() -> None:
    """With default_locale='de', no locale and an unmatched header both read German."""
    messages = Messages(default_locale="de")
    german = "Das angeforderte Element wurde nicht gefunden."
    assert messages.user_message(NotFoundFailure()) == german
    assert messages.localize(NotFoundFailure(), "fr") == LocalizedMessage("de", german)
    assert messages.localize(NotFoundFailure(), "*").locale == "de"
    assert messages.user_message(NotFoundFailure(), "de-DE") == german
