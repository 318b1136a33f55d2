"""The bounded reader of uploaded tables and the ceiling on a request's size."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from motherline.fieldwork.models import PrisonVisit
from motherline.stats.models import PopulationReturn
from motherline.uploads import FileRefused, Limits, column_name, read_table
from tests.hostile_files import _OPEN, _rows_xml, _xlsx_with_sheet

LIMITS = Limits(
    upload_bytes=1 << 20,
    unzipped_bytes=4 << 20,
    compression_ratio=100,
    zip_entries=50,
    rows=100,
    columns=10,
    cells=500,
    cell_chars=1_000,
)


def rows(content: bytes, filename: str = "f.csv", limits: Limits = LIMITS) -> list:
    return list(read_table(content, filename, limits))


def refusal(content: bytes, filename: str = "f.csv", limits: Limits = LIMITS) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        rows(content, filename, limits)
    return refused.value


def workbook(*lines: list) -> bytes:
    book = Workbook()
    for line in lines:
        book.active.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_with_commas_or_semicolons_and_quoted_lines_keeps_each_records_first_line():
    assert rows(b'a;b\n1;"two\nlines"\n3;4\n') == [
        (1, ["a", "b"]),
        (2, ["1", "two\nlines"]),
        (4, ["3", "4"]),
    ]
    assert rows("\ufeffa,b\nខ,2\n".encode()) == [(1, ["a", "b"]), (2, ["ខ", "2"])]
    assert rows(b"") == []


def test_xlsx_cells_keep_their_types():
    assert rows(workbook(["a", "b"], [1, "x"]), "f.xlsx") == [(1, ["a", "b"]), (2, [1, "x"])]


def test_each_limit_is_named_with_its_line_and_column():
    nul = refusal(b"prison,team\nCC2,a\x00b\n")
    assert (nul.line, nul.column) == (2, "team")
    long = refusal(b"a,b\n1," + b"x" * 1_001 + b"\n")
    assert long.line == 2 and "1,000 characters" in long.message
    wide = refusal(b",".join([b"c"] * 11) + b"\n")
    assert "11 columns, more than the limit of 10" in wide.message
    tall = refusal(b"a\n" + b"1\n" * 101)
    assert tall.line == 102 and "more than 100 rows" in tall.message
    cells = refusal(b"a,b,c,d,e,f,g,h,i,j\n" + b"1,2,3,4,5,6,7,8,9,0\n" * 60)
    assert "more than 500 cells" in cells.message
    latin = refusal("a\nb\nPénh\n".encode("latin-1"))
    assert latin.line == 3 and "not UTF-8" in latin.message
    big = refusal(b"a\n" + b"1\n" * 600_000)
    assert "more than the limit of 1 MB" in big.message


def test_the_csv_field_limit_is_given_back():
    before = csv.field_size_limit()
    refusal(b"a\n" + b"x" * 5_000 + b"\n")
    rows(b"a\nb\n")
    assert csv.field_size_limit() == before


def test_xlsx_rows_are_counted_while_the_sheet_streams():
    book = _xlsx_with_sheet(_rows_xml(5_000))
    refused = refusal(book, "f.xlsx")
    assert refused.line == 102 and "more than 100 rows" in refused.message


def test_xlsx_compression_ratio_and_entries_are_read_from_the_zip_directory():
    bomb = _xlsx_with_sheet(iter([_OPEN.encode(), b"<row><c><v>1</v></c></row>" * 100_000]))
    assert "compressed more than 100 times" in refusal(bomb, "f.xlsx").message
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for n in range(60):
            archive.writestr(f"part{n}.xml", "<a/>")
    assert "more than 50 parts" in refusal(out.getvalue(), "f.xlsx").message


def test_openpyxl_parses_with_defusedxml():
    from openpyxl.xml.functions import iterparse

    assert iterparse.__module__.startswith("defusedxml")


def test_column_names():
    assert [column_name(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]


# The request


def test_api_answers_413_before_reading_a_body_over_the_limit(client, users, prisons, settings):
    settings.MOTHERLINE_REQUEST_MAX_BYTES = 2_000
    client.force_login(users["monitor"])
    big = SimpleUploadedFile("e.csv", b"instanceID\n" + b"x\n" * 2_000)
    response = client.post("/api/v1/imports/visits", {"file": big})
    assert response.status_code == 413
    assert "larger than the limit" in response.json()["detail"]
    assert not PrisonVisit.objects.exists()


def test_a_json_body_over_djangos_limit_is_413(client, users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000
    client.force_login(users["monitor"])
    response = client.post(
        "/api/v1/visits", json.dumps({"notes": "x" * 2_000}), content_type="application/json"
    )
    assert response.status_code == 413
    assert "detail" in response.json()


def test_a_page_answers_413_with_the_limit(client, users, settings):
    settings.MOTHERLINE_REQUEST_MAX_BYTES = 2_000
    client.force_login(users["monitor"])
    big = SimpleUploadedFile("e.csv", b"x" * 5_000)
    page = client.post(reverse("fieldwork:import"), {"kind": "visits", "file": big})
    assert page.status_code == 413
    assert "larger than the limit" in page.text


def test_a_file_over_the_import_limit_is_refused_on_the_form(client, users, prisons, settings):
    settings.MOTHERLINE_IMPORT_MAX_BYTES = 1 << 20
    client.force_login(users["analyst"])
    big = SimpleUploadedFile("r.csv", b"prison\n" + b"CC2\n" * 300_000)
    page = client.post(reverse("stats:import"), {"file": big, "source": "ngo_census"})
    assert page.status_code == 200
    assert "more than the limit of 1 MB" in page.text
    response = client.post(
        "/api/v1/stats/returns",
        {"file": SimpleUploadedFile("r.csv", big.file.getvalue()), "source": "ngo_census"},
    )
    assert response.status_code == 422
    assert "more than the limit of 1 MB" in response.json()["errors"][0]["message"]
    assert not PopulationReturn.objects.exists()


def test_shared_strings_are_read_as_openpyxl_reads_them():
    from openpyxl.reader.strings import read_string_table

    from tests.hostile_files import STRINGS

    table = (
        b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><si><t>prison</t></si><si><t xml:space="preserve"> '
        b"KH-CC2 </t></si><si><r><t>Po</t></r><r><rPr><b/></rPr><t>ng</t></r>"
        b"<rPh sb='0' eb='1'><t>x</t></rPh></si><si><t>\xe1\x9e\x96\xe1\x9e\x93\xe1\x9e\x92"
        b"a&amp;b_x005F_x</t></si></sst>"
    )
    sheet = (
        _OPEN.encode() + b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2" t="s"><v>2</v></c>'
        b'<c r="C2" t="s"><v>3</v></c></row></sheetData></worksheet>'
    )
    book = _xlsx_with_sheet(iter([table]), part=STRINGS)
    archive = zipfile.ZipFile(io.BytesIO(book))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in archive.infolist():
            target.writestr(
                entry, sheet if entry.filename.endswith("sheet1.xml") else archive.read(entry)
            )
    expected = read_string_table(io.BytesIO(table))
    assert rows(out.getvalue(), "f.xlsx") == [(1, ["prison"]), (2, expected[1:])]
    assert expected[1:] == [" KH-CC2 ", "Pong", "ពនធa&b_x"]


def test_the_page_names_the_cell_of_a_refusal(client, users, prisons):
    client.force_login(users["monitor"])
    nul = SimpleUploadedFile("e.csv", b"instanceID,team\nuuid:1,a\x00b\n")
    page = client.post(reverse("fieldwork:import"), {"kind": "visits", "file": nul})
    assert page.context["form"].errors["file"] == [
        "Line 2, column team: The cell holds the invisible NUL character: remove it."
    ]
    assert not PrisonVisit.objects.exists()
