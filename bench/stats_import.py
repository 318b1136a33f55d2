"""Benchmark of the returns import against the raw `executemany` of the same rows.

    .venv/bin/python bench/stats_import.py --data-dir /tmp/stats-import            # SQLite
    .venv/bin/python bench/stats_import.py \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_stats         # PostgreSQL

A made-up jurisdiction ZI (10 provinces of 20 prisons) gets `--rows` monthly returns from a
CSV file of the returns template. Each repeat deletes ZI's returns, then times, in turn:

- `import`: `services.import_returns` on the file's bytes: reading, checking every row,
  looking up stored returns and writing, in one transaction with its audit row;
- `write`: `services.write_returns` on the rows already parsed (the writing alone);
- `raw`: one `executemany` of the same rows as prepared tuples through the database
  adapter's cursor, in one transaction (the baseline: no checks, no lookups);
- on PostgreSQL also `copy`: `COPY ... FROM STDIN` of the same tuples.

The medians are compared as rates (rows per second) and ratios to `raw`. `--json FILE`
writes every sample.
"""

from __future__ import annotations

import argparse
import json
import os
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
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", help="write the samples to this file")
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.data_dir:
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
        os.environ["MOTHERLINE_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    # An upload is refused above 20,000 rows and 120,000 cells (split the file); the bench
    # raises those limits to fit its one file, every check still made on every cell.
    os.environ["MOTHERLINE_IMPORT_MAX_ROWS"] = str(args.rows + 1)
    os.environ["MOTHERLINE_IMPORT_MAX_CELLS"] = str(args.rows * 10)
    os.environ["MOTHERLINE_IMPORT_MAX_BYTES"] = str(64 << 20)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_prisons() -> list[str]:
    from motherline.jurisdictions.models import Jurisdiction
    from motherline.places.models import Prison, Province

    zi, _created = Jurisdiction.objects.get_or_create(code="ZI", defaults={"name": "Importland"})
    for n in range(1, 11):
        province, _ = Province.objects.get_or_create(
            jurisdiction=zi, code=f"ZI-{n}", defaults={"name": f"Province {n}"}
        )
        for m in range(1, 21):
            Prison.objects.get_or_create(
                code=f"ZI-P{n}-{m}",
                defaults={
                    "province": province,
                    "name": f"Prison {n}-{m}",
                    "kind": "provincial_prison",
                    "capacity": 500,
                },
            )
    return sorted(Prison.objects.filter(province__jurisdiction=zi).values_list("code", flat=True))


def returns_file(codes: list[str], rows: int) -> bytes:
    """A CSV of the template: one return per prison per month, counts made up."""
    lines = ["area,date,precision,total,women,men,pretrial_total,capacity,source"]
    year, month = 1990, 1
    while len(lines) - 1 < rows:
        for number, code in enumerate(codes):
            if len(lines) - 1 >= rows:
                break
            women = 20 + (number * 7 + month) % 40
            men = 300 + (number * 13 + year) % 200
            lines.append(
                f"{code},{year}-{month:02d}-28,day,{women + men},{women},{men},"
                f"{(women + men) // 3},500,Bench prison authority"
            )
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    setup(args)
    from django.db import connection, transaction

    from motherline.core.actors import SystemActor
    from motherline.stats import services
    from motherline.stats.importer import parse_returns, read_table
    from motherline.stats.models import COUNT_FIELDS, PopulationReturn

    codes = ensure_prisons()
    content = returns_file(codes, args.rows)
    today = date(2026, 6, 15)

    def clear() -> None:
        PopulationReturn.objects.filter(prison__province__jurisdiction__code="ZI").delete()

    parsed = parse_returns(read_table(content, "bench.csv"), services.area_lookup(), today, "x")
    assert not parsed.errors, parsed.errors[:3]
    assert len(parsed.rows) == args.rows

    def run_import() -> None:
        result = services.import_returns(
            SystemActor("import_returns"), content, "bench.csv", today=today
        )
        assert result.ok and result.created == args.rows, result.errors[:3]

    def run_write() -> None:
        result = services.ImportResult("bench.csv", "x")
        with transaction.atomic():
            services.write_returns(None, parsed.rows, result)
        assert result.created == args.rows

    meta = PopulationReturn._meta
    column_of = {field.attname: str(field.column) for field in meta.concrete_fields}
    columns = [column_of[name] for name in services.INSERT_FIELDS]
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        meta.db_table, ", ".join(columns), ", ".join(["%s"] * len(columns))
    )
    now = connection.ops.adapt_datetimefield_value(__import__("django").utils.timezone.now())

    def tuples() -> list[tuple[Any, ...]]:
        return [
            (
                None,
                None,
                row.area_id,
                connection.ops.adapt_datefield_value(row.date),
                row.source,
                row.precision,
                row.source_url,
                *(row.counts[name] for name in COUNT_FIELDS),
                now,
                None,
            )
            for row in parsed.rows
        ]

    prepared = tuples()

    def run_raw() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, prepared)

    def run_copy() -> None:
        raw = connection.connection
        statement = f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN"
        with transaction.atomic(), raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in prepared:
                copy.write_row(row)

    operations = {"import": run_import, "write": run_write, "raw": run_raw}
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        operations["copy"] = run_copy
    samples: dict[str, list[float]] = {name: [] for name in operations}
    clear()
    for _repeat in range(args.repeat):
        for name, operation in operations.items():
            started = time.perf_counter()
            operation()
            samples[name].append(time.perf_counter() - started)
            clear()
    label = connection.vendor
    medians = {name: statistics.median(values) for name, values in samples.items()}
    print(f"\nreturns import, {args.rows:,} rows on {label} (medians of {args.repeat})\n")
    print(f"{'operation':<8} {'seconds':>8} {'rows/s':>10} {'of raw':>7}")
    for name, seconds in medians.items():
        rate = args.rows / seconds
        print(f"{name:<8} {seconds:8.3f} {rate:10,.0f} {medians['raw'] / seconds:7.0%}")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"database": label, "rows": args.rows, "samples": samples, "medians": medians},
                indent=1,
            )
        )


if __name__ == "__main__":
    main()
