"""The field-work API: the same services and access policy as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motherline.fieldwork.models import AccessIncident, FollowUpAction, PrisonVisit
from tests.conftest import TODAY
from tests.factories import admit
from tests.fieldwork.conftest import VISITED, Api, record

VISIT = {
    "prison": "CC2",
    "visit_date": VISITED.isoformat(),
    "team": "Two monitors",
    "access": "granted",
    "women_seen": 5,
    "pregnant_seen": 1,
    "children_seen": 2,
    "findings": {"health_care": "No doctor", "treatment": "Shackles"},
}


def test_record_and_read_a_visit(client, users, prisons):
    woman = admit(users["monitor"], prisons["CC2"])
    api = Api(client, users["monitor"])
    response = api.post("/visits", {**VISIT, "women": [woman.reference]})
    assert response.status_code == 201
    body = response.json()
    assert body["women"] == [woman.reference]
    assert sorted(f["topic"] for f in body["findings"]) == ["health_care", "treatment"]
    visit = PrisonVisit.objects.get()
    assert visit.women_seen == 5
    assert api.get(f"/visits/{visit.pk}").json()["reference"] == visit.reference


def test_visit_refusals_are_422(client, users, prisons):
    api = Api(client, users["monitor"])
    response = api.post("/visits", {**VISIT, "pregnant_seen": 9})
    assert response.status_code == 422
    assert "pregnant_seen" in response.json()["errors"]
    response = api.post("/visits", {**VISIT, "prison": "NOPE"})
    assert response.status_code == 422 and "prison" in response.json()["errors"]
    response = api.post("/visits", {**VISIT, "women": ["W-NOTHERE"]})
    assert response.status_code == 422 and "women" in response.json()["errors"]
    assert not PrisonVisit.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("analyst", 403), ("prison_liaison", 403)])
def test_visit_recording_by_role(client, users, prisons, who, status):
    assert Api(client, users[who]).post("/visits", VISIT).status_code == status
    assert not PrisonVisit.objects.exists()


@pytest.mark.parametrize(
    ("who", "status", "total"),
    [("monitor", 200, 2), ("un_monitor", 200, 2), ("other_monitor", 200, 0), ("viewer", 403, 0)],
)
def test_visit_list_scope(client, users, prisons, who, status, total):
    first = record(users["monitor"], prisons["CC2"])
    record(users["monitor"], prisons["KDL"])
    api = Api(client, users[who])
    response = api.get("/visits?size=1")
    assert response.status_code == status
    if status == 200:
        assert response.json()["total"] == total
        if total:
            assert len(response.json()["items"]) == 1
            nxt = response.json()["next_cursor"]
            assert api.get(f"/visits?size=1&after={nxt}").json()["items"][0]["id"] == first.pk
    detail = api.get(f"/visits/{first.pk}").status_code
    assert detail == {2: 200, 0: 404}[total] if status == 200 else detail == 403


def test_actions_through_the_api(client, users, visit):
    api = Api(client, users["monitor"])
    response = api.post(
        f"/visits/{visit.pk}/actions",
        {"description": "Call the director", "owner": "legal_officer", "due_date": str(TODAY)},
    )
    assert response.status_code == 201
    action = FollowUpAction.objects.get()
    assert action.owner.username == "legal_officer"
    assert api.post(f"/actions/{action.pk}/done", {"done_on": str(TODAY)}).status_code == 200
    assert api.post(f"/actions/{action.pk}/done", {"done_on": str(TODAY)}).status_code == 409
    finding = visit.findings.first()
    response = api.post(f"/findings/{finding.pk}/resolved", {"done_on": str(TODAY)})
    assert response.status_code == 200 and response.json()["resolved_on"] == str(TODAY)
    partner = Api(client, users["un_monitor"])
    body = {"description": "x", "owner": "un_monitor", "due_date": str(TODAY)}
    assert partner.post(f"/visits/{visit.pk}/actions", body).status_code == 404
    assert FollowUpAction.objects.count() == 1


def test_incidents_through_the_api(client, users, prisons, visit):
    api = Api(client, users["monitor"])
    response = api.post(
        "/incidents",
        {
            "prison": "CC2",
            "visit_id": visit.pk,
            "occurred_on": str(VISITED),
            "what_was_refused": "Entry",
            "refused_by": "Chief",
        },
    )
    assert response.status_code == 201
    incident = AccessIncident.objects.get()
    assert incident.visit == visit
    assert api.get("/incidents?open=true").json()["total"] == 1
    response = api.patch(f"/incidents/{incident.pk}", {"version": 1, "restored_on": str(TODAY)})
    assert response.status_code == 200 and response.json()["version"] == 2
    assert (
        api.patch(f"/incidents/{incident.pk}", {"version": 1, "response": "x"}).status_code == 409
    )
    bad = api.patch(
        f"/incidents/{incident.pk}", {"version": 2, "escalated_on": str(TODAY + timedelta(days=1))}
    )
    assert bad.status_code == 422
    assert api.get("/incidents?open=true").json()["total"] == 0
    assert Api(client, users["other_monitor"]).get(f"/incidents/{incident.pk}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [("programme_manager", 200), ("monitor", 403)])
def test_incident_summary_by_role(client, users, prisons, who, status):
    api = Api(client, users[who])
    response = api.get("/incidents/summary")
    assert response.status_code == status
    if status == 200:
        assert response.json()["open"] == 0
