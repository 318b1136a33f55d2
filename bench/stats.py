"""Benchmark of the statistics: the indicator queries against hand-written SQL baselines
(reported as ratios), the statistics page's table and the brief (context and PDF).

    # SQLite: a data directory of its own, generated on the first run
    .venv/bin/python bench/stats.py --data-dir /tmp/stats-nat --generate --today 2026-06-15
    # PostgreSQL: a database of its own
    .venv/bin/python bench/stats.py --generate --today 2026-06-15 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_stats_nat

Each operation runs `--repeat` times alternating with its baseline, and the medians are
compared. Before timing, the operation's numbers are checked against the baseline's and the
run stops if they differ.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://... (otherwise SQLite)")
    parser.add_argument("--data-dir", help="directory of the SQLite file (MOTHERLINE_DATA_DIR)")
    parser.add_argument("--preset", default="national")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-06-15")
    parser.add_argument("--generate", action="store_true", help="migrate and generate if empty")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--large",
        action="store_true",
        help="also time 20 years x 200 prisons of returns (a made-up jurisdiction ZZ)",
    )
    parser.add_argument("--only", default="", help="only the checks whose name contains this")
    parser.add_argument(
        "--only-indicators",
        action="store_true",
        help="only the indicators against their baselines (not the page, table and brief)",
    )
    return parser.parse_args(argv)


def ensure_large(today: date) -> None:
    """A made-up jurisdiction ZZ with 25 provinces of 8 prisons and monthly returns for 20
    years (48,000 returns), written once."""
    from motherline.jurisdictions.models import Jurisdiction
    from motherline.places.models import Prison, Province
    from motherline.stats.models import PopulationReturn
    from motherline.synthetic.returns import month_ends

    zz, created = Jurisdiction.objects.get_or_create(code="ZZ", defaults={"name": "Benchland"})
    if not created and PopulationReturn.objects.filter(prison__province__jurisdiction=zz).exists():
        return
    provinces = [
        Province.objects.create(jurisdiction=zz, code=f"ZZ-{n}", name=f"Province {n}")
        for n in range(1, 26)
    ]
    prisons = [
        Prison.objects.create(
            province=province,
            code=f"ZZ-{province.code[3:]}-{k}",
            name=f"Prison {province.code}-{k}",
            kind="provincial_prison",
            capacity=500,
        )
        for province in provinces
        for k in range(8)
    ]
    start = date(today.year - 20, today.month, 1)
    rows = []
    for i, day in enumerate(month_ends(start, today)):
        for j, prison in enumerate(prisons):
            women = 20 + (i + j) % 30
            rows.append(
                PopulationReturn(
                    prison=prison,
                    date=day,
                    source="prison_authority",
                    total=400 + women,
                    men=400,
                    women=women,
                    pretrial_men=150,
                    pretrial_women=women // 3,
                    pregnant_women=(i * j) % 4,
                    children_in_prison=(i + 2 * j) % 6,
                )
            )
    PopulationReturn.objects.bulk_create(rows, batch_size=2000)


def setup(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
        os.environ["MOTHERLINE_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


RETURNS_SQL = """
SELECT r.date, SUM(r.total), SUM(r.women), SUM(r.men), SUM(r.pregnant_women),
       SUM(r.children_in_prison)
FROM stats_populationreturn r
JOIN places_prison p ON p.id = r.prison_id
JOIN places_province v ON v.id = p.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
WHERE j.code = %s AND r.source = %s AND r.date BETWEEN %s AND %s
GROUP BY r.date ORDER BY r.date
"""

# Women in custody on a day by the prison they were held in (last transfer, else admission),
# with those pretrial that day and those pregnant that day: what register_by_prison counts.
REGISTER_SQL = """
SELECT prison, COUNT(*),
       SUM(CASE WHEN status = 'pretrial' THEN 1 ELSE 0 END),
       SUM(CASE WHEN pregnant THEN 1 ELSE 0 END)
FROM (
  SELECT COALESCE(
           (SELECT t.to_prison_id FROM people_transfer t
            WHERE t.episode_id = e.id AND t.transfer_date <= %(day)s
            ORDER BY t.transfer_date DESC, t.id DESC LIMIT 1),
           e.admission_prison_id) AS prison,
         COALESCE(
           (SELECT c.status FROM people_legalstatuschange c
            WHERE c.episode_id = e.id AND c.effective_date <= %(day)s
            ORDER BY c.effective_date DESC, c.id DESC LIMIT 1),
           e.legal_status) AS status,
         EXISTS (SELECT 1 FROM people_pregnancy g
                 WHERE g.woman_id = e.woman_id AND g.known_since <= %(day)s
                   AND (g.outcome_date IS NULL OR g.outcome_date > %(day)s)) AS pregnant
  FROM people_custodyepisode e
  WHERE e.admission_date <= %(day)s AND (e.release_date IS NULL OR e.release_date > %(day)s)
) AS held
GROUP BY prison
"""


# Every indicator of `rules.INDICATORS` against hand-written SQL: the series of the nation
# as `queries.series(..., publish=False)` returns it (period, category, value), and the same
# from SQL that a careful person would write, with the indicator's formula applied to the
# few rows it returns (docs/indicators.md). Returns for the indicators counted from returns,
# the register (by quarter, three years) for those counted from individual records.

# The national sums of the prisons' returns on each date, per source, with the precision of
# the dates and the source's address (every value says where it comes from).
RETURNS_DAYS_SQL = """
SELECT r.date, r.source, MAX(r.date_precision), MAX(r.source_url), SUM(r.total), SUM(r.women),
       SUM(r.men),
       SUM(r.pretrial_total), SUM(r.pretrial_women), SUM(r.pretrial_men), SUM(r.minors),
       SUM(r.foreign_nationals), SUM(r.pregnant_women), SUM(r.children_in_prison),
       SUM(COALESCE(r.capacity, p.capacity)), COUNT(*)
FROM stats_populationreturn r
JOIN places_prison p ON p.id = r.prison_id
JOIN places_province v ON v.id = p.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
WHERE j.code = %s AND r.date BETWEEN %s AND %s
GROUP BY r.date, r.source
"""
PRISONS_SQL = """
SELECT p.opened_on, p.closed_on FROM places_prison p
JOIN places_province v ON v.id = p.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
WHERE j.code = %s
"""
RETURN_COLUMNS = [
    "total",
    "women",
    "men",
    "pretrial_total",
    "pretrial_women",
    "pretrial_men",
    "minors",
    "foreign_nationals",
    "pregnant_women",
    "children_in_prison",
    "capacity",
]

# Women in custody on each day (the dates as a VALUES list), by the prison held in that day,
# pretrial that day, pregnant that day; and children living in prison on each day.
REGISTER_DAYS_BASELINE = """
WITH days(day) AS (VALUES {days})
SELECT d.day, COUNT(*),
       SUM(CASE WHEN COALESCE(
             (SELECT c.status FROM people_legalstatuschange c
              WHERE c.episode_id = e.id AND c.effective_date <= d.day
              ORDER BY c.effective_date DESC, c.id DESC LIMIT 1),
             e.legal_status) = 'pretrial' THEN 1 ELSE 0 END),
       SUM(CASE WHEN EXISTS (
             SELECT 1 FROM people_pregnancy g
             WHERE g.woman_id = e.woman_id AND g.known_since <= d.day
               AND (g.outcome_date IS NULL OR g.outcome_date > d.day)) THEN 1 ELSE 0 END)
FROM days d
JOIN people_custodyepisode e ON e.admission_date <= d.day
 AND (e.release_date IS NULL OR e.release_date > d.day)
WHERE COALESCE(
        (SELECT t.to_prison_id FROM people_transfer t
         WHERE t.episode_id = e.id AND t.transfer_date <= d.day
         ORDER BY t.transfer_date DESC, t.id DESC LIMIT 1),
        e.admission_prison_id) IN (SELECT p.id FROM places_prison p
                                   JOIN places_province v ON v.id = p.province_id
                                   JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
                                   WHERE j.code = %s)
GROUP BY d.day
"""
CHILDREN_DAYS_BASELINE = """
WITH days(day) AS (VALUES {days})
SELECT d.day, COUNT(*)
FROM days d
JOIN people_placement p ON p.kind = 'in_prison' AND p.start_date <= d.day
 AND (p.end_date IS NULL OR p.end_date > d.day)
JOIN places_prison s ON s.id = p.prison_id
JOIN places_province v ON v.id = s.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id AND j.code = %s
GROUP BY d.day
"""
NEAR_LIMIT_BASELINE = """
WITH days(day, latest_birth) AS (VALUES {pairs})
SELECT d.day, c.date_of_birth,
       COALESCE((SELECT SUM(x.months) FROM care_leaveextension x
                 WHERE x.child_id = c.id AND x.approved_on <= d.day), 0) AS extension,
       COUNT(*)
FROM days d
JOIN people_placement p ON p.kind = 'in_prison' AND p.start_date <= d.day
 AND (p.end_date IS NULL OR p.end_date > d.day)
JOIN people_child c ON c.id = p.child_id AND c.date_of_birth <= d.latest_birth
JOIN places_prison s ON s.id = p.prison_id
JOIN places_province v ON v.id = s.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id AND j.code = %s
GROUP BY d.day, c.date_of_birth, extension
"""
OFFENCES_BASELINE = """
WITH days(day) AS (VALUES {days})
SELECT d.day, o.code, COUNT(DISTINCT e.id)
FROM days d
JOIN people_custodyepisode e ON e.admission_date <= d.day
 AND (e.release_date IS NULL OR e.release_date > d.day)
JOIN people_charge c ON c.episode_id = e.id
JOIN jurisdictions_offencecategory o ON o.id = c.offence_category_id
WHERE COALESCE(
        (SELECT t.to_prison_id FROM people_transfer t
         WHERE t.episode_id = e.id AND t.transfer_date <= d.day
         ORDER BY t.transfer_date DESC, t.id DESC LIMIT 1),
        e.admission_prison_id) IN (SELECT p.id FROM places_prison p
                                   JOIN places_province v ON v.id = p.province_id
                                   JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
                                   WHERE j.code = %s)
GROUP BY d.day, o.code
"""
RELEASES_BASELINE = """
SELECT {year}, e.release_reason, COUNT(*)
FROM people_custodyepisode e
JOIN places_prison p ON p.id = e.current_prison_id
JOIN places_province v ON v.id = p.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
WHERE j.code = %s AND e.release_date BETWEEN %s AND %s
GROUP BY 1, 2
"""
# The first conviction of each episode (status other than pretrial, earliest date) and the
# days from admission to it, for convictions between the dates.
MEDIAN_PRETRIAL_BASELINE = """
SELECT f.first_day, e.admission_date
FROM (SELECT c.episode_id, MIN(c.effective_date) AS first_day
      FROM people_legalstatuschange c WHERE c.status <> 'pretrial'
      GROUP BY c.episode_id) f
JOIN people_custodyepisode e ON e.id = f.episode_id
JOIN places_prison p ON p.id = e.current_prison_id
JOIN places_province v ON v.id = p.province_id
JOIN jurisdictions_jurisdiction j ON j.id = v.jurisdiction_id
WHERE j.code = %s AND f.first_day BETWEEN %s AND %s
"""


def _pct(numerator: Any, denominator: Any, scale: float = 100) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator * scale / denominator, 1)


def _pretrial(a: dict[str, Any]) -> Any:
    if a["pretrial_total"] is not None:
        return a["pretrial_total"]
    if a["pretrial_women"] is None or a["pretrial_men"] is None:
        return None
    return a["pretrial_women"] + a["pretrial_men"]


# The formulas of docs/indicators.md, written out again for the baselines.
FORMULAS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "total": lambda a: a["total"],
    "women": lambda a: a["women"],
    "men": lambda a: a["men"],
    "women_share": lambda a: _pct(a["women"], a["total"]),
    "pretrial_share": lambda a: _pct(_pretrial(a), a["total"]),
    "pretrial_share_women": lambda a: _pct(a["pretrial_women"], a["women"]),
    "pretrial_share_men": lambda a: _pct(a["pretrial_men"], a["men"]),
    "pregnant_women": lambda a: a["pregnant_women"],
    "children_in_prison": lambda a: a["children_in_prison"],
    "children_per_100_women": lambda a: _pct(a["children_in_prison"], a["women"]),
    "occupancy": lambda a: _pct(a["total"], a["capacity"]),
    "women_per_100k": lambda a: _pct(a["women"], a["female_population"], 100_000),
    "per_100k": lambda a: _pct(a["total"], a["population"], 100_000),
    "minors": lambda a: a["minors"],
    "foreign_nationals": lambda a: a["foreign_nationals"],
    "children_near_age_limit": lambda a: a["children_near_age_limit"],
}


def _denominator(by_year: dict[int, int], day: date) -> int | None:
    if not by_year:
        return None
    usable = [year for year in sorted(by_year) if year <= day.year] or sorted(by_year)[:1]
    return by_year[usable[-1]]


class Baselines:
    """The hand-written SQL of every indicator for the nation `code`."""

    def __init__(self, code: str, today: date) -> None:
        from django.db import connection

        self.connection = connection
        self.code, self.today = code, today
        self.postgres = connection.vendor == "postgresql"

    def _fetch(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _days(self, days: list[date], pairs: bool = False) -> tuple[str, list[Any]]:
        one = "CAST(%s AS DATE)" if self.postgres else "%s"
        row = f"({one}, {one})" if pairs else f"({one})"
        return ", ".join([row] * len(days)), []

    def _populations(self) -> tuple[dict[int, int], dict[int, int]]:
        from motherline.stats.denominators import read_population_totals

        female = dict(
            self._fetch(
                "SELECT year, female_population FROM jurisdictions_populationdenominator "
                "WHERE area = %s",
                [self.code],
            )
        )
        everyone = {
            row.year: row.population
            for row in read_population_totals(self.code)
            if row.area == self.code
        }
        return female, everyone

    def returns(self, indicator: str, start: date) -> list[tuple[Any, ...]]:
        """Per year, the value at the latest date of the year that gives one, from the
        prisons' most frequent source, with that source, the date's precision, the
        source's address and the coverage (prisons reporting of those open that day)."""
        from motherline.stats.rules import growth_percent

        rows = self._fetch(RETURNS_DAYS_SQL, [self.code, start, self.today])
        frequency: dict[str, int] = {}
        for row in rows:
            frequency[row[1]] = frequency.get(row[1], 0) + row[-1]
        source = max((n, name) for name, n in frequency.items())[1]
        female, everyone = self._populations()
        prisons = [
            (_day(opened) if opened else None, _day(closed) if closed else None)
            for opened, closed in self._fetch(PRISONS_SQL, [self.code])
        ]
        by_year: dict[str, list[tuple[Any, ...]]] = {}
        for row in rows:
            if row[1] != source:
                continue
            day = _day(row[0])
            counts = dict(zip(RETURN_COLUMNS, row[4:-1], strict=True))
            counts["female_population"] = _denominator(female, day)
            counts["population"] = _denominator(everyone, day)
            open_then = sum(1 for o, c in prisons if (not o or o <= day) and (not c or c > day))
            by_year.setdefault(str(day.year), []).append(
                (day, counts, row[2], row[3], row[-1], open_then)
            )
        measure = {"growth_women": "women", "growth_men": "men"}.get(indicator, indicator)
        values = {}
        for year, found in sorted(by_year.items()):
            valued = [(day, FORMULAS[measure](c), *rest) for day, c, *rest in found]
            given = [v for v in valued if v[1] is not None]
            if given:
                values[year] = max(given, key=lambda v: v[0])
            else:
                latest = max(valued, key=lambda v: v[0])
                values[year] = (latest[0], None, *latest[2:])
        if measure != indicator:
            given_years = [(year, v) for year, v in values.items() if v[1]]
            (first, a), (last, b) = given_years[0], given_years[-1]
            return [(f"{first}/{last}", "", growth_percent(a[1], b[1]), source, *b[2:])]
        return [(year, "", v[1], source, *v[2:]) for year, v in values.items()]

    def register(self, indicator: str, days: list[date], period: str) -> list[tuple[Any, ...]]:
        from motherline.stats.rules import growth_percent, period_key

        params = [self.connection.ops.adapt_datefield_value(day) for day in days]
        values, _ = self._days(days)
        counts = {
            day: dict.fromkeys(
                ("women", "pretrial_women", "pregnant_women", "children_in_prison"), 0
            )
            for day in days
        }
        for day, women, pretrial, pregnant in self._fetch(
            REGISTER_DAYS_BASELINE.format(days=values), [*params, self.code]
        ):
            counts[_day(day)].update(
                women=women, pretrial_women=pretrial or 0, pregnant_women=pregnant or 0
            )
        for day, n in self._fetch(CHILDREN_DAYS_BASELINE.format(days=values), [*params, self.code]):
            counts[_day(day)]["children_in_prison"] = n
        if indicator == "children_near_age_limit":
            for day, n in self.near_limit(days).items():
                counts[day]["children_near_age_limit"] = n
        female, _everyone = self._populations()
        for day in days:
            counts[day]["female_population"] = _denominator(female, day)
        if indicator == "growth_women":
            first, last = days[0], days[-1]
            value = growth_percent(counts[first]["women"], counts[last]["women"])
            key = f"{period_key(first, period)}/{period_key(last, period)}"
            return [(key, "", value, "register", "", "", None, None)]
        return [
            (
                period_key(day, period),
                "",
                FORMULAS[indicator](counts[day]),
                "register",
                "",
                "",
                None,
                None,
            )
            for day in days
        ]

    def near_limit(self, days: list[date]) -> dict[date, int]:
        from motherline.care.rules import child_leave_by
        from motherline.jurisdictions.models import AgeLimitRule
        from motherline.worklist.rules import earliest_birth_reaching_limit_after

        rules = list(AgeLimitRule.objects.filter(jurisdiction__code=self.code))
        params: list[Any] = []
        for day in days:
            bound = earliest_birth_reaching_limit_after(day + timedelta(days=90), rules)
            params += [self.connection.ops.adapt_datefield_value(d) for d in (day, bound)]
        pairs, _ = self._days(days, pairs=True)
        found = dict.fromkeys(days, 0)
        for day, born, extension, n in self._fetch(
            NEAR_LIMIT_BASELINE.format(pairs=pairs), [*params, self.code]
        ):
            on = _day(day)
            leave_by = child_leave_by(_day(born), rules, [int(extension)], on=on)
            if leave_by.date is not None and leave_by.date <= on + timedelta(days=90):
                found[on] += n
        return found

    def offences(self, days: list[date], period: str) -> list[tuple[Any, ...]]:
        from motherline.stats.rules import period_key

        params = [self.connection.ops.adapt_datefield_value(day) for day in days]
        values, _ = self._days(days)
        rows = self._fetch(OFFENCES_BASELINE.format(days=values), [*params, self.code])
        return [
            (period_key(_day(day), period), code, n, "register", "", "", None, None)
            for day, code, n in rows
        ]

    def releases(self, start: date) -> list[tuple[Any, ...]]:
        year = (
            "to_char(e.release_date, 'YYYY')" if self.postgres else "substr(e.release_date, 1, 4)"
        )
        rows = self._fetch(RELEASES_BASELINE.format(year=year), [self.code, start, self.today])
        return [
            (str(y), reason or "not_recorded", n, "register", "", "", None, None)
            for y, reason, n in rows
        ]

    def median_pretrial(self, start: date) -> list[tuple[Any, ...]]:
        by_year: dict[str, list[int]] = {}
        for first, admitted in self._fetch(
            MEDIAN_PRETRIAL_BASELINE, [self.code, start, self.today]
        ):
            first = _day(first)
            by_year.setdefault(str(first.year), []).append((first - _day(admitted)).days)
        return [
            (year, "", float(statistics.median(days)), "register", "", "", None, None)
            for year, days in by_year.items()
        ]


def indicator_checks(
    today: date, code: str = "KH"
) -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """(name, the query, its baseline) for every indicator of `rules.INDICATORS`."""
    from motherline.stats import queries, rules

    nation = queries.Area("nation", code)
    baselines = Baselines(code, today)
    start = date(2008, 1, 1)
    register_start = date(today.year - 3, today.month, 1)
    days = queries.period_ends(register_start, today, "quarter")

    def orm(indicator: str, origin: str, first: date, period: str) -> Callable[[], Any]:
        def run() -> list[tuple[Any, ...]]:
            found = queries.series(indicator, nation, first, today, period, origin, publish=False)
            return sorted(
                (
                    p.period,
                    p.category,
                    p.value,
                    p.source,
                    p.precision,
                    p.source_url,
                    p.reporting,
                    p.expected,
                )
                for p in found.points
            )

        return run

    def sorted_result(function: Callable[[], Any]) -> Callable[[], Any]:
        return lambda: sorted(function())

    checks: list[tuple[str, Callable[[], Any], Callable[[], Any]]] = []
    register_stock = {
        "women",
        "pretrial_share_women",
        "pregnant_women",
        "children_in_prison",
        "children_per_100_women",
        "women_per_100k",
        "children_near_age_limit",
        "growth_women",
    }
    for indicator in rules.INDICATORS:
        if indicator in register_stock:
            checks.append(
                (
                    f"{indicator} (register, {len(days)} quarters)",
                    orm(indicator, queries.REGISTER, register_start, "quarter"),
                    sorted_result(lambda i=indicator: baselines.register(i, days, "quarter")),
                )
            )
        if indicator == "offence_profile":
            checks.append(
                (
                    f"{indicator} (register, {len(days)} quarters)",
                    orm(indicator, queries.REGISTER, register_start, "quarter"),
                    sorted_result(lambda: baselines.offences(days, "quarter")),
                )
            )
        elif indicator == "releases_by_reason":
            checks.append(
                (
                    f"{indicator} (register, by year)",
                    orm(indicator, queries.REGISTER, start, "year"),
                    sorted_result(lambda: baselines.releases(start)),
                )
            )
        elif indicator == "median_pretrial_days":
            checks.append(
                (
                    f"{indicator} (register, by year)",
                    orm(indicator, queries.REGISTER, start, "year"),
                    sorted_result(lambda: baselines.median_pretrial(start)),
                )
            )
        elif indicator not in queries.REGISTER_ONLY:
            checks.append(
                (
                    f"{indicator} (returns, by year)",
                    orm(indicator, queries.RETURNS, start, "year"),
                    sorted_result(lambda i=indicator: baselines.returns(i, start)),
                )
            )
    return checks


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    setup(args)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motherline.people.models import Woman
    from motherline.reports.pdf import render_pdf
    from motherline.stats import publication, queries
    from motherline.stats.models import PopulationReturn

    today = date.fromisoformat(args.today)
    if args.generate:
        call_command("migrate", verbosity=0)
        call_command("load_pack", "kh", verbosity=0)
        if not Woman.objects.exists():
            started = time.perf_counter()
            call_command("generate", preset=args.preset, seed=args.seed, today=today, verbosity=0)
            print(f"generated {args.preset} in {time.perf_counter() - started:.1f} s")
    nation = queries.Area("nation", "KH")
    start = date(2008, 1, 1)
    source = queries.default_return_source(nation)
    print(
        f"{connection.vendor}: {Woman.objects.count():,} women, "
        f"{PopulationReturn.objects.count():,} returns ({source})"
    )

    def returns_orm() -> list[tuple[Any, ...]]:
        rows = queries.returns_by_date(nation, start, today, source)
        return [
            (day, a["total"], a["women"], a["men"], a["pregnant_women"], a["children_in_prison"])
            for (_key, day), a in sorted(rows.items(), key=lambda item: item[0][1])
        ]

    def returns_sql() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(RETURNS_SQL, ["KH", source, start, today])
            return [(_day(r[0]), *r[1:]) for r in cursor.fetchall()]

    def register_orm() -> dict[int, tuple[int, int, int]]:
        counts = queries.register_by_prison(today, nation)
        return {
            pk: (c["women"], c["pretrial_women"], c["pregnant_women"])
            for pk, c in counts.items()
            if c.get("women")
        }

    def register_sql() -> dict[int, tuple[int, int, int]]:
        with connection.cursor() as cursor:
            cursor.execute(REGISTER_SQL, {"day": today})
            return {
                int(prison): (int(n), int(pretrial), int(pregnant))
                for prison, n, pretrial, pregnant in cursor.fetchall()
            }

    checks = [
        ("national returns by month, 2008 to today", returns_orm, returns_sql),
        ("register: women by prison on a day", register_orm, register_sql),
    ]
    if args.large:
        ensure_large(today)
        large = queries.Area("nation", "ZZ")
        large_start = date(today.year - 20, 1, 1)

        def large_orm() -> list[tuple[Any, ...]]:
            rows = queries.returns_by_date(large, large_start, today, "prison_authority")
            return [
                (
                    day,
                    a["total"],
                    a["women"],
                    a["men"],
                    a["pregnant_women"],
                    a["children_in_prison"],
                )
                for (_key, day), a in sorted(rows.items(), key=lambda item: item[0][1])
            ]

        def large_sql() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(RETURNS_SQL, ["ZZ", "prison_authority", large_start, today])
                return [(_day(r[0]), *r[1:]) for r in cursor.fetchall()]

        checks.append(("20 years x 200 prisons: returns by month", large_orm, large_sql))
    if not args.only_indicators:
        checks = checks if not args.only else [c for c in checks if args.only in c[0]]
    else:
        checks = []
    checks += [c for c in indicator_checks(today) if not args.only or args.only in c[0]]
    for name, orm, sql in checks:
        ours_found, theirs_found = _normal(orm()), _normal(sql())
        if ours_found != theirs_found:
            print(ours_found, theirs_found, sep="\n")
            raise SystemExit(f"{name}: the query and its baseline disagree")

    print(f"load average: {os.getloadavg()}")
    header = f"{'operation':<48} {'queries':>7} {'median ms':>10} {'SQL ms':>8} {'ratio':>6}"
    print(header)
    worst = 0.0
    for name, orm, sql in checks:
        with CaptureQueriesContext(connection) as captured:
            orm()
        ours, theirs = [], []
        for _ in range(args.repeat):
            ours.append(timed(orm))
            theirs.append(timed(sql))
        a, b = statistics.median(ours), statistics.median(theirs)
        worst = max(worst, a / b)
        print(f"{name:<48} {len(captured):>7} {a * 1000:>10.1f} {b * 1000:>8.1f} {a / b:>6.2f}")
    print(f"largest ratio: {worst:.2f}; load average: {os.getloadavg()}")
    if args.only_indicators:
        return
    others: list[tuple[str, Callable[[], Any]]] = [
        ("series: women by year (returns)", lambda: queries.series("women", nation, start, today)),
        (
            "series: children near the limit, 12 months (register)",
            lambda: queries.series(
                "children_near_age_limit",
                nation,
                date(today.year - 1, today.month, 1),
                today,
                "month",
                queries.REGISTER,
            ),
        ),
        ("table by prison with suppression", lambda: queries.area_table(nation, today)),
        ("brief: context", lambda: publication.brief(today)),
        (
            "brief: context and PDF (en)",
            lambda: render_pdf("stats/brief.html", publication.brief(today), "en"),
        ),
        (
            "brief: context and PDF (km)",
            lambda: render_pdf("stats/brief.html", publication.brief(today), "km"),
        ),
    ]
    if args.large:
        large = queries.Area("nation", "ZZ")
        others += [
            (
                "20 years x 200 prisons: women by year",
                lambda: queries.series("women", large, date(today.year - 20, 1, 1), today),
            ),
            (
                "20 years x 200 prisons: table with suppression",
                lambda: queries.area_table(large, today),
            ),
        ]
    for name, function in others:
        samples = [timed(function) for _ in range(min(args.repeat, 3))]
        print(f"{name:<48} {statistics.median(samples) * 1000:>10.1f}")


def _day(value: Any) -> Any:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _normal(value: Any) -> list[Any]:
    """Rows as plain tuples of plain values, for comparing the query with its baseline."""
    return [
        tuple(_plain(v) for v in (row if isinstance(row, tuple) else (row,)))
        for row in _rows(value)
    ]


def _rows(value: Any) -> list[Any]:
    return sorted(value.items()) if isinstance(value, dict) else list(value)


def _plain(value: Any) -> Any:
    return (
        int(value) if hasattr(value, "as_integer_ratio") and not isinstance(value, date) else value
    )


if __name__ == "__main__":
    main()
