"""Read, validate and load a jurisdiction pack: one country's places and rules, as files.

A pack is a directory `packs/<code in lower case>/` holding:

- `pack.toml`: `code`, `name`, `name_local`, `local_language`, `time_zone`, `version`,
  `document_languages` (the languages its documents are produced in: English and the local one),
  optionally `default = true` (the jurisdiction of a deployment that names none; one shipped
  pack at most), a `[sources]` table (key = full description of one source) and, for each CSV
  file that has no `source` column, a `[file_sources]` entry listing the keys of its sources.
  `[privacy]`: `small_prison_capacity` (a prison holding at most this many is named by its
  province in a published text), `retention_years` (identifying data kept after a woman's last
  release) and their `source`. `[language]` (optional): how the local language is written
  where CLDR does not say it, read by `jurisdictions.local`: `font`, `full_stop`, `digits`
  (its ten digits, for e-mails), `day_long`, `day_short` (CLDR date patterns), `script` (the
  script of its letters as Unicode names it, e.g. THAI: a local name must have some).
- `provinces.csv`: code,name,name_local (ISO 3166-2 codes) and optionally map_column,map_row:
  the province's tile on the statistics map (whole numbers from 0, one province per tile).
- `prisons.csv`: code,name,name_local,province,kind,capacity,holds_women,opened_on,closed_on,source
- `offences.csv`: code,name,name_local,iccs_section,offence_class,is_violent,is_drug_related
  and optionally source.
- `age_limits.csv`: max_age_months,effective_from,effective_to,extension_allowed,
  max_extension_months,source,citation,verified
- `pretrial_limits.csv`: offence_class,applies_to_minors,max_days,effective_from,effective_to,
  source,citation,verified
- `pardon_occasions.csv`: code,name,name_local,month,day,effective_from,effective_to,source,
  citation,verified (an empty day: the occasion follows the lunar calendar)
- `courts.csv` (optional): code,name,name_local,province,source,verified — the courts a legal
  case is heard in, highest first; codes start like prison codes (`KH-SUPREME`).
- `screening_criteria.csv`: remedy,code,kind,parameter,weight,name,name_local,explanation,
  explanation_local,source,citation,verified (`kind` and `parameter` as `legal.rules.CRITERIA`)

Cells: integers in digits, dates as YYYY-MM-DD, booleans as `true`/`false`; an empty
`effective_from`/`effective_to` leaves the period open, and `effective_to` is the last day a rule
is in force. A `source` cell lists keys of `[sources]` separated by `;` and may add remarks in
words (a remark must not look like a key: lower-case letters, digits and `_` only); the stored
text has each key replaced by its description. Prison codes start with the pack's code and a
hyphen (`KH-CC2`), because prison codes are unique across all packs.

`load_pack` reads and validates everything before it writes anything, and reports every problem
it finds at once as `file:line: column: message` (line 1 is a CSV file's header). Loading again
updates rows in place by their codes; the rule tables are replaced. Rows that are no longer in
a pack are kept (records may point at them) and listed in the report.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction

from motherline import uploads
from motherline.jurisdictions import signals
from motherline.jurisdictions.models import (
    AgeLimitRule,
    DatePrecision,
    Jurisdiction,
    NationalFigure,
    OffenceCategory,
    OffenceClass,
    PopulationDenominator,
    PretrialLimitRule,
)
from motherline.jurisdictions.rules import AGE_LIMIT_CHANGE_READINGS, LEAP_DAY_READINGS
from motherline.places.models import Prison, PrisonKind, Province

PACKS_DIR = Path(__file__).resolve().parent / "packs"
PACK_FILE = "pack.toml"

# Pardon occasions and early-release screening criteria (`_legal_specs` and below).
LEGAL_KINDS = ("pardon_occasions", "screening_criteria")
KINDS = ("provinces", "prisons", "offences", "age_limits", "pretrial_limits", *LEGAL_KINDS)

SOURCE_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
JURISDICTION_CODE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DIGITS = re.compile(r"^\d+$")
ICCS_SECTION = re.compile(r"^(0[1-9]|1[01])$")
OFFENCE_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_TILE = 40  # columns and rows of the province map


@dataclass(frozen=True)
class PackError:
    """One problem in a pack file. Line 0 means the file as a whole."""

    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"{self.file}:{self.line}: {self.column}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class PackInvalid(Exception):
    """A pack failed validation; `errors` holds every problem found."""

    def __init__(self, errors: Iterable[PackError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


@dataclass
class LoadReport:
    """What one load did: rows in the pack per kind, rows created, rows kept but not in the pack."""

    code: str
    version: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    not_in_pack: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PackMeta:
    code: str
    name: str
    name_local: str
    local_language: str
    time_zone: str
    version: str
    sources: dict[str, str]
    file_sources: dict[str, list[str]]
    # [rules]: the birth-registration period and the readings of the age limit, each with
    # its source (stored in `Jurisdiction.stated_rules`, read by `rules.StatedRules.of`).
    stated_rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    document_languages: list[str] = field(default_factory=list)
    small_prison_capacity: int = 0
    retention_years: int = 0


@dataclass
class Row:
    """One CSV record: its first physical line and its parsed cells (only the valid ones)."""

    line: int
    values: dict[str, Any]
    is_valid: bool = True


@dataclass
class PackData:
    """A pack read from disk and validated, ready to write."""

    meta: PackMeta
    rows: dict[str, list[Row]]


class _CellError(ValueError):
    pass


class _PackDialect(csv.excel):
    """Comma-separated, and a stray quote is an error rather than a guess."""

    strict = True


Parser = Callable[[str], Any]


def available_packs(packs_dir: Path | None = None) -> list[str]:
    """The codes (lower case, as directory names) of the packs in `packs_dir`."""
    root = packs_dir or PACKS_DIR
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / PACK_FILE).is_file())


def read_pack(code: str, packs_dir: Path | None = None) -> PackData:
    """Read and validate a pack without touching the database; raises `PackInvalid`."""
    pack = _PackReader(code, packs_dir or PACKS_DIR)
    data = pack.read()
    if pack.errors:
        raise PackInvalid(pack.errors)
    assert data is not None
    return data


def _described(code: str, packs_dir: Path | None) -> tuple[_PackReader, PackMeta]:
    """A reader of the pack `code` and its description (pack.toml); raises `PackInvalid`
    where the description cannot be read."""
    reader = _PackReader(code, packs_dir or PACKS_DIR)
    meta = reader.read_meta()
    if meta is None:
        raise PackInvalid(reader.errors)
    return reader, meta


def _read_optional(
    code: str,
    packs_dir: Path | None,
    stem: str,
    columns: Callable[[_PackReader, PackMeta], dict[str, Parser]],
) -> tuple[_PackReader, PackMeta, list[Row]] | None:
    """Read an optional file of records known by a unique code (`stem`.csv), or None when the
    pack has no such file; its problems are left on the reader."""
    reader, meta = _described(code, packs_dir)
    filename = f"{stem}.csv"
    if not (reader.directory / filename).is_file():
        return None
    _header, rows = reader.read_csv(filename, columns(reader, meta), {})
    reader.check_unique(filename, rows, "code")
    return reader, meta, rows


def _not_in(rows: list[Row], stored: Any) -> Any:
    """The records of `stored` whose code none of the pack's `rows` has."""
    return stored.exclude(code__in=[row.values["code"] for row in rows])


def _retire_not_in(
    kind: str, rows: list[Row], stored: Any, created: int, report: LoadReport | None
) -> None:
    """Stop offering the records of `stored` that the pack no longer lists (records point at
    them, so they are kept), and with `report`, say what the pack held of `kind`."""
    dropped = _not_in(rows, stored)
    codes = sorted(dropped.values_list("code", flat=True))
    dropped.update(is_active=False)
    if report is not None:
        report.counts[kind] = len(rows)
        report.created[kind] = created
        if codes:
            report.not_in_pack[kind] = codes


def load_pack(code: str, packs_dir: Path | None = None) -> LoadReport:
    """Validate the pack `code` and write it in one transaction; raises `PackInvalid`.

    Nothing is written when any error is found. Loading the same pack again updates
    jurisdiction, provinces, prisons and offence categories in place by their codes and
    replaces the age-limit and pretrial-limit rules.
    """
    data = read_pack(code, packs_dir)
    figures = read_statistics(code, packs_dir)
    gazetteer = read_gazetteer(code, packs_dir)
    questions = read_best_interests(code, packs_dir)
    courts = read_courts(code, packs_dir)
    errors = _check_against_database(data)
    if errors:
        raise PackInvalid(errors)
    with transaction.atomic():
        signals.pack_loading.send(load_pack, code=code)
        report = _write(data)
        write_statistics(data.meta.code, figures)
        write_gazetteer(data.meta.code, gazetteer, report)
        write_best_interests(data.meta.code, questions, report)
        write_courts(data.meta.code, courts, report)
        signals.pack_loaded.send(load_pack, code=code)
    return report


# Cell parsers. Each takes the stripped cell text and returns a value or raises _CellError.


def _text(max_length: int, *, required: bool = True) -> Parser:
    def parse(raw: str) -> str:
        if not raw and required:
            raise _CellError("required")
        if len(raw) > max_length:
            raise _CellError(f"longer than {max_length} characters ({len(raw)})")
        return raw

    return parse


def _matching(pattern: re.Pattern[str], description: str, max_length: int) -> Parser:
    def parse(raw: str) -> str:
        if not raw:
            raise _CellError("required")
        if len(raw) > max_length or not pattern.match(raw):
            raise _CellError(f"expected {description}, got {raw!r}")
        return raw

    return parse


def _integer(*, minimum: int = 0, required: bool = True) -> Parser:
    def parse(raw: str) -> int | None:
        if not raw:
            if required:
                raise _CellError("required")
            return None
        if not DIGITS.match(raw):
            raise _CellError(f"expected a whole number, got {raw!r}")
        value = int(raw)
        if value < minimum:
            raise _CellError(f"must be at least {minimum}, got {value}")
        return value

    return parse


def _date(*, required: bool = False) -> Parser:
    def parse(raw: str) -> date | None:
        if not raw:
            if required:
                raise _CellError("required")
            return None
        if not ISO_DATE.match(raw):
            raise _CellError(f"expected a date as YYYY-MM-DD, got {raw!r}")
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise _CellError(f"not a real date: {raw!r}") from None

    return parse


def _names(model: Any) -> dict[str, Parser]:
    """A record's name and its optional name in the pack's local language, each as long as
    the model holds."""
    return {
        "name": _text(_max_length(model, "name")),
        "name_local": _text(_max_length(model, "name_local"), required=False),
    }


def _word_code(model: Any) -> Parser:
    """A code of lower-case letters, digits and _ (an offence, an occasion, a criterion)."""
    return _matching(OFFENCE_CODE, "lower-case letters, digits and _", _max_length(model, "code"))


def _pack_code(meta: PackMeta, model: Any) -> Parser:
    """A code in capitals that starts with the pack's code, unique across packs (a prison, a
    court)."""
    return _matching(
        re.compile(rf"^{re.escape(meta.code)}-[A-Z0-9][A-Z0-9-]*$"),
        f"a code in capitals starting {meta.code}-",
        _max_length(model, "code"),
    )


def _boolean(raw: str) -> bool:
    value = raw.lower()
    if value not in {"true", "false"}:
        raise _CellError(f"expected true or false, got {raw!r}")
    return value == "true"


def _choice(values: Iterable[str]) -> Parser:
    allowed = list(values)

    def parse(raw: str) -> str:
        if raw not in allowed:
            raise _CellError(f"expected one of {', '.join(allowed)}; got {raw!r}")
        return raw

    return parse


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


class _PackReader:
    def __init__(self, code: str, packs_dir: Path) -> None:
        self.dirname = code.strip().lower()
        self.directory = packs_dir / self.dirname
        self.errors: list[PackError] = []
        # Files whose header is unusable: their rows are not read, and checks that refer to
        # them are skipped rather than repeated as an error on every row.
        self.unreadable: set[str] = set()

    def path(self, filename: str) -> str:
        return f"{self.dirname}/{filename}"

    def error(self, filename: str, line: int, column: str, message: str) -> None:
        self.errors.append(PackError(self.path(filename), line, column, message))

    def read(self) -> PackData | None:
        meta = self.read_meta()
        if meta is None:
            return None
        rows: dict[str, list[Row]] = {}
        headers: dict[str, list[str]] = {}
        for kind, (columns, optional) in self.specs(meta).items():
            headers[kind], rows[kind] = self.read_csv(f"{kind}.csv", columns, optional)
        self.check_file_sources(meta, headers)
        self.check_unique("provinces.csv", rows["provinces"], "code")
        self.check_tiles(rows["provinces"])
        if not rows["provinces"] and "provinces.csv" not in self.unreadable:
            self.error("provinces.csv", 0, "", "a pack needs at least one province")
        self.check_prisons(rows["prisons"], rows["provinces"])
        self.check_unique("offences.csv", rows["offences"], "code")
        self.check_periods("age_limits.csv", rows["age_limits"], key=lambda v: ())
        self.check_extensions(rows["age_limits"])
        self.check_periods(
            "pretrial_limits.csv",
            rows["pretrial_limits"],
            key=lambda v: (v.get("offence_class"), v.get("applies_to_minors")),
        )
        _check_legal(self, rows)
        return PackData(meta=meta, rows=rows)

    # pack.toml

    def read_meta(self) -> PackMeta | None:
        if not JURISDICTION_CODE.match(self.dirname.upper()):
            self.error(PACK_FILE, 0, "", f"{self.dirname!r} is not a pack code such as kh")
            return None
        if not (self.directory / PACK_FILE).is_file():
            self.error(PACK_FILE, 0, "", f"no pack {self.dirname!r} (looked in {self.directory})")
            return None
        size = (self.directory / PACK_FILE).stat().st_size
        if size > uploads.Limits.from_settings().upload_bytes:
            self.error(PACK_FILE, 0, "", f"{size} bytes: more than a pack's description holds")
            return None
        try:
            text = (self.directory / PACK_FILE).read_text(encoding="utf-8")
            doc = tomllib.loads(text)
        except RecursionError:
            self.error(PACK_FILE, 0, "", "not valid TOML: nested too deeply")
            return None
        except UnicodeDecodeError as exc:
            self.error(PACK_FILE, 0, "", f"not UTF-8 text (byte {exc.start})")
            return None
        except tomllib.TOMLDecodeError as exc:
            found = re.search(r"line (\d+)", str(exc))
            self.error(PACK_FILE, int(found.group(1)) if found else 0, "", f"not valid TOML: {exc}")
            return None

        def line_of(key: str) -> int:
            pattern = re.compile(rf"^\s*(\[{re.escape(key)}\]|{re.escape(key)}\s*=)")
            for number, content in enumerate(text.splitlines(), start=1):
                if pattern.match(content):
                    return number
            return 0

        def string(key: str, check: Callable[[str], str | None], *, required: bool = True) -> str:
            value = doc.get(key, "")
            if not isinstance(value, str):
                self.error(PACK_FILE, line_of(key), key, "expected a string")
                return ""
            value = value.strip()
            if not value:
                if required:
                    self.error(PACK_FILE, line_of(key), key, "required")
                return ""
            problem = check(value)
            if problem:
                self.error(PACK_FILE, line_of(key), key, problem)
            return value

        def length(model: Any, name: str) -> Callable[[str], str | None]:
            limit = _max_length(model, name)
            return lambda v: f"longer than {limit} characters" if len(v) > limit else None

        known = {"code", "name", "name_local", "local_language", "time_zone", "version"}
        known |= {"sources", "file_sources", "rules", "default", "document_languages"}
        known |= {"privacy", "language"}
        for key in doc:
            if key not in known:
                self.error(PACK_FILE, line_of(key), key, "unknown key")

        expected_code = self.dirname.upper()

        def code_problem(value: str) -> str | None:
            if not JURISDICTION_CODE.match(value):
                return "expected an ISO 3166 code such as KH"
            if value != expected_code:
                return f"expected {expected_code!r} (the directory name in capitals)"
            return None

        string("code", code_problem)
        name = string("name", length(Jurisdiction, "name"))
        name_local = string("name_local", length(Jurisdiction, "name_local"), required=False)
        language = string(
            "local_language",
            lambda v: None if LANGUAGE_TAG.match(v) else "expected a language code such as km",
        )
        time_zone = string("time_zone", _time_zone_problem)
        version = string("version", length(Jurisdiction, "pack_version"))

        sources: dict[str, str] = {}
        table = doc.get("sources", {})
        if not isinstance(table, dict) or not table:
            self.error(PACK_FILE, line_of("sources"), "sources", "expected a [sources] table")
        else:
            for key, value in table.items():
                if not SOURCE_KEY.match(key):
                    self.error(PACK_FILE, line_of(key), key, "source keys use a-z, 0-9 and _")
                elif not isinstance(value, str) or not value.strip():
                    self.error(PACK_FILE, line_of(key), key, "expected a description")
                else:
                    sources[key] = value.strip()

        file_sources: dict[str, list[str]] = {}
        table = doc.get("file_sources", {})
        if not isinstance(table, dict):
            self.error(PACK_FILE, line_of("file_sources"), "file_sources", "expected a table")
            table = {}
        for kind, keys in table.items():
            keys = [keys] if isinstance(keys, str) else keys
            if kind not in KINDS:
                self.error(PACK_FILE, line_of(kind), kind, f"not a pack file; expected {KINDS}")
            elif not isinstance(keys, list) or not keys:
                self.error(PACK_FILE, line_of(kind), kind, "expected a list of source keys")
            else:
                for key in keys:
                    if key not in sources:
                        self.error(PACK_FILE, line_of(kind), kind, f"unknown source key {key!r}")
                file_sources[kind] = list(keys)

        stated_rules = self.read_stated_rules(doc.get("rules", {}), sources, line_of)
        document_languages = self.read_document_languages(doc, line_of)
        privacy = self.read_privacy(doc.get("privacy"), sources, line_of)
        self.read_language(doc.get("language", {}), line_of)
        if not isinstance(doc.get("default", False), bool):
            self.error(PACK_FILE, line_of("default"), "default", "expected true or false")

        return PackMeta(
            # A valid code equals the directory's; checking the rest against it avoids an
            # error on every row when only the code line is wrong.
            code=expected_code,
            name=name,
            name_local=name_local,
            local_language=language,
            time_zone=time_zone,
            version=version,
            sources=sources,
            file_sources=file_sources,
            stated_rules=stated_rules,
            document_languages=document_languages,
            small_prison_capacity=privacy.get("small_prison_capacity", 0),
            retention_years=privacy.get("retention_years", 0),
        )

    def read_document_languages(
        self, doc: dict[str, Any], line_of: Callable[[str], int]
    ) -> list[str]:
        """A non-empty list of language codes, each once."""
        value = doc.get("document_languages")
        line = line_of("document_languages")
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and LANGUAGE_TAG.match(v) for v in value)
        ):
            self.error(
                PACK_FILE,
                line,
                "document_languages",
                'expected a list of language codes such as ["en", "fr"]',
            )
            return []
        if len(set(value)) != len(value):
            self.error(PACK_FILE, line, "document_languages", "a language is listed twice")
        return list(dict.fromkeys(value))

    def read_privacy(
        self, table: Any, sources: dict[str, str], line_of: Callable[[str], int]
    ) -> dict[str, int]:
        """`[privacy]`: two whole numbers within bounds and the source of the choice."""
        line = line_of("privacy")
        if not isinstance(table, dict):
            self.error(PACK_FILE, line, "privacy", "expected a [privacy] table")
            return {}
        bounds = {"small_prison_capacity": (0, 100_000), "retention_years": (1, 100)}
        found: dict[str, int] = {}
        for key, (low, high) in bounds.items():
            value = table.get(key)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                self.error(
                    PACK_FILE,
                    line,
                    f"privacy.{key}",
                    f"expected a whole number from {low} to {high}",
                )
            else:
                found[key] = value
        try:
            self.source_parser(sources)(str(table.get("source", "")))
        except _CellError as exc:
            self.error(PACK_FILE, line, "privacy.source", str(exc))
        for key in table:
            if key not in (*bounds, "source"):
                self.error(PACK_FILE, line, f"privacy.{key}", "unknown key")
        return found

    def read_language(self, table: Any, line_of: Callable[[str], int]) -> None:
        """`[language]`: short texts; ten digits; date patterns Babel accepts."""
        from babel.dates import parse_pattern

        line = line_of("language")
        if not isinstance(table, dict):
            self.error(PACK_FILE, line, "language", "expected a [language] table")
            return
        for key, value in table.items():
            where = f"language.{key}"
            if key not in ("font", "full_stop", "digits", "day_long", "day_short", "script"):
                self.error(PACK_FILE, line, where, "unknown key")
            elif not isinstance(value, str) or len(value) > 64:
                self.error(PACK_FILE, line, where, "expected text of up to 64 characters")
            elif key == "script" and not re.fullmatch(r"[A-Z]+( [A-Z]+)*", value):
                self.error(PACK_FILE, line, where, "expected a Unicode script name such as THAI")
            elif key == "digits" and value and len(value) != 10:
                self.error(PACK_FILE, line, where, "expected the ten digits from 0 to 9")
            elif key.startswith("day_") and value:
                try:
                    parse_pattern(value)
                except (ValueError, TypeError) as exc:
                    self.error(PACK_FILE, line, where, f"not a date pattern: {exc}")

    def read_stated_rules(
        self, table: Any, sources: dict[str, str], line_of: Callable[[str], int]
    ) -> dict[str, dict[str, Any]]:
        """`[rules.birth_registration]` (`days` or `months`), `[rules.age_limit_change]`
        and `[rules.leap_day_birthday]` (`reading`), each with `source` (keys of [sources],
        as in a CSV file), `citation` and `verified`."""
        if not isinstance(table, dict):
            self.error(PACK_FILE, line_of("rules"), "rules", "expected a [rules] table")
            return {}
        readings = {
            "age_limit_change": AGE_LIMIT_CHANGE_READINGS,
            "leap_day_birthday": LEAP_DAY_READINGS,
        }
        parse_source = self.source_parser(sources)
        stated: dict[str, dict[str, Any]] = {}
        for name, entry in table.items():
            where = f"rules.{name}"
            line = line_of(where)
            if name not in ("birth_registration", *readings):
                self.error(PACK_FILE, line, where, "unknown rule")
                continue
            if not isinstance(entry, dict):
                self.error(PACK_FILE, line, where, "expected a table")
                continue
            value: dict[str, Any] = {}
            if name == "birth_registration":
                periods = [unit for unit in ("days", "months") if unit in entry]
                number = entry.get(periods[0]) if len(periods) == 1 else None
                if (
                    not isinstance(number, int)
                    or isinstance(number, bool)
                    or not 0 < number <= 3650
                ):
                    self.error(
                        PACK_FILE, line, where, "expected one of days or months, a whole number"
                    )
                    continue
                value[periods[0]] = number
            elif entry.get("reading") not in readings[name]:
                self.error(PACK_FILE, line, where, f"reading: expected one of {readings[name]}")
                continue
            else:
                value["reading"] = entry["reading"]
            try:
                value["source"] = parse_source(str(entry.get("source", "")))
            except _CellError as exc:
                self.error(PACK_FILE, line, where, f"source: {exc}")
                continue
            citation = entry.get("citation", "")
            verified = entry.get("verified")
            if not isinstance(citation, str) or len(citation) > 255:
                self.error(PACK_FILE, line, where, "citation: text of up to 255 characters")
                continue
            if not isinstance(verified, bool):
                self.error(PACK_FILE, line, where, "verified: expected true or false")
                continue
            stated[name] = {**value, "citation": citation.strip(), "verified": verified}
        return stated

    # CSV files

    def specs(self, meta: PackMeta) -> dict[str, tuple[dict[str, Parser], dict[str, Parser]]]:
        """Per file: the required columns and the optional ones, with their parsers."""
        country = meta.code[:2]
        source = self.source_parser(meta.sources)
        citation = _text(_max_length(AgeLimitRule, "citation"), required=False)
        offence_class = _choice(OffenceClass.values)
        return {
            "provinces": (
                {
                    "code": _matching(
                        re.compile(rf"^{country}-[A-Z0-9]{{1,3}}$"),
                        f"an ISO 3166-2 code such as {country}-1",
                        _max_length(Province, "code"),
                    ),
                    **_names(Province),
                },
                {
                    "source": source,
                    "map_column": _integer(required=False),
                    "map_row": _integer(required=False),
                },
            ),
            "prisons": (
                {
                    "code": _pack_code(meta, Prison),
                    **_names(Prison),
                    "province": _text(_max_length(Province, "code")),
                    "kind": _choice(PrisonKind.values),
                    "capacity": _integer(minimum=1, required=False),
                    "holds_women": _boolean,
                    "opened_on": _date(),
                    "closed_on": _date(),
                    "source": source,
                },
                {},
            ),
            "offences": (
                {
                    "code": _word_code(OffenceCategory),
                    **_names(OffenceCategory),
                    "iccs_section": _matching(ICCS_SECTION, "an ICCS section from 01 to 11", 2),
                    "offence_class": offence_class,
                    "is_violent": _boolean,
                    "is_drug_related": _boolean,
                },
                {"source": source},
            ),
            "age_limits": (
                {
                    "max_age_months": _integer(minimum=1),
                    "effective_from": _date(),
                    "effective_to": _date(),
                    "extension_allowed": _boolean,
                    "max_extension_months": _integer(),
                    "source": source,
                    "citation": citation,
                    "verified": _boolean,
                },
                {},
            ),
            "pretrial_limits": (
                {
                    "offence_class": offence_class,
                    "applies_to_minors": _boolean,
                    "max_days": _integer(minimum=1),
                    "effective_from": _date(),
                    "effective_to": _date(),
                    "source": source,
                    "citation": citation,
                    "verified": _boolean,
                },
                {},
            ),
            **_legal_specs(source, citation),
        }

    @staticmethod
    def source_parser(sources: dict[str, str]) -> Parser:
        def parse(raw: str) -> str:
            items = [item.strip() for item in raw.split(";") if item.strip()]
            if not items:
                raise _CellError("required: name at least one key of [sources] in pack.toml")
            unknown = [item for item in items if SOURCE_KEY.match(item) and item not in sources]
            if unknown:
                raise _CellError(
                    "unknown source key "
                    + ", ".join(repr(k) for k in unknown)
                    + " (not in [sources] of pack.toml)"
                )
            if not any(item in sources for item in items):
                raise _CellError("name at least one key of [sources] in pack.toml")
            return "\n".join(sources.get(item, item) for item in items)

        return parse

    def read_csv(
        self, filename: str, columns: dict[str, Parser], optional: dict[str, Parser]
    ) -> tuple[list[str], list[Row]]:
        path = self.directory / filename
        if not path.is_file():
            self.error(filename, 0, "", "file is missing")
            self.unreadable.add(filename)
            return [], []
        # Read within the import limits (`motherline.uploads`): size, rows, columns, cell
        # size, NUL and encoding, as every imported table.
        records = uploads.read_table(path, filename, dialect=_PackDialect)
        header: list[str] = []
        rows: list[Row] = []
        try:
            first = next(records, None)
            if first is None:
                self.error(filename, 1, "", "empty file: expected a header line")
                self.unreadable.add(filename)
                return [], []
            header = [name.strip() for name in first[1]]
            parsers = {**columns, **optional}
            usable = self.check_header(filename, header, columns, parsers)
            if not usable:
                self.unreadable.add(filename)
            for line, record in records:
                if not any(cell.strip() for cell in record):
                    continue
                if not usable:
                    continue
                if len(record) != len(header):
                    self.error(
                        filename, line, "", f"expected {len(header)} fields, found {len(record)}"
                    )
                    continue
                row = Row(line=line, values={})
                for name, cell in zip(header, record, strict=True):
                    parse = parsers.get(name)
                    if parse is None:
                        continue
                    try:
                        row.values[name] = parse(cell.strip())
                    except _CellError as exc:
                        self.error(filename, line, name, str(exc))
                        row.is_valid = False
                rows.append(row)
        except uploads.FileRefused as exc:
            self.error(filename, exc.line, exc.column, exc.message)
            if not header:
                self.unreadable.add(filename)
        return header, rows

    def check_header(
        self,
        filename: str,
        header: list[str],
        columns: dict[str, Parser],
        parsers: dict[str, Parser],
    ) -> bool:
        usable = True
        seen: set[str] = set()
        for name in header:
            if name in seen:
                self.error(filename, 1, name, "column appears twice")
                usable = False
            seen.add(name)
            if name not in parsers:
                self.error(filename, 1, name, f"unknown column; expected {', '.join(parsers)}")
        for name in columns:
            if name not in seen:
                self.error(filename, 1, name, "missing column")
                usable = False
        return usable

    # Checks across rows and files

    def check_file_sources(self, meta: PackMeta, headers: dict[str, list[str]]) -> None:
        for kind, header in headers.items():
            if header and "source" not in header and kind not in meta.file_sources:
                self.error(
                    PACK_FILE,
                    0,
                    "file_sources",
                    f"{kind}.csv has no source column: name its sources in [file_sources]",
                )

    def check_unique(self, filename: str, rows: list[Row], column: str) -> None:
        first_line: dict[Any, int] = {}
        for row in rows:
            value = row.values.get(column)
            if value is None:
                continue
            if value in first_line:
                self.error(
                    filename,
                    row.line,
                    column,
                    f"duplicate {value!r} (first on line {first_line[value]})",
                )
            else:
                first_line[value] = row.line

    def check_tiles(self, rows: list[Row]) -> None:
        """A province on the map has both coordinates, within the grid, on a tile of its own."""
        taken: dict[tuple[int, int], int] = {}
        for row in rows:
            column, line = row.values.get("map_column"), row.values.get("map_row")
            if column is None and line is None:
                continue
            if column is None or line is None:
                missing = "map_column" if column is None else "map_row"
                self.error("provinces.csv", row.line, missing, "give both map_column and map_row")
                continue
            if column > MAX_TILE or line > MAX_TILE:
                self.error("provinces.csv", row.line, "map_column", f"at most {MAX_TILE}")
            elif (column, line) in taken:
                self.error(
                    "provinces.csv",
                    row.line,
                    "map_column",
                    f"tile ({column}, {line}) is taken by line {taken[(column, line)]}",
                )
            else:
                taken[(column, line)] = row.line

    def check_prisons(self, rows: list[Row], provinces: list[Row]) -> None:
        self.check_unique("prisons.csv", rows, "code")
        known = {row.values["code"] for row in provinces if "code" in row.values}
        check_province = "provinces.csv" not in self.unreadable
        for row in rows:
            province = row.values.get("province")
            if check_province and province and province not in known:
                self.error("prisons.csv", row.line, "province", f"unknown province {province!r}")
            opened, closed = row.values.get("opened_on"), row.values.get("closed_on")
            if opened and closed and closed < opened:
                self.error("prisons.csv", row.line, "closed_on", f"before opened_on ({opened})")

    def check_extensions(self, rows: list[Row]) -> None:
        for row in rows:
            allowed = row.values.get("extension_allowed")
            months = row.values.get("max_extension_months")
            if allowed is False and months:
                self.error(
                    "age_limits.csv",
                    row.line,
                    "max_extension_months",
                    "must be 0 when extension_allowed is false",
                )
            if allowed is True and months == 0:
                self.error(
                    "age_limits.csv",
                    row.line,
                    "max_extension_months",
                    "must be more than 0 when extension_allowed is true",
                )

    def check_periods(
        self, filename: str, rows: list[Row], key: Callable[[dict[str, Any]], tuple[Any, ...]]
    ) -> None:
        """Each period runs forwards, and rules for the same case do not overlap."""
        periods: list[tuple[Row, date, date]] = []
        for row in rows:
            start, end = row.values.get("effective_from"), row.values.get("effective_to")
            if start and end and end < start:
                self.error(filename, row.line, "effective_to", f"before effective_from ({start})")
                continue
            if row.is_valid:
                periods.append((row, start or date.min, end or date.max))
        for index, (row, start, end) in enumerate(periods):
            for earlier, other_start, other_end in periods[:index]:
                if (
                    key(row.values) == key(earlier.values)
                    and start <= other_end
                    and other_start <= end
                ):
                    self.error(
                        filename,
                        row.line,
                        "effective_from",
                        f"period overlaps the rule on line {earlier.line}",
                    )
                    break


def _time_zone_problem(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {value!r}"
    return None


def _check_against_database(data: PackData) -> list[PackError]:
    """Codes must not belong to another jurisdiction already in the database."""
    errors: list[PackError] = []
    code = data.meta.code
    prefix = code.lower()
    wanted = {row.values["code"]: row.line for row in data.rows["provinces"]}
    taken = Province.objects.filter(code__in=wanted).exclude(jurisdiction__code=code)
    for code_taken, owner in taken.values_list("code", "jurisdiction__code"):
        errors.append(
            PackError(
                f"{prefix}/provinces.csv",
                wanted[code_taken],
                "code",
                f"{code_taken!r} already belongs to jurisdiction {owner}",
            )
        )
    wanted = {row.values["code"]: row.line for row in data.rows["prisons"]}
    prisons = Prison.objects.filter(code__in=wanted).exclude(province__jurisdiction__code=code)
    for code_taken, owner in prisons.values_list("code", "province__jurisdiction__code"):
        errors.append(
            PackError(
                f"{prefix}/prisons.csv",
                wanted[code_taken],
                "code",
                f"{code_taken!r} already belongs to jurisdiction {owner}",
            )
        )
    return errors


@transaction.atomic
def _write(data: PackData) -> LoadReport:
    meta = data.meta
    report = LoadReport(code=meta.code, version=meta.version)
    jurisdiction, _created = Jurisdiction.objects.update_or_create(
        code=meta.code,
        defaults={
            "name": meta.name,
            "name_local": meta.name_local,
            "local_language": meta.local_language,
            "time_zone": meta.time_zone,
            "pack_version": meta.version,
            "stated_rules": meta.stated_rules,
            "document_languages": meta.document_languages,
            "small_prison_capacity": meta.small_prison_capacity,
            "retention_years": meta.retention_years,
        },
    )

    def counted(kind: str, created: bool) -> None:
        report.counts[kind] += 1
        report.created[kind] += int(created)

    provinces: dict[str, Province] = {}
    for row in data.rows["provinces"]:
        v = row.values
        province, created = Province.objects.update_or_create(
            code=v["code"],
            defaults={
                "jurisdiction": jurisdiction,
                "name": v["name"],
                "name_local": v["name_local"],
                "map_column": v.get("map_column"),
                "map_row": v.get("map_row"),
            },
        )
        provinces[province.code] = province
        counted("provinces", created)

    for row in data.rows["prisons"]:
        v = row.values
        _prison, created = Prison.objects.update_or_create(
            code=v["code"],
            defaults={
                "province": provinces[v["province"]],
                "name": v["name"],
                "name_local": v["name_local"],
                "kind": v["kind"],
                "capacity": v["capacity"],
                "holds_women": v["holds_women"],
                "is_active": v["closed_on"] is None,
                "opened_on": v["opened_on"],
                "closed_on": v["closed_on"],
                "source": v["source"],
            },
        )
        counted("prisons", created)

    for row in data.rows["offences"]:
        v = row.values
        _offence, created = OffenceCategory.objects.update_or_create(
            jurisdiction=jurisdiction,
            code=v["code"],
            defaults={
                "name": v["name"],
                "name_local": v["name_local"],
                "iccs_section": v["iccs_section"],
                "offence_class": v["offence_class"],
                "is_violent": v["is_violent"],
                "is_drug_related": v["is_drug_related"],
            },
        )
        counted("offences", created)

    # Rules have no natural key: a pack's rule table replaces the stored one.
    jurisdiction.age_limit_rules.all().delete()
    AgeLimitRule.objects.bulk_create(
        AgeLimitRule(jurisdiction=jurisdiction, **row.values) for row in data.rows["age_limits"]
    )
    jurisdiction.pretrial_limit_rules.all().delete()
    PretrialLimitRule.objects.bulk_create(
        PretrialLimitRule(jurisdiction=jurisdiction, **row.values)
        for row in data.rows["pretrial_limits"]
    )
    for kind in ("age_limits", "pretrial_limits"):
        report.counts[kind] = report.created[kind] = len(data.rows[kind])

    _write_legal(jurisdiction, data, report)

    stored = {
        "provinces": Province.objects.filter(jurisdiction=jurisdiction),
        "prisons": Prison.objects.filter(province__jurisdiction=jurisdiction),
        "offences": OffenceCategory.objects.filter(jurisdiction=jurisdiction),
    }
    for kind, queryset in stored.items():
        codes = sorted(_not_in(data.rows[kind], queryset).values_list("code", flat=True))
        if codes:
            report.not_in_pack[kind] = codes
    return report


# Published figures and population denominators (optional files of a pack).
#
# - `national_figures.csv`: measure,date,date_precision,value,source,verified,note — figures
#   published about the whole country's prison population; sources may disagree, so each
#   row keeps its own source and date (a year-only figure is stored on 31 December).
# - `population_denominators.csv`: area,year,female_population,source,verified — the female
#   population of the nation (the pack's code) or of a province (its ISO 3166-2 code).

STATISTICS_FILES = ("national_figures", "population_denominators")
MEASURES = (
    "total",
    "men",
    "women",
    "convicted",
    "pretrial",
    "minors",
    "foreign_nationals",
    "pregnant_women",
    "children_in_prison",
    "mothers_with_children",
    "capacity",
    "prisons",
    "occupancy_percent",
    "women_share_percent",
    "women_growth_percent",
    "men_growth_percent",
)
DECIMAL = re.compile(r"^\d+(\.\d{1,2})?$")


@dataclass
class StatisticsData:
    """The statistics files of a pack, validated; an absent file gives no rows."""

    national_figures: list[Row] = field(default_factory=list)
    population_denominators: list[Row] = field(default_factory=list)


def _decimal(raw: str) -> str:
    if not DECIMAL.match(raw):
        raise _CellError(f"expected a number such as 15397 or 8.6, got {raw!r}")
    return raw


def read_statistics(code: str, packs_dir: Path | None = None) -> StatisticsData:
    """Read and validate a pack's published figures and denominators; raises `PackInvalid`."""
    reader, meta = _described(code, packs_dir)
    data = StatisticsData()
    source = reader.source_parser(meta.sources)
    provinces = {meta.code} | _province_codes(reader)
    specs: dict[str, dict[str, Parser]] = {
        "national_figures": {
            "measure": _choice(MEASURES),
            "date": _date(required=True),
            "date_precision": _choice(DatePrecision.values),
            "value": _decimal,
            "source": source,
            "verified": _boolean,
            "note": _text(2000, required=False),
        },
        "population_denominators": {
            "area": _choice(sorted(provinces)),
            "year": _integer(minimum=1900),
            "female_population": _integer(minimum=1),
            "source": source,
            "verified": _boolean,
        },
    }
    for kind, columns in specs.items():
        if not (reader.directory / f"{kind}.csv").is_file():
            continue
        _header, rows = reader.read_csv(f"{kind}.csv", columns, {})
        setattr(data, kind, rows)
    seen: dict[tuple[Any, Any], int] = {}
    for row in data.population_denominators:
        key = (row.values.get("area"), row.values.get("year"))
        if row.is_valid and key in seen:
            reader.error(
                "population_denominators.csv",
                row.line,
                "year",
                f"duplicate of line {seen[key]} for {key[0]} {key[1]}",
            )
        seen.setdefault(key, row.line)
    if reader.errors:
        raise PackInvalid(reader.errors)
    return data


def write_statistics(code: str, data: StatisticsData) -> None:
    """Replace the jurisdiction's published figures and denominators with the pack's."""
    jurisdiction = Jurisdiction.objects.get(code=code)
    jurisdiction.national_figures.all().delete()
    NationalFigure.objects.bulk_create(
        NationalFigure(jurisdiction=jurisdiction, **row.values) for row in data.national_figures
    )
    jurisdiction.population_denominators.all().delete()
    PopulationDenominator.objects.bulk_create(
        PopulationDenominator(jurisdiction=jurisdiction, **row.values)
        for row in data.population_denominators
    )


# Pardon occasions and early-release screening criteria. The criterion kinds are code
# (`legal.rules.CRITERIA`); the pack chooses them per remedy with a parameter and a weight.


def _legal_specs(source: Parser, citation: Parser) -> dict[str, tuple[dict[str, Parser], dict]]:
    from motherline.jurisdictions.models import PardonOccasion, Remedy, ScreeningCriterion

    return {
        "pardon_occasions": (
            {
                "code": _word_code(PardonOccasion),
                **_names(PardonOccasion),
                "month": _integer(minimum=1),
                "day": _integer(minimum=1, required=False),
                "effective_from": _date(),
                "effective_to": _date(),
                "source": source,
                "citation": citation,
                "verified": _boolean,
            },
            {},
        ),
        "screening_criteria": (
            {
                "remedy": _choice(Remedy.values),
                "code": _word_code(ScreeningCriterion),
                "kind": _text(_max_length(ScreeningCriterion, "kind")),
                "parameter": _text(_max_length(ScreeningCriterion, "parameter"), required=False),
                "weight": _integer(minimum=1),
                **_names(ScreeningCriterion),
                "explanation": _text(2000),
                "explanation_local": _text(2000, required=False),
                "source": source,
                "citation": citation,
                "verified": _boolean,
            },
            {},
        ),
    }


def _check_legal(reader: _PackReader, rows: dict[str, list[Row]]) -> None:
    """Occasions fall on real calendar days; criteria name a known kind with a parameter it
    understands, once per remedy."""
    import calendar

    from motherline.legal.rules import parameter_error

    reader.check_unique("pardon_occasions.csv", rows["pardon_occasions"], "code")
    for row in rows["pardon_occasions"]:
        month, day = row.values.get("month"), row.values.get("day")
        if month is not None and month > 12:
            reader.error("pardon_occasions.csv", row.line, "month", f"no month {month}")
        elif month and day and day > calendar.monthrange(2024, month)[1]:
            reader.error("pardon_occasions.csv", row.line, "day", f"no day {day} in month {month}")
    first_line: dict[tuple[Any, Any], int] = {}
    for row in rows["screening_criteria"]:
        v = row.values
        key = (v.get("remedy"), v.get("code"))
        if None not in key:
            if key in first_line:
                reader.error(
                    "screening_criteria.csv",
                    row.line,
                    "code",
                    f"duplicate {key[1]!r} for {key[0]} (first on line {first_line[key]})",
                )
            else:
                first_line[key] = row.line
        if "kind" in v:
            problem = parameter_error(v["kind"], v.get("parameter") or "")
            if problem:
                column = "kind" if problem.startswith("unknown kind") else "parameter"
                reader.error("screening_criteria.csv", row.line, column, problem)


def _write_legal(jurisdiction: Jurisdiction, data: PackData, report: LoadReport) -> None:
    """Update occasions in place by code (pardon rounds point at them; one no longer in the
    pack is kept and listed) and replace the criteria (a candidate keeps a snapshot of the
    criteria she met, so nothing points at them)."""
    from motherline.jurisdictions.models import PardonOccasion, ScreeningCriterion

    for row in data.rows["pardon_occasions"]:
        values = dict(row.values)
        _occasion, created = PardonOccasion.objects.update_or_create(
            jurisdiction=jurisdiction, code=values.pop("code"), defaults=values
        )
        report.created["pardon_occasions"] += int(created)
    stale = _not_in(data.rows["pardon_occasions"], jurisdiction.pardon_occasions)
    codes = sorted(stale.values_list("code", flat=True))
    if codes:
        report.not_in_pack["pardon_occasions"] = codes
    jurisdiction.screening_criteria.all().delete()
    ScreeningCriterion.objects.bulk_create(
        ScreeningCriterion(jurisdiction=jurisdiction, **row.values)
        for row in data.rows["screening_criteria"]
    )
    report.counts["pardon_occasions"] = len(data.rows["pardon_occasions"])
    report.counts["screening_criteria"] = len(data.rows["screening_criteria"])
    report.created["screening_criteria"] = len(data.rows["screening_criteria"])


# The gazetteer below the province (optional files of a pack): the areas an address chooses.
#
# - `districts.csv`: code,province,name,name_local,kind,source,verified — `province` is a code
#   of provinces.csv; `kind` one of `places.models.DistrictKind`.
# - `communes.csv`: code,district,name,name_local,kind,source,verified — `district` is a code
#   of districts.csv, and a commune's code begins with its district's (as the NCDD codes
#   do); `kind` one of `places.models.CommuneKind`.
#
# Codes are digits and unique in their file. `verified` says whether the row was compared with
# the publisher's own file (a transcription by someone else is not). A pack may ship districts
# without communes (a commune's district must be in the pack). Loading again updates rows in
# place by their codes; rows no longer in the pack are kept (addresses point at them) and
# listed in the report.

GAZETTEER_FILES = ("districts", "communes")
AREA_CODE = re.compile(r"^\d{1,16}$")


@dataclass
class GazetteerData:
    """The gazetteer files of a pack, validated; an absent file gives no rows."""

    districts: list[Row] = field(default_factory=list)
    communes: list[Row] = field(default_factory=list)


def _province_codes(reader: _PackReader) -> set[str]:
    """The codes of the pack's provinces.csv, read with the same limits as the pack's other
    files (its problems are reported by `read_pack`)."""
    codes: set[str] = set()
    path = reader.directory / "provinces.csv"
    if path.is_file():
        with suppress(uploads.FileRefused):
            records = uploads.read_table(path, dialect=_PackDialect)
            header = [str(name).strip() for name in next(records, (0, []))[1]]
            if "code" in header:
                at = header.index("code")
                codes = {r[at].strip() for _line, r in records if len(r) > at}
    return codes


def read_gazetteer(code: str, packs_dir: Path | None = None) -> GazetteerData:
    """Read and validate a pack's districts and communes; raises `PackInvalid`."""
    from motherline.places.models import Commune, CommuneKind, District, DistrictKind

    reader, meta = _described(code, packs_dir)
    data = GazetteerData()
    source = reader.source_parser(meta.sources)

    def area(model: Any, kinds: Any, parent: str, parent_length: int) -> dict[str, Parser]:
        return {
            "code": _matching(AREA_CODE, "digits", _max_length(model, "code")),
            parent: _text(parent_length),
            **_names(model),
            "kind": _choice(kinds.values),
            "source": source,
            "verified": _boolean,
        }

    specs = {
        "districts": area(District, DistrictKind, "province", _max_length(Province, "code")),
        "communes": area(Commune, CommuneKind, "district", _max_length(District, "code")),
    }
    for kind, columns in specs.items():
        if (reader.directory / f"{kind}.csv").is_file():
            _header, rows = reader.read_csv(f"{kind}.csv", columns, {})
            setattr(data, kind, rows)
    if data.communes and not (reader.directory / "districts.csv").is_file():
        reader.error("communes.csv", 0, "", "communes need districts.csv")
    reader.check_unique("districts.csv", data.districts, "code")
    reader.check_unique("communes.csv", data.communes, "code")
    provinces = _province_codes(reader)
    for row in data.districts:
        province = row.values.get("province")
        if province and provinces and province not in provinces:
            reader.error("districts.csv", row.line, "province", f"unknown province {province!r}")
    districts = {row.values["code"] for row in data.districts if "code" in row.values}
    for row in data.communes:
        district, commune = row.values.get("district"), row.values.get("code")
        if district and district not in districts:
            reader.error("communes.csv", row.line, "district", f"unknown district {district!r}")
        elif district and commune and not commune.startswith(district):
            reader.error(
                "communes.csv", row.line, "code", f"expected to begin with its district {district}"
            )
    if reader.errors:
        raise PackInvalid(reader.errors)
    return data


def _upsert(
    model: Any, parent: str, existing: dict[str, Any], rows: list[Row], parents: dict[str, Any]
) -> tuple[dict[str, Any], int]:
    """Create the rows whose code is new and update those that changed, in bulk; the
    stored rows by code (those no longer in the pack included) and how many were new."""
    fields = ("name", "name_local", "kind", "source", "verified")
    new, changed = [], []
    for row in rows:
        values = {name: row.values[name] for name in fields}
        values[parent] = parents[row.values[parent]]
        stored = existing.get(row.values["code"])
        if stored is None:
            stored = model(code=row.values["code"], **values)
            new.append(stored)
            existing[stored.code] = stored
        elif any(getattr(stored, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(stored, name, value)
            changed.append(stored)
    model.objects.bulk_create(new, batch_size=500)
    model.objects.bulk_update(changed, [parent, *fields], batch_size=500)
    return existing, len(new)


def write_gazetteer(code: str, data: GazetteerData, report: LoadReport | None = None) -> None:
    """Write the pack's districts and communes, updating rows in place by their codes (in
    bulk: a country has thousands of communes); with `report`, say what the pack held."""
    from motherline.places.models import Commune, District

    jurisdiction = Jurisdiction.objects.get(code=code)
    provinces = {p.code: p for p in Province.objects.filter(jurisdiction=jurisdiction)}
    districts, new_districts = _upsert(
        District,
        "province",
        {d.code: d for d in District.objects.filter(province__jurisdiction=jurisdiction)},
        data.districts,
        provinces,
    )
    communes, new_communes = _upsert(
        Commune,
        "district",
        {c.code: c for c in Commune.objects.filter(district__province__jurisdiction=jurisdiction)},
        data.communes,
        districts,
    )
    if report is None:
        return
    for kind, rows, stored, new in (
        ("districts", data.districts, districts, new_districts),
        ("communes", data.communes, communes, new_communes),
    ):
        report.counts[kind] = len(rows)
        report.created[kind] = new
        kept = sorted(set(stored) - {row.values["code"] for row in rows})
        if kept:
            report.not_in_pack[kind] = kept


# The questions of a best-interests assessment before a child leaves prison (optional file):
#
# - `best_interests.csv`: code,position,text,text_local,hint,hint_local,source,citation,
#   verified — `code` in lower-case letters, digits and _, unique; `position` orders them.
#
# Loading again updates the questions in place by code (answers point at them); a question
# no longer in the pack is kept and no longer asked, and listed in the report.

QUESTIONS_FILE = "best_interests"


def read_best_interests(code: str, packs_dir: Path | None = None) -> list[Row]:
    """Read and validate a pack's best-interests questions; raises `PackInvalid`."""
    from motherline.jurisdictions.models import BestInterestsQuestion as Question

    def columns(reader: _PackReader, meta: PackMeta) -> dict[str, Parser]:
        return {
            "code": _matching(OFFENCE_CODE, "lower-case letters, digits and _", 32),
            "position": _integer(minimum=1),
            "text": _text(_max_length(Question, "text")),
            "text_local": _text(_max_length(Question, "text_local"), required=False),
            "hint": _text(_max_length(Question, "hint"), required=False),
            "hint_local": _text(_max_length(Question, "hint_local"), required=False),
            "source": reader.source_parser(meta.sources),
            "citation": _text(_max_length(Question, "citation"), required=False),
            "verified": _boolean,
        }

    read = _read_optional(code, packs_dir, QUESTIONS_FILE, columns)
    if read is None:
        return []
    reader, _meta, rows = read
    if reader.errors:
        raise PackInvalid(reader.errors)
    return rows


def write_best_interests(code: str, rows: list[Row], report: LoadReport | None = None) -> None:
    """Write the questions in place by code; those no longer in the pack stop being asked."""
    from motherline.jurisdictions.models import BestInterestsQuestion as Question

    jurisdiction = Jurisdiction.objects.get(code=code)
    created = 0
    for row in rows:
        values = dict(row.values)
        _question, new = Question.objects.update_or_create(
            jurisdiction=jurisdiction,
            code=values.pop("code"),
            defaults={**values, "is_active": True},
        )
        created += int(new)
    stored = Question.objects.filter(jurisdiction=jurisdiction)
    _retire_not_in(QUESTIONS_FILE, rows, stored, created, report)


# The courts a legal case is heard in (optional file; a pack without it leaves a case's court
# empty):
#
# - `courts.csv`: code,name,name_local,province,source,verified — codes unique across packs and
#   starting with the pack's code (as prison codes); `province` a code of provinces.csv. The
#   file's order is the order a form offers them in.
#
# Loading again updates courts in place by code (cases point at them); a court no longer in the
# pack is kept, no longer offered, and listed in the report.

COURTS_FILE = "courts"


def read_courts(code: str, packs_dir: Path | None = None) -> list[Row]:
    """Read and validate a pack's courts; raises `PackInvalid`."""
    from motherline.places.models import Court

    def columns(reader: _PackReader, meta: PackMeta) -> dict[str, Parser]:
        return {
            "code": _pack_code(meta, Court),
            **_names(Court),
            "province": _text(_max_length(Province, "code")),
            "source": reader.source_parser(meta.sources),
            "verified": _boolean,
        }

    read = _read_optional(code, packs_dir, COURTS_FILE, columns)
    if read is None:
        return []
    reader, meta, rows = read
    filename = f"{COURTS_FILE}.csv"
    provinces = _province_codes(reader)
    for row in rows:
        province = row.values.get("province")
        if province and provinces and province not in provinces:
            reader.error(filename, row.line, "province", f"unknown province {province!r}")
    if reader.errors:
        raise PackInvalid(reader.errors)
    taken = Court.objects.filter(code__in=[r.values["code"] for r in rows]).exclude(
        province__jurisdiction__code=meta.code
    )
    lines = {row.values["code"]: row.line for row in rows}
    owners = taken.values_list("code", "province__jurisdiction__code")
    errors = [
        PackError(reader.path(filename), lines[court], "code", f"{court!r} belongs to {owner}")
        for court, owner in owners
    ]
    if errors:
        raise PackInvalid(errors)
    return rows


def write_courts(code: str, rows: list[Row], report: LoadReport | None = None) -> None:
    """Write the courts in place by code; those no longer in the pack stop being offered."""
    from motherline.places.models import Court

    jurisdiction = Jurisdiction.objects.get(code=code)
    provinces = {p.code: p for p in Province.objects.filter(jurisdiction=jurisdiction)}
    created = 0
    for position, row in enumerate(rows, start=1):
        values = dict(row.values)
        _court, new = Court.objects.update_or_create(
            code=values.pop("code"),
            defaults={
                **values,
                "province": provinces[values["province"]],
                "position": position,
                "is_active": True,
            },
        )
        created += int(new)
    stored = Court.objects.filter(province__jurisdiction=jurisdiction)
    _retire_not_in(COURTS_FILE, rows, stored, created, report)
