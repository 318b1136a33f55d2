"""Pages of transition plans, and the section about leaving prison on a child's page.

Each view checks the capability, finds the plan or child within the user's scope
(`visible_to` / `editable_by`, a 404 outside it), and on POST hands the form's values to
`care.services`, whose errors are shown beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, require
from motherline.care import family, forms, queries, rules, services
from motherline.care.models import (
    CaregiverLink,
    FollowUp,
    LeaveExtension,
    PlanStatus,
    TransitionPlan,
)
from motherline.core.actions import form_page, service_call
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import posted
from motherline.formatting import format_day
from motherline.people.models import Child
from motherline.people.signals import PageSection, UrgentItem


def child_section(
    sender: Any, *, child: Child, user: User, today: Any, may_edit: bool, **kwargs: Any
) -> PageSection:
    """The child's leave-by date, how it was worked out, and the plan: a section of the
    child's page (receiver of `people.signals.child_page_sections`)."""
    links = list(
        CaregiverLink.objects.filter(child=child)
        .select_related("caregiver__province", "caregiver__district", "caregiver__commune")
        .order_by("id")
    )
    # The caregivers are part of the child's page, whose read the page audits.
    return PageSection(
        template="care/_child_section.html",
        context={
            "care": queries.child_care(child, today),
            "caregiver_links": links,
            "may_edit": may_edit and can(user, Capability.EDIT_REGISTER),
        },
        stylesheets=["care/care.css"],
    )


def _editable_plan(request: AuthenticatedRequest, plan_id: int) -> TransitionPlan:
    """A plan the user may change: the role first (403), then the scope (404)."""
    require(request.user, Capability.EDIT_REGISTER)
    return get_object_or_404(
        TransitionPlan.objects.editable_by(request.user).select_related(
            "child__mother__current_episode__current_prison"
        ),
        pk=plan_id,
    )


def _editable_child(request: AuthenticatedRequest, reference: str) -> Child:
    require(request.user, Capability.EDIT_REGISTER)
    return get_object_or_404(
        Child.objects.editable_by(request.user).select_related(
            "mother__current_episode__current_prison"
        ),
        reference=reference,
    )


def _to_child(child: Child, anchor: str = "plan") -> HttpResponse:
    return redirect(reverse("people:child", args=[child.reference]) + f"#{anchor}")


def _page(
    request: AuthenticatedRequest,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    child: Child,
    *,
    done: str,
    heading: str,
    submit_label: str,
    template: str,
    context: dict[str, Any] | None = None,
    anchor: str = "plan",
    required_note: bool = True,
) -> HttpResponse:
    """A form page about a child's leaving: on a valid POST `perform` (the service) and back
    to the child's page at `anchor`; else the form with its errors, a read of the child's
    record."""
    return form_page(
        request,
        form,
        perform,
        done=done,
        go_to=reverse("people:child", args=[child.reference]) + f"#{anchor}",
        template=f"care/{template}",
        context={
            "child": child,
            "head": "care/_head.html",
            "show_required_note": required_note,
            "heading": heading,
            "reference": child.reference,
            "submit_label": submit_label,
            "cancel_url": reverse("people:child", args=[child.reference]),
            **(context or {}),
        },
        read=lambda: audit.record(request.user, AuditAction.VIEW, child, request=request),
    )


def _render(
    request: AuthenticatedRequest, template: str, context: dict[str, Any], child: Child
) -> HttpResponse:
    # A plan's page shows the child's name and the caregiver: a read of the child's record.
    audit.record(request.user, AuditAction.VIEW, child, request=request)
    return render(request, f"care/{template}", {"child": child, **context})


@login_required
@require_safe
def plan_detail(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """One plan with its steps and follow-ups (a closed plan too)."""
    require(request.user, Capability.VIEW_REGISTER)
    plan = get_object_or_404(
        TransitionPlan.objects.visible_to(request.user)
        .select_related("child__mother", "caregiver")
        .prefetch_related("follow_ups__caregiver_seen", queries.ASSESSMENTS),
        pk=plan_id,
    )
    editable = TransitionPlan.objects.editable_by(request.user).filter(pk=plan.pk).exists()
    return _render(
        request,
        "plan_detail.html",
        {
            "plan": plan,
            "may_edit": editable,
            "next_step": rules.next_step(plan.status),
            "today": timezone.localdate(),
        },
        plan.child,
    )


@login_required
def open_plan(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Open a transition plan for a child living in prison, due on the leave-by date."""
    child = _editable_child(request, reference)
    today = timezone.localdate()
    active = TransitionPlan.objects.active().filter(child=child).first()
    if active is not None:
        messages.info(request, _("This child already has a transition plan in progress."))
        return _to_child(child)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.open_plan(request.user, child, request=request)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Transition plan opened."))
            return _to_child(child)
    leave_by = queries.child_leave_by_for(child, today)
    return _render(request, "open_plan.html", {"leave_by": leave_by, "errors": errors}, child)


def _plan_form_page(
    request: AuthenticatedRequest,
    plan: TransitionPlan,
    fields: dict[str, Any],
    save: Any,
    *,
    template: str,
    title: str,
    submit_label: str,
    success: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """A form over some of a plan's fields whose POST calls `save(values, version)`."""
    form = forms.PlanFieldsForm(
        posted(request), initial=forms.plan_initial(plan, fields), fields=fields
    )
    return _page(
        request,
        form,
        lambda data: save(form.values(), data["version"]),
        plan.child,
        done=success,
        heading=title,
        submit_label=submit_label,
        template=template,
        context={"plan": plan, **(extra or {})},
        required_note=False,
    )


@login_required
def edit_plan(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Correct or complete a plan's details without moving it to another step."""
    plan = _editable_plan(request, plan_id)
    if plan.status == PlanStatus.CLOSED:
        messages.warning(request, _("This plan is closed: reopen it to change it."))
        return _to_child(plan.child)

    def save(values: dict[str, Any], version: int) -> None:
        services.update_plan(request.user, plan, values, version=version, request=request)

    return _plan_form_page(
        request,
        plan,
        forms.edit_fields(plan),
        save,
        template="plan_form.html",
        title=_("Edit the transition plan"),
        submit_label=_("Save the plan"),
        success=_("The plan has been saved."),
    )


@login_required
def advance_plan(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Move a plan to its next step with what that step needs."""
    plan = _editable_plan(request, plan_id)
    step = rules.next_step(plan.status)
    if step is None or step == PlanStatus.CLOSED:
        return redirect("care:close", plan_id=plan.pk)

    def save(values: dict[str, Any], version: int) -> None:
        services.advance_plan(request.user, plan, step, values, version=version, request=request)

    extra: dict[str, Any] = {"step": step}
    if step == PlanStatus.HANDED_OVER:
        approved, why = family.handover_assessment(plan, plan.caregiver)
        extra["handover"] = approved
        extra["handover_waits"] = why
        if approved is not None:
            extra["handover_link"] = CaregiverLink.objects.filter(
                caregiver=approved.caregiver, child=plan.child
            ).first()
    return _plan_form_page(
        request,
        plan,
        forms.step_fields(plan, step),
        save,
        template="advance.html",
        title=_("Next step: %(step)s") % {"step": rules.step_label(step)},
        submit_label=_("Record this step"),
        success=_("The plan is now at the step: %(step)s.") % {"step": rules.step_label(step)},
        extra=extra,
    )


@login_required
def close_plan(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Close a plan: after the follow-ups, or earlier because it is no longer needed."""
    plan = _editable_plan(request, plan_id)
    if plan.status == PlanStatus.CLOSED:
        return _to_child(plan.child)

    def save(values: dict[str, Any], version: int) -> None:
        services.advance_plan(
            request.user, plan, PlanStatus.CLOSED, values, version=version, request=request
        )

    return _plan_form_page(
        request,
        plan,
        forms.close_fields(plan),
        save,
        template="advance.html",
        title=_("Close the transition plan"),
        submit_label=_("Close the plan"),
        success=_("The plan is closed."),
        extra={"step": PlanStatus.CLOSED},
    )


@login_required
def record_follow_up(
    request: AuthenticatedRequest, plan_id: int, follow_up_id: int
) -> HttpResponse:
    """Record a visit to the child after the handover: what was found."""
    plan = _editable_plan(request, plan_id)
    follow_up = get_object_or_404(FollowUp, plan=plan, pk=follow_up_id)
    caregivers = list(family.caregivers_of(plan.child))
    form = forms.follow_up_form(
        caregivers,
        posted(request),
        initial={
            "done_on": follow_up.done_on,
            "outcome": follow_up.outcome,
            "child_situation": follow_up.child_situation,
            "caregiver_seen": follow_up.caregiver_seen_id or plan.caregiver_id,
            "notes": follow_up.notes,
            "version": plan.version,
        },
    )

    def perform(data: dict[str, Any]) -> None:
        seen = data.get("caregiver_seen")
        services.record_follow_up(
            request.user,
            follow_up,
            data["done_on"],
            data["outcome"],
            data.get("notes") or "",
            child_situation=data["child_situation"],
            caregiver_seen=next((c for c in caregivers if c.pk == seen), None),
            version=data["version"],
            request=request,
        )

    return _page(
        request,
        form,
        perform,
        plan.child,
        done=_("Follow-up visit recorded."),
        heading=_("Follow-up visit"),
        submit_label=_("Record the visit"),
        template="follow_up.html",
        context={"plan": plan, "follow_up": follow_up},
    )


@login_required
def reopen_plan(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Reopen a closed plan, saying why."""
    plan = _editable_plan(request, plan_id)
    return _page(
        request,
        forms.ReopenForm(posted(request), initial={"version": plan.version}),
        service_call(services.reopen_plan, request, plan),
        plan.child,
        done=_("The plan is reopened."),
        heading=_("Reopen the plan"),
        submit_label=_("Reopen the plan"),
        template="reopen.html",
        context={"plan": plan},
    )


@login_required
def record_extension(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record an approved extension of a child's stay, where the pack allows one."""
    child = _editable_child(request, reference)
    leave_by = queries.child_leave_by_for(child, timezone.localdate())
    return _page(
        request,
        forms.ExtensionForm(posted(request)),
        service_call(services.record_extension, request, child),
        child,
        done=_("Extension recorded."),
        heading=_("Record an extension"),
        submit_label=_("Record the extension"),
        template="extension.html",
        context={"leave_by": leave_by},
        anchor="leave-by",
    )


# How far ahead a child's leave-by date is shown at the top of the mother's page.
LEAVE_BY_NEAR_DAYS = 90


def woman_urgent_items(
    sender: Any, *, woman: Any, user: User, today: Any, may_edit: bool, **kwargs: Any
) -> list[UrgentItem]:
    """Her children living in prison who are past or near the age limit, with the days and
    the action (receiver of `people.signals.woman_urgent_items`)."""
    from motherline.people.models import PlacementKind
    from motherline.people.timeline import child_label
    from motherline.people.urgent import days_text

    in_prison = [
        child
        for child in woman.children.all()
        if any(
            p.kind == PlacementKind.IN_PRISON and p.end_date is None for p in child.placements.all()
        )
    ]
    if not in_prison:
        return []
    # Three queries for all her children: the rules, their readings and every extension.
    rules_ = queries.age_rules_for(in_prison[0])
    readings = queries.readings_for(in_prison[0])
    extensions: dict[int, list[Any]] = {}
    for extension in LeaveExtension.objects.filter(child__in=in_prison).order_by("approved_on"):
        extensions.setdefault(extension.child_id, []).append(extension)
    items = []
    for child in in_prison:
        leave_by = queries.child_leave_by_for(
            child, today, rules=rules_, extensions=extensions.get(child.pk, []), readings=readings
        )
        days = leave_by.days_left
        if days is None or days > LEAVE_BY_NEAR_DAYS:
            continue
        text = (
            _("%(child)s is past the age limit for living in prison since %(date)s (%(days)s).")
            if days < 0
            else _("%(child)s reaches the age limit for living in prison on %(date)s (%(days)s).")
        ) % {
            "child": child_label(child),
            "date": format_day(leave_by.date),
            "days": days_text(days),
        }
        items.append(
            UrgentItem(
                kind="age_limit",
                text=text,
                due=leave_by.date,
                days=days,
                action_url=reverse("people:child", args=[child.reference]) + "#plan",
                action_label=_("Leave-by date and transition plan"),
            )
        )
    return items
