"""What the packs say about their local languages and the default jurisdiction, for the code
that shows, formats and writes local text without naming a country.

Two kinds of lookup, both cheap:

- from the pack files (`packs/*/pack.toml`, read once per process): how a local language is
  written (`[language]`: the font, how a sentence ends, its own digits, the forms of a date)
  and which pack is the default when the deployment names none (`default = true`);
- from the database, cached per process: the local language of a jurisdiction or of a
  province's jurisdiction, so that a list of a hundred prisons shows its local names with no
  query per row. The cache is emptied when a jurisdiction or a province is saved or deleted
  here, and reloaded when it meets one it does not know (one loaded by another process).
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.utils.translation import get_language

PACKS_DIR = Path(__file__).resolve().parent / "packs"
CONVENTIONS = ("font", "full_stop", "digits", "day_long", "day_short", "script")


@dataclass(frozen=True)
class LanguageConventions:
    """How a pack's local language is written where CLDR (Babel) does not say it: the font
    pages and PDFs name for it, the mark that ends a sentence, its own digits (for e-mails;
    empty when it writes 0-9), the CLDR patterns of a long and a short date (empty: CLDR's
    own long and medium forms) and the script its letters are in, as Unicode names them
    ("KHMER": empty when a local text is not checked for it)."""

    code: str
    font: str = ""
    full_stop: str = "."
    digits: str = ""
    day_long: str = ""
    day_short: str = ""
    script: str = ""


@cache
def _pack_documents() -> tuple[dict[str, Any], ...]:
    documents = []
    for path in sorted(PACKS_DIR.glob("*/pack.toml")):
        try:
            documents.append(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue  # the loader reports a broken pack; nothing here depends on it
    return tuple(documents)


@cache
def conventions(language: str | None) -> LanguageConventions | None:
    """The conventions of `language` from the first pack whose local language it is; None
    for a language no pack speaks (English among them)."""
    code = (language or "").split("-")[0].lower()
    for document in _pack_documents():
        if document.get("local_language") != code:
            continue
        table = document.get("language", {})
        table = table if isinstance(table, dict) else {}
        values = {k: table[k] for k in CONVENTIONS if isinstance(table.get(k), str)}
        return LanguageConventions(code=code, **values)
    return None


def written_in(text: str, language: str) -> bool:
    """Whether `text` has letters of the script its pack declares for `language` (every
    text has when the pack declares none), so that a name typed in English into a local
    name is refused rather than shown on pages in the local language."""
    written = conventions(language)
    if not text or written is None or not written.script:
        return True
    prefix = f"{written.script} "
    return any(unicodedata.name(character, "").startswith(prefix) for character in text)


def language_of_pack(code: str) -> str:
    """The local language a shipped pack declares ("" for none or no such pack)."""
    for document in _pack_documents():
        if str(document.get("code", "")).upper() == code.upper() and code:
            return str(document.get("local_language", ""))
    return ""


def local_languages() -> list[str]:
    """The local languages of the shipped packs, each once, in the packs' order."""
    found: list[str] = []
    for document in _pack_documents():
        code = document.get("local_language")
        if isinstance(code, str) and code and code not in found:
            found.append(code)
    return found


def fonts() -> list[tuple[str, str]]:
    """(language, font) for each local language whose pack names a font: the font a page or
    a PDF uses for text in that language (`:lang(...)` rules)."""
    found = []
    for code in local_languages():
        written = conventions(code)
        if written and written.font:
            found.append((code, written.font))
    return found


def default_code() -> str:
    """The jurisdiction used where none is known (a user without an organisation, the demo):
    MOTHERLINE_JURISDICTION when the deployment sets it, else the shipped pack marked
    `default = true`, else none."""
    configured = getattr(settings, "MOTHERLINE_DEFAULT_JURISDICTION", "")
    if configured:
        return str(configured)
    for document in _pack_documents():
        if document.get("default") is True and isinstance(document.get("code"), str):
            return str(document["code"])
    return ""


# The database side: {id: local language} of jurisdictions, provinces and organisations.
_by_jurisdiction: dict[int, str] = {}
_by_province: dict[int, str] = {}
_by_organisation: dict[int, str] = {}


def clear(**_kwargs: Any) -> None:
    """Forget the cached languages (connected to the saves and deletions that change them)."""
    _by_jurisdiction.clear()
    _by_province.clear()
    _by_organisation.clear()


def _language_by_id(cache: dict[int, str], model: str, language: str, pk: int | None) -> str:
    """The local language of record `pk` of `model` ("app.Model"), by the path `language`
    to it, from `cache`: read again whole, one query, when it does not know `pk`."""
    if pk is None:
        return ""
    if pk not in cache:
        cache.clear()
        cache.update(apps.get_model(model).objects.values_list("id", language))
    return cache.get(pk, "")


def language_of_jurisdiction(jurisdiction_id: int | None) -> str:
    """The local language of a jurisdiction, by its id ("" for none)."""
    return _language_by_id(
        _by_jurisdiction, "jurisdictions.Jurisdiction", "local_language", jurisdiction_id
    )


def language_of_province(province_id: int | None) -> str:
    """The local language of the jurisdiction a province belongs to, by the province's id."""
    return _language_by_id(
        _by_province, "places.Province", "jurisdiction__local_language", province_id
    )


def language_of_organisation(organisation_id: int | None) -> str:
    """The local language of an organisation's jurisdiction, by the organisation's id."""
    return _language_by_id(
        _by_organisation, "accounts.Organisation", "jurisdiction__local_language", organisation_id
    )


def jurisdiction_of(organisation_id: int | None) -> str:
    """The code of the jurisdiction whose places and rules the users of an organisation work
    with, by the organisation's id; the default one without (the command line, a deployment
    administrator)."""
    code = None
    if organisation_id is not None:
        code = (
            apps.get_model("accounts", "Organisation")
            .objects.filter(pk=organisation_id)
            .values_list("jurisdiction__code", flat=True)
            .first()
        )
    return str(code or default_code())


def active_language() -> str:
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def shows_local(language: str | Callable[[], str]) -> bool:
    """Whether a text in `language` (or in the language a callable names, asked only when
    it matters) is the one to show now: the page is in that language. A page in the
    default language (English) never is, and never looks a language up."""
    active = active_language()
    if active == settings.LANGUAGE_CODE.split("-")[0].lower():
        return False
    wanted = language() if callable(language) else language
    return bool(wanted) and wanted.split("-")[0].lower() == active


def language_name(code: str) -> str:
    """A language's name in that language ("ខ្មែរ", "Kiswahili", "ไทย"), for a language
    switch or a button that files a document in it; the code itself if CLDR does not know
    it."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return code
    return name or code


def language_label(code: str) -> str:
    """A language named in the language of the page ("Khmer" on an English page, "ខ្មែរ" on
    a Khmer one), for a label or a sentence."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(active_language()).languages
    except (UnknownLocaleError, ValueError):
        return language_name(code)
    return names.get(code.split("-")[0]) or language_name(code)
