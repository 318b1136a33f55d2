"""The one writer of CSV and XLSX: formula-like text is written as text, numbers stay numbers,
and no other module writes a spreadsheet or a CSV itself."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from motherline.reports import tabular

HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_quoted_in_csv(value):
    data = tabular.csv_bytes(["name"], [[value]]).decode()
    assert list(csv.reader(io.StringIO(data)))[1] == ["'" + value]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_like_text_is_a_text_cell_in_xlsx(value):
    sheet = load_workbook(io.BytesIO(tabular.xlsx_bytes("t", ["name"], [[value]]))).active
    cell = sheet["A2"]
    # XML reads a carriage return back as a line feed; what matters is the type: text.
    assert cell.value == value.replace("\r", "\n") and cell.data_type == "s"


def test_numbers_stay_numbers_and_plain_text_is_unchanged():
    row = [-3, -2.5, 0, 7, "Kandal", "", None, "a=b", "'quoted"]
    data = tabular.csv_bytes(["h"] * len(row), [row]).decode()
    assert list(csv.reader(io.StringIO(data)))[1] == [
        "-3",
        "-2.5",
        "0",
        "7",
        "Kandal",
        "",
        "",
        "a=b",
        "'quoted",
    ]
    sheet = load_workbook(io.BytesIO(tabular.xlsx_bytes("t", ["h"] * len(row), [row]))).active
    cells = next(sheet.iter_rows(min_row=2, values_only=True))
    assert list(cells) == [-3, -2.5, 0, 7, "Kandal", None, None, "a=b", "'quoted"]
    assert [c.data_type for c in sheet[2][:4]] == ["n", "n", "n", "n"]


def test_no_module_writes_a_csv_or_a_workbook_itself():
    """Every export goes through motherline.reports.tabular (readers may use openpyxl)."""
    source = Path(tabular.__file__).parents[1]
    offenders = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if path.name != "tabular.py"
        and re.search(
            r"csv\.(writer|DictWriter)\(|\bWorkbook\(\)|import Workbook\b", path.read_text()
        )
    ]
    assert offenders == []
