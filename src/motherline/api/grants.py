"""Grants, budget lines, the donor report, and services delivered to women and children.

Grants are read and changed by programme managers of the managing organisation
(`accounts.policy.scope_organisation`); service deliveries are personal records, seen and
recorded exactly as their woman's record is (`accounts.policy.WOMAN_PATHS`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints, WithJsonSchema

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Organisation
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, editable_woman
from motherline.api.schemas import (
    INT_MAX,
    LIST_MAX,
    DocumentLanguage,
    Note,
    RecordId,
    Reference,
    _max,
)
from motherline.fieldwork.queries import paged
from motherline.grants import queries, report, services
from motherline.grants.models import (
    QUANTITY_MAX,
    BudgetLine,
    Grant,
    ServiceDelivery,
    ServiceType,
)

ORGANISATION_NAME_MAX = _max(Organisation, "name")


def _money(max_digits: int, *, positive: bool) -> Any:
    """An amount of money with two decimals, sent as a number or a text ("100.00"), and
    described with its bounds (pydantic describes the text as any text)."""
    low = {"exclusiveMinimum": 0} if positive else {"minimum": 0}
    largest = float(10 ** (max_digits - 2))
    return Annotated[
        Decimal,
        Field(gt=0, max_digits=max_digits, decimal_places=2)
        if positive
        else Field(ge=0, max_digits=max_digits, decimal_places=2),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", **low, "exclusiveMaximum": largest},
                    {
                        "type": "string",
                        "maxLength": max_digits + 2,
                        "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
                    },
                ]
            }
        ),
    ]


GrantAmount = _money(14, positive=True)
LineAmount = _money(14, positive=False)
Cost = _money(12, positive=False)

router = Router(tags=["grants and services"])


class GrantIn(Schema):
    reference: str = Field(min_length=1, max_length=_max(Grant, "reference"))
    donor: str = Field(min_length=1, max_length=_max(Grant, "donor"))
    grantees: list[Annotated[str, StringConstraints(max_length=ORGANISATION_NAME_MAX)]] = Field(
        max_length=LIST_MAX, description="Names of the grantee organisations."
    )
    amount: GrantAmount
    currency: str = Field("USD", min_length=3, max_length=3)
    starts_on: date
    ends_on: date
    purpose: Note = Field(min_length=1)


class GrantOut(Schema):
    id: int
    reference: str
    organisation: str
    donor: str
    amount: Decimal
    currency: str
    starts_on: date
    ends_on: date
    purpose: str

    @staticmethod
    def resolve_organisation(obj: Grant) -> str:
        return obj.organisation.name


class GrantList(Schema):
    items: list[GrantOut]
    next_cursor: int | None
    total: int


class LineIn(Schema):
    code: str = Field(min_length=1, max_length=_max(BudgetLine, "code"))
    name: str = Field(min_length=1, max_length=_max(BudgetLine, "name"))
    amount: LineAmount


class LineOut(Schema):
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


class DeliveryIn(Schema):
    woman: Reference = Field(
        description="Reference of the woman (the mother, for a child's service)."
    )
    to_woman: bool = True
    child: Reference = Field("", description="Reference of her child who received it, if any.")
    service_type: ServiceType
    delivered_on: date
    quantity: int = Field(1, ge=1, le=QUANTITY_MAX)
    cost: Cost
    grant: str = Field("", max_length=_max(Grant, "reference"), description="Grant reference.")
    budget_line: str = Field(
        "", max_length=_max(BudgetLine, "code"), description="Code of a budget line of the grant."
    )
    provider: str = Field(
        "", max_length=ORGANISATION_NAME_MAX, description="Organisation name; yours when omitted."
    )
    notes: Note = ""


class DeliveryOut(Schema):
    id: int
    reference: str
    woman: str
    to_woman: bool
    child: str | None
    service_type: ServiceType
    delivered_on: date
    quantity: int
    cost: Decimal
    grant: str | None
    budget_line: str | None
    provider: str

    @staticmethod
    def resolve_woman(obj: ServiceDelivery) -> str:
        return obj.woman.reference

    @staticmethod
    def resolve_child(obj: ServiceDelivery) -> str | None:
        return obj.child.reference if obj.child else None

    @staticmethod
    def resolve_grant(obj: ServiceDelivery) -> str | None:
        return obj.grant.reference if obj.grant else None

    @staticmethod
    def resolve_budget_line(obj: ServiceDelivery) -> str | None:
        return obj.budget_line.code if obj.budget_line else None

    @staticmethod
    def resolve_provider(obj: ServiceDelivery) -> str:
        return obj.provider.name


class DeliveryList(Schema):
    items: list[DeliveryOut]
    next_cursor: int | None
    total: int


class DeliveryQuery(Schema):
    woman: Reference = Field("", description="Reference of one woman.")
    after: int | None = Field(None, ge=1, le=INT_MAX)
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


class GrantQuery(Schema):
    after: int | None = Field(None, ge=1, le=INT_MAX)
    size: int = Field(settings.MOTHERLINE_PAGE_SIZE, ge=1, le=200)


def _grant(user: Any, grant_id: int) -> Grant:
    return get_object_or_404(queries.grants_for(user), pk=grant_id)


def _page(qs: Any, after: int | None, size: int) -> dict[str, Any]:
    page = paged(qs, after, size)
    return {"items": page.items, "next_cursor": page.next_cursor, "total": page.total}


@router.get(
    "/grants",
    response=GrantList,
    url_name="grants",
    summary="List grants",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def list_grants(request: HttpRequest, query: Query[GrantQuery]) -> dict[str, Any]:
    """Grants your organisation manages (or that partners share with it), newest first."""
    user = request.user
    return _page(queries.grants_for(user), query.after, query.size)


@router.post(
    "/grants",
    response={201: GrantOut},
    url_name="grants",
    summary="Record a grant",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def create_grant(request: HttpRequest, payload: GrantIn) -> Status:
    """A grant managed by your organisation; add its budget lines next."""
    user = request.user
    grantees = list(Organisation.objects.filter(name__in=payload.grantees))
    unknown = sorted(set(payload.grantees) - {o.name for o in grantees})
    if unknown:
        raise ValidationError(
            {"grantees": [_("Unknown organisations: %(names)s") % {"names": ", ".join(unknown)}]}
        )
    values = services.GrantValues(**payload.model_dump(exclude={"grantees"}), grantees=grantees)
    grant = services.create_grant(user, values, request=request)
    return Status(201, queries.grants_for(user).get(pk=grant.pk))


@router.get(
    "/grants/{grant_id}",
    response=FiguresOut,
    url_name="grant",
    summary="A grant's figures",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def grant_figures(request: HttpRequest, grant_id: RecordId, period: Query[PeriodQuery]) -> Any:
    """Spending against budget by line and month, and beneficiaries reached (each woman and
    child once; women pregnant on the day of a service), for a period (default: the grant's)."""
    user = request.user
    return queries.grant_report(_grant(user, grant_id), period.start, period.end)


@router.post(
    "/grants/{grant_id}/lines",
    response={201: LineOut},
    url_name="grant_lines",
    summary="Add a budget line",
    auth=Requires(Capability.MANAGE_PROGRAMME),
)
def add_line(request: HttpRequest, grant_id: RecordId, payload: LineIn) -> Status:
    """A budget line; the lines together may not exceed the grant (422)."""
    user = request.user
    grant = _grant(user, grant_id)
    line = services.add_budget_line(user, grant, **payload.model_dump(), request=request)
    zero = Decimal("0.00")
    return Status(
        201,
        {
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
    request: HttpRequest, grant_id: RecordId, query: Query[ReportQuery]
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
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = (
        f'attachment; filename="donor-report-{grant.reference}.{query.format}"'
    )
    return response


@router.get(
    "/services",
    response=DeliveryList,
    url_name="services",
    summary="List services",
    auth=Requires(Capability.VIEW_REGISTER),
)
def list_deliveries(request: HttpRequest, query: Query[DeliveryQuery]) -> dict[str, Any]:
    """Services delivered to the women you may see and their children, newest first."""
    user = request.user
    audit.record(
        user,
        AuditAction.VIEW,
        object_type="grants.ServiceDelivery",
        object_ref=query.woman or "list",
        request=request,
    )
    return _page(queries.deliveries_for(user, woman_reference=query.woman), query.after, query.size)


@router.post(
    "/services",
    response={201: DeliveryOut},
    url_name="services",
    summary="Record a service",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_delivery(request: HttpRequest, payload: DeliveryIn) -> Status:
    """A service to a woman, to her child, or both. Refused (422, on `delivered_on`) for a
    woman not in custody that day: released before it, or not yet admitted."""
    user = request.user
    woman = editable_woman(user, payload.woman)
    errors: dict[str, list[str]] = {}
    child = woman.children.filter(reference=payload.child).first() if payload.child else None
    if payload.child and child is None:
        errors["child"] = [_("She has no child with this reference.")]
    grant = (
        queries.chargeable_grants(user).filter(reference=payload.grant).first()
        if payload.grant
        else None
    )
    if payload.grant and grant is None:
        errors["grant"] = [_("No grant you may charge has this reference.")]
    line = (
        grant.budget_lines.filter(code=payload.budget_line).first()
        if grant and payload.budget_line
        else None
    )
    if payload.budget_line and line is None:
        errors["budget_line"] = [_("The grant has no budget line with this code.")]
    provider = (
        Organisation.objects.filter(name=payload.provider).first()
        if payload.provider
        else user.organisation
    )
    if provider is None:
        errors["provider"] = [_("No organisation has this name.")]
    if errors:
        raise ValidationError(errors)
    values = services.DeliveryValues(
        service_type=payload.service_type,
        delivered_on=payload.delivered_on,
        quantity=payload.quantity,
        cost=payload.cost,
        provider=provider,
        to_woman=payload.to_woman,
        child=child,
        grant=grant,
        budget_line=line,
        notes=payload.notes,
    )
    delivery = services.record_delivery(user, woman, values, request=request)
    return Status(201, queries.deliveries_for(user).get(pk=delivery.pk))
