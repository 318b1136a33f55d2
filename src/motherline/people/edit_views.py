"""Writing pages of the register: admission, transfer, legal status, release, pregnancy,
children, and corrections of her details and of a custody's.

Each view checks the edit capability, finds the record within the user's scope (404
outside it), and on POST hands the form's values to `people.services`; the service's
errors are shown beside their fields and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from motherline.accounts import audit, policy
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability, can, may_edit
from motherline.people import duplicates, forms, services
from motherline.people.models import Child, CustodyEpisode, PlacementKind, Woman


def _require_edit(user: Any) -> None:
    if not can(user, Capability.EDIT_REGISTER):
        raise PermissionDenied


def _woman(request: HttpRequest, reference: str) -> Woman:
    return get_object_or_404(
        Woman.objects.editable_by(request.user).select_related("current_episode__current_prison"),
        reference=reference,
    )


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
    request: HttpRequest, template: str, context: dict[str, Any], shown: Model | None = None
) -> HttpResponse:
    if shown is not None:
        # An edit page shows her name and custody: a read of her record, like her own page.
        audit.record(request.user, AuditAction.VIEW, shown, request=request)
    return render(request, f"people/forms/{template}", context)


@login_required
def admit(request: HttpRequest) -> HttpResponse:
    """Admit a woman, with her custody, her pregnancy and every child she has. Before a new
    woman is created, the records she could already have are shown (`people.duplicates`):
    the user re-admits her on one of them, or says she is a different person."""
    _require_edit(request.user)
    user: Any = request.user
    candidates: list[duplicates.Candidate] = []
    if request.method == "POST":
        form = forms.AdmissionForm(request.POST, user=user)
        children = forms.ChildFormSet(request.POST, prefix=forms.CHILDREN_PREFIX)
        # Both are validated so that every mistake shows at once.
        if not all([form.is_valid(), children.is_valid()]):
            forms.add_date_checks(form, children, timezone.localdate())
        else:
            admission = form.admission(user.organisation_id, children.children())
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
def readmit(request: HttpRequest, reference: str) -> HttpResponse:
    """Admit a released woman again, as a new custody on her own record, with the children
    who come in with her (hers already on the register, or new). Reached from her page and
    from the duplicate check of the admission form, which sends what was typed there."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    known = _known_children(woman)
    kwargs = {"prefix": forms.CHILDREN_PREFIX, "form_kwargs": {"known": known}}
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


def _typed(data: Any, form_class: type) -> dict[str, Any]:
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
def transfer(request: HttpRequest, reference: str) -> HttpResponse:
    """Move a woman in custody to another prison; her children living with her move too."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    episode = _episode(woman)
    current_prison = episode.current_prison
    if request.method == "POST":
        form = forms.TransferForm(request.POST, user=request.user, current_prison=current_prison)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_transfer(
                    request.user,
                    episode,
                    data["to_prison"],
                    data["transfer_date"],
                    data["reason"],
                    version=data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Transfer to %(prison)s recorded.") % {"prison": data["to_prison"]},
                )
                return _to_woman(woman)
    else:
        form = forms.TransferForm(
            initial={"version": episode.version}, user=request.user, current_prison=current_prison
        )
    context = {"form": form, "woman": woman, "episode": episode}
    return _render(request, "transfer.html", context, woman)


@login_required
def legal_status(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a change of her legal status (e.g. convicted at first instance)."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    episode = _episode(woman)
    if request.method == "POST":
        form = forms.LegalStatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_legal_status(
                    request.user,
                    episode,
                    data["status"],
                    data["effective_date"],
                    data["note"],
                    sentence_months=data["sentence_months"],
                    expected_release_date=data["expected_release_date"],
                    version=data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Legal status recorded."))
                return _to_woman(woman)
    else:
        form = forms.LegalStatusForm(
            initial={
                "version": episode.version,
                "sentence_months": episode.sentence_months,
                "expected_release_date": episode.expected_release_date,
            }
        )
    context = {"form": form, "woman": woman, "episode": episode}
    return _render(request, "legal_status.html", context, woman)


@login_required
def release(request: HttpRequest, reference: str) -> HttpResponse:
    """Close her custody; children living in prison with her leave with her."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    episode = _episode(woman)
    if request.method == "POST":
        form = forms.ReleaseForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_release(
                    request.user,
                    episode,
                    data["release_date"],
                    data["reason"],
                    data["note"],
                    version=data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Release recorded."))
                return _to_woman(woman)
    else:
        form = forms.ReleaseForm(initial={"version": episode.version})
    # Shown so that the person recording the release sees who leaves with her.
    children_in_prison = Child.objects.filter(
        mother=woman, placements__kind=PlacementKind.IN_PRISON, placements__end_date__isnull=True
    ).distinct()
    return _render(
        request,
        "release.html",
        {
            "form": form,
            "woman": woman,
            "episode": episode,
            "children_in_prison": children_in_prison,
        },
        woman,
    )


@login_required
def pregnancy(request: HttpRequest, reference: str) -> HttpResponse:
    """Record that she is pregnant."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    if request.method == "POST":
        form = forms.PregnancyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_pregnancy(
                    request.user,
                    woman,
                    data["known_since"],
                    data["expected_delivery_date"],
                    data["antenatal_care_contacts"],
                    data["note"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Pregnancy recorded."))
                return _to_woman(woman)
    else:
        form = forms.PregnancyForm()
    return _render(request, "pregnancy.html", {"form": form, "woman": woman}, woman)


@login_required
def pregnancy_outcome(request: HttpRequest, reference: str, pregnancy_id: int) -> HttpResponse:
    """Record how a pregnancy ended; a birth adds the child to the register."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    pregnancy = get_object_or_404(woman.pregnancies, pk=pregnancy_id)
    if request.method == "POST":
        form = forms.PregnancyOutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                child = services.record_pregnancy_outcome(
                    request.user,
                    pregnancy,
                    data["outcome"],
                    data["outcome_date"],
                    child_name=data["child_name"],
                    child_sex=data["child_sex"],
                    birth_registered=data["birth_registered"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                if child is None:
                    messages.success(request, _("Outcome of the pregnancy recorded."))
                else:
                    messages.success(
                        request,
                        _("Birth recorded: the child is on the register as %(ref)s.")
                        % {"ref": child.reference},
                    )
                return _to_woman(woman)
    else:
        form = forms.PregnancyOutcomeForm()
    return _render(
        request,
        "pregnancy_outcome.html",
        {"form": form, "woman": woman, "pregnancy": pregnancy},
        woman,
    )


@login_required
def add_child(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a child of hers learnt of after her admission."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    if request.method == "POST":
        form = forms.ChildForm(request.POST)
        if form.is_valid():
            try:
                child = services.record_child(
                    request.user,
                    woman,
                    form.child_details(),
                    since=form.since_date(),
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Child recorded as %(ref)s.") % {"ref": child.reference}
                )
                return _to_woman(woman)
    else:
        form = forms.ChildForm()
    return _render(request, "add_child.html", {"form": form, "woman": woman}, woman)


@login_required
def move_child_out(request: HttpRequest, reference: str) -> HttpResponse:
    """A child leaves prison to live with a caregiver outside."""
    _require_edit(request.user)
    child = get_object_or_404(
        Child.objects.editable_by(request.user).select_related("mother"), reference=reference
    )
    woman = child.mother
    if request.method == "POST":
        form = forms.MoveChildOutForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.move_child_out(
                    request.user,
                    child,
                    data["move_date"],
                    data["caregiver_relationship"],
                    data["caregiver_name"],
                    data["caregiver_location"],
                    data["caregiver_contact"],
                    data["note"],
                    version=data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Child %(ref)s recorded as living outside.") % {"ref": child.reference},
                )
                return _to_woman(woman)
    else:
        form = forms.MoveChildOutForm(initial={"version": child.version})
    placement = child.placements.filter(end_date__isnull=True).select_related("prison").first()
    return _render(
        request,
        "move_child_out.html",
        {"form": form, "woman": woman, "child": child, "placement": placement},
        child,
    )


@login_required
def edit_woman(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct a mistake in who she is. If someone saved a change since the page was
    loaded, nothing is written and the form comes back with what was typed."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    if request.method == "POST":
        form = forms.WomanForm(request.POST, user=request.user, recorded=woman)
        if form.is_valid():
            try:
                services.update_woman(
                    request.user,
                    woman,
                    form.changes(),
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("Her details have been corrected."))
                return _to_woman(woman)
    else:
        form = forms.WomanForm(
            initial=forms.WomanForm.initial_for(woman), user=request.user, recorded=woman
        )
    context = {"form": form, "woman": woman, "episode": woman.current_episode}
    return _render(request, "edit_woman.html", context, woman)


@login_required
def edit_episode(request: HttpRequest, reference: str, episode_id: int) -> HttpResponse:
    """Correct the court, case, sentence, expected release or offences of one custody."""
    _require_edit(request.user)
    woman = _woman(request, reference)
    episode = get_object_or_404(woman.episodes.select_related("current_prison"), pk=episode_id)
    if request.method == "POST":
        form = forms.EpisodeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.update_episode(
                    request.user,
                    episode,
                    form.changes(),
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, _("The custody details have been corrected."))
                return _to_woman(woman)
    else:
        form = forms.EpisodeForm(initial=forms.EpisodeForm.initial_for(episode), user=request.user)
    context = {"form": form, "woman": woman, "episode": episode}
    return _render(request, "edit_episode.html", context, woman)


def _child(request: HttpRequest, reference: str) -> Child:
    """A child the user sees (404 otherwise) and may change: a partner's read-only view of
    a shared record is a 403, so the page can say why there is no form."""
    child = get_object_or_404(
        Child.objects.visible_to(request.user).select_related("mother"), reference=reference
    )
    if not may_edit(request.user, child.mother):
        raise PermissionDenied
    return child


def _back(request: HttpRequest, child: Child) -> HttpResponse:
    """Where the user came from when it is a page of this site (the worklist), else the
    child's page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("people:child", reference=child.reference)


def _child_form_page(
    request: HttpRequest,
    reference: str,
    form_class: type[forms.ChildCorrectionForm] | type[forms.BirthRegistrationForm],
    template: str,
    done: str,
) -> HttpResponse:
    _require_edit(request.user)
    child = _child(request, reference)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                services.update_child(
                    request.user,
                    child,
                    form.changes(),
                    version=form.cleaned_data["version"],
                    request=request,
                )
            except ValidationError as error:
                forms.add_service_errors(form, error)
            else:
                messages.success(request, done % {"ref": child.reference})
                return _back(request, child)
    elif form_class is forms.ChildCorrectionForm:
        form = form_class(initial=forms.ChildCorrectionForm.initial_for(child))
    else:
        form = form_class(initial={"version": child.version})
    context = {
        "form": form,
        "woman": child.mother,
        "child": child,
        "next": request.POST.get("next") or request.GET.get("next") or "",
    }
    return _render(request, template, context, child)


@login_required
def edit_child(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct a child's details. If someone saved a change since the page was loaded,
    nothing is written and the form comes back with what was typed."""
    return _child_form_page(
        request,
        reference,
        forms.ChildCorrectionForm,
        "edit_child.html",
        _("The details of child %(ref)s have been corrected."),
    )


@login_required
def register_birth(request: HttpRequest, reference: str) -> HttpResponse:
    """Record that a child's birth has been registered: the day and the certificate."""
    return _child_form_page(
        request,
        reference,
        forms.BirthRegistrationForm,
        "register_birth.html",
        _("The birth registration of child %(ref)s has been recorded."),
    )


@login_required
def merge(request: HttpRequest, reference: str) -> HttpResponse:
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
