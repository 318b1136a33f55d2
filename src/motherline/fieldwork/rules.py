"""Checks on field-work records as pure functions: the facts in, a dict of field -> message
out (empty when the record may be written). No ORM here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from motherline.fieldwork.models import Access, Audience, Topic, TrainingTopic
from motherline.formatting import format_month
from motherline.people.rules import Errors


def visit_errors(
    *,
    visit_date: date | None,
    access: str,
    women_seen: int,
    pregnant_seen: int,
    children_seen: int,
    today: date,
) -> Errors:
    errors: Errors = {}
    if visit_date is None:
        errors["visit_date"] = _("This field is required.")
    elif visit_date > today:
        errors["visit_date"] = _("A visit is recorded after it took place: this date is ahead.")
    if access not in Access.values:
        errors["access"] = _("This is not one of the allowed values.")
    for name, value in (
        ("women_seen", women_seen),
        ("pregnant_seen", pregnant_seen),
        ("children_seen", children_seen),
    ):
        if value < 0:
            errors[name] = _("A count cannot be negative.")
    if "pregnant_seen" not in errors and pregnant_seen > women_seen:
        errors["pregnant_seen"] = _("More pregnant women than women seen.")
    if access == Access.REFUSED and (women_seen or children_seen):
        errors["access"] = _("Access was refused, yet people were seen: choose partial access.")
    return errors


def finding_errors(topic: str, description: str) -> Errors:
    errors: Errors = {}
    if topic not in Topic.values:
        errors["topic"] = _("This is not one of the allowed values.")
    if not description.strip():
        errors["description"] = _("Say what was found.")
    return errors


def action_errors(*, description: str, due_date: date | None, visit_date: date) -> Errors:
    errors: Errors = {}
    if not description.strip():
        errors["description"] = _("Say what is to be done.")
    if due_date is None:
        errors["due_date"] = _("This field is required.")
    elif due_date < visit_date:
        errors["due_date"] = _("An action cannot be due before the visit that called for it.")
    return errors


def done_errors(done_on: date | None, visit_date: date, today: date) -> Errors:
    if done_on is None:
        return {"done_on": _("This field is required.")}
    if done_on > today:
        return {"done_on": _("This date is in the future.")}
    if done_on < visit_date:
        return {"done_on": _("This date is before the visit.")}
    return {}


def incident_errors(
    *,
    occurred_on: date | None,
    escalated_on: date | None,
    restored_on: date | None,
    escalated_to: str,
    what_was_refused: str,
    today: date,
) -> Errors:
    errors: Errors = {}
    if not what_was_refused.strip():
        errors["what_was_refused"] = _("Say what was refused.")
    if occurred_on is None:
        errors["occurred_on"] = _("This field is required.")
        return errors
    if occurred_on > today:
        errors["occurred_on"] = _("This date is in the future.")
    for name, value in (("escalated_on", escalated_on), ("restored_on", restored_on)):
        if value is None:
            continue
        if value > today:
            errors[name] = _("This date is in the future.")
        elif value < occurred_on:
            errors[name] = _("This date is before the incident.")
    if escalated_on is not None and not escalated_to.strip() and "escalated_on" not in errors:
        errors["escalated_to"] = _("Say to whom it was escalated.")
    return errors


def training_errors(
    *,
    audience: str,
    held_on: date | None,
    place: str,
    topics: list[str],
    participants: list[tuple[str, int, int]],
    today: date,
) -> Errors:
    """A training session: its participants are (institution, women, men) rows."""
    errors: Errors = {}
    if audience not in Audience.values:
        errors["audience"] = _("This is not one of the allowed values.")
    if held_on is None:
        errors["held_on"] = _("This field is required.")
    elif held_on > today:
        errors["held_on"] = _("A session is recorded after it was held: this date is ahead.")
    if not place.strip():
        errors["place"] = _("This field is required.")
    if not topics:
        errors["topics"] = _("Choose at least one topic.")
    elif set(topics) - set(TrainingTopic.values):
        errors["topics"] = _("This is not one of the allowed values.")
    names = [name.strip().casefold() for name, _w, _m in participants]
    if not participants or not sum(w + m for _n, w, m in participants):
        errors["participants"] = _("Record who took part: at least one participant.")
    elif any(not name for name in names):
        errors["participants"] = _("Name the institution of every row of participants.")
    elif len(set(names)) != len(names):
        errors["participants"] = _("Each institution once: add its women and men in one row.")
    elif any(w < 0 or m < 0 for _n, w, m in participants):
        errors["participants"] = _("A count cannot be negative.")
    return errors


# Case studies

# Kinds of identifying text, named in the message that blocks publication (never quoted:
# the message may be logged or shown to a reviewer).
NAME = "name"
REGISTER_NUMBER = "register_number"
BIRTH_DATE = "birth_date"

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DMY_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


@dataclass(frozen=True)
class Identifier:
    """A piece of text that identifies a linked person, and what replaces it."""

    kind: str
    text: str
    replacement: str


@dataclass(frozen=True)
class Person:
    """What identifies a woman or child linked to a case study."""

    name: str
    name_latin: str = ""
    register_number: str = ""
    date_of_birth: date | None = None


def _date_forms(day: date) -> list[str]:
    month = _MONTHS[day.month - 1]
    return [
        day.isoformat(),
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day} {month} {day.year}",
        f"{month} {day.day}, {day.year}",
    ]


def identifiers(people: list[tuple[Person, str]]) -> list[Identifier]:
    """The identifying texts of the linked people, each with its coarser replacement
    (`people` pairs each person with how the text should refer to them instead)."""
    found: list[Identifier] = []
    for person, instead in people:
        for name in (person.name, person.name_latin):
            name = name.strip()
            if not name:
                continue
            found.append(Identifier(NAME, name, instead))
            found += [Identifier(NAME, part, instead) for part in name.split() if len(part) >= 3]
        if person.register_number.strip():
            found.append(
                Identifier(REGISTER_NUMBER, person.register_number.strip(), _("[register number]"))
            )
        if person.date_of_birth is not None:
            found += [
                Identifier(BIRTH_DATE, form, str(person.date_of_birth.year))
                for form in _date_forms(person.date_of_birth)
            ]
    # Longest first, so a full name is replaced before its parts.
    return sorted(set(found), key=lambda i: (-len(i.text), i.text))


def _pattern(term: str) -> re.Pattern[str]:
    # Word boundaries for Latin script; Khmer is written without spaces between words.
    if term.isascii():
        return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", re.IGNORECASE)
    return re.compile(re.escape(term))


def identifying_kinds(text: str, found: list[Identifier]) -> list[str]:
    """Which kinds of identifying text (`NAME`, `REGISTER_NUMBER`, `BIRTH_DATE`) appear."""
    return sorted({i.kind for i in found if _pattern(i.text).search(text)})


def _month(year: str, month: str, exact: str) -> str:
    number = int(month)
    if not 1 <= number <= 12:
        return exact
    # In the active language: a Khmer text gets the Khmer month name.
    return format_month(date(int(year), number, 1))


def coarsen_dates(text: str) -> str:
    """Exact dates (2024-03-05, 5/3/2024) become the month and year."""
    text = _ISO_DATE.sub(lambda m: _month(m[1], m[2], m[0]), text)
    return _DMY_DATE.sub(lambda m: _month(m[3], m[2], m[0]), text)


def anonymise(text: str, found: list[Identifier], places: dict[str, str]) -> str:
    """Replace the identifying texts, exact dates, and the names of small prisons (`places`:
    name -> coarser description) with coarser values."""
    for identifier in found:
        text = _pattern(identifier.text).sub(identifier.replacement, text)
    for name, instead in sorted(places.items(), key=lambda p: -len(p[0])):
        text = _pattern(name).sub(instead, text)
    return coarsen_dates(text)


def publication_errors(
    *, status: str, consent_use: str, texts: dict[str, str], found: list[Identifier]
) -> Errors:
    """Why a case study may not be published (empty when it may): it must be reviewed, with
    consent to publication, and no text may still identify a linked person."""
    errors: Errors = {}
    if status != "reviewed":
        errors["status"] = _("Only a reviewed case study can be published.")
    if consent_use != "publication":
        errors["consent_use"] = _("The consent given does not cover publication.")
    labels = {
        NAME: _("a name of the woman or her children"),
        REGISTER_NUMBER: _("a prison register number"),
        BIRTH_DATE: _("an exact date of birth"),
    }
    for field_name, text in texts.items():
        kinds = identifying_kinds(text, found)
        if kinds:
            errors[field_name] = _(
                "Publication is blocked: this text still contains %(what)s. Anonymise it."
            ) % {"what": ", ".join(str(labels[k]) for k in kinds)}
    return errors
