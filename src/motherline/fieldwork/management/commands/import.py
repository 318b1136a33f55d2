from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.accounts.models import User
from motherline.fieldwork.importing import IMPORTERS, read_rows
from motherline.uploads import FileRefused


class Command(BaseCommand):
    help = _(
        "Import the submissions of the Motherline XLSForms (prison visits or services) from "
        "an ODK Central or KoBoToolbox export (CSV or XLSX). Nothing is written if any row "
        "is refused; submissions already imported are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(IMPORTERS))
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user", required=True, help=_("The user name the records are recorded by.")
        )

    def handle(self, *args: Any, kind: str, file: Path, user: str, **options: Any) -> None:
        account = User.objects.filter(username=user, is_active=True).first()
        if account is None:
            raise CommandError(_("No active user has this name."))
        if not file.exists():
            raise CommandError(_("No such file: %(file)s") % {"file": file})
        started = time.perf_counter()
        try:
            rows = read_rows(file, file.name)
        except FileRefused as exc:
            raise CommandError(f"{file.name}: {exc.located()}") from None
        report = IMPORTERS[kind](account, rows)
        seconds = time.perf_counter() - started
        for error in report.errors:
            self.stderr.write(f"{file.name}:{error}")
        if report.errors:
            raise CommandError(
                _("%(n)s problems in %(rows)s rows: nothing was imported.")
                % {"n": len(report.errors), "rows": report.rows}
            )
        self.stdout.write(
            _("%(created)s imported, %(skipped)s already imported, in %(seconds).1f s.")
            % {"created": report.created, "skipped": report.skipped, "seconds": seconds}
        )
