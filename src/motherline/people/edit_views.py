"""Writing pages of the register: admission, transfer, legal status, release, pregnancy,
children, and corrections of her details and of a custody's.

Each view checks the edit capability, finds the record within the user's scope (404
outside it), and on POST hands the form's values to `people.services`; the service's
errors are shown beside their fields and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from motherline.accounts import audit, policy
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, may_edit, organisation_id_of
from motherline.core.actions import ActionForm, correction_call, form_page, service_call
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import posted
from motherline.people import duplicates, forms, services
from motherline.people.actions import ChildChangesIn
from motherline.people.models import Child, CustodyEpisode, PlacementKind, Woman


def _require_edit(user: User) -> None:
    if not can(user, Capability.EDIT_REGISTER):
        raise PermissionDenied


def _woman(request: AuthenticatedRequest, reference: str) -> Woman:
    return get_object_or_404(
        Woman.objects.editable_by(request.user).select_related("current_episode__current_prison"),
        reference=reference,
    )


def _editable_woman(request: AuthenticatedRequest, reference: str) -> Woman:
    """Her record for a writing page: the role first (403), then her record among those the
    user changes (404 outside them)."""
    _require_edit(request.user)
    return _woman(request, reference)


def _episode(woman: Woman) -> CustodyEpisode:
    """Her open custody episode, or her last one: the service then explains that she has
    been released, beside the field."""
    episode = woman.current_episode or woman.episodes.select_related("current_prison").first()
    if episode is None:
        raise Http404(_("This woman has no custody recorded."))
    return episode


def _to_woman(woman: Woman) -> HttpResponse:
    return redirect("people:woman", reference=woman.reference)


def _render(
    request: AuthenticatedRequest,
    template: str,
    context: dict[str, Any],
    shown: Model | None = None,
) -> HttpResponse:
    if shown is not None:
        # An edit page shows her name and custody: a read of her record, like her own page.
        audit.record(request.user, AuditAction.VIEW, shown, request=request)
    return render(request, f"people/forms/{template}", context)


# The head of a page about a child: her and the child's references, and who the child is.
CHILD_HEAD = "people/forms/_child_head.html"


def _page(
    request: AuthenticatedRequest,
    form: Any,
    perform: Callable[[dict[str, Any]], Any],
    *,
    done: str | Callable[[Any], str],
    heading: str,
    submit_label: str,
    template: str,
    context: dict[str, Any],
    shown: Woman | Child,
    go_to: str | None = None,
) -> HttpResponse:
    """A writing page: on a valid POST `perform` (the service) and back to her page, or
    `go_to`; else the form with its errors, a read of the record `shown`."""
    woman = shown if isinstance(shown, Woman) else shown.mother
    return form_page(
        request,
        form,
        perform,
        done=done,
        go_to=go_to or reverse("people:woman", args=[woman.reference]),
        template=f"people/forms/{template}",
        context={
            "heading": heading,
            "reference": shown.reference,
            "submit_label": submit_label,
            "woman": woman,
            **context,
        },
        read=lambda: audit.record(request.user, AuditAction.VIEW, shown, request=request),
    )


@login_required
def admit(request: AuthenticatedRequest) -> HttpResponse:
    """Admit a woman, with her custody, her pregnancy and every child she has. Before a new
    woman is created, the records she could already have are shown (`people.duplicates`):
    the user re-admits her on one of them, or says she is a different person."""
    _require_edit(request.user)
    user: User = request.user
    candidates: list[duplicates.Candidate] = []
    if request.method == "POST":
        form = forms.AdmissionForm(request.POST, user=user)
        children = forms.ChildFormSet(request.POST, prefix=forms.CHILDREN_PREFIX)
        # Both are validated so that every mistake shows at once.
        if not all([form.is_valid(), children.is_valid()]):
            forms.add_date_checks(form, children, timezone.localdate())
        else:
            admission = form.admission(organisation_id_of(user), children.children())
            # "A different person": the user saw the records the check proposed.
            if request.POST.get("confirm_new") != "1":
                candidates = duplicates.candidates(user, duplicates.entered_from(admission))
            if candidates:
                for candidate in candidates:
                    # The user is shown who she could be: a read of each record.
                    audit.record(
                        user,
                        AuditAction.VIEW,
                        candidate.woman,
                        request=request,
                        changes={"duplicate_check": candidate.reasons},
                    )
            else:
                try:
                    woman = services.admit_woman(user, admission, request=request)
                except ValidationError as error:
                    forms.add_admission_errors(form, children, error)
                else:
                    messages.success(
                        request,
                        _("Admission recorded. Her reference is %(ref)s.")
                        % {"ref": woman.reference},
                    )
                    return _to_woman(woman)
    else:
        form = forms.AdmissionForm(user=user)
        children = forms.ChildFormSet(prefix=forms.CHILDREN_PREFIX)
    return _render(
        request,
        "admit.html",
        {
            "form": form,
            "children": children,
            "bangkok_rule_3": forms.BANGKOK_RULE_3,
            "candidates": [(c, policy.may_edit(user, c.woman)) for c in candidates],
        },
    )


def _known_children(woman: Woman) -> list[tuple[str, str]]:
    """Her children on the register, as the re-admission form lists them."""
    from motherline.people.timeline import child_label

    return [
        (c.reference, f"{child_label(c)} — {c.date_of_birth.isoformat()} ({c.reference})")
        for c in woman.children.order_by("date_of_birth", "id")
    ]


@login_required
def readmit(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Admit a released woman again, as a new custody on her own record, with the children
    who come in with her (hers already on the register, or new). Reached from her page and
    from the duplicate check of the admission form, which sends what was typed there."""
    woman = _editable_woman(request, reference)
    known = _known_children(woman)
    kwargs: dict[str, Any] = {"prefix": forms.CHILDREN_PREFIX, "form_kwargs": {"known": known}}
    from_admission = request.method == "POST" and "from_admission" in request.POST
    if request.method == "POST" and not from_admission:
        form = forms.ReadmissionForm(request.POST, user=request.user)
        children = forms.ReadmissionChildFormSet(request.POST, **kwargs)
        if all([form.is_valid(), children.is_valid()]):
            try:
                services.readmit_woman(
                    request.user,
                    woman,
                    form.readmission(children.children()),
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_admission_errors(form, children, error)
            else:
                messages.success(request, _("New admission recorded on her record."))
                return _to_woman(woman)
    elif from_admission:
        # What was typed in the admission form, to be checked and confirmed here.
        data = request.POST.copy()
        data["version"] = str(woman.version)
        data.pop("confirm_warnings", None)
        form = forms.ReadmissionForm(initial=_typed(data, forms.ReadmissionForm), user=request.user)
        children = forms.ReadmissionChildFormSet(initial=_typed_children(data), **kwargs)
    else:
        form = forms.ReadmissionForm(
            initial={"version": woman.version, "dependent_children": woman.dependent_children},
            user=request.user,
        )
        children = forms.ReadmissionChildFormSet(**kwargs)
    context = {
        "form": form,
        "children": children,
        "woman": woman,
        "in_custody": woman.current_episode_id is not None,
        "episodes": list(woman.episodes.select_related("current_prison")),
        "bangkok_rule_3": forms.BANGKOK_RULE_3,
    }
    return _render(request, "readmit.html", context, woman)


def _typed(data: Any, form_class: type[Form]) -> dict[str, Any]:
    fields = form_class.base_fields
    out: dict[str, Any] = {}
    for name in fields:
        if name == "offences":
            out[name] = data.getlist(name)
        elif name in data:
            out[name] = data[name]
    return out


def _typed_children(data: Any) -> list[dict[str, Any]]:
    prefix = forms.CHILDREN_PREFIX
    try:
        total = min(int(data.get(f"{prefix}-TOTAL_FORMS", 0)), 30)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        row = {
            name: data[f"{prefix}-{i}-{name}"]
            for name in forms.ChildAtReadmissionForm.base_fields
            if data.get(f"{prefix}-{i}-{name}")
        }
        if row.get("date_of_birth"):
            rows.append(row)
    return rows


@login_required
def transfer(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Move a woman in custody to another prison; her children living with her move too."""
    woman = _editable_woman(request, reference)
    episode = _episode(woman)
    form = forms.TransferForm(
        posted(request),
        initial={"version": episode.version},
        options=forms.transfer_options(request.user, episode.current_prison),
    )
    return _page(
        request,
        form,
        lambda data: services.transfer(request.user, episode, form.action_input(), request=request),
        done=lambda moved: _("Transfer to %(prison)s recorded.") % {"prison": moved.to_prison},
        heading=_("Record a transfer"),
        submit_label=_("Record the transfer"),
        template="transfer.html",
        context={"episode": episode},
        shown=woman,
    )


@login_required
def legal_status(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record a change of her legal status (e.g. convicted at first instance)."""
    woman = _editable_woman(request, reference)
    episode = _episode(woman)
    form = forms.LegalStatusForm(
        posted(request),
        initial={
            "version": episode.version,
            "sentence_months": episode.sentence_months,
            "expected_release_date": episode.expected_release_date,
        },
    )
    return _page(
        request,
        form,
        service_call(services.record_legal_status, request, episode),
        done=_("Legal status recorded."),
        heading=_("Change the legal status"),
        submit_label=_("Record the legal status"),
        template="legal_status.html",
        context={"episode": episode},
        shown=woman,
    )


@login_required
def release(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Close her custody; children living in prison with her leave with her."""
    woman = _editable_woman(request, reference)
    episode = _episode(woman)
    form = forms.ReleaseForm(posted(request), initial={"version": episode.version})

    # Shown so that the person recording the release sees who leaves with her.
    children_in_prison = Child.objects.filter(
        mother=woman, placements__kind=PlacementKind.IN_PRISON, placements__end_date__isnull=True
    ).distinct()
    return _page(
        request,
        form,
        service_call(services.record_release, request, episode),
        done=_("Release recorded."),
        heading=_("Record a release"),
        submit_label=_("Record the release"),
        template="release.html",
        context={"episode": episode, "children_in_prison": children_in_prison},
        shown=woman,
    )


@login_required
def pregnancy(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record that she is pregnant."""
    woman = _editable_woman(request, reference)
    return _page(
        request,
        forms.PregnancyForm(posted(request)),
        service_call(services.record_pregnancy, request, woman),
        done=_("Pregnancy recorded."),
        heading=_("Record a pregnancy"),
        submit_label=_("Record the pregnancy"),
        template="_page.html",
        context={"episode": woman.current_episode},
        shown=woman,
    )


def _outcome_done(child: Child | None) -> str:
    if child is None:
        return _("Outcome of the pregnancy recorded.")
    return _("Birth recorded: the child is on the register as %(ref)s.") % {"ref": child.reference}


@login_required
def pregnancy_outcome(
    request: AuthenticatedRequest, reference: str, pregnancy_id: int
) -> HttpResponse:
    """Record how a pregnancy ended; a birth adds the child to the register."""
    woman = _editable_woman(request, reference)
    pregnancy = get_object_or_404(woman.pregnancies, pk=pregnancy_id)
    return _page(
        request,
        forms.PregnancyOutcomeForm(posted(request)),
        service_call(services.record_pregnancy_outcome, request, pregnancy),
        done=_outcome_done,
        heading=_("Record the outcome of a pregnancy"),
        submit_label=_("Record the outcome"),
        template="pregnancy_outcome.html",
        context={"episode": woman.current_episode, "pregnancy": pregnancy},
        shown=woman,
    )


@login_required
def add_child(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record a child of hers learnt of after her admission."""
    woman = _editable_woman(request, reference)
    form = forms.ChildForm(posted(request))

    def perform(data: dict[str, Any]) -> Child:
        details = form.child_details()
        return services.record_child(
            request.user, woman, details, since=form.since_date(), request=request
        )

    return _page(
        request,
        form,
        perform,
        done=lambda child: _("Child recorded as %(ref)s.") % {"ref": child.reference},
        heading=_("Add a child"),
        submit_label=_("Record the child"),
        template="add_child.html",
        context={"episode": woman.current_episode},
        shown=woman,
    )


@login_required
def move_child_out(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """A child leaves prison to live with a caregiver outside."""
    _require_edit(request.user)
    child = get_object_or_404(
        Child.objects.editable_by(request.user).select_related("mother"), reference=reference
    )
    placement = child.placements.filter(end_date__isnull=True).select_related("prison").first()
    return _page(
        request,
        forms.MoveChildOutForm(posted(request), initial={"version": child.version}),
        service_call(services.move_child_out, request, child),
        done=_("Child %(ref)s recorded as living outside.") % {"ref": child.reference},
        heading=_("Move a child out of prison"),
        submit_label=_("Record the move"),
        template="_page.html",
        context={"head": CHILD_HEAD, "child": child, "placement": placement, "leaving": True},
        shown=child,
    )


@login_required
def edit_woman(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Correct a mistake in who she is. If someone saved a change since the page was
    loaded, nothing is written and the form comes back with what was typed."""
    woman = _editable_woman(request, reference)
    form = forms.WomanForm(
        posted(request),
        initial=forms.WomanForm.initial_for(woman),
        user=request.user,
        recorded=woman,
    )
    return _page(
        request,
        form,
        correction_call(services.update_woman, request, woman, lambda data: form.changes()),
        done=_("Her details have been corrected."),
        heading=_("Correct her details"),
        submit_label=_("Save the corrections"),
        template="edit_woman.html",
        context={"episode": woman.current_episode},
        shown=woman,
    )


@login_required
def edit_episode(request: AuthenticatedRequest, reference: str, episode_id: int) -> HttpResponse:
    """Correct the court, case, sentence, expected release or offences of one custody."""
    woman = _editable_woman(request, reference)
    episode = get_object_or_404(woman.episodes.select_related("current_prison"), pk=episode_id)
    form = forms.EpisodeForm(
        posted(request),
        initial=forms.episode_initial(episode),
        options=forms.episode_options(request.user),
    )
    return _page(
        request,
        form,
        correction_call(
            services.update_episode,
            request,
            episode,
            lambda data: forms.episode_changes(form, request.user),
        ),
        done=_("The custody details have been corrected."),
        heading=_("Correct custody details"),
        submit_label=_("Save the corrections"),
        template="edit_episode.html",
        context={"episode": episode},
        shown=woman,
    )


def _child(request: AuthenticatedRequest, reference: str) -> Child:
    """A child the user sees (404 otherwise) and may change: a partner's read-only view of
    a shared record is a 403, so the page can say why there is no form."""
    child = get_object_or_404(
        Child.objects.visible_to(request.user).select_related("mother"), reference=reference
    )
    if not may_edit(request.user, child.mother):
        raise PermissionDenied
    return child


def _back(request: HttpRequest, child: Child) -> str:
    """Where the user came from when it is a page of this site (the worklist), else the
    child's page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("people:child", args=[child.reference])


def _child_form_page(
    request: AuthenticatedRequest,
    reference: str,
    form_class: type[ActionForm[ChildChangesIn]],
    *,
    heading: str,
    submit_label: str,
    done: str,
) -> HttpResponse:
    _require_edit(request.user)
    child = _child(request, reference)
    birth = form_class is forms.BirthRegistrationForm
    recorded = {name: getattr(child, name) for name in form_class.base_fields if name != "version"}
    form = form_class(posted(request), initial={**recorded, "version": child.version})
    go_to = _back(request, child)
    return _page(
        request,
        form,
        correction_call(
            services.update_child, request, child, lambda data: forms.child_changes(form)
        ),
        done=done % {"ref": child.reference},
        heading=heading,
        submit_label=submit_label,
        template="_page.html",
        context={
            "head": CHILD_HEAD,
            "child": child,
            "next": request.POST.get("next") or request.GET.get("next") or "",
            "show_birth": birth,
            # A correction's Cancel goes to the child's page, wherever it was opened from.
            "cancel_url": go_to if birth else reverse("people:child", args=[child.reference]),
        },
        shown=child,
        go_to=go_to,
    )


@login_required
def edit_child(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Correct a child's details. If someone saved a change since the page was loaded,
    nothing is written and the form comes back with what was typed."""
    return _child_form_page(
        request,
        reference,
        forms.ChildCorrectionForm,
        heading=_("Correct the child's details"),
        submit_label=_("Save the corrections"),
        done=_("The details of child %(ref)s have been corrected."),
    )


@login_required
def register_birth(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Record that a child's birth has been registered: the day and the certificate."""
    return _child_form_page(
        request,
        reference,
        forms.BirthRegistrationForm,
        heading=_("Record the birth registration"),
        submit_label=_("Record the registration"),
        done=_("The birth registration of child %(ref)s has been recorded."),
    )


@login_required
def merge(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """An administrator merges a second record of this woman into this one. The first
    answer shows what would move; nothing is written until it is confirmed."""
    policy.require(request.user, Capability.ADMINISTER)
    woman = _woman(request, reference)
    other: Woman | None = None
    if request.method == "POST":
        form = forms.MergeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            other = (
                Woman.objects.editable_by(request.user)
                .filter(reference=data["merged"], merged_into__isnull=True)
                .select_related("organisation", "current_episode__current_prison")
                .first()
            )
            if other is None:
                form.add_error(
                    "merged",
                    _("There is no record %(ref)s that you may change.") % {"ref": data["merged"]},
                )
            elif not data["confirm"]:
                problems = services.merge_errors(woman, other)
                # The preview shows the other record: a read of it.
                audit.record(request.user, AuditAction.VIEW, other, request=request)
                bound = request.POST.copy()
                bound["merged_version"] = str(other.version)
                bound["confirm"] = "" if problems else "True"
                form = forms.MergeForm(bound)
                form.is_valid()
                for message in problems.values():
                    form.add_error("merged", message)
            else:
                try:
                    services.merge_women(
                        request.user,
                        woman,
                        other,
                        survivor_version=data["version"],
                        merged_version=data["merged_version"] or 0,
                        reason=data["reason"],
                        request=request,
                    )
                except ValidationError as error:
                    forms.add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("%(old)s was merged into this record.") % {"old": other.reference},
                    )
                    return _to_woman(woman)
    else:
        form = forms.MergeForm(initial={"version": woman.version})
    preview = None
    if other is not None:
        preview = {
            "woman": other,
            "episodes": other.episodes.count(),
            "children": other.children.count(),
            "pregnancies": other.pregnancies.count(),
        }
    context = {"form": form, "woman": woman, "other": preview}
    return _render(request, "merge.html", context, woman)
