"""Benchmark of the duplicate check before an admission (`people.duplicates.candidates`).

Times the check for a monitor of the organisation that owns the most women, for what a user
types at an admission: a common name in Latin script with a spelling variant and a date of
birth, the same in Khmer, a register number, the children's birth dates, and all of it at
once. Each runs `--repeat` times; the median and the slowest are reported with the number of
queries and candidates.

    # national: a PostgreSQL database of your own, generated on the first run
    .venv/bin/python bench/duplicates.py --generate --analyze \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_dup
    # then 100 times the register (women, their match keys and children copied with new ids,
    # PostgreSQL only): what x100 holds for this check, without the half hour of generation
    .venv/bin/python bench/duplicates.py --scale 100 --analyze --database-url ...

`--scale` copies every woman row (ciphertext included), her match-key digests and her
children 99 more times under new ids, so the digests' frequencies are those of a register
100 times larger drawn from the same names (as the generator's x100 preset is).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
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
    parser.add_argument("--scale", type=int, default=1, help="copy the register to N times")
    parser.add_argument("--analyze", action="store_true")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--explain", action="store_true", help="print the name query's plan")
    parser.add_argument("--markdown", help="write the table to this file")
    return parser.parse_args(argv)


def configure_django(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.data_dir:
        os.environ["MOTHERLINE_DATA_DIR"] = str(Path(args.data_dir).resolve())
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()


def prepare(args: argparse.Namespace) -> None:
    from django.core.management import call_command

    from motherline.jurisdictions.models import Jurisdiction
    from motherline.people.models import Woman
    from motherline.synthetic import generate

    call_command("migrate", verbosity=0)
    if not Jurisdiction.objects.filter(code="KH").exists():
        call_command("load_pack", "kh", verbosity=0)
    if not Woman.objects.exists():
        report = generate(args.preset, args.seed, today=date.fromisoformat(args.today))
        print(f"generated {args.preset}: {report.women:,} women in {report.elapsed_seconds:.0f} s")


def scale(times: int) -> None:
    """Copy the women, their match keys and their children until the register holds `times`
    copies (PostgreSQL; ids offset by a multiple of the largest id)."""
    from django.db import connection, transaction

    from motherline.people.models import Child, Woman, WomanMatchKey

    if connection.vendor != "postgresql":
        raise SystemExit("--scale needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id), count(*) FROM people_woman WHERE reference NOT LIKE 'X%%'")
        top, originals = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM people_woman")
        have = cursor.fetchone()[0] // originals
    woman_cols = [f.column for f in Woman._meta.concrete_fields if f.column not in ("id",)]
    child_cols = [f.column for f in Child._meta.concrete_fields if f.column not in ("id",)]
    child_top = Child.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for k in range(have, times):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            w_select = [
                f"'X' || {k} || substr(reference, 2)"
                if c == "reference"
                else "NULL"
                if c in ("current_episode_id", "merged_into_id")
                else c
                for c in woman_cols
            ]
            cursor.execute(
                f"INSERT INTO people_woman (id, {', '.join(woman_cols)}) "
                f"SELECT id + {k} * {top}, {', '.join(w_select)} FROM people_woman "
                f"WHERE id <= {top}"
            )
            cursor.execute(
                f"INSERT INTO {WomanMatchKey._meta.db_table} (woman_id, digest) "
                f"SELECT woman_id + {k} * {top}, digest FROM {WomanMatchKey._meta.db_table} "
                f"WHERE woman_id <= {top}"
            )
            c_select = [
                f"'X' || {k} || substr(reference, 2)"
                if c == "reference"
                else f"mother_id + {k} * {top}"
                if c == "mother_id"
                else "NULL"
                if c == "pregnancy_id"
                else c
                for c in child_cols
            ]
            cursor.execute(
                f"INSERT INTO people_child (id, {', '.join(child_cols)}) "
                f"SELECT id + {k} * {child_top}, {', '.join(c_select)} FROM people_child "
                f"WHERE id <= {child_top}"
            )
        print(f"copy {k + 1}/{times}: {time.perf_counter() - started:.1f} s", flush=True)
    with connection.cursor() as cursor:
        for table in ("people_woman", "people_child"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )


def bench_user() -> Any:
    from django.db.models import Count

    from motherline.accounts.models import Role, User
    from motherline.people.models import Woman

    biggest = Woman.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()
    return User(
        username="bench-monitor", role=Role.MONITOR, organisation_id=biggest["organisation_id"]
    )


def cases(user: Any) -> list[tuple[str, Any]]:
    """What is typed, taken from a real record of the user's scope and then misspelt."""
    from motherline.people import duplicates
    from motherline.people.models import Child, Woman

    woman = (
        Woman.objects.visible_to(user)
        .exclude(name_latin="")
        .exclude(register_number="")
        .filter(children__isnull=False)
        .order_by("pk")
        .first()
    )
    latin = woman.name_latin.replace("Sok", "Sokh").replace("ey", "ei")
    kids = [(c.date_of_birth, c.name_latin or c.name) for c in Child.objects.filter(mother=woman)]
    dob = woman.date_of_birth
    return [
        (
            "Latin name variant + date of birth",
            duplicates.Entered(name="", name_latin=latin, date_of_birth=dob),
        ),
        ("Latin name variant, no date of birth", duplicates.Entered(name="", name_latin=latin)),
        ("Khmer name + date of birth", duplicates.Entered(name=woman.name, date_of_birth=dob)),
        (
            "register number",
            duplicates.Entered(name="Nobody Known", register_number=woman.register_number),
        ),
        ("children's birth dates", duplicates.Entered(name="Nobody Known", children=kids)),
        (
            "everything typed at an admission",
            duplicates.Entered(
                name=woman.name,
                name_latin=latin,
                register_number=woman.register_number,
                date_of_birth=dob,
                children=kids,
            ),
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_django(args)
    if args.generate:
        prepare(args)
    if args.scale > 1:
        scale(args.scale)
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from motherline.people import duplicates
    from motherline.people.models import Child, Woman, WomanMatchKey

    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    user = bench_user()
    women, children, keys = (
        Woman.objects.count(),
        Child.objects.count(),
        WomanMatchKey.objects.count(),
    )
    title = (
        f"# Duplicate check on {connection.vendor}: {women:,} women, {children:,} children, "
        f"{keys:,} match keys"
    )
    lines = [
        title,
        f"Python {platform.python_version()}, {platform.machine()}, {args.repeat} runs each, "
        "a monitor of the organisation with the most women; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores",
        "",
        "| what was typed | candidates | queries | median ms | slowest ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, entered in cases(user):
        samples = []
        found: list[Any] = []
        with CaptureQueriesContext(connection) as captured:
            found = duplicates.candidates(user, entered)
        for _ in range(args.repeat):
            started = time.perf_counter()
            duplicates.candidates(user, entered)
            samples.append((time.perf_counter() - started) * 1000)
        lines.append(
            f"| {label} | {len(found)} | {len(captured)} | {statistics.median(samples):.1f} | "
            f"{max(samples):.1f} |"
        )
        if args.explain and label.startswith("Latin name variant + "):
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                prefix = (
                    "EXPLAIN ANALYZE "
                    if connection.vendor == "postgresql"
                    else "EXPLAIN QUERY PLAN "
                )
                cursor.execute(prefix + slowest["sql"])
                print("\n".join(str(r[0]) for r in cursor.fetchall()))
        reset_queries()
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
