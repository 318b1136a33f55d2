"""Reading population returns from a CSV or XLSX file: parsing and validation, no writes.

A file is read whole and every problem is reported (line, column, reason) before anything
is written, so a file with one bad row imports nothing (`services.import_returns` writes).
A row is about one area of the pack's geography: the `area` column holds the nation's code
(KH), a province's ISO 3166-2 code (KH-12) or a prison's code (KH-CC2 or CC2), or a name.
Files of the first template name a `prison` instead and carry no `source` column (the file's
source is given on import); they keep working. Only `total` is required of the counts: a
blank cell is "not reported", never 0. Counts may be written in Khmer digits (០ to ៩) and
with thousands separators; dates day first as people in Cambodia write them (15/03/2013,
15-03-2013, 15.03.2013, 15 មីនា 2013, 15 March 2013) or as 2013-03-15, or as a month
(03/2013, 2013-03) or a year (2013) alone, stored on the last day of it.

`parse_returns` takes the rows as an iterable of (line number, cells), so that a reader
which bounds a file's size and rows can feed it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from motherline import uploads
from motherline.formatting import format_day
from motherline.stats.models import (
    BOUNDS,
    COUNT_FIELDS,
    MAX_COUNT,
    SOURCE_LENGTH,
    Level,
    Precision,
)
from motherline.uploads import Source

# The first template's columns (a file with them imports as before).
COLUMNS = (
    "prison",
    "date",
    "total",
    "men",
    "women",
    "pretrial_men",
    "pretrial_women",
    "minors",
    "foreign_nationals",
    "pregnant_women",
    "children_in_prison",
)
# The template for returns at any level, with a source per row.
AREA_COLUMNS = ("area", "date", "precision", *COUNT_FIELDS, "source", "source_url")
KNOWN_COLUMNS = frozenset({*COLUMNS, *AREA_COLUMNS})
REQUIRED = ("date", "total")
EARLIEST = date(1950, 1, 1)  # no return in a pack is older; an earlier date is a typing error
URL_LENGTH = 500
PRECISIONS = {
    "day": Precision.DAY,
    "exact": Precision.DAY,
    "month": Precision.MONTH,
    "year": Precision.YEAR,
    "approximate": Precision.APPROXIMATE,
    "approx": Precision.APPROXIMATE,
    "approx.": Precision.APPROXIMATE,
    "about": Precision.APPROXIMATE,
    "ថ្ងៃ": Precision.DAY,
    "ខែ": Precision.MONTH,
    "ឆ្នាំ": Precision.YEAR,
    "ប្រហែល": Precision.APPROXIMATE,
}

KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "មករា"),
            ("february", "feb", "កុម្ភៈ", "កុម្ភះ"),
            ("march", "mar", "មីនា"),
            ("april", "apr", "មេសា"),
            ("may", "ឧសភា"),
            ("june", "jun", "មិថុនា"),
            ("july", "jul", "កក្កដា"),
            ("august", "aug", "សីហា"),
            ("september", "sep", "sept", "កញ្ញា"),
            ("october", "oct", "តុលា"),
            ("november", "nov", "វិច្ឆិកា"),
            ("december", "dec", "ធ្នូ"),
        ],
        start=1,
    )
    for name in names
}
MONTH_ONLY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$|^(\d{4})-(\d{1,2})$")
YEAR_ONLY = re.compile(r"^(\d{4})$")
NUMERIC_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
WORDED_DATE = re.compile(r"^(\d{1,2})[\s\-]+([^\s\-\d]+)[\s\-,]+(\d{4})$")
COUNT = re.compile(r"^\d{1,3}([, \u00a0\u202f]\d{3})+$|^\d+$")


@dataclass(frozen=True)
class RowError:
    """One problem: the line of the file (1 is the header), the column and the reason."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.line}: {self.column}" if self.column else f"{self.line}"
        return f"{where}: {self.message}"


@dataclass
class ParsedRow:
    line: int
    level: str
    area_id: int
    date: date
    counts: dict[str, int | None]
    source: str = ""
    source_url: str = ""
    precision: str = Precision.DAY

    @property
    def prison_id(self) -> int | None:
        return self.area_id if self.level == Level.PRISON else None


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class PrisonLookup:
    """Finds a prison by its code, with or without the jurisdiction prefix (KH-CC2 or CC2),
    in any letter case, or by its English or local name."""

    def __init__(self, prisons: list[tuple[int, str, str, str, date | None, date | None]]):
        self.by_key: dict[str, tuple[int, date | None, date | None]] = {}
        for pk, code, name, name_local, opened, closed in prisons:
            value = (pk, opened, closed)
            keys = {code.upper(), name.casefold(), name_local}
            if "-" in code:
                keys.add(code.split("-", 1)[1].upper())
            for key in keys:
                if key:
                    self.by_key.setdefault(key, value)

    def find(self, raw: str) -> tuple[int, date | None, date | None] | None:
        return self.by_key.get(raw.upper()) or self.by_key.get(raw.casefold())


class AreaLookup:
    """Finds an area of the pack's geography by code or name: the nation (its code, such as
    KH, or its English or local name), a province (its ISO 3166-2 code or a name) or a
    prison (as `PrisonLookup`). A code names the nation before a province before a prison."""

    def __init__(
        self,
        nations: list[tuple[int, str, str, str]],
        provinces: list[tuple[int, str, str, str]],
        prisons: PrisonLookup,
    ):
        self.prisons = prisons
        self.by_key: dict[str, tuple[str, int]] = {}
        for level, rows in ((Level.NATION, nations), (Level.PROVINCE, provinces)):
            for pk, code, name, name_local in rows:
                for key in (code.upper(), name.casefold(), name_local):
                    if key:
                        self.by_key.setdefault(key, (level, pk))

    def find(self, raw: str) -> tuple[str, int, date | None, date | None] | None:
        found = self.by_key.get(raw.upper()) or self.by_key.get(raw.casefold())
        if found:
            return found[0], found[1], None, None
        prison = self.prisons.find(raw)
        return (Level.PRISON, *prison) if prison else None


def parse_count(raw: Any) -> int | None:
    """A count from a cell: None when empty; raises ValueError with the reason."""
    if raw is None:
        return None
    if type(raw) is str and raw.isascii() and raw.isdigit():
        value = int(raw)  # the common case, without the general parsing below
        if value > MAX_COUNT:
            raise ValueError(
                _("more than %(max)s: %(value)s") % {"max": f"{MAX_COUNT:,}", "value": value}
            )
        return value
    if isinstance(raw, bool):
        raise ValueError(_("not a number: %(value)s") % {"value": raw})
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(_("not a whole number: %(value)s") % {"value": raw})
        value = int(raw)
    else:
        text = str(raw).strip().translate(KHMER_DIGITS)
        if not text:
            return None
        if text.startswith("-") and COUNT.match(text[1:].strip()):
            raise ValueError(_("a count cannot be negative: %(value)s") % {"value": text})
        if text.endswith(".0"):
            text = text[:-2]
        if not COUNT.match(text):
            raise ValueError(_("not a whole number: %(value)s") % {"value": raw})
        value = int(re.sub(r"\D", "", text))
    if value < 0:
        raise ValueError(_("a count cannot be negative: %(value)s") % {"value": value})
    if value > MAX_COUNT:
        raise ValueError(
            _("more than %(max)s: %(value)s") % {"max": f"{MAX_COUNT:,}", "value": value}
        )
    return value


def parse_date(raw: Any) -> date:
    """A date from a cell, day first; raises ValueError with the reason."""
    return parse_dated(raw)[0]


def _last_day(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def parse_dated(raw: Any) -> tuple[date, str]:
    """A date and how precisely it is given: a month or a year alone stands for its last
    day. Raises ValueError with the reason."""
    if isinstance(raw, int) and not isinstance(raw, bool) and 1000 <= raw <= 9999:
        return date(raw, 12, 31), Precision.YEAR  # a spreadsheet cell holding a year
    text = str(raw or "").strip().translate(KHMER_DIGITS)
    try:
        if YEAR_ONLY.match(text):
            return date(int(text), 12, 31), Precision.YEAR
        if match := MONTH_ONLY.match(text):
            if match.group(1):
                month, year = int(match.group(1)), int(match.group(2))
            else:
                year, month = int(match.group(3)), int(match.group(4))
            return _last_day(year, month), Precision.MONTH
    except ValueError:
        raise ValueError(_("not a real date: %(value)s") % {"value": text}) from None
    return _parse_day(raw), Precision.DAY


def parse_precision(raw: Any) -> str | None:
    """A precision from a cell (day, month, year, approximate; "year, approx." is
    approximate); None when empty; raises ValueError with the reason."""
    if type(raw) is str and raw in PRECISIONS:
        return PRECISIONS[raw]
    text = str(raw or "").strip().casefold()
    if not text:
        return None
    words = [word.strip() for word in re.split(r"[,;\s]+", text) if word.strip()]
    found = {PRECISIONS.get(word) for word in words}
    if None in found or not found:
        raise ValueError(
            _("not a precision: %(value)s (day, month, year or approximate)") % {"value": raw}
        )
    if Precision.APPROXIMATE in found:
        return Precision.APPROXIMATE
    if len(found) > 1:
        raise ValueError(_("two precisions: %(value)s") % {"value": raw})
    return found.pop()


def _parse_day(raw: Any) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if type(raw) is str and len(raw) == 10 and raw[4] == "-" and raw.isascii():
        try:
            return date.fromisoformat(raw)  # 2013-03-31, the common case
        except ValueError:
            pass  # the general parsing below says why
    text = str(raw or "").strip().translate(KHMER_DIGITS)
    if not text:
        raise ValueError(_("required"))
    try:
        if match := ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := NUMERIC_DATE.match(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        if match := WORDED_DATE.match(text):
            month_number = MONTHS.get(match.group(2).casefold().rstrip("."))
            if month_number:
                return date(int(match.group(3)), month_number, int(match.group(1)))
    except ValueError:
        raise ValueError(_("not a real date: %(value)s") % {"value": text}) from None
    raise ValueError(
        _("not a date: %(value)s (write it day first, e.g. 31/03/2013, or as 2013-03-31)")
        % {"value": text}
    )


def read_table(content: Source, filename: str) -> list[tuple[int, list[Any]]]:
    """The file's rows as (line number, cells); XLSX is recognised by its content. Read
    within the limits of `motherline.uploads` (at most its number of rows is kept); raises
    `FileRefused` (a ValueError) naming the limit or the problem."""
    return list(uploads.read_table(content, filename))


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def parse_returns(
    table: Iterable[tuple[int, list[Any]]],
    areas: AreaLookup | PrisonLookup,
    today: date,
    source: str = "",
) -> ParsedFile:
    """Validate every row of a returns table; the result holds either rows or errors.

    `source` is the file's source, for rows without a `source` cell (the first template
    has no such column)."""
    if isinstance(areas, PrisonLookup):
        areas = AreaLookup([], [], areas)
    parsed = ParsedFile()
    rows = iter(table)
    first = next(rows, None)
    if first is None:
        parsed.errors.append(RowError(1, "", _("The file is empty: expected a header line.")))
        return parsed
    header_line, header_cells = first
    header = [str(cell or "").strip().lower() for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    for name in header:
        if name not in KNOWN_COLUMNS:
            parsed.errors.append(
                RowError(header_line, name or "?", _("unknown column (see the template)"))
            )
    place = "prison" if "prison" in header else "area"
    if "prison" in header and "area" in header:
        parsed.errors.append(RowError(header_line, "area", _("give an area or a prison, not both")))
    for name in (place, *REQUIRED):
        if name not in header:
            parsed.errors.append(RowError(header_line, name, _("missing column")))
    if "source" not in header and not source:
        parsed.errors.append(
            RowError(header_line, "source", _("missing column (or name the file's source)"))
        )
    for name in sorted({n for n in header if header.count(n) > 1}):
        parsed.errors.append(RowError(header_line, name, _("column appears twice")))
    if parsed.errors:
        return parsed
    counted = [name for name in COUNT_FIELDS if name in header]
    seen: dict[tuple[str, int, date, str], int] = {}
    found_areas: dict[Any, tuple[str, int, date | None, date | None] | None] = {}
    found_dates: dict[tuple[Any, Any], tuple[date | None, str]] = {}
    for line, cells in rows:
        first_cell = cells[0] if cells else None
        if not (isinstance(first_cell, str) and first_cell.strip()) and all(
            _blank(cell) for cell in cells
        ):
            continue
        if len(cells) > len(header) and not all(_blank(c) for c in cells[len(header) :]):
            parsed.errors.append(RowError(line, "", _("more cells than columns in the header")))
            continue
        values = dict(zip(header, list(cells) + [None] * (len(header) - len(cells)), strict=False))
        errors: list[RowError] = []
        # Files repeat a few areas and dates on many rows: each distinct cell is read once.
        area_cell = values[place]
        if area_cell in found_areas:
            found = found_areas[area_cell]
        else:
            area_errors: list[RowError] = []
            found = _area(values, place, areas, line, area_errors)
            if area_errors:
                errors += area_errors
            elif isinstance(area_cell, str):
                found_areas[area_cell] = found
        date_key = (values["date"], values.get("precision"))
        if isinstance(date_key[0], str) and date_key in found_dates:
            day, precision = found_dates[date_key]
        else:
            date_errors: list[RowError] = []
            day, precision = _dated(values, line, today, date_errors)
            if date_errors:
                errors += date_errors
            elif isinstance(date_key[0], str) and isinstance(date_key[1], str | None):
                found_dates[date_key] = (day, precision)
        if day is not None and found is not None:
            _level, _pk, opened, closed = found
            if (opened and day < opened) or (closed and day > closed):
                errors.append(
                    RowError(
                        line,
                        "date",
                        _("the prison was not open on %(date)s") % {"date": format_day(day)},
                    )
                )
        counts: dict[str, int | None] = dict.fromkeys(COUNT_FIELDS)
        for name in counted:
            try:
                counts[name] = parse_count(values[name])
            except ValueError as exc:
                errors.append(RowError(line, name, str(exc)))
        if counts["total"] is None and not any(e.column == "total" for e in errors):
            errors.append(RowError(line, "total", _("required")))
        errors += count_errors(line, counts)
        row_source = _text(values.get("source"), SOURCE_LENGTH) or source
        if "source" in values and len(str(values["source"] or "").strip()) > SOURCE_LENGTH:
            errors.append(
                RowError(line, "source", _("longer than %(n)s characters") % {"n": SOURCE_LENGTH})
            )
        elif not row_source:
            errors.append(RowError(line, "source", _("required")))
        url = _url(values.get("source_url"), line, errors)
        if found is not None and day is not None:
            key = (found[0], found[1], day, row_source)
            if key in seen:
                errors.append(
                    RowError(
                        line,
                        place,
                        _("the same area, date and source as line %(line)s") % {"line": seen[key]},
                    )
                )
            else:
                seen[key] = line
        if errors:
            parsed.errors += errors
        elif found is not None and day is not None:
            parsed.rows.append(
                ParsedRow(line, found[0], found[1], day, counts, row_source, url, precision)
            )
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(header_line, "", _("The file has no rows of data.")))
    return parsed


def _text(raw: Any, limit: int) -> str:
    text = "" if raw is None else str(raw).strip()
    return text if len(text) <= limit else ""


def _area(
    values: dict[str, Any], place: str, areas: AreaLookup, line: int, errors: list[RowError]
) -> tuple[str, int, date | None, date | None] | None:
    text = str(values[place] or "").strip()
    if not text:
        errors.append(RowError(line, place, _("required")))
        return None
    found: tuple[str, int, date | None, date | None] | None
    if place == "prison":
        prison = areas.prisons.find(text)
        found = (Level.PRISON, *prison) if prison else None
    else:
        found = areas.find(text)
    if found is None:
        message = (
            _("unknown prison: %(value)s")
            if place == "prison"
            else _(
                "unknown area: %(value)s (the country's code, a province's ISO 3166-2 code, "
                "or a prison's code)"
            )
        )
        errors.append(RowError(line, place, message % {"value": text}))
    return found


def _dated(
    values: dict[str, Any], line: int, today: date, errors: list[RowError]
) -> tuple[date | None, str]:
    day: date | None = None
    precision: str = Precision.DAY
    try:
        day, precision = parse_dated(values["date"])
    except ValueError as exc:
        errors.append(RowError(line, "date", str(exc)))
    try:
        given = parse_precision(values.get("precision"))
    except ValueError as exc:
        errors.append(RowError(line, "precision", str(exc)))
        given = None
    if given is not None:
        if given == Precision.DAY and precision != Precision.DAY:
            errors.append(
                RowError(
                    line,
                    "precision",
                    _("the date names no day: %(value)s") % {"value": values["date"]},
                )
            )
        precision = given
    if day is not None and day > today:
        errors.append(
            RowError(line, "date", _("a date in the future: %(date)s") % {"date": format_day(day)})
        )
    if day is not None and day < EARLIEST:
        errors.append(
            RowError(line, "date", _("a date before %(date)s") % {"date": format_day(EARLIEST)})
        )
    return day, precision


def _url(raw: Any, line: int, errors: list[RowError]) -> str:
    text = "" if raw is None else str(raw).strip()
    if not text:
        return ""
    if len(text) > URL_LENGTH:
        errors.append(
            RowError(line, "source_url", _("longer than %(n)s characters") % {"n": URL_LENGTH})
        )
        return ""
    try:
        URLValidator(schemes=["http", "https"])(text)
    except ValidationError:
        errors.append(
            RowError(line, "source_url", _("not a web address: %(value)s") % {"value": text})
        )
        return ""
    return text


def count_errors(line: int, counts: dict[str, int | None]) -> list[RowError]:
    """The relations between a return's counts, checked where both sides are given."""
    errors = []
    total, men, women = counts.get("total"), counts.get("men"), counts.get("women")
    for smaller, larger in BOUNDS:
        low = counts.get(smaller)
        if low is None:
            continue
        high = counts.get(larger)
        if high is not None and low > high:
            errors.append(
                RowError(
                    line,
                    smaller,
                    _("%(smaller)s (%(low)s) is more than %(larger)s (%(high)s)")
                    % {"smaller": smaller, "low": low, "larger": larger, "high": high},
                )
            )
    if total is not None and men is not None and women is not None and men + women != total:
        errors.append(
            RowError(
                line,
                "total",
                _("men (%(men)s) and women (%(women)s) do not add up to the total (%(total)s)")
                % {"men": men, "women": women, "total": total},
            )
        )
    return errors
