"""The daily jobs: each runs with the clock moved to its time, its run is recorded and the
jobs page and the API show it; a failure is e-mailed to the deployment administrators once;
backups rotate; retention is reported, and applied only where the deployment says so."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.schedulers.background import BackgroundScheduler
from django.core import mail
from django.db import connection
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.jobs import scheduler as scheduling
from motherline.jobs.models import JobName, JobResult, JobRun
from motherline.jobs.services import job_statuses, next_run, run_job
from motherline.people import services as people_services
from motherline.people.models import Woman
from motherline.vault.backup import open_archive
from tests.conftest import TODAY
from tests.factories import admit, current_version

pytestmark = pytest.mark.usefixtures("transactional_db")
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")


def at(day: date, hour: int, minute: int = 0, second: float = 0) -> datetime:
    whole = int(second)
    micro = int((second - whole) * 1_000_000)
    return datetime(day.year, day.month, day.day, hour, minute, whole, micro, tzinfo=PHNOM_PENH)


@pytest.fixture
def backups(settings, tmp_path):
    settings.MOTHERLINE_BACKUP_DIR = tmp_path / "backups"
    settings.MOTHERLINE_BACKUP_KEEP = 2
    return settings.MOTHERLINE_BACKUP_DIR


def test_each_job_runs_at_its_time_and_the_page_shows_it(
    client, register, users, deploy, backups, settings
):
    settings.MOTHERLINE_SITE_URL = "https://motherline.example.org"
    users["monitor"].email = "monitor@example.org"
    users["monitor"].save()
    for name, hour, minute in (
        (JobName.BACKUP, 1, 30),
        (JobName.RETENTION, 3, 0),
        (JobName.MAINTENANCE, 3, 30),
        (JobName.ALERT_DIGESTS, 6, 0),
    ):
        with time_machine.travel(at(TODAY, hour, minute), tick=False):
            assert next_run(name) == at(TODAY, hour, minute)  # due now
            run = run_job(name)
        assert run.result == JobResult.SUCCEEDED, run.error
        assert run.started_at == at(TODAY, hour, minute)
        assert run.finished_at is not None and run.error == ""

    assert JobRun.objects.filter(result=JobResult.SUCCEEDED).count() == 4
    # The digests went out with full links; the backup is a readable archive, audited.
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    assert "https://motherline.example.org/worklist/" in digest.body
    backup_run = JobRun.objects.get(job=JobName.BACKUP)
    archive = backups / backup_run.details["file"]
    assert archive.name == "motherline-20260615-013000.backup"
    assert archive.stat().st_mode & 0o777 == 0o600
    with archive.open("rb") as source:
        assert next(open_archive(source))["type"] == "header"
    assert AuditEvent.objects.filter(
        object_type="backup", object_ref=archive.name, username="system:scheduler"
    ).exists()
    maintenance = JobRun.objects.get(job=JobName.MAINTENANCE)
    assert maintenance.details["database"] == connection.vendor
    # The monitor and the NGO's administrator (the deployment administrator sees no register).
    assert JobRun.objects.get(job=JobName.ALERT_DIGESTS).details == {"sent": 2, "failed": 0}

    # Later that morning the page shows every job's last run, result and next run.
    with time_machine.travel(at(TODAY, 9), tick=False):
        client.force_login(deploy)
        response = client.get(reverse("jobs:list"))
        api = client.get("/api/v1/jobs")
    assert response.status_code == 200
    page = response.text
    for label in ("Alert digests", "Encrypted backup", "Retention report", "Database maintenance"):
        assert label in page
    assert page.count("Succeeded") >= 4
    assert "16 Jun 2026, 06:00" in page  # the digests' next run, tomorrow
    assert "15 Jun 2026, 01:30" in page  # the backup's last run
    assert api.status_code == 200
    by_name = {job["name"]: job for job in api.json()}
    assert by_name["alert_digests"]["last_run"]["result"] == "succeeded"
    assert by_name["alert_digests"]["next_run"].startswith("2026-06-16T06:00:00")
    assert by_name["backup"]["last_run"]["details"]["file"] == archive.name


def test_the_jobs_page_is_for_deployment_administrators_only(client, users):
    client.force_login(users["administrator"])
    assert client.get(reverse("jobs:list")).status_code == 403
    assert client.get("/api/v1/jobs").status_code == 403


def test_the_scheduler_starts_a_job_when_the_clock_reaches_its_time(settings):
    """The real scheduler, its clock moved to a second before the maintenance's time."""
    settings.MOTHERLINE_SCHEDULE = {**settings.MOTHERLINE_SCHEDULE, "maintenance": "30 3 * * *"}
    with time_machine.travel(at(TODAY, 3, 29, 59.0), tick=True):
        scheduler = BackgroundScheduler(timezone="Asia/Phnom_Penh")
        scheduling.add_jobs(scheduler)
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {"alert_digests", "backup", "retention", "maintenance"}
        scheduler.start()
        try:
            assert scheduler.get_job("maintenance").next_run_time == at(TODAY, 3, 30)
            deadline = time.monotonic() + 20
            while not JobRun.objects.filter(job="maintenance").exists():
                assert time.monotonic() < deadline, "the scheduler did not run the job"
                time.sleep(0.2)
        finally:
            scheduler.shutdown(wait=True)
    run = JobRun.objects.get(job="maintenance")
    assert run.result == JobResult.SUCCEEDED
    assert run.started_at >= at(TODAY, 3, 30)
    # Nothing else was due in that second.
    assert JobRun.objects.count() == 1


def test_a_failed_job_is_recorded_and_mailed_once_until_it_runs_well(deploy, settings, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    settings.MOTHERLINE_BACKUP_DIR = blocked / "backups"
    settings.MOTHERLINE_BACKUP_KEEP = 3
    with time_machine.travel(at(TODAY, 1, 30), tick=False):
        first = run_job(JobName.BACKUP)
    assert first.result == JobResult.FAILED
    assert "NotADirectoryError" in first.error or "FileExistsError" in first.error
    assert first.alerted
    assert [m.to for m in mail.outbox] == [["deploy@example.org"]]
    assert "Encrypted backup" in mail.outbox[0].subject
    assert "/jobs/" in mail.outbox[0].body

    with time_machine.travel(at(TODAY + timedelta(days=1), 1, 30), tick=False):
        second = run_job(JobName.BACKUP)
    assert second.result == JobResult.FAILED and not second.alerted
    assert len(mail.outbox) == 1  # not again

    settings.MOTHERLINE_BACKUP_DIR = tmp_path / "backups"
    with time_machine.travel(at(TODAY + timedelta(days=2), 1, 30), tick=False):
        assert run_job(JobName.BACKUP).result == JobResult.SUCCEEDED
    settings.MOTHERLINE_BACKUP_DIR = blocked / "backups"
    with time_machine.travel(at(TODAY + timedelta(days=3), 1, 30), tick=False):
        assert run_job(JobName.BACKUP).alerted  # failing again after a success: told again
    assert len(mail.outbox) == 2


def test_backups_are_rotated_keeping_the_newest(backups, users):
    (backups).mkdir(parents=True)
    (backups / "keep-me.txt").write_text("not a scheduled backup")
    for offset in range(4):
        with time_machine.travel(at(TODAY + timedelta(days=offset), 1, 30), tick=False):
            assert run_job(JobName.BACKUP).result == JobResult.SUCCEEDED
    assert sorted(p.name for p in backups.iterdir()) == [
        "keep-me.txt",
        "motherline-20260617-013000.backup",
        "motherline-20260618-013000.backup",
    ]
    last = JobRun.objects.filter(job=JobName.BACKUP).latest("started_at")
    assert last.details["deleted"] == ["motherline-20260616-013000.backup"]


def _released_long_ago(monitor, prison) -> Woman:
    woman = admit(monitor, prison, admission_date=date(2012, 3, 1))
    people_services.record_release(
        monitor,
        woman.current_episode,
        date(2014, 8, 20),
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    return Woman.objects.get(pk=woman.pk)


def test_retention_is_reported_to_administrators_and_applied_only_when_turned_on(
    deploy, users, other_admin, prisons, settings
):
    woman = _released_long_ago(users["monitor"], prisons["CC2"])
    settings.MOTHERLINE_RETENTION_APPLY = False
    with time_machine.travel(at(TODAY, 3), tick=False):
        run = run_job(JobName.RETENTION)
    assert run.result == JobResult.SUCCEEDED
    assert run.details["due"] == 1 and run.details["pseudonymised"] == 0
    woman.refresh_from_db()
    assert woman.pseudonymised_on is None  # reported, not applied
    # The NGO's administrator and the deployment's are told; the other organisation's not.
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.org", "deploy@example.org"]
    assert "1 woman was released more than 10 years before" in mail.outbox[0].body
    assert "MOTHERLINE_RETENTION_APPLY" in mail.outbox[0].body

    mail.outbox.clear()
    settings.MOTHERLINE_RETENTION_APPLY = True
    with time_machine.travel(at(TODAY + timedelta(days=1), 3), tick=False):
        run = run_job(JobName.RETENTION)
    assert run.details["pseudonymised"] == 1
    woman.refresh_from_db()
    assert woman.pseudonymised_on is not None
    assert "was pseudonymised today" in mail.outbox[0].body


def test_statuses_list_every_job_with_its_next_run(settings):
    with time_machine.travel(at(TODAY, 23, 59), tick=False):
        statuses = {s.name: s for s in job_statuses()}
    assert statuses["backup"].next_run == at(TODAY + timedelta(days=1), 1, 30)
    assert statuses["alert_digests"].last_run is None


def test_a_database_queue_runs_the_job_in_a_worker(settings):
    """MOTHERLINE_TASKS_BACKEND=database: the scheduler only queues; `db_worker` runs it."""
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with time_machine.travel(at(TODAY, 3, 30), tick=False):
        scheduling.enqueue("maintenance")
    assert DBTaskResult.objects.count() == 1
    assert not JobRun.objects.exists()  # queued, not run
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    run = JobRun.objects.get(job="maintenance")
    assert run.result == JobResult.SUCCEEDED
