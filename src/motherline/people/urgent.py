"""What is urgent about one woman, for the top of her page: a pretrial limit passed or near,
an expected delivery near or passed; other apps add theirs through
`signals.woman_urgent_items` (a child at or near the age limit, from `care`).

Each item says what, when (with the days) and the action to take, so the page leads with
them instead of a badge.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.accounts.models import User
from motherline.formatting import format_day
from motherline.jurisdictions.models import PretrialLimitRule
from motherline.jurisdictions.rules import pretrial_deadline
from motherline.people.models import LegalStatus, Woman
from motherline.people.rules import is_minor
from motherline.people.signals import UrgentItem, woman_urgent_items

# How far ahead a date is shown as near.
PRETRIAL_NEAR_DAYS = 60
DELIVERY_NEAR_DAYS = 45
_CLASS_RANK = {"felony": 0, "misdemeanour": 1, "petty": 2}


def days_text(days: int) -> str:
    """'in 12 days', 'today', '3 days ago'."""
    if days == 0:
        return _("today")
    if days > 0:
        return ngettext("in %(n)d day", "in %(n)d days", days) % {"n": days}
    return ngettext("%(n)d day ago", "%(n)d days ago", -days) % {"n": -days}


def _pretrial(woman: Woman, today: date, may_edit: bool) -> list[UrgentItem]:
    episode = next((e for e in woman.episodes.all() if e.is_open), None)
    if episode is None or episode.legal_status != LegalStatus.PRETRIAL:
        return []
    classes = [c.offence_category.offence_class for c in episode.charges.all()]
    known = [c for c in classes if c in _CLASS_RANK]
    if not known:
        return []
    offence_class = min(known, key=_CLASS_RANK.__getitem__)
    rules = PretrialLimitRule.objects.filter(
        jurisdiction_id=episode.current_prison.province.jurisdiction_id
    )
    due = pretrial_deadline(
        episode.admission_date,
        rules,
        offence_class,
        is_minor(woman.date_of_birth, episode.admission_date),
    )
    if due is None or (due - today).days > PRETRIAL_NEAR_DAYS:
        return []
    days = (due - today).days
    text = (
        _("The pretrial limit was reached on %(date)s (%(days)s).")
        if days < 0
        else _("The pretrial limit is reached on %(date)s (%(days)s).")
    ) % {"date": format_day(due), "days": days_text(days)}
    return [
        UrgentItem(
            kind="pretrial_limit",
            text=text,
            due=due,
            days=days,
            action_url=reverse("legal:open_case", args=[woman.reference]) if may_edit else "",
            action_label=_("Open a legal case") if may_edit else "",
        )
    ]


def _deliveries(woman: Woman, today: date, may_edit: bool) -> list[UrgentItem]:
    items = []
    for pregnancy in woman.pregnancies.all():
        due = pregnancy.expected_delivery_date
        if not pregnancy.is_ongoing or due is None or (due - today).days > DELIVERY_NEAR_DAYS:
            continue
        days = (due - today).days
        items.append(
            UrgentItem(
                kind="delivery",
                text=(
                    _("The expected delivery date was %(date)s (%(days)s): record the outcome.")
                    if days < 0
                    else _("Delivery expected on %(date)s (%(days)s).")
                )
                % {"date": format_day(due), "days": days_text(days)},
                due=due,
                days=days,
                action_url=(
                    reverse("people:pregnancy_outcome", args=[woman.reference, pregnancy.pk])
                    if may_edit
                    else ""
                ),
                action_label=_("Record the outcome") if may_edit else "",
            )
        )
    return items


def urgent_items(woman: Woman, user: User, today: date, may_edit: bool) -> list[UrgentItem]:
    """Everything urgent about her, the most pressing first."""
    items = _pretrial(woman, today, may_edit) + _deliveries(woman, today, may_edit)
    for _receiver, found in woman_urgent_items.send(
        Woman, woman=woman, user=user, today=today, may_edit=may_edit
    ):
        items.extend(cast(list[UrgentItem], found or []))
    return sorted(items, key=lambda item: item.days)
