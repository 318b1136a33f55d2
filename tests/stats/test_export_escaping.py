"""The statistics exports and the returns template: a prison name that looks like a formula is
read back as text in CSV and XLSX; counts stay numbers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from motherline.places.models import Prison
from motherline.stats.services import returns_template
from tests.stats.conftest import sign_in
from tests.stats.test_views import QUERY

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_prison(prisons):
    Prison.objects.filter(pk=prisons["CC2"].pk).update(name=FORMULA, name_local="-1+1")


def test_csv_export_quotes_a_formula_like_prison_name(client, users, page_returns, hostile_prison):
    response = sign_in(client, users["analyst"]).get(
        reverse("stats:export", args=["prisons", "csv"]), QUERY
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    row = next(row for row in rows if row[0] == "CC2")
    assert row[1] in ("'" + FORMULA, "'-1+1")
    assert row[2] == "510"  # the count, unquoted


def test_xlsx_export_keeps_a_formula_like_prison_name_as_text(
    client, users, page_returns, hostile_prison
):
    response = sign_in(client, users["analyst"]).get(
        reverse("stats:export", args=["prisons", "xlsx"]), QUERY
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "CC2")
    assert row[1].value in (FORMULA, "-1+1") and row[1].data_type == "s"
    assert row[2].value == 510 and row[2].data_type == "n"
    assert not [c for r in sheet.iter_rows() for c in r if c.data_type == "f"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_returns_template_has_numbers_and_no_formula(kind):
    content = returns_template(kind)
    if kind == "csv":
        rows = list(csv.reader(io.StringIO(content.decode())))
        assert not [v for row in rows for v in row if v and v[0] in "=+-@"]
        assert rows[1][2:4] == ["day", "1200"]
        return
    sheet = load_workbook(io.BytesIO(content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert sheet["D2"].value == 1200 and sheet["D2"].data_type == "n"
