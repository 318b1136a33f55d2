"""`motherline worklist`: the worklist as a table or as JSON, for scripts and checks.

With `--as-of YYYY-MM-DD` it is the list of a past day, read from the register as it stood
that day (`worklist.queries`, `people.history`); a day the register cannot answer for (after
today, before its first admission, or with a record not dated back to it) is refused with
the reason. With `--user NAME` it is that user's worklist, exactly as their page shows it.
Without it, it is the system view of the whole register (`core.actors.SystemActor`):
read-only, only on the command line of the server, where whoever runs it can read the
database anyway. Either
way the run is written to the audit trail as an export. The output names people by their
internal references, never by name.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.accounts import audit
from motherline.accounts.commands import register_user
from motherline.accounts.models import AuditAction
from motherline.core.commands import add_as_of, day_or_today, refusals
from motherline.people.history import UnanswerableDay
from motherline.worklist import queries
from motherline.worklist.rules import Item, Kind


def table(items: list[Item], as_of: date) -> str:
    """The items as a plain text table, one line each."""
    header = ("due", "urgency", "kind", "subject", "prison", "status")
    rows = [header] + [
        (
            i.due_date.isoformat(),
            str(i.urgency),
            str(i.kind),
            i.subject.reference,
            i.place.prison_code,
            i.status,
        )
        for i in items
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(len(header) - 1)]
    lines = [
        "  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
        for row in rows
    ]
    lines.append(
        ngettext("%(n)d item on %(date)s", "%(n)d items on %(date)s", len(items))
        % {"n": len(items), "date": as_of.isoformat()}
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = _(
        "Print the worklist: what is overdue or due within 90 days. Without --user, the "
        "whole register (a read-only system view); with --user, that user's list."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_as_of(parser)
        parser.add_argument("--user", default=None, help=_("The user whose worklist to print."))
        parser.add_argument("--prison", default="", help=_("Prison code."))
        parser.add_argument("--province", default="", help=_("ISO 3166-2 code of the province."))
        parser.add_argument("--kind", default="", choices=["", *(str(k) for k in Kind)])
        parser.add_argument("--json", action="store_true", help=_("Print a JSON list."))

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = day_or_today(options["as_of"])
        user = register_user(options["user"], "worklist")
        filters = queries.WorklistFilters(
            prison=options["prison"], province=options["province"], kind=options["kind"]
        )
        with refusals(UnanswerableDay):
            items = queries.worklist_for(user, as_of, filters)
        audit.record(
            user,
            AuditAction.EXPORT,
            object_type="worklist",
            changes={
                "command": "worklist",
                "as": user.username,
                "as_of": as_of.isoformat(),
                "filters": filters.as_query(),
                "items": len(items),
            },
        )
        if options["json"]:
            self.stdout.write(json.dumps([i.as_json(as_of) for i in items], indent=2))
        else:
            self.stdout.write(table(items, as_of))
