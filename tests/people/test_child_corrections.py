"""A child's details and the birth's registration are correctable where the child is shown:
the child's page (web forms) and `PATCH /api/v1/children/{reference}`, each with the version
check, the audit trail and the worklist's deadlines kept in step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import services
from motherline.people.models import Child
from motherline.worklist import deadlines
from motherline.worklist.models import Deadline
from motherline.worklist.queries import worklist_for
from motherline.worklist.rules import Kind
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison
from tests.worklist.conftest import _on_today  # noqa: F401 (an autouse fixture)
from tests.worklist.test_deadlines import assert_in_step

BORN = TODAY - timedelta(days=100)
STALE = "Someone else changed this record while you were editing it."


@pytest.fixture
def child(users, prisons) -> Child:
    """A baby living in prison with the mother (shared with partners), birth not
    registered: the pack's 30 days passed 70 days ago."""
    woman = admit(
        users["monitor"],
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=60),
        name="Sokha Chan",
        date_of_birth=date(1995, 1, 1),
        consent_scope="partners",
        children=[child_in_prison(BORN, name="Dara")],
    )
    return woman.children.get()


def patch(client, child: Child, body: dict[str, Any]):
    return client.patch(
        f"/api/v1/children/{child.reference}", body, content_type="application/json"
    )


def registration_items(user) -> list[str]:
    return [
        i.subject.reference
        for i in worklist_for(user, TODAY)
        if i.kind == Kind.BIRTH_NOT_REGISTERED
    ]


def raw(column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM people_child WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_recording_the_registration_on_the_web_clears_the_worklist_item(client, users, child):
    monitor = users["monitor"]
    assert registration_items(monitor) == [child.reference]
    client.force_login(monitor)
    page = client.get(f"/children/{child.reference}/")
    assert "Record the birth registration" in page.text
    assert "To be registered by" in page.text
    # The readings of the age limit, with their source (the default ones here).
    assert "takes the new limit from the day it takes effect" in page.text
    assert "birthday on 28 February in a common year" in page.text

    url = f"/children/{child.reference}/birth-registration/?next=/worklist/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "birth_registered_on": (TODAY - timedelta(days=2)).isoformat(),
            "birth_certificate_number": " KH-123/2026 ",
            "version": 1,
            "next": "/worklist/",
        },
    )

    assert response.status_code == 302
    assert response.url == "/worklist/"
    stored = Child.objects.get(pk=child.pk)
    assert (stored.birth_registered, stored.birth_registered_on, stored.version) == (
        True,
        TODAY - timedelta(days=2),
        2,
    )
    assert stored.birth_certificate_number == "KH-123/2026"
    # Encrypted at rest, like the child's name.
    assert raw("birth_certificate_number", child.pk).startswith("gAAAAA")
    assert registration_items(monitor) == []
    assert_in_step()
    [event] = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=child.reference)
    assert event.changes["fields"] == [
        "birth_certificate_number",
        "birth_registered",
        "birth_registered_on",
    ]
    assert "KH-123" not in str(event.changes)


def test_a_registration_is_refused_without_its_date_and_number_and_nothing_is_written(
    client, users, child
):
    client.force_login(users["monitor"])
    url = f"/children/{child.reference}/birth-registration/"
    response = client.post(url, {"birth_registered_on": "", "version": 1})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {
        "birth_registered_on",
        "birth_certificate_number",
    }
    before_birth = (BORN - timedelta(days=1)).isoformat()
    response = client.post(
        url, {"birth_registered_on": before_birth, "birth_certificate_number": "1", "version": 1}
    )
    assert "The registration cannot be before the birth" in response.text
    assert Child.objects.get(pk=child.pk).version == 1
    assert not Child.objects.get(pk=child.pk).birth_registered


def test_a_stale_form_is_refused_with_a_message(client, users, child):
    services.update_child(users["legal_officer"], child, {"name": "First"}, version=1)
    client.force_login(users["monitor"])
    response = client.post(
        f"/children/{child.reference}/edit/",
        {"name": "Late", "sex": "female", "date_of_birth": BORN.isoformat(), "version": 1},
    )
    assert response.status_code == 200
    assert STALE in response.text
    assert Child.objects.get(pk=child.pk).name == "First"


def test_a_corrected_birth_date_moves_the_stored_deadlines(client, users, child):
    client.force_login(users["monitor"])
    response = client.post(
        f"/children/{child.reference}/edit/",
        {
            "name": "Dara",
            "name_latin": "Dara",
            "sex": "female",
            "date_of_birth": (BORN + timedelta(days=50)).isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert_in_step()
    row = Deadline.objects.get(kind=Kind.BIRTH_NOT_REGISTERED, child_id=child.pk)
    assert row.due_date == BORN + timedelta(days=80)
    age = Deadline.objects.get(kind=Kind.CHILD_AGE_LIMIT, child_id=child.pk)
    assert age.facts["dob"] == (BORN + timedelta(days=50)).isoformat()


def test_the_api_corrects_only_the_fields_sent(client, users, child):
    client.force_login(users["monitor"])
    response = patch(
        client,
        child,
        {
            "version": 1,
            "name_latin": "Dara Chan",
            "birth_registered": True,
            "birth_registered_on": TODAY.isoformat(),
            "birth_certificate_number": "123",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["name"], body["name_latin"]) == (2, "Dara", "Dara Chan")
    assert (body["birth_registered_on"], body["birth_certificate_number"]) == (
        TODAY.isoformat(),
        "123",
    )
    assert registration_items(users["monitor"]) == []
    assert_in_step()


@pytest.mark.parametrize(
    ("body", "status", "errors"),
    [
        ({"name": "No version"}, 422, {"version"}),
        ({"version": 1, "date_of_birth": "1899-12-31"}, 422, {"date_of_birth"}),
        ({"version": 1, "date_of_birth": "1994-01-01"}, 422, {"date_of_birth"}),
        ({"version": 1, "birth_certificate_number": "123"}, 422, {"birth_certificate_number"}),
        ({"version": 1, "birth_registered_on": TODAY.isoformat()}, 422, {"birth_registered_on"}),
        ({"version": 1, "sex": "x"}, 422, {"sex"}),
        ({"version": 1, "name": "x" * 201}, 422, {"name"}),
    ],
)
def test_the_api_refuses_a_bad_field_and_writes_nothing(client, users, child, body, status, errors):
    client.force_login(users["monitor"])
    response = patch(client, child, body)
    assert response.status_code == status, response.content
    assert set(response.json()["errors"]) == errors
    stored = Child.objects.get(pk=child.pk)
    assert (stored.version, stored.birth_registered, stored.date_of_birth) == (1, False, BORN)


def test_the_api_answers_a_stale_version_with_409(client, users, child):
    services.update_child(users["legal_officer"], child, {"name": "First"}, version=1)
    client.force_login(users["monitor"])
    response = patch(client, child, {"version": 1, "name": "Late"})
    assert response.status_code == 409
    assert response.json()["errors"]["__all__"][0].startswith(STALE)
    assert Child.objects.get(pk=child.pk).name == "First"


def test_a_partner_reads_but_may_not_change_and_an_outsider_sees_nothing(client, users, child):
    client.force_login(users["un_monitor"])
    page = client.get(f"/children/{child.reference}/")
    assert page.status_code == 200
    assert "Record the birth registration" not in page.text
    assert "You can read this record but not change it" in page.text
    assert patch(client, child, {"version": 1, "name": "X"}).status_code == 403
    assert client.get(f"/children/{child.reference}/edit/").status_code == 403
    client.force_login(users["other_monitor"])
    assert patch(client, child, {"version": 1, "name": "X"}).status_code == 404
    assert client.get(f"/children/{child.reference}/birth-registration/").status_code == 404
    assert Child.objects.get(pk=child.pk).name == "Dara"


def test_a_child_of_18_has_no_registration_item_and_the_check_agrees(users, prisons):
    # Recorded long ago, when she was a baby (entry refuses an 18-year-old living in prison),
    # and never moved out since.
    born = date(TODAY.year - 18, TODAY.month, TODAY.day)
    woman = admit(
        users["monitor"],
        prisons["CC2"],
        today=born + timedelta(days=30),
        admission_date=born + timedelta(days=30),
        date_of_birth=date(1980, 1, 1),
        children=[child_in_prison(born)],
    )
    child = woman.children.get()
    deadlines.refresh_pending()
    assert Deadline.objects.get(kind=Kind.BIRTH_NOT_REGISTERED, child_id=child.pk).ends_on == TODAY
    assert registration_items(users["monitor"]) == []
    assert deadlines.check().none
