"""Reading population returns from a CSV or XLSX file: parsing and validation, no writes.

A file is read whole and every problem is reported (line, column, reason) before anything
is written, so a file with one bad row imports nothing (`services.import_returns` writes).
Counts may be written in Khmer digits (០ to ៩) and with thousands separators; dates day first as
people in Cambodia write them (15/03/2013, 15-03-2013, 15.03.2013, 15 មីនា 2013,
15 March 2013) or as 2013-03-15.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motherline import uploads
from motherline.bounds import DATE_FLOOR, check_model_value, not_before_floor
from motherline.stats.models import BOUNDS, COUNT_FIELDS, PopulationReturn
from motherline.uploads import Source

COLUMNS = ("prison", "date", *COUNT_FIELDS)
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
    prison_id: int
    date: date
    counts: dict[str, int | None]


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


def parse_count(raw: Any) -> int | None:
    """A count from a cell: None when empty; raises ValueError with the reason."""
    if raw is None:
        return None
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
    return value


def parse_date(raw: Any) -> date:
    """A date from a cell, day first; raises ValueError with the reason."""
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
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
    table: list[tuple[int, list[Any]]], prisons: PrisonLookup, today: date
) -> ParsedFile:
    """Validate every row of a returns table; the result holds either rows or errors."""
    parsed = ParsedFile()
    if not table:
        parsed.errors.append(RowError(1, "", _("The file is empty: expected a header line.")))
        return parsed
    header_line, header_cells = table[0]
    header = [str(cell or "").strip().lower() for cell in header_cells]
    while header and not header[-1]:
        header.pop()
    for name in header:
        if name not in COLUMNS:
            parsed.errors.append(
                RowError(header_line, name or "?", _("unknown column (see the template)"))
            )
    for name in COLUMNS:
        if name not in header:
            parsed.errors.append(RowError(header_line, name, _("missing column")))
    for name in {n for n in header if header.count(n) > 1}:
        parsed.errors.append(RowError(header_line, name, _("column appears twice")))
    if parsed.errors:
        return parsed

    seen: dict[tuple[int, date], int] = {}
    for line, cells in table[1:]:
        if all(_blank(cell) for cell in cells):
            continue
        if len(cells) > len(header) and not all(_blank(c) for c in cells[len(header) :]):
            parsed.errors.append(RowError(line, "", _("more cells than columns in the header")))
            continue
        values = dict(zip(header, list(cells) + [None] * (len(header) - len(cells)), strict=False))
        errors: list[RowError] = []
        prison = None
        prison_text = str(values["prison"] or "").strip()
        if not prison_text:
            errors.append(RowError(line, "prison", _("required")))
        else:
            prison = prisons.find(prison_text)
            if prison is None:
                errors.append(
                    RowError(
                        line, "prison", _("unknown prison: %(value)s") % {"value": prison_text}
                    )
                )
        day = None
        try:
            day = parse_date(values["date"])
        except ValueError as exc:
            errors.append(RowError(line, "date", str(exc)))
        if day is not None and day > today:
            errors.append(
                RowError(line, "date", _("a date in the future: %(date)s") % {"date": day})
            )
        elif day is not None and day < DATE_FLOOR:
            try:
                not_before_floor(day)
            except ValidationError as exc:
                errors.append(RowError(line, "date", exc.messages[0]))
                day = None
        if day is not None and prison is not None:
            _pk, opened, closed = prison
            if (opened and day < opened) or (closed and day > closed):
                errors.append(
                    RowError(line, "date", _("the prison was not open on %(date)s") % {"date": day})
                )
        counts: dict[str, int | None] = {}
        for name in COUNT_FIELDS:
            try:
                counts[name] = parse_count(values[name])
                if counts[name] is not None:
                    # The model field's bounds: the databases' range for an integer.
                    check_model_value(PopulationReturn._meta.get_field(name), counts[name])
            except ValueError as exc:
                errors.append(RowError(line, name, str(exc)))
                counts[name] = None
            except ValidationError as exc:
                errors.append(RowError(line, name, exc.messages[0]))
                counts[name] = None
        errors += count_errors(line, counts)
        if prison is not None and day is not None:
            key = (prison[0], day)
            if key in seen:
                errors.append(
                    RowError(
                        line,
                        "prison",
                        _("the same prison and date as line %(line)s") % {"line": seen[key]},
                    )
                )
            else:
                seen[key] = line
        if errors:
            parsed.errors += errors
        elif prison is not None and day is not None:
            parsed.rows.append(ParsedRow(line, prison[0], day, counts))
    if not parsed.rows and not parsed.errors:
        parsed.errors.append(RowError(header_line, "", _("The file has no rows of data.")))
    return parsed


def count_errors(line: int, counts: dict[str, int | None]) -> list[RowError]:
    """The relations between a return's counts, checked where both sides are given."""
    errors = []
    total, men, women = counts.get("total"), counts.get("men"), counts.get("women")
    for smaller, larger in BOUNDS:
        low, high = counts.get(smaller), counts.get(larger)
        if low is not None and high is not None and low > high:
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
