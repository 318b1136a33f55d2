"""Benchmark of the worklist: time and query count of `worklist_for`, and the ratio of its
children-near-the-age-limit part to hand-written SQL selecting the same children.

Each operation runs `--repeat` times, alternating with its baseline where it has one, so a
noisy machine slows both alike; the median is reported. Before timing, the children the
worklist lists are compared with the baseline's and the run stops if they differ.

    # SQLite: a data directory of its own, generated on the first run
    .venv/bin/python bench/worklist.py --data-dir /tmp/wl-nat --generate --today 2026-06-15
    # PostgreSQL: a database of its own
    .venv/bin/python bench/worklist.py --generate --analyze --today 2026-06-15 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_worklist_nat
    # someone else's database: read only (no user is created, nothing is written)
    .venv/bin/python bench/worklist.py --read-only --today 2025-06-30 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_bench_x100_copy

The clock is set to noon of `--today` for the whole run (generation included), so the data's
day is today: the list of that day reads the stored deadlines. `--days-back N` (default 90)
also times the list of N days earlier, read as the register stood then (the deadlines
computed from the register's dates, `worklist.deadlines.compute_on`), its children near the
age limit checked against hand-written SQL over the placements of that day.

The users are built in memory, never saved: the system view (the whole register, as
`motherline worklist` without --user), a monitor of the organisation that owns the most
women, and the liaison officer of the prison that holds the most women.

The worklist reads stored deadlines (`worklist.deadlines`): before timing, the children it
lists near the age limit are compared with hand-written SQL over the register itself, and
`--check` compares every stored deadline with a computation from the register.

Operations: "children near the age limit" is `worklist_for(kind=child_age_limit)` against
the baseline; "whole worklist" is every item (what the API, the command and the alerts
build); "page" is `worklist_groups` as the web page calls it (each group counted, its first
`--per-group` rows built), against hand-written SQL of its stored part for the system view;
"births not registered, counted from the register" is what each read cost before the
deadlines were stored; "one woman's deadlines recomputed" is what each change now costs.
At 100x PostgreSQL's just-in-time compilation can cost more than
the queries it compiles (their estimated cost is high); `--no-jit` shows the difference.
"""

from __future__ import annotations

import argparse
import calendar
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo


class BenchmarkError(Exception):
    """The worklist and its baseline disagree: the timing would be worthless."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://... (otherwise SQLite)")
    parser.add_argument("--data-dir", help="directory of the SQLite file (MOTHERLINE_DATA_DIR)")
    parser.add_argument("--preset", default="national", help="what --generate generates")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-06-15", help="YYYY-MM-DD the data is for")
    parser.add_argument("--as-of", default="", help="the worklist's day (default: --today)")
    parser.add_argument(
        "--days-back",
        type=int,
        default=90,
        help="also time the list of this many days before --as-of, read as the register "
        "stood then (0: not)",
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="migrate, then generate the preset if the register has no women yet",
    )
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before timing")
    parser.add_argument(
        "--read-only",
        action="store_true",
        help="refuse every write on the connection (for a database that is not yours)",
    )
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per operation")
    parser.add_argument("--explain", action="store_true", help="print the slowest query's plan")
    parser.add_argument(
        "--no-jit",
        action="store_true",
        help="PostgreSQL: turn just-in-time compilation off for the session (see above)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="first compare every stored deadline with the register (motherline deadlines --check)",
    )
    parser.add_argument("--per-group", type=int, default=200, help="rows per group on the page")
    parser.add_argument("--page-size", type=int, default=500, help="items per API page")
    parser.add_argument("--deep", type=int, default=5000, help="items before the deep API page")
    args = parser.parse_args(argv)
    if args.read_only and (args.generate or args.analyze):
        parser.error("--read-only cannot be combined with --generate or --analyze")
    return args


def configure_django(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    if args.data_dir:
        os.environ["MOTHERLINE_DATA_DIR"] = str(Path(args.data_dir).resolve())
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()


def read_only_connection() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        else:
            cursor.execute("PRAGMA query_only = ON")


def prepare(args: argparse.Namespace, today: date) -> None:
    from django.core.management import call_command

    from motherline.jurisdictions.models import Jurisdiction
    from motherline.people.models import Woman
    from motherline.synthetic import generate

    call_command("migrate", verbosity=0)
    if not Jurisdiction.objects.filter(code="KH").exists():
        call_command("load_pack", "kh", verbosity=0)
    if not Woman.objects.exists():
        report = generate(args.preset, args.seed, today=today)
        print(f"generated {args.preset}: {report.women:,} women in {report.elapsed_seconds:.0f} s")


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- Baseline SQL ------------------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    year = day.year - years
    if (day.month, day.day) == (2, 28) and calendar.isleap(year):
        return date(year, 2, 29)
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def baseline_children_near_limit(horizon: date, day: date | None = None) -> set[str]:
    """Hand-written SQL: the children living in prison (on `day`, or now) who reach an age
    limit of their prison's jurisdiction by `horizon`, with their mother's reference and the
    prison, as the worklist shows them. The birth-date bound of each rule is worked out here
    (whole years), the selection is SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT jurisdiction_id, max_age_months, effective_from, effective_to "
            "FROM jurisdictions_agelimitrule"
        )
        conditions, params = [], []
        for jurisdiction_id, months, starts, ends in cursor.fetchall():
            if months % 12:
                raise BenchmarkError("the baseline handles limits in whole years only")
            starts = date.fromisoformat(str(starts)) if starts else None
            ends = date.fromisoformat(str(ends)) if ends else None
            last_day = min(ends, horizon) if ends else horizon
            if starts is None or starts <= last_day:
                conditions.append("(pr.jurisdiction_id = %s AND c.date_of_birth <= %s)")
                params += [jurisdiction_id, _years_before(last_day, months // 12)]
        cursor.execute(
            "SELECT c.reference, c.date_of_birth, w.reference, p.code "
            "FROM people_placement pl "
            "JOIN people_child c ON c.id = pl.child_id "
            "JOIN people_woman w ON w.id = c.mother_id "
            "JOIN places_prison p ON p.id = pl.prison_id "
            "JOIN places_province pr ON pr.id = p.province_id "
            "WHERE pl.kind = 'in_prison' AND "
            + (
                "pl.start_date <= %s AND (pl.end_date IS NULL OR pl.end_date > %s) "
                if day
                else "pl.end_date IS NULL "
            )
            + f"AND ({' OR '.join(conditions) or 'FALSE'})",
            ([day, day] if day else []) + params,
        )
        return {row[0] for row in cursor.fetchall()}


def baseline_page(as_of: date, per_group: int) -> list[tuple[Any, ...]]:
    """Hand-written SQL of the stored part of the system view's page: each kind's groups
    counted in one query, then the first rows of each non-empty group by due date. What the
    worklist adds over it is the ORM, the items' texts and the kinds computed on each read."""
    from django.db import connection

    from motherline.worklist.rules import horizon

    end = horizon(as_of)
    week, month = as_of + timedelta(days=8), as_of + timedelta(days=31)
    bounds = [(None, as_of), (as_of, week), (week, month), (month, None)]
    order = (
        'ORDER BY due_date, reference COLLATE "C"'
        if connection.vendor == "postgresql"
        else ("ORDER BY due_date, reference")
    )
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, COUNT(*) FILTER (WHERE due_date < %s), "
            "COUNT(*) FILTER (WHERE due_date >= %s AND due_date < %s), "
            "COUNT(*) FILTER (WHERE due_date >= %s AND due_date < %s), "
            "COUNT(*) FILTER (WHERE due_date >= %s) "
            "FROM worklist_deadline WHERE due_date <= %s GROUP BY kind",
            [as_of, as_of, week, week, month, month, end],
        )
        for kind, *counts in cursor.fetchall():
            for (low, high), count in zip(bounds, counts, strict=True):
                if not count:
                    continue
                sql = "SELECT kind, due_date, reference, prison_id, woman_id, child_id, facts "
                sql += "FROM worklist_deadline WHERE kind = %s AND due_date <= %s"
                params: list[Any] = [kind, end]
                if low:
                    sql += " AND due_date >= %s"
                    params.append(low)
                if high:
                    sql += " AND due_date < %s"
                    params.append(high)
                cursor.execute(f"{sql} {order} LIMIT %s", [*params, per_group])
                rows += cursor.fetchall()
    return rows


def baseline_births_from_register() -> int:
    """Hand-written count of unregistered births of women in custody or of children living
    in prison, from the register itself: what every read cost before deadlines were stored."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM people_child c JOIN people_woman w ON w.id = c.mother_id "
            "WHERE NOT c.birth_registered AND (w.current_episode_id IS NOT NULL OR EXISTS ("
            "SELECT 1 FROM people_placement pl WHERE pl.child_id = c.id "
            "AND pl.kind = 'in_prison' AND pl.end_date IS NULL))"
        )
        return int(cursor.fetchone()[0])


# --- Measuring ---------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    items: int = 0
    queries: int = 0
    samples: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    slowest_sql: str = ""

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def baseline_ms(self) -> float | None:
        return statistics.median(self.baseline) * 1000 if self.baseline else None


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = fn()
    return time.perf_counter() - started, value


def measure(
    name: str,
    operation: Callable[[], list[Any]],
    repeat: int,
    baseline: Callable[[], Any] | None = None,
) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = Result(name)
    with CaptureQueriesContext(connection) as ctx:
        items = operation()
    result.items = len(items)
    result.queries = len(ctx.captured_queries)
    slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default=None)
    result.slowest_sql = slowest["sql"] if slowest else ""
    for _ in range(repeat):
        seconds, _items = _timed(operation)
        result.samples.append(seconds)
        if baseline is not None:
            seconds, _rows = _timed(baseline)
            result.baseline.append(seconds)
    return result


def explain(sql: str) -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def bench_users() -> dict[str, Any]:
    """The system view, and a monitor and a liaison officer built in memory (never saved)."""
    from django.db.models import Count

    from motherline.accounts.models import Role, User
    from motherline.core.actors import SystemActor
    from motherline.people.models import CustodyEpisode, Woman

    users: dict[str, Any] = {"system": SystemActor("worklist")}
    biggest = Woman.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    if biggest:
        users["monitor"] = User(
            username="bench-monitor", role=Role.MONITOR, organisation_id=biggest["organisation_id"]
        )
    busiest = (
        CustodyEpisode.objects.filter(release_date__isnull=True)
        .values("current_prison_id", "woman__organisation_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if busiest:
        users["liaison"] = User(
            username="bench-liaison",
            role=Role.PRISON_LIAISON,
            organisation_id=busiest["woman__organisation_id"],
            prison_id=busiest["current_prison_id"],
        )
    return users


def measure_refresh(repeat: int) -> Result:
    """What a change costs the worklist: recomputing one woman's deadlines (a mother in
    custody with a child living in prison), as the services do after each commit."""
    from motherline.people.models import Placement
    from motherline.worklist import deadlines

    mother = (
        Placement.objects.filter(kind="in_prison", end_date__isnull=True)
        .order_by("-id")
        .values_list("child__mother_id", flat=True)
        .first()
    )
    if mother is None:
        return Result("one woman's deadlines recomputed (none in prison)")
    return measure(
        "one woman's deadlines recomputed", lambda: [deadlines.refresh([mother])], repeat
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_django(args)
    import time_machine
    from django.conf import settings

    # The data's day is today: the register as it stands is the register of that day, read
    # from the stored deadlines; an earlier day is read as the register stood then.
    today = date.fromisoformat(args.today)
    noon = datetime.combine(today, clock_time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        return measure_all(args, today)


def measure_all(args: argparse.Namespace, today: date) -> int:
    as_of = date.fromisoformat(args.as_of) if args.as_of else today
    if args.read_only:
        read_only_connection()
    if args.no_jit:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET jit = off")
    if args.generate:
        prepare(args, today)
    if args.analyze:
        analyze()

    from django.db import connection

    from motherline.people.models import Child, Placement, Woman
    from motherline.worklist import rules
    from motherline.worklist.queries import WorklistFilters, worklist_for, worklist_groups

    if args.check:
        from motherline.worklist import deadlines

        seconds, drift = _timed(deadlines.check)
        if not drift.none:
            raise BenchmarkError(f"the stored deadlines differ from the register: {drift}")
        print(f"every stored deadline matches the register (checked in {seconds:.1f} s)")
    users = bench_users()
    child_filter = WorklistFilters(kind=rules.Kind.CHILD_AGE_LIMIT)
    listed = {i.subject.reference for i in worklist_for(users["system"], as_of, child_filter)}
    expected = baseline_children_near_limit(rules.horizon(as_of))
    if listed != expected:
        raise BenchmarkError(
            f"worklist lists {len(listed)} children, the baseline {len(expected)}; "
            f"differences: {sorted(listed ^ expected)[:10]}"
        )

    def run(user: Any, filters: Any = None) -> Callable[[], list[Any]]:
        return lambda: worklist_for(user, as_of, filters)

    results = [
        measure(
            "children near the age limit (system)",
            run(users["system"], child_filter),
            args.repeat,
            baseline=lambda: baseline_children_near_limit(rules.horizon(as_of)),
        ),
        measure("whole worklist (system view)", run(users["system"]), args.repeat),
    ]
    for name in ("monitor", "liaison"):
        if name in users:
            results.append(measure(f"whole worklist ({name})", run(users[name]), args.repeat))

    def page(user: Any) -> Callable[[], list[Any]]:
        # What the page builds: the groups' counts and their first rows (items = rows built).
        def groups() -> list[Any]:
            found = worklist_groups(user, as_of, per_group=args.per_group, with_names=True)
            return [item for group in found for item in group.items]

        return groups

    for name in ("system", "monitor", "liaison"):
        if name in users:
            baseline = (lambda: baseline_page(as_of, args.per_group)) if name == "system" else None
            results.append(
                measure(
                    f"page ({name}, {args.per_group} a group)",
                    page(users[name]),
                    args.repeat,
                    baseline=baseline,
                )
            )
    results.append(
        measure(
            "births not registered, counted from the register (hand-written SQL)",
            lambda: [baseline_births_from_register()],
            args.repeat,
        )
    )

    from motherline.worklist.queries import worklist_page

    def api_page(user: Any, skip: int) -> Callable[[], list[Any]]:
        # A page of the API: the first, or the one after `skip` items (its cursor found once).
        cursor = worklist_page(user, as_of, size=skip).next_cursor if skip else None
        return lambda: worklist_page(user, as_of, after=cursor, size=args.page_size).items

    for name in ("system", "monitor"):
        if name in users:
            first = f"API page 1 ({name}, {args.page_size})"
            results.append(measure(first, api_page(users[name], 0), args.repeat))
            # Deep in the list, but never past its middle (a small register has few items).
            skip = min(args.deep, len(worklist_for(users[name], as_of)) // 2)
            deep = f"API page after {skip:,} items ({name})"
            results.append(measure(deep, api_page(users[name], skip), args.repeat))

    if args.days_back:
        day = as_of - timedelta(days=args.days_back)
        past_filter = WorklistFilters(kind=rules.Kind.CHILD_AGE_LIMIT)
        listed = {i.subject.reference for i in worklist_for(users["system"], day, past_filter)}
        expected = baseline_children_near_limit(rules.horizon(day), day)
        if listed != expected:
            raise BenchmarkError(
                f"on {day}: the worklist lists {len(listed)} children, the baseline "
                f"{len(expected)}; differences: {sorted(listed ^ expected)[:10]}"
            )
        results.append(
            measure(
                f"children near the age limit on {day} (system)",
                lambda: worklist_for(users["system"], day, past_filter),
                args.repeat,
                baseline=lambda: baseline_children_near_limit(rules.horizon(day), day),
            )
        )
        for name in ("system", "monitor"):
            if name in users:
                results.append(
                    measure(
                        f"whole worklist on {day} ({name})",
                        lambda user=users[name]: worklist_for(user, day),
                        args.repeat,
                    )
                )
        results.append(
            measure(
                f"API page 1 on {day} (system, {args.page_size})",
                lambda: worklist_page(users["system"], day, size=args.page_size).items,
                args.repeat,
            )
        )
    if not args.read_only:
        results.append(measure_refresh(args.repeat))
    print(
        f"\n# Worklist on {connection.vendor}, as of {as_of.isoformat()}: "
        f"{Woman.objects.count():,} women, {Child.objects.count():,} children, "
        f"{Placement.objects.filter(kind='in_prison', end_date__isnull=True).count():,} "
        "living in prison"
    )
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.repeat} runs each\n")
    print("| operation | items | queries | median ms | baseline ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        base = r.baseline_ms
        ratio = f"{r.median_ms / base:.1f}" if base else ""
        base_text = f"{base:.1f}" if base is not None else ""
        print(
            f"| {r.name} | {r.items:,} | {r.queries} | {r.median_ms:.1f} | {base_text} | {ratio} |"
        )
    if args.explain:
        for r in results:
            print(f"\n## {r.name}: slowest query\n{r.slowest_sql}\n\n{explain(r.slowest_sql)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
