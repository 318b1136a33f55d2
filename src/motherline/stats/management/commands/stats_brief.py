from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.core.actors import SystemActor
from motherline.core.commands import day_or_today, iso_date
from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction
from motherline.reports.pdf import render_html
from motherline.stats import publication

TEMPLATE = "stats/brief.html"


class Command(BaseCommand):
    help = _(
        "Write the statistics brief (key figures, trends, map, table by prison, methods and "
        "sources) as PDF or HTML, in English or Khmer, with the publication rules applied."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", dest="as_of", type=iso_date, default=None, help="YYYY-MM-DD")
        parser.add_argument(
            "--language",
            default="en",
            help=_("One of the jurisdiction's document languages (pack.toml)."),
        )
        parser.add_argument(
            "--jurisdiction", default="", help=_("Its code; by default the deployment's.")
        )
        parser.add_argument("--output", required=True, type=Path)
        parser.add_argument("--html", action="store_true", help=_("Write HTML, not PDF."))

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = day_or_today(options["as_of"])
        language = options["language"]
        code = options["jurisdiction"].upper() or local.default_code()
        jurisdiction = Jurisdiction.objects.filter(code=code).first()
        if jurisdiction is None:
            raise CommandError(_("No jurisdiction %(code)s is loaded.") % {"code": code})
        if language not in jurisdiction.document_languages:
            raise CommandError(
                _("%(code)s's documents are produced in: %(languages)s.")
                % {"code": code, "languages": ", ".join(jurisdiction.document_languages)}
            )
        # WeasyPrint narrates every layout step at INFO; the command prints only the file.
        logging.getLogger("weasyprint").setLevel(logging.WARNING)
        output: Path = options["output"]
        if options["html"]:
            # Labels chosen while the context is built (sources, names) follow the language.
            with translation.override(language):
                context = publication.brief(as_of, code)
            output.write_text(render_html(TEMPLATE, context, language), encoding="utf-8")
        else:
            # Rendered once per state of the data and kept (publication.brief_pdf).
            output.write_bytes(publication.brief_pdf(as_of, language, code))
        audit.record(
            SystemActor("stats_brief"),
            AuditAction.EXPORT,
            object_type="stats.brief",
            object_ref=as_of.isoformat(),
            changes={"language": language, "file": str(output)},
        )
        self.stdout.write(str(output))
