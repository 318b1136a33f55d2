"""The inputs of a legal case, each declared once: the API takes these schemas as its request
bodies and the pages' forms are derived from them (`core.actions.form_for`, `legal.forms`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Field, Schema

from motherline.core.inputs import Note, Sent, Version
from motherline.legal.models import CaseResult, CaseStage, LegalCase
from motherline.places.models import Court


def _max(model: type, name: str) -> int:
    return int(model._meta.get_field(name).max_length)  # type: ignore[attr-defined]


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
