"""The daily jobs for deployment administrators: each job's schedule, last run and next run
(the same as the jobs page)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.jobs.services import job_statuses

router = Router(tags=["jobs"])


class JobRunOut(Schema):
    started_at: datetime
    finished_at: datetime | None
    result: str
    error: str
    alerted: bool
    details: dict[str, Any]


class JobOut(Schema):
    name: str
    label: str
    schedule: str
    last_run: JobRunOut | None
    next_run: datetime | None


@router.get(
    "/jobs",
    response=list[JobOut],
    url_name="jobs",
    summary="The daily jobs, their last and next runs",
    auth=Requires(Capability.ADMINISTER_DEPLOYMENT),
)
def list_jobs(request: HttpRequest) -> list[Any]:
    """Deployment administrators: each daily job (alert digests, encrypted backup, retention
    report, database maintenance) with its crontab schedule, its last run (start, end,
    result, error, counts) and its next run."""
    return list(job_statuses())
