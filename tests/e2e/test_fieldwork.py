"""A monitor records a visit whose access was refused, records the incident from the visit
in one click, escalates it, and the programme manager sees it on the incidents page; then
the overdue follow-up action shows on the monitor's worklist."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from motherline.fieldwork.models import AccessIncident, EscalationContact, PrisonVisit
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_refused_visit_escalated_and_seen_by_the_programme_manager(
    page, live_server, users, orgs, prisons, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    EscalationContact.objects.create(
        organisation=orgs["ngo"], name="UN focal point", email="focal@un.example.org"
    )
    today = timezone.localdate()
    visited = today - timedelta(days=2)
    base = live_server.url
    sign_in(page, base, "monitor")

    page.goto(f"{base}/fieldwork/visits/")
    page.click("a.button:has-text('Record a visit')")
    page.select_option("[name=prison]", "KDL")
    page.fill("[name=visit_date]", visited.isoformat())
    page.fill("[name=team]", "Two monitors")
    page.check("input[name=access][value=refused]")
    page.fill("[name=women_seen]", "3")
    page.click("main form button[type=submit]:has-text('Record the visit')")
    # Refused access with women seen: the message is beside the access field.
    page.wait_for_selector(".field-error")
    assert "choose partial access" in page.inner_text(".field-error")
    screenshot(page, "fieldwork-0-visit-errors")
    page.fill("[name=women_seen]", "0")
    page.click("main form button[type=submit]:has-text('Record the visit')")
    page.wait_for_selector("#incidents")
    visit = PrisonVisit.objects.get()
    assert visit.access == "refused"
    screenshot(page, "fieldwork-1-visit")

    # One click from the visit: the incident form comes filled in.
    page.click("#incidents a.button:has-text('Record an access incident')")
    # Dates are shown day/month/year, as people in Cambodia write them.
    assert page.input_value("[name=occurred_on]") == visited.strftime("%d/%m/%Y")
    assert page.input_value("[name=prison]") == "KDL"
    page.fill("[name=what_was_refused]", "Entry to the prison")
    page.fill("[name=refused_by]", "Prison director")
    page.fill("[name=escalated_to]", "UN Human Rights Office")
    page.fill("[name=escalated_on]", visited.isoformat())
    page.click("main form button[type=submit]:has-text('Record the incident')")
    page.wait_for_selector("h1:has-text('Access incident at')")
    incident = AccessIncident.objects.get()
    assert (incident.visit, incident.escalated_to) == (visit, "UN Human Rights Office")
    assert [m.to for m in mail.outbox] == [["focal@un.example.org"]]
    screenshot(page, "fieldwork-2-incident")

    # A follow-up action already overdue goes to the worklist.
    page.goto(f"{base}/fieldwork/visits/{visit.pk}/")
    page.fill("[name=description]", "Meet the provincial department")
    page.fill("[name=due_date]", visited.isoformat())
    page.click("button:has-text('Add the action')")
    page.wait_for_selector("#actions .overdue")
    page.goto(f"{base}/worklist/")
    assert page.locator("text=Follow-up action of a prison visit overdue").count() >= 1
    screenshot(page, "fieldwork-3-worklist")

    page.context.clear_cookies()
    sign_in(page, base, "programme_manager")
    page.goto(f"{base}/fieldwork/incidents/")
    row = page.locator("#open tbody tr", has_text=incident.reference)
    assert row.count() == 1
    assert "Kandal Provincial Prison" in row.inner_text()
    assert "UN Human Rights Office" in row.inner_text()
    assert "1" in page.inner_text("#by-prison")
    screenshot(page, "fieldwork-4-manager")


def test_programme_manager_reads_a_grant_in_khmer_and_downloads_the_report(
    page, live_server, users, orgs, prisons
):
    from datetime import date
    from decimal import Decimal

    from motherline.grants import services as grant_services
    from tests.factories import admit, reload

    today = timezone.localdate()
    grant = grant_services.create_grant(
        users["programme_manager"],
        grant_services.GrantValues(
            reference="G-E2E", donor="Small Grants Fund", amount=Decimal("16300"),
            currency="USD", starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31),
            purpose="Services for women in prison", grantees=[orgs["ngo"]],
        ),
    )  # fmt: skip
    line = grant_services.add_budget_line(
        users["programme_manager"], grant, code="1", name="Nutrition", amount=Decimal("9000")
    )
    woman = reload(
        admit(
            users["monitor"], prisons["CC2"], admission_date=today - timedelta(days=90), today=today
        )
    )
    grant_services.record_delivery(
        users["monitor"], woman,
        grant_services.DeliveryValues(
            service_type="food_supplement", delivered_on=today - timedelta(days=1), quantity=2,
            cost=Decimal("36"), provider=orgs["ngo"], grant=grant, budget_line=line,
        ),
    )  # fmt: skip
    base = live_server.url
    sign_in(page, base, "programme_manager")
    page.goto(f"{base}/grants/")
    page.click("a:has-text('G-E2E')")
    page.wait_for_selector("#lines")
    # Spent to date on the line, grouped like every amount: 36 of 9,000.
    assert "9,000\t36\t8,964" in page.inner_text("#lines")
    screenshot(page, "grants-0-grant")
    with page.expect_download() as download:
        page.click("#report button[type=submit]")
    assert download.value.suggested_filename.endswith(".pdf")
    page.click("button[lang=km]")
    page.wait_for_selector("html[lang=km]")
    assert "ស្ត្រីដែលបានទទួលសេវា" in page.inner_text("main")
    screenshot(page, "grants-1-grant-km")
