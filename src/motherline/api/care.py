"""A child's leaving prison: the leave-by date with how it was worked out, extensions, and
the transition plan with its steps and follow-up visits.

The same `care.queries` and `care.services` as the web pages, and the same access policy:
a plan is seen and changed exactly when its child is.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from motherline.accounts import audit
from motherline.accounts.models import User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_child, editable_record, visible_record
from motherline.api.routes import changes_of, corrected, read
from motherline.api.schemas import (
    INT_MAX,
    ChildChangesIn,
    ChildOut,
    Note,
    OptionalRelationship,
    PathReference,
    RecordId,
    Sent,
    Version,
    _max,
)
from motherline.care import family, queries, services
from motherline.care.actions import (
    AssessmentChanges,
    AssessmentDecisionIn,
    AssessmentIn,
    CaregiverChanges,
    CaregiverIn,
    CaregiverLinkIn,
    ExtensionIn,
    FollowUpIn,
    ReopenIn,
)
from motherline.care.models import (
    BestInterestsAssessment,
    Caregiver,
    CaregiverLink,
    CloseReason,
    FollowUp,
    PlanStatus,
    TransitionPlan,
)
from motherline.care.rules import next_step
from motherline.core.actors import AuthenticatedRequest
from motherline.core.inputs import named
from motherline.people import services as people_services
from motherline.people.models import Child

router = Router(tags=["transition plans"])


# Shapes


class RuleOut(Schema):
    max_age_months: int
    effective_from: date | None
    effective_to: date | None
    extension_allowed: bool
    max_extension_months: int
    citation: str
    source: str
    verified: bool = Field(description="Whether the pack's source for this rule was verified.")


class LeaveByOut(Schema):
    date: dt.date | None = Field(
        description="The day the child must have left, extensions counted."
    )
    base_date: dt.date | None = Field(description="The day under the age limit alone.")
    rule: RuleOut | None = Field(description="The rule in force on the base date.")
    set_by_rule_change: bool = Field(
        description="The child was over the limit when the rule took effect: base date = that day."
    )
    extension_months: int = Field(description="Months of extension that count.")
    extension_months_recorded: int
    on: dt.date = Field(description="The day `days_left` and `is_past` are for (today).")
    days_left: int | None = Field(description="Negative when overdue.")
    is_past: bool


class ExtensionOut(Schema):
    id: int
    months: int
    reason: str
    approved_by: str
    approved_on: date


class FollowUpOut(Schema):
    id: int
    due_date: date
    done_on: date | None
    outcome: str
    child_situation: str
    caregiver_seen: int | None = Field(
        alias="caregiver_seen_id", description="The id of the caregiver met, if one was."
    )
    notes: str


class PlanOut(Schema):
    id: int
    child: str = Field(alias="child.reference", description="The child's reference.")
    status: PlanStatus
    next_step: str | None
    opened_on: date
    due_date: date = Field(description="The child's leave-by date.")
    caregiver_name: str
    caregiver_relationship: str
    caregiver_location: str
    caregiver_contact: str
    caregiver: int | None = Field(
        alias="caregiver_id",
        description="The id of the caregiver's record, which stands for the typed fields.",
    )
    assessed_on: date | None
    home_is_suitable: bool | None
    assessment_notes: str
    support_money: bool
    support_schooling: bool
    support_health: bool
    support_notes: str
    handover_planned_on: date | None
    handed_over_on: date | None
    closed_on: date | None
    close_reason: str
    version: int = Field(description="Send it back with a change to detect concurrent edits.")
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_next_step(obj: TransitionPlan) -> str | None:
        return next_step(obj.status)


class ChildCareOut(ChildOut):
    """A child as `api.people` returns one, with the child's leaving prison (read from
    `care`, a `queries.ChildCare` set on the child by `_child_out`)."""

    mother: str = Field(alias="mother.reference", description="The mother's reference.")
    is_in_prison: bool
    leave_by: LeaveByOut
    extensions: list[ExtensionOut] = Field(alias="care.extensions")
    plan: PlanOut | None = Field(
        alias="care.plan", description="The plan in progress, else the last one closed."
    )

    @staticmethod
    def resolve_is_in_prison(obj: Any) -> bool:
        return bool(obj.care.is_in_prison)

    @staticmethod
    def resolve_leave_by(obj: Any) -> dict[str, Any]:
        leave_by = obj.care.leave_by
        return {
            "date": leave_by.date,
            "base_date": leave_by.base_date,
            "rule": leave_by.rule,
            "set_by_rule_change": leave_by.set_by_rule_change,
            "extension_months": leave_by.extension_months,
            "extension_months_recorded": leave_by.extension_months_recorded,
            "on": leave_by.on,
            "days_left": leave_by.days_left,
            "is_past": leave_by.is_past,
        }


class PlanChangesIn(Schema):
    """A change of a plan's details (`care.services.update_plan`); only the fields sent."""

    version: Version
    caregiver_name: Sent[str] = Field(None, max_length=_max(TransitionPlan, "caregiver_name"))
    caregiver_relationship: OptionalRelationship = None
    caregiver_location: Sent[str] = Field(
        None, max_length=_max(TransitionPlan, "caregiver_location")
    )
    caregiver_contact: Sent[str] = Field(None, max_length=_max(TransitionPlan, "caregiver_contact"))
    caregiver: int | None = Field(
        None,
        ge=1,
        le=INT_MAX,
        description="The id of a caregiver recorded for the child; null clears it.",
    )
    assessed_on: date | None = None
    home_is_suitable: bool | None = None
    assessment_notes: Sent[Note] = None
    support_money: Sent[bool] = None
    support_schooling: Sent[bool] = None
    support_health: Sent[bool] = None
    support_notes: Sent[Note] = None
    handover_planned_on: date | None = None


class AdvanceIn(PlanChangesIn):
    """Move a plan to its next step, or close it (`care.services.advance_plan`), with what
    that step needs: the caregiver for "caregiver_identified", `assessed_on` and
    `home_is_suitable` for "assessed", `handed_over_on` for "handed_over", and a
    `close_reason` for "closed"."""

    status: PlanStatus
    handed_over_on: date | None = None
    close_reason: CloseReason | None = None
    closed_on: date | None = Field(None, description="Default today.")


# Reading


def _visible_child(user: User, reference: str) -> Child:
    return get_object_or_404(
        Child.objects.visible_to(user)
        .select_related("mother")
        .prefetch_related("placements__prison"),
        reference=reference,
    )


def _child_out(child: Any) -> Child:
    child.care = queries.child_care(child, timezone.localdate())
    return child


def _plan_out(pk: int) -> TransitionPlan:
    return TransitionPlan.objects.select_related("child").prefetch_related("follow_ups").get(pk=pk)


def _caregiver_record(plan: TransitionPlan, changes: dict[str, Any]) -> None:
    """The caregiver's id sent with a plan's change, as the record (of her children)."""
    if changes.get("caregiver") is not None:
        changes["caregiver"] = _caregiver_of_family(plan.child.mother_id, changes["caregiver"])


def _caregiver_of_family(woman_id: int, caregiver_id: int, field: str = "caregiver") -> Caregiver:
    found = Caregiver.objects.filter(pk=caregiver_id, woman_id=woman_id)
    return named(found, field, _("Choose a caregiver recorded for this child."))


@router.get(
    "/children/{reference}",
    response=ChildCareOut,
    url_name="child",
    summary="Get a child, with the leave-by date",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_child(request: AuthenticatedRequest, reference: PathReference) -> Child:
    """The child's record and placements, the leave-by date with how it was worked out (the
    age-limit rule, its dates, source and whether it is verified, and the extensions), and
    the transition plan. The read is on the audit trail."""
    return _child_out(read(request, _visible_child(request.user, reference)))


@router.patch(
    "/children/{reference}",
    response=ChildCareOut,
    url_name="child",
    summary="Correct a child's details or record the birth registration",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_child(
    request: AuthenticatedRequest, reference: PathReference, payload: ChildChangesIn
) -> Child:
    """Correct the child's details, or record the birth's registration
    (`birth_registered`, `birth_registered_on`, `birth_certificate_number`): only the
    fields sent change. Send the `version` last read; if someone changed the child since,
    nothing is written and the answer is HTTP 409. A partner who sees the child read-only
    is refused (403)."""
    user = request.user
    child = _visible_child(user, reference)
    corrected(request, people_services.update_child, child, payload)
    return _child_out(_visible_child(user, reference))


@router.get(
    "/children/{reference}/plan",
    response=PlanOut,
    url_name="child_plan",
    summary="Get a child's transition plan",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_plan(request: AuthenticatedRequest, reference: PathReference) -> TransitionPlan:
    """The child's plan in progress, else the last one closed; 404 when there is none."""
    user = request.user
    child = _visible_child(user, reference)
    plan = queries.child_care(child, timezone.localdate()).plan
    if plan is None:
        raise Http404
    read(request, child)
    return _plan_out(plan.pk)


@router.post(
    "/children/{reference}/plan",
    response={201: PlanOut},
    url_name="child_plan",
    summary="Open a transition plan",
    auth=Requires(Capability.EDIT_REGISTER),
)
def open_plan(request: AuthenticatedRequest, reference: PathReference) -> TransitionPlan:
    """Open a plan for a child living in prison, due on the child's leave-by date."""
    user = request.user
    child = editable_child(user, reference)
    plan = services.open_plan(user, child, request=request)
    return _plan_out(plan.pk)


@router.patch(
    "/plans/{plan_id}",
    response=PlanOut,
    url_name="plan",
    summary="Change a plan",
    auth=Requires(Capability.EDIT_REGISTER),
)
def update_plan(
    request: AuthenticatedRequest, plan_id: RecordId, payload: PlanChangesIn
) -> TransitionPlan:
    """Change a plan's details without moving it to another step: only the fields sent
    change. Send the `version` last read; a change made since is refused with HTTP 409. A
    closed plan must be reopened first (422)."""
    user = request.user
    plan = editable_record(TransitionPlan, user, plan_id)
    changes = changes_of(payload, "caregiver_relationship")
    _caregiver_record(plan, changes)
    services.update_plan(user, plan, changes, version=payload.version, request=request)
    return _plan_out(plan.pk)


@router.post(
    "/plans/{plan_id}/advance",
    response=PlanOut,
    url_name="plan_advance",
    summary="Move a plan to its next step",
    auth=Requires(Capability.EDIT_REGISTER),
)
def advance_plan(
    request: AuthenticatedRequest, plan_id: RecordId, payload: AdvanceIn
) -> TransitionPlan:
    """Move the plan one step forward, or close it, with what that step needs. The handover
    ends the child's placement in prison and schedules the follow-up visits."""
    user = request.user
    plan = editable_record(TransitionPlan, user, plan_id)
    fields = changes_of(payload, "caregiver_relationship", "close_reason", exclude={"status"})
    _caregiver_record(plan, fields)
    services.advance_plan(
        user, plan, payload.status, fields, version=payload.version, request=request
    )
    return _plan_out(plan.pk)


@router.post(
    "/plans/{plan_id}/reopen",
    response=PlanOut,
    url_name="plan_reopen",
    summary="Reopen a closed plan",
    auth=Requires(Capability.EDIT_REGISTER),
)
def reopen_plan(
    request: AuthenticatedRequest, plan_id: RecordId, payload: ReopenIn
) -> TransitionPlan:
    """Reopen a closed plan; the reason is kept on the audit trail."""
    user = request.user
    plan = editable_record(TransitionPlan, user, plan_id)
    services.reopen_plan(user, plan, payload.reason, version=payload.version, request=request)
    return _plan_out(plan.pk)


@router.post(
    "/follow-ups/{follow_up_id}",
    response=FollowUpOut,
    url_name="follow_up",
    summary="Record a follow-up visit",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_follow_up(
    request: AuthenticatedRequest, follow_up_id: RecordId, payload: FollowUpIn
) -> FollowUp:
    """Record a visit to the child after the handover (or correct one)."""
    user = request.user
    follow_up = get_object_or_404(
        FollowUp, pk=follow_up_id, plan__in=TransitionPlan.objects.editable_by(user).values("pk")
    )
    seen = None
    if payload.caregiver_seen is not None:
        seen = _caregiver_of_family(
            follow_up.plan.child.mother_id, payload.caregiver_seen, "caregiver_seen"
        )
    return services.record_follow_up(
        user,
        follow_up,
        payload.done_on,
        payload.outcome,
        payload.notes,
        child_situation=payload.child_situation,
        caregiver_seen=seen,
        version=payload.version,
        request=request,
    )


@router.post(
    "/children/{reference}/extensions",
    response={201: ChildCareOut},
    url_name="child_extensions",
    summary="Record an extension of a child's stay",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_extension(
    request: AuthenticatedRequest, reference: PathReference, payload: ExtensionIn
) -> Child:
    """Record an approved extension of the child's stay past the age limit, where the rule
    in force allows one and within its maximum (422 otherwise). Returns the child with the
    new leave-by date."""
    user = request.user
    child = editable_child(user, reference)
    services.record_extension(
        user,
        child,
        payload.months,
        payload.reason,
        payload.approved_by,
        payload.approved_on,
        request=request,
    )
    return _child_out(_visible_child(user, reference))


# The child's family outside: caregivers and best-interests assessments


class CaregiverOut(Schema):
    id: int
    name: str
    relationship: str = Field(description="To the child the path names.")
    province: str | None = Field(description="The province's code.")
    district: str | None = Field(description="The district's gazetteer code.")
    commune: str | None = Field(description="The commune's gazetteer code.")
    place: str = Field(description="The areas chosen, finest first, by name.")
    address: str
    phone: str
    children: list[str] = Field(description="The references of the children they care for.")
    version: int = Field(description="Send it back with a correction.")


def _caregiver_out(link: CaregiverLink) -> dict[str, Any]:
    caregiver = link.caregiver
    return {
        "id": caregiver.pk,
        "name": caregiver.name,
        "relationship": link.relationship,
        **family.place_codes(caregiver),
        "place": caregiver.place(),
        "address": caregiver.address,
        "phone": caregiver.phone,
        "children": sorted(caregiver.children.values_list("reference", flat=True)),
        "version": caregiver.version,
    }


def _link(child: Child, caregiver_id: int) -> CaregiverLink:
    return get_object_or_404(
        CaregiverLink.objects.select_related(
            "caregiver__province", "caregiver__district", "caregiver__commune"
        ),
        child=child,
        caregiver_id=caregiver_id,
    )


@router.get(
    "/children/{reference}/caregivers",
    response=list[CaregiverOut],
    url_name="child_caregivers",
    summary="List a child's caregivers",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_caregivers(
    request: AuthenticatedRequest, reference: PathReference
) -> list[dict[str, Any]]:
    """The caregivers outside prison of a child the user may see, with how each is related
    to the child, where they live and their phone. On the audit trail."""
    user = request.user
    child = _visible_child(user, reference)
    links = list(
        CaregiverLink.objects.filter(child=child)
        .select_related("caregiver__province", "caregiver__district", "caregiver__commune")
        .order_by("id")
    )
    audit.record_list(
        user, Caregiver._meta.label, [link.caregiver.reference for link in links], request=request
    )
    return [_caregiver_out(link) for link in links]


@router.post(
    "/children/{reference}/caregivers",
    response={201: CaregiverOut},
    url_name="child_caregivers",
    summary="Record a caregiver of a child",
    auth=Requires(Capability.EDIT_REGISTER),
)
def add_caregiver(
    request: AuthenticatedRequest, reference: PathReference, payload: CaregiverIn
) -> Status:
    """Record a caregiver of the child: name, relationship, the areas of their address by
    gazetteer code (`GET /provinces/{code}/districts`), the village, street and house in
    words, and a phone. A partner who sees the child read-only is refused (403)."""
    user = request.user
    child = _visible_child(user, reference)
    caregiver = family.add_caregiver(user, child, **payload.model_dump(), request=request)
    return Status(201, _caregiver_out(_link(child, caregiver.pk)))


@router.post(
    "/children/{reference}/caregiver-links",
    response={201: CaregiverOut},
    url_name="child_caregiver_links",
    summary="Record one of her other children's caregivers for this child too",
    auth=Requires(Capability.EDIT_REGISTER),
)
def link_caregiver(
    request: AuthenticatedRequest, reference: PathReference, payload: CaregiverLinkIn
) -> Status:
    """A caregiver already recorded for another of the mother's children cares for this
    child too, with this relationship."""
    user = request.user
    child = _visible_child(user, reference)
    caregiver = _caregiver_of_family(child.mother_id, payload.caregiver)
    family.link_caregiver(user, child, caregiver, payload.relationship, request=request)
    return Status(201, _caregiver_out(_link(child, caregiver.pk)))


@router.get(
    "/children/{reference}/caregivers/{caregiver_id}",
    response=CaregiverOut,
    url_name="child_caregiver",
    summary="Get a child's caregiver",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_caregiver(
    request: AuthenticatedRequest, reference: PathReference, caregiver_id: RecordId
) -> dict[str, Any]:
    """One caregiver of the child. On the audit trail."""
    user = request.user
    link = _link(_visible_child(user, reference), caregiver_id)
    read(request, link.caregiver)
    return _caregiver_out(link)


@router.patch(
    "/children/{reference}/caregivers/{caregiver_id}",
    response=CaregiverOut,
    url_name="child_caregiver",
    summary="Correct a child's caregiver",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_caregiver(
    request: AuthenticatedRequest,
    reference: PathReference,
    caregiver_id: RecordId,
    payload: CaregiverChanges,
) -> dict[str, Any]:
    """Correct a caregiver's details, or their relationship to this child: only the fields
    sent change. Send the `version` last read; a change made since is refused with HTTP 409.
    A null area clears it (and the finer ones: send them too)."""
    user = request.user
    child = _visible_child(user, reference)
    link = _link(child, caregiver_id)
    changes = changes_of(payload, "address", "phone")
    family.correct_caregiver(
        user, child, link.caregiver, changes, version=payload.version, request=request
    )
    return _caregiver_out(_link(child, caregiver_id))


class AnswerOut(Schema):
    question: str = Field(alias="question.code", description="The question's code in the pack.")
    text: str = Field(
        alias="question.display_text", description="The question, in the language of the request."
    )
    finding: str
    notes: str


class AssessmentOut(Schema):
    id: int
    plan: int = Field(alias="plan_id")
    child: str = Field(alias="plan.child.reference", description="The child's reference.")
    caregiver: int = Field(alias="caregiver_id", description="The id of the caregiver assessed.")
    assessed_on: date
    answers: list[AnswerOut]
    recommendation: str
    reasons: str
    status: str = Field(description="recorded (waiting for approval), approved or returned.")
    assessed_by: str = Field(alias="assessed_by.username")
    decided_by: str | None
    decided_on: date | None
    decision_notes: str
    allows_handover: bool = Field(description="Approved, recommending the hand-over.")
    version: int

    @staticmethod
    def resolve_answers(obj: BestInterestsAssessment) -> Any:
        return obj.answers.select_related("question").order_by("question__position")

    @staticmethod
    def resolve_decided_by(obj: BestInterestsAssessment) -> str | None:
        return obj.decided_by.username if obj.decided_by else None


def _assessment_out(pk: int) -> BestInterestsAssessment:
    return BestInterestsAssessment.objects.select_related(
        "plan__child", "assessed_by", "decided_by"
    ).get(pk=pk)


def _visible_assessment(user: User, assessment_id: int) -> BestInterestsAssessment:
    return visible_record(BestInterestsAssessment, user, assessment_id, "plan__child__mother")


def _answers(payload_answers: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {code: (str(a.finding), a.notes) for code, a in payload_answers.items()}


@router.get(
    "/plans/{plan_id}/assessments",
    response=list[AssessmentOut],
    url_name="plan_assessments",
    summary="List a plan's best-interests assessments",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_assessments(request: AuthenticatedRequest, plan_id: RecordId) -> Any:
    """The best-interests assessments of a plan, the latest first. On the audit trail."""
    user = request.user
    plan = visible_record(TransitionPlan, user, plan_id)
    found = list(
        BestInterestsAssessment.objects.filter(plan=plan)
        .select_related("plan__child", "assessed_by", "decided_by")
        .order_by("-assessed_on", "-id")
    )
    audit.record_list(
        user, BestInterestsAssessment._meta.label, [a.reference for a in found], request=request
    )
    return found


@router.post(
    "/plans/{plan_id}/assessments",
    response={201: AssessmentOut},
    url_name="plan_assessments",
    summary="Record a best-interests assessment",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_assessment(
    request: AuthenticatedRequest, plan_id: RecordId, payload: AssessmentIn
) -> Status:
    """Record a best-interests assessment of handing the plan's child over to one of the
    child's caregivers: a finding for every question of the jurisdiction's pack (keyed by
    its code), and a recommendation. It waits for a programme manager's approval; the plan's
    hand-over step is refused until one is approved."""
    user = request.user
    plan = editable_record(TransitionPlan, user, plan_id)
    found = family.record_assessment(
        user,
        plan,
        caregiver=_caregiver_of_family(plan.child.mother_id, payload.caregiver),
        assessed_on=payload.assessed_on,
        recommendation=payload.recommendation,
        reasons=payload.reasons,
        answers=_answers(payload.answers),
        request=request,
    )
    return Status(201, _assessment_out(found.pk))


@router.get(
    "/assessments/{assessment_id}",
    response=AssessmentOut,
    url_name="assessment",
    summary="Get a best-interests assessment",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_assessment(
    request: AuthenticatedRequest, assessment_id: RecordId
) -> BestInterestsAssessment:
    """One assessment with its answers. On the audit trail."""
    return _assessment_out(read(request, _visible_assessment(request.user, assessment_id)).pk)


@router.patch(
    "/assessments/{assessment_id}",
    response=AssessmentOut,
    url_name="assessment",
    summary="Correct a best-interests assessment",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_assessment(
    request: AuthenticatedRequest, assessment_id: RecordId, payload: AssessmentChanges
) -> BestInterestsAssessment:
    """Correct an assessment that is not approved: only the fields sent change (`answers`
    replaces them all). Send the `version` last read; a change made since is refused with
    HTTP 409. A returned assessment, corrected, waits for approval again."""
    user = request.user
    found = _visible_assessment(user, assessment_id)
    changes = changes_of(payload, "reasons", exclude={"answers"})
    if "answers" in payload.model_fields_set and payload.answers is not None:
        changes["answers"] = _answers(payload.answers)
    family.correct_assessment(user, found, changes, version=payload.version, request=request)
    return _assessment_out(found.pk)


@router.post(
    "/assessments/{assessment_id}/decision",
    response=AssessmentOut,
    url_name="assessment_decision",
    summary="Approve a best-interests assessment, or return it",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def decide_assessment(
    request: AuthenticatedRequest, assessment_id: RecordId, payload: AssessmentDecisionIn
) -> BestInterestsAssessment:
    """A programme manager of the organisation that owns the child's record approves the
    assessment, or returns it with notes saying what must change (403 for another
    organisation's manager who sees the record, and for whoever recorded it: 422). Send the
    `version` last read."""
    user = request.user
    found = _visible_assessment(user, assessment_id)
    family.decide_assessment(
        user,
        found,
        approve=payload.approve,
        notes=payload.notes,
        version=payload.version,
        request=request,
    )
    return _assessment_out(found.pk)
