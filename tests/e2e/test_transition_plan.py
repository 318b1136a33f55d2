"""A monitor finds a child nearing the age limit on the worklist and walks a transition plan
to its end: caregiver, home assessment, handover, three follow-up visits, closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motherline.care.models import TransitionPlan
from motherline.jurisdictions.rules import add_months
from motherline.people.models import PlacementKind
from tests.care.conftest import approve_handover
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison, children_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def next_step(page, label: str) -> None:
    page.click(f"a.button:has-text('Move to next step: {label}')")
    page.wait_for_selector(f"h1:has-text('Next step: {label}')")


def submit(page, label: str, then: str = "#plan") -> None:
    page.click(f"main form button[type=submit]:has-text('{label}')")
    page.wait_for_selector(then)


def test_monitor_walks_a_transition_plan_from_the_worklist(page, live_server, users, prisons):
    today = timezone.localdate()
    # Three years old in 40 days: on the worklist, within 90 days of the age limit.
    born = add_months(today + timedelta(days=40), -36)
    mother = admit(
        users["monitor"],
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        admission_date=today - timedelta(days=500),
        children=[child_in_prison(born, name="Dara", birth_registered=True)],
        today=today,
    )
    child = children_of(mother)[0]
    base = live_server.url
    sign_in(page, base, "monitor")

    page.goto(f"{base}/worklist/")
    row = page.locator(
        f"tr.worklist-item[data-kind=child_age_limit][data-subject={child.reference}]"
    )
    assert row.count() == 1
    screenshot(page, "plan-0-worklist")
    # The row's action opens the plan (one click), then the child's page shows it.
    row.locator("a.button").click()
    page.wait_for_url(f"{base}/plans/open/{child.reference}/")
    screenshot(page, "plan-1-open-plan")
    page.click("main form button[type=submit]:has-text('Open the plan')")
    page.wait_for_selector("#plan .steps")
    assert "days left" in page.inner_text("#leave-by")
    plan = TransitionPlan.objects.get(child=child)
    assert plan.due_date == today + timedelta(days=40)

    next_step(page, "Caregiver identified")
    # Nothing filled in: refused, each message beside its field.
    submit(page, "Record this step", then=".field-error")
    assert page.locator(".field-error").count() >= 2
    screenshot(page, "plan-2-caregiver-errors")
    page.fill("[name=caregiver_name]", "Grandmother Chea")
    page.select_option("[name=caregiver_relationship]", "grandparent")
    page.fill("[name=caregiver_location]", "Takeo, Bati district")
    page.fill("[name=caregiver_contact]", "012 345 678")
    submit(page, "Record this step")

    next_step(page, "Home assessed")
    page.fill("[name=assessed_on]", today.isoformat())
    page.check("[name=home_is_suitable][value=yes]")
    page.check("[name=support_schooling]")
    page.fill("[name=support_notes]", "School fees for one year")
    screenshot(page, "plan-3-assessment")
    submit(page, "Record this step")

    # The hand-over waits for a best-interests assessment approved by a programme manager
    # (tests/e2e/test_family.py walks it in the browser): here it is made directly.
    approve_handover(users["monitor"], plan, today=today)
    next_step(page, "Handed over")
    page.fill("[name=handed_over_on]", today.isoformat())
    submit(page, "Record this step")
    screenshot(page, "plan-4-handed-over")

    for _ in range(3):
        page.locator("#plan a.button:has-text('Record follow-up')").first.click()
        page.fill("[name=done_on]", today.isoformat())
        page.check("[name=outcome][value=well]")
        page.check("[name=child_situation][value=with_caregiver]")
        submit(page, "Record the visit")

    next_step(page, "Followed up")
    submit(page, "Record this step")
    page.click("#plan a.button:has-text('Close the plan')")
    page.check("[name=close_reason][value=completed]")
    submit(page, "Close the plan")
    screenshot(page, "plan-5-closed")

    plan.refresh_from_db()
    assert plan.status == "closed" and plan.close_reason == "completed"
    assert plan.handed_over_on == today
    assert plan.follow_ups.filter(done_on=today, outcome="well").count() == 3
    current = child.placements.get(end_date__isnull=True)
    assert current.kind == PlacementKind.WITH_CAREGIVER
    assert current.caregiver_name == "Grandmother Chea"
    assert "Reopen the plan" in page.inner_text("#plan")

    # The same page in Khmer, for a person to look at.
    page.click("form.langswitch button[value=km]")
    page.wait_for_selector("html[lang=km]")
    assert "ផែនការផ្លាស់ប្ដូរ" in page.inner_text("#plan")
    assert "កាលបរិច្ឆេទត្រូវចាកចេញ" in page.inner_text("#leave-by")
    screenshot(page, "plan-6-closed-km")
    page.click("form.langswitch button[value=en]")
    page.wait_for_selector("html[lang=en]")

    # The child has left prison: no longer on the worklist for the age limit.
    page.goto(f"{base}/worklist/")
    assert (
        page.locator(f"tr[data-kind=child_age_limit][data-subject={child.reference}]").count() == 0
    )
