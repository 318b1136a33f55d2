"""Pages of grants (programme managers) and service deliveries (whoever keeps the women's
records). Each view checks the capability (403) and finds the record within the user's
scope (404); POSTs go through `grants.services`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability, can, may_edit, require
from motherline.core.actions import (
    AUDITED,
    correction_page,
    form_for,
    form_page,
    run_form_action,
    service_call,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.core.paging import cursor, paging
from motherline.grants import forms, queries, report, services
from motherline.grants.actions import (
    GRANT_CORRECTABLE,
    LINE_CORRECTABLE,
    DeliveryChanges,
    GrantChanges,
    LineChanges,
)
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people.models import Woman
from motherline.people.queries import paged
from motherline.records.pages import withdrawal_page
from motherline.reports.download import attachment


def _grant(request: AuthenticatedRequest, grant_id: int) -> Grant:
    # With its jurisdiction: the donor report's languages are its documents' languages.
    grants = queries.grants_for(request.user).select_related("organisation__jurisdiction")
    return get_object_or_404(grants, pk=grant_id)


def _editable_grant(request: AuthenticatedRequest, grant_id: int) -> Grant:
    """A grant the user may change: the role first (403), then the organisation's grants
    (404 outside them)."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    return get_object_or_404(Grant.objects.editable_by(request.user), pk=grant_id)


@login_required
@require_safe
def grant_list(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    page = paged(queries.grants_for(request.user), cursor(request), settings.MOTHERLINE_PAGE_SIZE)
    return render(
        request, "grants/grant_list.html", {"heading": _("Grants"), **paging(request, page)}
    )


@login_required
def new_grant(request: AuthenticatedRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    form = forms.GrantForm(
        posted(request),
        initial={"currency": "USD"},
        options={"grantees": forms.organisation_choices()},
    )
    return form_page(
        request,
        form,
        lambda data: services.create_grant(
            request.user, services.grant_values(form.action_input()), request=request
        ),
        done=_("The grant has been recorded: add its budget lines."),
        go_to=lambda grant: reverse("grants:detail", args=[grant.pk]),
        template="grants/grant_form.html",
    )


def _detail(request: AuthenticatedRequest, grant: Grant, line_form: Any = None) -> HttpResponse:
    today = timezone.localdate()
    figures = queries.grant_report(grant)
    editable = Grant.objects.editable_by(request.user).filter(pk=grant.pk).exists()
    return render(
        request,
        "grants/grant_detail.html",
        {
            "grant": grant,
            "report": figures,
            "may_edit": editable,
            "line_form": line_form or (forms.BudgetLineForm() if editable else None),
            "report_form": forms.ReportForm(
                languages=grant.organisation.jurisdiction.languages_of_documents(),
                initial={
                    "start": grant.starts_on,
                    "end": min(grant.ends_on, today),
                    "language": request.LANGUAGE_CODE,
                    "format": "pdf",
                },
            ),
        },
    )


@login_required
@require_safe
def grant_detail(request: AuthenticatedRequest, grant_id: int) -> HttpResponse:
    """Spending against budget by line and month, and beneficiaries reached."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    return _detail(request, _grant(request, grant_id))


@login_required
def add_line(request: AuthenticatedRequest, grant_id: int) -> HttpResponse:
    grant = _editable_grant(request, grant_id)
    if request.method != "POST":
        return redirect("grants:detail", grant_id=grant.pk)
    form = forms.BudgetLineForm(request.POST)
    done = run_form_action(
        request,
        form,
        service_call(services.add_budget_line, request, grant),
        done=_("The budget line has been added."),
        go_to=reverse("grants:detail", args=[grant.pk]),
    )
    return done or _detail(request, grant, form)


GrantCorrectionForm = form_for(GrantChanges, model=Grant, required=GRANT_CORRECTABLE)


@login_required
def correct_grant(request: AuthenticatedRequest, grant_id: int) -> HttpResponse:
    """Correct a grant's details: the form shows them as recorded; what differs is saved,
    from the version read."""
    grant = _editable_grant(request, grant_id)
    return correction_page(
        request,
        grant,
        GrantCorrectionForm,
        services.correct_grant,
        done=_("The grant's details have been corrected."),
        go_to=reverse("grants:detail", args=[grant.pk]),
        heading=_("Correct the grant's details"),
        lead=f"{_('Grant from %(donor)s.') % {'donor': grant.donor}} {AUDITED}",
    )


LineCorrectionForm = form_for(LineChanges, model=BudgetLine, required=LINE_CORRECTABLE)


@login_required
def correct_line(request: AuthenticatedRequest, grant_id: int, line_id: int) -> HttpResponse:
    """Correct a budget line's code, name or budget, from the version read."""
    grant = _editable_grant(request, grant_id)
    line = get_object_or_404(BudgetLine.objects.filter(grant=grant), pk=line_id)
    about = _("Budget line of the grant from %(donor)s.") % {"donor": grant.donor}
    return correction_page(
        request,
        line,
        LineCorrectionForm,
        services.correct_budget_line,
        done=_("The budget line has been corrected."),
        go_to=reverse("grants:detail", args=[grant.pk]) + "#lines",
        heading=_("Correct the budget line %(code)s") % {"code": line.code},
        lead=f"{about} {AUDITED}",
        # A line has no reference of its own: the page names its grant's.
        context={"reference": grant.reference},
    )


@login_required
@require_safe
def donor_report(request: AuthenticatedRequest, grant_id: int) -> HttpResponse:
    """The donor report for a period, as PDF or XLSX, in a language of its jurisdiction's
    documents."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    grant = _grant(request, grant_id)
    languages = grant.organisation.jurisdiction.languages_of_documents()
    form = forms.ReportForm(request.GET, languages=languages)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("grants:detail", grant_id=grant.pk)
    data = form.cleaned_data
    figures = queries.grant_report(grant, data["start"], data["end"])
    if data["format"] == "xlsx":
        content = report.report_xlsx(figures, data["language"])
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = report.report_pdf(figures, data["language"])
        kind = "application/pdf"
    audit.record(
        request.user,
        AuditAction.EXPORT,
        grant,
        changes={
            "period": [data["start"].isoformat(), data["end"].isoformat()],
            "language": data["language"],
            "format": data["format"],
        },
        request=request,
    )
    period = f"{data['start']:%Y%m%d}-{data['end']:%Y%m%d}"
    name = f"donor-report-{grant.reference}-{period}-{data['language']}.{data['format']}"
    return attachment(content, kind, name)


# Service deliveries


@login_required
@require_safe
def delivery_list(request: AuthenticatedRequest) -> HttpResponse:
    """Service deliveries the user may see, by date newest first, optionally of one woman."""
    require(request.user, Capability.VIEW_REGISTER)
    woman = request.GET.get("woman", "").strip()
    page = queries.deliveries_page(
        queries.deliveries_for(request.user, woman_reference=woman).current(),
        request.GET.get("after", "")[:40],
        settings.MOTHERLINE_PAGE_SIZE,
    )
    # The list names the women by reference: reading it is a read of their records.
    audit.record_list(
        request.user,
        "grants.ServiceDelivery",
        [delivery.woman.reference if delivery.woman else "" for delivery in page.items],
        request=request,
        changes={"woman": woman[:64]} if woman else None,
    )
    return render(
        request,
        "grants/delivery_list.html",
        {"heading": _("Services delivered"), "woman": woman, **paging(request, page, woman=woman)},
    )


@login_required
def new_delivery(request: AuthenticatedRequest) -> HttpResponse:
    """Record a service to a woman and/or her child (`?woman=` fills her in)."""
    require(request.user, Capability.EDIT_REGISTER)
    user = request.user
    form = forms.DeliveryForm(
        posted(request),
        initial={
            "woman": request.GET.get("woman", ""),
            "delivered_on": timezone.localdate(),
            "provider": user.organisation.name if user.organisation else "",
            "to_woman": True,
            "quantity": 1,
        },
        grants=queries.chargeable_grants(user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            delivery_in = form.action_input()
            woman = Woman.objects.editable_by(user).filter(reference=delivery_in.woman).first()
            if woman is None:
                raise ValidationError({"woman": _("No woman you may change has this reference.")})
            values = services.delivery_values(user, woman, delivery_in)
            delivery = services.record_delivery(user, woman, values, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The service has been recorded (%(ref)s).") % {"ref": delivery.reference}
            )
            return redirect(f"{reverse('grants:deliveries')}?woman={woman.reference}")
    return render(request, "grants/delivery_form.html", {"form": form})


def _visible_delivery(request: AuthenticatedRequest, delivery_id: int) -> ServiceDelivery:
    return get_object_or_404(
        queries.deliveries_for(request.user).select_related("withdrawn_by"), pk=delivery_id
    )


def _editable_delivery(request: AuthenticatedRequest, delivery_id: int) -> ServiceDelivery:
    """A delivery the user sees (404 otherwise) and may change: a partner who reads her
    record read-only is refused (403)."""
    require(request.user, Capability.EDIT_REGISTER)
    delivery = _visible_delivery(request, delivery_id)
    if not may_edit(request.user, delivery.woman):
        raise PermissionDenied
    if request.method == "GET":
        # The form shows her record's service and her children: a read of her record.
        audit.record(
            request.user, AuditAction.VIEW, delivery, object_ref=delivery.reference, request=request
        )
    return delivery


@login_required
@require_safe
def delivery_detail(request: AuthenticatedRequest, delivery_id: int) -> HttpResponse:
    """One service delivered, a withdrawn one too (marked so). On the audit trail."""
    require(request.user, Capability.VIEW_REGISTER)
    delivery = _visible_delivery(request, delivery_id)
    audit.record(
        request.user, AuditAction.VIEW, delivery, object_ref=delivery.reference, request=request
    )
    editable = (
        not delivery.is_withdrawn
        and can(request.user, Capability.EDIT_REGISTER)
        and may_edit(request.user, delivery.woman)
    )
    return render(
        request, "grants/delivery_detail.html", {"delivery": delivery, "may_edit": editable}
    )


DeliveryCorrectionForm = form_for(
    DeliveryChanges,
    model=ServiceDelivery,
    required=("service_type", "delivered_on", "quantity", "cost"),
)


def _delivery_choices(request: AuthenticatedRequest, delivery: ServiceDelivery) -> dict[str, Any]:
    """The schema bounds the values; the page offers her children, the grants the user may
    charge and their lines (the delivery's grant first)."""
    children = delivery.woman.children.order_by("reference")
    grants = list(queries.chargeable_grants(request.user).prefetch_related("budget_lines"))
    grants.sort(key=lambda g: g.pk != delivery.grant_id)
    lines = [
        (g.reference, [(x.code, f"{x.code} {x.name}") for x in g.budget_lines.all()])
        for g in grants
    ]
    return {
        "child": [("", "—"), *((c.reference, f"{c.reference} {c.name}".strip()) for c in children)],
        "grant": [("", "—"), *((g.reference, f"{g.reference} · {g.donor}") for g in grants)],
        "budget_line": [("", "—"), *lines],
    }


@login_required
def correct_delivery(request: AuthenticatedRequest, delivery_id: int) -> HttpResponse:
    """Correct a service delivered: the form shows it as recorded; what differs is saved,
    from the version read."""
    delivery = _editable_delivery(request, delivery_id)
    about = _("Service to %(woman)s.") % {"woman": delivery.woman.reference}
    return correction_page(
        request,
        delivery,
        DeliveryCorrectionForm,
        services.correct_delivery,
        shown={
            "child": delivery.child.reference if delivery.child else "",
            "grant": delivery.grant.reference if delivery.grant else "",
            "budget_line": delivery.budget_line.code if delivery.budget_line else "",
        },
        choices=_delivery_choices(request, delivery),
        done=_("The service has been corrected."),
        go_to=reverse("grants:delivery", args=[delivery.pk]),
        heading=_("Correct the service"),
        lead=f"{about} {AUDITED}",
    )


@login_required
def withdraw_delivery(request: AuthenticatedRequest, delivery_id: int) -> HttpResponse:
    """Withdraw a service entered twice, with the reason; it stays readable on its page."""
    delivery = _editable_delivery(request, delivery_id)
    return withdrawal_page(
        request,
        delivery,
        services.withdraw_delivery,
        heading=_("Withdraw the service %(ref)s") % {"ref": delivery.reference},
        go_to=reverse("grants:delivery", args=[delivery.pk]),
    )
