"""Read side of transition plans: a child's leave-by date from the database, and what the
child's page and the API show about the child's leaving, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce

from motherline.care.models import (
    BestInterestsAssessment,
    FollowUp,
    LeaveExtension,
    PlanStatus,
    TransitionPlan,
)
from motherline.care.rules import LeaveBy, child_leave_by, next_step
from motherline.jurisdictions.models import AgeLimitRule, Jurisdiction
from motherline.jurisdictions.rules import StatedRules
from motherline.people.models import Child, PlacementKind


def extension_months(approved_by: date | None = None) -> Coalesce:
    """The months of leave extension granted to the child of the outer row (its `child_id`),
    counting only those approved by `approved_by` when it is given; 0 when none was."""
    extensions = LeaveExtension.objects.filter(child=OuterRef("child_id"))
    if approved_by is not None:
        extensions = extensions.filter(approved_on__lte=approved_by)
    total = extensions.order_by().values("child_id").annotate(total=Sum("months")).values("total")
    return Coalesce(Subquery(total), 0)


def age_rules_for(child: Child) -> list[AgeLimitRule]:
    """The age-limit rules of the jurisdiction of the organisation that recorded the child."""
    return list(AgeLimitRule.objects.filter(jurisdiction__organisations__id=child.organisation_id))


def readings_for(child: Child) -> StatedRules:
    """The readings of the age limit stated by the pack of the child's jurisdiction."""
    stated = (
        Jurisdiction.objects.filter(organisations__id=child.organisation_id)
        .values_list("stated_rules", flat=True)
        .first()
    )
    return StatedRules.of(stated)


def entered_prison_on(child: Child) -> date | None:
    """The day the child's present stay in prison began (None outside prison)."""
    return (
        child.placements.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .order_by("start_date")
        .values_list("start_date", flat=True)
        .first()
    )


def child_leave_by_for(
    child: Child,
    today: date,
    *,
    rules: list[AgeLimitRule] | None = None,
    extensions: list[LeaveExtension] | None = None,
    readings: StatedRules | None = None,
) -> LeaveBy:
    """The child's leave-by date with the extensions recorded for the child (see
    `care.rules.child_leave_by`); pass `rules`, `extensions` or `readings` already loaded to
    save a query."""
    if rules is None:
        rules = age_rules_for(child)
    if extensions is None:
        extensions = list(LeaveExtension.objects.filter(child=child))
    if readings is None:
        readings = readings_for(child)
    entered = entered_prison_on(child) if readings.keeps_limit_at_entry else None
    return child_leave_by(
        child.date_of_birth, rules, extensions, on=today, readings=readings, entered_on=entered
    )


def is_living_in_prison(child: Child) -> bool:
    return child.placements.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True).exists()


@dataclass
class ChildCare:
    """What a child's page shows about leaving prison."""

    child: Child
    leave_by: LeaveBy
    extensions: list[LeaveExtension]
    plan: TransitionPlan | None  # the plan in progress, else the last one closed
    earlier_plans: list[TransitionPlan]
    is_in_prison: bool

    @property
    def may_extend(self) -> bool:
        """Whether the rule in force allows more time than this child has been given."""
        rule = self.leave_by.rule
        return (
            self.is_in_prison
            and rule is not None
            and rule.extension_allowed
            and self.leave_by.extension_months_recorded < rule.max_extension_months
        )

    @property
    def may_open_plan(self) -> bool:
        return self.is_in_prison and (self.plan is None or self.plan.status == PlanStatus.CLOSED)

    @property
    def next_step(self) -> str | None:
        return next_step(self.plan.status) if self.plan is not None else None


# A plan's assessments as its section shows them: the latest first, with the caregiver.
ASSESSMENTS = Prefetch(
    "assessments",
    queryset=BestInterestsAssessment.objects.select_related("caregiver").order_by(
        "-assessed_on", "-id"
    ),
)


def child_care(child: Any, today: date) -> ChildCare:
    """The leave-by date, extensions and plans of a child loaded with its placements
    (prefetched, or read here): four queries whatever the child's history."""
    extensions = list(LeaveExtension.objects.filter(child=child).order_by("approved_on", "id"))
    plans = list(
        TransitionPlan.objects.filter(child=child)
        .select_related("caregiver")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("caregiver_seen").order_by("due_date"),
            ),
            ASSESSMENTS,
        )
        .order_by("-opened_on", "-id")
    )
    active = next((p for p in plans if p.status != PlanStatus.CLOSED), None)
    plan = active or (plans[0] if plans else None)
    in_prison = any(
        p.kind == PlacementKind.IN_PRISON and p.end_date is None for p in child.placements.all()
    )
    return ChildCare(
        child=child,
        leave_by=child_leave_by_for(child, today, extensions=extensions),
        extensions=extensions,
        plan=plan,
        earlier_plans=[p for p in plans if p is not plan],
        is_in_prison=in_prison,
    )
