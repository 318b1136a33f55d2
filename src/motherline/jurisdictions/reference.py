"""What the register's entry forms accept, per jurisdiction: the earliest date a record may
carry, and the reference lists of ethnicity and language (a pack's `register.toml`), and the
ISO 3166 countries for nationality (pycountry, with their names in the page's language from
CLDR via babel).

A pack without `register.toml` gets the project's floor (`bounds.DATE_FLOOR`) and empty
lists (free text stays possible where a list is empty).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

from motherline.bounds import DATE_FLOOR

PACKS_DIR = Path(__file__).resolve().parent / "packs"
REGISTER_FILE = "register.toml"


@dataclass(frozen=True)
class Entry:
    code: str
    en: str
    local: str
    language: str = ""  # the language `local` is written in: the pack's local language

    def label(self, language: str | None = None) -> str:
        """The local label on a page in the pack's local language, else the English one."""
        language = (language or get_language() or "en").split("-")[0]
        return self.local if self.local and language == self.language else self.en


@dataclass(frozen=True)
class RegisterLists:
    earliest_date: date = DATE_FLOOR
    ethnicities: tuple[Entry, ...] = field(default_factory=tuple)
    languages: tuple[Entry, ...] = field(default_factory=tuple)
    sources: tuple[tuple[str, str], ...] = field(default_factory=tuple)


class RegisterFileError(ValueError):
    """A pack's register.toml that cannot be used, with the file and the key."""


def _entries(path: Path, table: object, name: str, local: str) -> tuple[Entry, ...]:
    if table is None:
        return ()
    if not isinstance(table, dict):
        raise RegisterFileError(f"{path}: [{name}]: expected a table")
    out = []
    for code, value in table.items():
        if code == "source":
            continue
        if not isinstance(value, dict) or not isinstance(value.get("en"), str):
            raise RegisterFileError(f"{path}: {name}.{code}: expected {{ en = ..., {local} = ...}}")
        if len(code) > 64 or len(value["en"]) > 120:
            raise RegisterFileError(f"{path}: {name}.{code}: too long")
        out.append(
            Entry(code=code, en=value["en"], local=str(value.get(local, "")), language=local)
        )
    return tuple(out)


@cache
def register_lists(code: str | None, local_language: str = "") -> RegisterLists:
    """The lists of the jurisdiction `code` (its pack directory), read once per process,
    with their labels in `local_language` (the jurisdiction's)."""
    if not code:
        return RegisterLists()
    path = PACKS_DIR / code.lower() / REGISTER_FILE
    if not path.is_file():
        return RegisterLists()
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    raw = doc.get("earliest_date", DATE_FLOOR.isoformat())
    try:
        earliest = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError:
        raise RegisterFileError(f"{path}: earliest_date: expected YYYY-MM-DD") from None
    sources = doc.get("sources", {})
    return RegisterLists(
        earliest_date=earliest,
        ethnicities=_entries(path, doc.get("ethnicities"), "ethnicities", local_language),
        languages=_entries(path, doc.get("languages"), "languages", local_language),
        sources=tuple(sorted(sources.items())) if isinstance(sources, dict) else (),
    )


def label_of(entries: tuple[Entry, ...], code: str) -> str:
    """The label of a stored code (or of a value typed as one of its labels); a value
    recorded before the list existed is shown as it was typed."""
    for entry in entries:
        if entry.code == code:
            return entry.label()
    # A value typed as the English label (an import, the demo's data) is shown the same way.
    typed = code.strip().casefold()
    for entry in entries:
        if typed and typed in (entry.en.casefold(), entry.local.casefold()):
            return entry.label()
    return code


@cache
def _countries(language: str = "en") -> tuple[tuple[str, str], ...]:
    """(code, name) of every ISO 3166-1 country: the English name (pycountry's common
    name), or CLDR's name in `language` where it has one."""
    import pycountry
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    if language != "en":
        try:
            names = dict(Locale.parse(language).territories)
        except (UnknownLocaleError, ValueError):
            names = {}
    return tuple(
        sorted(
            (c.alpha_2, names.get(c.alpha_2) or getattr(c, "common_name", None) or c.name)
            for c in pycountry.countries
        )
    )


def _language(language: str | None) -> str:
    return (language or get_language() or "en").split("-")[0].lower()


def country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in _countries())


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO 3166-1 alpha-2 code, name) for every country, in the language shown, sorted by
    name; the code follows the name so that a code typed from memory is still found."""
    rows = _countries(_language(language))
    return sorted(((code, f"{name} ({code})") for code, name in rows), key=lambda r: r[1])


def country_name(code: str, language: str | None = None) -> str:
    return dict(_countries(_language(language))).get(code, code)


@cache
def _citations() -> dict[str, str]:
    """Every pack's `[citations]` table: an English citation and its local rendering."""
    found: dict[str, str] = {}
    for path in sorted(PACKS_DIR.glob(f"*/{REGISTER_FILE}")):
        table = tomllib.loads(path.read_text(encoding="utf-8")).get("citations", {})
        if isinstance(table, dict):
            found.update({k: v for k, v in table.items() if isinstance(v, str) and v})
    return found


def citation_label(citation: str, language: str | None = None) -> str:
    """A legal source as the reader reads it: the pack's local rendering of the citation
    when the page is not in English and the pack has one, else the citation as written."""
    language = (language or get_language() or "en").split("-")[0]
    if language == "en" or not citation:
        return citation
    return _citations().get(citation.strip(), citation)
