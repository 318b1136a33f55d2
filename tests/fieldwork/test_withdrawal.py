"""Withdrawing a visit, an incident or a training session entered twice: a reason is
required, the record is kept and marked (who, when, why), it leaves the lists, counts and
the worklist and stays readable on its own page; the audit row records it without copying
the reason; the version is checked; only the recording organisation withdraws."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.fieldwork import queries, services
from motherline.fieldwork.models import AccessIncident, PrisonVisit
from motherline.worklist import queries as worklist
from motherline.worklist.rules import Kind
from tests.conftest import TODAY
from tests.factories import admit
from tests.fieldwork.conftest import VISITED, Api, record
from tests.fieldwork.test_training import train

REASON = "Entered twice: the same visit is recorded as the one before."


@pytest.fixture
def incident(users, prisons, visit) -> AccessIncident:
    return services.record_incident(
        users["monitor"],
        prison=prisons["CC2"],
        visit=visit,
        values={
            "occurred_on": VISITED,
            "what_was_refused": "The clinic",
            "refused_by": "Deputy director",
        },
        today=TODAY,
    )


def _overdue_actions(user):
    return [i for i in worklist.worklist_for(user, TODAY) if i.kind == Kind.VISIT_ACTION_OVERDUE]


def test_a_withdrawn_visit_leaves_the_lists_and_the_worklist_and_stays_readable(
    client, users, prisons, visit
):
    monitor = users["monitor"]
    woman = admit(monitor, prisons["CC2"], admission_date=TODAY - timedelta(days=300))
    visit.women.add(woman)
    kept = record(monitor, prisons["CC2"])
    services.add_action(
        monitor, visit, description="Water", owner=monitor, due_date=TODAY - timedelta(days=2)
    )
    assert len(_overdue_actions(monitor)) == 1
    client.force_login(monitor)
    visit_url = reverse("fieldwork:visit", args=[visit.pk])
    her_page = reverse("people:woman", args=[woman.reference])
    assert visit_url in client.get(her_page).text
    withdraw_url = reverse("fieldwork:withdraw_visit", args=[visit.pk])
    assert withdraw_url in client.get(visit_url).text
    assert client.get(withdraw_url).status_code == 200

    blank = client.post(withdraw_url, {"version": 1, "reason": "   "})
    assert blank.status_code == 200 and "This field is required." in blank.text
    response = client.post(withdraw_url, {"version": 1, "reason": REASON})
    assert response.status_code == 302 and response.url == visit_url

    visit.refresh_from_db()
    assert visit.is_withdrawn and visit.withdrawn_by == monitor
    assert (visit.withdrawal_reason, visit.version) == (REASON, 2)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=visit.reference)
    assert event.changes == {"withdrawn": True, "fields": ["withdrawal_reason"]}
    # Lists, counts, the prison's open findings, her page and the worklist: without it.
    assert [v.pk for v in queries.visits(monitor)] == [kept.pk]
    listed = Api(client, monitor).get("/visits").json()
    assert (listed["total"], [v["id"] for v in listed["items"]]) == (1, [kept.pk])
    assert {f.visit_id for f in queries.open_findings(monitor, prisons["CC2"])} == {kept.pk}
    assert _overdue_actions(monitor) == []
    assert visit_url not in client.get(her_page).text
    # Its own page: readable, marked withdrawn with who, why, and no button.
    page = client.get(visit_url)
    assert page.status_code == 200 and "Withdrawn" in page.text and REASON in page.text
    assert withdraw_url not in page.text
    assert reverse("fieldwork:correct_visit", args=[visit.pk]) not in page.text
    detail = Api(client, monitor).get(f"/visits/{visit.pk}").json()
    assert detail["withdrawn_at"] and detail["withdrawal_reason"] == REASON
    # A withdrawn visit is no longer changed, nor withdrawn twice.
    with pytest.raises(ValidationError):
        services.correct_visit(monitor, visit, {"team": "X"}, version=2, today=TODAY)
    patch = Api(client, monitor).patch(f"/visits/{visit.pk}", {"version": 2, "team": "X"})
    assert patch.status_code == 422
    again = Api(client, monitor).post(
        f"/visits/{visit.pk}/withdrawal", {"version": 2, "reason": REASON}
    )
    assert again.status_code == 422


def test_the_api_withdraws_from_the_version_read_with_a_reason(client, users, visit):
    api = Api(client, users["monitor"])
    url = f"/visits/{visit.pk}/withdrawal"
    missing = api.post(url, {"reason": REASON})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    no_reason = api.post(url, {"version": 1})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["errors"]
    blank = api.post(url, {"version": 1, "reason": "  "})
    assert blank.status_code == 422 and "reason" in blank.json()["errors"]
    long = api.post(url, {"version": 1, "reason": "x" * 501})
    assert long.status_code == 422 and "reason" in long.json()["errors"]
    assert api.post(url, {"version": 7, "reason": REASON}).status_code == 409
    visit.refresh_from_db()
    assert not visit.is_withdrawn and visit.version == 1
    done = api.post(url, {"version": 1, "reason": REASON})
    assert done.status_code == 200, done.content
    assert done.json()["withdrawn_at"] and done.json()["version"] == 2


def test_a_stale_withdrawal_page_is_refused(client, users, visit):
    client.force_login(users["monitor"])
    services.correct_visit(users["monitor"], visit, {"team": "Three"}, version=1, today=TODAY)
    response = client.post(
        reverse("fieldwork:withdraw_visit", args=[visit.pk]), {"version": 1, "reason": REASON}
    )
    assert response.status_code == 200 and "Someone else changed this record" in response.text
    visit.refresh_from_db()
    assert not visit.is_withdrawn


def test_a_withdrawn_incident_leaves_the_figures_and_stays_readable(
    client, users, prisons, visit, incident
):
    monitor = users["monitor"]
    before = queries.resolution(monitor)
    client.force_login(monitor)
    url = reverse("fieldwork:withdraw_incident", args=[incident.pk])
    incident_url = reverse("fieldwork:incident", args=[incident.pk])
    assert url in client.get(incident_url).text
    assert client.post(url, {"version": 1, "reason": REASON}).status_code == 302
    incident.refresh_from_db()
    assert incident.is_withdrawn and incident.version == 2
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE, object_ref=incident.reference, changes__withdrawn=True
    ).exists()
    assert before.open == 1 and queries.resolution(monitor).open == 0
    assert queries.incidents_by_prison_and_year(monitor) == ([], [])
    assert list(queries.incidents(monitor)) == []
    assert Api(client, monitor).get("/incidents").json()["total"] == 0
    assert queries.visit_detail(monitor, visit.pk).incidents.all().count() == 0
    page = client.get(incident_url)
    assert page.status_code == 200 and REASON in page.text
    assert 'name="escalated_to"' not in page.text  # no more changes
    update = Api(client, monitor).patch(
        f"/incidents/{incident.pk}", {"version": 2, "response": "X"}
    )
    assert update.status_code == 422


def test_the_incident_api_withdraws_from_the_version_read(client, users, incident):
    api = Api(client, users["monitor"])
    url = f"/incidents/{incident.pk}/withdrawal"
    assert api.post(url, {"reason": REASON}).status_code == 422
    assert api.post(url, {"version": 3, "reason": REASON}).status_code == 409
    answer = api.post(url, {"version": 1, "reason": REASON})
    assert answer.status_code == 200 and answer.json()["withdrawal_reason"] == REASON


def test_a_withdrawn_training_session_leaves_the_list_and_the_totals(client, users):
    monitor = users["monitor"]
    session = train(monitor)
    kept = train(monitor, participants=[("Phnom Penh court", 3, 3)])
    client.force_login(monitor)
    url = reverse("fieldwork:withdraw_training", args=[session.pk])
    detail_url = reverse("fieldwork:training_session", args=[session.pk])
    assert url in client.get(detail_url).text
    assert client.post(url, {"version": 1, "reason": REASON}).status_code == 302
    assert [s.pk for s in queries.training_sessions(monitor)] == [kept.pk]
    (total,) = queries.training_totals(monitor)
    assert (total.sessions, total.women, total.men) == (1, 3, 3)
    api = Api(client, monitor)
    assert api.get("/training").json()["total"] == 1
    page = client.get(detail_url)
    assert page.status_code == 200 and REASON in page.text and url not in page.text
    assert api.get(f"/training/{session.pk}").json()["withdrawn_at"]
    patch = api.patch(f"/training/{session.pk}", {"version": 2, "place": "X"})
    assert patch.status_code == 422
    stale = api.post(f"/training/{kept.pk}/withdrawal", {"version": 5, "reason": REASON})
    assert stale.status_code == 409
    missing = api.post(f"/training/{kept.pk}/withdrawal", {"reason": REASON})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor"])
def test_a_partner_and_an_outsider_cannot_withdraw(client, users, visit, incident, who):
    session = train(users["monitor"])
    client.force_login(users[who])
    pages = [
        reverse("fieldwork:withdraw_visit", args=[visit.pk]),
        reverse("fieldwork:withdraw_incident", args=[incident.pk]),
        reverse("fieldwork:withdraw_training", args=[session.pk]),
    ]
    for url in pages:
        assert client.get(url).status_code == 404
        assert client.post(url, {"version": 1, "reason": REASON}).status_code == 404
    api = Api(client, users[who])
    for path in (
        f"/visits/{visit.pk}/withdrawal",
        f"/incidents/{incident.pk}/withdrawal",
        f"/training/{session.pk}/withdrawal",
    ):
        assert api.post(path, {"version": 1, "reason": REASON}).status_code == 404
    assert not PrisonVisit.objects.filter(withdrawn_at__isnull=False).exists()
    assert not AccessIncident.objects.filter(withdrawn_at__isnull=False).exists()
    session.refresh_from_db()
    assert not session.is_withdrawn
