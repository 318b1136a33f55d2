"""The inputs of field-work actions, each declared once: the API takes these schemas as its
request bodies and the pages' forms are derived from them (`core.actions.form_for`)."""

from __future__ import annotations

from datetime import date

from ninja import Schema
from pydantic import Field

from motherline.core.inputs import Note, Sent, Version
from motherline.fieldwork.models import HEADCOUNT_MAX, Access, PrisonVisit

# What a correction of a visit may change (its prison and the women seen are not: a visit
# recorded for the wrong prison is withdrawn and recorded again).
VISIT_CORRECTABLE = (
    "visit_date",
    "team",
    "access",
    "women_seen",
    "pregnant_seen",
    "children_seen",
    "notes",
)


class VisitChanges(Schema):
    """A correction of a visit: only the fields sent change, from the version last read."""

    version: Version
    visit_date: Sent[date] = None
    team: Sent[str] = Field(
        None, min_length=1, max_length=PrisonVisit._meta.get_field("team").max_length
    )
    access: Sent[Access] = None
    women_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    pregnant_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    children_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    notes: Note | None = Field(None, description="A null clears the notes.")
