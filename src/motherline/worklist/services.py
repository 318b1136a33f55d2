"""Alerts: each user's digest of what became due, sent once per item and threshold.

An item crosses a threshold when it enters an urgency group: due within 90 days, within 30,
within 7, overdue. A user's digest lists the items whose current threshold was never sent
to them (`AlertSent`); so running the alerts twice on one day sends nothing the second time,
and an item that moves into a more urgent group is sent again. E-mail leaves the system, so
a digest names no one: each item is a full link to its record (MOTHERLINE_SITE_URL), and the
digest is in the user's language (`User.language`, else the deployment's).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline import outgoing
from motherline.accounts.models import User
from motherline.accounts.policy import Capability, can
from motherline.formatting import native_digits
from motherline.worklist import queries
from motherline.worklist.models import AlertSent
from motherline.worklist.rules import URGENCY_LABELS, URGENCY_ORDER, Item, Urgency

THRESHOLDS = {
    Urgency.OVERDUE: "overdue",
    Urgency.THIS_WEEK: "7",
    Urgency.WITHIN_30: "30",
    Urgency.WITHIN_90: "90",
}
# Keys per query when looking up what was already sent (SQLite limits a query's parameters).
LOOKUP_CHUNK = 500


def threshold(item: Item) -> str:
    return THRESHOLDS[item.urgency]


@dataclass
class Digest:
    user: User
    items: list[Item]
    subject: str = ""
    body: str = ""
    sent: bool = False
    error: str = ""


def alert_recipients() -> Iterable[User]:
    """Active users with an e-mail address whose role sees the register."""
    users = (
        User.objects.filter(is_active=True)
        .exclude(email="")
        .select_related("organisation", "prison")
        .order_by("id")
    )
    return (user for user in users if can(user, Capability.VIEW_REGISTER))


def already_sent(user: User, items: list[Item]) -> set[tuple[str, str]]:
    keys = sorted({item.key for item in items})
    sent: set[tuple[str, str]] = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        sent.update(
            AlertSent.objects.filter(
                user=user, item_key__in=keys[start : start + LOOKUP_CHUNK]
            ).values_list("item_key", "threshold")
        )
    return sent


def new_items(user: User, items: list[Item]) -> list[Item]:
    """The items whose current threshold was never sent to this user."""
    sent = already_sent(user, items)
    return [item for item in items if (item.key, threshold(item)) not in sent]


def digest_language(user: User) -> str:
    """The user's own language, else the deployment's."""
    return user.language or settings.LANGUAGE_CODE


def compose_digest(user: User, items: list[Item], as_of: date) -> tuple[str, str]:
    """The subject and plain-text body of one user's digest in the active language, grouped
    by urgency, each item with its due date, prison, what is due and a full link to it
    (MOTHERLINE_SITE_URL); never a name."""
    overdue = sum(1 for item in items if item.urgency == Urgency.OVERDUE)
    subject = ngettext(
        "Motherline: %(n)s deadline needs attention",
        "Motherline: %(n)s deadlines need attention",
        len(items),
    ) % {"n": outgoing.number(len(items))}
    if overdue:
        subject += " " + _("(%(n)s overdue)") % {"n": outgoing.number(overdue)}
    lines = [
        _("Hello %(name)s,") % {"name": user.get_full_name() or user.username},
        "",
        _("These items on your worklist became due on %(date)s:") % {"date": outgoing.day(as_of)},
    ]
    for urgency in URGENCY_ORDER:
        group = [item for item in items if item.urgency == urgency]
        if not group:
            continue
        lines += ["", f"{URGENCY_LABELS[urgency]} ({outgoing.number(len(group))})"]
        for item in group:
            lines += [
                f"- {outgoing.day(item.due_date)} · {item.place.prison_code or '-'} · "
                f"{item.kind_label}: {item.why} [{item.status}]",
                f"  {outgoing.site_link(item.subject.link)}",
            ]
    lines += [
        "",
        _("The whole list: %(link)s") % {"link": outgoing.site_link(reverse("worklist:list"))},
        _("Each link opens the record in Motherline once you have signed in."),
    ]
    return subject, "\n".join(lines)


def send_alerts(as_of: date, *, dry_run: bool = False) -> list[Digest]:
    """Send every recipient one digest of the items that crossed a threshold since they
    were last told, and record what was sent. With `dry_run`, compose without sending or
    recording."""
    digests = []
    for user in alert_recipients():
        with translation.override(digest_language(user)), native_digits(user.native_digits):
            items = new_items(user, queries.worklist_for(user, as_of))
            if not items:
                continue
            subject, body = compose_digest(user, items, as_of)
        digest = Digest(user, items, subject, body)
        digests.append(digest)
        if dry_run:
            continue
        # Sent first and recorded after: a database write lock is not held while the mail
        # server answers, and a failed send records nothing, so the next run tries again.
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception as exc:  # one failed mailbox must not stop the others
            digest.error = str(exc)
            continue
        AlertSent.objects.bulk_create(
            [AlertSent(user=user, item_key=item.key, threshold=threshold(item)) for item in items],
            ignore_conflicts=True,
        )
        digest.sent = True
    return digests
