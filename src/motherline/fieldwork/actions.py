"""The inputs of field-work actions, each declared once: the API takes these schemas as its
request bodies and the pages' forms are derived from them (`core.actions.form_for`).
Withdrawing a visit, an incident or a training session takes `records.withdrawal.Withdrawal`."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from motherline.accounts.models import User
from motherline.core.inputs import INT_MAX, LIST_MAX, Note, Sent, Version
from motherline.core.inputs import max_length_of as _max
from motherline.fieldwork.models import (
    HEADCOUNT_MAX,
    Access,
    AccessIncident,
    Audience,
    CaseStudy,
    ConsentUse,
    EscalationContact,
    FollowUpAction,
    Participants,
    PrisonVisit,
    Topic,
    TrainingSession,
    TrainingTopic,
)
from motherline.people.inputs import PrisonCode, Reference


class RecordVisit(Schema):
    """A visit of the user's organisation, with its findings by topic and the women seen: the
    one declaration of what recording a visit takes. The API reads it as its body, the page's
    form is derived from it (`form_for`), and an imported phone export is checked by that
    form's fields, so a new field is one line here."""

    prison: PrisonCode = Field(description="Prison code.")
    visit_date: date
    team: str = Field(min_length=1, max_length=_max(PrisonVisit, "team"))
    access: Access
    women_seen: int = Field(0, ge=0, le=HEADCOUNT_MAX)
    pregnant_seen: int = Field(0, ge=0, le=HEADCOUNT_MAX)
    children_seen: int = Field(0, ge=0, le=HEADCOUNT_MAX)
    women: list[Reference] = Field(
        default_factory=list, max_length=LIST_MAX, description="References of women seen."
    )
    findings: dict[Topic, Note] = Field(
        default_factory=dict, description="Topic -> what was found."
    )
    notes: Note = ""


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


class ActionIn(Schema):
    """A follow-up action of a visit: what is to be done, by whom (a user of the visit's
    organisation, by user name), by when, and about which of its findings if any."""

    description: str = Field(min_length=1, max_length=_max(FollowUpAction, "description"))
    owner: str = Field(
        max_length=_max(User, "username"),
        description="User name of a user of the visit's organisation.",
    )
    due_date: date
    finding_id: int | None = Field(None, ge=1, le=INT_MAX)


class DoneIn(Schema):
    """The day a follow-up action was done, or a finding resolved."""

    done_on: date


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


class IncidentIn(Schema):
    """An access incident: where and when access was refused, what and by whom, and what
    was done about it (from a visit of the user's organisation with `visit_id`)."""

    prison: PrisonCode = Field(description="Prison code.")
    visit_id: int | None = Field(None, ge=1, le=INT_MAX)
    occurred_on: date
    what_was_refused: Note = Field(min_length=1)
    refused_by: str = Field(min_length=1, max_length=_max(AccessIncident, "refused_by"))
    escalated_to: str = Field("", max_length=_max(AccessIncident, "escalated_to"))
    escalated_on: date | None = None
    response: Note = ""
    restored_on: date | None = None


class IncidentChangesIn(Schema):
    """The escalation, the response and the day access was restored, from the version read
    (what happened stays as recorded)."""

    version: Version
    escalated_to: str | None = Field(None, max_length=_max(AccessIncident, "escalated_to"))
    escalated_on: date | None = None
    response: Note | None = None
    restored_on: date | None = None


class ParticipantsIO(Schema):
    """The participants of a training session from one institution, by sex."""

    institution: str = Field(min_length=1, max_length=_max(Participants, "institution"))
    women: int = Field(0, ge=0, le=HEADCOUNT_MAX)
    men: int = Field(0, ge=0, le=HEADCOUNT_MAX)


class TrainingIn(Schema):
    """A training session of the user's organisation: its audience, day, place and topics,
    its participants by institution, and what it drew on."""

    audience: Audience
    held_on: date
    place: str = Field(min_length=1, max_length=_max(TrainingSession, "place"))
    topics: list[TrainingTopic] = Field(max_length=LIST_MAX)
    participants: list[ParticipantsIO] = Field(max_length=LIST_MAX)
    statistics_used: Note = ""
    case_studies_used: Note = ""
    notes: Note = ""


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


# A tag of a case study (a word or a few, for the booklet's index).
TAG_MAX = 64


class CaseStudyIn(Schema):
    """A case study drafted in English and the local language, with its tags, from a woman's
    record (by reference) or from none."""

    title_en: str = Field(min_length=1, max_length=_max(CaseStudy, "title_en"))
    narrative_en: Note = Field(min_length=1)
    title_local: str = Field("", max_length=_max(CaseStudy, "title_local"))
    narrative_local: Note = ""
    tags: list[Annotated[str, StringConstraints(max_length=TAG_MAX)]] = Field(
        default_factory=list, max_length=LIST_MAX
    )
    woman: Reference = Field("", description="Reference of the woman it is drafted from.")


class StepIn(Schema):
    """A step of a case study's workflow, from the version read; the consent step says when,
    by whom and for what consent was given."""

    version: Version
    consent_on: date | None = Field(None, description="For `consent`.")
    consent_given_by: str = Field(
        "", max_length=_max(CaseStudy, "consent_given_by"), description="For `consent`."
    )
    consent_use: ConsentUse | None = Field(None, description="For `consent`.")


class ContactIn(Schema):
    """Someone the user's organisation tells by e-mail of every new access incident."""

    name: str = Field(min_length=1, max_length=_max(EscalationContact, "name"))
    position: str = Field("", max_length=_max(EscalationContact, "position"))
    email: str = Field(min_length=3, max_length=_max(EscalationContact, "email"))
