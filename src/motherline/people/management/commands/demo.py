from __future__ import annotations

import subprocess
import sys
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts.models import AuditEvent
from motherline.core.commands import ensure_port_free
from motherline.people.models import Woman


def demo_generated_for() -> date | None:
    """The day the register's synthetic data was generated for (`generate` records it on
    the audit trail), or None when it was not generated."""
    event = (
        AuditEvent.objects.filter(object_type="synthetic data")
        .order_by("-id")
        .values_list("changes", flat=True)
        .first()
    )
    day = (event or {}).get("today")
    return date.fromisoformat(day) if day else None


DEMO_PASSWORD = "motherline-demo"


def start_scheduler(**popen: Any) -> subprocess.Popen[bytes]:
    """`motherline scheduler` as a child process (same environment, same process group)."""
    return subprocess.Popen([sys.executable, "-m", "motherline", "scheduler"], **popen)


def stop_scheduler(process: subprocess.Popen[bytes], wait: float = 30) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(wait)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Command(BaseCommand):
    help = _(
        "Set up and serve the demo: migrate, load the jurisdiction packs, generate synthetic "
        "demo data if the register is empty, create the demo users and serve."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-serve", action="store_true", help=_("Set up, then stop."))

    def handle(
        self, *args: Any, host: str, port: int, seed: int, no_serve: bool, **options: Any
    ) -> None:
        from motherline.synthetic import ensure_demo_users
        from motherline.vault.sqlite3.base import private_directory

        if not no_serve:
            # Before the minutes of setting up, not after them.
            ensure_port_free(host, port)
        private_directory(settings.DATA_DIR)  # database, keys, uploads: this account only
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_pack", all=True)
        if not Woman.objects.exists():
            # Generated for today: the worklist shows what is due from the day it is set up.
            call_command("generate", preset="demo", seed=seed)
        generated_for = demo_generated_for()
        today = timezone.localdate()
        if generated_for is not None and generated_for < today:
            self.stdout.write(
                _(
                    "The synthetic data was generated for %(day)s, %(days)s days ago: its "
                    "deadlines have moved on since. To see the demo as of today, start with an "
                    "empty data directory (MOTHERLINE_DATA_DIR) and run the demo again."
                )
                % {"day": generated_for.isoformat(), "days": (today - generated_for).days}
            )
        users = ensure_demo_users(DEMO_PASSWORD)
        self.stdout.write("")
        self.stdout.write(
            _("Demo sign-in (synthetic data only; every account has the password %(pw)s):")
            % {"pw": DEMO_PASSWORD}
        )
        for username, role in users:
            self.stdout.write(f"  {username:<10} {role}")
        # The demo is signed into with a password alone; production requires the second factor.
        settings.MOTHERLINE_TWO_FACTOR = "optional"
        self.stdout.write(
            _(
                "The second factor (authenticator app) is optional in the demo; production "
                "requires it for every role that sees names (MOTHERLINE_TWO_FACTOR)."
            )
        )
        self.stdout.write("")
        if not no_serve:
            # The daily jobs run beside the server, in the same process group: Ctrl-C stops
            # both, and the scheduler is stopped too when the server ends any other way.
            scheduler = start_scheduler()
            self.stdout.write(
                _("The daily jobs' scheduler is running (process %(pid)d).")
                % {"pid": scheduler.pid}
            )
            try:
                call_command("serve", host=host, port=port)
            finally:
                stop_scheduler(scheduler)
