from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.stats.models import ReturnSource
from motherline.stats.services import import_returns


class Command(BaseCommand):
    help = _(
        "Import population returns from a CSV or XLSX file (the template's columns). A file "
        "with any bad row imports nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, choices=ReturnSource.values)

    def handle(self, *args, file: Path, source: str, **options) -> None:
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        result = import_returns(None, file, file.name, source)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(f"{file.name}:{error}")
            raise CommandError(
                _("Nothing was imported: %(n)s problems.") % {"n": len(result.errors)}
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
