"""A child's leaving prison: the leave-by date with how it was worked out, extensions, and
the transition plan with its steps and follow-up visits.

The same `care.queries` and `care.services` as the web pages, and the same access policy:
a plan is seen and changed exactly when its child is.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Any

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_child
from motherline.api.schemas import (
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
from motherline.care import queries, services
from motherline.care.models import (
    CloseReason,
    FollowUp,
    FollowUpOutcome,
    LeaveExtension,
    PlanStatus,
    TransitionPlan,
)
from motherline.care.rules import next_step
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
    notes: str


class PlanOut(Schema):
    id: int
    child: str = Field(description="The child's reference.")
    status: PlanStatus
    next_step: str | None
    opened_on: date
    due_date: date = Field(description="The child's leave-by date.")
    caregiver_name: str
    caregiver_relationship: str
    caregiver_location: str
    caregiver_contact: str
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
    def resolve_child(obj: TransitionPlan) -> str:
        return obj.child.reference

    @staticmethod
    def resolve_next_step(obj: TransitionPlan) -> str | None:
        return next_step(obj.status)

    @staticmethod
    def resolve_follow_ups(obj: TransitionPlan) -> Any:
        return obj.follow_ups.all()


class ChildCareOut(ChildOut):
    """A child as `api.people` returns one, with the child's leaving prison (read from
    `care`, a `queries.ChildCare` set on the child by `_child_out`)."""

    mother: str = Field(description="The mother's reference.")
    is_in_prison: bool
    leave_by: LeaveByOut
    extensions: list[ExtensionOut]
    plan: PlanOut | None = Field(description="The plan in progress, else the last one closed.")

    @staticmethod
    def resolve_mother(obj: Child) -> str:
        return obj.mother.reference

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

    @staticmethod
    def resolve_extensions(obj: Any) -> Any:
        return obj.care.extensions

    @staticmethod
    def resolve_plan(obj: Any) -> Any:
        return obj.care.plan


class PlanChangesIn(Schema):
    """A change of a plan's details (`care.services.update_plan`); only the fields sent."""

    version: Version
    caregiver_name: Sent[str] = Field(None, max_length=_max(TransitionPlan, "caregiver_name"))
    caregiver_relationship: OptionalRelationship = None
    caregiver_location: Sent[str] = Field(
        None, max_length=_max(TransitionPlan, "caregiver_location")
    )
    caregiver_contact: Sent[str] = Field(None, max_length=_max(TransitionPlan, "caregiver_contact"))
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


class ReopenIn(Schema):
    reason: str = Field(min_length=1, max_length=500, description="Kept on the audit trail.")
    version: Version


class FollowUpIn(Schema):
    done_on: date
    outcome: FollowUpOutcome
    notes: Note = ""
    version: Version = Field(
        description="The plan's version last read: a follow-up is part "
        "of the plan; a change made since then is refused with HTTP 409."
    )


class ExtensionIn(Schema):
    months: int = Field(ge=1, le=120)
    reason: str = Field(min_length=1, max_length=2000)
    approved_by: str = Field(min_length=1, max_length=_max(LeaveExtension, "approved_by"))
    approved_on: date


# Reading


def _visible_child(user: Any, reference: str) -> Child:
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


def _editable_plan(user: Any, plan_id: int) -> TransitionPlan:
    return get_object_or_404(TransitionPlan.objects.editable_by(user), pk=plan_id)


@router.get(
    "/children/{reference}",
    response=ChildCareOut,
    url_name="child",
    summary="Get a child, with the leave-by date",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_child(request: HttpRequest, reference: PathReference) -> Child:
    """The child's record and placements, the leave-by date with how it was worked out (the
    age-limit rule, its dates, source and whether it is verified, and the extensions), and
    the transition plan. The read is on the audit trail."""
    user = request.user
    child = _visible_child(user, reference)
    audit.record(user, AuditAction.VIEW, child, request=request)
    return _child_out(child)


@router.patch(
    "/children/{reference}",
    response=ChildCareOut,
    url_name="child",
    summary="Correct a child's details or record the birth registration",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_child(request: HttpRequest, reference: PathReference, payload: ChildChangesIn) -> Child:
    """Correct the child's details, or record the birth's registration
    (`birth_registered`, `birth_registered_on`, `birth_certificate_number`): only the
    fields sent change. Send the `version` last read; if someone changed the child since,
    nothing is written and the answer is HTTP 409. A partner who sees the child read-only
    is refused (403)."""
    user = request.user
    child = _visible_child(user, reference)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    people_services.update_child(user, child, changes, version=payload.version, request=request)
    return _child_out(_visible_child(user, reference))


@router.get(
    "/children/{reference}/plan",
    response=PlanOut,
    url_name="child_plan",
    summary="Get a child's transition plan",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_plan(request: HttpRequest, reference: PathReference) -> TransitionPlan:
    """The child's plan in progress, else the last one closed; 404 when there is none."""
    user = request.user
    child = _visible_child(user, reference)
    plan = queries.child_care(child, timezone.localdate()).plan
    if plan is None:
        raise Http404
    audit.record(user, AuditAction.VIEW, child, request=request)
    return _plan_out(plan.pk)


@router.post(
    "/children/{reference}/plan",
    response={201: PlanOut},
    url_name="child_plan",
    summary="Open a transition plan",
    auth=Requires(Capability.EDIT_REGISTER),
)
def open_plan(request: HttpRequest, reference: PathReference) -> TransitionPlan:
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
def update_plan(request: HttpRequest, plan_id: RecordId, payload: PlanChangesIn) -> TransitionPlan:
    """Change a plan's details without moving it to another step: only the fields sent
    change. Send the `version` last read; a change made since is refused with HTTP 409. A
    closed plan must be reopened first (422)."""
    user = request.user
    plan = _editable_plan(user, plan_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if "caregiver_relationship" in changes:
        changes["caregiver_relationship"] = changes["caregiver_relationship"] or ""
    services.update_plan(user, plan, changes, version=payload.version, request=request)
    return _plan_out(plan.pk)


@router.post(
    "/plans/{plan_id}/advance",
    response=PlanOut,
    url_name="plan_advance",
    summary="Move a plan to its next step",
    auth=Requires(Capability.EDIT_REGISTER),
)
def advance_plan(request: HttpRequest, plan_id: RecordId, payload: AdvanceIn) -> TransitionPlan:
    """Move the plan one step forward, or close it, with what that step needs. The handover
    ends the child's placement in prison and schedules the follow-up visits."""
    user = request.user
    plan = _editable_plan(user, plan_id)
    fields = payload.model_dump(exclude_unset=True, exclude={"version", "status"})
    for name in ("caregiver_relationship", "close_reason"):
        if name in fields:
            fields[name] = fields[name] or ""
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
def reopen_plan(request: HttpRequest, plan_id: RecordId, payload: ReopenIn) -> TransitionPlan:
    """Reopen a closed plan; the reason is kept on the audit trail."""
    user = request.user
    plan = _editable_plan(user, plan_id)
    services.reopen_plan(user, plan, payload.reason, version=payload.version, request=request)
    return _plan_out(plan.pk)


@router.post(
    "/follow-ups/{follow_up_id}",
    response=FollowUpOut,
    url_name="follow_up",
    summary="Record a follow-up visit",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_follow_up(request: HttpRequest, follow_up_id: RecordId, payload: FollowUpIn) -> FollowUp:
    """Record a visit to the child after the handover (or correct one)."""
    user = request.user
    follow_up = get_object_or_404(
        FollowUp, pk=follow_up_id, plan__in=TransitionPlan.objects.editable_by(user).values("pk")
    )
    return services.record_follow_up(
        user,
        follow_up,
        payload.done_on,
        payload.outcome,
        payload.notes,
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
def record_extension(request: HttpRequest, reference: PathReference, payload: ExtensionIn) -> Child:
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
