"""A legal officer opens a case for a mother with her child in prison, records a hearing,
opens a pardon round, screens the women, adds her, submits the dossier and finds the PDFs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motherline.jurisdictions.models import ScreeningCriterion
from motherline.legal.models import DossierStatus, LegalCase, ReleaseCandidate
from motherline.people.models import LegalStatus
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_legal_officer_from_case_to_pardon_dossier(
    page, live_server, users, prisons, offences, courts
):
    today = timezone.localdate()
    for code, kind, weight, parameter in [
        ("child_in_prison", "child_in_prison", 5, ""),
        ("petty_non_violent", "petty_non_violent", 2, "petty;misdemeanour"),
    ]:
        ScreeningCriterion.objects.create(
            jurisdiction=prisons["CC2"].province.jurisdiction,
            remedy="pardon",
            code=code,
            kind=kind,
            parameter=parameter,
            weight=weight,
            name=code.replace("_", " ").capitalize(),
            name_local="មានកូនរស់នៅក្នុងពន្ធនាគារជាមួយ",
            explanation="Bangkok Rules 49-52.",
            citation="Bangkok Rules 49-52",
        )
    mother = admit(
        users["legal_officer"],
        prisons["CC2"],
        name="ស្រី ពៅ",
        name_latin="Srey Pov",
        admission_date=today - timedelta(days=300),
        legal_status=LegalStatus.FINAL,
        sentence_months=24,
        offences=[offences["theft"]],
        children=[child_in_prison(date(2024, 5, 1))],
        today=today,
    )
    base = live_server.url
    sign_in(page, base, "legal_officer")

    page.goto(f"{base}/women/{mother.reference}/")
    page.click("a.button:has-text('Open a legal case')")
    page.select_option("[name=stage]", "enforcement")
    page.select_option("[name=court]", "KH-FI-12")
    page.check("[name=is_strategic]")
    page.click("main form button[type=submit]")
    # The strategic flag needs its issue: refused beside the field.
    page.wait_for_selector(".field-error")
    page.fill("[name=strategic_issue]", "No consideration of non-custodial measures")
    page.click("main form button[type=submit]")
    page.wait_for_selector("h2:has-text('Hearings')")
    case = LegalCase.objects.get()
    assert case.is_strategic and case.court == courts["KH-FI-12"]

    page.fill("[name=held_on]", today.isoformat())
    page.fill("[name=what_happened]", "Adjourned for the prosecutor.")
    page.fill("[name=next_date]", (today + timedelta(days=14)).isoformat())
    page.click("button[name=hearing]")
    page.wait_for_selector("td:has-text('Adjourned for the prosecutor.')")
    screenshot(page, "legal-1-case")

    page.click("nav.mainnav summary:has-text('Register')")
    page.click("nav.mainnav a:has-text('Legal cases')")
    page.wait_for_selector("h2:has-text('Upcoming hearings (1)')")
    screenshot(page, "legal-2-cases")

    page.click("a.button:has-text('Pardon rounds')")
    page.fill("[name=title]", "Khmer New Year")
    page.fill("[name=occasion_date]", (today + timedelta(days=60)).isoformat())
    page.fill("[name=submission_deadline]", (today + timedelta(days=30)).isoformat())
    page.click("main form button[type=submit]")
    page.wait_for_selector("h2:has-text('Statistics')")
    page.click("a.button:has-text('Screen women for this round')")
    page.wait_for_selector(f"text={mother.reference}")
    # The legal officer reads names: the screening shows hers beside the reference.
    row = page.locator(f"tr:has(a:has-text('{mother.reference}'))")
    assert row.inner_text().count("ស្រី ពៅ") == 1
    screenshot(page, "legal-3-screening")
    page.check(f"input[name=woman][value={mother.reference}]")
    page.click("button:has-text('Add the chosen women to the round')")
    page.wait_for_selector(f"a.ref:has-text('{mother.reference}')")
    candidate = ReleaseCandidate.objects.get()

    page.click(f"a.ref:has-text('{mother.reference}')")
    page.wait_for_selector("h1:has-text('Dossier')")
    page.click("button:has-text('Mark as submitted')")
    page.wait_for_selector("text=The dossier's status has been changed.")
    candidate.refresh_from_db()
    assert candidate.status == DossierStatus.SUBMITTED
    assert page.locator("a:has-text('Dossier PDF in Khmer')").count() == 1
    screenshot(page, "legal-4-candidate")

    # The same page in Khmer: the labels and the remedy's words come from the catalogue.
    page.click("button:has-text('ខ្មែរ')")
    page.wait_for_selector("h1:has-text('សំណុំឯកសារ')")
    assert "កើតនៅ 1 ខែ ឧសភា ឆ្នាំ 2024" in page.inner_text("main")
    screenshot(page, "legal-5-candidate-km")
