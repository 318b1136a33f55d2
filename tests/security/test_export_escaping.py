"""The audit trail's CSV export: a username or a record reference that looks like a formula is
written with a leading quote, so a spreadsheet program reads it as text."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent


def test_formula_like_values_are_quoted_in_the_audit_export(client, users):
    AuditEvent.objects.create(
        user=users["monitor"],
        username="+1",
        action=AuditAction.VIEW,
        object_type="people.Woman",
        object_ref="@SUM(A1)",
        changes={"q": '=HYPERLINK("http://x","y")'},
    )
    client.force_login(users["administrator"])
    response = client.get(reverse("security:audit_export"), {"object_ref": "@SUM(A1)"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    row = rows[1]
    assert row[0].isdigit()  # the id stays a number
    assert (row[2], row[5]) == ("'+1", "'@SUM(A1)")
    assert row[7].startswith("{")  # the changes are a JSON object, not a formula
