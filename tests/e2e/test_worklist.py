"""A monitor empties the worklist one item at a time: from a birth-registration item to its
form and back to a shorter list, in English and in Khmer, on a desk (1280 pixels) and on a
phone (390 pixels)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from motherline.people.models import Child
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import admit, child_in_prison

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SUBMIT = {"en": "Record the registration", "km": "កត់ត្រាការចុះបញ្ជី"}
ACTION = {"en": "Record the registration", "km": "កត់ត្រាការចុះបញ្ជី"}


@pytest.mark.parametrize(
    ("language", "width"), [("en", 1280), ("en", 390), ("km", 1280), ("km", 390)]
)
def test_a_monitor_goes_from_an_item_to_its_action_and_back_to_a_shorter_list(
    page, live_server, users, prisons, language, width
):
    today = timezone.localdate()
    page.set_viewport_size({"width": width, "height": 900})
    # Two babies living in prison whose births are not registered (30 days after birth).
    children = []
    for k, (name, latin) in enumerate((("ស្រី ពៅ", "Srey Pov"), ("សុខ ចាន់", "Sok Chan"))):
        mother = admit(
            users["monitor"],
            prisons["CC2"],
            name=name,
            name_latin=latin,
            admission_date=today - timedelta(days=60),
            children=[child_in_prison(today - timedelta(days=100 + k), name=f"Baby {k}")],
            today=today,
        )
        children.append(mother.children.get())
    base = live_server.url
    sign_in(page, base, "monitor")
    if language == "km":
        page.click("form.langswitch button[value=km]")
        page.wait_for_selector("html[lang=km]")

    page.goto(f"{base}/worklist/")
    rows = page.locator("tr.worklist-item[data-kind=birth_not_registered]")
    assert rows.count() == 2
    # Sorted by due date: the older baby's registration was due first.
    assert rows.first.get_attribute("data-subject") == children[1].reference
    first = rows.first.inner_text()
    assert "Baby 1" in first and children[1].reference in first
    if language == "en":
        assert "within 30 days" in first
    screenshot(page, f"worklist-{language}-{width}-0-list")

    rows.first.locator(f"a.button:has-text('{ACTION[language]}')").click()
    page.wait_for_url(f"{base}/children/{children[1].reference}/birth-registration/**")
    page.fill("[name=birth_registered_on]", today.isoformat())
    page.fill("[name=birth_certificate_number]", "KH-2026-0042")
    screenshot(page, f"worklist-{language}-{width}-1-form")
    page.click(f"main form button[type=submit]:has-text('{SUBMIT[language]}')")

    # Back on the list, one item shorter.
    page.wait_for_url(f"{base}/worklist/")
    page.wait_for_selector(".messages, [role=status], .message", state="attached")
    rows = page.locator("tr.worklist-item[data-kind=birth_not_registered]")
    assert rows.count() == 1
    assert rows.first.get_attribute("data-subject") == children[0].reference
    screenshot(page, f"worklist-{language}-{width}-2-shorter")
    stored = Child.objects.get(pk=children[1].pk)
    assert stored.birth_registered
    assert stored.birth_registered_on == today
    assert stored.birth_certificate_number == "KH-2026-0042"
