"""The donor report XLSX: a donor, a purpose or a budget line that looks like a formula is read
back as text, never as a formula; amounts (an overspent, negative remainder too) stay numbers."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from motherline.grants.models import BudgetLine, Grant

FORMULA = '=HYPERLINK("http://x","y")'


def test_formula_like_names_are_text_in_the_donor_report(client, users, grant: Grant, mother):
    Grant.objects.filter(pk=grant.pk).update(donor=FORMULA, purpose="+1")
    BudgetLine.objects.filter(grant=grant, code="1").update(name="@SUM(A1)")
    client.force_login(users["programme_manager"])
    response = client.get(
        reverse("grants:report", args=[grant.pk]),
        {"start": "2026-01-01", "end": "2026-06-30", "language": "en", "format": "xlsx"},
    )
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    cells = {
        cell.value: cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    }
    for value in (FORMULA, "+1", "@SUM(A1)"):
        assert cells[value].data_type == "s", value
    assert not [c for c in cells.values() if c.data_type == "f"]
    budget = [row for row in book.worksheets[1].iter_rows(min_row=2) if row[1].value == "@SUM(A1)"]
    assert budget[0][2].value == 9000 and budget[0][2].data_type == "n"
