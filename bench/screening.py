"""Benchmark of early-release screening: `legal.queries.screen_candidates` for a pardon on
the data's day and on a day `--days-back` earlier, each against hand-written SQL that loads
the same facts (the women in custody that day with their episode and legal status, their
charges, their pregnancies, their children's placements).

Each operation runs `--repeat` times, alternating with its baseline, so a noisy machine slows
both alike; the median is reported. Before timing, the women screened and the eligible
mothers of a child living in prison are compared with the baseline's, and the run stops if
they differ: a fast wrong answer is not a result.

    # SQLite: a data directory of its own, generated on the first run
    .venv/bin/python bench/screening.py --data-dir /tmp/screen-nat --generate --today 2026-06-15
    # PostgreSQL: a database of its own
    .venv/bin/python bench/screening.py --generate --analyze --today 2026-06-15 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_screening_nat

The clock is set to noon of `--today` for the whole run (generation included), so the data's
day is today: the register as it stands is the register of that day, and the earlier day is
read as the register stood then. `--days-back 0` times the data's day only.
"""

from __future__ import annotations

import argparse
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
    """The screening and its baseline disagree: the timing would be worthless."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://... (otherwise SQLite)")
    parser.add_argument("--data-dir", help="directory of the SQLite file (MOTHERLINE_DATA_DIR)")
    parser.add_argument("--preset", default="national", help="what --generate generates")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-06-15", help="YYYY-MM-DD the data is for")
    parser.add_argument(
        "--days-back", type=int, default=90, help="the earlier day screened (0: none)"
    )
    parser.add_argument(
        "--generate",
        action="store_true",
        help="migrate, then generate the preset if the register has no women yet",
    )
    parser.add_argument("--analyze", action="store_true", help="run ANALYZE before timing")
    parser.add_argument("--repeat", type=int, default=7, help="timed runs per operation")
    return parser.parse_args(argv)


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


# --- Baseline SQL ------------------------------------------------------------------------


def baseline_facts(day: date, jurisdiction_id: int) -> tuple[set[str], set[str]]:
    """Hand-written SQL: the facts screening reads for `day` (the women in custody that day
    with their episode and the legal status in effect, their charges, ongoing pregnancies
    and the children's placements that day), four queries. Returns the references of the
    women in custody and of those with a final sentence and a child living in prison."""
    from django.db import connection

    covers = "e.admission_date <= %s AND (e.release_date IS NULL OR e.release_date > %s)"
    status = (
        "CASE WHEN e.legal_status_since <= %s THEN e.legal_status ELSE ("
        "SELECT c.status FROM people_legalstatuschange c WHERE c.episode_id = e.id "
        "AND c.effective_date <= %s ORDER BY c.effective_date DESC, c.id DESC LIMIT 1) END"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.id, w.reference, w.date_of_birth, w.is_sole_carer, w.is_primary_carer, "
            "w.dependent_children, w.has_serious_illness, w.updated_at, e.id, "
            f"e.admission_date, {status}, e.sentence_months "
            "FROM people_custodyepisode e JOIN people_woman w ON w.id = e.woman_id "
            "JOIN accounts_organisation o ON o.id = w.organisation_id "
            f"WHERE o.jurisdiction_id = %s AND {covers}",
            [day, day, jurisdiction_id, day, day],
        )
        women = cursor.fetchall()
        cursor.execute(
            "SELECT ch.episode_id, oc.code, oc.offence_class, oc.is_violent, oc.name, "
            "oc.name_local FROM people_charge ch "
            "JOIN jurisdictions_offencecategory oc ON oc.id = ch.offence_category_id "
            f"WHERE ch.episode_id IN (SELECT e.id FROM people_custodyepisode e WHERE {covers}) "
            "ORDER BY ch.episode_id, ch.id",
            [day, day],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT p.woman_id, p.known_since, p.expected_delivery_date FROM people_pregnancy p "
            "WHERE p.known_since <= %s AND (p.outcome = '' OR p.outcome_date > %s) "
            f"AND p.woman_id IN (SELECT e.woman_id FROM people_custodyepisode e WHERE {covers})",
            [day, day, day, day],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT c.mother_id, c.reference, c.date_of_birth, pl.kind, pl.start_date "
            "FROM people_placement pl JOIN people_child c ON c.id = pl.child_id "
            "WHERE pl.start_date <= %s AND (pl.end_date IS NULL OR pl.end_date > %s) "
            f"AND c.mother_id IN (SELECT e.woman_id FROM people_custodyepisode e WHERE {covers})",
            [day, day, day, day],
        )
        inside = {row[0] for row in cursor.fetchall() if row[3] == "in_prison"}
    final_mothers = {row[1] for row in women if row[10] == "final" and row[0] in inside}
    return {row[1] for row in women}, final_mothers


# --- Measuring ---------------------------------------------------------------------------


@dataclass
class Result:
    name: str
    items: int = 0
    queries: int = 0
    samples: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def baseline_ms(self) -> float:
        return statistics.median(self.baseline) * 1000


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(name: str, day: date, repeat: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motherline.core.actors import SystemActor
    from motherline.jurisdictions.models import Jurisdiction
    from motherline.legal.queries import screen_candidates

    jurisdiction = Jurisdiction.objects.get(code="KH")

    def operation() -> Any:
        return screen_candidates(SystemActor("screen"), "pardon", day, jurisdiction=jurisdiction)

    def baseline() -> tuple[set[str], set[str]]:
        return baseline_facts(day, jurisdiction.pk)

    with CaptureQueriesContext(connection) as ctx:
        screening = operation()
    in_custody, final_mothers = baseline()
    with_child = {
        s.facts.reference
        for s in screening.eligible
        if any(f.kind == "child_in_prison" for f in s.met)
    }
    if screening.screened != len(in_custody) or with_child != final_mothers:
        raise BenchmarkError(
            f"{name}: the screening looked at {screening.screened} women and found "
            f"{len(with_child)} eligible mothers of a child in prison; the baseline has "
            f"{len(in_custody)} women in custody and {len(final_mothers)} such mothers"
        )
    result = Result(name, len(screening.candidates), len(ctx.captured_queries))
    for _ in range(repeat):
        result.samples.append(_timed(operation))
        result.baseline.append(_timed(baseline))
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_django(args)
    import time_machine
    from django.conf import settings

    today = date.fromisoformat(args.today)
    noon = datetime.combine(today, clock_time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(noon, tick=True):
        if args.generate:
            prepare(args, today)
        if args.analyze:
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        days = [today] + ([today - timedelta(days=args.days_back)] if args.days_back else [])
        results = [
            measure(f"pardon screening on {day.isoformat()}", day, args.repeat) for day in days
        ]

        from django.db import connection

        from motherline.people.models import Woman

        print(
            f"\n# Screening on {connection.vendor}: {Woman.objects.count():,} women, "
            f"today {today.isoformat()}"
        )
    print(f"Python {platform.python_version()}, {platform.machine()}, {args.repeat} runs each\n")
    print("| operation | listed | queries | median ms | baseline ms | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r.name} | {r.items:,} | {r.queries} | {r.median_ms:.1f} | "
            f"{r.baseline_ms:.1f} | {r.median_ms / r.baseline_ms:.1f} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
