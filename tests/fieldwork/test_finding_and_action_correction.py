"""Correcting a visit's finding and a follow-up action: one declaration each
(`fieldwork.actions.FindingChanges`, `ActionChanges`) gives the API's body and the page's
form; the version is checked, the audit row names what changed, and only the organisation
that made the visit corrects them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.fieldwork import services
from motherline.fieldwork.actions import RecordVisit
from motherline.fieldwork.models import Finding, FollowUpAction
from tests.conftest import TODAY
from tests.fieldwork.conftest import VISITED, Api

STALE = "Someone else changed this record"


@pytest.fixture
def finding(visit) -> Finding:
    return visit.findings.get(topic="food_and_water")


@pytest.fixture
def action(users, visit, finding) -> FollowUpAction:
    return services.add_action(
        users["monitor"],
        visit,
        description="Ask the director about water",
        owner=users["monitor"],
        due_date=TODAY + timedelta(days=10),
        finding=finding,
    )


def _changes(reference: str) -> AuditEvent:
    return AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=reference)


def test_the_page_corrects_a_finding_and_the_audit_names_the_text_only(client, users, finding):
    client.force_login(users["monitor"])
    visit_page = client.get(reverse("fieldwork:visit", args=[finding.visit_id]))
    correct_url = reverse("fieldwork:correct_finding", args=[finding.pk])
    assert correct_url in visit_page.text
    page = client.get(correct_url)
    assert page.status_code == 200 and "Drinking water rationed" in page.text
    data = {
        "version": 1,
        "topic": "space_and_hygiene",
        "description": "Drinking water rationed to one litre a day.",
    }
    response = client.post(correct_url, data)
    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.topic, finding.version) == ("space_and_hygiene", 2)
    assert finding.description.startswith("Drinking water rationed to one litre")
    event = _changes(finding.reference)
    assert event.changes["fields"] == ["description", "topic"]
    assert event.changes["values"] == {"topic": ["food_and_water", "space_and_hygiene"]}
    assert "litre" not in str(event.changes)
    # The same page sent again at the version it was read at: refused, nothing written.
    again = client.post(correct_url, {**data, "topic": "treatment"})
    assert again.status_code == 200 and STALE in again.text
    finding.refresh_from_db()
    assert finding.topic == "space_and_hygiene"


def test_the_api_corrects_a_finding_from_its_version(client, users, finding):
    api = Api(client, users["monitor"])
    url = f"/findings/{finding.pk}"
    answer = api.patch(url, {"version": 1, "description": "No water at all."})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["description"], answer.json()["version"]) == ("No water at all.", 2)
    assert api.patch(url, {"version": 1, "topic": "treatment"}).status_code == 409
    missing = api.patch(url, {"topic": "treatment"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    blank = api.patch(url, {"version": 2, "description": "  "})
    assert blank.status_code == 422 and "description" in blank.json()["errors"]
    finding.refresh_from_db()
    assert (finding.topic, finding.version) == ("food_and_water", 2)


def test_the_page_corrects_an_action_with_the_visits_people_and_findings(
    client, users, visit, action
):
    client.force_login(users["monitor"])
    visit_page = client.get(reverse("fieldwork:visit", args=[visit.pk]))
    correct_url = reverse("fieldwork:correct_action", args=[action.pk])
    assert correct_url in visit_page.text
    page = client.get(correct_url)
    # The owner is chosen among the visit's organisation, the finding among the visit's.
    assert 'value="legal_officer"' in page.text and 'value="un_monitor"' not in page.text
    due = TODAY + timedelta(days=20)
    response = client.post(
        correct_url,
        {
            "version": 1,
            "description": "Ask the director about water",
            "owner": "legal_officer",
            "due_date": due.strftime("%d/%m/%Y"),
            "finding_id": "",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.owner.username, action.due_date, action.finding_id) == (
        "legal_officer",
        due,
        None,
    )
    event = _changes(action.reference)
    assert event.changes["fields"] == ["due_date", "finding_id", "owner"]
    assert event.changes["values"]["owner"] == ["monitor", "legal_officer"]
    assert event.changes["values"]["due_date"][1] == due.isoformat()


def test_an_action_keeps_its_rules_when_corrected(client, users, visit, action):
    api = Api(client, users["monitor"])
    url = f"/actions/{action.pk}"
    early = api.patch(url, {"version": 1, "due_date": (VISITED - timedelta(days=1)).isoformat()})
    assert early.status_code == 422 and "due_date" in early.json()["errors"]
    stranger = api.patch(url, {"version": 1, "owner": "un_monitor"})
    assert stranger.status_code == 422 and "owner" in stranger.json()["errors"]
    other_visit = services.record_visit(
        users["monitor"],
        RecordVisit(
            prison=visit.prison.code,
            visit_date=VISITED,
            team="Two",
            access="granted",
            findings={"treatment": "Beaten"},
        ),
        today=TODAY,
    )
    elsewhere = other_visit.findings.get().pk
    wrong = api.patch(url, {"version": 1, "finding_id": elsewhere})
    assert wrong.status_code == 422 and "finding_id" in wrong.json()["errors"]
    done = api.patch(url, {"version": 1, "owner": "legal_officer"})
    assert done.status_code == 200 and done.json()["owner"] == "legal_officer"
    assert api.patch(url, {"version": 1, "owner": "monitor"}).status_code == 409
    missing = api.patch(url, {"owner": "monitor"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    action.refresh_from_db()
    assert (action.owner.username, action.version) == ("legal_officer", 2)


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor"])
def test_a_partner_and_an_outsider_cannot_correct_them(client, users, finding, action, who):
    """The partner reads the visit (it is shared with the UN office) but may not change it:
    to both it is not found."""
    client.force_login(users[who])
    if who == "un_monitor":
        assert client.get(reverse("fieldwork:visit", args=[finding.visit_id])).status_code == 200
    for url in (
        reverse("fieldwork:correct_finding", args=[finding.pk]),
        reverse("fieldwork:correct_action", args=[action.pk]),
    ):
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": 1}).status_code == 404
    api = Api(client, users[who])
    assert (
        api.patch(f"/findings/{finding.pk}", {"version": 1, "description": "X"}).status_code == 404
    )
    assert api.patch(f"/actions/{action.pk}", {"version": 1, "description": "X"}).status_code == 404
    finding.refresh_from_db()
    action.refresh_from_db()
    assert (finding.version, action.version) == (1, 1)
    assert not AuditEvent.objects.filter(action=AuditAction.CHANGE, username=who).exists()
