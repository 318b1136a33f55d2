"""The pages of visits, a prison's history and access incidents: each role's access, what
the database holds after a POST, and the query counts of the busy pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.fieldwork import services
from motherline.fieldwork.models import AccessIncident, FollowUpAction, PrisonVisit
from tests.conftest import TODAY
from tests.factories import admit
from tests.fieldwork.conftest import VISITED, record

VISIT_POST = {
    "prison": "CC2",
    "visit_date": VISITED.isoformat(),
    "team": "Two monitors",
    "access": "partial",
    "women_seen": "8",
    "pregnant_seen": "1",
    "children_seen": "3",
    "finding_health_care": "No doctor for three weeks.",
    "finding_children": "No milk for infants.",
}


def test_monitor_records_a_visit_with_findings_and_women(client, users, prisons):
    woman = admit(users["monitor"], prisons["CC2"])
    client.force_login(users["monitor"])
    assert client.get(reverse("fieldwork:new_visit")).status_code == 200
    response = client.post(reverse("fieldwork:new_visit"), {**VISIT_POST, "women": woman.reference})
    visit = PrisonVisit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldwork:visit", args=[visit.pk])
    assert (visit.access, visit.women_seen, visit.prison.code) == ("partial", 8, "CC2")
    assert sorted(visit.findings.values_list("topic", flat=True)) == ["children", "health_care"]
    assert list(visit.women.all()) == [woman]


def test_visit_form_shows_errors_beside_fields(client, users, prisons):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:new_visit"),
        {**VISIT_POST, "pregnant_seen": "9", "women": "W-NOTHERE"},
    )
    assert response.status_code == 200
    assert "No woman you may see has these references: W-NOTHERE" in response.text
    response = client.post(reverse("fieldwork:new_visit"), {**VISIT_POST, "pregnant_seen": "9"})
    assert "More pregnant women than women seen." in response.text
    assert not PrisonVisit.objects.exists()


def test_a_woman_of_another_organisation_cannot_be_linked(client, users, prisons):
    hidden = admit(users["other_monitor"], prisons["CC2"])
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:new_visit"), {**VISIT_POST, "women": hidden.reference}
    )
    assert response.status_code == 200
    assert not PrisonVisit.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("analyst", 403), ("viewer", 403), ("prison_liaison", 403), ("programme_manager", 200)],
)
def test_who_may_open_the_visit_form(client, users, who, status):
    client.force_login(users[who])
    assert client.get(reverse("fieldwork:new_visit")).status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("monitor", 200),
        ("un_monitor", 200),  # the NGO shares with the UN office
        ("other_monitor", 404),
        ("prison_liaison", 404),
        ("analyst", 403),
        ("viewer", 403),
    ],
)
def test_who_may_see_a_visit(client, users, visit, who, status):
    client.force_login(users[who])
    response = client.get(reverse("fieldwork:visit", args=[visit.pk]))
    assert response.status_code == status
    if status == 200:
        assert "No antenatal check-up since March." in response.text
        assert AuditEvent.objects.filter(
            action=AuditAction.VIEW, object_ref=visit.reference, user=users[who]
        ).exists()


def test_linked_women_show_only_to_who_may_see_them(client, users, prisons):
    own = admit(users["monitor"], prisons["CC2"])
    visit = record(users["monitor"], prisons["CC2"], women=[own])
    client.force_login(users["monitor"])
    assert own.reference in client.get(reverse("fieldwork:visit", args=[visit.pk])).text
    client.force_login(users["un_monitor"])  # the woman did not consent to partners
    assert own.reference not in client.get(reverse("fieldwork:visit", args=[visit.pk])).text


def test_partner_sees_the_visit_without_forms(client, users, visit):
    client.force_login(users["un_monitor"])
    page = client.get(reverse("fieldwork:visit", args=[visit.pk]))
    assert "Add a follow-up action" not in page.text
    response = client.post(
        reverse("fieldwork:add_action", args=[visit.pk]),
        {"description": "x", "owner": users["un_monitor"].username, "due_date": TODAY.isoformat()},
    )
    assert response.status_code == 404
    assert not FollowUpAction.objects.exists()


def test_add_and_complete_an_action(client, users, visit):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:add_action", args=[visit.pk]),
        {
            "description": "Write to the director about water",
            "owner": users["legal_officer"].username,
            "due_date": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 302
    action = FollowUpAction.objects.get()
    assert (action.owner, action.status) == (users["legal_officer"], "open")
    page = client.get(reverse("fieldwork:visit", args=[visit.pk]))
    assert "overdue" in page.text
    client.post(reverse("fieldwork:action_done", args=[action.pk]), {"done_on": TODAY.isoformat()})
    action.refresh_from_db()
    assert (action.status, action.done_on) == ("done", TODAY)


def test_action_form_errors_show_on_the_visit_page(client, users, visit):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("fieldwork:add_action", args=[visit.pk]),
        {
            "description": "Too early",
            "owner": users["monitor"].username,
            "due_date": (VISITED - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "An action cannot be due before the visit that called for it." in response.text
    assert not FollowUpAction.objects.exists()


def test_resolve_a_finding_from_the_visit_page(client, users, visit):
    finding = visit.findings.get(topic="antenatal_care")
    client.force_login(users["monitor"])
    client.post(
        reverse("fieldwork:finding_resolved", args=[finding.pk]), {"done_on": TODAY.isoformat()}
    )
    finding.refresh_from_db()
    assert finding.resolved_on == TODAY
    page = client.get(reverse("fieldwork:prison", args=["CC2"]))
    assert "No antenatal check-up since March." not in page.text
    assert "Drinking water rationed" in page.text


def test_prison_page_lists_history_and_open_items(
    client, users, prisons, django_assert_max_num_queries
):
    for days in range(5):
        record(users["monitor"], prisons["CC2"], visit_date=VISITED - timedelta(days=days * 30))
    record(users["other_monitor"], prisons["CC2"], findings={"treatment": "Hidden finding"})
    services.record_incident(
        users["monitor"],
        prison=prisons["CC2"],
        values={"occurred_on": VISITED, "what_was_refused": "Cameras", "refused_by": "Chief"},
    )
    client.force_login(users["monitor"])
    with django_assert_max_num_queries(11):
        page = client.get(reverse("fieldwork:prison", args=["CC2"]))
    assert page.status_code == 200
    assert "5 visits." in page.text
    assert "Hidden finding" not in page.text
    assert "Cameras" in page.text


def test_prison_page_pages_by_keyset(client, users, prisons, settings):
    settings.MOTHERLINE_PAGE_SIZE = 2
    visits = [
        record(users["monitor"], prisons["CC2"], visit_date=VISITED - timedelta(days=d))
        for d in range(3)
    ]
    client.force_login(users["monitor"])
    page = client.get(reverse("fieldwork:prison", args=["CC2"]))
    assert page.context["page"].total == 3
    assert [v.pk for v in page.context["page"].items] == [visits[0].pk, visits[1].pk]
    second = client.get(reverse("fieldwork:prison", args=["CC2"]) + page.context["next_url"])
    assert [v.pk for v in second.context["page"].items] == [visits[2].pk]


@pytest.mark.parametrize(("who", "status"), [("analyst", 403), ("viewer", 403), ("monitor", 200)])
def test_who_may_see_a_prison_page(client, users, prisons, who, status):
    client.force_login(users[who])
    assert client.get(reverse("fieldwork:prison", args=["CC2"])).status_code == status


def test_visit_list_counts_and_filters(client, users, prisons, django_assert_max_num_queries):
    for _ in range(3):
        record(users["monitor"], prisons["CC2"])
    record(users["monitor"], prisons["KDL"])
    client.force_login(users["monitor"])
    with django_assert_max_num_queries(9):
        page = client.get(reverse("fieldwork:visits"))
    assert page.context["page"].total == 4
    page = client.get(reverse("fieldwork:visits") + "?prison=KDL")
    assert page.context["page"].total == 1


# Access incidents


def test_incident_one_click_from_a_refused_visit(client, users, prisons):
    visit = record(
        users["monitor"],
        prisons["KDL"],
        access="refused",
        women_seen=0,
        pregnant_seen=0,
        children_seen=0,
        findings={},
    )
    client.force_login(users["monitor"])
    form = client.get(reverse("fieldwork:new_incident") + f"?visit={visit.pk}")
    assert form.context["form"].initial["prison"] == "KDL"
    assert form.context["form"].initial["occurred_on"] == VISITED
    response = client.post(
        reverse("fieldwork:new_incident") + f"?visit={visit.pk}",
        {
            "prison": "KDL",
            "occurred_on": VISITED.isoformat(),
            "what_was_refused": "Entry to the prison",
            "refused_by": "Prison director",
            "escalated_to": "UN office",
            "escalated_on": VISITED.isoformat(),
        },
    )
    incident = AccessIncident.objects.get()
    assert response.status_code == 302
    assert (incident.visit, incident.prison.code, incident.escalated_to) == (
        visit,
        "KDL",
        "UN office",
    )


def test_incident_update_and_stale_version(client, users, prisons):
    incident = services.record_incident(
        users["monitor"],
        prison=prisons["CC2"],
        values={"occurred_on": VISITED, "what_was_refused": "Cameras", "refused_by": "Chief"},
    )
    client.force_login(users["monitor"])
    url = reverse("fieldwork:incident", args=[incident.pk])
    response = client.post(url, {"version": 1, "restored_on": TODAY.isoformat(), "response": "OK"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert (incident.restored_on, incident.version) == (TODAY, 2)
    response = client.post(url, {"version": 1, "response": "late"}, follow=True)
    assert "Someone else changed this record" in response.text
    incident.refresh_from_db()
    assert incident.response == "OK"


@pytest.mark.parametrize(
    ("who", "status"),
    [("un_monitor", 404), ("other_monitor", 404), ("analyst", 403), ("monitor", 302)],
)
def test_who_may_change_an_incident(client, users, prisons, who, status):
    incident = services.record_incident(
        users["monitor"],
        prison=prisons["CC2"],
        values={"occurred_on": VISITED, "what_was_refused": "Cameras", "refused_by": "Chief"},
    )
    client.force_login(users[who])
    url = reverse("fieldwork:incident", args=[incident.pk])
    assert client.post(url, {"version": 1, "response": "changed"}).status_code == status
    incident.refresh_from_db()
    assert (incident.response == "changed") == (status == 302)


@pytest.mark.parametrize(
    ("who", "status"),
    [("programme_manager", 200), ("administrator", 200), ("monitor", 403), ("analyst", 403)],
)
def test_incident_overview_is_for_programme_managers(
    client, users, prisons, who, status, django_assert_max_num_queries
):
    for days, restored in ((100, 10), (60, 4), (5, None)):
        services.record_incident(
            users["monitor"],
            prison=prisons["CC2" if days > 50 else "KDL"],
            values={
                "occurred_on": TODAY - timedelta(days=days),
                "what_was_refused": "Entry",
                "refused_by": "Chief",
                "restored_on": TODAY - timedelta(days=days - restored) if restored else None,
            },
        )
    client.force_login(users[who])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("fieldwork:incidents"))
    assert response.status_code == status
    if status == 200:
        resolution = response.context["resolution"]
        assert (resolution.open, resolution.resolved, resolution.mean_days) == (1, 2, 7.0)
        assert [i.days_open for i in response.context["page"].items] == [5]
        rows = {r.prison_code: r.total for r in response.context["by_prison"]}
        assert rows == {"CC2": 2, "KDL": 1}
