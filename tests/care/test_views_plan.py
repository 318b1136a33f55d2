"""The pages that change a transition plan: open, next step, edit, close, follow-up visits,
reopen and extensions. Each asserts the response and what the database then holds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care.models import LeaveExtension, TransitionPlan
from motherline.jurisdictions.models import AgeLimitRule
from motherline.people.models import PlacementKind
from tests.care.conftest import (
    CAREGIVER,
    LEAVE_BY,
    advance,
    approve_handover,
    open_plan,
    plan_at,
)
from tests.conftest import TODAY
from tests.factories import admit, child_outside, children_of


def child_url(child) -> str:
    return reverse("people:child", args=[child.reference]) + "#plan"


@pytest.fixture
def signed_in(client, monitor):
    client.force_login(monitor)
    return client


# Opening


def test_open_plan_page_shows_the_due_date_and_opens_on_post(signed_in, child):
    page = signed_in.get(reverse("care:open", args=[child.reference]))
    assert page.status_code == 200
    assert "1 August 2026" in page.text
    response = signed_in.post(reverse("care:open", args=[child.reference]))
    assert response.status_code == 302
    assert response["Location"] == child_url(child)
    plan = TransitionPlan.objects.get(child=child)
    assert (plan.status, plan.due_date, plan.opened_on) == ("open", LEAVE_BY, TODAY)


def test_open_plan_twice_goes_to_the_plan(signed_in, child):
    signed_in.post(reverse("care:open", args=[child.reference]))
    response = signed_in.post(reverse("care:open", args=[child.reference]), follow=True)
    assert "already has a transition plan" in response.text
    assert TransitionPlan.objects.count() == 1


def test_open_plan_for_a_child_outside_says_why_not(signed_in, monitor, prisons):
    woman = admit(monitor, prisons["CC2"], children=[child_outside(TODAY.replace(year=2020))])
    child = children_of(woman)[0]
    response = signed_in.post(reverse("care:open", args=[child.reference]))
    assert response.status_code == 200
    assert "not living in prison" in response.text
    assert not TransitionPlan.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("programme_manager", 403), ("un_monitor", 404)])
def test_open_plan_refused(client, users, child, who, status):
    client.force_login(users[who])
    assert client.post(reverse("care:open", args=[child.reference])).status_code == status
    assert not TransitionPlan.objects.exists()


# Next step


def test_caregiver_step_shows_errors_beside_fields(signed_in, monitor, child):
    plan = open_plan(monitor, child)
    url = reverse("care:advance", args=[plan.pk])
    page = signed_in.get(url)
    assert "Next step: Caregiver identified" in page.text
    assert 'name="caregiver_name"' in page.text
    response = signed_in.post(url, {"version": plan.version, "caregiver_name": "Chea"})
    assert response.status_code == 200
    assert "field-error" in response.text
    assert "Say how the caregiver is related to the child." in response.text
    plan.refresh_from_db()
    assert plan.status == "open"
    response = signed_in.post(url, {"version": plan.version, **CAREGIVER})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "caregiver_identified"
    assert plan.caregiver_location == "Takeo, Bati district"


def test_assessment_step_with_an_unsuitable_home(signed_in, monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    url = reverse("care:advance", args=[plan.pk])
    response = signed_in.post(
        url,
        {
            "version": plan.version,
            "assessed_on": TODAY.isoformat(),
            "home_is_suitable": "no",
            "assessment_notes": "No room",
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.home_is_suitable) == ("assessed", False)
    response = signed_in.post(
        reverse("care:advance", args=[plan.pk]),
        {"version": plan.version, "handed_over_on": TODAY.isoformat()},
    )
    assert response.status_code == 200
    assert "identify another caregiver" in response.text


def test_handover_waits_for_an_approved_best_interests_assessment(signed_in, monitor, child):
    plan = plan_at(monitor, child, "assessed")
    url = reverse("care:advance", args=[plan.pk])
    page = signed_in.get(url)
    assert "approved by a programme manager" in page.text
    response = signed_in.post(url, {"version": plan.version, "handed_over_on": TODAY.isoformat()})
    # Refused with the reason at the top of the form; the child is still in prison.
    assert response.status_code == 200
    assert "cannot be handed over before a best-interests assessment" in response.text
    assert child.placements.get(end_date__isnull=True).kind == PlacementKind.IN_PRISON
    assert TransitionPlan.objects.get(pk=plan.pk).status == "assessed"


def test_handover_step_moves_the_child_out(signed_in, monitor, child):
    plan = plan_at(monitor, child, "assessed")
    approved = approve_handover(monitor, plan)
    page = signed_in.get(reverse("care:advance", args=[plan.pk]))
    assert "Grandmother Chea" in page.text
    assert reverse("care:assessment", args=[approved.pk]) in page.text
    response = signed_in.post(
        reverse("care:advance", args=[plan.pk]),
        {"version": plan.version, "handed_over_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    current = child.placements.get(end_date__isnull=True)
    assert current.kind == PlacementKind.WITH_CAREGIVER
    assert TransitionPlan.objects.get(pk=plan.pk).follow_ups.count() == 3


def test_followed_up_step_waits_for_the_visits(signed_in, monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    response = signed_in.post(reverse("care:advance", args=[plan.pk]), {"version": plan.version})
    assert response.status_code == 200
    assert "3 follow-up visits are still to be recorded" in response.text


def test_a_stale_step_is_refused(signed_in, monitor, child):
    plan = open_plan(monitor, child)
    stale = plan.version
    advance(monitor, plan, "caregiver_identified", **CAREGIVER)
    response = signed_in.post(
        reverse("care:advance", args=[plan.pk]),
        {"version": stale, "assessed_on": TODAY.isoformat(), "home_is_suitable": "yes"},
    )
    assert response.status_code == 200
    assert "Someone else changed this record" in response.text
    assert TransitionPlan.objects.get(pk=plan.pk).status == "caregiver_identified"


# Edit


def test_edit_plan(signed_in, monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    url = reverse("care:edit", args=[plan.pk])
    page = signed_in.get(url)
    assert 'value="Grandmother Chea"' in page.text
    assert 'name="assessed_on"' not in page.text  # recorded by the assessment step
    data = {
        "version": plan.version,
        **CAREGIVER,
        "caregiver_contact": "097 000",
        "support_money": "on",
        "support_notes": "Rice every month",
    }
    response = signed_in.post(url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.caregiver_contact == "097 000" and plan.support_money
    # The same version again is stale.
    response = signed_in.post(url, {**data, "caregiver_contact": "096"})
    assert "Someone else changed this record" in response.text
    plan.refresh_from_db()
    assert plan.caregiver_contact == "097 000"


def test_a_closed_plan_is_not_edited(signed_in, monitor, child):
    plan = advance(monitor, open_plan(monitor, child), "closed", close_reason="not_needed")
    response = signed_in.get(reverse("care:edit", args=[plan.pk]), follow=True)
    assert "reopen it to change it" in response.text
    response = signed_in.post(
        reverse("care:edit", args=[plan.pk]), {"version": plan.version, **CAREGIVER}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.caregiver_name == ""


# Close and reopen


def test_close_offers_only_the_reasons_of_the_step(signed_in, monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    url = reverse("care:close", args=[plan.pk])
    page = signed_in.get(url)
    assert 'value="left_with_mother"' in page.text
    assert 'value="completed"' not in page.text
    response = signed_in.post(url, {"version": plan.version, "close_reason": "completed"})
    assert response.status_code == 200
    assert TransitionPlan.objects.get(pk=plan.pk).status == "caregiver_identified"
    response = signed_in.post(url, {"version": plan.version, "close_reason": "not_needed"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.close_reason, plan.closed_on) == ("closed", "not_needed", TODAY)


def test_reopen_needs_a_reason_and_is_audited(signed_in, monitor, child):
    plan = advance(
        monitor, plan_at(monitor, child, "assessed"), "closed", close_reason="not_needed"
    )
    url = reverse("care:reopen", args=[plan.pk])
    assert "No longer needed" in signed_in.get(url).text
    response = signed_in.post(url, {"reason": "", "version": plan.version})
    assert response.status_code == 200
    assert TransitionPlan.objects.get(pk=plan.pk).status == "closed"
    response = signed_in.post(url, {"reason": "Still in prison after all"})
    assert response.status_code == 200  # the page did not say which version it changes
    assert TransitionPlan.objects.get(pk=plan.pk).status == "closed"
    response = signed_in.post(url, {"reason": "Still in prison after all", "version": 99})
    assert response.status_code == 200  # someone changed the plan since
    assert TransitionPlan.objects.get(pk=plan.pk).status == "closed"
    data = {"reason": "Still in prison after all", "version": plan.version}
    response = signed_in.post(url, data)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "assessed"
    event = AuditEvent.objects.filter(object_type="care.TransitionPlan").latest("id")
    assert event.changes["reopened"]["reason"] == "Still in prison after all"


# Follow-ups


def test_record_a_follow_up_visit(signed_in, monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    follow_up = plan.follow_ups.first()
    url = reverse("care:follow_up", args=[plan.pk, follow_up.pk])
    assert "Visit due on 5 July 2026" in signed_in.get(url).text
    data = {
        "done_on": TODAY.isoformat(),
        "outcome": "well",
        "child_situation": "with_caregiver",
        "caregiver_seen": plan.caregiver_id,
        "notes": "Going to the commune's school",
        "version": plan.version,
    }
    response = signed_in.post(url, data)
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.outcome) == (TODAY, "well")
    assert follow_up.child_situation == "with_caregiver"
    assert follow_up.caregiver_seen_id == plan.caregiver_id
    assert follow_up.notes == "Going to the commune's school"
    # The visit counts as a change of the plan: a page read before it is out of date.
    assert signed_in.post(url, data).status_code == 200
    assert TransitionPlan.objects.get(pk=plan.pk).version == plan.version + 1
    response = signed_in.post(
        url,
        {
            "done_on": (TODAY + timedelta(days=1)).isoformat(),
            "outcome": "well",
            "child_situation": "with_caregiver",
            "version": plan.version + 1,
        },
    )
    assert response.status_code == 200
    assert "future" in response.text


# Extensions


def test_extension_refused_where_the_pack_allows_none(signed_in, child):
    url = reverse("care:extension", args=[child.reference])
    assert "The rule does not allow an extension." in signed_in.get(url).text
    data = {"months": 3, "reason": "Ill", "approved_by": "Director", "approved_on": TODAY}
    response = signed_in.post(url, data)
    assert response.status_code == 200
    assert "does not allow" in response.text
    assert not LeaveExtension.objects.exists()


def test_extension_recorded(signed_in, jurisdiction, child):
    AgeLimitRule.objects.filter(jurisdiction=jurisdiction).update(
        extension_allowed=True, max_extension_months=6
    )
    url = reverse("care:extension", args=[child.reference])
    data = {"months": 2, "reason": "Ill", "approved_by": "Director", "approved_on": TODAY}
    response = signed_in.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith("#leave-by")
    assert LeaveExtension.objects.get(child=child).months == 2


# Access and audit


def test_form_pages_are_reads_of_the_child(signed_in, monitor, child):
    plan = open_plan(monitor, child)
    for url in (
        reverse("care:advance", args=[plan.pk]),
        reverse("care:edit", args=[plan.pk]),
        reverse("care:close", args=[plan.pk]),
        reverse("care:plan", args=[plan.pk]),
    ):
        assert signed_in.get(url).status_code == 200, url
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_ref=child.reference)
    assert views.count() == 4


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor"])
def test_plans_of_others_are_not_found(client, users, monitor, child, who):
    plan = open_plan(monitor, child)
    client.force_login(users[who])
    for name in ("advance", "edit", "close", "reopen", "plan"):
        assert client.get(reverse(f"care:{name}", args=[plan.pk])).status_code == 404, name


def test_readers_may_see_a_plan_but_not_change_it(client, users, child):
    plan = open_plan(users["monitor"], child)
    client.force_login(users["programme_manager"])
    response = client.get(reverse("care:plan", args=[plan.pk]))
    assert response.status_code == 200
    assert reverse("care:edit", args=[plan.pk]) not in response.text
    assert client.get(reverse("care:edit", args=[plan.pk])).status_code == 403
