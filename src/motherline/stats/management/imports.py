"""What the commands that import population returns share: the report of an import, all or
nothing."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.stats.services import ImportResult


class ImportCommand(BaseCommand):
    """A command that imports a file of population returns, all or nothing."""

    def report(self, file: Path, result: ImportResult) -> None:
        """Say what the import of `file` did; a refused file's every problem, then
        `CommandError`."""
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file.name}:{error}")
            n = len(result.errors)
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(n)s problem.",
                    "Nothing was imported: %(n)s problems.",
                    n,
                )
                % {"n": n}
            )
        self.stdout.write(
            _("%(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
