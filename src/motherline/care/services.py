"""Every change to a transition plan goes through here: the web pages and the API call these
functions, which check access with `accounts.policy`, validate with `care.rules`, write in
one transaction and append to the audit trail (never a name: the caregiver's name, place
and contact and the free-text notes are named as changed fields, without their values).

Errors are raised as `ValidationError` with a dict of field -> messages, like
`people.services`; a change made on a stale version raises `core.versions.StaleVersion`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import require_register_edit
from motherline.care import family, rules
from motherline.care.models import (
    BestInterestsAssessment,
    Caregiver,
    CaregiverLink,
    ChildSituation,
    CloseReason,
    FollowUp,
    FollowUpOutcome,
    LeaveExtension,
    PlanStatus,
    TransitionPlan,
)
from motherline.care.queries import child_leave_by_for, is_living_in_prison
from motherline.core import clock
from motherline.core.changes import audited_change, check_fields, plain, raise_errors
from motherline.core.inputs import NOTE_MAX
from motherline.core.versions import check_version, save_if_current
from motherline.people import services as people_services
from motherline.people.models import CaregiverRelationship, Child, CustodyEpisode, Woman
from motherline.people.rules import Errors, not_in_future
from motherline.people.signals import register_changed

# What a user may change on a plan without moving it to another step.
UPDATABLE = frozenset(
    {
        *rules.CAREGIVER_FIELDS,
        "caregiver",
        "assessed_on",
        "home_is_suitable",
        "assessment_notes",
        "support_money",
        "support_schooling",
        "support_health",
        "support_notes",
        "handover_planned_on",
    }
)
# What may be recorded with a step: the details above, and the step's own dates and reason.
STEP_FIELDS = UPDATABLE | {"handed_over_on", "close_reason", "closed_on"}

# Values kept in the audit trail; the other fields are named without their values because
# they identify the caregiver or hold free text about the family.
_VALUES_AUDITED = frozenset(
    {
        "caregiver",
        "caregiver_relationship",
        "assessed_on",
        "home_is_suitable",
        "support_money",
        "support_schooling",
        "support_health",
        "handover_planned_on",
        "handed_over_on",
        "close_reason",
        "closed_on",
    }
)
_TRIMMED = frozenset({*rules.CAREGIVER_FIELDS, "assessment_notes", "support_notes", "close_reason"})
# Fields the assessment step owns: an assessed plan may correct them, an earlier one records
# them by moving to that step, a plan handed over keeps them as they were.
_ASSESSMENT_FIELDS = frozenset({"assessed_on", "home_is_suitable"})

HANDOVER_NOTE = gettext_noop("Handed over under the transition plan")


def _plain(value: Any) -> Any:
    return value.reference if isinstance(value, Caregiver) else plain(value)


def _audit_changes(plan: TransitionPlan, changed: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What changed on `plan` (as it was before), for the audit trail."""
    return {
        "child": plan.child.reference,
        **audited_change(plan, changed, _VALUES_AUDITED, _plain),
        **extra,
    }


def _cleaned(changes: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    check_fields(changes, allowed, "changed")
    return {
        name: value.strip() if name in _TRIMMED and isinstance(value, str) else value
        for name, value in changes.items()
    }


def _value_errors(values: dict[str, Any]) -> Errors:
    errors: Errors = {}
    relationship = values.get("caregiver_relationship")
    if relationship and relationship not in CaregiverRelationship.values:
        errors["caregiver_relationship"] = _("This is not one of the allowed values.")
    elif relationship == CaregiverRelationship.MOTHER:
        errors["caregiver_relationship"] = _(
            "The mother is in prison: name who will look after the child outside."
        )
    reason = values.get("close_reason")
    if reason and reason not in CloseReason.values:
        errors["close_reason"] = _("This is not one of the allowed values.")
    return errors


def _record_errors(plan: TransitionPlan, changed: dict[str, Any]) -> Errors:
    """A plan's caregiver record is one recorded for the plan's child."""
    caregiver = changed.get("caregiver")
    if caregiver is None:
        return {}
    if not CaregiverLink.objects.filter(caregiver=caregiver, child_id=plan.child_id).exists():
        return {"caregiver": _("Choose a caregiver recorded for this child.")}
    return {}


def _save(plan: TransitionPlan, version: int, values: dict[str, Any]) -> TransitionPlan:
    """Write `values` only if the plan is still at `version`, in one UPDATE."""
    save_if_current(TransitionPlan, plan.pk, version, values)
    saved_plan = TransitionPlan.objects.select_related("child__mother").get(pk=plan.pk)
    register_changed.send(TransitionPlan, woman_ids=[saved_plan.child.mother_id])
    return saved_plan


def _pending_follow_ups(plan: TransitionPlan) -> tuple[int, int]:
    """How many follow-ups the plan has, and how many are still to be done."""
    done = [d is not None for d in plan.follow_ups.values_list("done_on", flat=True)]
    return len(done), done.count(False)


@transaction.atomic
def open_plan(
    user: User, child: Child, *, today: date | None = None, request: HttpRequest | None = None
) -> TransitionPlan:
    """Open a transition plan for a child living in prison now, due on the child's leave-by
    date under the age-limit rules of the jurisdiction of the child's organisation (with any
    extension granted). A child has at most one plan in progress."""
    child = Child.objects.select_for_update(of=("self",)).select_related("mother").get(pk=child.pk)
    require_register_edit(user, child.mother)
    today = clock.today(today)
    if not is_living_in_prison(child):
        raise_errors(
            {NON_FIELD_ERRORS: _("This child is not living in prison: no plan is needed.")}
        )
    if TransitionPlan.objects.active().filter(child=child).exists():
        raise_errors({NON_FIELD_ERRORS: _("This child already has a transition plan in progress.")})
    leave_by = child_leave_by_for(child, today)
    if leave_by.date is None:
        raise_errors(
            {NON_FIELD_ERRORS: _("The jurisdiction sets no age limit for this child: no date.")}
        )
    assert leave_by.date is not None
    plan = TransitionPlan.objects.create(
        child=child,
        opened_on=today,
        due_date=leave_by.date,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(
        user,
        AuditAction.CREATE,
        plan,
        request=request,
        changes={"child": child.reference, "due_date": leave_by.date.isoformat()},
    )
    return plan


@transaction.atomic
def update_plan(
    user: User,
    plan: TransitionPlan,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> TransitionPlan:
    """Change a plan's details without moving it to another step (see `UPDATABLE`).

    `version` is the one the user read: if the plan changed since, `StaleVersion` is raised
    and nothing is written. A closed plan is refused until it is reopened. A new caregiver or
    a new home for an assessed plan sends it back to "caregiver identified", because the
    assessment was of the other home.
    """
    new = _cleaned(changes, UPDATABLE)
    current = family.locked_plan(plan)
    require_register_edit(user, current.child.mother)
    family.refuse_if_closed(current)
    check_version(version, current.version)
    today = clock.today(today)
    changed = {name: value for name, value in new.items() if getattr(current, name) != value}
    if not changed:
        return current
    errors = _value_errors(changed)
    errors.update(_record_errors(current, changed))
    errors.update(rules.caregiver_change_errors(current.status, changed))
    assessment = _ASSESSMENT_FIELDS & set(changed)
    if assessment and current.status != PlanStatus.ASSESSED:
        message = (
            _("The assessment is recorded by moving the plan to the step “Home assessed”.")
            if rules.STEPS.index(current.status) < rules.STEPS.index(rules.ASSESSED)
            else _("The child was handed over after this assessment; it can no longer change.")
        )
        errors.update(dict.fromkeys(sorted(assessment), message))
    raise_errors(errors)
    status = current.status
    if rules.resets_assessment(status, changed):
        status = PlanStatus.CAREGIVER_IDENTIFIED
        changed.update(assessed_on=None, home_is_suitable=None)
    raise_errors(
        rules.step_requirement_errors(
            status, current, changed, today=today, opened_on=current.opened_on
        )
    )
    extra: dict[str, Any] = {}
    if status != current.status:
        extra["status"] = [current.status, status]
    saved = _save(current, version, {**changed, "status": status})
    audit.record(
        user,
        AuditAction.CHANGE,
        saved,
        request=request,
        changes=_audit_changes(current, changed, **extra),
    )
    return saved


@transaction.atomic
def advance_plan(
    user: User,
    plan: TransitionPlan,
    new_status: str,
    fields: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> TransitionPlan:
    """Move a plan to its next step (or close it), recording what that step needs in
    `fields` (see `care.rules.plan_step_errors`).

    The handover ends the child's placement in prison and places the child with the plan's
    caregiver (`people.services.move_child_out`), and schedules the follow-up visits.
    """
    new = _cleaned(fields, STEP_FIELDS)
    current = family.locked_plan(plan)
    child = current.child
    require_register_edit(user, child.mother)
    family.refuse_if_closed(current)
    check_version(version, current.version)
    today = clock.today(today)
    _total, pending = _pending_follow_ups(current)
    errors = _value_errors(new)
    changed = {name: value for name, value in new.items() if getattr(current, name) != value}
    errors.update(_record_errors(current, changed))
    errors.update(rules.caregiver_change_errors(current.status, changed))
    errors.update(_other_step_errors(new_status, changed))
    errors.update(
        rules.plan_step_errors(
            current,
            new_status,
            new,
            today=today,
            opened_on=current.opened_on,
            follow_ups_pending=pending,
        )
    )
    if new_status == PlanStatus.HANDED_OVER:
        approved, why = _handover_assessment(current, changed)
        if approved is None:
            errors.setdefault(NON_FIELD_ERRORS, why)
        elif "caregiver" not in changed and current.caregiver_id is None:
            # The child goes to the caregiver the approved assessment is about.
            changed["caregiver"] = approved.caregiver
    raise_errors(errors)
    values = dict(changed)
    if new_status == PlanStatus.CLOSED:
        values["closed_on"] = new.get("closed_on") or today
    else:
        values.pop("closed_on", None)
        values.pop("close_reason", None)
    if new_status == PlanStatus.HANDED_OVER:
        _hand_over(user, current, values, today=today, request=request)
    saved = _save(current, version, {**values, "status": new_status})
    audit.record(
        user,
        AuditAction.CHANGE,
        saved,
        request=request,
        changes=_audit_changes(current, values, status=[current.status, new_status]),
    )
    return saved


# The fields each step records; they are not written by another step.
_STEP_OWNS = {
    PlanStatus.ASSESSED: _ASSESSMENT_FIELDS,
    PlanStatus.HANDED_OVER: frozenset({"handed_over_on"}),
    PlanStatus.CLOSED: frozenset({"close_reason", "closed_on"}),
}


def _other_step_errors(new_status: str, changed: dict[str, Any]) -> Errors:
    message = _("This is recorded at another step of the plan.")
    return {
        name: message
        for step, names in _STEP_OWNS.items()
        if step != new_status
        for name in sorted(names & set(changed))
    }


def _handover_assessment(
    plan: TransitionPlan, changed: dict[str, Any]
) -> tuple[BestInterestsAssessment | None, str]:
    """The approved best-interests assessment that lets the child be handed over (of the
    plan's caregiver record, where it names one), or None and why not."""
    return family.handover_assessment(plan, changed.get("caregiver", plan.caregiver))


def _hand_over(
    user: User,
    plan: TransitionPlan,
    values: dict[str, Any],
    *,
    today: date,
    request: HttpRequest | None,
) -> None:
    """The child leaves prison for the plan's caregiver; the follow-ups are scheduled."""

    def get(name: str) -> Any:
        return values.get(name, getattr(plan, name))

    handed_over_on = get("handed_over_on")
    caregiver = get("caregiver")
    if caregiver is not None:
        # The record stands for what was typed: the placement takes its details.
        link = CaregiverLink.objects.get(caregiver=caregiver, child_id=plan.child_id)
        who = (
            link.relationship,
            caregiver.name,
            family.address_text(caregiver),
            caregiver.phone,
        )
    else:
        who = (
            get("caregiver_relationship"),
            get("caregiver_name"),
            get("caregiver_location"),
            get("caregiver_contact"),
        )
    try:
        people_services.move_child_out(
            user,
            plan.child,
            handed_over_on,
            *who,
            HANDOVER_NOTE,
            # A consequence of the plan's change (checked against the plan's version): the
            # child as she stands in this transaction.
            version=Child.objects.values_list("version", flat=True).get(pk=plan.child_id),
            today=today,
            request=request,
        )
    except ValidationError as error:
        # The register speaks of the move; the plan's form of the handover.
        renamed = {"move_date": "handed_over_on"}
        raise ValidationError(
            {renamed.get(k, k): v for k, v in error.message_dict.items()}
        ) from None
    FollowUp.objects.bulk_create(
        [FollowUp(plan=plan, due_date=due) for due in rules.follow_up_due_dates(handed_over_on)]
    )


@transaction.atomic
def record_follow_up(
    user: User,
    follow_up: FollowUp,
    done_on: date | None,
    outcome: str,
    notes: str = "",
    *,
    child_situation: str = "",
    caregiver_seen: Caregiver | None = None,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> FollowUp:
    """Record a follow-up visit to a child after the handover: when, how the child was
    found and where the child lives now, and which caregiver was met (None: none was). A
    visit recorded earlier may be corrected while the plan is not closed. The follow-ups are
    part of the plan: `version` is the plan's, and a visit recorded counts as a change of
    the plan (so two people recording one visit cannot overwrite each other)."""
    plan = family.locked_plan(follow_up.plan)
    follow_up = FollowUp.objects.select_for_update(of=("self",)).get(pk=follow_up.pk)
    require_register_edit(user, plan.child.mother)
    check_version(version, plan.version)
    family.refuse_if_closed(plan)
    today = clock.today(today)
    errors = rules.follow_up_errors(done_on, outcome, plan.handed_over_on, today)
    if outcome and outcome not in FollowUpOutcome.values:
        errors["outcome"] = _("This is not one of the allowed values.")
    if not child_situation:
        errors["child_situation"] = _("Say where the child lives now.")
    elif child_situation not in ChildSituation.values:
        errors["child_situation"] = _("This is not one of the allowed values.")
    if (
        caregiver_seen is not None
        and not CaregiverLink.objects.filter(
            caregiver=caregiver_seen, child_id=plan.child_id
        ).exists()
    ):
        errors["caregiver_seen"] = _("Choose a caregiver recorded for this child.")
    if len(notes) > NOTE_MAX or "\x00" in notes:
        errors["notes"] = _("At most %(max)s characters.") % {"max": NOTE_MAX}
    raise_errors(errors)
    assert done_on is not None
    follow_up.done_on = done_on
    follow_up.outcome = outcome
    follow_up.child_situation = child_situation
    follow_up.caregiver_seen = caregiver_seen
    follow_up.notes = notes.strip()
    follow_up.save(
        update_fields=["done_on", "outcome", "child_situation", "caregiver_seen", "notes"]
    )
    TransitionPlan.objects.filter(pk=plan.pk).update(version=F("version") + 1)
    audit.record(
        user,
        AuditAction.CHANGE,
        plan,
        request=request,
        changes={
            "child": plan.child.reference,
            "follow_up": {
                "due_date": follow_up.due_date.isoformat(),
                "done_on": done_on.isoformat(),
                "outcome": outcome,
                "child_situation": child_situation,
                "caregiver_seen": caregiver_seen.reference if caregiver_seen else None,
                "fields": ["notes"] if notes.strip() else [],
            },
        },
    )
    return follow_up


@transaction.atomic
def reopen_plan(
    user: User,
    plan: TransitionPlan,
    reason: str,
    *,
    version: int,
    request: HttpRequest | None = None,
) -> TransitionPlan:
    """Reopen a closed plan, with the reason on the audit trail. It returns to the furthest
    step its recorded details support (`care.rules.status_after_reopen`)."""
    current = family.locked_plan(plan)
    require_register_edit(user, current.child.mother)
    check_version(version, current.version)
    reason = reason.strip()
    if current.status != PlanStatus.CLOSED:
        raise_errors({NON_FIELD_ERRORS: _("This plan is not closed.")})
    if not reason:
        raise_errors({"reason": _("Say why the plan is reopened.")})
    if TransitionPlan.objects.active().filter(child_id=current.child_id).exists():
        raise_errors({NON_FIELD_ERRORS: _("This child has another transition plan in progress.")})
    total, pending = _pending_follow_ups(current)
    status = rules.status_after_reopen(current, pending, total > 0)
    saved = _save(
        current, current.version, {"status": status, "close_reason": "", "closed_on": None}
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        saved,
        request=request,
        changes={
            "child": current.child.reference,
            "status": [current.status, status],
            "reopened": {"reason": reason, "was_closed_as": current.close_reason},
        },
    )
    return saved


@transaction.atomic
def record_extension(
    user: User,
    child: Child,
    months: int,
    reason: str,
    approved_by: str,
    approved_on: date | None,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LeaveExtension:
    """Record that an authority let a child stay in prison longer than the age limit, where
    the rule in force allows it and within its maximum. The plan in progress is then due on
    the new leave-by date."""
    child = Child.objects.select_for_update(of=("self",)).select_related("mother").get(pk=child.pk)
    require_register_edit(user, child.mother)
    today = clock.today(today)
    leave_by = child_leave_by_for(child, today)
    errors = rules.extension_errors(leave_by, months)
    if not is_living_in_prison(child):
        errors[NON_FIELD_ERRORS] = _("This child is not living in prison.")
    if not reason.strip():
        errors["reason"] = _("Say why the child may stay longer.")
    if not approved_by.strip():
        errors["approved_by"] = _("Say who approved the extension.")
    if approved_on is None:
        errors["approved_on"] = _("Enter the date of the approval.")
    else:
        not_in_future("approved_on", approved_on, today, errors)
    raise_errors(errors)
    assert approved_on is not None
    extension = LeaveExtension.objects.create(
        child=child,
        months=months,
        reason=reason.strip(),
        approved_by=approved_by.strip(),
        approved_on=approved_on,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    extended = child_leave_by_for(child, today)
    TransitionPlan.objects.active().filter(child=child).update(due_date=extended.date)
    register_changed.send(TransitionPlan, woman_ids=[child.mother_id])
    audit.record(
        user,
        AuditAction.CREATE,
        child,
        request=request,
        changes={
            "extension": {
                "months": months,
                "approved_on": approved_on.isoformat(),
                "leave_by": [_plain(leave_by.date), _plain(extended.date)],
            }
        },
    )
    return extension


@transaction.atomic
def close_plans_of_children_who_left(
    user: User, woman: Woman, on: date, *, request: HttpRequest | None = None
) -> int:
    """Close, as "left with the mother", the plans in progress of her children who no longer
    live in prison and were not handed over to a caregiver. Returns how many were closed.

    Called when she is released (the `people.signals.released` signal): her children living
    with her leave with her, so the plans for their leaving are no longer needed. A plan past
    the handover stays open: its follow-ups are still due.
    """
    plans = list(
        TransitionPlan.objects.select_for_update(of=("self",))
        .select_related("child")
        .filter(
            child__mother=woman,
            status__in=[PlanStatus.OPEN, PlanStatus.CAREGIVER_IDENTIFIED, PlanStatus.ASSESSED],
        )
    )
    closed = 0
    for plan in plans:
        if is_living_in_prison(plan.child):
            continue
        values = {
            "status": PlanStatus.CLOSED,
            "close_reason": CloseReason.LEFT_WITH_MOTHER,
            "closed_on": on,
        }
        _save(plan, plan.version, values)
        audit.record(
            user,
            AuditAction.CHANGE,
            plan,
            request=request,
            changes={
                "child": plan.child.reference,
                "status": [plan.status, PlanStatus.CLOSED],
                "values": {"close_reason": [plan.close_reason, CloseReason.LEFT_WITH_MOTHER]},
            },
        )
        closed += 1
    return closed


def on_mother_released(
    sender: Any,
    *,
    episode: CustodyEpisode,
    woman: Woman,
    user: User,
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    """Receiver of `people.signals.released` (connected in `CareConfig.ready`)."""
    assert episode.release_date is not None
    close_plans_of_children_who_left(user, woman, episode.release_date, request=request)
