"""Read side of field work: lists paged by keyset with the count done by the database, a
prison's history, and the programme manager's view of access incidents, each in a fixed
number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import (
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import ExtractYear

from motherline.accounts.models import User
from motherline.fieldwork.models import (
    AccessIncident,
    ActionStatus,
    CaseStatus,
    CaseStudy,
    Finding,
    FollowUpAction,
    Participants,
    PrisonVisit,
    TrainingSession,
)
from motherline.people.models import Child, Woman
from motherline.places.models import Prison


@dataclass(frozen=True)
class VisitCursor:
    """Where a page of visits ends: the last visit's date and id. Visits are listed by date,
    newest first, and by id among visits of the same day, so a visit recorded late for an
    earlier day takes its place among that day's. Opaque text to a client: `2026-05-26.42`."""

    visit_date: date
    id: int

    @classmethod
    def after(cls, visit: PrisonVisit) -> VisitCursor:
        return cls(visit.visit_date, visit.pk)

    @classmethod
    def parse(cls, text: str) -> VisitCursor:
        """The cursor a previous page returned; ValueError for anything else."""
        day, _, pk = text.partition(".")
        if not pk.isdigit() or int(pk) < 1:
            raise ValueError(text)
        return cls(date.fromisoformat(day), int(pk))

    def __str__(self) -> str:
        return f"{self.visit_date.isoformat()}.{self.id}"

    def rows_after(self) -> Q:
        """The visits that come after this cursor in the list's order."""
        return Q(visit_date__lt=self.visit_date) | Q(visit_date=self.visit_date, id__lt=self.id)


@dataclass
class VisitPage:
    items: list[PrisonVisit]
    next_cursor: VisitCursor | None
    total: int


def visit_page(qs: QuerySet[PrisonVisit], after: VisitCursor | None, size: int) -> VisitPage:
    """One page of visits, newest date first (then highest id), starting after a cursor,
    and the total counted by the database."""
    ordered = qs.order_by("-visit_date", "-id")
    if after is not None:
        ordered = ordered.filter(after.rows_after())
    rows = list(ordered[: size + 1])
    next_cursor = VisitCursor.after(rows[size - 1]) if len(rows) > size else None
    return VisitPage(items=rows[:size], next_cursor=next_cursor, total=qs.order_by().count())


def visits(user: User, *, prison: Prison | None = None) -> QuerySet[PrisonVisit]:
    """The visits that count (not withdrawn) that the user may see, with their open
    findings and actions counted."""
    qs = PrisonVisit.objects.visible_to(user).current().select_related("prison", "organisation")
    if prison is not None:
        qs = qs.filter(prison=prison)
    return qs.annotate(
        finding_count=Count("findings", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
    )


def visit_detail(user: User, visit_id: int) -> PrisonVisit:
    """A visit the user may see with its findings, actions and incidents, and only the
    linked women the user may see (`women_visible`); a withdrawn visit too, with who
    withdrew it. Five queries."""
    return (
        PrisonVisit.objects.visible_to(user)
        .select_related("prison", "organisation", "withdrawn_by")
        .prefetch_related(
            "findings",
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner", "finding")),
            Prefetch(
                "incidents", queryset=AccessIncident.objects.current().order_by("-occurred_on")
            ),
            Prefetch(
                "women",
                queryset=Woman.objects.visible_to(user).order_by("reference"),
                to_attr="women_visible",
            ),
        )
        .get(pk=visit_id)
    )


def open_findings(user: User, prison: Prison) -> list[Finding]:
    return list(
        Finding.objects.filter(
            visit__in=PrisonVisit.objects.visible_to(user).current().filter(prison=prison),
            resolved_on__isnull=True,
        )
        .select_related("visit")
        .order_by("-visit__visit_date", "topic", "id")
    )


def incidents(user: User, *, open_only: bool = False) -> QuerySet[AccessIncident]:
    """The incidents that count (not withdrawn) that the user may see."""
    qs = AccessIncident.objects.visible_to(user).current().select_related("prison", "organisation")
    return qs.filter(restored_on__isnull=True) if open_only else qs


def incident_detail(user: User, incident_id: int) -> AccessIncident:
    """An incident the user may see, a withdrawn one too."""
    return (
        AccessIncident.objects.visible_to(user)
        .select_related("prison", "organisation", "visit", "withdrawn_by")
        .get(pk=incident_id)
    )


@dataclass
class Resolution:
    resolved: int
    open: int
    mean_days: float | None


def _days(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, timedelta):
        return round(value.total_seconds() / 86400, 1)
    return round(float(value), 1)  # pragma: no cover - a backend returning days


def resolution(user: User) -> Resolution:
    """How many incidents are open and resolved, and the mean days from the incident to
    restored access, computed by the database in one query."""
    row = (
        AccessIncident.objects.visible_to(user)
        .current()
        .aggregate(
            resolved=Count("pk", filter=Q(restored_on__isnull=False)),
            open=Count("pk", filter=Q(restored_on__isnull=True)),
            mean=Avg(
                ExpressionWrapper(
                    F("restored_on") - F("occurred_on"), output_field=DurationField()
                ),
                filter=Q(restored_on__isnull=False),
            ),
        )
    )
    return Resolution(row["resolved"], row["open"], _days(row["mean"]))


@dataclass
class PrisonYears:
    prison_code: str
    prison_name: str
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


def incidents_by_prison_and_year(user: User) -> tuple[list[int], list[PrisonYears]]:
    """Incidents counted by prison and year by the database: the years, and a row per prison
    with one count per year."""
    rows = list(
        AccessIncident.objects.visible_to(user)
        .current()
        .annotate(year=ExtractYear("occurred_on"))
        .values("prison_id", "prison__code", "prison__name", "prison__name_local", "year")
        .annotate(n=Count("pk"))
        .order_by("prison__name", "year")
    )
    years = sorted({row["year"] for row in rows})
    by_prison: dict[int, PrisonYears] = {}
    for row in rows:
        entry = by_prison.get(row["prison_id"])
        if entry is None:
            name = Prison(name=row["prison__name"], name_local=row["prison__name_local"])
            entry = PrisonYears(row["prison__code"], name.display_name, [0] * len(years))
            by_prison[row["prison_id"]] = entry
        entry.counts[years.index(row["year"])] = row["n"]
    return years, list(by_prison.values())


def training_sessions(user: User) -> QuerySet[TrainingSession]:
    """Sessions that count (not withdrawn) the user may see, each with its participants
    summed by the database."""
    return (
        TrainingSession.objects.visible_to(user)
        .current()
        .annotate(women=Sum("participants__women"), men=Sum("participants__men"))
    )


def training_detail(user: User, session_id: int) -> TrainingSession:
    """A session the user may see, a withdrawn one too."""
    return (
        TrainingSession.objects.visible_to(user)
        .select_related("organisation", "withdrawn_by")
        .prefetch_related("participants")
        .get(pk=session_id)
    )


@dataclass
class TrainingTotal:
    year: int
    audience: str
    sessions: int
    women: int
    men: int

    @property
    def participants(self) -> int:
        return self.women + self.men


def training_totals(user: User) -> list[TrainingTotal]:
    """Sessions and participants by year and audience, counted by the database (a session
    is counted once however many institutions took part)."""
    sessions = TrainingSession.objects.visible_to(user).current().values("pk")
    rows = (
        Participants.objects.filter(session__in=sessions)
        .annotate(year=ExtractYear("session__held_on"))
        .values("year", "session__audience")
        .annotate(sessions=Count("session", distinct=True), women=Sum("women"), men=Sum("men"))
        .order_by("-year", "session__audience")
    )
    return [
        TrainingTotal(r["year"], r["session__audience"], r["sessions"], r["women"], r["men"])
        for r in rows
    ]


def case_studies(user: User) -> QuerySet[CaseStudy]:
    return CaseStudy.objects.visible_to(user).select_related("organisation")


def case_detail(user: User, case_id: int) -> CaseStudy:
    """A case study with the linked woman and children, shown only to who may see them."""
    return (
        case_studies(user)
        .select_related("anonymised_by", "reviewed_by", "created_by")
        .prefetch_related(
            Prefetch(
                "children",
                queryset=Child.objects.visible_to(user).order_by("reference"),
                to_attr="children_visible",
            )
        )
        .get(pk=case_id)
    )


def published_case_studies(user: User) -> list[CaseStudy]:
    return list(
        case_studies(user).filter(status=CaseStatus.PUBLISHED).order_by("published_on", "id")
    )
