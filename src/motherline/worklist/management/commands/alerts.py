"""`motherline alerts`: send each user one digest of what became due (run it daily from
cron). E-mail goes through Django's mail framework: the console by default, SMTP when
MOTHERLINE_EMAIL_BACKEND says so."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.core.commands import day_or_today, iso_date, refusals
from motherline.people.history import UnanswerableDay
from motherline.worklist.services import send_alerts


class Command(BaseCommand):
    help = _(
        "Send each user with access to the register one e-mail listing the worklist items "
        "that became due (overdue, within 7, 30 or 90 days) since their last digest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=iso_date, default=None, help=_("The day (YYYY-MM-DD); today.")
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Show what would be sent; send and record nothing."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = day_or_today(options["as_of"])
        dry_run = options["dry_run"]
        with refusals(UnanswerableDay):
            digests = send_alerts(as_of, dry_run=dry_run)
        failed = 0
        for digest in digests:
            n = len(digest.items)
            if dry_run:
                line = ngettext(
                    "%(user)s: would send %(n)d item", "%(user)s: would send %(n)d items", n
                )
            elif digest.sent:
                line = ngettext("%(user)s: sent %(n)d item", "%(user)s: sent %(n)d items", n)
            else:
                failed += 1
                line = _("%(user)s: not sent (%(error)s)")
            self.stdout.write(line % {"user": digest.user.username, "n": n, "error": digest.error})
            if dry_run and options.get("verbosity", 1) >= 2:
                self.stdout.write(digest.subject + "\n" + digest.body + "\n")
        if not digests:
            self.stdout.write(_("Nothing new to send."))
        if failed:
            raise CommandError(
                ngettext(
                    "%(n)d digest could not be sent.", "%(n)d digests could not be sent.", failed
                )
                % {"n": failed}
            )
