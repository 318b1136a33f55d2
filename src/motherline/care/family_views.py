"""Pages of a child's family outside prison: the child's caregivers (list, add, link one of
her other children's, correct), and the best-interests assessments of a transition plan
(record, correct, and a programme manager's approval).

Each view checks the capability, finds the record within the user's scope (a 404 outside it;
a partner who sees it read-only is refused a change with a 403), and hands the form's values
to `care.family`, whose errors are shown beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import (
    Capability,
    can,
    may_approve_for,
    may_change_register,
    may_edit,
    require,
)
from motherline.care import family, forms
from motherline.care.models import (
    AssessmentStatus,
    BestInterestsAssessment,
    Caregiver,
    CaregiverLink,
    PlanStatus,
    TransitionPlan,
)
from motherline.core.actions import changed_values, correction_call, form_page, run_form_action
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.people.models import Child

# The button of a caregiver's form that narrows the districts and communes to the province
# and district chosen, without saving (the page works without JavaScript).
REFINE = "refine"


def _visible_child(request: AuthenticatedRequest, reference: str) -> Child:
    return get_object_or_404(
        Child.objects.visible_to(request.user).select_related("mother"), reference=reference
    )


def _require_change(request: AuthenticatedRequest, child: Child) -> None:
    """A change: the role must edit the register, and the record be the user's
    organisation's, not a partner's shared read-only (403)."""
    require(request.user, Capability.EDIT_REGISTER)
    if not may_edit(request.user, child.mother):
        raise PermissionDenied


def _caregivers_url(child: Child) -> str:
    return reverse("care:caregivers", args=[child.reference])


def _read(request: AuthenticatedRequest, child: Child) -> None:
    # Each of these pages shows the child and the family's names: a read of the child.
    audit.record(request.user, AuditAction.VIEW, child, request=request)


def _render(
    request: AuthenticatedRequest, template: str, child: Child, context: dict[str, Any]
) -> HttpResponse:
    _read(request, child)
    return render(request, f"care/{template}", {"child": child, **context})


def _form_page(
    request: AuthenticatedRequest,
    child: Child,
    form: Any,
    perform: Callable[[dict[str, Any]], None],
    *,
    done: str,
    go_to: str,
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """`form_page` for a page about the child: the action, or the page (a read of the child)."""
    return form_page(
        request,
        form,
        perform,
        done=done,
        go_to=go_to,
        template=f"care/{template}",
        context={"child": child, **context},
        read=lambda: _read(request, child),
    )


def _links(child: Child) -> list[CaregiverLink]:
    return list(
        CaregiverLink.objects.filter(child=child)
        .select_related("caregiver__province", "caregiver__district", "caregiver__commune")
        .order_by("id")
    )


def _refined(request: HttpRequest) -> bool:
    return request.method == "POST" and REFINE in request.POST


@login_required
def caregivers(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """The child's caregivers, and the form adding one (POST)."""
    require(request.user, Capability.VIEW_REGISTER)
    child = _visible_child(request, reference)
    editable = may_change_register(request.user, child.mother)
    jurisdiction = family.jurisdiction_of(child.mother)
    if request.method == "POST":
        _require_change(request, child)
    if _refined(request):
        # Only narrowing the areas: the form is shown again as it was filled in.
        form = forms.caregiver_form(
            forms.CaregiverAddForm, jurisdiction, initial=request.POST.dict()
        )
    else:
        form = forms.caregiver_form(forms.CaregiverAddForm, jurisdiction, posted(request))

    def perform(data: dict[str, Any]) -> None:
        family.add_caregiver(
            request.user,
            child,
            **{**data, **{k: data.get(k) or None for k in forms.PLACE_FIELDS}},
            request=request,
        )

    if not _refined(request):
        done = run_form_action(
            request,
            form,
            perform,
            done=_("The caregiver has been recorded."),
            go_to=_caregivers_url(child),
        )
        if done is not None:
            return done
    links = _links(child)
    if links:
        audit.record_list(
            request.user,
            Caregiver._meta.label,
            [link.caregiver.reference for link in links],
            request=request,
        )
    others = list(
        Caregiver.objects.filter(woman=child.mother).exclude(links__child=child).order_by("id")
    )
    return _render(
        request,
        "caregivers.html",
        child,
        {
            "links": links,
            "form": form if editable else None,
            "link_form": forms.link_form(others) if editable and others else None,
            "may_edit": editable,
            "has_gazetteer": len(form.fields["province"].choices) > 1,  # type: ignore[attr-defined]
            "refine": REFINE,
        },
    )


@login_required
@require_POST
def link_caregiver(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record that a caregiver of her other children cares for this child too."""
    require(request.user, Capability.VIEW_REGISTER)
    child = _visible_child(request, reference)
    _require_change(request, child)
    others = list(Caregiver.objects.filter(woman=child.mother).exclude(links__child=child))
    form = forms.link_form(others, request.POST)
    if form.is_valid():
        try:
            caregiver = Caregiver.objects.get(pk=form.cleaned_data["caregiver"])
            family.link_caregiver(
                request.user,
                child,
                caregiver,
                form.cleaned_data["relationship"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The caregiver is now recorded for this child too."))
            return redirect(_caregivers_url(child))
    for problems in form.errors.values():
        for problem in problems:
            messages.error(request, str(problem))
    return redirect(_caregivers_url(child))


@login_required
def correct_caregiver(
    request: AuthenticatedRequest, reference: str, caregiver_id: int
) -> HttpResponse:
    """Correct a caregiver's details, from the version read."""
    require(request.user, Capability.VIEW_REGISTER)
    child = _visible_child(request, reference)
    _require_change(request, child)
    link = get_object_or_404(
        CaregiverLink.objects.select_related(
            "caregiver__province", "caregiver__district", "caregiver__commune"
        ),
        child=child,
        caregiver_id=caregiver_id,
    )
    caregiver = link.caregiver
    current = {
        "name": caregiver.name,
        "relationship": link.relationship,
        **family.place_codes(caregiver),
        "address": caregiver.address,
        "phone": caregiver.phone,
    }
    jurisdiction = family.jurisdiction_of(child.mother)
    if _refined(request):
        form = forms.caregiver_form(
            forms.CaregiverCorrectionForm, jurisdiction, initial=request.POST.dict()
        )
    else:
        form = forms.caregiver_form(
            forms.CaregiverCorrectionForm,
            jurisdiction,
            posted(request),
            initial={**current, "version": caregiver.version},
        )

        def perform(data: dict[str, Any]) -> None:
            changes = changed_values(form, {k: v or "" for k, v in current.items()})
            for name in forms.PLACE_FIELDS:
                if name in changes:
                    changes[name] = changes[name] or None
            family.correct_caregiver(
                request.user, child, caregiver, changes, version=data["version"], request=request
            )

        done = run_form_action(
            request,
            form,
            perform,
            done=_("The caregiver's details have been corrected."),
            go_to=_caregivers_url(child),
        )
        if done is not None:
            return done
    return _render(
        request,
        "correct_caregiver.html",
        child,
        {
            "form": form,
            "caregiver": caregiver,
            "has_gazetteer": len(form.fields["province"].choices) > 1,  # type: ignore[attr-defined]
            "refine": REFINE,
        },
    )


# Best-interests assessments


def _editable_plan(request: AuthenticatedRequest, plan_id: int) -> TransitionPlan:
    return get_object_or_404(
        TransitionPlan.objects.editable_by(request.user).select_related("child__mother"),
        pk=plan_id,
    )


def _to_plan(plan: TransitionPlan) -> str:
    return reverse("people:child", args=[plan.child.reference]) + "#plan"


def _answers_context(form: Any, questions: list[Any]) -> list[tuple[Any, Any, Any]]:
    """(question, its finding's field, its notes' field) for the template."""
    from motherline.care import rules

    return [
        (q, form[rules.answer_field(q.code)], form[rules.notes_field(q.code)]) for q in questions
    ]


@login_required
def record_assessment(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """Record a best-interests assessment of the plan's caregiver."""
    require(request.user, Capability.EDIT_REGISTER)
    plan = _editable_plan(request, plan_id)
    child = plan.child
    questions = family.questions_for(child.mother)
    caregivers = list(family.caregivers_of(child))
    if plan.caregiver_id is not None:
        caregivers = [c for c in caregivers if c.pk == plan.caregiver_id]
    form = forms.assessment_form(
        forms.AssessmentRecordForm,
        questions,
        caregivers,
        posted(request),
        initial={"assessed_on": timezone.localdate(), "caregiver": plan.caregiver_id},
    )

    def perform(data: dict[str, Any]) -> None:
        family.record_assessment(
            request.user,
            plan,
            caregiver=Caregiver.objects.get(pk=data["caregiver"]),
            assessed_on=data["assessed_on"],
            recommendation=data["recommendation"],
            reasons=data.get("reasons") or "",
            answers=forms.answers_of(questions, data),
            request=request,
        )

    return _form_page(
        request,
        child,
        form,
        perform,
        done=_("The assessment has been recorded: it waits for a programme manager's approval."),
        go_to=_to_plan(plan),
        template="assessment_form.html",
        context={
            "plan": plan,
            "answers": _answers_context(form, questions),
            "caregivers": caregivers,
            "heading": _("Best-interests assessment"),
            "submit_label": _("Record the assessment"),
        },
    )


def _visible_assessment(
    request: AuthenticatedRequest, assessment_id: int
) -> BestInterestsAssessment:
    return get_object_or_404(
        BestInterestsAssessment.objects.visible_to(request.user).select_related(
            "plan__child__mother",
            "caregiver__province",
            "caregiver__district",
            "caregiver__commune",
            "assessed_by",
            "decided_by",
        ),
        pk=assessment_id,
    )


@login_required
def assessment(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """One assessment with its answers; a programme manager of the child's organisation
    approves it, or returns it for changes (POST)."""
    require(request.user, Capability.VIEW_REGISTER)
    found = _visible_assessment(request, assessment_id)
    child = found.plan.child
    decides = may_approve_for(request.user, child.mother)
    if request.method == "POST" and not decides:
        raise PermissionDenied
    form = forms.DecisionForm(posted(request), initial={"version": found.version})

    def perform(data: dict[str, Any]) -> None:
        family.decide_assessment(
            request.user,
            found,
            approve=data["approve"],
            notes=data.get("notes") or "",
            version=data["version"],
            request=request,
        )

    approving = request.POST.get("approve") == "true"
    done = run_form_action(
        request,
        form,
        perform,
        done=(
            _("The assessment is approved.")
            if approving
            else _("The assessment is returned for changes.")
        ),
        go_to=reverse("care:assessment", args=[found.pk]),
    )
    if done is not None:
        return done
    form.fields["notes"].label = _("Notes of the decision")
    form.fields["notes"].help_text = _("Needed to return it: say what must change.")
    return _render(
        request,
        "assessment.html",
        child,
        {
            "assessment": found,
            "plan": found.plan,
            "answers": found.answers.select_related("question"),
            # Shown again with its errors after a refused decision, whatever the status.
            "form": (
                form
                if decides and (found.status == AssessmentStatus.RECORDED or form.is_bound)
                else None
            ),
            "may_correct": found.status != AssessmentStatus.APPROVED
            and found.plan.status != PlanStatus.CLOSED
            and can(request.user, Capability.EDIT_REGISTER)
            and may_edit(request.user, child.mother),
            "waits_for_someone_else": decides
            and found.status == AssessmentStatus.RECORDED
            and found.assessed_by_id == request.user.pk,
        },
    )


@login_required
def correct_assessment(request: AuthenticatedRequest, assessment_id: int) -> HttpResponse:
    """Correct an assessment not yet approved, from the version read."""
    require(request.user, Capability.EDIT_REGISTER)
    found = _visible_assessment(request, assessment_id)
    child = found.plan.child
    if not may_edit(request.user, child.mother):
        raise PermissionDenied
    if found.status == AssessmentStatus.APPROVED and request.method != "POST":
        messages.info(
            request, _("This assessment was approved and stands as it was: record a new one.")
        )
        return redirect("care:assessment", assessment_id=found.pk)
    questions = family.questions_for(child.mother)
    current = {
        "assessed_on": found.assessed_on,
        "recommendation": found.recommendation,
        "reasons": found.reasons,
    }
    form = forms.assessment_form(
        forms.AssessmentCorrectionForm,
        questions,
        None,
        posted(request),
        initial={**current, **forms.answers_initial(found), "version": found.version},
    )

    def changes(data: dict[str, Any]) -> dict[str, Any]:
        corrected = {
            k: v
            for k, v in changed_values(form, current).items()
            if k in family.ASSESSMENT_CORRECTABLE
        }
        return {**corrected, "answers": forms.answers_of(questions, data)}

    return _form_page(
        request,
        child,
        form,
        correction_call(family.correct_assessment, request, found, changes),
        done=_("The assessment has been corrected."),
        go_to=reverse("care:assessment", args=[found.pk]),
        template="assessment_form.html",
        context={
            "plan": found.plan,
            "assessment": found,
            "answers": _answers_context(form, questions),
            "heading": _("Correct the best-interests assessment"),
            "submit_label": _("Save the assessment"),
        },
    )
