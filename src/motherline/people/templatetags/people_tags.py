"""Small date filters for the register's pages: ages and durations on a given day."""

from __future__ import annotations

from datetime import date

from django import template

from motherline.people.rules import age_on
from motherline.people.timeline import age_in_months, format_age_months

register = template.Library()


@register.filter
def age_years(birth: date | None, on: date) -> int | str:
    """Completed years of age on a day, or an empty string when the birth date is unknown."""
    if birth is None or on is None:
        return ""
    return age_on(birth, on)


@register.filter
def days_since(start: date | None, on: date) -> int | str:
    """Whole days from a date to another (e.g. days in pretrial detention)."""
    if start is None or on is None:
        return ""
    return (on - start).days


@register.filter
def child_age(birth: date | None, on: date) -> str:
    """A child's age in years and months, as monitors say it."""
    if birth is None or on is None:
        return ""
    return format_age_months(age_in_months(birth, on))
