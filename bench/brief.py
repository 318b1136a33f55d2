"""Benchmark of the national statistics brief generated several at once: what two users
asking for the PDF at the same moment (or two `stats_brief` commands) cost on a small
server.

    # the national preset, generated once (see bench/README.md)
    .venv/bin/python bench/brief.py --data-dir /tmp/stats-nat --at-once 2 --rounds 3
    .venv/bin/python bench/brief.py --at-once 2 --rounds 3 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_stats_nat

Each of `--at-once` processes sets Django up, renders the brief once on its own (a warm
worker, as a web server's is; skipped with `--cold`, as the command's single run is), then
all start each round together (a barrier) and each times its own context + PDF. The report
gives every process's seconds per round and the slowest of each round, with the machine's
load average before and after (on a shared machine, note it beside the figures).
"""

from __future__ import annotations

import argparse
import multiprocessing
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
    parser.add_argument("--today", default="2025-06-30", help="the brief's date")
    parser.add_argument("--language", default="en", choices=["en", "km"])
    parser.add_argument("--at-once", type=int, default=2, help="processes rendering together")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true", help="no warm-up render per process")
    parser.add_argument(
        "--through",
        choices=["function", "view"],
        default="function",
        help=(
            "publication.brief + render_pdf (the rendering itself), or GET "
            "stats:brief?format=pdf as a viewer (the PDF kept until the data changes, in a new "
            "cache directory for the run: the first round renders it, later rounds read it)"
        ),
    )
    return parser.parse_args(argv)


def _setup(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    if args.data_dir:
        os.environ["MOTHERLINE_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _renderer(args: argparse.Namespace) -> Any:
    from django.utils import translation

    from motherline.reports.pdf import render_pdf
    from motherline.stats import publication

    today = date.fromisoformat(args.today)
    if args.through == "function":

        def render() -> int:
            with translation.override(args.language):
                context = publication.brief(today)
            return len(render_pdf("stats/brief.html", context, args.language))

        return render
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]  # the test client's host

    from motherline.accounts.models import Organisation, Role, User

    user, _created = User.objects.get_or_create(
        username="bench-brief-viewer",
        defaults={"role": Role.VIEWER, "organisation": Organisation.objects.order_by("pk").first()},
    )
    client = Client(HTTP_ACCEPT_LANGUAGE=args.language)
    client.force_login(user)
    url = reverse("stats:brief")

    def render_view() -> int:
        response = client.get(url, {"format": "pdf", "as_of": args.today})
        assert response.status_code == 200, response.status_code
        return len(response.content)

    return render_view


def worker(args: argparse.Namespace, barrier: Any, results: Any, index: int) -> None:
    try:
        _work(args, barrier, results, index)
    except BaseException as exc:
        results.put(("error", index, repr(exc), 0))
        barrier.abort()
        raise


def _work(args: argparse.Namespace, barrier: Any, results: Any, index: int) -> None:
    _setup(args)
    if args.through == "view":
        from django.conf import settings

        # Every process shares one new cache directory: the first brief of the round is
        # rendered by one request while the other waits for it (publication.brief_pdf).
        settings.BRIEF_CACHE_DIR = args.cache_dir
    render = _renderer(args)
    if not args.cold:
        if args.through == "view":
            warm = argparse.Namespace(**{**vars(args), "through": "function"})
            _renderer(warm)()  # imports, fonts and connections, but not the kept PDF
        else:
            render()
    for round_number in range(args.rounds):
        barrier.wait()
        started = time.perf_counter()
        size = render()
        results.put((round_number, index, time.perf_counter() - started, size))


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    import tempfile

    args.cache_dir = tempfile.mkdtemp(prefix="motherline-brief-bench-")
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(args.at_once)
    results = context.Queue()
    print(f"load before: {os.getloadavg()}")
    processes = [
        context.Process(target=worker, args=(args, barrier, results, i))
        for i in range(args.at_once)
    ]
    for process in processes:
        process.start()
    samples = []
    for _ in range(args.at_once * args.rounds):
        sample = results.get()
        if sample[0] == "error":
            for process in processes:
                process.terminate()
            raise SystemExit(f"process {sample[1]} failed: {sample[2]}")
        samples.append(sample)
    for process in processes:
        process.join()
    print(f"load after: {os.getloadavg()}")
    database = "postgresql" if args.database_url else "sqlite"
    print(
        f"national brief ({args.language}, {args.through}, {database}), {args.at_once} at once, "
        f"{'cold' if args.cold else 'warm'} processes, {os.cpu_count()} cores"
    )
    slowest = []
    for round_number in range(args.rounds):
        times = sorted(s for r, _i, s, _n in samples if r == round_number)
        slowest.append(times[-1])
        sizes = {n for r, _i, _s, n in samples if r == round_number}
        print(
            f"round {round_number + 1}: "
            + ", ".join(f"{t:.2f} s" for t in times)
            + f" (PDF {', '.join(f'{n:,}' for n in sizes)} bytes)"
        )
    median, worst = statistics.median(slowest), max(slowest)
    print(f"slowest of each round: median {median:.2f} s, max {worst:.2f} s")


if __name__ == "__main__":
    main()
