"""Correcting a visit: one declaration (`fieldwork.actions.VisitChanges`) gives the API's
body and the page's form; the version is checked and the audit row names what changed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.actions import form_for
from motherline.fieldwork import services
from motherline.fieldwork.actions import RecordVisit, VisitChanges
from motherline.fieldwork.models import PrisonVisit
from tests.conftest import TODAY

pytestmark = pytest.mark.usefixtures("frozen_today")


@pytest.fixture
def visit(users, prisons):
    return services.record_visit(
        users["monitor"],
        RecordVisit(
            prison="CC2",
            visit_date=TODAY - timedelta(days=3),
            team="Two monitors",
            access="granted",
            women_seen=12,
            pregnant_seen=2,
            children_seen=4,
            notes="Water tank broken",
        ),
        today=TODAY,
    )


def test_the_form_and_the_api_take_their_limits_from_the_one_declaration():
    form = form_for(VisitChanges, model=PrisonVisit)()
    schema = VisitChanges.model_json_schema()["properties"]
    assert form.fields["team"].max_length == PrisonVisit._meta.get_field("team").max_length
    assert form.fields["women_seen"].max_value == 100_000
    assert str(form.fields["women_seen"].label) == "Women seen"
    assert [value for value, _ in form.fields["access"].choices][1:] == [
        "granted",
        "partial",
        "refused",
    ]
    assert form.fields["version"].required
    team = next(s for s in schema["team"]["anyOf"] if s.get("type") == "string")
    assert team["maxLength"] == form.fields["team"].max_length


def test_the_page_corrects_what_differs_and_the_audit_names_it(client, users, visit):
    client.force_login(users["monitor"])
    url = reverse("fieldwork:correct_visit", args=[visit.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Two monitors"' in page.text
    data = {
        "version": visit.version,
        "visit_date": visit.visit_date.strftime("%d/%m/%Y"),
        "team": "Three monitors",
        "access": "granted",
        "women_seen": "12",
        "pregnant_seen": "2",
        "children_seen": "5",
        "notes": "Water tank broken",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    visit.refresh_from_db()
    assert (visit.team, visit.children_seen, visit.version) == ("Three monitors", 5, 2)
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=visit.reference).get()
    assert event.changes["fields"] == ["children_seen", "team"]
    assert event.changes["values"] == {"children_seen": [4, 5]}
    # The same page sent again, at the version it was read at: refused, nothing written.
    again = client.post(url, {**data, "team": "Four monitors"})
    assert again.status_code == 200 and "Someone else changed this record" in again.text
    visit.refresh_from_db()
    assert visit.team == "Three monitors"


def test_the_page_shows_every_refusal_beside_its_field(client, users, visit):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:correct_visit", args=[visit.pk]),
        {
            "version": visit.version,
            "visit_date": (TODAY + timedelta(days=2)).isoformat(),
            "team": "x",
            "access": "granted",
            "women_seen": "1",
            "pregnant_seen": "3",
            "children_seen": "0",
        },
    )
    assert response.status_code == 200
    assert "this date is ahead" in response.text
    assert "More pregnant women than women seen" in response.text
    visit.refresh_from_db()
    assert visit.version == 1


def test_the_api_patches_only_what_is_sent(client, users, visit):
    client.force_login(users["monitor"])
    url = reverse("api:visit", args=[visit.pk])
    answer = client.patch(url, {"version": 1, "women_seen": 14}, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert answer.json()["women_seen"] == 14 and answer.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "team": "X"}, content_type="application/json")
    assert stale.status_code == 409
    null = client.patch(url, {"version": 2, "team": None}, content_type="application/json")
    assert null.status_code == 422 and "team" in null.json()["errors"]
    cleared = client.patch(url, {"version": 2, "notes": None}, content_type="application/json")
    assert cleared.status_code == 200 and cleared.json()["notes"] == ""
    wrong = client.patch(url, {"version": 3, "access": "refused"}, content_type="application/json")
    assert wrong.status_code == 422 and "access" in wrong.json()["errors"]


def test_another_organisation_cannot_correct_it(client, users, visit):
    client.force_login(users["other_monitor"])
    assert client.get(reverse("fieldwork:correct_visit", args=[visit.pk])).status_code == 404
    answer = client.patch(
        reverse("api:visit", args=[visit.pk]),
        {"version": 1, "team": "X"},
        content_type="application/json",
    )
    assert answer.status_code == 404
    visit.refresh_from_db()
    assert visit.team == "Two monitors"
