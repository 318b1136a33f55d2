"""The daily jobs themselves: plain functions of the moment they run at, each returning
what it did as counts and file names (never a person's name), or raising when it failed.

They call the same functions as the commands they replace (`motherline alerts`,
`motherline backup`, `motherline retention`) so that a scheduled run and a hand-run one
cannot differ.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline import outgoing
from motherline.accounts.models import Role, User
from motherline.core.actors import SystemActor
from motherline.jobs.models import JobName
from motherline.outgoing import site_link
from motherline.people.models import Woman
from motherline.vault import backup, retention
from motherline.worklist.services import send_alerts

Details = dict[str, Any]

# Who the audit trail says acted when a job did, rather than a person running its command.
SCHEDULER = SystemActor("scheduler")


class JobFailed(Exception):
    """A job that did part of its work: what it did, and why the rest failed."""

    def __init__(self, message: str, details: Details) -> None:
        super().__init__(message)
        self.details = details


def alert_digests(now: datetime) -> Details:
    """Each user's digest of what became due (as `motherline alerts` for today)."""
    digests = send_alerts(timezone.localdate(now))
    failed = [d for d in digests if not d.sent]
    details = {"sent": len(digests) - len(failed), "failed": len(failed)}
    if failed:
        raise JobFailed(
            f"{len(failed)} of {len(digests)} digests could not be sent: {failed[0].error}",
            details,
        )
    return details


def encrypted_backup(now: datetime) -> Details:
    """An encrypted archive in MOTHERLINE_BACKUP_DIR, named by its time; the oldest beyond
    MOTHERLINE_BACKUP_KEEP are deleted, and only after the new one is complete."""
    directory = settings.MOTHERLINE_BACKUP_DIR
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / backup.scheduled_backup_name(timezone.localtime(now))
    manifest = backup.write_recorded_backup(path, SCHEDULER)
    deleted = backup.rotate_backups(directory, settings.MOTHERLINE_BACKUP_KEEP)
    return {
        "file": path.name,
        "rows": manifest.rows,
        "tables": len(manifest.tables),
        "files": len(manifest.files),
        "deleted": [p.name for p in deleted],
    }


def _administrators() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, role__in=[Role.ADMINISTRATOR, Role.DEPLOYMENT_ADMINISTRATOR]
        )
        .exclude(email="")
        .select_related("organisation")
        .order_by("id")
    )


def retention_report(now: datetime) -> Details:
    """Who the retention rule reaches today, by organisation; applied only where the
    deployment sets MOTHERLINE_RETENTION_APPLY. Administrators are e-mailed the counts when
    there is something to report: an organisation's administrator their organisation's, a
    deployment administrator every organisation's."""
    day = timezone.localdate(now)
    years = retention.default_years()  # the default jurisdiction's, for the summary
    by_org = {
        row["organisation_id"]: row["n"]
        for row in Woman.objects.filter(pk__in=retention.due(day).values("pk"))
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    applied = bool(settings.MOTHERLINE_RETENTION_APPLY)
    result = retention.apply(day) if applied else None
    total = sum(by_org.values())
    reported = 0
    if total:
        for user in _administrators():
            n = (
                total
                if user.role == Role.DEPLOYMENT_ADMINISTRATOR
                else by_org.get(user.organisation_id or 0, 0)
            )
            if not n:
                continue
            # Her jurisdiction's period (a deployment administrator's: the default one).
            period = retention.default_years(
                user.organisation.jurisdiction_id if user.organisation is not None else None
            )
            with translation.override(user.language or settings.LANGUAGE_CODE):
                subject, body = _retention_mail(user, n, period, day, applied)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
            reported += 1
    return {
        "due": total,
        "years": years,
        "applied": applied,
        "pseudonymised": result.women if result else 0,
        "children": result.children if result else 0,
        "reported_to": reported,
    }


def _retention_mail(user: User, n: int, years: int, day: Any, applied: bool) -> tuple[str, str]:
    subject = _("Motherline: retention report")
    if applied:
        what = ngettext(
            "%(n)s woman released more than %(years)s years before %(date)s was pseudonymised "
            "today, with her children.",
            "%(n)s women released more than %(years)s years before %(date)s were pseudonymised "
            "today, with their children.",
            n,
        )
    else:
        what = ngettext(
            "%(n)s woman was released more than %(years)s years before %(date)s. The retention "
            "rule is not applied on this server: ask the deployment administrator to apply it "
            "(motherline retention) or to turn it on (MOTHERLINE_RETENTION_APPLY).",
            "%(n)s women were released more than %(years)s years before %(date)s. The retention "
            "rule is not applied on this server: ask the deployment administrator to apply it "
            "(motherline retention) or to turn it on (MOTHERLINE_RETENTION_APPLY).",
            n,
        )
    body = "\n".join(
        [
            _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
            "",
            what
            % {
                "n": outgoing.number(n),
                "years": outgoing.number(years),
                "date": outgoing.day(day),
            },
            "",
            site_link(reverse("home")),
        ]
    )
    return subject, body


def database_maintenance(now: datetime) -> Details:
    """Planner statistics kept current: a register filled through pages and imports never
    gets them otherwise (the child-in-prison count went from 11 ms to 513 ms without)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
            cursor.execute("ANALYZE")
        else:
            cursor.execute("ANALYZE")
    return {"database": connection.vendor, "seconds": round(time.monotonic() - started, 3)}


JOBS: dict[str, Callable[[datetime], Details]] = {
    JobName.ALERT_DIGESTS: alert_digests,
    JobName.BACKUP: encrypted_backup,
    JobName.RETENTION: retention_report,
    JobName.MAINTENANCE: database_maintenance,
}
