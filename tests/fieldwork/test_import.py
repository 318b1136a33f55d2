"""Importing ODK/KoBoToolbox exports of the XLSForms: the forms convert with pyxform,
re-importing changes nothing, a malformed export reports each bad row and writes nothing."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from motherline.fieldwork.importing import import_services, import_visits, read_rows
from motherline.fieldwork.models import Finding, PrisonVisit
from motherline.fieldwork.xlsforms import write_xlsforms
from motherline.grants.models import ServiceDelivery
from motherline.people import services as people_services
from tests.conftest import TODAY
from tests.factories import admit, current_version, reload

FORMS = Path(__file__).resolve().parents[2] / "forms"


def _csv(rows: list[dict[str, str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _visit(n: int, **fields: str) -> dict[str, str]:
    return {
        "start": "", "group_visit/prison": "CC2", "visit_date": str(TODAY - timedelta(days=3)),
        "team": "Two monitors", "access": "granted", "women_seen": "10", "pregnant_seen": "1",
        "children_seen": "2", "finding_food_and_water": "No water" if n % 2 else "",
        "meta/instanceID": f"uuid:visit-{n}", **fields,
    }  # fmt: skip


def test_the_shipped_xlsforms_are_current_and_convert_with_pyxform(tmp_path):
    from pyxform.xls2xform import convert

    written = write_xlsforms(tmp_path)
    assert sorted(p.name for p in written) == ["prison_visit.xlsx", "service_delivery.xlsx"]
    for path in written:
        shipped = FORMS / path.name
        assert shipped.exists(), f"run write_xlsforms: {path.name} is not in forms/"
        result = convert(xlsform=str(shipped))
        assert "<h:html" in result.xform
        assert "women_seen" in result.xform or "service_type" in result.xform


def test_import_visits_and_again(users, prisons):
    rows = read_rows(_csv([_visit(n) for n in range(5)], delimiter=";"), "export.csv")
    report = import_visits(users["monitor"], rows, today=TODAY)
    assert (report.ok, report.created, report.skipped) == (True, 5, 0)
    assert PrisonVisit.objects.filter(organisation=users["monitor"].organisation).count() == 5
    assert Finding.objects.count() == 2
    again = import_visits(users["monitor"], rows, today=TODAY)
    assert (again.created, again.skipped) == (0, 5)
    assert PrisonVisit.objects.count() == 5


def test_a_one_column_file_is_refused_row_by_row_not_a_server_error(users, prisons):
    # No delimiter in the header: read as plain CSV, each row refused with its reasons.
    rows = read_rows(b"instanceID\nuuid:1\n", "export.csv")
    assert rows == [(2, {"instanceid": "uuid:1"})]
    report = import_visits(users["monitor"], rows, today=TODAY)
    assert not report.ok and report.errors
    assert PrisonVisit.objects.count() == 0


def test_a_malformed_export_reports_each_row_and_writes_nothing(users, prisons):
    rows = read_rows(
        _csv(
            [
                _visit(1),
                _visit(2, **{"group_visit/prison": "NOPE"}),
                _visit(3, visit_date="yesterday"),
                _visit(4, pregnant_seen="11"),
                _visit(1),
                _visit(6, **{"meta/instanceID": ""}),
            ]
        ),
        "export.csv",
    )
    report = import_visits(users["monitor"], rows, today=TODAY)
    assert [(e.line, e.field) for e in report.errors] == [
        (3, "prison"), (4, "visit_date"), (5, "pregnant_seen"), (6, "instanceID"),
        (7, "instanceID"),
    ]  # fmt: skip
    assert not PrisonVisit.objects.exists()


def test_import_services_from_xlsx_with_the_custody_rule(users, prisons):
    woman = reload(admit(users["monitor"], prisons["CC2"]))
    released = reload(admit(users["monitor"], prisons["CC2"]))
    people_services.record_release(
        users["monitor"],
        released.current_episode,
        TODAY - timedelta(days=10),
        "bail",
        today=TODAY,
        version=current_version(released.current_episode),
    )
    book = Workbook()
    sheet = book.active
    sheet.append(["woman", "to_woman", "service_type", "delivered_on", "quantity", "cost", "_uuid"])
    sheet.append([woman.reference, "yes", "hygiene_kit", TODAY - timedelta(days=2), 1, 7.5, "u1"])
    sheet.append([released.reference, "yes", "legal_aid", TODAY - timedelta(days=2), 1, 40, "u2"])
    out = io.BytesIO()
    book.save(out)
    rows = read_rows(out.getvalue(), "services.xlsx")
    report = import_services(users["monitor"], rows, today=TODAY)
    assert [(e.line, e.field) for e in report.errors] == [(3, "delivered_on")]
    assert "She was released on" in report.errors[0].reason
    assert not ServiceDelivery.objects.exists()
    rows = [r for r in rows if r[0] != 3]
    assert import_services(users["monitor"], rows, today=TODAY).created == 1
    assert import_services(users["monitor"], rows, today=TODAY).skipped == 1
    outsider = import_services(
        users["other_monitor"], rows[:1] and [(2, {**rows[0][1], "_uuid": "u9"})]
    )
    assert outsider.errors[0].field == "woman"


def test_import_command(users, prisons, tmp_path, capsys):
    path = tmp_path / "visits.csv"
    path.write_bytes(_csv([_visit(1), _visit(2)]))
    call_command("import", "visits", str(path), user="monitor")
    assert PrisonVisit.objects.count() == 2
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([_visit(9, access="maybe")]))
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "visits", str(bad), user="monitor")
    assert "bad.csv:2: access:" in capsys.readouterr().err
    with pytest.raises(PermissionDenied):
        call_command("import", "visits", str(path), user="analyst")


def test_upload_page(client, users, prisons):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client.force_login(users["monitor"])
    bad = SimpleUploadedFile("export.csv", _csv([_visit(1), _visit(2, access="maybe")]))
    page = client.post(reverse("fieldwork:import"), {"kind": "visits", "file": bad})
    assert "1 problem: nothing was imported." in page.text
    assert not PrisonVisit.objects.exists()
    good = SimpleUploadedFile("export.csv", _csv([_visit(1), _visit(2)]))
    client.post(reverse("fieldwork:import"), {"kind": "visits", "file": good})
    assert PrisonVisit.objects.count() == 2
    junk = SimpleUploadedFile("export.xlsx", b"not a workbook")
    page = client.post(reverse("fieldwork:import"), {"kind": "visits", "file": junk})
    assert "is not an XLSX workbook" in page.text
    client.force_login(users["analyst"])
    assert client.get(reverse("fieldwork:import")).status_code == 403


def test_import_api(client, users, prisons):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(users["monitor"])
    bad = SimpleUploadedFile("e.csv", _csv([_visit(1, team="")]))
    response = client.post("/api/v1/imports/visits", {"file": bad})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"line": 2, "field": "team", "reason": "Name who went, by role."}
    ]
    good = SimpleUploadedFile("e.csv", _csv([_visit(1)]))
    response = client.post("/api/v1/imports/visits", {"file": good})
    assert response.status_code == 200 and response.json()["created"] == 1
    client.force_login(users["viewer"])
    again = SimpleUploadedFile("e.csv", _csv([_visit(2)]))
    assert client.post("/api/v1/imports/visits", {"file": again}).status_code == 403
    assert PrisonVisit.objects.count() == 1


def test_each_cell_keeps_the_rules_of_the_pages_form(users, prisons):
    """The form's length, integer, number and date rules and the model's ranges, row by row:
    what PostgreSQL would refuse with a server error is refused with line, field and why."""
    rows = read_rows(
        _csv(
            [
                _visit(1, team="t" * 256),
                _visit(2, women_seen="99999999999"),
                _visit(3, children_seen="inf"),
                _visit(4, visit_date="0001-01-01"),
                _visit(5, **{"meta/instanceID": "u" * 65}),
                _visit(6, access="granted; drop"),
            ]
        ),
        "export.csv",
    )
    report = import_visits(users["monitor"], rows, today=TODAY)
    problems = {(e.line, e.field): e.reason for e in report.errors}
    assert "at most 255 characters" in problems[(2, "team")]
    assert "100000" in problems[(3, "women_seen")]
    assert "whole number" in problems[(4, "children_seen")]
    assert "1900-01-01" in problems[(5, "visit_date")]
    assert "at most 64 characters" in problems[(6, "instanceID")]
    assert (7, "access") in problems
    assert not PrisonVisit.objects.exists()


def test_service_cells_keep_the_rules_of_the_pages_form(users, prisons):
    woman = reload(admit(users["monitor"], prisons["CC2"]))
    base = {
        "woman": woman.reference, "to_woman": "yes", "service_type": "hygiene_kit",
        "delivered_on": str(TODAY - timedelta(days=1)), "quantity": "1", "cost": "7.5",
    }  # fmt: skip
    rows = read_rows(
        _csv(
            [
                {**base, "_uuid": "u1", "cost": "NaN"},
                {**base, "_uuid": "u2", "quantity": "1e400"},
                {**base, "_uuid": "u3", "cost": "12345678901234"},
                {**base, "_uuid": "u4", "woman": "W-" + "9" * 30},
                {**base, "_uuid": "u5", "delivered_on": "1899-12-31"},
            ]
        ),
        "export.csv",
    )
    report = import_services(users["monitor"], rows, today=TODAY)
    fields = {(e.line, e.field) for e in report.errors}
    assert fields == {(2, "cost"), (3, "quantity"), (4, "cost"), (5, "woman"), (6, "delivered_on")}
    assert not ServiceDelivery.objects.exists()
