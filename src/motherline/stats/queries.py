"""Reads for the statistics: aggregates computed by the database, indicators by `rules`.

Two sources of numbers: population returns (counts per prison per date from a named
source) and the register (individual records counted for any date). Every count is a GROUP
BY in the database; Python only picks dates and applies the formulas to a few aggregate rows.
Nothing here returns a name or a record: only counts, so analysts and viewers may see it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from motherline.care.models import LeaveExtension
from motherline.care.queries import extension_months
from motherline.care.rules import child_leave_by
from motherline.jurisdictions import local
from motherline.jurisdictions.models import (
    AgeLimitRule,
    Jurisdiction,
    NationalFigure,
    OffenceCategory,
    PopulationDenominator,
)
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    LegalStatus,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Pregnancy,
    Transfer,
)
from motherline.places.models import Prison, Province
from motherline.stats import rules
from motherline.stats.denominators import population_totals
from motherline.stats.models import COUNT_FIELDS, Level, PopulationReturn, Precision, ReturnSource
from motherline.worklist.rules import earliest_birth_reaching_limit_after

NEAR_LIMIT_DAYS = 90
RETURNS, REGISTER, PUBLISHED = "returns", "register", "published"
SOURCES = (RETURNS, REGISTER, PUBLISHED)
REGISTER_ONLY = frozenset({"children_near_age_limit", *rules.FLOW_INDICATORS})
RETURNS_ONLY = frozenset({"total", "men", "pretrial_share_men", "occupancy", "minors"})
RETURNS_ONLY |= {"foreign_nationals", "growth_men", "pretrial_share", "per_100k"}
# The measures of the pack's published figures that are counts of a return, and those that
# are already an indicator's value (a published percentage).
PUBLISHED_COUNTS = {
    "total": "total",
    "men": "men",
    "women": "women",
    "pretrial": "pretrial_total",
    "minors": "minors",
    "foreign_nationals": "foreign_nationals",
    "pregnant_women": "pregnant_women",
    "children_in_prison": "children_in_prison",
    "capacity": "capacity",
}
PUBLISHED_VALUES = {
    "occupancy_percent": "occupancy",
    "women_share_percent": "women_share",
    "women_growth_percent": "growth_women",
    "men_growth_percent": "growth_men",
}
PRECISION_RANK: dict[str, int] = {Precision.DAY: 3, Precision.MONTH: 2, Precision.YEAR: 1}


class StatsError(ValueError):
    """A request for numbers that cannot be answered (unknown area, indicator or source)."""


@dataclass(frozen=True)
class Area:
    """The nation (a jurisdiction), a province or a prison, by code."""

    kind: str
    code: str

    @classmethod
    def parse(cls, text: str, default_jurisdiction: str = "") -> Area:
        """`nation` (the default jurisdiction), `nation:CODE` (a jurisdiction),
        `province:CODE` (ISO 3166-2) or `prison:CODE`."""
        kind, _sep, code = text.strip().partition(":")
        if kind == "nation":
            return cls("nation", code or default_jurisdiction or local.default_code())
        if kind in ("province", "prison") and code:
            return cls(kind, code)
        raise StatsError(_("An area is nation, province:CODE or prison:CODE."))

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"

    def prison_filter(self, prefix: str = "") -> Q:
        """The prisons of this area, as a filter on a prison relation named by `prefix`."""
        if self.kind == "nation":
            return Q(**{f"{prefix}province__jurisdiction__code": self.code})
        if self.kind == "province":
            return Q(**{f"{prefix}province__code": self.code})
        return Q(**{f"{prefix}code": self.code})

    def jurisdiction_code(self) -> str:
        if self.kind == "nation":
            return self.code
        model = Province if self.kind == "province" else Prison
        lookup = "jurisdiction__code" if self.kind == "province" else "province__jurisdiction__code"
        found = model.objects.filter(code=self.code).values_list(lookup, flat=True).first()
        if found is None:
            raise StatsError(_("Unknown area: %(area)s") % {"area": str(self)})
        return str(found)

    def label(self) -> str:
        found: Any
        if self.kind == "nation":
            found = Jurisdiction.objects.filter(code=self.code).first()
        elif self.kind == "province":
            found = Province.objects.filter(code=self.code).first()
        else:
            found = Prison.objects.filter(code=self.code).first()
        if found is None:
            return self.code
        if isinstance(found, Jurisdiction):
            shown = found.name_local and local.shows_local(found.local_language)
            return found.name_local if shown else found.name
        return str(found.display_name)


def threshold() -> int:
    """The smallest count of pregnant women or children that may be published."""
    return int(getattr(settings, "STATS_SMALL_CELL_THRESHOLD", 5))


# Population returns


def default_return_source(area: Area, level: str = Level.PRISON) -> str:
    """The source of the prisons' (or provinces') returns to add up when none is named: the
    one with the most returns of that level in the area (returns of two sources for the
    same unit and date are never added together)."""
    within = (
        area.prison_filter("prison__")
        if level == Level.PRISON
        else Q(province__jurisdiction__code=area.code)
    )
    row = (
        PopulationReturn.objects.filter(within)
        .values("source")
        .annotate(n=Count("id"))
        .order_by("-n", "source")
        .first()
    )
    return str(row["source"]) if row else ReturnSource.PRISON_AUTHORITY


def _sums() -> dict[str, Any]:
    sums: dict[str, Any] = {name: Sum(name) for name in COUNT_FIELDS}
    sums["capacity"] = Sum("prison__capacity")
    sums["reporting"] = Count("id")
    return sums


def returns_by_date(
    area: Area,
    start: date,
    end: date,
    source: str,
    group: str | None = None,
) -> dict[tuple[str, date], dict[str, Any]]:
    """Summed counts per (group, date): group is the area itself, or each `prison` or
    `province` code within it. One GROUP BY query."""
    key = {None: None, "": None, "prison": "prison__code", "province": "prison__province__code"}[
        group
    ]
    rows = (
        PopulationReturn.objects.filter(area.prison_filter("prison__"))
        .filter(source=source, date__gte=start, date__lte=end)
        .values("date", *([key] if key else []))
        .annotate(**_sums())
        .order_by("date")
    )
    return {(row.pop(key) if key else str(area), row.pop("date")): row for row in rows}


@dataclass
class Observation:
    """The counts of an area on one date from one source: one return at the area's own
    level, or the sum of the returns of a lower level (`reporting` of `expected` units)."""

    day: date
    source: str
    counts: dict[str, Any]
    precision: str = Precision.DAY
    source_url: str = ""
    level: str = ""
    reporting: int | None = None
    expected: int | None = None

    def sort_key(self) -> tuple[Any, ...]:
        """Among observations of one period: the latest date, then one at the area's own
        level, then the widest coverage, the most precise date and the source's name."""
        coverage = 1.0 if self.reporting is None else self.reporting / (self.expected or 1)
        return (
            self.day,
            self.reporting is None,
            coverage,
            PRECISION_RANK.get(self.precision, 0),
            self.source,
        )

    def stamp(self, point: Point) -> Point:
        point.source, point.source_url, point.precision = (
            self.source,
            self.source_url,
            self.precision,
        )
        point.level, point.reporting, point.expected = self.level, self.reporting, self.expected
        return point


def own_level_filter(area: Area) -> Q:
    """Returns about the area itself."""
    if area.kind == "nation":
        return Q(jurisdiction__code=area.code)
    if area.kind == "province":
        return Q(province__code=area.code)
    return Q(prison__code=area.code)


def stored_sources(area: Area) -> list[str]:
    """Every source with a return about the area or within it."""
    within = own_level_filter(area) | area.prison_filter("prison__")
    if area.kind == "nation":
        within |= Q(province__jurisdiction__code=area.code)
    return sorted(
        PopulationReturn.objects.filter(within).values_list("source", flat=True).distinct()
    )


def check_return_source(area: Area, return_source: str | None) -> None:
    """An unknown source is an error naming the known ones, never an empty series."""
    if not return_source:
        return
    known = stored_sources(area)
    if return_source not in known:
        raise StatsError(
            _("Unknown source of returns: %(source)s. The sources of %(area)s are: %(known)s.")
            % {
                "source": return_source,
                "area": str(area),
                "known": "; ".join(known) or _("none (no returns yet)"),
            }
        )


def return_observations(
    area: Area, start: date, end: date, return_source: str | None = None
) -> list[Observation]:
    """Every observation of the area between two dates: its own returns (of every source,
    or the one named) and, on each date and source, the sum of the lower level's returns.
    Three queries at most, whatever the number of dates."""
    fields = COUNT_FIELDS
    observations = []
    if area.kind == "prison":
        own = PopulationReturn.objects.filter(
            own_level_filter(area), date__gte=start, date__lte=end
        )
        if return_source:
            own = own.filter(source=return_source)
        for row in own.values("date", "source", "source_url", "date_precision", *fields):
            counts = {name: row[name] for name in fields}
            if counts["capacity"] is None:
                counts["capacity"] = _prison_capacity(area)
            observations.append(
                Observation(
                    row["date"],
                    row["source"],
                    counts,
                    row["date_precision"],
                    row["source_url"],
                    area.kind,
                )
            )
        return observations
    # The area's own returns and the sums of the lower levels' returns: one query.
    grouped = []
    for row in _level_sums(area, start, end, return_source):
        if row["unit_level"] != area.kind:
            grouped.append(row)
            continue
        observations.append(
            Observation(
                row["date"],
                row["source"],
                {name: row[name] for name in fields},
                row["precision"],
                row["url"],
                area.kind,
            )
        )
    if not grouped:
        observations.sort(key=lambda o: (o.day, o.source))
        return observations
    # Without a named source, each level's returns are added up from its most frequent
    # source in the dates read (two sources for one unit and date are never added).
    frequency: dict[tuple[str, str], int] = defaultdict(int)
    for row in grouped:
        frequency[(row["unit_level"], row["source"])] += row["reporting"]
    default = {
        level: max((n, source) for (lvl, source), n in frequency.items() if lvl == level)[1]
        for level in {row["unit_level"] for row in grouped}
    }
    units = _units(area, {row["unit_level"] for row in grouped})
    have = {(o.day, o.source) for o in observations}
    # A province's sum stands before the prisons' sum of the same date and source.
    for row in sorted(grouped, key=lambda r: r["unit_level"] != Level.PROVINCE):
        if not return_source and row["source"] != default[row["unit_level"]]:
            continue
        if (row["date"], row["source"]) in have:
            continue  # a higher level's return for that date and source stands
        have.add((row["date"], row["source"]))
        observations.append(
            Observation(
                row["date"],
                row["source"],
                {name: row[name] for name in fields},
                row["precision"],
                row["url"],
                row["unit_level"],
                row["reporting"],
                units[row["unit_level"]].expected(row["date"]),
            )
        )
    observations.sort(key=lambda o: (o.day, o.source))
    return observations


# The returns of an area (a nation or a province) and the sums of the returns of the units
# below it (prisons, and for a nation also provinces) per level, date and source: one
# grouped query (an area's own return is alone in its group), written out because it is the
# statistics' busiest read (the ORM's version cost twice this in building the query alone).
# A sum adds the counts the units gave (none given: not reported). A prison's return without
# its capacity is read against the pack's capacity of that prison (the same unit); a
# nation's or province's never is. The units are id lists, not ORed joins.
LOWER_LEVEL_SUMS_SQL = """
SELECT CASE WHEN r.prison_id IS NOT NULL THEN %s WHEN r.province_id IS NOT NULL THEN %s
            ELSE %s END AS unit_level, r.date, r.source,
       {sums}, SUM(COALESCE(r.capacity, p.capacity)), COUNT(*), MAX(r.date_precision),
       MAX(r.source_url)
FROM {returns} r LEFT JOIN {prison} p ON p.id = r.prison_id
WHERE (r.prison_id IN (SELECT s.id FROM {prison} s JOIN {province} v ON v.id = s.province_id
                       JOIN {jurisdiction} j ON j.id = v.jurisdiction_id WHERE {within})
       {or_province} {or_own})
  AND r.date >= %s AND r.date <= %s {source}
GROUP BY 1, r.date, r.source
ORDER BY r.date, r.source, 1
"""


def _level_sums(
    area: Area, start: date, end: date, return_source: str | None
) -> list[dict[str, Any]]:
    from django.db import connection

    summed = [name for name in COUNT_FIELDS if name != "capacity"]
    within = {"nation": "j.code = %s", "province": "v.code = %s"}[area.kind]
    or_province = ""
    levels = [Level.PRISON.value, Level.PROVINCE.value, Level.NATION.value]
    params: list[Any] = [*levels, area.code]
    if area.kind == "nation":
        or_province = (
            "OR r.province_id IN (SELECT v.id FROM {province} v JOIN {jurisdiction} j "
            "ON j.id = v.jurisdiction_id WHERE j.code = %s)"
        )
        or_own = "OR r.jurisdiction_id IN (SELECT j.id FROM {jurisdiction} j WHERE j.code = %s)"
        params += [area.code, area.code]
    else:
        or_own = "OR r.province_id IN (SELECT v.id FROM {province} v WHERE v.code = %s)"
        params.append(area.code)
    params += [
        connection.ops.adapt_datefield_value(start),
        connection.ops.adapt_datefield_value(end),
    ]
    if return_source:
        params.append(return_source)
    tables = {
        "returns": PopulationReturn._meta.db_table,
        "prison": Prison._meta.db_table,
        "province": Province._meta.db_table,
        "jurisdiction": Jurisdiction._meta.db_table,
    }
    sql = LOWER_LEVEL_SUMS_SQL.format(
        sums=", ".join(f"SUM(r.{name})" for name in summed),
        within=within,
        or_province=or_province.format(**tables),
        or_own=or_own.format(**tables),
        source="AND r.source = %s" if return_source else "",
        **tables,
    )
    names = ["unit_level", "date", "source", *summed, "capacity", "reporting", "precision", "url"]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["date"] = _as_date(row["date"])
        for name in (*summed, "capacity"):
            if row[name] is not None:
                row[name] = int(row[name])
    return rows


def _prison_capacity(area: Area) -> int | None:
    return Prison.objects.filter(code=area.code).values_list("capacity", flat=True).first()


@dataclass
class Units:
    """The prisons or provinces of an area: how many are always open (no opening or closing
    date) and the dates of the others."""

    undated: int
    dated: list[tuple[date | None, date | None]]

    def expected(self, day: date) -> int:
        """The units open on the day."""
        return self.undated + sum(
            1
            for opened, closed in self.dated
            if (not opened or opened <= day) and (not closed or closed > day)
        )


def _units(area: Area, levels: set[str]) -> dict[str, Units]:
    """The prisons (with their opening and closing dates) or provinces of the area."""
    units: dict[str, Units] = {}
    if Level.PRISON in levels:
        spans = list(
            Prison.objects.filter(area.prison_filter())
            .order_by()
            .values_list("opened_on", "closed_on")
        )
        dated = [(opened, closed) for opened, closed in spans if opened or closed]
        units[Level.PRISON] = Units(len(spans) - len(dated), dated)
    if Level.PROVINCE in levels:
        units[Level.PROVINCE] = Units(
            Province.objects.filter(jurisdiction__code=area.code).count(), []
        )
    return units


def published_observations(area: Area, start: date, end: date) -> list[Observation]:
    """The pack's published figures about the nation as observations, one per date and
    source; a published percentage is kept as the value of its indicator."""
    if area.kind != "nation":
        raise StatsError(_("The published figures are about the whole country only."))
    by_key: dict[tuple[date, str], Observation] = {}
    figures = NationalFigure.objects.filter(
        jurisdiction__code=area.code, date__gte=start, date__lte=end
    ).order_by("date", "source", "measure")
    for figure in figures:
        key = (figure.date, figure.source)
        found = by_key.setdefault(
            key,
            Observation(figure.date, figure.source, {}, figure.date_precision, "", Level.NATION),
        )
        value = figure.value
        if figure.measure in PUBLISHED_COUNTS:
            found.counts[PUBLISHED_COUNTS[figure.measure]] = int(value)
        elif figure.measure in PUBLISHED_VALUES:
            found.counts[f"published:{PUBLISHED_VALUES[figure.measure]}"] = float(value)
    return list(by_key.values())


def female_population(area: Area) -> dict[int, int]:
    """The area's female population by year, from the pack's denominators."""
    code = area.code if area.kind in ("nation", "province") else ""
    return dict(
        PopulationDenominator.objects.filter(area=code)
        .order_by()  # not the model's order, which joins the jurisdiction
        .values_list("year", "female_population")
    )


def denominator_for(population: dict[int, int], day: date) -> int | None:
    """The latest denominator of a year up to the day's (the earliest before any)."""
    if not population:
        return None
    years = sorted(population)
    usable = [year for year in years if year <= day.year] or years[:1]
    return population[usable[-1]]


# The register


def _prison_on(day: date) -> Coalesce:
    """The prison an episode's woman was held in on `day`: the last transfer by then, or
    the prison of admission."""
    moved = (
        Transfer.objects.filter(episode=OuterRef("pk"), transfer_date__lte=day)
        .order_by("-transfer_date", "-id")
        .values("to_prison")[:1]
    )
    return Coalesce(Subquery(moved), F("admission_prison_id"), output_field=BigIntegerField())


def _in_custody_on(day: date) -> QuerySet[CustodyEpisode]:
    return CustodyEpisode.objects.filter(admission_date__lte=day).filter(
        Q(release_date__isnull=True) | Q(release_date__gt=day)
    )


def register_by_prison(day: date, area: Area) -> dict[int, dict[str, int]]:
    """Counts from individual records on `day`, per prison id (four grouped queries)."""
    prison_ids = set(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    status = (
        LegalStatusChange.objects.filter(episode=OuterRef("pk"), effective_date__lte=day)
        .order_by("-effective_date", "-id")
        .values("status")[:1]
    )
    pregnant = Pregnancy.objects.filter(woman=OuterRef("woman"), known_since__lte=day).filter(
        Q(outcome_date__isnull=True) | Q(outcome_date__gt=day)
    )
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (
        _in_custody_on(day)
        .annotate(
            prison_on=_prison_on(day),
            status_on=Coalesce(Subquery(status), F("legal_status")),
            is_pregnant=Exists(pregnant),
        )
        .filter(prison_on__in=prison_ids)
        .values("prison_on")
        .annotate(
            women=Count("id"),
            pretrial_women=Count(Case(When(status_on=LegalStatus.PRETRIAL, then=1))),
            pregnant_women=Count(Case(When(is_pregnant=True, then=1))),
        )
        .order_by()
    )
    for row in rows:
        counts[row["prison_on"]].update(
            {k: row[k] for k in ("women", "pretrial_women", "pregnant_women")}
        )
    in_prison = Placement.objects.filter(
        kind=PlacementKind.IN_PRISON, start_date__lte=day, prison_id__in=prison_ids
    ).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))
    for child_row in in_prison.values("prison_id").annotate(n=Count("id")).order_by():
        counts[child_row["prison_id"]]["children_in_prison"] = child_row["n"]
    for prison_id, n in children_near_age_limit(day, in_prison).items():
        counts[prison_id]["children_near_age_limit"] = n
    return counts


def children_near_age_limit(day: date, in_prison: QuerySet[Placement]) -> dict[int, int]:
    """Children living in prison on `day` whose leave-by date (under the pack's age limit,
    with their extensions: `care.rules.child_leave_by`, the worklist's rule) falls within
    `NEAR_LIMIT_DAYS` days of it or has passed, per prison id.

    The database narrows to children old enough to be due and groups them by prison, birth
    date and extension; the rule is applied once per group."""
    horizon = day + timedelta(days=NEAR_LIMIT_DAYS)
    rules_by_jurisdiction: dict[int, list[AgeLimitRule]] = defaultdict(list)
    for rule in AgeLimitRule.objects.all():
        rules_by_jurisdiction[rule.jurisdiction_id].append(rule)
    result: dict[int, int] = defaultdict(int)
    for jurisdiction_id, age_rules in rules_by_jurisdiction.items():
        latest_birth = earliest_birth_reaching_limit_after(horizon, age_rules)
        if latest_birth is None:
            continue
        groups = (
            in_prison.filter(
                prison__province__jurisdiction_id=jurisdiction_id,
                child__date_of_birth__lte=latest_birth,
            )
            .annotate(extension_months=extension_months(approved_by=day))
            .values("prison_id", "child__date_of_birth", "extension_months")
            .annotate(n=Count("id"))
            .order_by()
        )
        for group in groups:
            leave_by = child_leave_by(
                group["child__date_of_birth"], age_rules, [group["extension_months"]], on=day
            )
            if leave_by.date is not None and leave_by.date <= horizon:
                result[group["prison_id"]] += group["n"]
    return result


def roll_up(
    by_prison: dict[int, dict[str, int]], group: str | None, area: Area
) -> dict[str, dict[str, int]]:
    """Per-prison counts added up per prison code, province code or the whole area."""
    if not group:
        keys = dict.fromkeys(by_prison, str(area))
    else:
        field_name = "code" if group == "prison" else "province__code"
        keys = dict(Prison.objects.filter(pk__in=by_prison).values_list("pk", field_name))
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for prison_id, counts in by_prison.items():
        for name, value in counts.items():
            totals[keys[prison_id]][name] += value
    return {key: dict(value) for key, value in totals.items()}


# Series of one indicator


@dataclass
class Point:
    """One published value: `value` is None when suppressed or not available."""

    period: str
    area: str
    value: float | int | None
    suppressed: bool = False
    category: str = ""
    date: date | None = None
    # The count a suppression decision rests on (the numerator of a rate), not published.
    basis: Any = None
    # Where the value comes from: the source's citation (or `register`), its address, how
    # precisely the date is known, the level of the rows read and, for a sum of lower
    # levels, how many of the area's units reported.
    source: str = ""
    source_url: str = ""
    precision: str = ""
    level: str = ""
    reporting: int | None = None
    expected: int | None = None

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {
            "period": self.period,
            "area": self.area,
            "value": self.value,
            "suppressed": self.suppressed,
            "source": self.source,
        }
        if self.source_url:
            row["source_url"] = self.source_url
        if self.precision:
            row["precision"] = self.precision
        if self.level:
            row["level"] = self.level
        if self.reporting is not None:
            row["reporting"] = self.reporting
            row["expected"] = self.expected
        if self.category:
            row["category"] = self.category
        if self.date:
            row["date"] = self.date.isoformat()
        return row

    def coverage(self) -> str:
        """A sum of lower levels in words: "sum of 3 of 28 prisons"; "" otherwise."""
        if self.reporting is None:
            return ""
        names: dict[str, Any] = {Level.PRISON: _("prisons"), Level.PROVINCE: _("provinces")}
        return _("sum of %(n)s of %(of)s %(units)s") % {
            "n": self.reporting,
            "of": self.expected if self.expected is not None else "?",
            "units": names.get(self.level, self.level),
        }


@dataclass
class Series:
    indicator: str
    area: Area
    source: str
    return_source: str = ""
    points: list[Point] = field(default_factory=list)


def period_ends(start: date, end: date, period: str) -> list[date]:
    """The last day of each period from `start` to `end` (the last one clipped to `end`)."""
    step = {"month": 1, "quarter": 3, "year": 12}[period]
    days = []
    year, month = start.year, start.month
    if period == "quarter":
        month = ((month - 1) // 3) * 3 + 1
    if period == "year":
        month = 1
    while True:
        month_last = month + step - 1
        next_year, next_month = year + (month_last // 12), month_last % 12 + 1
        last = date(next_year, next_month, 1) - timedelta(days=1)
        days.append(min(last, end))
        if last >= end:
            return days
        year, month = next_year, next_month


def series(
    indicator: str,
    area: Area,
    start: date,
    end: date,
    period: str = "year",
    source: str = RETURNS,
    return_source: str | None = None,
    *,
    publish: bool = True,
) -> Series:
    """The values of one indicator for one area, by period, each saying where it comes
    from. `source` is `returns`, `register` or `published` (the pack's published figures);
    `return_source` narrows the returns to one source (an unknown one is an error). With
    `publish`, counts of pregnant women and children below the threshold are suppressed
    (marked, not dropped)."""
    if indicator not in rules.INDICATORS:
        raise StatsError(_("Unknown indicator: %(name)s") % {"name": indicator})
    if source not in SOURCES:
        raise StatsError(
            _("Unknown source: %(source)s (returns, register or published).") % {"source": source}
        )
    if source != REGISTER and indicator in REGISTER_ONLY:
        raise StatsError(_("%(name)s is counted from the register only.") % {"name": indicator})
    if source == REGISTER and indicator in RETURNS_ONLY:
        raise StatsError(
            _("%(name)s needs counts of men, which only returns have.") % {"name": indicator}
        )
    if start > end:
        raise StatsError(_("The start date is after the end date."))
    area.jurisdiction_code()
    if source == RETURNS:
        check_return_source(area, return_source)
    result = Series(indicator, area, source)
    if indicator in rules.GROWTH_INDICATORS:
        result.points = _growth(indicator, area, start, end, period, source, return_source)
    elif indicator == "releases_by_reason":
        result.points = _releases(area, start, end, period)
    elif indicator == "median_pretrial_days":
        result.points = _median_pretrial(area, start, end, period)
    elif indicator == "offence_profile":
        result.points = _offences(area, start, end, period)
    else:
        result.points = _stock(indicator, area, start, end, period, source, return_source)
    if source == REGISTER:
        for point in result.points:
            point.source = REGISTER
    used = {point.source for point in result.points if point.source}
    result.return_source = used.pop() if source == RETURNS and len(used) == 1 else ""
    if publish:
        for point in result.points:
            apply_primary_suppression(indicator, point)
    return result


_READ_ONCE: ContextVar[dict[tuple[Any, ...], list[Observation]] | None] = ContextVar(
    "stats_observations_read_once", default=None
)


@contextmanager
def observations_read_once() -> Iterator[None]:
    """Within the block, the same observations (area, dates, source) are read from the
    database once: a brief asks for a dozen series of the same returns."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def observations(
    area: Area, start: date, end: date, source: str, return_source: str | None = None
) -> list[Observation]:
    """The returns' or the published figures' observations, with the denominators of their
    year (female and total population) added to their counts (read once per block of
    `observations_read_once`; callers do not change them)."""
    cache = _READ_ONCE.get()
    key = (area, start, end, source, return_source)
    if cache is not None and key in cache:
        return cache[key]
    found = _observations(area, start, end, source, return_source)
    if cache is not None:
        cache[key] = found
    return found


def _observations(
    area: Area, start: date, end: date, source: str, return_source: str | None = None
) -> list[Observation]:
    found = (
        published_observations(area, start, end)
        if source == PUBLISHED
        else return_observations(area, start, end, return_source)
    )
    female, everyone = female_population(area), population_totals(area)
    by_year: dict[int, tuple[int | None, int | None]] = {}
    for observation in found:
        year = observation.day.year
        if year not in by_year:  # the denominators of a year, looked up once
            by_year[year] = (
                denominator_for(female, observation.day),
                denominator_for(everyone, observation.day),
            )
        observation.counts["female_population"], observation.counts["population"] = by_year[year]
    return found


def chosen_values(
    indicator: str, found: list[Observation], period: str
) -> dict[str, tuple[Observation, Any]]:
    """Per period, the observation whose value of the indicator stands for it: the latest
    date in the period that gives the indicator (so a year with totals but no count of
    women still has its women's share from an earlier date), then `Observation.sort_key`.
    A period with observations but none giving the indicator has no value (None)."""
    by_period: dict[str, list[Observation]] = defaultdict(list)
    for observation in found:
        by_period[rules.period_key(observation.day, period)].append(observation)
    chosen: dict[str, tuple[Observation, Any]] = {}
    for key in sorted(by_period):
        valued = [
            (observation, value)
            for observation in by_period[key]
            if (value := rules.indicator_value(indicator, observation.counts)) is not None
        ]
        if valued:
            chosen[key] = max(valued, key=lambda pair: pair[0].sort_key())
        else:
            best = max(by_period[key], key=Observation.sort_key)
            chosen[key] = (best, None)
    return chosen


# Women in custody on each of the days, by the prison they were held in that day (the last
# transfer by then, else the prison of admission), with those pretrial and those pregnant:
# what `register_by_prison` counts for one day, for every day at once (the days joined as
# a VALUES list), so a series costs the same two queries whatever its number of dates.
REGISTER_DAYS_SQL = """
WITH days(day) AS (VALUES {days})
SELECT day, COUNT(*),
       SUM(CASE WHEN status = %s THEN 1 ELSE 0 END),
       SUM(CASE WHEN pregnant THEN 1 ELSE 0 END)
FROM (
  SELECT d.day AS day,
         COALESCE(
           (SELECT t.to_prison_id FROM {transfer} t
            WHERE t.episode_id = e.id AND t.transfer_date <= d.day
            ORDER BY t.transfer_date DESC, t.id DESC LIMIT 1),
           e.admission_prison_id) AS prison,
         COALESCE(
           (SELECT c.status FROM {change} c
            WHERE c.episode_id = e.id AND c.effective_date <= d.day
            ORDER BY c.effective_date DESC, c.id DESC LIMIT 1),
           e.legal_status) AS status,
         EXISTS (SELECT 1 FROM {pregnancy} g
                 WHERE g.woman_id = e.woman_id AND g.known_since <= d.day
                   AND (g.outcome_date IS NULL OR g.outcome_date > d.day)) AS pregnant
  FROM days d
  JOIN {episode} e ON e.admission_date <= d.day
                  AND (e.release_date IS NULL OR e.release_date > d.day)
) AS held
WHERE prison IN ({prisons})
GROUP BY day
"""
CHILDREN_DAYS_SQL = """
WITH days(day) AS (VALUES {days})
SELECT d.day, COUNT(*)
FROM days d
JOIN {placement} p ON p.kind = %s AND p.start_date <= d.day
                  AND (p.end_date IS NULL OR p.end_date > d.day)
WHERE p.prison_id IN ({prisons})
GROUP BY d.day
"""


def _days_sql(days: list[date]) -> tuple[str, list[Any]]:
    """The days as the rows of a VALUES list (typed as dates on PostgreSQL) and their
    parameters."""
    from django.db import connection

    one_day = "(CAST(%s AS DATE))" if connection.vendor == "postgresql" else "(%s)"
    return ", ".join([one_day] * len(days)), [
        connection.ops.adapt_datefield_value(day) for day in days
    ]


def _register_tables() -> dict[str, str]:
    return {
        "transfer": Transfer._meta.db_table,
        "change": LegalStatusChange._meta.db_table,
        "pregnancy": Pregnancy._meta.db_table,
        "episode": CustodyEpisode._meta.db_table,
        "placement": Placement._meta.db_table,
        "charge": Charge._meta.db_table,
        "offence": OffenceCategory._meta.db_table,
        "child": Child._meta.db_table,
        "extension": LeaveExtension._meta.db_table,
    }


def register_by_days(days: list[date], area: Area) -> dict[date, dict[str, int]]:
    """The area's counts from the register on each day: women, pretrial women, pregnant
    women and children living in prison, in two queries whatever the number of days."""
    from django.db import connection

    found: dict[date, dict[str, int]] = {
        day: dict.fromkeys(("women", "pretrial_women", "pregnant_women", "children_in_prison"), 0)
        for day in days
    }
    prison_ids = list(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    if not days or not prison_ids:
        return found
    values, day_params = _days_sql(list(found))
    prisons = ", ".join(["%s"] * len(prison_ids))
    tables = _register_tables()
    with connection.cursor() as cursor:
        cursor.execute(
            REGISTER_DAYS_SQL.format(days=values, prisons=prisons, **tables),
            [*day_params, LegalStatus.PRETRIAL.value, *prison_ids],
        )
        for day, women, pretrial, pregnant in cursor.fetchall():
            counts = found[_as_date(day)]
            counts.update(women=women, pretrial_women=pretrial or 0, pregnant_women=pregnant or 0)
        cursor.execute(
            CHILDREN_DAYS_SQL.format(days=values, prisons=prisons, **tables),
            [*day_params, PlacementKind.IN_PRISON.value, *prison_ids],
        )
        for day, children in cursor.fetchall():
            found[_as_date(day)]["children_in_prison"] = children
    return found


# Children living in prison on each day, grouped by birth date and the months of leave
# extension approved by that day; only those born on or before the day's bound (younger
# ones cannot be due within the horizon). The age-limit rule is applied per group.
NEAR_LIMIT_DAYS_SQL = """
WITH days(day, latest_birth) AS (VALUES {days})
SELECT d.day, c.date_of_birth,
       COALESCE((SELECT SUM(x.months) FROM {extension} x
                 WHERE x.child_id = p.child_id AND x.approved_on <= d.day), 0) AS extension,
       COUNT(*)
FROM days d
JOIN {placement} p ON p.kind = %s AND p.start_date <= d.day
                  AND (p.end_date IS NULL OR p.end_date > d.day)
JOIN {child} c ON c.id = p.child_id
WHERE p.prison_id IN ({prisons}) AND c.date_of_birth <= d.latest_birth
GROUP BY d.day, c.date_of_birth, extension
"""


def near_limit_by_days(days: list[date], area: Area) -> dict[date, int]:
    """Children living in prison in the area on each day who are near the age limit or past
    it (as `children_near_age_limit` counts them for one day), in one query whatever the
    number of days; the rule is applied once per day, birth date and extension."""
    from django.db import connection

    found = dict.fromkeys(days, 0)
    days = list(found)  # each day once
    prison_ids = list(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    age_rules = list(AgeLimitRule.objects.filter(jurisdiction__code=area.jurisdiction_code()))
    if not days or not prison_ids or not age_rules:
        return found
    bounds = [
        earliest_birth_reaching_limit_after(day + timedelta(days=NEAR_LIMIT_DAYS), age_rules)
        for day in days
    ]
    pairs = (
        "(CAST(%s AS DATE), CAST(%s AS DATE))" if connection.vendor == "postgresql" else "(%s, %s)"
    )
    params: list[Any] = []
    for day, bound in zip(days, bounds, strict=True):
        params += [connection.ops.adapt_datefield_value(d) for d in (day, bound)]
    sql = NEAR_LIMIT_DAYS_SQL.format(
        days=", ".join([pairs] * len(days)),
        prisons=", ".join(["%s"] * len(prison_ids)),
        **_register_tables(),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, PlacementKind.IN_PRISON.value, *prison_ids])
        for day, born, extension, n in cursor.fetchall():
            on = _as_date(day)
            leave_by = child_leave_by(_as_date(born), age_rules, [int(extension)], on=on)
            if leave_by.date is not None and leave_by.date <= on + timedelta(days=NEAR_LIMIT_DAYS):
                found[on] += n
    return found


# Women in custody on each day in the area's prisons (by the prison held in that day) by
# offence charged, a woman charged with several offences counted once under each.
OFFENCES_DAYS_SQL = """
WITH days(day) AS (VALUES {days})
SELECT day, code, COUNT(DISTINCT episode_id)
FROM (
  SELECT d.day AS day, o.code AS code, c.episode_id AS episode_id,
         COALESCE(
           (SELECT t.to_prison_id FROM {transfer} t
            WHERE t.episode_id = e.id AND t.transfer_date <= d.day
            ORDER BY t.transfer_date DESC, t.id DESC LIMIT 1),
           e.admission_prison_id) AS prison
  FROM days d
  JOIN {episode} e ON e.admission_date <= d.day
                  AND (e.release_date IS NULL OR e.release_date > d.day)
  JOIN {charge} c ON c.episode_id = e.id
  JOIN {offence} o ON o.id = c.offence_category_id
) AS held
WHERE prison IN ({prisons})
GROUP BY day, code
ORDER BY day, code
"""


def offences_by_days(days: list[date], area: Area) -> list[tuple[date, str, int]]:
    """(day, offence code, women) for every day at once: one query."""
    from django.db import connection

    prison_ids = list(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    if not days or not prison_ids:
        return []
    values, day_params = _days_sql(list(dict.fromkeys(days)))
    sql = OFFENCES_DAYS_SQL.format(
        days=values, prisons=", ".join(["%s"] * len(prison_ids)), **_register_tables()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*day_params, *prison_ids])
        return [(_as_date(day), code, n) for day, code, n in cursor.fetchall()]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def stock_aggregates(
    area: Area,
    start: date,
    end: date,
    period: str,
    indicator: str = "",
) -> dict[str, tuple[date, dict[str, Any]]]:
    """Per period, the date standing for it and the area's counts from the register: for
    every date at once (`register_by_days`, and `near_limit_by_days` for the children near
    the age limit), so a constant number of queries whatever the number of dates."""
    population = female_population(area)
    chosen: dict[str, tuple[date, dict[str, Any]]] = {}
    days = period_ends(start, end, period)
    for day, totals in register_by_days(days, area).items():
        chosen[rules.period_key(day, period)] = (day, dict(totals))
    if indicator == "children_near_age_limit":
        for day, n in near_limit_by_days(days, area).items():
            chosen[rules.period_key(day, period)][1]["children_near_age_limit"] = n
    for day, aggregate in chosen.values():
        aggregate["female_population"] = denominator_for(population, day)
    return chosen


def _stock(
    indicator: str,
    area: Area,
    start: date,
    end: date,
    period: str,
    source: str,
    return_source: str | None,
) -> list[Point]:
    basis_name = rules.DERIVED_FROM.get(indicator, indicator)
    points = []
    if source != REGISTER:
        found = observations(area, start, end, source, return_source)
        for key, (observation, value) in chosen_values(indicator, found, period).items():
            point = Point(key, str(area), value, date=observation.day)
            point.basis = observation.counts.get(basis_name)
            points.append(observation.stamp(point))
        return points
    for key, (day, aggregate) in stock_aggregates(area, start, end, period, indicator).items():
        value = rules.indicator_value(indicator, aggregate)
        # The register was counted on this date: a count no group returned is nobody.
        if value is None and indicator in rules.SENSITIVE | {"women"}:
            value = 0
        basis = aggregate.get(basis_name)
        points.append(Point(key, str(area), value, date=day, basis=basis))
    return points


def _growth(
    indicator: str,
    area: Area,
    start: date,
    end: date,
    period: str,
    source: str,
    return_source: str | None,
) -> list[Point]:
    """Growth between the first and the last period's values (one point); from the
    published figures, the published growth of the latest date if there is one."""
    measure = "women" if indicator == "growth_women" else "men"
    if source == REGISTER:
        aggregates = stock_aggregates(area, start, end, period)
        if not aggregates:
            return []
        keys = sorted(aggregates)
        first, last = aggregates[keys[0]], aggregates[keys[-1]]
        value = rules.growth_percent(first[1].get(measure), last[1].get(measure))
        return [Point(f"{keys[0]}/{keys[-1]}", str(area), value, date=last[0])]
    found = observations(area, start, end, source, return_source)
    published = [o for o in found if f"published:{indicator}" in o.counts]
    if published:
        latest = max(published, key=Observation.sort_key)
        point = Point(
            rules.period_key(latest.day, period),
            str(area),
            latest.counts[f"published:{indicator}"],
            date=latest.day,
        )
        return [latest.stamp(point)]
    chosen = {key: pair for key, pair in chosen_values(measure, found, period).items() if pair[1]}
    if not chosen:
        return []
    keys = sorted(chosen)
    (earliest, first_value), (latest_seen, last_value) = chosen[keys[0]], chosen[keys[-1]]
    point = Point(
        f"{keys[0]}/{keys[-1]}",
        str(area),
        rules.growth_percent(first_value, last_value),
        date=latest_seen.day,
    )
    latest_seen.stamp(point)
    if earliest.source != latest_seen.source:
        point.source = f"{earliest.source} → {latest_seen.source}"
    return [point]


# The first day of the period a date falls in, in SQL: Django's Trunc calls back into Python
# for every row on SQLite, which made the releases' one query several times its baseline.
PERIOD_START_SQL = {
    "postgresql": {
        "year": "CAST(date_trunc('year', {col}) AS DATE)",
        "quarter": "CAST(date_trunc('quarter', {col}) AS DATE)",
        "month": "CAST(date_trunc('month', {col}) AS DATE)",
    },
    "sqlite": {
        "year": "substr({col}, 1, 4) || '-01-01'",
        "quarter": (
            "substr({col}, 1, 5) || printf('%%02d', "
            "(CAST(substr({col}, 6, 2) AS INTEGER) - 1) / 3 * 3 + 1) || '-01'"
        ),
        "month": "substr({col}, 1, 7) || '-01'",
    },
}
RELEASES_SQL = """
SELECT {bucket}, e.release_reason, COUNT(*)
FROM {episode} e
WHERE e.current_prison_id IN ({prisons}) AND e.release_date >= %s AND e.release_date <= %s
GROUP BY 1, 2
ORDER BY 1, 2
"""


def _releases(area: Area, start: date, end: date, period: str) -> list[Point]:
    """Women released in each period by the reason of release: one grouped query."""
    from django.db import connection

    prison_ids = list(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    if not prison_ids:
        return []
    bucket = PERIOD_START_SQL[connection.vendor][period].format(col="e.release_date")
    sql = RELEASES_SQL.format(
        bucket=bucket, prisons=", ".join(["%s"] * len(prison_ids)), **_register_tables()
    )
    params = [*prison_ids, *(connection.ops.adapt_datefield_value(d) for d in (start, end))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        Point(
            rules.period_key(_as_date(first_day), period),
            str(area),
            n,
            category=reason or "not_recorded",
        )
        for first_day, reason, n in rows
    ]


# Each episode's first conviction (the earliest change to a status other than pretrial) in
# the area's prisons between two dates, grouped by its date and the date of admission: the
# days held before it, as a histogram the database returns (not one row per woman).
FIRST_CONVICTIONS_SQL = """
SELECT f.first_day, e.admission_date, COUNT(*)
FROM (SELECT c.episode_id, MIN(c.effective_date) AS first_day
      FROM {change} c WHERE c.status <> %s GROUP BY c.episode_id) f
JOIN {episode} e ON e.id = f.episode_id
WHERE e.current_prison_id IN ({prisons}) AND f.first_day >= %s AND f.first_day <= %s
GROUP BY f.first_day, e.admission_date
"""


def _median_pretrial(area: Area, start: date, end: date, period: str) -> list[Point]:
    """Median days from admission to the first conviction, for women convicted in each
    period: one grouped query."""
    from django.db import connection

    prison_ids = list(Prison.objects.filter(area.prison_filter()).values_list("pk", flat=True))
    if not prison_ids:
        return []
    sql = FIRST_CONVICTIONS_SQL.format(
        prisons=", ".join(["%s"] * len(prison_ids)), **_register_tables()
    )
    params: list[Any] = [LegalStatus.PRETRIAL.value, *prison_ids]
    params += [connection.ops.adapt_datefield_value(day) for day in (start, end)]
    histogram: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for first, admitted, n in cursor.fetchall():
            convicted = _as_date(first)
            days = (convicted - _as_date(admitted)).days
            histogram[rules.period_key(convicted, period)][days] += n
    return [
        Point(key, str(area), rules.median_of_histogram(sorted(counts.items())))
        for key, counts in sorted(histogram.items())
    ]


def _offences(area: Area, start: date, end: date, period: str) -> list[Point]:
    """Women in custody at the end of each period by offence charged (a woman charged with
    several offences is counted under each): one query for every period."""
    return [
        Point(rules.period_key(day, period), str(area), n, category=code, date=day)
        for day, code, n in offences_by_days(period_ends(start, end, period), area)
    ]


def apply_primary_suppression(indicator: str, point: Point) -> None:
    """Hide a small count of pregnant women or children, and a rate made from one."""
    sensitive = indicator in rules.SENSITIVE or indicator in rules.DERIVED_FROM
    basis = point.basis if point.basis is not None else point.value
    if sensitive and rules.is_small(basis, threshold()):
        point.value, point.suppressed = None, True


# Tables for the page, the exports and the brief


TABLE_COLUMNS = ("total", "women", "pretrial_women", "pregnant_women", "children_in_prison")
REGISTER_COLUMNS = ("women", "pretrial_women", "pregnant_women", "children_in_prison")


@dataclass
class Cell:
    value: int | float | None
    suppressed: bool = False


@dataclass
class AreaTable:
    """Counts per prison (or province) on one date with a totals row; small counts of
    pregnant women and children hidden with secondary suppression when published."""

    day: date | None
    columns: tuple[str, ...]
    rows: list[tuple[str, str, list[Cell]]]  # (code, label, cells)
    totals: list[Cell]
    source: str
    return_source: str = ""


def latest_return_date(area: Area, on: date, source: str) -> date | None:
    return (
        PopulationReturn.objects.filter(area.prison_filter("prison__"))
        .filter(source=source, date__lte=on)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )


def area_counts(
    area: Area, on: date, source: str, group: str, return_source: str | None = None
) -> tuple[date | None, str, dict[str, dict[str, Any]]]:
    """Counts per prison or province code within the area: from the latest return on or
    before `on`, or from the register on `on`."""
    if source == RETURNS:
        return_source = return_source or default_return_source(area)
        day = latest_return_date(area, on, return_source)
        if day is None:
            return None, return_source, {}
        by_key = returns_by_date(area, day, day, return_source, group)
        return day, return_source, {key: agg for (key, _day), agg in by_key.items()}
    return on, "", roll_up(register_by_prison(on, area), group, area)


def area_table(
    area: Area,
    on: date,
    source: str = RETURNS,
    group: str = "prison",
    return_source: str | None = None,
    *,
    publish: bool = True,
) -> AreaTable:
    """One row per prison (or province) of the area with the counts of `TABLE_COLUMNS`."""
    day, used_source, counts = area_counts(area, on, source, group, return_source)
    columns = TABLE_COLUMNS if source == RETURNS else REGISTER_COLUMNS
    model = Prison if group == "prison" else Province
    labels = {
        obj.code: obj.display_name
        for obj in model.objects.filter(code__in=list(counts)).order_by("name")
    }
    keys = [code for code in labels if code in counts]
    matrix = [[counts[key].get(name) for name in columns] for key in keys]
    totals = [
        None if all(row[i] is None for row in matrix) else sum(row[i] or 0 for row in matrix)
        for i in range(len(columns))
    ]
    hidden: set[tuple[int, int]] = set()
    if publish and keys:
        sensitive = [i for i, name in enumerate(columns) if name in rules.SENSITIVE]
        table = rules.suppress([[row[i] or 0 for i in sensitive] for row in matrix], threshold())
        for r, c in table.suppressed:
            column = sensitive[c] if c < len(sensitive) else None
            if column is None:
                continue  # a row total across different counts is never shown
            hidden.add((r, column))
    rows = [
        (
            key,
            labels[key],
            [
                Cell(None, True) if (r, c) in hidden else Cell(value)
                for c, value in enumerate(matrix[r])
            ],
        )
        for r, key in enumerate(keys)
    ]
    total_cells = [
        Cell(None, True) if (len(keys), c) in hidden else Cell(value)
        for c, value in enumerate(totals)
    ]
    return AreaTable(day, columns, rows, total_cells, source, used_source)


@dataclass
class Comparison:
    """Returns against the register for the same area and date."""

    day: date
    return_day: date | None
    return_source: str
    rows: list[tuple[str, int | None, int | None, int | None, float | None]]


def compare(area: Area, on: date, return_source: str | None = None) -> Comparison:
    """Side by side: the latest return on or before `on` and the register on `on`; the
    difference (register minus return) and the register's coverage of the return."""
    day, used, by_key = area_counts(area, on, RETURNS, "", return_source)
    returned = next(iter(by_key.values()), {}) if by_key else {}
    register = roll_up(register_by_prison(on, area), None, area).get(str(area), {})
    rows: list[tuple[str, int | None, int | None, int | None, float | None]] = []
    for name in REGISTER_COLUMNS:
        from_returns: int | None = returned.get(name)
        from_register = register.get(name, 0)
        difference = None if from_returns is None else from_register - from_returns
        rows.append(
            (
                name,
                from_returns,
                from_register,
                difference,
                rules.ratio(from_register, from_returns),
            )
        )
    return Comparison(on, day, used, rows)


def province_values(
    indicator: str, on: date, source: str, jurisdiction: str, return_source: str | None = None
) -> tuple[date | None, dict[str, Cell]]:
    """The indicator for every province of the jurisdiction on one date (for the map)."""
    nation = Area("nation", jurisdiction)
    day, _used, counts = area_counts(nation, on, source, "province", return_source)
    if indicator not in rules.STOCK_INDICATORS:
        return day, {}
    codes = sorted(counts)
    hidden: set[str] = set()
    basis_name = rules.DERIVED_FROM.get(indicator, indicator)
    if basis_name in rules.SENSITIVE and codes:
        # The national total is published beside the map: hide enough provinces that no
        # hidden one can be worked out from it.
        column = [[int(counts[code].get(basis_name) or 0)] for code in codes]
        table = rules.suppress(column, threshold())
        hidden = {codes[r] for r, c in table.suppressed if r < len(codes) and c == 0}
    values = {
        code: Cell(None, True)
        if code in hidden
        else Cell(rules.indicator_value(indicator, counts[code]))
        for code in codes
    }
    return day, values
