"""Every CSV and XLSX the application writes goes through here, so that no exported cell can
run as a formula in a spreadsheet program (the OWASP CSV-injection rule).

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written as
text: in CSV with a leading single quote (what spreadsheet programs read as "this is text");
in XLSX as a string cell (data type `s`, with the quote-prefix style) that is never a formula.
Numbers stay numbers, a negative number included: only text is escaped."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

# The characters a spreadsheet program reads as the start of a formula or a command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """The value as a CSV cell: formula-like text quoted, everything else unchanged."""
    if is_formula_like(value):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeCsvWriter:
    """`csv.writer` with every text cell escaped; `writerow` returns what the file's `write`
    returned, so a streaming response can yield it."""

    def __init__(self, out: _Writable, **kwargs: Any) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_bytes(header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A whole CSV file (UTF-8), header first."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def append_row(sheet: Worksheet, row: Iterable[Any]) -> None:
    """Append a row to a worksheet with every text cell stored as text (never a formula)."""
    values = list(row)
    sheet.append(values)
    number = sheet.max_row
    for column, value in enumerate(values, start=1):
        if isinstance(value, str):
            cell = sheet.cell(row=number, column=column)
            cell.data_type = "s"
            if is_formula_like(value):
                # Also what a program shows and keeps when someone edits the cell.
                cell.quotePrefix = True


def new_workbook() -> tuple[Workbook, Worksheet]:
    """A workbook and its first sheet."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    return book, sheet


def workbook_bytes(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_bytes(title: str, header: Sequence[Any], rows: Iterable[Iterable[Any]]) -> bytes:
    """A one-sheet workbook, header first."""
    book, sheet = new_workbook()
    sheet.title = title[:31]
    append_row(sheet, header)
    for row in rows:
        append_row(sheet, row)
    return workbook_bytes(book)
