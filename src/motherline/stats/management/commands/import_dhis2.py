from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from motherline.core.actors import SystemActor
from motherline.core.commands import refusals
from motherline.stats.management.imports import ImportCommand
from motherline.stats.services import import_data_value_set


class Command(ImportCommand):
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
        with refusals(OSError):
            content = file.read_bytes()
        self.report(
            file,
            import_data_value_set(
                SystemActor("import_dhis2"), content, file.name, source, jurisdiction=jurisdiction
            ),
        )
