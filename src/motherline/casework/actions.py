"""The inputs of case work, each declared once: the API takes these schemas as its request
bodies and the pages' forms are derived from them (`core.actions.form_for`,
`casework.forms`). Records are named as the API names them: a child by reference, a case
worker by user name, an organisation, a consent or a document by id."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from motherline.accounts.models import User
from motherline.casework.models import (
    TERMS_MAX_LENGTH,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    NoteKind,
    ReferralKind,
    ReferralService,
)
from motherline.core.inputs import INT_MAX, NOTE_MAX, Version
from motherline.core.inputs import max_length_of as _max
from motherline.people.models import Child

# What was agreed, asked or answered: a few lines.
Terms = Annotated[str, StringConstraints(max_length=TERMS_MAX_LENGTH)]


class NoteIn(Schema):
    """A note of a contact with her (or about her child); a note that corrects an older one
    names it."""

    noted_on: date
    kind: NoteKind
    text: str = Field(min_length=1, max_length=NOTE_MAX)
    corrects: int | None = Field(
        None, ge=1, le=INT_MAX, description="The id of the note this corrects."
    )


class NoteChangesIn(Schema):
    """A correction in place, by the note's author within the time allowed; only the
    fields sent change."""

    version: Version
    noted_on: date | None = None
    kind: NoteKind | None = None
    text: str | None = Field(None, min_length=1, max_length=NOTE_MAX)


class AssignIn(Schema):
    """A case worker assigned to her record (or her child's)."""

    worker: str = Field(min_length=1, max_length=_max(User, "username"), description="A user name.")


class ConsentIn(Schema):
    """A consent to share her record (or her child's), to partners or to one referral."""

    purpose: ConsentPurpose
    given_by: ConsentGiver
    given_by_name: str = Field("", max_length=_max(Consent, "given_by_name"))
    given_on: date
    child: str | None = Field(
        None, max_length=_max(Child, "reference"), description="The child's reference."
    )
    to_organisation: int | None = Field(None, ge=1, le=INT_MAX)
    terms: Terms = ""
    document: int | None = Field(None, ge=1, le=INT_MAX, description="A document's id.")


class WithdrawConsentIn(Schema):
    """A consent withdrawn: what it allowed ends at once."""

    version: Version
    withdrawn_on: date | None = None
    reason: Terms = ""


class ReferralIn(Schema):
    """Her record (or her child's) referred or transferred to another organisation, with a
    consent in force and the parts it shares."""

    to_organisation: int = Field(ge=1, le=INT_MAX)
    kind: ReferralKind = ReferralKind.REFERRAL
    service: ReferralService
    reason: str = Field(min_length=1, max_length=TERMS_MAX_LENGTH)
    consent: int = Field(ge=1, le=INT_MAX)
    shares_children: bool = False
    shares_legal: bool = False
    shares_care_plan: bool = False
    shares_casework: bool = False


class AnswerIn(Schema):
    """A referral accepted or declined by the receiver, or withdrawn by the sender."""

    version: Version
    action: Literal["accept", "decline", "withdraw"]
    note: Terms = ""
