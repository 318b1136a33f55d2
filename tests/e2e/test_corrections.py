"""A programme manager corrects a budget line typed wrong and withdraws a visit entered
twice: on a desk in English (1280 pixels) and on a phone in Khmer (390 pixels). The line's
new budget shows on the grant; the withdrawn visit leaves the list of visits and stays
readable, marked withdrawn with the reason. Pictures in test-artifacts/corrections-*.png."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.fieldwork import services as fieldwork
from motherline.fieldwork.actions import RecordVisit
from motherline.fieldwork.models import PrisonVisit
from motherline.grants import services as grants
from motherline.grants.models import BudgetLine
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "Entered twice: the same visit as the one recorded before it."


def fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    inner = page.evaluate("window.innerWidth")
    assert width <= inner, f"{page.url} is {width} px wide in a {inner} px window"


@pytest.mark.parametrize(("language", "width"), [("en", 1280), ("km", 390)])
def test_a_budget_line_corrected_and_a_duplicate_visit_withdrawn(
    page, live_server, users, orgs, prisons, language, width
):
    today = timezone.localdate()
    manager = users["programme_manager"]
    grant = grants.create_grant(
        manager,
        grants.GrantValues(
            reference="G-E2E", donor="Small Grants Fund", amount=Decimal("16300"),
            currency="USD", starts_on=date(today.year, 1, 1), ends_on=date(today.year, 12, 31),
            purpose="Services for women in prison", grantees=[orgs["ngo"]],
        ),
    )  # fmt: skip
    line = grants.add_budget_line(manager, grant, code="1", name="Nutriton", amount=Decimal("900"))
    grants.add_budget_line(manager, grant, code="2", name="Legal aid", amount=Decimal("5000"))
    visited = today - timedelta(days=3)
    visits = [
        fieldwork.record_visit(
            users["monitor"],
            RecordVisit(
                prison="CC2",
                visit_date=visited,
                team="Two monitors, one nurse",
                access="granted",
                women_seen=12,
                findings={"food_and_water": "Drinking water rationed."},
            ),
        )
        for _ in range(2)
    ]
    duplicate = visits[1]

    page.set_viewport_size({"width": width, "height": 900})
    base = live_server.url
    sign_in(page, base, "programme_manager")
    if language == "km":
        page.click("form.langswitch button[value=km]")
        page.wait_for_selector("html[lang=km]")
    shot = f"corrections-{language}-{width}"

    # The budget line: 900 typed for 9,000, and a misspelt name.
    page.goto(f"{base}/grants/")
    page.click("a:has-text('G-E2E')")
    page.wait_for_selector("#lines")
    correct = reverse("grants:correct_line", args=[grant.pk, line.pk])
    page.click(f"#lines a[href='{correct}']")
    page.wait_for_selector("main form [name=amount]")
    assert page.input_value("[name=name]") == "Nutriton"
    fits(page)
    screenshot(page, f"{shot}-1-line-form")
    page.fill("[name=name]", "Nutrition")
    page.fill("[name=amount]", "9000")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/grants/{grant.pk}/#lines")
    line.refresh_from_db()
    assert (line.name, line.amount, line.version) == ("Nutrition", Decimal("9000.00"), 2)
    assert "Nutrition" in page.inner_text("#lines")
    assert "9,000" in page.inner_text("#lines")
    fits(page)
    screenshot(page, f"{shot}-2-grant")

    # The visit entered twice: withdrawn from its page, with the reason.
    page.goto(f"{base}/fieldwork/visits/")
    assert page.locator(f"a[href='/fieldwork/visits/{duplicate.pk}/']").count() >= 1
    page.goto(f"{base}/fieldwork/visits/{duplicate.pk}/")
    withdraw = reverse("fieldwork:withdraw_visit", args=[duplicate.pk])
    page.click(f"main a[href='{withdraw}']")
    page.wait_for_selector("main form [name=reason]")
    # Nothing is withdrawn without a reason.
    page.click("main form button[type=submit]")
    page.wait_for_selector(".field-error")
    fits(page)
    screenshot(page, f"{shot}-3-withdraw-form")
    page.fill("[name=reason]", REASON)
    page.click("main form button[type=submit]")
    page.wait_for_selector(".notice.withdrawn")
    duplicate.refresh_from_db()
    assert duplicate.is_withdrawn and duplicate.withdrawn_by == manager
    assert REASON in page.inner_text(".notice.withdrawn")
    assert page.locator(f"a[href='{withdraw}']").count() == 0
    fits(page)
    screenshot(page, f"{shot}-4-withdrawn-visit")

    page.goto(f"{base}/fieldwork/visits/")
    assert page.locator(f"a[href='/fieldwork/visits/{duplicate.pk}/']").count() == 0
    assert page.locator(f"a[href='/fieldwork/visits/{visits[0].pk}/']").count() >= 1
    assert PrisonVisit.objects.current().count() == 1
    assert BudgetLine.objects.get(pk=line.pk).amount == Decimal("9000")
    fits(page)
    screenshot(page, f"{shot}-5-visits")
