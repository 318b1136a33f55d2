"""The deployment administrator opens Daily jobs from the Administration menu and reads each
job's last run, its result and its next run, in English and in Khmer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from motherline.jobs.models import JobName
from motherline.jobs.services import run_job
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_deployment_administrator_reads_the_jobs(page, live_server, users, settings, tmp_path):
    settings.MOTHERLINE_BACKUP_DIR = tmp_path / "not-a-dir"
    settings.MOTHERLINE_BACKUP_DIR.write_text("")  # the backup fails: shown on the page
    with time_machine.travel(datetime(2026, 6, 15, 3, 30, tzinfo=ZoneInfo("Asia/Phnom_Penh"))):
        run_job(JobName.MAINTENANCE)
        run_job(JobName.BACKUP)
    sign_in(page, live_server.url, "deployment_administrator")
    page.click("nav.mainnav summary:has-text('Administration')")
    page.click("nav.mainnav a:has-text('Daily jobs')")
    page.wait_for_url("**/jobs/")
    rows = page.locator("#jobs tbody tr")
    assert rows.count() == 4
    maintenance = page.locator("#jobs tr[data-job=maintenance]")
    assert "Succeeded" in maintenance.inner_text()
    assert "Failed" in page.locator("#jobs tr[data-job=backup]").inner_text()
    assert "Never" in page.locator("#jobs tr[data-job=alert_digests]").inner_text()
    screenshot(page, "jobs")

    page.goto(f"{live_server.url}/jobs/")
    page.evaluate("document.cookie = 'django_language=km; path=/'")
    page.reload()
    assert "ការងារប្រចាំថ្ងៃ" in page.locator("h1").inner_text()
    assert "បានសម្រេច" in page.locator("#jobs tr[data-job=maintenance]").inner_text()
    screenshot(page, "jobs-km")
