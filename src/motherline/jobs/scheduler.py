"""The scheduler: APScheduler's cron triggers enqueue each job at its time.

APScheduler decides *when* (crontab schedules, missed runs coalesced into one, never two of
the same job at once); Django's tasks framework decides *where* a job runs (settings.TASKS).
"""

from __future__ import annotations

from typing import Any

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from django.conf import settings

from motherline.jobs.jobs import JOBS
from motherline.jobs.services import trigger

# A run missed by up to this many seconds (the machine was asleep, the process restarting)
# still happens, once.
MISFIRE_GRACE = 6 * 3600


def enqueue(name: str) -> None:
    from motherline.jobs.tasks import run_scheduled_job

    run_scheduled_job.enqueue(name)


def add_jobs(scheduler: BaseScheduler) -> None:
    for name in JOBS:
        scheduler.add_job(
            enqueue,
            trigger(name),
            args=[str(name)],
            id=str(name),
            name=str(name),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE,
            replace_existing=True,
        )


def blocking_scheduler(**options: Any) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone=settings.TIME_ZONE, **options)
    add_jobs(scheduler)
    return scheduler
