from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.core.actors import SystemActor
from motherline.stats.management.imports import ImportCommand
from motherline.stats.services import import_returns


class Command(ImportCommand):
    help = _(
        "Import population returns from a CSV or XLSX file (the template's columns): rows for "
        "the nation, a province or a prison, each with its source. A file with any bad row "
        "imports nothing; importing the same file again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--source",
            default="",
            help=_("The source of rows that name none (a file of the first template)."),
        )

    def handle(self, *args: Any, file: Path, source: str, **options: Any) -> None:
        if not file.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        self.report(file, import_returns(SystemActor("import_returns"), file, file.name, source))
