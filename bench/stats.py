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
from datetime import date
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


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    setup(args)
    from django.core.management import call_command
    from django.db import connection

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
    for name, orm, sql in checks:
        if _normal(orm()) != _normal(sql()):
            raise SystemExit(f"{name}: the query and its baseline disagree")

    print(f"{'operation':<48} {'median ms':>10} {'SQL ms':>8} {'ratio':>6}")
    for name, orm, sql in checks:
        ours, theirs = [], []
        for _ in range(args.repeat):
            ours.append(timed(orm))
            theirs.append(timed(sql))
        a, b = statistics.median(ours), statistics.median(theirs)
        print(f"{name:<48} {a * 1000:>10.1f} {b * 1000:>8.1f} {a / b:>6.2f}")
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
