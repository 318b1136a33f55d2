"""The jobs page for deployment administrators: each daily job, its last run and next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motherline.accounts.policy import Capability, require
from motherline.core.actors import AuthenticatedRequest
from motherline.jobs.services import job_statuses, recent_runs


@login_required
@require_GET
def jobs(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.ADMINISTER_DEPLOYMENT)
    return render(
        request,
        "jobs/jobs.html",
        {"heading": _("Daily jobs"), "statuses": job_statuses(), "runs": recent_runs()},
    )
