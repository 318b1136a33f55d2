"""Pages of field work: visits with findings and follow-up actions, a prison's history,
access incidents and the programme manager's overview of them.

Each view checks the capability (403), finds the record within the user's scope
(`accounts.policy.scope_organisation`, a 404 outside it), and on POST hands the form's values
to `fieldwork.services`, whose errors are shown beside their fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, organisation_id_of, require
from motherline.core.actions import (
    AUDITED,
    ActionForm,
    correction_call,
    correction_page,
    form_for,
    form_page,
    run_form_action,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted, posted_files
from motherline.core.paging import cursor, paging
from motherline.core.versions import StaleVersion
from motherline.fieldwork import forms, importing, queries, services
from motherline.fieldwork.actions import (
    FINDING_CORRECTABLE,
    ActionChanges,
    ActionIn,
    FindingChanges,
    TrainingChanges,
    VisitChanges,
)
from motherline.fieldwork.models import (
    Access,
    AccessIncident,
    Audience,
    CaseStudy,
    EscalationContact,
    Finding,
    FollowUpAction,
    PrisonVisit,
    TrainingSession,
)
from motherline.formatting import format_day
from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction
from motherline.people.models import Woman
from motherline.people.queries import paged
from motherline.people.signals import PageSection
from motherline.places.models import Prison
from motherline.records.pages import withdrawal_page
from motherline.reports.download import attachment
from motherline.reports.pdf import render_pdf
from motherline.uploads import FileRefused

# A record a detail page shows.
Shown = TypeVar("Shown")

# A record of field work that a page changes.
Editable = TypeVar("Editable", PrisonVisit, AccessIncident, TrainingSession, CaseStudy)


def _editable(
    request: AuthenticatedRequest, model: type[Editable], pk: int, *related: str
) -> Editable:
    """A record of field work the user may change: the role first (403), then the records
    of the user's organisation (404 outside them); `related`, what its page names with it
    (its prison)."""
    require(request.user, Capability.RECORD_FIELDWORK)
    records = model.objects.editable_by(request.user)
    return get_object_or_404(records.select_related(*related) if related else records, pk=pk)


STALE = gettext_lazy(
    "Someone else changed this record while you were editing: check it and try again."
)


def _prisons(user: User) -> Any:
    """The prisons of the jurisdiction of the user's organisation."""
    return (
        Prison.objects.filter(province__jurisdiction__organisations=user.organisation_id)
        .select_related("province")
        .order_by("name")
    )


def _page_of_visits(request: AuthenticatedRequest, prison: Prison | None) -> queries.VisitPage:
    """The page of visits after the request's cursor; the first page for a cursor this list
    did not give (a bookmark from before visits were ordered by date, say)."""
    try:
        after = queries.VisitCursor.parse(request.GET.get("after", ""))
    except ValueError:
        after = None
    return queries.visit_page(
        queries.visits(request.user, prison=prison), after, settings.MOTHERLINE_PAGE_SIZE
    )


# Visits


@login_required
@require_safe
def visit_list(request: AuthenticatedRequest) -> HttpResponse:
    """The visits the user may see, newest first, optionally of one prison."""
    require(request.user, Capability.VIEW_REGISTER)
    prisons = _prisons(request.user)
    code = request.GET.get("prison", "")
    prison = next((p for p in prisons if p.code == code), None) if code else None
    page = _page_of_visits(request, prison)
    return render(
        request,
        "fieldwork/visit_list.html",
        {
            "heading": _("Prison visits"),
            "prisons": prisons,
            "prison": prison,
            **paging(request, page, prison=code),
        },
    )


@login_required
def new_visit(request: AuthenticatedRequest) -> HttpResponse:
    """Record a visit of the user's organisation with its findings by topic."""
    require(request.user, Capability.RECORD_FIELDWORK)
    form = forms.RecordVisitForm(
        posted(request),
        options={"prison": [(p.code, p.display_name) for p in _prisons(request.user)]},
        initial={"visit_date": timezone.localdate(), "prison": request.GET.get("prison")},
    )

    def perform(data: dict[str, Any]) -> PrisonVisit:
        visit = services.record_visit(request.user, form.action_input(), request=request)
        if visit.access != Access.GRANTED:
            messages.info(request, _("Access was not fully granted: record the incident below."))
        return visit

    return form_page(
        request,
        form,
        perform,
        done=_("The visit has been recorded."),
        go_to=lambda visit: reverse("fieldwork:visit", kwargs={"visit_id": visit.pk}),
        template="fieldwork/visit_form.html",
    )


def _visit_page(
    request: AuthenticatedRequest,
    visit: PrisonVisit,
    action_form: ActionForm[ActionIn] | None = None,
) -> HttpResponse:
    # A withdrawn visit is read, not changed: no buttons.
    editable = (
        not visit.is_withdrawn
        and PrisonVisit.objects.editable_by(request.user).filter(pk=visit.pk).exists()
    )
    if editable and action_form is None:
        action_form = forms.AddActionForm(
            options=forms.action_options(visit), initial={"owner": request.user.username}
        )
    # The page may name women seen: a read of their records.
    audit.record(request.user, AuditAction.VIEW, visit, object_ref=visit.reference, request=request)
    return render(
        request,
        "fieldwork/visit_detail.html",
        {
            "visit": visit,
            "may_edit": editable,
            "action_form": action_form if editable else None,
            "today": timezone.localdate(),
        },
    )


def _shown(lookup: Callable[[User, int], Shown], request: AuthenticatedRequest, pk: int) -> Shown:
    """The record a detail query finds for the user (withdrawn ones too), or 404: one the
    user may not see is not found."""
    try:
        return lookup(request.user, pk)
    except ObjectDoesNotExist:
        raise Http404 from None


@login_required
@require_safe
def visit_detail(request: AuthenticatedRequest, visit_id: int) -> HttpResponse:
    """One visit with its findings, follow-up actions and access incidents."""
    require(request.user, Capability.VIEW_REGISTER)
    return _visit_page(request, _shown(queries.visit_detail, request, visit_id))


# The correction page's form, derived from the action's one declaration.
VisitCorrectionForm = form_for(
    VisitChanges, model=PrisonVisit, required=("visit_date", "team", "access")
)


@login_required
def correct_visit(request: AuthenticatedRequest, visit_id: int) -> HttpResponse:
    """Correct a visit's details: the form shows them as recorded; what differs is saved,
    from the version read."""
    visit = _editable(request, PrisonVisit, visit_id)
    return correction_page(
        request,
        visit,
        VisitCorrectionForm,
        services.correct_visit,
        done=_("The visit's details have been corrected."),
        go_to=reverse("fieldwork:visit", args=[visit.pk]),
        heading=_("Correct the visit's details"),
        lead=_("Visit to %(prison)s. What you change is kept on the audit trail.")
        % {"prison": visit.prison.display_name},
    )


@login_required
def withdraw_visit(request: AuthenticatedRequest, visit_id: int) -> HttpResponse:
    """Withdraw a visit entered twice, with the reason; it stays readable on its page."""
    visit = _editable(request, PrisonVisit, visit_id, "prison")
    return withdrawal_page(
        request,
        visit,
        services.withdraw_visit,
        heading=_("Withdraw the visit to %(prison)s") % {"prison": visit.prison.display_name},
        go_to=reverse("fieldwork:visit", args=[visit.pk]),
    )


def _of_visit(visit: PrisonVisit, text: str) -> str:
    """The lead of a correction page about a part of a visit."""
    what = text % {"prison": visit.prison.display_name, "day": format_day(visit.visit_date)}
    return f"{what} {AUDITED}"


FindingCorrectionForm = form_for(FindingChanges, model=Finding, required=FINDING_CORRECTABLE)


@login_required
def correct_finding(request: AuthenticatedRequest, finding_id: int) -> HttpResponse:
    """Correct a finding's topic or what was found, from the version read."""
    require(request.user, Capability.RECORD_FIELDWORK)
    finding = get_object_or_404(
        Finding.objects.filter(
            visit__in=PrisonVisit.objects.editable_by(request.user)
        ).select_related("visit__prison"),
        pk=finding_id,
    )
    return correction_page(
        request,
        finding,
        FindingCorrectionForm,
        services.correct_finding,
        done=_("The finding has been corrected."),
        go_to=reverse("fieldwork:visit", args=[finding.visit_id]) + "#findings",
        heading=_("Correct the finding"),
        lead=_of_visit(finding.visit, _("Finding of the visit to %(prison)s on %(day)s.")),
    )


ActionCorrectionForm = form_for(
    ActionChanges, model=FollowUpAction, required=("description", "owner", "due_date")
)


@login_required
def correct_action(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    """Correct a follow-up action: what is to be done, its owner, due date and finding."""
    require(request.user, Capability.RECORD_FIELDWORK)
    action = get_object_or_404(
        FollowUpAction.objects.filter(
            visit__in=PrisonVisit.objects.editable_by(request.user)
        ).select_related("visit__prison", "owner"),
        pk=action_id,
    )
    visit = action.visit
    options = forms.action_options(visit)
    return correction_page(
        request,
        action,
        ActionCorrectionForm,
        services.correct_action,
        shown={"owner": action.owner.username},
        # The schema bounds the values; the page offers the visit's people and findings.
        choices={"owner": options["owner"], "finding_id": [("", "—"), *options["finding_id"]]},
        done=_("The follow-up action has been corrected."),
        go_to=reverse("fieldwork:visit", args=[visit.pk]) + "#actions",
        heading=_("Correct the follow-up action"),
        lead=_of_visit(visit, _("Follow-up of the visit to %(prison)s on %(day)s.")),
    )


@login_required
def add_action(request: AuthenticatedRequest, visit_id: int) -> HttpResponse:
    """Add a follow-up action with an owner and a due date to a visit."""
    visit = _editable(request, PrisonVisit, visit_id)
    if request.method != "POST":
        return redirect("fieldwork:visit", visit_id=visit.pk)
    form = forms.AddActionForm(request.POST, options=forms.action_options(visit))
    done = run_form_action(
        request,
        form,
        lambda data: services.add_named_action(
            request.user, visit, form.action_input(), request=request
        ),
        done=_("The follow-up action has been added."),
        go_to=reverse("fieldwork:visit", args=[visit.pk]),
    )
    if done is not None:
        return done
    return _visit_page(request, _shown(queries.visit_detail, request, visit.pk), form)


def _mark_done(
    request: AuthenticatedRequest,
    model: type[FollowUpAction] | type[Finding],
    pk: int,
    record_done: Any,
    texts: tuple[str, str],
) -> HttpResponse:
    """Mark an action done or a finding resolved (of a visit the user may change) on the
    day the form gives, through the service `record_done`; `texts` are the messages for
    done already and done now."""
    require(request.user, Capability.RECORD_FIELDWORK)
    visits = PrisonVisit.objects.editable_by(request.user)
    record = cast(
        "FollowUpAction | Finding",
        get_object_or_404(model.objects.filter(visit__in=visits), pk=pk),
    )
    if request.method == "POST":
        form = forms.DoneForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors)
            record_done(request.user, record, form.cleaned_data["done_on"], request=request)
        except StaleVersion:  # before ValidationError, which it is a kind of
            messages.warning(request, texts[0])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, texts[1])
    return redirect("fieldwork:visit", visit_id=record.visit_id)


@login_required
def complete_action(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    """Mark a follow-up action done on the day given."""
    return _mark_done(
        request,
        FollowUpAction,
        action_id,
        services.complete_action,
        (_("This action was already marked done."), _("The action is done.")),
    )


@login_required
def resolve_finding(request: AuthenticatedRequest, finding_id: int) -> HttpResponse:
    """Record that a finding was resolved (it leaves the prison's open findings)."""
    return _mark_done(
        request,
        Finding,
        finding_id,
        services.resolve_finding,
        (_("This finding was already resolved."), _("The finding is resolved.")),
    )


@login_required
@require_safe
def prison_detail(request: AuthenticatedRequest, code: str) -> HttpResponse:
    """A prison's visit history (paged), its open findings and open access incidents."""
    require(request.user, Capability.VIEW_REGISTER)
    prison = get_object_or_404(_prisons(request.user), code=code)
    page = _page_of_visits(request, prison)
    return render(
        request,
        "fieldwork/prison_detail.html",
        {
            "prison": prison,
            "findings": queries.open_findings(request.user, prison),
            "incidents": list(
                queries.incidents(request.user, open_only=True).filter(prison=prison)
            ),
            **paging(request, page),
        },
    )


# Access incidents


@login_required
def new_incident(request: AuthenticatedRequest) -> HttpResponse:
    """Record an access incident, alone or from a visit (`?visit=`), which fills it in."""
    require(request.user, Capability.RECORD_FIELDWORK)
    visit = None
    visit_id = request.GET.get("visit") or request.POST.get("visit")
    if visit_id:
        if not str(visit_id).isdigit():
            raise Http404
        visit = get_object_or_404(
            PrisonVisit.objects.editable_by(request.user).select_related("prison"), pk=visit_id
        )
    initial: dict[str, Any] = {"occurred_on": timezone.localdate()}
    if visit is not None:
        initial.update(prison=visit.prison.code, occurred_on=visit.visit_date)
    form = forms.IncidentForm(
        posted(request),
        initial=initial,
        options={"prison": [(p.code, p.display_name) for p in _prisons(request.user)]},
    )
    return form_page(
        request,
        form,
        lambda data: services.record_named_incident(
            request.user, form.action_input(), visit=visit, request=request
        ),
        done=_("The access incident has been recorded."),
        go_to=lambda incident: reverse("fieldwork:incident", args=[incident.pk]),
        template="fieldwork/incident_form.html",
        context={"visit": visit},
    )


@login_required
def incident_detail(request: AuthenticatedRequest, incident_id: int) -> HttpResponse:
    """One incident; its organisation records the escalation, response and restored access."""
    # A POST changes it: refused by role (403) before the record is looked up.
    writing = request.method == "POST"
    require(request.user, Capability.RECORD_FIELDWORK if writing else Capability.VIEW_REGISTER)
    incident = _shown(queries.incident_detail, request, incident_id)
    editable = (
        can(request.user, Capability.RECORD_FIELDWORK)
        and not incident.is_withdrawn
        and AccessIncident.objects.editable_by(request.user).filter(pk=incident.pk).exists()
    )
    form = None
    if editable:
        updatable = [name for name in forms.IncidentUpdateForm.base_fields if name != "version"]
        form = forms.IncidentUpdateForm(
            posted(request),
            initial={
                **{name: getattr(incident, name) for name in updatable},
                "version": incident.version,
            },
        )
        done = run_form_action(
            request,
            form,
            correction_call(
                services.update_incident,
                request,
                incident,
                lambda data: {name: data[name] for name in updatable},
            ),
            done=_("The incident has been saved."),
            go_to=reverse("fieldwork:incident", args=[incident.pk]),
        )
        if done is not None:
            return done
    elif writing:
        # Seen (a partner's) but not changeable: out of scope for a change, as elsewhere.
        raise Http404
    return render(request, "fieldwork/incident_detail.html", {"incident": incident, "form": form})


@login_required
def withdraw_incident(request: AuthenticatedRequest, incident_id: int) -> HttpResponse:
    """Withdraw an incident entered twice, with the reason; it stays readable on its page."""
    incident = _editable(request, AccessIncident, incident_id, "prison")
    return withdrawal_page(
        request,
        incident,
        services.withdraw_incident,
        heading=_("Withdraw the access incident at %(prison)s")
        % {"prison": incident.prison.display_name},
        go_to=reverse("fieldwork:incident", args=[incident.pk]),
    )


@login_required
@require_safe
def incident_overview(request: AuthenticatedRequest) -> HttpResponse:
    """The programme manager's page: open incidents, time to resolution, and incidents by
    prison and year."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    page = paged(
        queries.incidents(request.user, open_only=True),
        cursor(request),
        settings.MOTHERLINE_PAGE_SIZE,
    )
    years, by_prison = queries.incidents_by_prison_and_year(request.user)
    today = timezone.localdate()
    for incident in page.items:
        incident.days_open = (today - incident.occurred_on).days
    return render(
        request,
        "fieldwork/incident_overview.html",
        {
            "heading": _("Access incidents"),
            "resolution": queries.resolution(request.user),
            "years": years,
            "by_prison": by_prison,
            **paging(request, page),
        },
    )


# Training


@login_required
@require_safe
def training_list(request: AuthenticatedRequest) -> HttpResponse:
    """Training sessions, newest first, and totals by year and audience."""
    require(request.user, Capability.VIEW_REGISTER)
    page = paged(
        queries.training_sessions(request.user), cursor(request), settings.MOTHERLINE_PAGE_SIZE
    )
    return render(
        request,
        "fieldwork/training_list.html",
        {
            "totals": queries.training_totals(request.user),
            "audiences": Audience.choices,
            **paging(request, page),
        },
    )


@login_required
def new_training(request: AuthenticatedRequest) -> HttpResponse:
    """Record a session with its participants by institution and sex."""
    require(request.user, Capability.RECORD_FIELDWORK)
    if request.method == "POST":
        form = forms.TrainingForm(request.POST)
        rows = forms.ParticipantsFormSet(request.POST, prefix="p")
        if form.is_valid() and rows.is_valid():
            record = services.TrainingRecord(
                **form.cleaned_data,
                participants=[r for f in rows.forms if (r := f.row()) is not None],
            )
            try:
                session = services.record_training(request.user, record, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The training session has been recorded."))
                return redirect("fieldwork:training_session", session_id=session.pk)
    else:
        form = forms.TrainingForm(initial={"held_on": timezone.localdate()})
        rows = forms.ParticipantsFormSet(prefix="p")
    context = {
        "form": form,
        "rows": rows,
        "heading": _("Record a training session"),
        "submit_label": _("Record the session"),
        "cancel_url": reverse("fieldwork:training"),
    }
    return render(request, "fieldwork/training_form.html", context)


@login_required
@require_safe
def training_detail(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    require(request.user, Capability.VIEW_REGISTER)
    session = _shown(queries.training_detail, request, session_id)
    editable = (
        not session.is_withdrawn
        and TrainingSession.objects.editable_by(request.user).filter(pk=session.pk).exists()
    )
    return render(
        request, "fieldwork/training_detail.html", {"session": session, "may_edit": editable}
    )


TrainingCorrectionForm = form_for(
    TrainingChanges,
    model=TrainingSession,
    required=("audience", "held_on", "place", "topics"),
    exclude=("participants",),
)


@login_required
def correct_training(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """Correct a training session: its details, and its participants by institution (every
    row; a row left empty is removed)."""
    session = _editable(request, TrainingSession, session_id)
    recorded = [(p.institution, p.women, p.men) for p in session.participants.all()]
    rows = forms.ParticipantsFormSet(
        posted(request),
        prefix="p",
        initial=[{"institution": n, "women": w, "men": m} for n, w, m in recorded],
    )

    def participants() -> dict[str, Any]:
        if not rows.is_valid():
            raise ValidationError({"participants": [_("Correct the rows of participants.")]})
        typed = [row for f in rows.forms if (row := f.row()) is not None]
        return {"participants": typed} if typed != recorded else {}

    return correction_page(
        request,
        session,
        TrainingCorrectionForm,
        services.correct_training,
        more=participants,
        done=_("The training session has been corrected."),
        go_to=reverse("fieldwork:training_session", args=[session.pk]),
        heading=_("Correct the training session"),
        lead=_(
            "What you change is kept on the audit trail. Empty a row of participants to remove it."
        ),
        template="fieldwork/training_form.html",
        context={"rows": rows},
    )


@login_required
def withdraw_training(request: AuthenticatedRequest, session_id: int) -> HttpResponse:
    """Withdraw a session entered twice, with the reason; it stays readable on its page."""
    session = _editable(request, TrainingSession, session_id)
    return withdrawal_page(
        request,
        session,
        services.withdraw_training,
        heading=_("Withdraw the training session of %(day)s")
        % {"day": format_day(session.held_on)},
        go_to=reverse("fieldwork:training_session", args=[session.pk]),
    )


# Case studies


@login_required
@require_safe
def case_list(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.VIEW_REGISTER)
    page = paged(queries.case_studies(request.user), cursor(request), settings.MOTHERLINE_PAGE_SIZE)
    audit.record_list(
        request.user,
        "fieldwork.CaseStudy",
        [case.reference for case in page.items],
        request=request,
    )
    jurisdiction = Jurisdiction.objects.of_user(request.user)
    languages = jurisdiction.languages_of_documents() if jurisdiction else ["en"]
    context = {
        "heading": _("Case studies"),
        **paging(request, page),
        "document_languages": languages,
    }
    return render(request, "fieldwork/case_list.html", context)


@login_required
def new_case(request: AuthenticatedRequest) -> HttpResponse:
    """Draft a case study, from a woman's record (`?woman=`) or from none."""
    require(request.user, Capability.RECORD_FIELDWORK)
    reference = request.GET.get("woman", "")
    woman = None
    if reference:
        woman = get_object_or_404(Woman.objects.editable_by(request.user), reference=reference)
    language = local.language_of_organisation(request.user.organisation_id)
    form = forms.CaseTextForm(posted(request), language=language)
    children = list(woman.children.all()) if woman else []
    return form_page(
        request,
        form,
        lambda data: services.draft_case_study(
            request.user, form.text(), woman=woman, children=children, request=request
        ),
        done=_("The case study has been drafted."),
        go_to=lambda case: reverse("fieldwork:case", args=[case.pk]),
        template="fieldwork/case_form.html",
        context={"woman": woman},
    )


@login_required
@require_safe
def case_detail(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    """A case study, its texts, where it is in the workflow and what the next step needs."""
    require(request.user, Capability.VIEW_REGISTER)
    case = _shown(queries.case_detail, request, case_id)
    woman = (
        Woman.objects.visible_to(request.user).filter(pk=case.woman_id).first()
        if case.woman_id
        else None
    )
    audit.record(request.user, AuditAction.VIEW, case, object_ref=case.reference, request=request)
    if woman is not None:
        audit.record(request.user, AuditAction.VIEW, woman, request=request)
    editable = CaseStudy.objects.editable_by(request.user).filter(pk=case.pk).exists()
    return render(
        request,
        "fieldwork/case_detail.html",
        {
            "case": case,
            "woman": woman,
            "may_edit": editable,
            "consent_form": forms.ConsentForm(initial={"consent_on": timezone.localdate()}),
        },
    )


@login_required
def edit_case(request: AuthenticatedRequest, case_id: int) -> HttpResponse:
    case = _editable(request, CaseStudy, case_id)
    texts = ("title_en", "narrative_en", "title_local", "narrative_local")
    form = forms.EditCaseTextForm(
        posted(request),
        language=case.local_language(),
        initial={
            **{name: getattr(case, name) for name in texts},
            "tags": ", ".join(case.tags),
            "version": case.version,
        },
    )
    done = run_form_action(
        request,
        form,
        lambda data: services.edit_case_text(
            request.user, case, form.text(), version=data["version"], request=request
        ),
        done=_("The case study has been saved."),
        go_to=reverse("fieldwork:case", args=[case.pk]),
    )
    return done or render(request, "fieldwork/case_form.html", {"form": form, "case": case})


@login_required
def case_step(request: AuthenticatedRequest, case_id: int, step: str) -> HttpResponse:
    """One step of the workflow (POST): consent, anonymise, review, publish, withdraw."""
    if step not in services.CASE_STEPS:
        raise Http404
    require(request.user, services.CASE_STEPS[step])
    case = get_object_or_404(CaseStudy.objects.editable_by(request.user), pk=case_id)
    if request.method != "POST":
        return redirect("fieldwork:case", case_id=case.pk)
    form = (forms.ConsentForm if step == "consent" else forms.StepForm)(request.POST)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, str(message))
        return redirect("fieldwork:case", case_id=case.pk)
    try:
        services.take_case_step(request.user, case, step, form.action_input(), request=request)
    except StaleVersion:  # before ValidationError, which it is a kind of
        messages.warning(request, STALE)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done: the case study moved to its next step."))
    return redirect("fieldwork:case", case_id=case.pk)


@login_required
@require_safe
def case_booklet(request: AuthenticatedRequest) -> HttpResponse:
    """The published case studies as a PDF booklet for a training session, in a language of
    the user's jurisdiction's documents: only anonymised, reviewed texts, so it names
    nobody. A story is told in the booklet's language where it has that text."""
    require(request.user, Capability.VIEW_REGISTER)
    language = request.GET.get("language", "en")
    jurisdiction = Jurisdiction.objects.of_user(request.user)
    if jurisdiction is None or jurisdiction.document_language_problem(language):
        raise Http404
    cases = queries.published_case_studies(request.user)
    content = render_pdf(
        "fieldwork/case_booklet_pdf.html",
        {"cases": cases, "today": timezone.localdate()},
        language,
    )
    audit.record(
        request.user,
        AuditAction.EXPORT,
        object_type="fieldwork.CaseStudy",
        object_ref="booklet",
        changes={"language": language, "cases": [c.reference for c in cases]},
        request=request,
    )
    return attachment(content, "application/pdf", f"case-studies-{language}.pdf")


# Escalation contacts


@login_required
def escalation_contacts(request: AuthenticatedRequest) -> HttpResponse:
    """Whom the user's organisation tells of every new access incident."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    contacts = EscalationContact.objects.filter(organisation_id=organisation_id_of(request.user))
    form = forms.ContactForm(posted(request))
    return form_page(
        request,
        form,
        lambda data: services.add_escalation_contact(
            request.user, **form.action_input().model_dump(), request=request
        ),
        done=_("The contact has been added."),
        go_to=reverse("fieldwork:escalation"),
        template="fieldwork/escalation.html",
        context={"heading": _("Escalation contacts"), "contacts": contacts},
    )


@login_required
def remove_contact(request: AuthenticatedRequest, contact_id: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    contact = get_object_or_404(
        EscalationContact, pk=contact_id, organisation_id=request.user.organisation_id
    )
    if request.method == "POST":
        services.remove_escalation_contact(request.user, contact, request=request)
        messages.success(request, _("The contact has been removed."))
    return redirect("fieldwork:escalation")


# Field collection


@login_required
def import_upload(request: AuthenticatedRequest) -> HttpResponse:
    """Upload an export of phone submissions (visits or services): every refused row is
    listed with its line, field and reason, and then nothing is written."""
    require(request.user, Capability.RECORD_FIELDWORK)
    report = None
    form = forms.ImportForm(posted(request), posted_files(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        if kind == "services" and not can(request.user, Capability.EDIT_REGISTER):
            raise PermissionDenied
        try:
            rows = importing.read_rows(upload, upload.name)
        except FileRefused as exc:
            form.add_error("file", exc.located())
        else:
            report = importing.IMPORTERS[kind](request.user, rows)
            if report.ok:
                messages.success(
                    request,
                    _("%(created)s imported, %(skipped)s already imported.")
                    % {"created": report.created, "skipped": report.skipped},
                )
    return render(
        request,
        "fieldwork/import.html",
        {"heading": _("Import phone submissions"), "form": form, "report": report},
    )


def woman_visits_section(
    sender: Any, *, woman: Woman, user: User, today: Any, **kwargs: Any
) -> PageSection | None:
    """The prison visits where she was seen, that the user may see: a section of her page
    (receiver of `people.signals.woman_page_sections`)."""
    visits = list(
        PrisonVisit.objects.visible_to(user)
        .current()
        .filter(women=woman)
        .select_related("prison", "organisation")
        .order_by("-visit_date", "-id")[:20]
    )
    return PageSection(template="fieldwork/_woman_visits.html", context={"visits": visits}, order=5)
