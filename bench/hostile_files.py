"""Time and memory of reading each hostile file (`tests/hostile_files.py`), and of the
largest files the limits accept, through the reader every importer shares.

    .venv/bin/python bench/hostile_files.py [--json FILE]

Each file is written to a temporary directory and read in a fresh process (so that one
file's memory does not hide another's): the field-work importer's `read_rows` (the returns
importer and the packs read through the same `motherline.uploads.read_table`). Reported per
file: the outcome (the refusal's message, or the rows read), the seconds (wall clock and the
process's CPU time: on a shared machine the first includes waiting for a core), the peak of Python
allocations while reading (tracemalloc, in a second, untimed read) and the process's peak
resident memory, with what the process held before reading (Python, Django and openpyxl
loaded) for comparison. The default
limits of `settings.py` apply.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src")]


def largest_accepted_csv() -> bytes:
    """10,000 visit rows of 12 columns: just within the cell limit."""
    header = (
        "visit_date,prison,team,access,women_seen,pregnant_seen,children_seen,"
        "finding_health_care,finding_food_and_water,notes,start,meta/instanceID\n"
    )
    out = io.StringIO()
    out.write(header)
    for n in range(9_990):
        out.write(
            f"2026-01-{n % 28 + 1:02d},CC2,Two monitors,granted,{n % 40},{n % 5},{n % 7},"
            f"Clinic visit {n},Water {n % 9},Note {n},2026-01-01T08:00,uuid:visit-{n}\n"
        )
    return out.getvalue().encode()


def largest_accepted_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    lines = largest_accepted_csv().decode().splitlines()
    for line in lines:
        sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def files() -> dict[str, tuple[str, Callable[[], bytes]]]:
    from tests.hostile_files import HOSTILE

    made = {name: (filename, make) for name, (filename, make, _words) in HOSTILE.items()}
    made["largest accepted CSV (10,000 rows x 12)"] = ("big.csv", largest_accepted_csv)
    made["largest accepted XLSX (10,000 rows x 12)"] = ("big.xlsx", largest_accepted_xlsx)
    return made


def measure(path: Path) -> dict[str, object]:
    """In this process: read the file once, as the importers do."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()
    import openpyxl  # noqa: F401  (loaded before the baseline, as in a server)

    from motherline.fieldwork.importing import read_rows
    from motherline.uploads import FileRefused

    def read() -> str:
        try:
            return f"read {len(read_rows(path, path.name))} rows"
        except FileRefused as exc:
            return f"refused: {exc.message}"

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, cpu = time.perf_counter(), time.process_time()
    outcome = read()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    # Again under tracemalloc, which slows allocation down: not timed.
    tracemalloc.start()
    read()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "outcome": outcome,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "python_peak_mb": round(peak / 2**20, 1),
        "rss_before_mb": round(before / 1024, 1),
        "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--only", help="only the files whose name contains this")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)  # the child's side
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for name, (filename, make) in files().items():
            if args.only and args.only not in name:
                continue
            path = Path(directory) / filename
            content = make()
            path.write_bytes(content)
            child = subprocess.run(
                [sys.executable, __file__, "--one", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            figures = {"file": name, "mb": round(len(content) / 2**20, 2)}
            figures |= json.loads(child.stdout.strip().splitlines()[-1])
            results.append(figures)
            path.unlink()
            print(
                f"| {name} | {figures['mb']} | {figures['seconds']} | {figures['cpu_seconds']} | "
                f"{figures['python_peak_mb']} | {figures['rss_before_mb']} → "
                f"{figures['rss_peak_mb']} | {figures['outcome']} |",
                flush=True,
            )
    load = os.getloadavg()
    print(f"load average while measuring: {load[0]:.1f} on {os.cpu_count()} cores")
    if args.json:
        args.json.write_text(json.dumps({"load": load, "results": results}, indent=1))


if __name__ == "__main__":
    main()
