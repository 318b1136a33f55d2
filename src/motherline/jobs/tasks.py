"""The jobs as tasks of Django's tasks framework (the django-tasks backport): the scheduler
enqueues them, and the backend in settings.TASKS runs them: in the scheduler's process by
default, or queued in the database for `motherline db_worker` (docs/deployment.md)."""

from __future__ import annotations

from django_tasks import task

from motherline.jobs.services import run_job


@task()
def run_scheduled_job(name: str) -> str:
    return str(run_job(name).result)
