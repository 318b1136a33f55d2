"""`motherline screen`: early-release screening as JSON or a table, so a script can check it.

`--round ID` screens for that pardon round; `--remedy pardon|pretrial|non_custodial` for a
remedy. `--as-of YYYY-MM-DD` screens on a past day, as the register stood that day: the women
in custody then, with their legal status, pregnancies and children then (a day the register
cannot answer for is refused with the reason). With `--user NAME` it is that user's
scope; without, the read-only system view of the whole register (`core.actors.SystemActor`).
Women are named by their internal reference (`subject`), never by name. The run is on the
audit trail as an export.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.commands import register_user
from motherline.accounts.models import AuditAction
from motherline.core.commands import add_as_of, day_or_today, refusals
from motherline.jurisdictions.models import Jurisdiction, Remedy
from motherline.legal import queries
from motherline.legal.models import PardonRound
from motherline.people.history import UnanswerableDay


class Command(BaseCommand):
    help = _(
        "Screen the women in custody for early release: for a pardon round (--round) or a "
        "remedy (--remedy) on a day (--as-of); candidates with the criteria they meet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--round", type=int, dest="round_id", help=_("A pardon round's id."))
        parser.add_argument("--remedy", choices=Remedy.values, default=None)
        add_as_of(parser)
        parser.add_argument("--user", default=None, help=_("Screen within this user's scope."))
        parser.add_argument("--jurisdiction", default=None, help=_("Jurisdiction code."))
        parser.add_argument("--json", action="store_true", help=_("Print JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        user = register_user(options["user"], "screen")
        as_of = day_or_today(options["as_of"])
        target: Any
        if options["round_id"] is not None:
            if options["remedy"] not in (None, Remedy.PARDON):
                raise CommandError(_("A pardon round screens for a pardon only."))
            target = PardonRound.objects.filter(pk=options["round_id"]).first()
            if target is None:
                raise CommandError(
                    _("There is no pardon round %(id)s.") % {"id": options["round_id"]}
                )
        else:
            target = options["remedy"] or Remedy.PARDON
        jurisdiction = None
        if options["jurisdiction"]:
            jurisdiction = Jurisdiction.objects.filter(code=options["jurisdiction"]).first()
            if jurisdiction is None:
                raise CommandError(
                    _("There is no jurisdiction %(code)s.") % {"code": options["jurisdiction"]}
                )
        with refusals(UnanswerableDay):
            result = queries.screen_candidates(user, target, as_of, jurisdiction=jurisdiction)
        audit.record(
            user,
            AuditAction.EXPORT,
            object_type="screening",
            object_ref=f"{result.remedy}/{as_of.isoformat()}",
            changes={"listed": len(result.candidates), "command": "screen"},
        )
        rows: list[dict[str, Any]] = [
            {
                "rank": s.rank,
                "subject": s.facts.reference,
                "score": s.score,
                "eligible": s.is_eligible,
                "ineligible": s.ineligible,
                "criteria_met": [f.as_dict() for f in s.met],
                "criteria_not_met": [f.code for f in s.not_met],
            }
            for s in result.candidates
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1))
            return
        for row in rows:
            met = ", ".join(f["code"] for f in row["criteria_met"])
            flag = "" if row["eligible"] else "  " + " ".join(row["ineligible"])
            self.stdout.write(f"{row['rank']:>4}  {row['subject']}  {row['score']:>3}  {met}{flag}")
        self.stdout.write(
            _(
                "%(listed)s of %(screened)s women in custody meet a criterion "
                "(%(remedy)s, %(date)s)."
            )
            % {
                "listed": len(rows),
                "screened": result.screened,
                "remedy": result.remedy,
                "date": as_of.isoformat(),
            }
        )
