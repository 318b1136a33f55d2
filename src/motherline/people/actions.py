"""The inputs of the register's actions, each declared once: the API takes these schemas as
its request bodies and the pages' forms are derived from them (`core.actions.form_for`,
`people.forms`), so a page and the API take the same fields with the same limits."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints

from motherline.core.inputs import LIST_MAX, Note, Sent, Version
from motherline.core.inputs import max_length_of as _max
from motherline.jurisdictions.models import OffenceCategory
from motherline.people.inputs import PrisonCode
from motherline.people.models import (
    CaregiverRelationship,
    Child,
    CustodyEpisode,
    LegalStatus,
    Placement,
    PregnancyOutcome,
    ReleaseReason,
    Sex,
    Transfer,
)


def _blank_as_none(value: Any) -> Any:
    # Forms send "" for an unchosen option; accept it as "not given".
    return None if value == "" else value


OptionalRelationship = Annotated[CaregiverRelationship | None, BeforeValidator(_blank_as_none)]
OffenceCode = Annotated[str, StringConstraints(max_length=_max(OffenceCategory, "code"))]


class VersionedIn(Schema):
    version: Version


class TransferIn(VersionedIn):
    to_prison: PrisonCode = Field(description="Prison code.")
    transfer_date: date
    reason: str = Field("", max_length=_max(Transfer, "reason"))


class LegalStatusIn(VersionedIn):
    status: LegalStatus
    effective_date: date
    note: Note = ""
    sentence_months: int | None = Field(None, ge=0, le=1200)
    expected_release_date: date | None = None


class ReleaseIn(VersionedIn):
    release_date: date
    reason: ReleaseReason
    note: Note = ""


class PregnancyIn(Schema):
    known_since: date
    expected_delivery_date: date | None = None
    antenatal_care_contacts: int = Field(0, ge=0, le=100)
    note: Note = ""


class PregnancyOutcomeIn(Schema):
    outcome: PregnancyOutcome
    outcome_date: date
    child_name: str = Field("", max_length=_max(Child, "name"))
    child_sex: Sex = Sex.UNKNOWN
    birth_registered: bool = False


class MoveOutIn(VersionedIn):
    move_date: date
    caregiver_relationship: OptionalRelationship = None
    caregiver_name: str = Field("", max_length=_max(Placement, "caregiver_name"))
    caregiver_location: str = Field("", max_length=_max(Placement, "caregiver_location"))
    caregiver_contact: str = Field("", max_length=_max(Placement, "caregiver_contact"))
    note: Note = ""


class ChildChangesIn(Schema):
    """A correction of a child's details or the birth's registration
    (`services.update_child`)."""

    version: Version
    name: Sent[str] = Field(None, max_length=_max(Child, "name"))
    name_latin: Sent[str] = Field(None, max_length=_max(Child, "name_latin"))
    sex: Sent[Sex] = None
    date_of_birth: Sent[date] = None
    dob_is_estimated: Sent[bool] = None
    born_in_custody: Sent[bool] = None
    birth_registered: Sent[bool] = None
    birth_registered_on: date | None = Field(None, description="null clears it.")
    birth_certificate_number: Sent[str] = Field(
        None, max_length=_max(Child, "birth_certificate_number")
    )


class EpisodeChangesIn(Schema):
    """A correction of a custody episode (`services.update_episode`)."""

    version: Version
    court: Sent[str] = Field(None, max_length=_max(CustodyEpisode, "court"))
    case_number: Sent[str] = Field(None, max_length=_max(CustodyEpisode, "case_number"))
    sentence_months: int | None = Field(None, ge=0, le=1200)
    expected_release_date: date | None = None
    offences: Sent[list[OffenceCode]] = Field(
        None, max_length=LIST_MAX, description="Offence codes; they replace her charges."
    )


class MergeIn(Schema):
    merged: str = Field(max_length=16, description="Reference of the record merged away.")
    reason: str = Field(max_length=2000, description="Why the two records are one woman.")
    version: Version = Field(description="The version of the record kept, last read.")
    merged_version: Version = Field(description="The version of the record merged, last read.")
