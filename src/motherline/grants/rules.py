"""Checks on grants and service deliveries as pure functions: the facts in, a dict of
field -> message out (empty when the record may be written). No ORM here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from motherline.formatting import format_day, format_number
from motherline.grants.models import ServiceType
from motherline.people.rules import Errors


def grant_errors(
    *,
    donor: str,
    purpose: str,
    amount: Decimal | None,
    currency: str,
    starts_on: date | None,
    ends_on: date | None,
) -> Errors:
    errors: Errors = {}
    if not donor.strip():
        errors["donor"] = _("Name the donor.")
    if not purpose.strip():
        errors["purpose"] = _("Say what the grant is for.")
    if amount is None or amount <= 0:
        errors["amount"] = _("The amount must be more than zero.")
    if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
        errors["currency"] = _("A currency is three capital letters (ISO 4217), e.g. USD.")
    if starts_on is None:
        errors["starts_on"] = _("This field is required.")
    if ends_on is None:
        errors["ends_on"] = _("This field is required.")
    elif starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The grant cannot end before it starts.")
    return errors


def line_errors(
    *, code: str, name: str, amount: Decimal | None, other_lines: Decimal, grant_amount: Decimal
) -> Errors:
    """A budget line, with the total of the grant's other lines: together they may not
    exceed the grant."""
    errors: Errors = {}
    if not code.strip():
        errors["code"] = _("This field is required.")
    if not name.strip():
        errors["name"] = _("This field is required.")
    if amount is None or amount < 0:
        errors["amount"] = _("A budget cannot be negative.")
    elif other_lines + amount > grant_amount:
        errors["amount"] = _(
            "The budget lines would total %(total)s, more than the grant's %(grant)s."
        ) % {
            "total": format_number(other_lines + amount, 2),
            "grant": format_number(grant_amount, 2),
        }
    return errors


def _day(value: date) -> str:
    return format_day(value)


def custody_error(delivered_on: date, episodes: Sequence[tuple[date, date | None]]) -> str:
    """Why a service on this day cannot be for this woman ("" when she was in custody that
    day), from her custody episodes as (admission date, release date or None)."""
    if any(a <= delivered_on and (r is None or delivered_on <= r) for a, r in episodes):
        return ""
    released = [r for a, r in episodes if r is not None and r < delivered_on]
    if released:
        return _(
            "She was released on %(released)s: a service on %(day)s cannot be recorded for her."
        ) % {"released": _day(max(released)), "day": _day(delivered_on)}
    admitted = [a for a, r in episodes if a > delivered_on]
    if admitted:
        return _(
            "She was admitted on %(admitted)s: a service on %(day)s cannot be recorded for her."
        ) % {"admitted": _day(min(admitted)), "day": _day(delivered_on)}
    return _("She has no custody episode: no service can be recorded for her.")


def delivery_errors(
    *,
    service_type: str,
    delivered_on: date | None,
    today: date,
    quantity: int | None,
    cost: Decimal | None,
    to_woman: bool,
    episodes: Sequence[tuple[date, date | None]],
    child_born_on: date | None,
    has_child: bool,
    grant_period: tuple[date, date] | None,
    line_in_grant: bool,
) -> Errors:
    errors: Errors = {}
    if service_type not in ServiceType.values:
        errors["service_type"] = _("This is not one of the allowed values.")
    if quantity is None or quantity < 1:
        errors["quantity"] = _("At least one.")
    if cost is None or cost < 0:
        errors["cost"] = _("A cost cannot be negative.")
    if not to_woman and not has_child:
        errors["child"] = _("Name the child who received the service, or the woman.")
    if not line_in_grant:
        errors["budget_line"] = _("This budget line belongs to another grant.")
    if delivered_on is None:
        errors["delivered_on"] = _("This field is required.")
        return errors
    if delivered_on > today:
        errors["delivered_on"] = _("This date is in the future.")
    elif to_woman and (message := custody_error(delivered_on, episodes)):
        errors["delivered_on"] = message
    elif child_born_on is not None and delivered_on < child_born_on:
        errors["delivered_on"] = _("The child was not yet born on that day.")
    elif grant_period is not None and not grant_period[0] <= delivered_on <= grant_period[1]:
        errors["grant"] = _("The grant runs from %(start)s to %(end)s.") % {
            "start": _day(grant_period[0]),
            "end": _day(grant_period[1]),
        }
    return errors
