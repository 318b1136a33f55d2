"""A child's page: who the child is, where the child has lived, the leave-by date with how
it was worked out, and the transition plan with its actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care import services
from motherline.jurisdictions.models import AgeLimitRule
from motherline.people import services as people_services
from tests.care.conftest import advance, open_plan, plan_at
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, current_version, reload


def url(child) -> str:
    return reverse("people:child", args=[child.reference])


def test_shows_the_child_the_mother_and_the_leave_by_date(client, monitor, mother, child):
    AgeLimitRule.objects.filter(max_age_months=36).update(
        citation="Law on Prisons (2011)", verified=True
    )
    client.force_login(monitor)
    response = client.get(url(child))
    assert response.status_code == 200
    text = response.text
    for expected in (
        "Dara",
        child.reference,
        "2 years 10 months",
        "1 August 2023",
        "Birth not registered",
        f'href="{reverse("people:woman", args=[mother.reference])}"',
        "Sreymom Keo",
        "Living in prison with the mother at Correctional Centre 2",
        # The leave-by date and how it was worked out.
        "1 August 2026",
        "47 days left",
        "The age limit is 3 years (36 months)",
        "under the rule in force since 14 November 2011",
        "Law on Prisons (2011)",
        "verified",
        "The rule does not allow an extension.",
        "No transition plan yet.",
    ):
        assert expected in text, expected
    # The age-limit rule is verified; only the two readings of the age limit (the default
    # ones, no source stated in this jurisdiction) and the birth-registration period are
    # marked as not verified.
    assert text.count("not verified") == 3
    assert "takes the new limit from the day it takes effect" in text


def test_overdue_child(client, monitor, prisons):
    woman = admit(monitor, prisons["CC2"], children=[child_in_prison(date(2023, 6, 1))])
    client.force_login(monitor)
    text = client.get(url(children_of(woman)[0])).text
    assert "14 days overdue" in text
    assert "not verified" in text


def test_every_view_is_audited(client, monitor, child):
    client.force_login(monitor)
    client.get(url(child))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.object_type, event.object_ref, event.user) == (
        "people.Child",
        child.reference,
        monitor,
    )


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(client, users, child, role):
    client.force_login(users[role])
    assert client.get(url(child)).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_outside_the_scope_is_not_found(client, users, child):
    client.force_login(users["other_monitor"])
    assert client.get(url(child)).status_code == 404
    client.force_login(users["un_monitor"])  # the mother consented to the register only
    assert client.get(url(child)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_actions_for_an_editor(client, monitor, child):
    client.force_login(monitor)
    text = client.get(url(child)).text
    assert reverse("care:open", args=[child.reference]) in text
    assert "Open a transition plan" in text
    assert reverse("people:move_child_out", args=[child.reference]) in text
    assert reverse("care:extension", args=[child.reference]) not in text  # KH allows none


def test_extension_action_only_where_the_pack_allows_one(client, monitor, jurisdiction, child):
    AgeLimitRule.objects.filter(jurisdiction=jurisdiction).update(
        extension_allowed=True, max_extension_months=6
    )
    client.force_login(monitor)
    text = client.get(url(child)).text
    assert reverse("care:extension", args=[child.reference]) in text
    assert "up to 6 months in all" in text
    services.record_extension(monitor, child, 6, "Illness", "Director Sok", TODAY, today=TODAY)
    text = client.get(url(child)).text
    assert "1 February 2027" in text
    assert "Extended by 6 months" in text
    assert "Director Sok" in text and "Illness" in text
    assert reverse("care:extension", args=[child.reference]) not in text  # none left


def test_the_plan_with_its_steps_and_actions(client, monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    client.force_login(monitor)
    text = client.get(url(child)).text
    assert "Grandmother Chea" in text and "Grandparent" in text
    assert 'class="step-current" aria-current="step">Caregiver identified' in text
    assert 'class="step-done">Open' in text
    assert "Move to next step: Home assessed" in text
    for name in ("advance", "edit", "close"):
        assert reverse(f"care:{name}", args=[plan.pk]) in text, name
    assert reverse("care:open", args=[child.reference]) not in text


def test_follow_ups_on_the_page(client, monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    client.force_login(monitor)
    text = client.get(url(child)).text
    assert "Handed over on 5 Jun 2026" in text
    assert "5 Jul 2026" in text and "5 Dec 2026" in text
    first = plan.follow_ups.first()
    assert reverse("care:follow_up", args=[plan.pk, first.pk]) in text
    assert "The child does not live in prison now" in text
    assert "practice, not a legal rule" in text


def test_a_closed_plan_offers_reopening_and_a_new_plan(client, monitor, child):
    plan = advance(monitor, open_plan(monitor, child), "closed", close_reason="not_needed")
    client.force_login(monitor)
    text = client.get(url(child)).text
    assert reverse("care:reopen", args=[plan.pk]) in text
    assert reverse("care:edit", args=[plan.pk]) not in text
    assert "Open a new transition plan" in text
    assert 'class="step-skipped"' in text


def test_readers_see_no_actions(client, users, child):
    plan = open_plan(users["monitor"], child)
    client.force_login(users["programme_manager"])
    response = client.get(url(child))
    assert response.status_code == 200
    assert "/plans/" not in response.text
    assert "move-out" not in response.text
    assert f"/plans/{plan.pk}/" not in response.text


def test_partner_reads_a_shared_child_without_actions(client, users, prisons):
    shared = admit(
        users["monitor"],
        prisons["CC2"],
        consent_scope="partners",
        children=[child_in_prison(date(2024, 1, 1))],
    )
    child = children_of(shared)[0]
    open_plan(users["monitor"], child)
    client.force_login(users["un_monitor"])
    response = client.get(url(child))
    assert response.status_code == 200
    assert "Transition plan" in response.text
    assert "/plans/" not in response.text


def _queries(client, user, child) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(child))
    assert response.status_code == 200
    return len(ctx)


def test_query_count_does_not_grow_with_the_history(
    client, monitor, jurisdiction, prisons, mother, child
):
    AgeLimitRule.objects.filter(jurisdiction=jurisdiction).update(
        extension_allowed=True, max_extension_months=12
    )
    first = open_plan(monitor, child)
    small = _queries(client, monitor, child)
    # Transfers (more placements), extensions, an earlier plan and a plan with follow-ups.
    for i, code in enumerate(["KDL", "CC2", "KDL"]):
        people_services.record_transfer(
            monitor,
            reload(mother).current_episode,
            prisons[code],
            TODAY - timedelta(days=60 - i),
            today=TODAY,
            version=current_version(reload(mother).current_episode),
        )
    for months in (1, 2):
        services.record_extension(monitor, child, months, "Ill", "Director", TODAY, today=TODAY)
    advance(monitor, first, "closed", close_reason="not_needed")
    plan = plan_at(monitor, child, "handed_over")
    services.record_follow_up(
        monitor,
        plan.follow_ups.first(),
        TODAY,
        "well",
        child_situation="with_caregiver",
        today=TODAY,
        version=current_version(plan),
    )
    large = _queries(client, monitor, child)
    assert large == small
    # (Two of them are the child's caregivers and the plans' best-interests assessments.)
    assert large <= 22


def test_the_mothers_page_links_to_the_childs_page(client, monitor, mother, child):
    client.force_login(monitor)
    text = client.get(reverse("people:woman", args=[mother.reference])).text
    assert f'href="{url(child)}"' in text
    assert f'href="{url(child)}#plan"' in text
