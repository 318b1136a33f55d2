"""Checks on field-work records as pure functions: the facts in, a dict of field -> message
out (empty when the record may be written). No ORM here."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from motherline.fieldwork.models import Access, Audience, Topic, TrainingTopic
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
