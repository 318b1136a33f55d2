"""Pure rules of the register: ages, date order and what a record may say.

No request and no ORM: each function takes dates and plain values and returns either a
value or a dict of field -> message, so forms, the API and the generator share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from motherline.bounds import DATE_FLOOR
from motherline.formatting import format_day
from motherline.jurisdictions.rules import add_months

# Below this age a person cannot plausibly be a mother or be held in an adult prison register.
MIN_AGE_AT_ADMISSION = 10
MAX_AGE = 110
# A mother younger than this at a birth is impossible in the register (an error); one older
# than MAX_LIKELY_MOTHER_AGE_AT_BIRTH is unlikely enough to ask the user to confirm.
MIN_MOTHER_AGE_AT_BIRTH = 12
MAX_LIKELY_MOTHER_AGE_AT_BIRTH = 55
MAX_PREGNANCY_DAYS = 300

Errors = dict[str, str]

LEGAL_STATUS_ORDER = ["pretrial", "convicted", "on_appeal", "final"]


def age_on(birth: date, on: date) -> int:
    """Completed years of age on a date (a 29 February birthday counts on 28 February)."""
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def is_minor(birth: date | None, on: date) -> bool:
    return birth is not None and age_on(birth, on) < 18


# No record of the register is dated before `bounds.DATE_FLOOR` unless a pack says otherwise
# (the admission's dates are checked against the pack's `earliest_date`, `entry_findings`).


def not_in_future(field: str, value: date | None, today: date, errors: Errors) -> None:
    """A date of an event: not after today, and not before `DATE_FLOOR` (a typing
    mistake such as 0001-01-01)."""
    if value is not None and value > today:
        errors[field] = _("This date is in the future (today is %(today)s).") % {
            "today": format_day(today)
        }
    elif value is not None and value < DATE_FLOOR:
        errors[field] = _("This date is before %(earliest)s: check it.") % {
            "earliest": format_day(DATE_FLOOR)
        }


def admission_errors(date_of_birth: date | None, admission_date: date, today: date) -> Errors:
    """Checks on a new custody episode's dates."""
    errors: Errors = {}
    not_in_future("admission_date", admission_date, today, errors)
    not_in_future("date_of_birth", date_of_birth, today, errors)
    if date_of_birth is not None and "date_of_birth" not in errors:
        age = age_on(date_of_birth, admission_date)
        if date_of_birth >= admission_date:
            errors["date_of_birth"] = _("The date of birth must be before the admission date.")
        elif age < MIN_AGE_AT_ADMISSION or age > MAX_AGE:
            errors["date_of_birth"] = _(
                "She would have been %(age)s years old at admission; check the date of birth."
            ) % {"age": age}
    return errors


def child_birth_errors(
    mother_birth: date | None, child_birth: date | None, today: date, field: str = "date_of_birth"
) -> Errors:
    """A child's birth date must be after the mother's, at a plausible age, and not ahead."""
    errors: Errors = {}
    if child_birth is None:
        return {field: _("Enter the child's date of birth (estimated if unknown).")}
    not_in_future(field, child_birth, today, errors)
    if errors or mother_birth is None:
        return errors
    if child_birth <= mother_birth:
        errors[field] = _("The child's birth cannot be before the mother's (%(dob)s).") % {
            "dob": format_day(mother_birth)
        }
    elif age_on(mother_birth, child_birth) < MIN_MOTHER_AGE_AT_BIRTH:
        errors[field] = _(
            "The mother would have been %(age)s years old at this birth; check both dates."
        ) % {"age": age_on(mother_birth, child_birth)}
    return errors


def release_errors(
    release_date: date, admission_date: date, last_event_date: date | None, today: date
) -> Errors:
    errors: Errors = {}
    _custody_event_errors(
        "release_date",
        release_date,
        (admission_date, _("The release cannot be before the admission (%(date)s).")),
        (
            last_event_date,
            _("The release cannot be before the last recorded event of this custody (%(date)s)."),
        ),
        today,
        errors,
    )
    return errors


def _custody_event_errors(
    field: str,
    day: date,
    admission: tuple[date, str],
    last: tuple[date | None, str],
    today: date,
    errors: Errors,
) -> None:
    """An event of a custody: not in the future, nor before the admission, nor before the
    last event of its kind (each with its message, naming that date)."""
    not_in_future(field, day, today, errors)
    for since, message in (admission, last):
        if since is not None and day < since:
            errors[field] = message % {"date": format_day(since)}
            return


def transfer_errors(
    transfer_date: date,
    admission_date: date,
    last_transfer_date: date | None,
    is_open: bool,
    same_prison: bool,
    today: date,
) -> Errors:
    errors: Errors = {}
    if not is_open:
        errors["transfer_date"] = _("She has been released: a transfer needs an open custody.")
        return errors
    _custody_event_errors(
        "transfer_date",
        transfer_date,
        (admission_date, _("The transfer cannot be before the admission (%(date)s).")),
        (last_transfer_date, _("The transfer cannot be before the previous transfer (%(date)s).")),
        today,
        errors,
    )
    if same_prison:
        errors["to_prison"] = _("She is already in this prison.")
    return errors


def legal_status_errors(
    new_status: str,
    current_status: str,
    effective_date: date,
    since: date,
    is_open: bool,
    today: date,
) -> Errors:
    errors: Errors = {}
    if not is_open:
        errors["status"] = _("She has been released: the legal status can no longer change.")
        return errors
    if new_status == current_status:
        errors["status"] = _("This is already her legal status.")
    not_in_future("effective_date", effective_date, today, errors)
    if effective_date < since:
        errors["effective_date"] = _(
            "The change cannot be before the current status began (%(date)s)."
        ) % {"date": format_day(since)}
    return errors


def pregnancy_errors(
    known_since: date,
    expected_delivery_date: date | None,
    has_ongoing_pregnancy: bool,
    today: date,
) -> Errors:
    errors: Errors = {}
    if has_ongoing_pregnancy:
        errors["known_since"] = _(
            "A pregnancy is already recorded as ongoing; record its outcome first."
        )
    not_in_future("known_since", known_since, today, errors)
    if expected_delivery_date is not None:
        days = (expected_delivery_date - known_since).days
        if days < 0:
            errors["expected_delivery_date"] = _(
                "The expected delivery date must be after the date the pregnancy was known."
            )
        elif days > MAX_PREGNANCY_DAYS:
            errors["expected_delivery_date"] = _(
                "The expected delivery date is more than ten months after the pregnancy was "
                "known; check both dates."
            )
    return errors


def pregnancy_outcome_errors(
    outcome: str,
    outcome_date: date,
    known_since: date,
    in_custody_on_outcome_date: bool,
    today: date,
) -> Errors:
    errors: Errors = {}
    not_in_future("outcome_date", outcome_date, today, errors)
    if outcome_date < known_since:
        errors["outcome_date"] = _(
            "The outcome cannot be before the pregnancy was known (%(date)s)."
        ) % {"date": format_day(known_since)}
    if outcome in ("birth_in_prison", "birth_in_hospital") and not in_custody_on_outcome_date:
        errors["outcome"] = _("She was not in custody on this date: choose “Birth after release”.")
    if outcome == "birth_after_release" and in_custody_on_outcome_date:
        errors["outcome"] = _("She was in custody on this date: the birth was not after release.")
    return errors


def move_out_errors(
    move_date: date, placement_start: date | None, is_in_prison: bool, today: date
) -> Errors:
    errors: Errors = {}
    if not is_in_prison or placement_start is None:
        errors["move_date"] = _("This child is not living in prison.")
        return errors
    not_in_future("move_date", move_date, today, errors)
    if move_date < placement_start:
        errors["move_date"] = _(
            "The move cannot be before the child started living in prison (%(date)s)."
        ) % {"date": format_day(placement_start)}
    return errors


@dataclass(frozen=True)
class ChildEntry:
    """A child as entered at an admission (or later), for `entry_findings`."""

    field: str  # the prefix of the child's fields: "children.0." in an admission, "" alone
    date_of_birth: date
    living_in_prison: bool
    has_extension: bool = False
    # The day the child begins living in prison (the admission); default today. A child
    # within the limit that day and over it now is overdue, not a mistake.
    since: date | None = None


def entry_findings(
    *,
    today: date,
    earliest: date,
    dates: dict[str, date | None],
    mother_birth: date | None = None,
    children: list[ChildEntry] | tuple[ChildEntry, ...] = (),
    age_limit_months: int | None = None,
    dependent_children: int | None = None,
) -> tuple[Errors, Errors]:
    """The entry checks every form, the API and an import share: (errors, warnings).

    Errors are impossible values: a date before the pack's earliest date; a child who would
    begin living in prison at or above the pack's age limit, without an extension; a mother under
    `MIN_MOTHER_AGE_AT_BIRTH` at a birth. Warnings are unlikely values that the user confirms:
    a mother over `MAX_LIKELY_MOTHER_AGE_AT_BIRTH` at a birth; a number of dependent children
    other than the number of children under 18 entered. `dates` maps each field to its date;
    a child's date of birth is checked under `<field>date_of_birth`."""
    errors: Errors = {}
    warnings: Errors = {}
    all_dates = dict(dates)
    for child in children:
        all_dates[f"{child.field}date_of_birth"] = child.date_of_birth
    for name, value in all_dates.items():
        if value is not None and value < earliest:
            errors[name] = _("This date is before %(earliest)s: check it.") % {
                "earliest": format_day(earliest)
            }
    for child in children:
        key = f"{child.field}date_of_birth"
        if key in errors:
            continue
        if mother_birth is not None and child.date_of_birth > mother_birth:
            age = age_on(mother_birth, child.date_of_birth)
            if age < MIN_MOTHER_AGE_AT_BIRTH:
                errors[key] = _(
                    "The mother would have been %(age)s years old at this birth; check both dates."
                ) % {"age": age}
            elif age > MAX_LIKELY_MOTHER_AGE_AT_BIRTH:
                warnings[key] = _(
                    "The mother would have been %(age)s years old at this birth. Is that right?"
                ) % {"age": age}
        if (
            child.living_in_prison
            and age_limit_months is not None
            and not child.has_extension
            and (child.since or today) >= add_months(child.date_of_birth, age_limit_months)
        ):
            # A monitor who finds a child past the limit must be able to record her: that
            # child is why the worklist exists. Twice the limit is a typing mistake.
            beyond = (child.since or today) >= add_months(child.date_of_birth, 2 * age_limit_months)
            (errors if beyond else warnings)[f"{child.field}living_in_prison"] = _(
                "This child is older than the age limit for living in prison (%(months)s "
                "months) and has no extension: record where the child lives outside, or "
                "confirm that she lives in prison (she will be on the worklist as overdue)."
            ) % {"months": age_limit_months}
    if dependent_children:
        minors = sum(1 for c in children if is_minor(c.date_of_birth, today))
        if minors != dependent_children:
            warnings["dependent_children"] = _(
                "She has %(dependent)s dependent children, but %(entered)s children under 18 "
                "are entered. Are the children all recorded?"
            ) % {"dependent": dependent_children, "entered": minors}
    return errors, warnings
