"""A monitor signs in, admits a woman with one child inside and one outside, and finds her."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motherline.people import search
from motherline.people.models import Child, PlacementKind, Woman
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_monitor_admits_a_woman_with_two_children_and_finds_her(
    page, live_server, users, prisons, offences
):
    today = timezone.localdate()
    sign_in(page, live_server.url, "monitor")

    page.click("nav.mainnav summary:has-text('Register')")
    page.click("nav.mainnav a:has-text('Admit a woman')")
    page.fill("[name=name]", "ស្រី សុខា")
    page.fill("[name=name_latin]", "Srey Sokha")
    page.fill("[name=register_number]", "CC2-2026-00042")
    page.fill("[name=date_of_birth]", "1994-03-02")
    page.select_option("[name=prison]", label=prisons["CC2"].name)
    page.fill("[name=admission_date]", (today.replace(day=1)).isoformat())
    page.check("[name=is_primary_carer]")

    # First child: a baby living in prison with her.
    page.fill("[name=children-0-name]", "Baby Dara")
    page.fill("[name=children-0-date_of_birth]", "2025-10-01")
    page.check("[name=children-0-living_in_prison][value=yes]")
    # Second child: at home with the grandmother.
    page.click("text=Add another child")
    page.fill("[name=children-1-name]", "Vanna")
    page.fill("[name=children-1-date_of_birth]", "2018-05-20")
    page.check("[name=children-1-living_in_prison][value=no]")
    page.fill("[name=children-1-caregiver_name]", "Grandmother Chea")
    page.select_option("[name=children-1-caregiver_relationship]", "grandparent")
    screenshot(page, "admission-form")
    page.click("main form button[type=submit]:has-text('Record the admission')")

    woman = Woman.objects.get(search.search_q("Srey Sokha"))  # names are encrypted
    page.wait_for_url(f"{live_server.url}/women/{woman.reference}/")
    assert woman.current_episode.current_prison == prisons["CC2"]
    kinds = sorted(Child.objects.filter(mother=woman).values_list("placements__kind", flat=True))
    assert kinds == [PlacementKind.IN_PRISON, PlacementKind.WITH_CAREGIVER]
    screenshot(page, "woman-page")
    assert page.locator("text=Baby Dara >> visible=true").first.is_visible()

    page.goto(f"{live_server.url}/women/?q=Sokha")
    row = page.locator("table tbody tr", has_text="Srey Sokha")
    assert row.count() == 1
    assert woman.reference in row.inner_text()
    screenshot(page, "women-list-search")
