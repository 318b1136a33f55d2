"""Read side of grants: spending against budget by line and month, beneficiaries reached
without double counting, and the donor report's figures, all aggregated by the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from motherline.accounts.models import User
from motherline.grants.models import (
    BudgetLine,
    DeliveryQuerySet,
    Grant,
    ServiceDelivery,
    ServiceType,
)
from motherline.people.models import Pregnancy

ZERO = Decimal("0.00")


def _money(value: Decimal | None) -> Decimal:
    """A sum as the database returned it (SQLite drops trailing zeros), to the cent."""
    return (value or ZERO).quantize(ZERO)


def grants_for(user: User) -> QuerySet[Grant]:
    return Grant.objects.visible_to(user).select_related("organisation")


def _period(prefix: str, start: date | None, end: date | None) -> Q:
    q = Q()
    if start is not None:
        q &= Q(**{f"{prefix}delivered_on__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}delivered_on__lte": end})
    return q


@dataclass
class LineSpending:
    code: str
    name: str
    budget: Decimal
    spent: Decimal  # in the period
    spent_to_date: Decimal  # from the start of the grant to the end of the period
    id: int = 0
    version: int = 1

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent_to_date

    @property
    def share(self) -> int:
        """Per cent of the budget spent to date."""
        return int(self.spent_to_date * 100 / self.budget) if self.budget else 0


def spending_by_line(
    grant: Grant, start: date | None = None, end: date | None = None
) -> list[LineSpending]:
    """Each budget line with what was spent in the period and to its end (services
    withdrawn as entered twice do not count). One query."""
    counted = Q(deliveries__withdrawn_at__isnull=True)
    in_period = counted & _period("deliveries__", start, end)
    to_date = counted & _period("deliveries__", None, end)
    rows = (
        BudgetLine.objects.filter(grant=grant)
        .annotate(
            spent=Sum("deliveries__cost", filter=in_period),
            spent_to_date=Sum("deliveries__cost", filter=to_date),
        )
        .order_by("code", "id")
    )
    lines = [
        LineSpending(
            r.code, r.name, r.amount, _money(r.spent), _money(r.spent_to_date), r.pk, r.version
        )
        for r in rows
    ]
    return lines


@dataclass
class MonthSpending:
    month: date
    by_line: list[Decimal]
    total: Decimal


def spending_by_month(
    grant: Grant, lines: list[LineSpending], start: date | None = None, end: date | None = None
) -> list[MonthSpending]:
    """Spending per month and budget line (the order of `lines`), summed by the database."""
    rows = (
        ServiceDelivery.objects.current()
        .filter(grant=grant)
        .filter(_period("", start, end))
        .annotate(month=TruncMonth("delivered_on"))
        .values("month", "budget_line__code")
        .annotate(spent=Sum("cost"))
        .order_by("month")
    )
    codes = [line.code for line in lines]
    months: dict[date, MonthSpending] = {}
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        entry = months.setdefault(month, MonthSpending(month, [ZERO] * len(codes), ZERO))
        if row["budget_line__code"] in codes:
            entry.by_line[codes.index(row["budget_line__code"])] += _money(row["spent"])
        entry.total += _money(row["spent"])
    return list(months.values())


@dataclass
class Reach:
    women: int = 0
    children: int = 0
    pregnant_women: int = 0
    deliveries: int = 0
    cost: Decimal = ZERO


def _pregnant_then() -> Exists:
    """Whether the woman was pregnant on the day of the delivery."""
    return Exists(
        Pregnancy.objects.filter(
            woman=OuterRef("woman"), known_since__lte=OuterRef("delivered_on")
        ).filter(Q(outcome_date__isnull=True) | Q(outcome_date__gt=OuterRef("delivered_on")))
    )


def reach(deliveries: QuerySet[ServiceDelivery]) -> Reach:
    """Beneficiaries reached, each counted once (COUNT DISTINCT in the database): women who
    received a service themselves, children, and women pregnant on the day of a service."""
    row = deliveries.annotate(pregnant_then=_pregnant_then()).aggregate(
        women=Count("woman", distinct=True, filter=Q(to_woman=True)),
        children=Count("child", distinct=True),
        pregnant=Count("woman", distinct=True, filter=Q(to_woman=True, pregnant_then=True)),
        deliveries=Count("pk"),
        cost=Sum("cost"),
    )
    return Reach(
        row["women"], row["children"], row["pregnant"], row["deliveries"], _money(row["cost"])
    )


@dataclass
class ServiceRow:
    service_type: str
    deliveries: int
    quantity: int
    cost: Decimal

    @property
    def label(self) -> str:
        """In the language active when it is read (a report may be in another)."""
        return str(ServiceType(self.service_type).label)


def by_service(deliveries: QuerySet[ServiceDelivery]) -> list[ServiceRow]:
    rows = (
        deliveries.order_by()
        .values("service_type")
        .annotate(n=Count("pk"), quantity=Sum("quantity"), cost=Sum("cost"))
        .order_by("service_type")
    )
    return [
        ServiceRow(r["service_type"], r["n"], r["quantity"] or 0, _money(r["cost"])) for r in rows
    ]


@dataclass
class GrantReport:
    """What a grant's page and its donor report show for a period."""

    grant: Grant
    start: date
    end: date
    lines: list[LineSpending]
    months: list[MonthSpending]
    reach: Reach
    services: list[ServiceRow]
    unallocated: Decimal = ZERO
    grantees: list[str] = field(default_factory=list)

    @property
    def budget_total(self) -> Decimal:
        return sum((line.budget for line in self.lines), ZERO)

    @property
    def spent_total(self) -> Decimal:
        return sum((line.spent for line in self.lines), ZERO) + self.unallocated

    @property
    def spent_to_date_total(self) -> Decimal:
        return sum((line.spent_to_date for line in self.lines), ZERO)


def grant_report(grant: Grant, start: date | None = None, end: date | None = None) -> GrantReport:
    """The grant's figures for a period (by default its whole period)."""
    start = start or grant.starts_on
    end = end or grant.ends_on
    deliveries = (
        ServiceDelivery.objects.current().filter(grant=grant).filter(_period("", start, end))
    )
    lines = spending_by_line(grant, start, end)
    unallocated = _money(
        deliveries.filter(budget_line__isnull=True).aggregate(total=Sum("cost"))["total"]
    )
    return GrantReport(
        grant=grant,
        start=start,
        end=end,
        lines=lines,
        months=spending_by_month(grant, lines, start, end),
        reach=reach(deliveries),
        services=by_service(deliveries),
        unallocated=unallocated,
        grantees=sorted(organisation.display_name for organisation in grant.grantees.all()),
    )


def chargeable_grants(user: User) -> QuerySet[Grant]:
    """The grants a service recorded by this user may be charged to: those their
    organisation manages or receives."""
    org = getattr(user, "organisation_id", None)
    return (
        Grant.objects.filter(Q(organisation_id=org) | Q(grantees__id=org))
        .distinct()
        .order_by("reference")
    )


def deliveries_for(user: User, *, woman_reference: str = "") -> DeliveryQuerySet:
    """Service deliveries the user may see (through the woman's record), withdrawn ones
    too: a list reads `.current()`."""
    qs = ServiceDelivery.objects.visible_to(user).select_related(
        "woman__current_episode__current_prison", "child", "grant", "budget_line", "provider"
    )
    if woman_reference:
        qs = qs.filter(woman__reference=woman_reference)
    return qs


@dataclass(frozen=True)
class DeliveryPage:
    items: list[ServiceDelivery]
    next_cursor: str | None
    total: int


def deliveries_page(qs: QuerySet[ServiceDelivery], after: str, size: int) -> DeliveryPage:
    """One page of services by date, newest first (by id among a day's), after the cursor
    `after` ("2026-05-26.42": the last row's day and id; anything else starts at the top)."""
    qs = qs.order_by("-delivered_on", "-id")
    rows = qs
    day, _, pk = after.partition(".")
    if pk.isdigit():
        try:
            since = date.fromisoformat(day)
        except ValueError:
            pass
        else:
            rows = qs.filter(Q(delivered_on__lt=since) | Q(delivered_on=since, id__lt=int(pk)))
    items = list(rows[: size + 1])
    more = len(items) > size
    items = items[:size]
    last = items[-1] if more else None
    next_cursor = f"{last.delivered_on.isoformat()}.{last.pk}" if last else None
    return DeliveryPage(items=items, next_cursor=next_cursor, total=qs.order_by().count())
