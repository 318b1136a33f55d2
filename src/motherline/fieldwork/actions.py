"""The inputs of field-work actions, each declared once: the API takes these schemas as its
request bodies and the pages' forms are derived from them (`core.actions.form_for`).
Withdrawing a visit, an incident or a training session takes `records.withdrawal.Withdrawal`."""

from __future__ import annotations

from datetime import date

from django.db import models
from ninja import Schema
from pydantic import Field

from motherline.accounts.models import User
from motherline.core.inputs import INT_MAX, LIST_MAX, Note, Sent, Version
from motherline.fieldwork.models import (
    HEADCOUNT_MAX,
    Access,
    Audience,
    FollowUpAction,
    PrisonVisit,
    Topic,
    TrainingSession,
    TrainingTopic,
)


def _max(model: type[models.Model], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.max_length is not None
    return int(field.max_length)


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
    team: Sent[str] = Field(None, min_length=1, max_length=_max(PrisonVisit, "team"))
    access: Sent[Access] = None
    women_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    pregnant_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    children_seen: Sent[int] = Field(None, ge=0, le=HEADCOUNT_MAX)
    notes: Note | None = Field(None, description="A null clears the notes.")


# A finding stays on its visit; whether it was resolved is recorded by its own action.
FINDING_CORRECTABLE = ("topic", "description")


class FindingChanges(Schema):
    """A correction of a visit's finding: only the fields sent change."""

    version: Version
    topic: Sent[Topic] = None
    description: Sent[Note] = Field(None, min_length=1)


# An action stays on its visit; marking it done is its own action.
ACTION_CORRECTABLE = ("description", "owner", "due_date", "finding_id")


class ActionChanges(Schema):
    """A correction of a follow-up action: only the fields sent change."""

    version: Version
    description: Sent[str] = Field(
        None, min_length=1, max_length=_max(FollowUpAction, "description")
    )
    owner: Sent[str] = Field(
        None,
        min_length=1,
        max_length=_max(User, "username"),
        description="User name of someone of the visit's organisation.",
    )
    due_date: Sent[date] = None
    finding_id: int | None = Field(
        None, ge=1, le=INT_MAX, description="One of the visit's findings; a null for none."
    )


class ParticipantsIO(Schema):
    institution: str = Field(min_length=1, max_length=200)
    women: int = Field(0, ge=0, le=HEADCOUNT_MAX)
    men: int = Field(0, ge=0, le=HEADCOUNT_MAX)


# The organisation that held the session stays.
TRAINING_CORRECTABLE = (
    "audience",
    "held_on",
    "place",
    "topics",
    "participants",
    "statistics_used",
    "case_studies_used",
    "notes",
)


class TrainingChanges(Schema):
    """A correction of a training session: only the fields sent change; `participants`,
    when sent, are every row (they replace those recorded)."""

    version: Version
    audience: Sent[Audience] = None
    held_on: Sent[date] = None
    place: Sent[str] = Field(None, min_length=1, max_length=_max(TrainingSession, "place"))
    topics: Sent[list[TrainingTopic]] = Field(None, min_length=1, max_length=LIST_MAX)
    participants: Sent[list[ParticipantsIO]] = Field(
        None, min_length=1, max_length=LIST_MAX, description="Every row, replacing those recorded."
    )
    statistics_used: Note | None = Field(None, description="A null clears it.")
    case_studies_used: Note | None = Field(None, description="A null clears it.")
    notes: Note | None = Field(None, description="A null clears the notes.")
