"""Grants, budget lines, the donor report, and services delivered to women and children.

Grants are read and changed by programme managers of the managing organisation
(`accounts.policy.scope_organisation`); service deliveries are personal records, seen and
recorded exactly as their woman's record is (`accounts.policy.WOMAN_PATHS`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_record, editable_woman
from motherline.api.routes import corrected, page_of, read, withdrawn
from motherline.api.schemas import (
    INT_MAX,
    DocumentLanguage,
    ListPage,
    OnWomanOrChild,
    RecordId,
    Reference,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.grants import queries, report, services
from motherline.grants.actions import (
    DeliveryChanges,
    DeliveryIn,
    GrantChanges,
    GrantIn,
    LineChanges,
    LineIn,
)
from motherline.grants.models import (
    BudgetLine,
    Grant,
    ServiceDelivery,
    ServiceType,
)
from motherline.records.withdrawal import Withdrawal, WithdrawnOut
from motherline.reports.download import attachment

router = Router(tags=["grants and services"])


class GrantOut(Schema):
    id: int
    reference: str
    organisation: str = Field(alias="organisation.name")
    donor: str
    amount: Decimal
    currency: str
    starts_on: date
    ends_on: date
    purpose: str
    version: int


class GrantList(ListPage):
    items: list[GrantOut]


class LineOut(Schema):
    id: int
    version: int
    code: str
    name: str
    budget: Decimal
    spent: Decimal
    spent_to_date: Decimal
    remaining: Decimal


class MonthOut(Schema):
    month: date
    by_line: list[Decimal] = Field(description="In the order of `lines`.")
    total: Decimal


class ReachOut(Schema):
    women: int
    children: int
    pregnant_women: int
    deliveries: int
    cost: Decimal


class FiguresOut(Schema):
    grant: GrantOut
    start: date
    end: date
    lines: list[LineOut]
    unallocated: Decimal
    months: list[MonthOut]
    reach: ReachOut


class PeriodQuery(Schema):
    start: date | None = None
    end: date | None = None


class ReportQuery(Schema):
    start: date
    end: date
    language: DocumentLanguage = "en"
    format: Literal["pdf", "xlsx"] = "pdf"


class DeliveryOut(WithdrawnOut, OnWomanOrChild):
    id: int
    reference: str
    woman: str = Field(alias="woman.reference")
    to_woman: bool
    child: str | None
    service_type: ServiceType
    delivered_on: date
    quantity: int
    cost: Decimal
    grant: str | None
    budget_line: str | None
    provider: str = Field(alias="provider.name")
    notes: str
    version: int

    @staticmethod
    def resolve_grant(obj: ServiceDelivery) -> str | None:
        return obj.grant.reference if obj.grant else None

    @staticmethod
    def resolve_budget_line(obj: ServiceDelivery) -> str | None:
        return obj.budget_line.code if obj.budget_line else None


class DeliveryList(ListPage):
    items: list[DeliveryOut]


class DeliveryQuery(Schema):
    woman: Reference = Field("", description="Reference of one woman.")
    after: int | None = Field(None, ge=1, le=INT_MAX)
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class GrantQuery(Schema):
    after: int | None = Field(None, ge=1, le=INT_MAX)
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


def _grant(user: User, grant_id: int) -> Grant:
    return get_object_or_404(queries.grants_for(user), pk=grant_id)


@router.get(
    "/grants",
    response=GrantList,
    url_name="grants",
    summary="List grants",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def list_grants(request: AuthenticatedRequest, query: Query[GrantQuery]) -> dict[str, Any]:
    """Grants your organisation manages (or that partners share with it), newest first."""
    user = request.user
    return page_of(queries.grants_for(user), query.after, query.size)


@router.post(
    "/grants",
    response={201: GrantOut},
    url_name="grants",
    summary="Record a grant",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def create_grant(request: AuthenticatedRequest, payload: GrantIn) -> Status:
    """A grant managed by your organisation; add its budget lines next."""
    user = request.user
    grant = services.create_grant(user, services.grant_values(payload), request=request)
    return Status(201, queries.grants_for(user).get(pk=grant.pk))


@router.get(
    "/grants/{grant_id}",
    response=FiguresOut,
    url_name="grant",
    summary="A grant's figures",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def grant_figures(
    request: AuthenticatedRequest, grant_id: RecordId, period: Query[PeriodQuery]
) -> Any:
    """Spending against budget by line and month, and beneficiaries reached (each woman and
    child once; women pregnant on the day of a service), for a period (default: the grant's)."""
    user = request.user
    return queries.grant_report(_grant(user, grant_id), period.start, period.end)


@router.patch(
    "/grants/{grant_id}",
    response=GrantOut,
    url_name="grant",
    summary="Correct a grant",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def correct_grant(
    request: AuthenticatedRequest, grant_id: RecordId, payload: GrantChanges
) -> Grant:
    """Correct a grant's reference, donor, amount, currency, period or purpose: only the
    fields sent change. Its amount stays at least its budget lines' total and its period
    around the services charged to it (422). Send the `version` last read; a change made
    since is refused with HTTP 409. Only the managing organisation corrects it (404)."""
    user = request.user
    grant = editable_record(Grant, user, grant_id)
    corrected(request, services.correct_grant, grant, payload)
    return queries.grants_for(user).get(pk=grant.pk)


@router.patch(
    "/grants/{grant_id}/lines/{line_id}",
    response=LineOut,
    url_name="grant_line",
    summary="Correct a budget line",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def correct_line(
    request: AuthenticatedRequest, grant_id: RecordId, line_id: RecordId, payload: LineChanges
) -> Any:
    """Correct a budget line's code, name or budget: only the fields sent change; the
    lines together may not exceed the grant (422). Send the `version` last read; a change
    made since is refused with HTTP 409."""
    user = request.user
    grant = editable_record(Grant, user, grant_id)
    line = get_object_or_404(BudgetLine.objects.filter(grant=grant), pk=line_id)
    corrected(request, services.correct_budget_line, line, payload)
    return next(s for s in queries.spending_by_line(grant) if s.id == line.pk)


@router.post(
    "/grants/{grant_id}/lines",
    response={201: LineOut},
    url_name="grant_lines",
    summary="Add a budget line",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def add_line(request: AuthenticatedRequest, grant_id: RecordId, payload: LineIn) -> Status:
    """A budget line; the lines together may not exceed the grant (422)."""
    user = request.user
    grant = _grant(user, grant_id)
    line = services.add_budget_line(user, grant, **payload.model_dump(), request=request)
    zero = Decimal("0.00")
    return Status(
        201,
        {
            "id": line.pk,
            "version": line.version,
            "code": line.code,
            "name": line.name,
            "budget": line.amount,
            "spent": zero,
            "spent_to_date": zero,
            "remaining": line.amount,
        },
    )


@router.get(
    "/grants/{grant_id}/report",
    url_name="grant_report",
    summary="Donor report",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def donor_report(
    request: AuthenticatedRequest, grant_id: RecordId, query: Query[ReportQuery]
) -> HttpResponse:
    """The donor report for a period as PDF or XLSX, in a language of its jurisdiction's
    documents (the pack's `document_languages`)."""
    user = request.user
    grant = _grant(user, grant_id)
    if query.end < query.start:
        raise ValidationError({"end": [_("The period cannot end before it starts.")]})
    problem = grant.organisation.jurisdiction.document_language_problem(query.language)
    if problem:
        raise ValidationError({"language": [problem]})
    figures = queries.grant_report(grant, query.start, query.end)
    if query.format == "xlsx":
        content = report.report_xlsx(figures, query.language)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content = report.report_pdf(figures, query.language)
        kind = "application/pdf"
    audit.record(
        user,
        AuditAction.EXPORT,
        grant,
        request=request,
        changes={
            "period": [query.start.isoformat(), query.end.isoformat()],
            "language": query.language,
            "format": query.format,
        },
    )
    return attachment(content, kind, f"donor-report-{grant.reference}.{query.format}")


@router.get(
    "/services",
    response=DeliveryList,
    url_name="services",
    summary="List services",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_deliveries(request: AuthenticatedRequest, query: Query[DeliveryQuery]) -> dict[str, Any]:
    """Services delivered to the women you may see and their children, newest first."""
    user = request.user
    audit.record(
        user,
        AuditAction.VIEW,
        object_type="grants.ServiceDelivery",
        object_ref=query.woman or "list",
        request=request,
    )
    return page_of(
        queries.deliveries_for(user, woman_reference=query.woman).current(), query.after, query.size
    )


@router.post(
    "/services",
    response={201: DeliveryOut},
    url_name="services",
    summary="Record a service",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_delivery(request: AuthenticatedRequest, payload: DeliveryIn) -> Status:
    """A service to a woman, to her child, or both. Refused (422, on `delivered_on`) for a
    woman not in custody that day: released before it, or not yet admitted."""
    user = request.user
    woman = editable_woman(user, payload.woman)
    values = services.delivery_values(user, woman, payload)
    delivery = services.record_delivery(user, woman, values, request=request)
    return Status(201, queries.deliveries_for(user).get(pk=delivery.pk))


def _visible_delivery(user: User, delivery_id: int) -> ServiceDelivery:
    return get_object_or_404(queries.deliveries_for(user), pk=delivery_id)


@router.get(
    "/services/{delivery_id}",
    response=DeliveryOut,
    url_name="service",
    summary="Get a service",
    auth=Requires(Capability.VIEW_REGISTER),
)
def get_delivery(request: AuthenticatedRequest, delivery_id: RecordId) -> ServiceDelivery:
    """One service delivered, a withdrawn one too (`withdrawn_at`). On the audit trail."""
    return read(request, _visible_delivery(request.user, delivery_id))


@router.patch(
    "/services/{delivery_id}",
    response=DeliveryOut,
    url_name="service",
    summary="Correct a service",
    auth=Requires(Capability.EDIT_REGISTER),
)
def correct_delivery(
    request: AuthenticatedRequest, delivery_id: RecordId, payload: DeliveryChanges
) -> ServiceDelivery:
    """Correct a service's type, date, quantity, cost, recipients (`to_woman`, `child`),
    grant, budget line or notes: only the fields sent change (a null or empty `child`,
    `grant` or `budget_line` clears it). The checks of a new service apply. Send the
    `version` last read; a change made since is refused with HTTP 409. A partner who sees
    her record read-only is refused (403)."""
    user = request.user
    delivery = _visible_delivery(user, delivery_id)
    corrected(request, services.correct_delivery, delivery, payload)
    return _visible_delivery(user, delivery_id)


@router.post(
    "/services/{delivery_id}/withdrawal",
    response=DeliveryOut,
    url_name="service_withdrawal",
    summary="Withdraw a service entered twice",
    auth=Requires(Capability.EDIT_REGISTER),
)
def withdraw_delivery(
    request: AuthenticatedRequest, delivery_id: RecordId, payload: Withdrawal
) -> ServiceDelivery:
    """Withdraw a service entered twice, saying why (`reason`). It is not deleted: it stays
    readable here, marked withdrawn, and leaves the lists, the grant's figures and the donor
    report. Send the `version` last read (409 if it changed since)."""
    user = request.user
    delivery = _visible_delivery(user, delivery_id)
    withdrawn(request, services.withdraw_delivery, delivery, payload)
    return _visible_delivery(user, delivery_id)
