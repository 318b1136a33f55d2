"""A hostile file uploaded through the import page, in English and in Khmer: the refusal is
shown on the form, nothing is written."""

from __future__ import annotations

import pytest

from motherline.fieldwork.models import PrisonVisit
from tests.e2e.conftest import screenshot, sign_in
from tests.hostile_files import zip_bomb

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_zip_bomb_and_a_nul_are_refused_on_the_form(page, live_server, users, prisons, tmp_path):
    bomb = tmp_path / "export.xlsx"
    bomb.write_bytes(zip_bomb())
    base = live_server.url
    sign_in(page, base, "monitor")
    page.goto(f"{base}/fieldwork/import/")
    page.check("input[name=kind][value=visits]")
    page.set_input_files("input[name=file]", str(bomb))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=unzips to more than 30 MB")
    screenshot(page, "imports-1-zip-bomb")

    nul = tmp_path / "export.csv"
    nul.write_bytes(b"instanceID,team\nuuid:1,a\x00b\n")
    page.click("button[lang=km]")
    page.wait_for_selector("html[lang=km]")
    page.check("input[name=kind][value=visits]")
    page.set_input_files("input[name=file]", str(nul))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=NUL")
    screenshot(page, "imports-2-nul-km")
    assert not PrisonVisit.objects.exists()
