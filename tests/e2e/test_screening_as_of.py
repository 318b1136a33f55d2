"""A legal officer screens a pardon round on a past day: the women as they stood that day
(one released since is listed, one admitted since is not); a day after today is refused with
the reason beside the date, in English and in Khmer."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from motherline.jurisdictions.models import ScreeningCriterion
from motherline.legal import services as legal_services
from motherline.people import services
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison, current_version

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_round_screened_on_a_past_day(page, live_server, users, prisons):
    today = timezone.localdate()
    day = today - timedelta(days=60)
    officer = users["legal_officer"]
    ScreeningCriterion.objects.create(
        jurisdiction=prisons["CC2"].province.jurisdiction,
        remedy="pardon",
        code="child_in_prison",
        kind="child_in_prison",
        weight=5,
        name="A child living in prison with her",
        name_local="មានកូនរស់នៅក្នុងពន្ធនាគារជាមួយ",
        explanation="Bangkok Rules 49-52.",
    )
    mothers = {}
    for key, admitted in [("released", 300), ("late", 30)]:
        mothers[key] = admit(
            officer,
            prisons["CC2"],
            admission_date=today - timedelta(days=admitted),
            legal_status="final",
            sentence_months=24,
            children=[child_in_prison(date(2024, 5, 1))],
            today=today,
        )
    episode = mothers["released"].current_episode
    services.record_release(
        officer,
        episode,
        today - timedelta(days=40),
        "end_of_sentence",
        version=current_version(episode),
        today=today,
    )
    pardon_round = legal_services.create_round(
        officer,
        title="Khmer New Year",
        occasion_date=today + timedelta(days=60),
        submission_deadline=today + timedelta(days=30),
    )
    base = live_server.url
    sign_in(page, base, "legal_officer")
    url = f"{base}/legal/rounds/{pardon_round.pk}/screening/"

    page.goto(f"{url}?as_of={day.strftime('%d/%m/%Y')}")
    page.wait_for_selector(f"text={mothers['released'].reference}")
    main = page.inner_text("main")
    assert mothers["late"].reference not in main
    # A past day's screening is read only: women are put forward from today's.
    assert "As the register stood that day" in main
    assert page.locator("input[name=woman]").count() == 0
    screenshot(page, "screening-as-of-1-past-day")

    later = (today + timedelta(days=1)).strftime("%d/%m/%Y")
    page.goto(f"{url}?as_of={later}")
    error = page.locator(".field-error .error")
    assert "is after today" in error.inner_text()
    assert mothers["late"].reference not in page.inner_text("main")
    screenshot(page, "screening-as-of-2-refused")

    page.evaluate("document.cookie = 'django_language=km; path=/'")
    page.goto(f"{url}?as_of={later}")
    assert "ស្ថិតនៅក្រោយថ្ងៃនេះ" in page.locator(".field-error .error").inner_text()
    screenshot(page, "screening-as-of-3-refused-km")
