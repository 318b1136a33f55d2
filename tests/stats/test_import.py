"""Importing population returns: all or nothing, every problem reported, idempotent."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from motherline.accounts.models import AuditEvent
from motherline.core.actors import SystemActor
from motherline.stats.importer import COLUMNS
from motherline.stats.models import PopulationReturn
from motherline.stats.services import import_returns, returns_template

# The command line, run by the operator.
OPERATOR = SystemActor("import_returns")
TODAY = date(2026, 6, 15)
HEADER = ",".join(COLUMNS)


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def run(content: bytes, source: str = "prison_authority", user=OPERATOR):
    return import_returns(user, content, "returns.csv", source, today=TODAY)


GOOD = csv_file(
    "CC2,31/03/2013,1200,0,1200,0,500,12,9,8,40",
    "KDL,31/03/2013,700,650,50,300,20,5,3,2,4",
    "KDL,30/04/2013,710,655,55,,,,,,",
)


def test_good_csv_imports_every_row(prisons):
    result = run(GOOD)
    assert result.ok and (result.created, result.updated, result.unchanged) == (3, 0, 0)
    cc2 = PopulationReturn.objects.get(prison=prisons["CC2"])
    assert (cc2.date, cc2.total, cc2.women, cc2.pretrial_women, cc2.children_in_prison) == (
        date(2013, 3, 31),
        1200,
        1200,
        500,
        40,
    )
    april = PopulationReturn.objects.get(date=date(2013, 4, 30))
    assert april.pretrial_women is None and april.women == 55
    event = AuditEvent.objects.get(object_type="stats.PopulationReturn")
    assert event.changes["created"] == 3 and event.action == "create"


def test_reimporting_the_same_file_changes_nothing(prisons):
    run(GOOD)
    before = list(PopulationReturn.objects.values_list("pk", "imported_at", "women"))
    again = run(GOOD)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert list(PopulationReturn.objects.values_list("pk", "imported_at", "women")) == before


def test_a_corrected_row_updates_the_stored_return(prisons):
    run(GOOD)
    result = run(csv_file("KDL,30/04/2013,712,655,57,,,,,,"))
    assert (result.created, result.updated) == (0, 1)
    assert PopulationReturn.objects.get(date=date(2013, 4, 30)).women == 57
    assert PopulationReturn.objects.count() == 3


def test_the_same_prison_and_date_from_another_source_is_another_return(prisons):
    run(GOOD)
    run(csv_file("KDL,30/04/2013,700,650,50,,,,,,"), source="ngo_census")
    assert PopulationReturn.objects.filter(date=date(2013, 4, 30)).count() == 2


BAD_ROWS = [
    ("KDL,31/03/2013,-5,,,,,,,,", "total", "negative"),
    ("KDL,31/03/2013,12a,,,,,,,,", "total", "not a whole number"),
    ("KDL,31/03/2013,10,,11,,,,,,", "women", "more than total"),
    ("XYZ,31/03/2013,10,,,,,,,,", "prison", "unknown prison"),
    ("KDL,31/12/2026,10,,,,,,,,", "date", "future"),
    ("KDL,31/02/2013,10,,,,,,,,", "date", "not a real date"),
    ("KDL,March 2013,10,,,,,,,,", "date", "not a date"),
    ("KDL,31/03/2013,10,5,4,,,,,,", "total", "do not add up"),
    ("KDL,31/03/2013,10,5,5,,,,,,7", "", ""),  # valid: children are not bounded by women
    ("KDL,31/03/2013,10,5,5,,6,,,,", "pretrial_women", "more than women"),
    ("KDL,31/03/2013,10,5,5,,,,,6,", "pregnant_women", "more than women"),
    ("KDL,31/03/2013,10,5,5,,,11,,,", "minors", "more than total"),
    ("KDL,31/03/2013,10,5,5,,,,,1.5,", "pregnant_women", "not a whole number"),
    (",31/03/2013,10,5,5,,,,,,", "prison", "required"),
]


@pytest.mark.parametrize(("row", "column", "reason"), [r for r in BAD_ROWS if r[1]])
def test_each_kind_of_bad_row_is_reported_and_nothing_is_imported(prisons, row, column, reason):
    result = run(csv_file("CC2,31/03/2013,1200,0,1200,0,500,12,9,8,40", row))
    assert not result.ok
    assert [(e.line, e.column) for e in result.errors] == [(3, column)]
    assert reason in result.errors[0].message
    assert PopulationReturn.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="stats.PopulationReturn").exists()


def test_every_bad_row_of_a_file_is_reported_at_once(prisons):
    result = run(
        csv_file(
            "CC2,31/03/2013,1200,0,1200,0,500,12,9,8,40",
            "KDL,31/03/2013,-1,,,,,,,,",
            "KDL,30/04/2013,10,,11,,,,,,",
            "CC2,31/03/2013,1200,0,1200,0,500,12,9,8,40",
        )
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (3, "total"),
        (4, "women"),
        (5, "prison"),  # duplicate of line 2
    ]
    assert "line 2" in result.errors[2].message
    assert PopulationReturn.objects.count() == 0


def test_a_prison_not_open_on_the_date_is_refused(prisons):
    prisons["KDL"].opened_on = date(2010, 1, 1)
    prisons["KDL"].save()
    result = run(csv_file("KDL,31/03/2009,10,,,,,,,,"))
    assert [(e.column, "not open" in e.message) for e in result.errors] == [("date", True)]


def test_wrong_headers_are_reported_on_line_one(prisons):
    result = run(csv_file("KDL,31/03/2013,10", header="prison,day,total,womenn"))
    columns = {(e.line, e.column) for e in result.errors}
    assert (1, "day") in columns and (1, "womenn") in columns and (1, "date") in columns
    assert all(e.line == 1 for e in result.errors)
    assert PopulationReturn.objects.count() == 0


def test_an_empty_file_and_a_file_that_is_not_text(prisons):
    assert "empty" in run(b"").errors[0].message
    assert run(b"\xff\xfe\x00bad").errors[0].line == 0


def test_khmer_digits_and_cambodian_date_formats_are_read(prisons):
    result = run(
        csv_file(
            'KDL,៣១/០៣/២០១៣,"១,២០០",,,,,,,,',
            "kdl,30-04-2013,1 210,,,,,,,,",
            "KDL,31.05.2013,1220,,,,,,,,",
            "Kandal Provincial Prison,30 មិថុនា 2013,1230,,,,,,,,",
            "KDL,31 Jul 2013,1240,,,,,,,,",
            "KDL,2013-08-31,១២៥០,,,,,,,,",
        )
    )
    assert result.ok, result.errors
    assert list(PopulationReturn.objects.order_by("date").values_list("date", "total")) == [
        (date(2013, 3, 31), 1200),
        (date(2013, 4, 30), 1210),
        (date(2013, 5, 31), 1220),
        (date(2013, 6, 30), 1230),
        (date(2013, 7, 31), 1240),
        (date(2013, 8, 31), 1250),
    ]


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_imports_with_real_dates_and_numbers(prisons):
    content = xlsx(
        [
            ["CC2", date(2013, 3, 31), 1200, 0, 1200, 0, 500, 12, 9, 8, 40],
            ["KDL", "30/04/2013", 710.0, 655, 55, None, None, None, None, None, None],
        ]
    )
    result = run(content)
    assert result.ok and result.created == 2
    assert run(content).unchanged == 2


def test_xlsx_bad_rows_report_their_sheet_row(prisons):
    result = run(xlsx([["CC2", date(2013, 3, 31), 10, 5, 5], ["KDL", "x", -3]]))
    assert {(e.line, e.column) for e in result.errors} == {(3, "date"), (3, "total")}
    assert PopulationReturn.objects.count() == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_template_imports_cleanly(prisons, kind):
    prisons["CC2"].code = "KH-CC2"
    prisons["CC2"].save()
    result = run(returns_template(kind, "KH-CC2"))
    assert result.ok, result.errors
    assert PopulationReturn.objects.get().women == 1200


def test_roles_without_the_capability_cannot_import(prisons, users):
    for role in ("monitor", "viewer", "legal_officer", "prison_liaison"):
        with pytest.raises(PermissionDenied):
            run(GOOD, user=users[role])
    assert run(GOOD, user=users["analyst"]).created == 3
    assert PopulationReturn.objects.filter(imported_by=users["analyst"]).count() == 3


def test_command_imports_and_reports_problems(prisons, tmp_path, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(GOOD)
    call_command("import_returns", str(good), "--source", "ngo_census")
    assert PopulationReturn.objects.filter(source="ngo_census").count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_file("KDL,31/03/2013,-1,,,,,,,,"))
    with pytest.raises(CommandError):
        call_command("import_returns", str(bad), "--source", "ngo_census")
    assert "bad.csv:2: total" in capsys.readouterr().err


def test_counts_keep_the_models_range_and_dates_the_floor(prisons):
    """Values the database would refuse (PostgreSQL's integer range) or that no return can
    hold (a date before 1900) are refused with their line and column, nothing written."""
    result = run(
        csv_file(
            "CC2,31/03/2013,99999999999,0,99999999999,0,,,,,",
            "KDL,01/01/0001,700,650,50,,,,,,",
        )
    )
    problems = {(e.line, e.column): e.message for e in result.errors}
    assert "10,000,000" in problems[(2, "total")]
    assert "1 January 1950" in problems[(3, "date")]
    assert PopulationReturn.objects.count() == 0
