"""`motherline deadlines --rebuild | --check`: the worklist's stored deadlines.

The services keep the deadlines in step with every change; `--rebuild` recomputes all of
them from the register (after a bulk load that bypassed the services, or to repair), one
range of women per transaction, so users may go on working. `--check` compares the table
with the register without writing and exits with an error when they differ.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.worklist import deadlines


class Command(BaseCommand):
    help = _("Rebuild or check the deadlines the worklist reads.")

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--rebuild", action="store_true", help=_("recompute every deadline"))
        action.add_argument(
            "--check", action="store_true", help=_("compare the deadlines with the register")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        if options["rebuild"]:
            progress = self._progress if sys.stdout.isatty() else None
            written = deadlines.rebuild_all(progress)
            self.stdout.write(
                _("%(count)s deadlines written in %(seconds).1f s.")
                % {"count": f"{written:,}", "seconds": time.perf_counter() - started}
            )
            return
        drift = deadlines.check()
        if drift.none:
            self.stdout.write(
                _("The deadlines match the register (%(seconds).1f s).")
                % {"seconds": time.perf_counter() - started}
            )
            return
        for label, counts in (
            (_("missing"), drift.missing),
            (_("not in the register"), drift.extra),
            (_("different"), drift.changed),
        ):
            for kind, count in sorted(counts.items()):
                self.stdout.write(f"{kind}: {count:,} {label}")
        raise CommandError(
            _("The deadlines differ from the register: run motherline deadlines --rebuild.")
        )

    def _progress(self, done: int, total: int) -> None:
        self.stdout.write(f"\r{done:,} / {total:,}", ending="")
