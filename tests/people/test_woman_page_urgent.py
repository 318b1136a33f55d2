"""The woman's page leads with what is urgent, each with its days and action; her visits;
and a partner's read-only view says why there are no buttons."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from motherline.fieldwork.models import PrisonVisit
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    real = __import__("django.utils.timezone", fromlist=["localdate"]).localdate
    monkeypatch.setattr(
        "django.utils.timezone.localdate",
        lambda value=None, timezone=None: TODAY if value is None else real(value, timezone),
    )


@pytest.fixture
def woman(monitor, prisons, offences):
    return admit(
        monitor,
        prisons["CC2"],
        consent_scope="partners",
        offences=[offences["theft"]],
        admission_date=TODAY - timedelta(days=100),
        is_pregnant=True,
        expected_delivery_date=TODAY + timedelta(days=10),
        # Within the limit (36 months) at admission, 14 days past it today.
        children=[child_in_prison(date(2023, 6, 1), name="Dara")],
    )


def test_the_page_leads_with_the_child_past_the_age_limit_and_the_delivery(client, monitor, woman):
    client.force_login(monitor)
    text = client.get(reverse("people:woman", args=[woman.reference])).text
    urgent = text[text.index('id="urgent-h"') : text.index('id="identity-h"')]
    assert "Dara is past the age limit" in urgent and "14 days ago" in urgent
    assert "Delivery expected on 25 June 2026 (in 10 days)" in urgent
    assert "Record the outcome" in urgent and "Leave-by date and transition plan" in urgent
    # The most overdue first.
    assert urgent.index("Dara") < urgent.index("Delivery")


def test_a_partner_sees_why_there_are_no_buttons(client, users, woman):
    client.force_login(users["un_monitor"])
    text = client.get(reverse("people:woman", args=[woman.reference])).text
    assert "only Women&#x27;s Justice NGO can change it" in text
    assert reverse("people:transfer", args=[woman.reference]) not in text
    # The urgent items are shown, without their buttons.
    assert "Dara is past the age limit" in text and "Record the outcome" not in text


def test_visits_where_she_was_seen_are_on_her_page(client, monitor, woman, prisons):
    visit = PrisonVisit.objects.create(
        organisation=monitor.organisation,
        prison=prisons["CC2"],
        visit_date=TODAY - timedelta(days=3),
        team="Monitor",
        access="granted",
    )
    visit.women.add(woman)
    client.force_login(monitor)
    text = client.get(reverse("people:woman", args=[woman.reference])).text
    assert reverse("fieldwork:visit", args=[visit.pk]) in text
