"""`motherline scheduler`: run the daily jobs at their times until stopped (one extra process
beside the web server); `--list` shows the jobs and their next runs; `--run JOB` runs one
job now, once."""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.jobs.jobs import JOBS
from motherline.jobs.models import JobName, JobResult
from motherline.jobs.services import job_statuses, run_job


class Command(BaseCommand):
    help = _(
        "Run the daily jobs (alert digests, encrypted backup, retention report, database "
        "maintenance) at their scheduled times until stopped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--run",
            choices=[*JOBS, "all"],
            help=_("Run this job (or all of them) now, once, and stop."),
        )
        parser.add_argument(
            "--list", action="store_true", help=_("Show each job's schedule and next run.")
        )

    def handle(self, *args: Any, run: str | None, list: bool, **options: Any) -> None:
        if list:
            self.show()
            return
        if run:
            self.run_now(JOBS if run == "all" else [run])
            return
        from motherline.jobs.scheduler import blocking_scheduler

        scheduler = blocking_scheduler()
        # A service manager's SIGTERM stops it as Ctrl-C does, whenever it arrives.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            self.show()
            self.stdout.write(_("The scheduler is running; stop it with Ctrl-C."))
            self.stdout.flush()
            scheduler.start()
        except KeyboardInterrupt:
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=False)

    def show(self) -> None:
        for status in job_statuses():
            when = (
                timezone.localtime(status.next_run).strftime("%Y-%m-%d %H:%M")
                if (status.next_run)
                else "-"
            )
            self.stdout.write(
                _("%(job)s (%(schedule)s): next run %(when)s")
                % {"job": status.label, "schedule": status.schedule, "when": when}
            )

    def run_now(self, names: Any) -> None:
        failed = []
        for name in names:
            done = run_job(name)
            label = JobName(name).label
            if done.result == JobResult.FAILED:
                failed.append(str(label))
                self.stdout.write(
                    _("%(job)s: failed (%(error)s)") % {"job": label, "error": done.error}
                )
            else:
                self.stdout.write(
                    _("%(job)s: done %(details)s") % {"job": label, "details": done.details}
                )
        if failed:
            raise CommandError(_("Failed: %(jobs)s") % {"jobs": ", ".join(failed)})
