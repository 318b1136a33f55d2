"""Date rules of a jurisdiction pack, as pure functions.

The functions take rules as any objects with the right attributes: the ORM rows
(`jurisdiction.age_limit_rules.all()`) or the plain dataclasses below, which tests and
callers without a database can build directly.

A rule is in force from `effective_from` to `effective_to`, both days included; an empty end
leaves the period open on that side.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol, TypeVar


class DatedRule(Protocol):
    effective_from: date | None
    effective_to: date | None


class AgeLimitLike(DatedRule, Protocol):
    max_age_months: int
    extension_allowed: bool
    max_extension_months: int


class PretrialLimitLike(DatedRule, Protocol):
    offence_class: str
    applies_to_minors: bool
    max_days: int


R = TypeVar("R", bound=DatedRule)
A = TypeVar("A", bound=AgeLimitLike)
P = TypeVar("P", bound=PretrialLimitLike)


@dataclass(frozen=True)
class AgeLimit:
    max_age_months: int
    effective_from: date | None = None
    effective_to: date | None = None
    extension_allowed: bool = False
    max_extension_months: int = 0


@dataclass(frozen=True)
class PretrialLimit:
    offence_class: str
    max_days: int
    applies_to_minors: bool = False
    effective_from: date | None = None
    effective_to: date | None = None


# How a pack reads a child's age when the law changes while the child is in prison: the
# child takes the new limit from the day it takes effect, or keeps the limit in force when
# the child came into prison (or was born there).
NEW_LIMIT = "new_limit"
LIMIT_AT_ENTRY = "limit_at_entry"
AGE_LIMIT_CHANGE_READINGS = (NEW_LIMIT, LIMIT_AT_ENTRY)
# How a birthday that the month lacks is counted (29 February in a common year): on the
# month's last day (28 February) or on the first day of the next month (1 March).
LAST_DAY_OF_MONTH = "last_day_of_month"
FIRST_DAY_OF_NEXT_MONTH = "first_day_of_next_month"
LEAP_DAY_READINGS = (LAST_DAY_OF_MONTH, FIRST_DAY_OF_NEXT_MONTH)


@dataclass(frozen=True)
class Stated:
    """One rule or reading a pack states in `pack.toml` [rules], with its source."""

    value: Any
    source: str = ""
    citation: str = ""
    verified: bool = False


@dataclass(frozen=True)
class StatedRules:
    """What a pack states besides its tables: the period within which a birth is to be
    registered ((unit, number): ("days", 30) or ("months", 6); None when the pack states
    none), and the two readings of the age limit. Without a statement, the readings are
    the ones Motherline has always applied (new limit; the month's last day)."""

    birth_registration: Stated | None = None
    age_limit_change: Stated = Stated(NEW_LIMIT)
    leap_day: Stated = Stated(LAST_DAY_OF_MONTH)

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> StatedRules:
        """From `Jurisdiction.stated_rules` (as the loader stored it)."""
        data = data or {}

        def stated(key: str, value: Any) -> Stated:
            entry = data.get(key, {})
            return Stated(
                value,
                entry.get("source", ""),
                entry.get("citation", ""),
                bool(entry.get("verified", False)),
            )

        registration = data.get("birth_registration")
        period = None
        if registration:
            unit = "days" if "days" in registration else "months"
            period = stated("birth_registration", (unit, int(registration[unit])))
        change = data.get("age_limit_change", {}).get("reading", NEW_LIMIT)
        leap = data.get("leap_day_birthday", {}).get("reading", LAST_DAY_OF_MONTH)
        return cls(period, stated("age_limit_change", change), stated("leap_day_birthday", leap))

    @property
    def keeps_limit_at_entry(self) -> bool:
        return self.age_limit_change.value == LIMIT_AT_ENTRY

    @property
    def leap(self) -> str:
        return str(self.leap_day.value)


DEFAULT_READINGS = StatedRules()


def add_months(d: date, months: int, leap: str = LAST_DAY_OF_MONTH) -> date:
    """`d` moved by a number of calendar months (may be negative).

    When the day does not exist in the target month it is clamped to the month's last day:
    31 January + 1 month is 28 February (29 in a leap year); with the reading
    `FIRST_DAY_OF_NEXT_MONTH` it is the first day of the month after (1 March).
    """
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    if d.day > last and leap == FIRST_DAY_OF_NEXT_MONTH:
        return date(year, month, last) + timedelta(days=1)
    return date(year, month, min(d.day, last))


def period_text(period: tuple[str, int]) -> str:
    """A pack's period in words: "30 days", "6 months"."""
    from django.utils.translation import ngettext

    unit, number = period
    if unit == "days":
        return ngettext("%(n)d day", "%(n)d days", number) % {"n": number}
    return ngettext("%(n)d month", "%(n)d months", number) % {"n": number}


def birth_registration_due(date_of_birth: date, period: tuple[str, int]) -> date:
    """The last day within which a birth is to be registered: the birth plus the pack's
    period (("days", 30) or ("months", 6))."""
    unit, number = period
    if unit == "days":
        return date_of_birth + timedelta(days=number)
    return add_months(date_of_birth, number)


def is_in_force(rule: DatedRule, on: date) -> bool:
    """Whether `rule` applies on the day `on`."""
    if rule.effective_from is not None and on < rule.effective_from:
        return False
    return rule.effective_to is None or on <= rule.effective_to


def _latest_in_force(rules: Iterable[R], on: date) -> R | None:
    # Validated packs never overlap; if hand-edited rules do, the most recent one wins.
    in_force = [rule for rule in rules if is_in_force(rule, on)]
    if not in_force:
        return None
    return max(in_force, key=lambda rule: rule.effective_from or date.min)


def age_limit_rule_on(rules: Iterable[A], on: date) -> A | None:
    """The age-limit rule in force on `on`, or None if no rule covers that day."""
    return _latest_in_force(rules, on)


def leave_by_date(
    child_dob: date,
    rules: Iterable[A],
    admitted_or_born: date | None = None,
    *,
    with_extension: bool = False,
    readings: StatedRules = DEFAULT_READINGS,
    entered_on: date | None = None,
) -> date | None:
    """The first day the child is at or over the maximum age under the rule in force that day.

    This is the earliest day `d` (not before the child's birth, nor before `admitted_or_born`
    when given) on which the child's age is at least the limit of the rule in force on `d`.
    So when a limit is lowered, a child already over the new limit must leave on the day the
    new rule takes effect; a child reaching the new limit later leaves on that birthday. If the
    child is already over age on `admitted_or_born`, that day is returned. None means no rule
    ever sets a limit for this child.

    Ages use calendar months with month-end clamping (`add_months`): a child born on
    29 February reaches a whole number of years on 28 February in a year that is not a leap
    year. `with_extension` adds the rule's maximum extension where extensions are allowed.

    `readings` are the pack's (`StatedRules`): with `LIMIT_AT_ENTRY` a child keeps the limit
    of the rule in force on `entered_on` (the day the child came into prison, the birth by
    default) however the law changes later; with `FIRST_DAY_OF_NEXT_MONTH` a child born on
    29 February reaches a whole number of years on 1 March in a common year.
    """
    rules = list(rules)
    start = max(child_dob, admitted_or_born) if admitted_or_born else child_dob

    def limit(rule: AgeLimitLike) -> int:
        months = rule.max_age_months
        if with_extension and rule.extension_allowed:
            months += rule.max_extension_months
        return months

    if readings.keeps_limit_at_entry:
        at_entry = age_limit_rule_on(rules, max(entered_on or child_dob, child_dob))
        if at_entry is not None:
            return max(start, add_months(child_dob, limit(at_entry), readings.leap))
    for first, last, rule in _periods(rules):
        if rule is None or last < start:
            continue
        day = max(first, start, add_months(child_dob, limit(rule), readings.leap))
        if day <= last:
            return day
    return None


def _periods(rules: list[A]) -> list[tuple[date, date, A | None]]:
    """The timeline cut where any rule starts or ends, with the rule in force in each piece."""
    cuts = {date.min}
    for rule in rules:
        if rule.effective_from is not None:
            cuts.add(rule.effective_from)
        if rule.effective_to is not None and rule.effective_to < date.max:
            cuts.add(rule.effective_to + timedelta(days=1))
    starts = sorted(cuts)
    ends = [later - timedelta(days=1) for later in starts[1:]] + [date.max]
    return [
        (first, last, age_limit_rule_on(rules, first))
        for first, last in zip(starts, ends, strict=True)
    ]


def pretrial_limit_on(rules: Iterable[P], offence_class: str, is_minor: bool, on: date) -> P | None:
    """The pretrial-detention limit in force on `on` for an offence class.

    For a minor, a rule for minors wins; where the pack has none for that class, the general
    rule applies. None means the pack sets no limit for that class on that day.
    """
    matching = [rule for rule in rules if rule.offence_class == offence_class]
    if is_minor:
        for_minors = _latest_in_force((r for r in matching if r.applies_to_minors), on)
        if for_minors is not None:
            return for_minors
    return _latest_in_force((r for r in matching if not r.applies_to_minors), on)


def pretrial_deadline(
    detained_on: date, rules: Iterable[P], offence_class: str, is_minor: bool
) -> date | None:
    """The day the pretrial limit is reached, under the rule in force when detention began.

    Detention on or after this day exceeds the limit. None when no limit applies.
    """
    rule = pretrial_limit_on(rules, offence_class, is_minor, detained_on)
    if rule is None:
        return None
    return detained_on + timedelta(days=rule.max_days)
