"""The inputs of legal work, each declared once: the API takes these schemas as its request
bodies and the pages' forms are derived from them (`core.actions.form_for`, `legal.forms`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema

from motherline.core.inputs import INT_MAX, LIST_MAX, Note, Sent, Version
from motherline.core.inputs import max_length_of as _max
from motherline.jurisdictions.models import PardonOccasion
from motherline.legal.models import CaseResult, CaseStage, DossierStatus, LegalCase, PardonRound
from motherline.people.inputs import Reference
from motherline.places.models import Court

CourtCode = Annotated[
    str | None,
    Field(
        max_length=_max(Court, "code"),
        description="The code of one of the courts of her country's pack (GET /courts); "
        "null or empty: not known.",
    ),
]


class LegalCaseIn(Schema):
    """A new case of her current custody episode (her last one if she has left prison)."""

    lawyer_name: str = Field("", max_length=_max(LegalCase, "lawyer_name"))
    lawyer_organisation: str = Field("", max_length=_max(LegalCase, "lawyer_organisation"))
    court: CourtCode = None
    case_number: str = Field("", max_length=_max(LegalCase, "case_number"))
    stage: CaseStage = CaseStage.INVESTIGATION
    is_strategic: bool = False
    strategic_issue: Note = ""
    next_hearing_on: date | None = None


class CaseChangesIn(Schema):
    """Only the fields sent are changed; a text may be sent empty, not null (a null court
    clears it)."""

    version: Version
    lawyer_name: Sent[str] = Field(None, max_length=_max(LegalCase, "lawyer_name"))
    lawyer_organisation: Sent[str] = Field(None, max_length=_max(LegalCase, "lawyer_organisation"))
    court: CourtCode = None
    case_number: Sent[str] = Field(None, max_length=_max(LegalCase, "case_number"))
    stage: Sent[CaseStage] = None
    is_strategic: Sent[bool] = None
    strategic_issue: Sent[Note] = None
    result: CaseResult | None = None
    result_date: date | None = None


class HearingIn(Schema):
    """A hearing held; the case's next hearing becomes its `next_date`."""

    held_on: date
    what_happened: Note = Field(min_length=1)
    next_date: date | None = None


class RoundIn(Schema):
    """A pardon round for an occasion of the pack's calendar (by code), or an ad hoc one."""

    occasion: str | None = Field(
        None,
        max_length=_max(PardonOccasion, "code"),
        description="A code of the pack's pardon occasions.",
    )
    title: str = Field(
        "", max_length=_max(PardonRound, "title"), description="Default: the occasion's name."
    )
    occasion_date: date
    submission_deadline: date
    decision_date: date | None = None


class CandidatesIn(Schema):
    """Women put forward in a round: each is screened when she is added."""

    women: list[Reference] = Field(
        min_length=1, max_length=LIST_MAX, description="References of the women to add."
    )


class StatusIn(Schema):
    """A step of the dossier: submitted, granted, refused, withdrawn, or back to draft."""

    status: DossierStatus
    version: Version
    on: date | None = Field(None, description="Default: today, or the round's decision date.")
    note: Note = ""


class DossierIn(Schema):
    """The dossier's priority in its round and its argument; only the fields sent change."""

    version: Version
    priority: int | None = Field(None, ge=1, le=INT_MAX)
    argument: Note | None = None
