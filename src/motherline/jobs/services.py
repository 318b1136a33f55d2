"""Running a daily job: each run recorded (start, end, result, error), a failure e-mailed to
the deployment administrators once, and what the jobs page and the API show."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from motherline import outgoing
from motherline.accounts.models import Role, User
from motherline.jobs.jobs import JOBS, JobFailed
from motherline.jobs.models import JobName, JobResult, JobRun
from motherline.outgoing import site_link

log = logging.getLogger(__name__)
ERROR_MAX = 2000  # characters of an error kept on the run


def trigger(name: str) -> CronTrigger:
    """When the job runs: its crontab schedule (settings.MOTHERLINE_SCHEDULE) in the
    deployment's time zone. The scheduler and the jobs page use the same trigger."""
    return CronTrigger.from_crontab(
        settings.MOTHERLINE_SCHEDULE[name], timezone=ZoneInfo(settings.TIME_ZONE)
    )


def next_run(name: str, now: datetime | None = None) -> datetime | None:
    result: datetime | None = trigger(name).get_next_fire_time(None, now or timezone.now())
    return result


def run_job(name: str, now: datetime | None = None) -> JobRun:
    """Run one job now and record the run; a failure is recorded, logged and e-mailed,
    never raised (the scheduler goes on with the other jobs)."""
    job = JOBS[name]
    run = JobRun.objects.create(job=name, started_at=now or timezone.now())
    try:
        run.details = job(run.started_at)
        run.result = JobResult.SUCCEEDED
    except Exception as exc:
        log.exception("The %s job failed", name)
        run.result = JobResult.FAILED
        run.details = exc.details if isinstance(exc, JobFailed) else {}
        run.error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    run.finished_at = timezone.now()
    run.save(update_fields=["details", "result", "error", "finished_at"])
    if run.result == JobResult.FAILED:
        alert_failure(run)
    return run


def alert_failure(run: JobRun) -> bool:
    """E-mail the deployment administrators that a job failed, once: a job that goes on
    failing day after day is not mailed again until it has succeeded in between (the jobs
    page shows every failure)."""
    previous = (
        JobRun.objects.filter(job=run.job, started_at__lt=run.started_at)
        .exclude(result=JobResult.RUNNING)
        .order_by("-started_at")
        .first()
    )
    if previous is not None and previous.result == JobResult.FAILED:
        return False
    recipients = User.objects.filter(is_active=True, role=Role.DEPLOYMENT_ADMINISTRATOR).exclude(
        email=""
    )
    sent = False
    for user in recipients:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            label = JobName(run.job).label
            subject = _("Motherline: the job “%(job)s” failed") % {"job": label}
            body = "\n".join(
                [
                    _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
                    "",
                    _("The job “%(job)s” that started at %(start)s failed:")
                    % {
                        "job": label,
                        "start": outgoing.moment(timezone.localtime(run.started_at)),
                    },
                    run.error,
                    "",
                    _("You will not be told again until it has run well once."),
                    _("The jobs: %(link)s") % {"link": site_link(reverse("jobs:list"))},
                ]
            )
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            sent = True
        except Exception:  # the failure is on the page in any case
            log.exception("Could not e-mail the failure of %s", run.job)
    if sent:
        JobRun.objects.filter(pk=run.pk).update(alerted=True)
        run.alerted = True
    return sent


@dataclass(frozen=True)
class JobStatus:
    name: str
    label: str
    schedule: str
    last_run: JobRun | None
    next_run: datetime | None


def job_statuses(now: datetime | None = None) -> list[JobStatus]:
    """Each job with its schedule, its last run and its next one."""
    latest: dict[str, JobRun] = {}
    for name in JOBS:
        run = JobRun.objects.filter(job=name).order_by("-started_at", "-pk").first()
        if run is not None:
            latest[name] = run
    return [
        JobStatus(
            name=str(name),
            label=str(JobName(name).label),
            schedule=settings.MOTHERLINE_SCHEDULE[name],
            last_run=latest.get(name),
            next_run=next_run(name, now),
        )
        for name in JOBS
    ]


def recent_runs(limit: int = 50) -> list[JobRun]:
    return list(JobRun.objects.order_by("-started_at", "-pk")[:limit])
