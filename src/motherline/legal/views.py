"""Pages of legal work: the legal officer's list of cases, a case with its hearings, pardon
rounds, screening, and a candidate's dossier; and the legal section of a woman's page.

Each view checks the capability, finds records within the user's scope (a 404 outside it),
and on POST hands the form's values to `legal.services`, whose errors are shown on the form.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Role, User
from motherline.accounts.policy import (
    Capability,
    can,
    may_change_register,
    prison_id_of,
    require,
)
from motherline.core.actions import run_form_action
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.core.versions import StaleVersion
from motherline.jurisdictions.models import Remedy, ScreeningCriterion
from motherline.legal import dossier, forms, queries, rules, services
from motherline.legal.models import LegalCase, PardonRound, ReleaseCandidate
from motherline.people.history import UnanswerableDay
from motherline.people.models import Woman
from motherline.people.signals import PageSection
from motherline.places.models import Prison


def woman_section(
    sender: Any, *, woman: Woman, user: User, today: date, may_edit: bool, **kwargs: Any
) -> PageSection:
    """Her legal cases and the rounds she is a candidate in: a section of the woman's page
    (receiver of `people.signals.woman_page_sections`)."""
    cases = list(
        LegalCase.objects.filter(episode__woman=woman)
        .select_related("episode", "court")
        .order_by("-opened_on", "-id")
    )
    candidacies = list(
        ReleaseCandidate.objects.filter(woman=woman).select_related("round").order_by("-id")
    )
    return PageSection(
        template="legal/_woman_section.html",
        context={
            "cases": cases,
            "candidacies": candidacies,
            "may_edit": may_edit and can(user, Capability.EDIT_REGISTER),
            "today": today,
        },
    )


@login_required
@require_safe
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    """The legal officer's page: upcoming hearings, and open cases with no next step."""
    require(request.user, Capability.VIEW_REGISTER)
    today = timezone.localdate()
    size = settings.MOTHERLINE_PAGE_SIZE
    upcoming = queries.upcoming_hearings(
        request.user, today, after=request.GET.get("upcoming_after"), size=size
    )
    stalled = queries.cases_without_next_step(
        request.user, today, after=request.GET.get("stalled_after"), size=size
    )
    audit.record_list(
        request.user,
        "legal.LegalCase",
        [case.episode.woman.reference for case in (*upcoming.items, *stalled.items)],
        request=request,
    )
    return render(
        request,
        "legal/case_list.html",
        {"heading": _("Legal cases"), "upcoming": upcoming, "stalled": stalled, "today": today},
    )


def _visible_case(request: AuthenticatedRequest, case_id: int) -> LegalCase:
    return get_object_or_404(
        LegalCase.objects.visible_to(request.user).select_related(
            "episode__woman", "episode__current_prison", "court"
        ),
        pk=case_id,
    )


@login_required
def case_detail(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """One case with its hearings; the forms to record a hearing and correct the case."""
    require(request.user, Capability.VIEW_REGISTER)
    case = _visible_case(request, case_id)
    woman = case.episode.woman
    editable = may_change_register(request.user, woman)
    hearing_form = forms.HearingForm()
    jurisdiction = woman.organisation.jurisdiction_id
    courts = {"court": forms.court_choices(jurisdiction, case.court)}
    case_form = forms.CaseForm(
        initial={name: getattr(case, name) for name in services.CASE_FIELDS}
        | {"court": case.court.code if case.court else "", "version": case.version},
        options=courts,
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            if "hearing" in request.POST:
                hearing_form = forms.HearingForm(request.POST)
                if hearing_form.is_valid():
                    hearing = hearing_form.action_input()
                    services.record_hearing(
                        request.user, case, **hearing.model_dump(), request=request
                    )
                    messages.success(request, _("Hearing recorded."))
                    return redirect("legal:case", case_id=case.pk)
            else:
                case_form = forms.CaseForm(request.POST, options=courts)
                if case_form.is_valid():
                    d = dict(case_form.cleaned_data)
                    version = d.pop("version")
                    services.update_case(request.user, case, d, version=version, request=request)
                    messages.success(request, _("The case has been saved."))
                    return redirect("legal:case", case_id=case.pk)
        except StaleVersion:
            messages.error(request, _("Someone changed this record meanwhile: check and retry."))
            return redirect("legal:case", case_id=case.pk)
        except ValidationError as error:
            add_service_errors(hearing_form if "hearing" in request.POST else case_form, error)
    audit.record(request.user, AuditAction.VIEW, case, request=request)
    return render(
        request,
        "legal/case_detail.html",
        {
            "case": case,
            "woman": woman,
            "hearings": list(case.hearings.order_by("-held_on", "-id")),
            "may_edit": editable,
            "hearing_form": hearing_form,
            "case_form": case_form,
        },
    )


@login_required
def open_case(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Open a legal case for a woman."""
    require(request.user, Capability.EDIT_REGISTER)
    woman = get_object_or_404(
        Woman.objects.editable_by(request.user).select_related("current_episode"),
        reference=reference,
    )
    form = forms.NewCaseForm(
        posted(request),
        options={"court": forms.court_choices(woman.organisation.jurisdiction_id)},
    )

    def perform(data: dict[str, Any]) -> LegalCase:
        case_in = form.action_input()
        return services.open_case(
            request.user,
            woman,
            case_in.model_dump(exclude={"next_hearing_on"}),
            next_hearing_on=case_in.next_hearing_on,
            request=request,
        )

    done = run_form_action(
        request,
        form,
        perform,
        done=_("Legal case opened."),
        go_to=lambda case: reverse("legal:case", args=[case.pk]),
    )
    return done or render(request, "legal/case_form.html", {"form": form, "woman": woman})


@login_required
def round_list(request: AuthenticatedRequest) -> HttpResponse:
    """Pardon rounds, and the form to open one."""
    require(request.user, Capability.VIEW_REGISTER)
    jurisdiction = queries.jurisdiction_for(request.user)
    form = forms.RoundForm(
        posted(request), options={"occasion": forms.occasion_choices(jurisdiction)}
    )
    if request.method == "POST":
        require(request.user, Capability.EDIT_REGISTER)
        done = run_form_action(
            request,
            form,
            lambda data: services.create_round(
                request.user,
                **form.action_input().model_dump(),
                jurisdiction=jurisdiction,
                request=request,
            ),
            done=_("Pardon round opened."),
            go_to=lambda pardon_round: reverse("legal:round", args=[pardon_round.pk]),
        )
        if done is not None:
            return done
    return render(
        request,
        "legal/round_list.html",
        {
            "rounds": list(queries.rounds_for(request.user)),
            "form": form,
            "may_edit": can(request.user, Capability.EDIT_REGISTER),
        },
    )


def _round(request: AuthenticatedRequest, round_id: int, *, for_edit: bool = False) -> PardonRound:
    """A round the user may see (or, `for_edit`, add candidates to); otherwise 404."""
    return get_object_or_404(queries.rounds_for(request.user, for_edit=for_edit), pk=round_id)


@login_required
@require_safe
def round_detail(request: AuthenticatedRequest, round_id: int) -> HttpResponse:
    """A round: its dates, statistics and candidates in the user's scope."""
    require(request.user, Capability.VIEW_REGISTER)
    pardon_round = _round(request, round_id)
    candidates = list(
        ReleaseCandidate.objects.visible_to(request.user)
        .filter(round=pardon_round)
        .select_related("woman", "episode__current_prison")
        .order_by("priority", "id")
    )
    audit.record(
        request.user,
        AuditAction.VIEW,
        pardon_round,
        request=request,
        changes=audit.listed([candidate.woman.reference for candidate in candidates]),
    )
    return render(
        request,
        "legal/round_detail.html",
        {
            "round": pardon_round,
            "candidates": candidates,
            "stats": queries.round_statistics(pardon_round, request.user),
            "may_edit": can(request.user, Capability.EDIT_REGISTER),
        },
    )


@login_required
def screening(request: AuthenticatedRequest, round_id: int | None = None) -> HttpResponse:
    """Screen the women in custody in the user's scope, for a round (a pardon) or for a
    remedy; add the chosen women to the round."""
    require(request.user, Capability.VIEW_REGISTER)
    user: User = request.user
    pardon_round = _round(request, round_id) if round_id is not None else None
    today = timezone.localdate()
    # The day screened on is shown filled in: today unless another day was asked for.
    data = request.GET.copy()
    if not data.get("as_of"):
        data["as_of"] = today.isoformat()
    prisons = _screening_prisons(user)
    form = forms.ScreeningForm(data, prisons=prisons)
    form.is_valid()
    as_of = form.cleaned_data.get("as_of") or today
    remedy = form.cleaned_data.get("remedy") or Remedy.PARDON
    prison_code = form.cleaned_data.get("prison") or ""
    number = form.cleaned_data.get("page") or 1
    if request.method == "POST":
        if pardon_round is None:
            raise Http404
        require(user, Capability.EDIT_REGISTER)
        pardon_round = _round(request, pardon_round.pk, for_edit=True)
        try:
            made = services.add_candidates(
                user, pardon_round, request.POST.getlist("woman"), request=request
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("%(count)s candidates added to the round.") % {"count": len(made)}
            )
            return redirect("legal:round", round_id=pardon_round.pk)
    try:
        result = queries.screen_candidates(user, pardon_round or remedy, as_of, prison=prison_code)
    except UnanswerableDay as refused:
        # A day the register cannot answer for: the form says why, and nothing is listed.
        form.add_error("as_of", refused.message)
        return render(
            request,
            "legal/screening.html",
            {"result": None, "round": pardon_round, "form": form},
        )
    # Ranked by the strength of the case (eligible first, then the score); a page at a time.
    eligible = _page(result.eligible, number)
    ineligible = _page(result.ineligible, number)
    shown = [s.facts for s in eligible.items + ineligible.items]
    who = queries.names_and_prisons(user, [f.woman_id for f in shown])
    queries.record_screening_read(user, result, [f.reference for f in shown], request=request)
    query = {k: v for k, v in request.GET.items() if k != "page" and v}
    return render(
        request,
        "legal/screening.html",
        {
            "result": result,
            "round": pardon_round,
            "form": form,
            "eligible_rows": [(s, who.get(s.facts.woman_id)) for s in eligible.items],
            "ineligible_rows": [(s, who.get(s.facts.woman_id)) for s in ineligible.items],
            "next_url": (
                "?" + urlencode({**query, "page": number + 1})
                if eligible.has_next or ineligible.has_next
                else None
            ),
            "previous_url": "?" + urlencode({**query, "page": number - 1}) if number > 1 else None,
            # Women are put forward from today's screening: a past day's is read only.
            "may_edit": can(user, Capability.EDIT_REGISTER) and as_of == today,
            "past": as_of < today,
        },
    )


SCREENING_PAGE = 25


@dataclass
class _Paged:
    items: list[Any]
    start: int  # the rank of the first item shown, from 1
    has_next: bool


def _page(items: list[Any], number: int) -> _Paged:
    start = (number - 1) * SCREENING_PAGE
    return _Paged(
        items[start : start + SCREENING_PAGE], start + 1, len(items) > start + SCREENING_PAGE
    )


def _screening_prisons(user: User) -> list[Prison]:
    """The prisons screening can be narrowed to: those of the user's jurisdiction, or a
    liaison officer's own prison."""
    prisons = Prison.objects.filter(
        holds_women=True, province__jurisdiction_id=getattr(user.organisation, "jurisdiction_id", 0)
    )
    if user.role == Role.PRISON_LIAISON:
        prisons = Prison.objects.filter(pk=prison_id_of(user))
    return list(prisons.order_by("name"))


def _visible_candidate(request: AuthenticatedRequest, candidate_id: int) -> ReleaseCandidate:
    return get_object_or_404(
        ReleaseCandidate.objects.visible_to(request.user).select_related(
            "woman__organisation__jurisdiction", "episode__current_prison", "round"
        ),
        pk=candidate_id,
    )


@login_required
def candidate_detail(request: AuthenticatedRequest, candidate_id: int) -> HttpResponse:
    """A candidate's dossier: the criteria met with evidence, the argument, the status."""
    require(request.user, Capability.VIEW_REGISTER)
    candidate = _visible_candidate(request, candidate_id)
    editable = may_change_register(request.user, candidate.woman)
    dossier_form = forms.DossierForm(
        initial={
            "priority": candidate.priority,
            "argument": candidate.argument,
            "version": candidate.version,
        }
    )
    # Its ids are its own: the dossier's form on the same page has a version too.
    status_form = forms.StatusForm(initial={"version": candidate.version}, auto_id="status_%s")
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            if "status" in request.POST:
                status_form = forms.StatusForm(request.POST, auto_id="status_%s")
                if status_form.is_valid():
                    services.change_status(
                        request.user, candidate, status_form.action_input(), request=request
                    )
                    messages.success(request, _("The dossier's status has been changed."))
                    return redirect("legal:candidate", candidate_id=candidate.pk)
                messages.error(request, _("The request was not valid."))
            else:
                dossier_form = forms.DossierForm(request.POST)
                if dossier_form.is_valid():
                    dossier_in = dossier_form.action_input()
                    services.update_candidate(
                        request.user, candidate, **dossier_in.model_dump(), request=request
                    )
                    messages.success(request, _("The dossier has been saved."))
                    return redirect("legal:candidate", candidate_id=candidate.pk)
        except StaleVersion:
            messages.error(request, _("Someone changed this record meanwhile: check and retry."))
            return redirect("legal:candidate", candidate_id=candidate.pk)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("legal:candidate", candidate_id=candidate.pk)
    audit.record(request.user, AuditAction.VIEW, candidate, request=request)
    names = {
        criterion.code: criterion
        for criterion in ScreeningCriterion.objects.filter(
            jurisdiction_id=candidate.round.jurisdiction_id, remedy=Remedy.PARDON
        )
    }
    offences = queries.offence_names()
    return render(
        request,
        "legal/candidate_detail.html",
        {
            "candidate": candidate,
            "criteria_met": rules.localised(candidate.criteria_met, names, offences),
            "criteria_not_met": rules.localised(candidate.criteria_not_met, names, offences),
            "woman": candidate.woman,
            "may_edit": editable,
            "dossier_form": dossier_form,
            "status_form": status_form,
            "next_statuses": sorted(services.TRANSITIONS.get(candidate.status, ())),
            "case_url": reverse("people:woman", args=[candidate.woman.reference]),
            "document_languages": (
                candidate.woman.organisation.jurisdiction.languages_of_documents()
            ),
        },
    )


@login_required
@require_safe
def dossier_pdf(request: AuthenticatedRequest, candidate_id: int, language: str) -> HttpResponse:
    """The candidate's dossier as PDF in one of her jurisdiction's document languages."""
    require(request.user, Capability.VIEW_REGISTER)
    candidate = _visible_candidate(request, candidate_id)
    if language not in candidate.woman.organisation.jurisdiction.languages_of_documents():
        raise Http404
    return dossier.pdf_response(request.user, candidate, language, request=request)
