"""Load jurisdiction packs from their files: `load_pack kh`, `load_pack kh ke`, `--all`."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.jurisdictions.loader import (
    PackInvalid,
    available_packs,
    load_pack,
    read_pack,
)


class Command(BaseCommand):
    help = _(
        "Load jurisdiction packs (provinces, prisons, offence categories and legal rules) "
        "into the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("codes", nargs="*", metavar="code", help=_("Pack code, such as kh."))
        parser.add_argument(
            "--all", action="store_true", dest="all_packs", help=_("Load every pack.")
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Only validate the packs; write nothing."),
        )
        parser.add_argument(
            "--packs-dir",
            type=Path,
            default=None,
            help=_("Directory holding the packs (default: the packs shipped with Motherline)."),
        )

    def handle(
        self,
        *args: Any,
        codes: list[str],
        all_packs: bool,
        check: bool,
        packs_dir: Path | None,
        **options: Any,
    ) -> None:
        if all_packs:
            codes = available_packs(packs_dir)
        if not codes:
            raise CommandError(_("Name at least one pack code, or use --all."))

        failed = []
        # Each pack is loaded in its own transaction, so one invalid pack does not hold back
        # the others; the command still ends with an error.
        for code in dict.fromkeys(code.lower() for code in codes):
            try:
                if check:
                    read_pack(code, packs_dir)
                    self.stdout.write(_("%(code)s: valid") % {"code": code.upper()})
                    continue
                report = load_pack(code, packs_dir)
            except PackInvalid as exc:
                for error in exc.errors:
                    self.stderr.write(str(error))
                failed.append(code.upper())
                continue
            self.stdout.write(
                _(
                    "%(code)s %(version)s: %(provinces)d provinces, %(prisons)d prisons, "
                    "%(offences)d offence categories, %(age_limits)d age-limit rules, "
                    "%(pretrial_limits)d pretrial-limit rules (%(created)d new)"
                )
                % {
                    "code": report.code,
                    "version": report.version,
                    "created": sum(
                        report.created[kind] for kind in ("provinces", "prisons", "offences")
                    ),
                    **report.counts,
                }
            )
            for kind, kept in report.not_in_pack.items():
                self.stderr.write(
                    _("%(code)s: kept %(kind)s that are no longer in the pack: %(codes)s")
                    % {"code": report.code, "kind": kind, "codes": ", ".join(kept)}
                )
        if failed:
            raise CommandError(_("Invalid packs: %(codes)s") % {"codes": ", ".join(failed)})
