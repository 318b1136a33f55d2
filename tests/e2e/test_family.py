"""A monitor records the family a child will leave prison to: a caregiver with an address
chosen down to the commune from the Cambodia pack's gazetteer, and a best-interests
assessment that a programme manager approves; then the hand-over step. In English, and the
same pages in Khmer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motherline.care import services
from motherline.care.models import AssessmentStatus, BestInterestsAssessment, Caregiver
from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.rules import add_months
from motherline.people.models import PlacementKind
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_phone import PHONE, fits
from tests.factories import admit, child_in_prison, children_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def choose_area(page, name: str, code: str) -> None:
    """Choose an area once the script has put it in the list (read from the API)."""
    page.wait_for_selector(f"select[name={name}] option[value='{code}']", state="attached")
    page.select_option(f"select[name={name}]", code)


def day(value) -> str:
    return value.strftime("%d/%m/%Y")


def test_monitor_records_a_caregiver_and_an_approved_assessment_then_the_handover(
    page, browser, live_server, users, prisons
):
    load_pack("kh")  # the gazetteer and the best-interests questions, as shipped
    today = timezone.localdate()
    monitor = users["monitor"]
    born = add_months(today + timedelta(days=40), -36)
    mother = admit(
        monitor,
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        admission_date=today - timedelta(days=500),
        children=[child_in_prison(born, name="ដារ៉ា", name_latin="Dara")],
        today=today,
    )
    child = children_of(mother)[0]
    plan = services.open_plan(monitor, child, today=today)
    plan = services.advance_plan(
        monitor,
        plan,
        "caregiver_identified",
        {
            "caregiver_name": "Chea Sophal",
            "caregiver_relationship": "grandparent",
            "caregiver_location": "Kandal",
        },
        version=plan.version,
        today=today,
    )
    plan = services.advance_plan(
        monitor,
        plan,
        "assessed",
        {"assessed_on": today, "home_is_suitable": True, "support_schooling": True},
        version=plan.version,
        today=today,
    )
    base = live_server.url
    child_page = f"{base}/children/{child.reference}/"
    sign_in(page, base, "monitor")

    # 1. The caregiver, with an address chosen down to the commune.
    page.goto(child_page)
    page.click("#caregivers a.button:has-text('Add or correct caregivers')")
    page.wait_for_selector("h2:has-text('Add a caregiver')")
    # With the script, the buttons that send the form back to narrow the lists are hidden.
    # (Waited for: the page's script runs once the page is parsed, which may be after the
    # heading is shown on a busy machine.)
    expect(page.locator("[data-refine]").first).to_be_hidden()
    page.fill("[name=name]", "Chea Sophal")
    page.select_option("[name=relationship]", "grandparent")
    page.select_option("select[name=province]", "KH-8")
    choose_area(page, "district", "0801")  # Kandal Stueng
    choose_area(page, "commune", "080102")  # Anlong Romiet
    page.fill("[name=address]", "Phum Prek, house 4")
    page.fill("[name=phone]", "012 345 678")
    screenshot(page, "family-1-add-caregiver")
    page.click("main form button.primary:has-text('Record the caregiver')")
    page.wait_for_selector("table.caregivers")
    row = page.inner_text("table.caregivers")
    assert "Chea Sophal" in row and "Anlong Romiet, Kandal Stueng, Kandal" in row
    caregiver = Caregiver.objects.get()
    assert (caregiver.commune.code, caregiver.phone) == ("080102", "012 345 678")

    # 2. The hand-over is refused until an assessment is approved.
    page.goto(child_page)
    page.click("#plan a.button:has-text('Move to next step: Handed over')")
    assert "approved by a programme manager" in page.inner_text("main")
    page.fill("[name=handed_over_on]", day(today))
    page.click("main form button[type=submit]:has-text('Record this step')")
    page.wait_for_selector(".form-errors")
    assert "cannot be handed over before a best-interests assessment" in page.inner_text(
        ".form-errors"
    )
    screenshot(page, "family-2-handover-refused")

    # 3. The assessment: a finding for each of the pack's seven questions.
    page.goto(child_page)
    page.click("#plan a.button:has-text('Record a best-interests assessment')")
    page.wait_for_selector("ol.questions")
    assert page.locator("ol.questions > li").count() == 7
    page.fill("[name=assessed_on]", day(today))
    for finding in page.locator("ol.questions input[type=radio][value=meets_needs]").all():
        finding.check()
    page.check("[name=finding_schooling][value=concern]")
    page.fill("[name=notes_schooling]", "The school asks for a birth certificate")
    page.check("[name=recommendation][value=with_support]")
    page.fill("[name=reasons]", "School fees and the birth certificate before September")
    screenshot(page, "family-3-assessment")
    page.click("main form button.primary:has-text('Record the assessment')")
    page.wait_for_selector("#plan table.assessments")
    assert "Waiting for a programme manager" in page.inner_text("#plan table.assessments")
    assessment = BestInterestsAssessment.objects.get()

    # 4. The programme manager approves it.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    manager = context.new_page()
    sign_in(manager, base, "programme_manager")
    manager.goto(f"{base}/plans/assessments/{assessment.pk}/")
    assert "A concern that support can address" in manager.inner_text("table.answers")
    manager.fill("[name=notes]", "Agreed: the support is in the plan")
    screenshot(manager, "family-4-approval")
    manager.click("button:has-text('Approve the assessment')")
    manager.wait_for_selector("[data-status=approved]")
    context.close()
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.APPROVED

    # 5. Now the hand-over: the child goes to the caregiver assessed.
    page.goto(child_page)
    page.click("#plan a.button:has-text('Move to next step: Handed over')")
    assert "The child leaves prison to live with Chea Sophal" in page.inner_text("main")
    page.fill("[name=handed_over_on]", day(today))
    page.click("main form button[type=submit]:has-text('Record this step')")
    page.wait_for_selector("#plan .steps")
    screenshot(page, "family-5-handed-over")
    plan.refresh_from_db()
    assert plan.status == "handed_over" and plan.caregiver == caregiver
    placement = child.placements.get(end_date__isnull=True)
    assert placement.kind == PlacementKind.WITH_CAREGIVER
    assert placement.caregiver_location.startswith("Phum Prek, house 4, Anlong Romiet")

    # 6. The same pages in Khmer: the areas in Khmer script, read from the API too.
    page.click("form.langswitch button[value=km]")
    page.wait_for_selector("html[lang=km]")
    assert "អ្នកថែទាំនៅក្រៅពន្ធនាគារ" in page.inner_text("#caregivers")
    assert "អន្លង់រមៀត" in page.inner_text("#caregivers")
    assert "បានអនុម័ត" in page.inner_text("#plan table.assessments")
    screenshot(page, "family-6-child-km")
    page.click("#caregivers a.button")
    page.wait_for_selector("select[name=province]")
    page.select_option("select[name=province]", "KH-12")
    choose_area(page, "district", "1201")
    district = page.locator("select[name=district] option:checked").inner_text()
    assert district == "ចំការមន"
    choose_area(page, "commune", "120101")
    page.fill("[name=name]", "ជា សុខា")
    page.select_option("[name=relationship]", "other_relative")
    screenshot(page, "family-7-add-caregiver-km")
    page.goto(f"{base}/plans/assessments/{assessment.pk}/")
    assert "សំណួរ" in page.inner_text("table.answers")
    assert "តើអ្នកថែទាំអាចមើលថែកុមារ" in page.inner_text("table.answers")
    screenshot(page, "family-8-assessment-km")

    # 7. On a phone: no page of the family scrolls sideways (in Khmer, the longer words).
    page.set_viewport_size(PHONE)
    for path in (
        f"/children/{child.reference}/",
        f"/plans/children/{child.reference}/caregivers/",
        f"/plans/children/{child.reference}/caregivers/{caregiver.pk}/",
        f"/plans/assessments/{assessment.pk}/",
        f"/plans/assessments/{assessment.pk}/correct/",
    ):
        page.goto(base + path)
        fits(page)
    screenshot(page, "family-9-phone-km")
    page.click("form.langswitch button[value=en]")
    page.wait_for_selector("html[lang=en]")
