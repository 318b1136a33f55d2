"""Each pack's map on the statistics page, in a real browser: an analyst of that country sees
her country's provinces as tiles, in English and in the local language (Khmer, Swahili,
Thai), with the prisons' women counted on them. The screenshots are for people to look at."""

from __future__ import annotations

from datetime import date

import pytest

from motherline.accounts.models import Organisation, Role, User
from motherline.jurisdictions.loader import load_pack, read_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison
from motherline.stats.models import PopulationReturn
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot, sign_in

PACKS = ["kh", "ke", "th"]


@pytest.mark.parametrize("code", PACKS)
def test_the_statistics_map_of_each_pack(page, live_server, settings, code):
    load_pack(code)
    data = read_pack(code)
    language = data.meta.local_language
    settings.LANGUAGES = [("en", "English"), (language, language)]
    jurisdiction = Jurisdiction.objects.get(code=code.upper())
    organisation = Organisation.objects.create(
        name="Monitors", kind="ngo", jurisdiction=jurisdiction
    )
    User.objects.create_user(
        username="analyst", password=PASSWORD, organisation=organisation, role=Role.ANALYST
    )
    # A return per prison that holds women, so that the map has shades (synthetic counts).
    prisons = Prison.objects.filter(province__jurisdiction=jurisdiction, holds_women=True)
    for n, prison in enumerate(prisons.order_by("code")):
        PopulationReturn.objects.create(
            prison=prison, date=date(2025, 12, 31), source="synthetic", women=40 + 25 * n
        )

    base = live_server.url
    sign_in(page, base, "analyst")
    # The page's first view: women, from the returns, for the analyst's country.
    page.goto(f"{base}/statistics/")
    tiles = page.locator(".tilemap td:not(.empty)")
    assert tiles.count() == len(data.rows["provinces"])
    screenshot(page, f"statistics-map-{code}-en")

    page.locator(f".langswitch button[value={language}]").click()
    page.wait_for_load_state()
    page.goto(f"{base}/statistics/")
    assert page.locator("html").get_attribute("lang") == language
    first = next(row.values for row in data.rows["provinces"] if row.values["name_local"])
    assert page.locator(".tilemap").get_by_text(first["name_local"]).count() >= 1
    screenshot(page, f"statistics-map-{code}-{language}")
