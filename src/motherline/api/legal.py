"""Legal work: legal cases and hearings, pardon rounds, early-release screening and the
candidates put forward, with their dossiers.

The same `legal.queries` and `legal.services` as the web pages, and the same access policy:
a case or a candidate is seen and changed exactly when its woman is. Women are named by
their reference, never by name.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from motherline.accounts import audit
from motherline.accounts.models import User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_record, editable_woman, visible_record
from motherline.api.routes import corrected, read, refused_as
from motherline.api.schemas import (
    DocumentLanguage,
    PathReference,
    RecordId,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.jurisdictions.models import Remedy
from motherline.legal import dossier, queries, services
from motherline.legal.actions import (
    CandidatesIn,
    CaseChangesIn,
    DossierIn,
    HearingIn,
    LegalCaseIn,
    RoundIn,
    StatusIn,
)
from motherline.legal.models import (
    CaseStage,
    DossierStatus,
    LegalCase,
    PardonRound,
    ReleaseCandidate,
)
from motherline.legal.rules import Screening
from motherline.people.history import UnanswerableDay

router = Router(tags=["legal work"])


# Shapes


class HearingOut(Schema):
    id: int
    held_on: date
    what_happened: str
    next_date: date | None


class LegalCaseOut(Schema):
    id: int
    woman: str = Field(alias="episode.woman.reference", description="The woman's reference.")
    episode_id: int
    lawyer_name: str
    lawyer_organisation: str
    court: str | None = Field(description="The code of the pack's court; None: not known.")
    court_name: str = Field(description="The court's name in the language of the request.")
    case_number: str
    stage: CaseStage
    is_strategic: bool
    strategic_issue: str
    result: str
    result_date: date | None
    next_hearing_on: date | None = Field(description="None: the case has no next step.")
    opened_on: date
    version: int

    @staticmethod
    def resolve_court(obj: LegalCase) -> str | None:
        return obj.court.code if obj.court else None

    @staticmethod
    def resolve_court_name(obj: LegalCase) -> str:
        return obj.court.display_name if obj.court else ""


class CaseDetailOut(LegalCaseOut):
    hearings: list[HearingOut]

    @staticmethod
    def resolve_hearings(obj: LegalCase) -> Any:
        return obj.hearings.order_by("held_on", "id")


class CasePageOut(Schema):
    items: list[LegalCaseOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")
    total: int


class RoundOut(Schema):
    id: int
    title: str
    occasion: str | None = Field(description="The code of the pack's occasion, if any.")
    occasion_date: date
    submission_deadline: date
    decision_date: date | None

    @staticmethod
    def resolve_occasion(obj: PardonRound) -> str | None:
        return obj.occasion.code if obj.occasion else None


class StatisticsOut(Schema):
    candidates: int
    draft: int
    submitted: int
    granted: int
    refused: int
    withdrawn: int
    women_released: int
    children_released: int


class RoundDetailOut(RoundOut):
    statistics: StatisticsOut


class EvidenceOut(Schema):
    record: str
    reference: str
    date: date
    detail: str


class CriterionFindingOut(Schema):
    code: str
    kind: str
    name: str
    weight: int
    evidence: list[EvidenceOut]
    reason: str


class ScreenedOut(Schema):
    rank: int
    subject: str = Field(description="The woman's reference.")
    score: int
    eligible: bool
    ineligible: list[str]
    criteria_met: list[CriterionFindingOut]
    criteria_not_met: list[CriterionFindingOut]


class ScreeningOut(Schema):
    remedy: str
    as_of: date
    screened: int = Field(description="Women in custody in your scope who were looked at.")
    candidates: list[ScreenedOut]


class CandidateOut(Schema):
    id: int
    round: int = Field(alias="round_id")
    woman: str = Field(alias="woman.reference")
    score: int
    priority: int
    screened_on: date
    criteria_met: list[CriterionFindingOut]
    criteria_not_met: list[CriterionFindingOut]
    argument: str
    status: DossierStatus
    submitted_on: date | None
    decided_on: date | None
    version: int


def screened_out(s: Screening) -> dict[str, Any]:
    def finding(f: Any) -> dict[str, Any]:
        return f.as_dict()

    return {
        "rank": s.rank,
        "subject": s.facts.reference,
        "score": s.score,
        "eligible": s.is_eligible,
        "ineligible": s.ineligible,
        "criteria_met": [finding(f) for f in s.met],
        "criteria_not_met": [finding(f) for f in s.not_met],
    }


# Cases


def _case(user: User, case_id: int, *, for_edit: bool = False) -> LegalCase:
    """A case the user may see (or, `for_edit`, change); otherwise 404."""
    in_scope = editable_record if for_edit else visible_record
    return in_scope(LegalCase, user, case_id, "episode__woman", "court")


@router.get(
    "/legal/cases",
    response=CasePageOut,
    url_name="legal_cases",
    summary="Upcoming hearings, or cases without a next step",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_cases(
    request: AuthenticatedRequest,
    view: Literal["upcoming", "without_next_step"] = "upcoming",
    after: str | None = Query(None, max_length=64),
    size: int = Query(50, ge=1, le=500),
) -> Any:
    """Open cases in your scope: `upcoming` (a hearing today or later, soonest first) or
    `without_next_step` (no hearing scheduled). Keyset paged: pass `next_cursor` as `after`."""
    user = request.user
    today = timezone.localdate()
    size = min(max(size, 1), 500)
    if view == "upcoming":
        page = queries.upcoming_hearings(user, today, after=after, size=size)
    else:
        page = queries.cases_without_next_step(user, today, after=after, size=size)
    audit.record_list(
        user,
        "legal.LegalCase",
        [case.episode.woman.reference for case in page.items],
        request=request,
        changes={"view": view},
    )
    return page


@router.post(
    "/women/{reference}/legal-cases",
    response={201: CaseDetailOut},
    url_name="woman_legal_cases",
    summary="Open a legal case",
    auth=Requires(Capability.EDIT_REGISTER),
)
def open_case(request: AuthenticatedRequest, reference: PathReference, payload: LegalCaseIn) -> Any:
    """Open a case for her current custody episode."""
    user = request.user
    woman = editable_woman(user, reference)
    values = payload.model_dump(exclude={"next_hearing_on"})
    case = services.open_case(
        user, woman, values, next_hearing_on=payload.next_hearing_on, request=request
    )
    return _case(user, case.pk)


@router.get(
    "/legal/cases/{case_id}",
    response=CaseDetailOut,
    url_name="legal_case",
    summary="Get a case",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_case(request: AuthenticatedRequest, case_id: RecordId) -> LegalCase:
    """A case with its hearings; the read is on the audit trail."""
    return read(request, _case(request.user, case_id))


@router.patch(
    "/legal/cases/{case_id}",
    response=CaseDetailOut,
    url_name="legal_case",
    summary="Change a case",
    auth=Requires(Capability.EDIT_REGISTER),
)
def update_case(
    request: AuthenticatedRequest, case_id: RecordId, payload: CaseChangesIn
) -> LegalCase:
    """Change a case: only the fields sent. A change made since `version` is a 409."""
    user = request.user
    case = _case(user, case_id, for_edit=True)
    corrected(request, services.update_case, case, payload, "result")
    return _case(user, case_id)


@router.post(
    "/legal/cases/{case_id}/hearings",
    response={201: CaseDetailOut},
    url_name="legal_case_hearings",
    summary="Record a hearing",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_hearing(request: AuthenticatedRequest, case_id: RecordId, payload: HearingIn) -> Any:
    """Record a hearing held; the case's next hearing becomes its `next_date`."""
    user = request.user
    case = _case(user, case_id, for_edit=True)
    services.record_hearing(
        user, case, payload.held_on, payload.what_happened, payload.next_date, request=request
    )
    return _case(user, case_id)


# Rounds and screening


def _round(user: User, round_id: int, *, for_edit: bool = False) -> PardonRound:
    """A round the user may see (or, `for_edit`, add candidates to); otherwise 404."""
    return get_object_or_404(queries.rounds_for(user, for_edit=for_edit), pk=round_id)


@router.get(
    "/legal/rounds",
    response=list[RoundOut],
    url_name="legal_rounds",
    summary="List rounds",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_rounds(request: AuthenticatedRequest) -> Any:
    """The pardon rounds of your jurisdiction, newest occasion first."""
    user = request.user
    return list(queries.rounds_for(user))


@router.post(
    "/legal/rounds",
    response={201: RoundDetailOut},
    url_name="legal_rounds",
    summary="Open a pardon round",
    auth=Requires(Capability.EDIT_REGISTER),
)
def create_round(request: AuthenticatedRequest, payload: RoundIn) -> Any:
    """Open a pardon round for an occasion of the pack's calendar (by code) or ad hoc."""
    user = request.user
    pardon_round = services.create_round(user, **payload.model_dump(), request=request)
    return _round_out(pardon_round, user)


def _round_out(pardon_round: PardonRound, user: User) -> PardonRound:
    """The round with its statistics in the user's scope, as `RoundDetailOut` reads it."""
    pardon_round.statistics = queries.round_statistics(pardon_round, user)  # type: ignore[attr-defined]
    return pardon_round


@router.get(
    "/legal/rounds/{round_id}",
    response=RoundDetailOut,
    url_name="legal_round",
    summary="Get a round with its statistics",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_round(request: AuthenticatedRequest, round_id: RecordId) -> Any:
    """A round with its statistics (within your scope)."""
    user = request.user
    return _round_out(_round(user, round_id), user)


def _screening(user: User, request: HttpRequest, target: Any, as_of: date | None) -> Any:
    as_of = as_of or timezone.localdate()
    with refused_as("as_of", UnanswerableDay):
        result = queries.screen_candidates(user, target, as_of)
    queries.record_screening_read(
        user, result, [c.facts.reference for c in result.candidates], request=request
    )
    return {
        "remedy": result.remedy,
        "as_of": as_of,
        "screened": result.screened,
        "candidates": [screened_out(s) for s in result.candidates],
    }


@router.get(
    "/legal/screening",
    response=ScreeningOut,
    url_name="legal_screening",
    summary="Screen for a remedy",
    auth=Requires(Capability.VIEW_REGISTER),
)
def screen(
    request: AuthenticatedRequest, remedy: Remedy = Remedy.PARDON, as_of: date | None = None
) -> Any:
    """Screen every woman in custody in your scope for a remedy: those meeting at least one
    criterion, eligible first, by score (weights in the pack), then time held, then reference.
    A past `as_of` screens the register as it stood that day; a day it cannot answer for
    (after today, before its first admission, a record not dated back to it) is refused
    (422)."""
    user = request.user
    return _screening(user, request, str(remedy), as_of)


@router.get(
    "/legal/rounds/{round_id}/screening",
    response=ScreeningOut,
    url_name="legal_round_screening",
    summary="Screen for a round",
    auth=Requires(Capability.VIEW_REGISTER),
)
def screen_round(
    request: AuthenticatedRequest, round_id: RecordId, as_of: date | None = None
) -> Any:
    """Screen for a round (a pardon), on `as_of` as for a remedy."""
    user = request.user
    return _screening(user, request, _round(user, round_id), as_of)


# Candidates


def _candidates(user: User, *, for_edit: bool = False) -> Any:
    # A partner who sees her record read-only may not change her dossier: 404, as for a case.
    objects = ReleaseCandidate.objects
    found = objects.editable_by(user) if for_edit else objects.visible_to(user)
    return found.select_related("woman", "round", "episode")


def _candidate(user: User, candidate_id: int, *, for_edit: bool = False) -> ReleaseCandidate:
    return get_object_or_404(_candidates(user, for_edit=for_edit), pk=candidate_id)


@router.get(
    "/legal/rounds/{round_id}/candidates",
    response=list[CandidateOut],
    url_name="legal_round_candidates",
    summary="List a round's candidates",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_candidates(request: AuthenticatedRequest, round_id: RecordId) -> Any:
    """The round's candidates in your scope, by priority."""
    user = request.user
    pardon_round = _round(user, round_id)
    candidates = list(_candidates(user).filter(round=pardon_round).order_by("priority", "id"))
    read(request, pardon_round, changes=audit.listed([c.woman.reference for c in candidates]))
    return candidates


@router.post(
    "/legal/rounds/{round_id}/candidates",
    response={201: list[CandidateOut]},
    url_name="legal_round_candidates",
    summary="Add candidates to a round",
    auth=Requires(Capability.EDIT_REGISTER),
)
def add_candidates(request: AuthenticatedRequest, round_id: RecordId, payload: CandidatesIn) -> Any:
    """Screen the women now and add them to the round; all or nothing (422 with reasons)."""
    user = request.user
    pardon_round = _round(user, round_id, for_edit=True)
    made = services.add_candidates(user, pardon_round, payload.women, request=request)
    return list(_candidates(user).filter(pk__in=[c.pk for c in made]).order_by("priority"))


@router.get(
    "/legal/candidates/{candidate_id}",
    response=CandidateOut,
    url_name="legal_candidate",
    summary="Get a candidate",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_candidate(request: AuthenticatedRequest, candidate_id: RecordId) -> ReleaseCandidate:
    """A candidate with the criteria met as screened; the read is on the audit trail."""
    return read(request, _candidate(request.user, candidate_id))


@router.patch(
    "/legal/candidates/{candidate_id}",
    response=CandidateOut,
    url_name="legal_candidate",
    auth=Requires(Capability.EDIT_REGISTER),
)
def update_candidate(
    request: AuthenticatedRequest, candidate_id: RecordId, payload: DossierIn
) -> Any:
    """Change the dossier's argument or priority; a change made since `version` is a 409."""
    user = request.user
    candidate = _candidate(user, candidate_id, for_edit=True)
    return services.update_candidate(
        user,
        candidate,
        version=payload.version,
        argument=payload.argument,
        priority=payload.priority,
        request=request,
    )


@router.post(
    "/legal/candidates/{candidate_id}/status",
    response=CandidateOut,
    url_name="legal_candidate_status",
    summary="Change a dossier's status",
    auth=Requires(Capability.EDIT_REGISTER),
)
def change_status(request: AuthenticatedRequest, candidate_id: RecordId, payload: StatusIn) -> Any:
    """Submitted, granted (records her release by royal pardon), refused or withdrawn."""
    user = request.user
    candidate = _candidate(user, candidate_id, for_edit=True)
    return services.change_status(user, candidate, payload, request=request)


@router.get(
    "/legal/candidates/{candidate_id}/dossier.pdf",
    url_name="legal_candidate_dossier",
    summary="The dossier as PDF",
    auth=Requires(Capability.VIEW_REGISTER),
)
def dossier_pdf(
    request: AuthenticatedRequest, candidate_id: RecordId, language: DocumentLanguage = "en"
) -> HttpResponse:
    """The pardon dossier in a language of her jurisdiction's documents (the pack's
    `document_languages`); its download is on the audit trail."""
    user = request.user
    candidate = _candidate(user, candidate_id)
    problem = candidate.woman.organisation.jurisdiction.document_language_problem(language)
    if problem:
        raise ValidationError({"language": [problem]})
    return dossier.pdf_response(user, candidate, language, request=request)
