from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.core.actors import SystemActor
from motherline.stats.services import import_data_value_set


class Command(BaseCommand):
    help = _(
        "Import a DHIS2 dataValueSets JSON file as population returns (data elements and "
        "organisation units by the codes of the pack's dhis2_mapping.csv). A file with any bad "
        "value imports nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source", required=True, help=_("Where the data values come from (a citation).")
        )
        parser.add_argument(
            "--jurisdiction", default="", help=_("Its code; by default the deployment's.")
        )

    def handle(
        self, *args: Any, file: Path, source: str, jurisdiction: str, **options: Any
    ) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        result = import_data_value_set(
            SystemActor("import_dhis2"), content, file.name, source, jurisdiction=jurisdiction
        )
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
