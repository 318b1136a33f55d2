"""An analyst imports a file of population returns, fixes the file after the import refuses
a bad row, then reads the statistics page (chart, map, table by prison) in English and Khmer
and downloads the table."""

from __future__ import annotations

import pytest
from django.utils import timezone

from motherline.stats.models import PopulationReturn
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADER = (
    "prison,date,total,men,women,pretrial_men,pretrial_women,minors,foreign_nationals,"
    "pregnant_women,children_in_prison\n"
)


def test_analyst_imports_returns_and_reads_the_statistics(
    page, live_server, users, prisons, tmp_path
):
    year = timezone.localdate().year - 1
    bad = tmp_path / "returns.csv"
    bad.write_text(
        HEADER
        + f"CC2,31/12/{year},500,0,500,0,200,3,2,9,20\n"
        + f"KDL,31/12/{year},400,350,60,100,30,5,1,2,3\n"  # 350 + 60 is not 400
    )
    sign_in(page, live_server.url, "analyst")
    page.click("nav a:has-text('Statistics')")
    page.click("a:has-text('Import population returns')")
    page.set_input_files("input[name=file]", str(bad))
    page.select_option("select[name=source]", "prison_authority")
    page.click("main form button:has-text('Import')")
    page.wait_for_selector("#problems")
    assert "do not add up" in page.inner_text("#problems")
    screenshot(page, "stats-import-refused")
    assert PopulationReturn.objects.count() == 0

    good = tmp_path / "returns-fixed.csv"
    good.write_text(bad.read_text().replace(",400,350,60,", ",410,350,60,"))
    page.set_input_files("input[name=file]", str(good))
    page.select_option("select[name=source]", "prison_authority")
    page.click("main form button:has-text('Import')")
    page.wait_for_selector(".message-success")
    assert PopulationReturn.objects.count() == 2

    page.goto(f"{live_server.url}/statistics/")
    page.select_option("select[name=indicator]", "women")
    page.fill("input[name=start]", f"{year}-01-01")
    page.click("main form button:has-text('Show')")
    page.wait_for_selector("#series-table")
    assert "560" in page.inner_text("#series-table")
    assert page.locator("svg rect.bar").count() == 1
    assert page.locator("table.tilemap td:not(.empty)").count() == 2  # provinces in the fixture
    screenshot(page, "stats-page-en")

    page.select_option("select[name=indicator]", "pregnant_women")
    page.click("main form button:has-text('Show')")
    page.wait_for_selector("#series-table")
    assert "suppressed" in page.inner_text("main")  # Kandal's 2 pregnant women
    with page.expect_download() as download:
        page.click("#prisons-title ~ p a:has-text('Download CSV')")
    text = download.value.path().read_text()
    assert "suppressed" in text and "KDL" in text

    page.click("button[value=km]")
    page.wait_for_load_state()
    assert "ស្ថិតិ" in page.inner_text("h1")
    screenshot(page, "stats-page-km")
