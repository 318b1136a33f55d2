"""The inputs of a child's family outside prison, each declared once: the API takes these
schemas as its request bodies and the pages' forms are derived from them
(`core.actions.form_for`, `care.forms`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Schema
from pydantic import Field, StringConstraints

from motherline.care import rules
from motherline.care.models import (
    ChildSituation,
    Finding,
    FollowUpOutcome,
    LeaveExtension,
    Recommendation,
)
from motherline.core.inputs import INT_MAX, Note, Sent, Version
from motherline.core.inputs import max_length_of as _max
from motherline.people.models import CaregiverRelationship
from motherline.places.models import Commune, District, Province

ProvinceCode = Annotated[
    str | None,
    Field(max_length=_max(Province, "code"), description="A province's code, e.g. KH-3."),
]
DistrictCode = Annotated[
    str | None,
    Field(
        max_length=_max(District, "code"),
        description="A district's gazetteer code (Cambodia: NCDD, e.g. 0301).",
    ),
]
CommuneCode = Annotated[
    str | None,
    Field(
        max_length=_max(Commune, "code"),
        description="A commune's gazetteer code (Cambodia: NCDD, e.g. 030101); its district "
        "and province are taken from it when not given.",
    ),
]
QuestionCode = Annotated[str, StringConstraints(max_length=32)]
# At most this many answers in one assessment (a pack asks a handful of questions).
ANSWERS_MAX = 100


class CaregiverIn(Schema):
    """A caregiver of a child: who, how related to the child, where they live (areas of the
    gazetteer by code, and the village, street and house in words) and a phone. Give at
    least an area, the address or the phone."""

    name: str = Field(min_length=1, max_length=rules.NAME_MAX_LENGTH)
    relationship: CaregiverRelationship
    province: ProvinceCode = None
    district: DistrictCode = None
    commune: CommuneCode = None
    address: str = Field("", max_length=rules.ADDRESS_MAX_LENGTH)
    phone: str = Field(
        "",
        max_length=rules.PHONE_MAX_LENGTH,
        description="Digits, spaces, hyphens, dots or brackets and an optional leading +; "
        "6 to 15 digits.",
    )


class CaregiverChanges(Schema):
    """A correction of a caregiver: only the fields sent change, from the version last read;
    `relationship` is the one to the child the path names. A null area clears it."""

    version: Version
    name: Sent[str] = Field(None, min_length=1, max_length=rules.NAME_MAX_LENGTH)
    relationship: Sent[CaregiverRelationship] = None
    province: ProvinceCode = None
    district: DistrictCode = None
    commune: CommuneCode = None
    address: str | None = Field(
        None, max_length=rules.ADDRESS_MAX_LENGTH, description="A null clears it."
    )
    phone: str | None = Field(
        None, max_length=rules.PHONE_MAX_LENGTH, description="A null clears it."
    )


class CaregiverLinkIn(Schema):
    """A caregiver already recorded for another of her children who cares for this one too."""

    caregiver: int = Field(ge=1, le=INT_MAX, description="The caregiver's id.")
    relationship: CaregiverRelationship


class FindingIn(Schema):
    finding: Finding
    notes: Note = ""


class AssessmentIn(Schema):
    """A best-interests assessment of handing the plan's child over to one caregiver: an
    answer to every question the pack asks (keyed by the question's code), and a
    recommendation, with reasons unless it is to hand over."""

    caregiver: int = Field(ge=1, le=INT_MAX, description="The caregiver's id.")
    assessed_on: date
    answers: dict[QuestionCode, FindingIn] = Field(max_length=ANSWERS_MAX)
    recommendation: Recommendation
    reasons: Note = ""


class AssessmentChanges(Schema):
    """A correction of an assessment not yet approved: only the fields sent change;
    `answers`, when sent, replaces every answer."""

    version: Version
    assessed_on: Sent[date] = None
    answers: Sent[dict[QuestionCode, FindingIn]] = Field(None, max_length=ANSWERS_MAX)
    recommendation: Sent[Recommendation] = None
    reasons: Note | None = Field(None, description="A null clears the reasons.")


class AssessmentDecisionIn(Schema):
    """A programme manager's decision: approve, or return for changes saying what."""

    approve: bool
    notes: Note = ""
    version: Version


class FollowUpIn(Schema):
    """What a visit after the hand-over found."""

    done_on: date
    outcome: FollowUpOutcome
    child_situation: ChildSituation
    caregiver_seen: int | None = Field(
        None, ge=1, le=INT_MAX, description="The id of the caregiver met; null: none was."
    )
    notes: Note = ""
    version: Version = Field(
        description="The plan's version last read: a follow-up is part "
        "of the plan; a change made since then is refused with HTTP 409."
    )


class ReopenIn(Schema):
    """Reopening a closed plan, from the version read, saying why."""

    reason: str = Field(min_length=1, max_length=500, description="Kept on the audit trail.")
    version: Version


class ExtensionIn(Schema):
    """An approved extension of a child's stay, where the pack allows one."""

    months: int = Field(ge=1, le=120)
    reason: str = Field(min_length=1, max_length=2000)
    approved_by: str = Field(min_length=1, max_length=_max(LeaveExtension, "approved_by"))
    approved_on: date
