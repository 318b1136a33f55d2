"""One row per run of a daily job: when it started and ended, how it went, what it did."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobName(models.TextChoices):
    ALERT_DIGESTS = "alert_digests", _("Alert digests")
    BACKUP = "backup", _("Encrypted backup")
    RETENTION = "retention", _("Retention report")
    MAINTENANCE = "maintenance", _("Database maintenance")


class JobResult(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    job = models.CharField(_("job"), max_length=32, choices=JobName.choices)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=16, choices=JobResult.choices, default=JobResult.RUNNING
    )
    # Counts and file names only: never a person's name or a record's content.
    details = models.JSONField(_("details"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    # The deployment administrators were e-mailed about this failure.
    alerted = models.BooleanField(_("administrators alerted"), default=False)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_run_job_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.result}"
