"""Field work: prison visits with findings and follow-up actions, and access incidents.

The same `fieldwork.queries` and `fieldwork.services` as the web pages and the same policy:
a visit or incident is seen by its organisation and the organisations it shares with, and
changed by its organisation only (`accounts.policy.scope_organisation`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal, TypeVar

from django.conf import settings
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from motherline.accounts import audit
from motherline.accounts.models import User
from motherline.accounts.policy import Capability, organisation_id_of
from motherline.api.access import Requires, editable_record, editable_woman
from motherline.api.routes import changes_of, corrected, page_of, read, refused_as, withdrawn
from motherline.api.schemas import (
    INT_MAX,
    ListPage,
    RecordId,
    _max,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.fieldwork import importing, queries, services
from motherline.fieldwork.actions import (
    ActionChanges,
    ActionIn,
    CaseStudyIn,
    ContactIn,
    DoneIn,
    FindingChanges,
    IncidentChangesIn,
    IncidentIn,
    ParticipantsIO,
    RecordVisit,
    StepIn,
    TrainingChanges,
    TrainingIn,
    VisitChanges,
)
from motherline.fieldwork.models import (
    Access,
    AccessIncident,
    Audience,
    CaseStatus,
    CaseStudy,
    EscalationContact,
    Finding,
    FollowUpAction,
    PrisonVisit,
    Topic,
    TrainingSession,
)
from motherline.places.models import Prison
from motherline.records.withdrawal import Withdrawal, WithdrawnOut
from motherline.uploads import FileRefused

router = Router(tags=["field work"])
R = TypeVar("R", bound=models.Model)


# Shapes


class PageQuery(Schema):
    prison: str = Field("", max_length=_max(Prison, "code"), description="Prison code.")
    after: int | None = Field(
        None, ge=1, le=INT_MAX, description="The next_cursor of the previous page."
    )
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class VisitPageQuery(Schema):
    prison: str = Field("", max_length=_max(Prison, "code"), description="Prison code.")
    after: str = Field(
        "", max_length=64, description="`next_cursor` of the previous page; empty for the first."
    )
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class VisitFindingOut(Schema):
    id: int
    topic: Topic
    description: str
    resolved_on: date | None
    version: int


class ActionOut(Schema):
    id: int
    reference: str
    description: str
    owner: str = Field(alias="owner.username")
    due_date: date
    status: str
    done_on: date | None
    finding_id: int | None
    version: int


class VisitSummary(Schema):
    id: int
    reference: str
    organisation: str = Field(alias="organisation.name")
    prison: str = Field(alias="prison.code", description="Prison code.")
    visit_date: date
    team: str
    access: Access
    women_seen: int
    pregnant_seen: int
    children_seen: int


class VisitDetail(VisitSummary, WithdrawnOut):
    notes: str
    version: int
    women: list[str] = Field(description="References of the women seen that you may see.")
    findings: list[VisitFindingOut]
    actions: list[ActionOut]
    incidents: list[int]

    @staticmethod
    def resolve_women(obj: PrisonVisit) -> list[str]:
        return [w.reference for w in obj.women_visible]  # type: ignore[attr-defined]

    @staticmethod
    def resolve_incidents(obj: PrisonVisit) -> list[int]:
        return [i.pk for i in obj.incidents.all()]


class VisitList(Schema):
    items: list[VisitSummary]
    next_cursor: str | None = Field(
        description="Pass as `after` for the next page; null on the last page."
    )
    total: int


class IncidentOut(WithdrawnOut):
    id: int
    reference: str
    organisation: str = Field(alias="organisation.name")
    prison: str = Field(alias="prison.code")
    visit_id: int | None
    occurred_on: date
    what_was_refused: str
    refused_by: str
    escalated_to: str
    escalated_on: date | None
    response: str
    restored_on: date | None
    version: int


class IncidentList(ListPage):
    items: list[IncidentOut]


class IncidentQuery(PageQuery):
    open: bool = Field(False, description="Only incidents whose access is not yet restored.")


class PrisonYearsOut(Schema):
    prison: str
    counts: list[int]


class IncidentSummary(Schema):
    open: int
    resolved: int
    mean_days_to_restore: float | None
    years: list[int]
    by_prison: list[PrisonYearsOut]


# Helpers


def _detail(detail: Callable[[User, int], R], model: Any, user: User, pk: int) -> R:
    """A record as a `queries` detail function reads it; 404 when the user may not see it."""
    try:
        return detail(user, pk)
    except model.DoesNotExist:
        raise Http404 from None


def _visit(user: User, visit_id: int) -> PrisonVisit:
    return _detail(queries.visit_detail, PrisonVisit, user, visit_id)


def _of_editable_visit(model: type[R], user: User, pk: int) -> R:
    """A finding or follow-up action of a visit the user may change; otherwise 404."""
    return get_object_or_404(model, pk=pk, visit__in=PrisonVisit.objects.editable_by(user))


# Visits


@router.get(
    "/visits",
    response=VisitList,
    url_name="visits",
    summary="List prison visits",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_visits(request: AuthenticatedRequest, query: Query[VisitPageQuery]) -> dict[str, Any]:
    """Visits of your organisation and of those that share with it, by date of the visit,
    newest first (the most recently recorded first among visits of the same day). One page
    at a time: pass `next_cursor` as `after` for the next."""
    user = request.user
    not_a_cursor = _("This is not a cursor returned by the list of visits.")
    with refused_as("after", ValueError, not_a_cursor):
        after = queries.VisitCursor.parse(query.after) if query.after else None
    qs = PrisonVisit.objects.visible_to(user).current().select_related("prison", "organisation")
    if query.prison:
        qs = qs.filter(prison__code=query.prison)
    page = queries.visit_page(qs, after, query.size)
    next_cursor = str(page.next_cursor) if page.next_cursor else None
    return {"items": page.items, "next_cursor": next_cursor, "total": page.total}


@router.post(
    "/visits",
    response={201: VisitDetail},
    url_name="visits",
    summary="Record a visit",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def record_visit(request: AuthenticatedRequest, payload: RecordVisit) -> Status:
    """Record a visit of your organisation with its findings by topic and the women seen."""
    visit = services.record_visit(request.user, payload, request=request)
    return Status(201, _visit(request.user, visit.pk))


@router.get(
    "/visits/{visit_id}",
    response=VisitDetail,
    url_name="visit",
    summary="Get a visit",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_visit(request: AuthenticatedRequest, visit_id: RecordId) -> PrisonVisit:
    """A visit with its findings, follow-up actions and incidents. On the audit trail."""
    return read(request, _visit(request.user, visit_id))


@router.patch(
    "/visits/{visit_id}",
    response=VisitDetail,
    url_name="visit",
    summary="Correct a visit",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def correct_visit(
    request: AuthenticatedRequest, visit_id: RecordId, payload: VisitChanges
) -> PrisonVisit:
    """Correct a visit's date, team, access, counts or notes: only the fields sent change.
    Send the `version` last read; a change made since is refused with HTTP 409. Only the
    organisation that made the visit corrects it (to others it is not found, 404)."""
    user = request.user
    visit = editable_record(PrisonVisit, user, visit_id)
    corrected(request, services.correct_visit, visit, payload, "notes")
    return _visit(user, visit_id)


@router.post(
    "/visits/{visit_id}/withdrawal",
    response=VisitDetail,
    url_name="visit_withdrawal",
    summary="Withdraw a visit entered twice",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def withdraw_visit(
    request: AuthenticatedRequest, visit_id: RecordId, payload: Withdrawal
) -> PrisonVisit:
    """Withdraw a visit entered twice, saying why (`reason`). It is not deleted: it stays
    readable here, marked withdrawn, and leaves the lists, counts and the worklist. Send the
    `version` last read (409 if it changed since). Only its organisation withdraws it."""
    user = request.user
    visit = editable_record(PrisonVisit, user, visit_id)
    withdrawn(request, services.withdraw_visit, visit, payload)
    return _visit(user, visit_id)


@router.post(
    "/visits/{visit_id}/actions",
    response={201: ActionOut},
    url_name="visit_actions",
    summary="Add a follow-up action",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def add_action(request: AuthenticatedRequest, visit_id: RecordId, payload: ActionIn) -> Status:
    """Add a follow-up action owned by a user of the visit's organisation (by user name),
    due on a day not before the visit, optionally about one of its findings."""
    user = request.user
    visit = editable_record(PrisonVisit, user, visit_id)
    return Status(201, services.add_named_action(user, visit, payload, request=request))


@router.post(
    "/actions/{action_id}/done",
    response=ActionOut,
    url_name="action_done",
    summary="Mark done",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def complete_action(
    request: AuthenticatedRequest, action_id: RecordId, payload: DoneIn
) -> FollowUpAction:
    """Mark an open follow-up action done; one already done is a 409."""
    user = request.user
    action = _of_editable_visit(FollowUpAction, user, action_id)
    return services.complete_action(user, action, payload.done_on, request=request)


@router.patch(
    "/actions/{action_id}",
    response=ActionOut,
    url_name="action",
    summary="Correct a follow-up action",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def correct_action(
    request: AuthenticatedRequest, action_id: RecordId, payload: ActionChanges
) -> FollowUpAction:
    """Correct what is to be done, the owner (a user name of the visit's organisation), the
    due date or the finding (`finding_id`, null for none): only the fields sent change. Send
    the `version` last read; a change made since is refused with HTTP 409."""
    user = request.user
    action = _of_editable_visit(FollowUpAction, user, action_id)
    return corrected(request, services.correct_action, action, payload)


@router.patch(
    "/findings/{finding_id}",
    response=VisitFindingOut,
    url_name="finding",
    summary="Correct a finding",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def correct_finding(
    request: AuthenticatedRequest, finding_id: RecordId, payload: FindingChanges
) -> Finding:
    """Correct a finding's topic or what was found: only the fields sent change. Send the
    `version` last read; a change made since is refused with HTTP 409."""
    user = request.user
    finding = _of_editable_visit(Finding, user, finding_id)
    return corrected(request, services.correct_finding, finding, payload)


@router.post(
    "/findings/{finding_id}/resolved",
    response=VisitFindingOut,
    url_name="finding_resolved",
    summary="Resolve a finding",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def resolve_finding(
    request: AuthenticatedRequest, finding_id: RecordId, payload: DoneIn
) -> Finding:
    """Record the day a finding was resolved; it leaves the prison's open findings."""
    user = request.user
    finding = _of_editable_visit(Finding, user, finding_id)
    return services.resolve_finding(user, finding, payload.done_on, request=request)


# Access incidents


@router.get(
    "/incidents",
    response=IncidentList,
    url_name="incidents",
    summary="List incidents",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_incidents(request: AuthenticatedRequest, query: Query[IncidentQuery]) -> dict[str, Any]:
    """Access incidents of your organisation and of those that share with it, newest first,
    one page at a time: pass `next_cursor` as `after` for the next page."""
    user = request.user
    qs = queries.incidents(user, open_only=query.open)
    if query.prison:
        qs = qs.filter(prison__code=query.prison)
    return page_of(qs, query.after, query.size)


@router.get(
    "/incidents/summary",
    response=IncidentSummary,
    url_name="incident_summary",
    summary="Incidents: time to resolution, by prison and year",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def incident_summary(request: AuthenticatedRequest) -> dict[str, Any]:
    """The programme manager's figures, computed by the database."""
    user = request.user
    resolution = queries.resolution(user)
    years, rows = queries.incidents_by_prison_and_year(user)
    return {
        "open": resolution.open,
        "resolved": resolution.resolved,
        "mean_days_to_restore": resolution.mean_days,
        "years": years,
        "by_prison": [{"prison": r.prison_code, "counts": r.counts} for r in rows],
    }


@router.post(
    "/incidents",
    response={201: IncidentOut},
    url_name="incidents",
    summary="Record an incident",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def record_incident(request: AuthenticatedRequest, payload: IncidentIn) -> Status:
    """Record an access incident (from a visit with `visit_id`); the organisation's
    escalation contacts are told by e-mail."""
    user = request.user
    visit = editable_record(PrisonVisit, user, payload.visit_id) if payload.visit_id else None
    incident = services.record_named_incident(user, payload, visit=visit, request=request)
    return Status(201, queries.incident_detail(user, incident.pk))


@router.get(
    "/incidents/{incident_id}",
    response=IncidentOut,
    url_name="incident",
    summary="Get one",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_incident(request: AuthenticatedRequest, incident_id: RecordId) -> AccessIncident:
    """One access incident, with its escalation, response and restored access."""
    return _detail(queries.incident_detail, AccessIncident, request.user, incident_id)


@router.patch(
    "/incidents/{incident_id}",
    response=IncidentOut,
    url_name="incident",
    summary="Update",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def update_incident(
    request: AuthenticatedRequest, incident_id: RecordId, payload: IncidentChangesIn
) -> AccessIncident:
    """Record the escalation, the response, the day access was restored. Send the `version`
    last read; a change made since is refused with HTTP 409."""
    user = request.user
    incident = editable_record(AccessIncident, user, incident_id)
    corrected(request, services.update_incident, incident, payload, "escalated_to", "response")
    return queries.incident_detail(user, incident.pk)


@router.post(
    "/incidents/{incident_id}/withdrawal",
    response=IncidentOut,
    url_name="incident_withdrawal",
    summary="Withdraw an incident entered twice",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def withdraw_incident(
    request: AuthenticatedRequest, incident_id: RecordId, payload: Withdrawal
) -> AccessIncident:
    """Withdraw an incident entered twice, saying why (`reason`). It is not deleted: it
    stays readable here, marked withdrawn, and leaves the lists and figures. Send the
    `version` last read (409 if it changed since)."""
    user = request.user
    incident = editable_record(AccessIncident, user, incident_id)
    withdrawn(request, services.withdraw_incident, incident, payload)
    return queries.incident_detail(user, incident.pk)


# Training


class TrainingOut(WithdrawnOut):
    id: int
    reference: str
    organisation: str = Field(alias="organisation.name")
    audience: Audience
    held_on: date
    place: str
    topics: list[str]
    participants: list[ParticipantsIO]
    statistics_used: str
    case_studies_used: str
    notes: str
    version: int


class TrainingSummary(Schema):
    id: int
    audience: Audience
    held_on: date
    place: str
    women: int | None
    men: int | None


class TrainingList(ListPage):
    items: list[TrainingSummary]


class TrainingTotalOut(Schema):
    year: int
    audience: Audience
    sessions: int
    women: int
    men: int


def _participants(rows: list[ParticipantsIO]) -> list[tuple[str, int, int]]:
    return [(p.institution, p.women, p.men) for p in rows]


@router.get(
    "/training",
    response=TrainingList,
    url_name="training",
    summary="List sessions",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_training(request: AuthenticatedRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Training sessions of your organisation and those sharing with it, newest first, with
    participants summed."""
    user = request.user
    return page_of(queries.training_sessions(user), query.after, query.size)


@router.get(
    "/training/totals",
    response=list[TrainingTotalOut],
    url_name="training_totals",
    summary="Training totals by year and audience",
    auth=Requires(Capability.VIEW_REGISTER),
)
def training_totals(request: AuthenticatedRequest) -> list[Any]:
    """Sessions and participants by sex, by year and audience (database aggregates)."""
    user = request.user
    return queries.training_totals(user)


@router.post(
    "/training",
    response={201: TrainingOut},
    url_name="training",
    summary="Record a session",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def record_training(request: AuthenticatedRequest, payload: TrainingIn) -> Status:
    """A training session of your organisation with its participants by institution."""
    user = request.user
    data = payload.model_dump(exclude={"participants"})
    session = services.record_training(
        user,
        services.TrainingRecord(
            **data,
            participants=_participants(payload.participants),
        ),
        request=request,
    )
    return Status(201, queries.training_detail(user, session.pk))


@router.get(
    "/training/{session_id}",
    response=TrainingOut,
    url_name="training_session",
    summary="Get one",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_training(request: AuthenticatedRequest, session_id: RecordId) -> TrainingSession:
    """One training session with its participants by institution."""
    return _detail(queries.training_detail, TrainingSession, request.user, session_id)


@router.patch(
    "/training/{session_id}",
    response=TrainingOut,
    url_name="training_session",
    summary="Correct a session",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def correct_training(
    request: AuthenticatedRequest, session_id: RecordId, payload: TrainingChanges
) -> TrainingSession:
    """Correct a session's audience, date, place, topics, participants (every row, which
    replace those recorded) or texts: only the fields sent change. Send the `version` last
    read; a change made since is refused with HTTP 409."""
    user = request.user
    session = editable_record(TrainingSession, user, session_id)
    texts = ("statistics_used", "case_studies_used", "notes")
    changes = changes_of(payload, *texts, exclude={"participants"})
    if payload.participants is not None:
        changes["participants"] = _participants(payload.participants)
    services.correct_training(user, session, changes, version=payload.version, request=request)
    return queries.training_detail(user, session.pk)


@router.post(
    "/training/{session_id}/withdrawal",
    response=TrainingOut,
    url_name="training_withdrawal",
    summary="Withdraw a session entered twice",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def withdraw_training(
    request: AuthenticatedRequest, session_id: RecordId, payload: Withdrawal
) -> TrainingSession:
    """Withdraw a session entered twice, saying why (`reason`). It is not deleted: it stays
    readable here, marked withdrawn, and leaves the list and the totals. Send the `version`
    last read (409 if it changed since)."""
    user = request.user
    session = editable_record(TrainingSession, user, session_id)
    withdrawn(request, services.withdraw_training, session, payload)
    return queries.training_detail(user, session.pk)


# Case studies


class CaseStudyOut(Schema):
    id: int
    reference: str
    organisation: str = Field(alias="organisation.name")
    status: CaseStatus
    title_en: str
    narrative_en: str
    title_local: str
    narrative_local: str
    tags: list[str]
    consent_on: date | None
    consent_given_by: str
    consent_use: str
    consent_withdrawn_on: date | None
    published_on: date | None
    version: int


class CaseStudyList(ListPage):
    items: list[CaseStudyOut]


@router.get(
    "/case-studies",
    response=CaseStudyList,
    url_name="case_studies",
    summary="List",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_cases(request: AuthenticatedRequest, query: Query[PageQuery]) -> dict[str, Any]:
    """Case studies of your organisation and those sharing with it, newest first."""
    user = request.user
    page = page_of(queries.case_studies(user), query.after, query.size)
    audit.record_list(
        user, "fieldwork.CaseStudy", [case.reference for case in page["items"]], request=request
    )
    return page


@router.post(
    "/case-studies",
    response={201: CaseStudyOut},
    url_name="case_studies",
    summary="Draft one",
    auth=Requires(Capability.RECORD_FIELDWORK),
)
def draft_case(request: AuthenticatedRequest, payload: CaseStudyIn) -> Status:
    """A draft, linked to a woman you may change (and her children) when `woman` is given."""
    user = request.user
    woman = editable_woman(user, payload.woman) if payload.woman else None
    case = services.draft_case_study(
        user,
        services.CaseText(**payload.model_dump(exclude={"woman"})),
        woman=woman,
        children=list(woman.children.all()) if woman else [],
        request=request,
    )
    return Status(201, queries.case_detail(user, case.pk))


@router.get(
    "/case-studies/{case_id}",
    response=CaseStudyOut,
    url_name="case_study",
    summary="Get",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_case(request: AuthenticatedRequest, case_id: RecordId) -> CaseStudy:
    """One case study with its texts and where it is in the workflow."""
    return read(request, _detail(queries.case_detail, CaseStudy, request.user, case_id))


@router.post(
    "/case-studies/{case_id}/{step}",
    response=CaseStudyOut,
    url_name="case_study_step",
    summary="Move a case study a step",
    auth=Requires(Capability.RECORD_FIELDWORK, step=services.CASE_STEPS),
)
def case_step(
    request: AuthenticatedRequest,
    case_id: RecordId,
    step: Literal["consent", "anonymise", "review", "publish", "withdraw"],
    payload: StepIn,
) -> CaseStudy:
    """`consent` (with its date, who gave it, and its use), `anonymise`, `review` and
    `publish` (programme managers; a second person), or `withdraw` consent, which
    unpublishes. A refused step is a 422; a stale `version` a 409."""
    user = request.user
    case = editable_record(CaseStudy, user, case_id)
    services.take_case_step(user, case, step, payload, request=request)
    return queries.case_detail(user, case.pk)


# Escalation contacts


class ContactOut(Schema):
    id: int
    name: str
    position: str
    email: str


@router.get(
    "/escalation-contacts",
    response=list[ContactOut],
    url_name="escalation_contacts",
    summary="List escalation contacts",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def list_contacts(request: AuthenticatedRequest) -> list[EscalationContact]:
    """Whom your organisation tells by e-mail of every new access incident."""
    user = request.user
    return list(EscalationContact.objects.filter(organisation_id=organisation_id_of(user)))


@router.post(
    "/escalation-contacts",
    response={201: ContactOut},
    url_name="escalation_contacts",
    summary="Add an escalation contact",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def add_contact(request: AuthenticatedRequest, payload: ContactIn) -> Status:
    """Add someone to tell of every new access incident of your organisation."""
    user = request.user
    contact = services.add_escalation_contact(user, **payload.model_dump(), request=request)
    return Status(201, contact)


@router.delete(
    "/escalation-contacts/{contact_id}",
    response={204: None},
    url_name="escalation_contact",
    summary="Remove an escalation contact",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def remove_contact(request: AuthenticatedRequest, contact_id: RecordId) -> Status:
    """Stop telling this contact of new incidents."""
    user = request.user
    contact = EscalationContact.objects.filter(
        pk=contact_id, organisation_id=organisation_id_of(user)
    ).first()
    if contact is None:
        raise Http404
    services.remove_escalation_contact(user, contact, request=request)
    return Status(204, None)


# Field collection


class RowErrorOut(Schema):
    line: int
    field: str
    reason: str


class SubmissionImportOut(Schema):
    kind: str
    rows: int
    created: int
    skipped: int = Field(description="Submissions imported before (same instance ID).")
    errors: list[RowErrorOut]


class TooLargeOut(Schema):
    detail: str = Field(description="The limit the request passed (HTTP 413).")


@router.post(
    "/imports/{kind}",
    response={200: SubmissionImportOut, 413: TooLargeOut, 422: SubmissionImportOut},
    url_name="imports",
    summary="Import phone submissions",
    auth=Requires(Capability.EDIT_REGISTER, kind={"visits": Capability.RECORD_FIELDWORK}),
)
def import_submissions(
    request: AuthenticatedRequest, kind: Literal["visits", "services"], file: File[UploadedFile]
) -> Status:
    """Import an ODK Central or KoBoToolbox export (CSV or XLSX) of the Motherline forms.
    With any refused row, nothing is written and the answer is a 422 listing every
    (line, field, reason); submissions imported before are skipped."""
    user = request.user
    try:
        rows = importing.read_rows(file, file.name or "")
    except FileRefused as exc:
        # Refused as a whole: the same answer as refused rows, the problem at line 0 or
        # where the limit was passed.
        return Status(422, importing.ImportReport(kind, errors=[importing.file_error(exc)]))
    report = importing.IMPORTERS[kind](user, rows)
    return Status(200 if report.ok else 422, report)
