"""Pages of grants (programme managers) and service deliveries (whoever keeps the women's
records). Each view checks the capability (403) and finds the record within the user's
scope (404); POSTs go through `grants.services`."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability, require
from motherline.core.forms import add_service_errors, posted
from motherline.fieldwork.queries import paged
from motherline.grants import forms, queries, report, services
from motherline.grants.models import Grant
from motherline.people.models import Child, Woman


def _cursor(request: HttpRequest) -> int | None:
    value = request.GET.get("after", "")
    return int(value) if value.isdigit() else None


def _paging(request: HttpRequest, page: Any, **query: str) -> dict[str, Any]:
    base = {k: v for k, v in query.items() if v}
    return {
        "page": page,
        "next_url": "?" + urlencode({**base, "after": page.next_cursor})
        if page.next_cursor
        else None,
        "first_url": "?" + urlencode(base) if request.GET.get("after") else None,
    }


def _grant(request: HttpRequest, grant_id: int) -> Grant:
    # With its jurisdiction: the donor report's languages are its documents' languages.
    grants = queries.grants_for(request.user).select_related("organisation__jurisdiction")
    return get_object_or_404(grants, pk=grant_id)


@login_required
@require_safe
def grant_list(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    page = paged(queries.grants_for(request.user), _cursor(request), settings.MOTHERLINE_PAGE_SIZE)
    return render(request, "grants/grant_list.html", _paging(request, page))


@login_required
def new_grant(request: HttpRequest) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    form = forms.GrantForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.create_grant(
                request.user, services.GrantValues(**form.cleaned_data), request=request
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The grant has been recorded: add its budget lines."))
            return redirect("grants:detail", grant_id=grant.pk)
    return render(request, "grants/grant_form.html", {"form": form})


def _detail(request: HttpRequest, grant: Grant, line_form: Any = None) -> HttpResponse:
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
def grant_detail(request: HttpRequest, grant_id: int) -> HttpResponse:
    """Spending against budget by line and month, and beneficiaries reached."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    return _detail(request, _grant(request, grant_id))


@login_required
def add_line(request: HttpRequest, grant_id: int) -> HttpResponse:
    require(request.user, Capability.MANAGE_PROGRAMME)
    grant = get_object_or_404(Grant.objects.editable_by(request.user), pk=grant_id)
    if request.method != "POST":
        return redirect("grants:detail", grant_id=grant.pk)
    form = forms.BudgetLineForm(request.POST)
    if form.is_valid():
        try:
            services.add_budget_line(request.user, grant, **form.cleaned_data, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The budget line has been added."))
            return redirect("grants:detail", grant_id=grant.pk)
    return _detail(request, grant, form)


@login_required
@require_safe
def donor_report(request: HttpRequest, grant_id: int) -> HttpResponse:
    """The donor report for a period, as PDF or XLSX, in a language of its jurisdiction's
    documents."""
    require(request.user, Capability.MANAGE_PROGRAMME)
    grant = _grant(request, grant_id)
    languages = grant.organisation.jurisdiction.languages_of_documents()
    form = forms.ReportForm(request.GET, languages=languages)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
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
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Service deliveries


@login_required
@require_safe
def delivery_list(request: HttpRequest) -> HttpResponse:
    """Service deliveries the user may see, by date newest first, optionally of one woman."""
    require(request.user, Capability.VIEW_REGISTER)
    woman = request.GET.get("woman", "").strip()
    page = queries.deliveries_page(
        queries.deliveries_for(request.user, woman_reference=woman),
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
        {"woman": woman, **_paging(request, page, woman=woman)},
    )


@login_required
def new_delivery(request: HttpRequest) -> HttpResponse:
    """Record a service to a woman and/or her child (`?woman=` fills her in)."""
    require(request.user, Capability.EDIT_REGISTER)
    grants = queries.chargeable_grants(request.user)
    if request.method == "POST":
        form = forms.DeliveryForm(request.POST, grants=grants)
        if form.is_valid():
            data = form.cleaned_data
            woman = Woman.objects.editable_by(request.user).filter(reference=data["woman"]).first()
            child = None
            if woman is not None and data["child"]:
                child = Child.objects.filter(mother=woman, reference=data["child"]).first()
                if child is None:
                    form.add_error("child", _("She has no child with this reference."))
            if woman is None:
                form.add_error("woman", _("No woman you may change has this reference."))
            if form.is_valid() and woman is not None:
                values = services.DeliveryValues(
                    **{k: v for k, v in data.items() if k not in ("woman", "child")}, child=child
                )
                try:
                    delivery = services.record_delivery(
                        request.user, woman, values, request=request
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("The service has been recorded (%(ref)s).") % {"ref": delivery.reference},
                    )
                    return redirect(f"{reverse('grants:deliveries')}?woman={woman.reference}")
    else:
        initial = {
            "woman": request.GET.get("woman", ""),
            "delivered_on": timezone.localdate(),
            "provider": request.user.organisation_id,
            "to_woman": True,
        }
        form = forms.DeliveryForm(initial=initial, grants=grants)
    return render(request, "grants/delivery_form.html", {"form": form})
