"""Benchmarks of the register's busy reads, as ratios against hand-written SQL.

Each operation (a function of `people.queries` or a page fetched with Django's test client)
is timed against a baseline: hand-written SQL, sent through `connection.cursor()`, that
returns the same rows and counts. The two are run alternately, so a noisy machine slows both
alike and their ratio stays meaningful where milliseconds do not. Before timing, the
operation's answer is compared with the baseline's and the run stops if they differ.

    .venv/bin/python bench/run.py --preset national --data-dir /tmp/nat --generate
    .venv/bin/python bench/run.py --preset x100 \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_bench_x100 --repeat 5

See bench/README.md for what the columns mean.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# The data's "today": generated data and the direct query calls use the same date.
DEFAULT_TODAY = "2025-06-30"
BENCH_USERNAME = "bench-monitor"


class BenchmarkError(Exception):
    """An operation gave a different answer from its baseline: its timing would be worthless."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="national", help="demo, national or x100")
    parser.add_argument("--database-url", help="postgres://... (otherwise SQLite)")
    parser.add_argument("--data-dir", help="directory of the SQLite file (MOTHERLINE_DATA_DIR)")
    parser.add_argument(
        "--generate",
        action="store_true",
        help="migrate, then generate the preset if the register has no women yet",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default=DEFAULT_TODAY, help="YYYY-MM-DD of the data")
    parser.add_argument("--repeat", type=int, default=10, help="timed runs per operation")
    parser.add_argument(
        "--budget",
        type=float,
        default=60.0,
        help="seconds of timed runs per operation: fewer runs than --repeat if slow",
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE first, as PostgreSQL's autovacuum would (SQLite never does by itself)",
    )
    parser.add_argument("--q", default="Sok", help="the name searched by the q= filter")
    parser.add_argument(
        "--only",
        default="",
        help="run only operations whose name has one of these comma-separated texts",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the plan of each operation's slowest SELECT",
    )
    parser.add_argument("--json", type=Path, help="write every sample and plan here")
    return parser.parse_args(argv)


def configure_django(args: argparse.Namespace) -> None:
    """Point the settings at the chosen database before Django reads them."""
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    if args.data_dir:
        os.environ["MOTHERLINE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()


# --- Baseline SQL ------------------------------------------------------------------------

# The women a user of organisation %s may see: her own, partners' women who consented, and
# women whose whole record a referral accepted by her organisation opened to it
# (accounts.policy: the same three rules). Its parameters: the organisation, three times.
SCOPE_SQL = (
    "(w.organisation_id = %s OR (w.consent_scope = 'partners' AND w.organisation_id IN ("
    "SELECT s.sharer_id FROM accounts_sharingagreement s WHERE s.partner_id = %s "
    "AND s.shares_register AND s.ended_at IS NULL AND s.starts_on <= CURRENT_DATE "
    "AND (s.ends_on IS NULL OR s.ends_on >= CURRENT_DATE))) OR w.id IN ("
    "SELECT r.woman_id FROM casework_referral r WHERE r.to_organisation_id = %s "
    "AND r.status = 'accepted' AND r.child_id IS NULL))"
)
PREGNANT_SQL = (
    "EXISTS (SELECT 1 FROM people_pregnancy g WHERE g.woman_id = w.id AND g.outcome = '')"
)
CHILD_IN_PRISON_SQL = (
    "EXISTS (SELECT 1 FROM people_placement pl JOIN people_child c ON c.id = pl.child_id "
    "WHERE c.mother_id = w.id AND pl.kind = 'in_prison' AND pl.end_date IS NULL)"
)
LAST_RELEASE_SQL = (
    "(SELECT MAX(x.release_date) FROM people_custodyepisode x "
    "WHERE x.woman_id = w.id AND x.release_date IS NOT NULL)"
)
PREGNANT_IDS_SQL = "SELECT g.woman_id FROM people_pregnancy g WHERE g.outcome = ''"
CHILD_IN_PRISON_IDS_SQL = (
    "SELECT c.mother_id FROM people_placement pl JOIN people_child c ON c.id = pl.child_id "
    "WHERE pl.kind = 'in_prison' AND pl.end_date IS NULL"
)
WOMAN_JOINS = (
    "LEFT JOIN people_custodyepisode e ON e.id = w.current_episode_id "
    "LEFT JOIN places_prison p ON p.id = e.current_prison_id "
    "LEFT JOIN places_province pr ON pr.id = p.province_id"
)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class Baseline:
    """Hand-written SQL for each operation, returning what the operation's check compares."""

    org_id: int
    vendor: str

    def _rows(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _like(self, column: str) -> str:
        # Case-insensitive pattern match, as each database spells it.
        if self.vendor == "postgresql":
            return f"{column} ILIKE %s"
        return f"{column} LIKE %s ESCAPE '\\'"

    def _women_where(self, filters: Any, today: date) -> tuple[list[str], list[Any], bool]:
        """WHERE clauses and parameters for the filters, and whether they need the joins."""
        from django.db import connection

        # The list leaves out women merged into another record (her page redirects).
        where, params = [SCOPE_SQL, "w.merged_into_id IS NULL"], [self.org_id] * 3
        joins = False
        if filters.prison:
            where.append("p.code = %s")
            params.append(filters.prison)
            joins = True
        if filters.province:
            where.append("pr.code = %s")
            params.append(filters.province)
            joins = True
        if filters.legal_status:
            where.append("e.legal_status = %s")
            params.append(filters.legal_status)
            joins = True
        # The two flags as uncorrelated IN lists: each is computed once, not once per woman.
        if filters.pregnant is not None:
            where.append(f"w.id {'' if filters.pregnant else 'NOT '}IN ({PREGNANT_IDS_SQL})")
        if filters.child_in_prison is not None:
            negate = "" if filters.child_in_prison else "NOT "
            where.append(f"w.id {negate}IN ({CHILD_IN_PRISON_IDS_SQL})")
        if filters.pretrial_days_over is not None:
            since = today - timedelta(days=filters.pretrial_days_over)
            where.append("e.legal_status = 'pretrial' AND e.admission_date < %s")
            params.append(connection.ops.adapt_datefield_value(since))
            joins = True
        if filters.in_custody is not None:
            where.append(f"w.current_episode_id IS {'NOT ' if filters.in_custody else ''}NULL")
        if filters.q:
            # Names are encrypted: the same blind-index digests as people.search, by hand.
            from motherline.people import search

            term = filters.q.strip()
            matches = [self._like("w.reference")]
            params.append(_like_escape(term))

            def having(digests: list[int]) -> str:
                params.extend(digests)
                marks = ", ".join(["%s"] * len(digests))
                index = "SELECT woman_id FROM people_womansearchtoken"
                return f"w.id IN ({index} WHERE digest IN ({marks}))"

            register = search.register_key(term)[: search.MAX_PREFIX]
            if register:
                matches.append(having(search.query_digests(search.REGISTER, register)))
            typed = [w[: search.MAX_PREFIX] for w in search.words(term)]
            if typed and all(len(w) >= search.MIN_PREFIX for w in typed):
                matches.append(
                    "("
                    + " AND ".join(having(search.query_digests(search.NAME, w)) for w in typed)
                    + ")"
                )
            where.append("(" + " OR ".join(matches) + ")")
        return where, params, joins

    def women_page(
        self, filters: Any, today: date, after: int | None = None, size: int = 50
    ) -> dict[str, Any]:
        """The COUNT of the filter, then one keyset page of ids, then that page's rows (all
        columns of the same tables) with the list's three flags computed for them alone."""
        where, params, joins = self._women_where(filters, today)
        from_sql = f"FROM people_woman w {WOMAN_JOINS if joins else ''} WHERE {' AND '.join(where)}"
        total = self._rows(f"SELECT COUNT(*) {from_sql}", params)[0][0]
        if after:
            from_sql += " AND w.id < %s"
            params = [*params, after]
        list_sql = (
            f"SELECT w.id, {PREGNANT_SQL}, {CHILD_IN_PRISON_SQL}, {LAST_RELEASE_SQL}, "
            f"w.*, o.*, e.*, p.*, pr.* FROM (SELECT w.id {from_sql} ORDER BY w.id DESC LIMIT %s) "
            "page JOIN people_woman w ON w.id = page.id "
            f"JOIN accounts_organisation o ON o.id = w.organisation_id {WOMAN_JOINS} "
            "ORDER BY w.id DESC"
        )
        rows = self._rows(list_sql, [*params, size + 1])
        items = [(r[0], bool(r[1]), bool(r[2]), _day(r[3])) for r in rows[:size]]
        next_cursor = rows[size - 1][0] if len(rows) > size else None
        return {"items": items, "next_cursor": next_cursor, "total": total}

    def prison_counts(self, jurisdiction_code: str) -> list[tuple[Any, ...]]:
        """The prisons in display order, and one GROUP BY per count."""
        prisons = self._rows(
            "SELECT p.id, p.province_id, p.*, pr.* FROM places_prison p "
            "JOIN places_province pr ON pr.id = p.province_id "
            "JOIN jurisdictions_jurisdiction j ON j.id = pr.jurisdiction_id "
            "WHERE j.code = %s ORDER BY pr.name, p.name",
            [jurisdiction_code],
        )
        women = dict(
            self._rows(
                "SELECT current_prison_id, COUNT(*) FROM people_custodyepisode "
                "WHERE release_date IS NULL GROUP BY current_prison_id",
                [],
            )
        )
        pregnant = dict(
            self._rows(
                "SELECT e.current_prison_id, COUNT(*) FROM people_pregnancy g "
                "JOIN people_woman w ON w.id = g.woman_id "
                "JOIN people_custodyepisode e ON e.id = w.current_episode_id "
                "WHERE g.outcome = '' GROUP BY e.current_prison_id",
                [],
            )
        )
        children = dict(
            self._rows(
                "SELECT prison_id, COUNT(*) FROM people_placement "
                "WHERE kind = 'in_prison' AND end_date IS NULL GROUP BY prison_id",
                [],
            )
        )
        groups: dict[int, list[tuple[int, int, int, int]]] = {}
        for prison_id, province_id, *_ in prisons:
            groups.setdefault(province_id, []).append(
                (
                    prison_id,
                    women.get(prison_id, 0),
                    pregnant.get(prison_id, 0),
                    children.get(prison_id, 0),
                )
            )
        return list(groups.items())

    def woman_detail(self, reference: str) -> dict[str, Any]:
        """Her record and everything her page shows, one joined query per kind of row."""
        found = self._rows(
            "SELECT w.id, w.*, o.*, e.*, p.* FROM people_woman w "
            "JOIN accounts_organisation o ON o.id = w.organisation_id "
            "LEFT JOIN people_custodyepisode e ON e.id = w.current_episode_id "
            "LEFT JOIN places_prison p ON p.id = e.current_prison_id "
            f"WHERE w.reference = %s AND {SCOPE_SQL}",
            [reference, *[self.org_id] * 3],
        )
        if len(found) != 1:
            raise BenchmarkError(f"baseline found {len(found)} women with reference {reference}")
        woman_id = found[0][0]
        episodes = self._rows(
            "SELECT e.id, e.*, a.*, c.* FROM people_custodyepisode e "
            "JOIN places_prison a ON a.id = e.admission_prison_id "
            "JOIN places_prison c ON c.id = e.current_prison_id "
            "WHERE e.woman_id = %s ORDER BY e.admission_date DESC, e.id DESC",
            [woman_id],
        )
        changes = self._rows(
            "SELECT s.id, s.* FROM people_legalstatuschange s "
            "JOIN people_custodyepisode e ON e.id = s.episode_id WHERE e.woman_id = %s",
            [woman_id],
        )
        charges = self._rows(
            "SELECT ch.id, oc.code, ch.*, oc.* FROM people_charge ch "
            "JOIN people_custodyepisode e ON e.id = ch.episode_id "
            "JOIN jurisdictions_offencecategory oc ON oc.id = ch.offence_category_id "
            "WHERE e.woman_id = %s",
            [woman_id],
        )
        transfers = self._rows(
            "SELECT t.id, f.code, d.code, t.*, f.*, d.* FROM people_transfer t "
            "JOIN people_custodyepisode e ON e.id = t.episode_id "
            "JOIN places_prison f ON f.id = t.from_prison_id "
            "JOIN places_prison d ON d.id = t.to_prison_id WHERE e.woman_id = %s",
            [woman_id],
        )
        pregnancies = self._rows(
            "SELECT g.id, g.* FROM people_pregnancy g WHERE g.woman_id = %s "
            "ORDER BY g.known_since DESC, g.id DESC",
            [woman_id],
        )
        children = self._rows(
            "SELECT c.id, c.* FROM people_child c WHERE c.mother_id = %s "
            "ORDER BY c.date_of_birth, c.id",
            [woman_id],
        )
        placements = self._rows(
            "SELECT pl.id, p.code, pl.*, p.* FROM people_placement pl "
            "JOIN people_child c ON c.id = pl.child_id "
            "LEFT JOIN places_prison p ON p.id = pl.prison_id WHERE c.mother_id = %s",
            [woman_id],
        )
        return {
            "woman": woman_id,
            "episodes": [r[0] for r in episodes],
            "status_changes": sorted(r[0] for r in changes),
            "charges": sorted((r[0], r[1]) for r in charges),
            "transfers": sorted((r[0], r[1], r[2]) for r in transfers),
            "pregnancies": [r[0] for r in pregnancies],
            "children": [r[0] for r in children],
            "placements": sorted((r[0], r[1]) for r in placements),
        }


def _day(value: Any) -> str | None:
    """A date as ISO text, whether the driver returned a date or a string."""
    return None if value is None else str(value)[:10]


# --- What the operations return, in the baselines' shape ----------------------------------


def page_shape(page: Any) -> dict[str, Any]:
    items = [
        (w.id, bool(w.is_pregnant), bool(w.has_child_in_prison), _day(w.last_release_date))
        for w in page.items
    ]
    return {"items": items, "next_cursor": page.next_cursor, "total": page.total}


def groups_shape(groups: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (g.province.id, [(p.prison.id, p.women, p.pregnant, p.children) for p in g.prisons])
        for g in groups
    ]


def detail_shape(woman: Any) -> dict[str, Any]:
    episodes = list(woman.episodes.all())
    children = list(woman.children.all())
    return {
        "woman": woman.id,
        "episodes": [e.id for e in episodes],
        "status_changes": sorted(s.id for e in episodes for s in e.status_changes.all()),
        "charges": sorted(
            (c.id, c.offence_category.code) for e in episodes for c in e.charges.all()
        ),
        "transfers": sorted(
            (t.id, t.from_prison.code, t.to_prison.code)
            for e in episodes
            for t in e.transfers.all()
        ),
        "pregnancies": [p.id for p in woman.pregnancies.all()],
        "children": [c.id for c in children],
        "placements": sorted(
            (p.id, p.prison.code if p.prison else None)
            for c in children
            for p in c.placements.all()
        ),
    }


# --- Measuring ----------------------------------------------------------------------------


@dataclass
class Operation:
    name: str
    run: Callable[[], Any]
    shape: Callable[[Any], Any]  # the run's answer in the baseline's shape
    baseline: Callable[[], Any]
    is_page: bool = False


@dataclass
class Result:
    name: str
    median_ms: float
    queries: int
    baseline_ms: float
    baseline_queries: int
    runs: int = 0
    samples_ms: list[float] = field(default_factory=list)
    baseline_samples_ms: list[float] = field(default_factory=list)
    slowest_sql: str = ""
    slowest_sql_ms: float = 0.0
    plan: str = ""
    # The start of each statement the operation issued, in order: which tables a page reads.
    query_heads: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.median_ms / self.baseline_ms if self.baseline_ms else float("nan")


@contextmanager
def template_context_recorded() -> Iterator[None]:
    """Let the test client keep each response's template context, for the check only."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    try:
        yield
    finally:
        teardown_test_environment()


def check(op: Operation) -> None:
    if op.is_page:
        with template_context_recorded():
            got = op.shape(op.run())
    else:
        got = op.shape(op.run())
    expected = op.baseline()
    if got != expected:
        raise BenchmarkError(
            f"{op.name}: the answer differs from the baseline's\n"
            f"  operation: {_brief(got)}\n  baseline:  {_brief(expected)}"
        )


def _brief(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 600 else text[:600] + "..."


def _timed(fn: Callable[[], Any]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def measure(op: Operation, repeat: int, budget: float) -> Result:
    """Warm up and check once, count queries once, then time operation and baseline in turn,
    `repeat` times or as many as fit in `budget` seconds (at least once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    check(op)  # also the warm-up of both
    repeat = max(1, min(repeat, int(budget / max(time.perf_counter() - started, 1e-6))))
    # Read the captures at once: a page request empties the connection's log of queries.
    with CaptureQueriesContext(connection) as captured:
        op.run()
    op_queries = list(captured.captured_queries)
    with CaptureQueriesContext(connection) as captured:
        op.baseline()
    baseline_queries = len(captured.captured_queries)
    samples, base_samples = [], []
    for i in range(repeat):
        # Alternate which goes first, so neither always meets the warmer cache.
        if i % 2:
            samples.append(_timed(op.run))
            base_samples.append(_timed(op.baseline))
        else:
            base_samples.append(_timed(op.baseline))
            samples.append(_timed(op.run))
    slowest = max(op_queries, key=lambda q: float(q["time"]), default=None)
    return Result(
        name=op.name,
        median_ms=statistics.median(samples),
        queries=len(op_queries),
        baseline_ms=statistics.median(base_samples),
        baseline_queries=baseline_queries,
        runs=repeat,
        samples_ms=samples,
        baseline_samples_ms=base_samples,
        slowest_sql=slowest["sql"] if slowest else "",
        slowest_sql_ms=float(slowest["time"]) * 1000 if slowest else 0.0,
        query_heads=[_head(q["sql"]) for q in op_queries],
    )


def _head(sql: str) -> str:
    """A statement shortened to what names it: its verb and the table it reads or writes
    (for a SELECT, the table of its outer FROM, not of a subquery in its columns)."""
    words = sql.split()
    if not words:
        return ""
    verb = words[0].upper()
    if verb == "INSERT" and len(words) > 2:
        return f"INSERT {words[2]}"
    if verb == "UPDATE" and len(words) > 1:
        return f"UPDATE {words[1]}"
    depth = 0
    for i, char in enumerate(sql):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and sql.startswith(" FROM ", i):
            return f"{verb} {sql[i + 6 :].split(None, 1)[0]}"
    return verb


def explain(sql: str) -> str:
    """The database's plan for one captured SELECT (never a write: ANALYZE would run it)."""
    from django.db import connection

    if not sql.lstrip().upper().startswith("SELECT"):
        return "(not a SELECT; not explained)"
    if connection.vendor == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    with connection.cursor() as cursor:
        # The captured SQL has its parameters inlined already; '%' must reach the driver as is.
        cursor.execute(prefix + sql.replace("%", "%%"), [])
        rows = cursor.fetchall()
    if connection.vendor == "postgresql":
        return "\n".join(r[0] for r in rows)
    return "\n".join(f"{r[1]:>3} {r[3]}" for r in rows)


# --- The operations -----------------------------------------------------------------------

LIST_FILTERS: list[tuple[str, dict[str, Any], str]] = [
    # (label, WomanFilters keyword arguments, the same filter as a query string)
    ("all", {}, ""),
    ("prison=KH-CC2", {"prison": "KH-CC2"}, "prison=KH-CC2"),
    ("pregnant=1", {"pregnant": True}, "pregnant=1"),
    ("child_in_prison=1", {"child_in_prison": True}, "child_in_prison=1"),
    ("pretrial_days_over=180", {"pretrial_days_over": 180}, "pretrial_days_over=180"),
]


@dataclass
class Setting:
    user: Any
    org_id: int
    today: date
    jurisdiction_code: str
    detail_reference: str
    q: str


def bench_user() -> Any:
    """A monitor of the organisation that owns the most women."""
    from django.db.models import Count

    from motherline.accounts.models import Role, User
    from motherline.people.models import Woman

    org_id = (
        Woman.objects.values("organisation")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("organisation", flat=True)
        .first()
    )
    if org_id is None:
        raise SystemExit("The register has no women: run with --generate first.")
    user, _ = User.objects.update_or_create(
        username=BENCH_USERNAME,
        defaults={
            "role": Role.MONITOR,
            "organisation_id": org_id,
            "prison": None,
            "is_active": True,
        },
    )
    return user


def current_code(device: Any) -> str:
    """The device's code now, as the monitor's authenticator shows it. A code is accepted
    once: if the last sign-in used this step's code, wait for the next step (at most one)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    while totp.t() <= device.last_t:
        time.sleep(1)
    return f"{totp.token():0{device.digits}d}"


def signed_in_client(user: Any) -> Any:
    """A test client signed in as the monitor with both factors, as the product asks of a
    role that sees names: the password step is `force_login` (the bench keeps no password),
    the second factor her own confirmed TOTP device (made on the first run) and its current
    code posted to the verification page. The product's sign-in is not relaxed."""
    from django.test import Client
    from django.urls import reverse
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    response = client.post(
        reverse("security:two_factor_verify"), {"token": current_code(device), "next": "/women/"}
    )
    if response.status_code != 302 or response["Location"] != "/women/":
        raise BenchmarkError(
            f"{user.username}'s second factor was not accepted: the verification page "
            f"answered {response.status_code} {response.get('Location', '')}"
        )
    return client


def page_answer(client: Any, url: str) -> Any:
    """The page, which must be answered 200: a redirect (to sign in or to the second factor)
    or an error is not the page, and timing it would record the wrong thing."""
    response = client.get(url)
    if response.status_code != 200:
        where = f" (to {response['Location']})" if response.has_header("Location") else ""
        raise BenchmarkError(f"GET {url} answered {response.status_code}{where}, not the page")
    return response


def detail_reference(org_id: int) -> str:
    """The newest woman of the organisation in custody with a child living with her."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.reference FROM people_woman w WHERE w.organisation_id = %s "
            f"AND w.current_episode_id IS NOT NULL AND {CHILD_IN_PRISON_SQL} "
            "ORDER BY w.id DESC LIMIT 1",
            [org_id],
        )
        row = cursor.fetchone()
    if row is None:
        raise SystemExit("No woman with a child in prison to show: is the data generated?")
    return row[0]


def operations(s: Setting) -> list[Operation]:
    from django.db import connection
    from django.utils import timezone

    from motherline.people import queries
    from motherline.people.queries import WomanFilters

    base = Baseline(org_id=s.org_id, vendor=connection.vendor)
    ops: list[Operation] = [
        Operation(
            "prison_counts()",
            lambda: queries.prison_counts(s.jurisdiction_code),
            groups_shape,
            lambda: base.prison_counts(s.jurisdiction_code),
        )
    ]
    list_filters = [*LIST_FILTERS, (f"q={s.q}", {"q": s.q}, f"q={s.q}")]
    for label, kwargs, _ in list_filters:
        filters = WomanFilters(**kwargs)
        ops.append(
            Operation(
                f"list_women({label})",
                lambda f=filters: queries.list_women(s.user, f, s.today),
                page_shape,
                lambda f=filters: base.women_page(f, s.today),
            )
        )
    first = queries.list_women(s.user, WomanFilters(), s.today)
    if first.next_cursor:
        ops.append(
            Operation(
                "list_women(all, page 2)",
                lambda: queries.list_women(
                    s.user, WomanFilters(), s.today, after=first.next_cursor
                ),
                page_shape,
                lambda: base.women_page(WomanFilters(), s.today, after=first.next_cursor),
            )
        )
    ops.append(
        Operation(
            "woman_detail()",
            lambda: detail_shape(queries.woman_detail(s.user, s.detail_reference)),
            lambda shaped: shaped,  # shaped inside the run: prefetched rows are part of it
            lambda: base.woman_detail(s.detail_reference),
        )
    )

    client = signed_in_client(s.user)

    def get(url: str) -> Any:
        return page_answer(client, url)

    get("/women/")  # a sign-in that did not take fails here, before any timing

    # The views take today from the clock, so their baselines do too.
    def now() -> date:
        return timezone.localdate()

    ops.append(
        Operation(
            "GET /prisons/",
            lambda: get("/prisons/"),
            lambda r: groups_shape(r.context["groups"]),
            lambda: base.prison_counts(s.jurisdiction_code),
            is_page=True,
        )
    )
    for _label, kwargs, query in list_filters:
        url = "/women/" + (f"?{query}" if query else "")
        filters = WomanFilters(**kwargs)
        ops.append(
            Operation(
                f"GET {url}",
                lambda u=url: get(u),
                lambda r: page_shape(r.context["page"]),
                lambda f=filters: base.women_page(f, now()),
                is_page=True,
            )
        )
    url = f"/women/{s.detail_reference}/"
    ops.append(
        Operation(
            "GET /women/<ref>/",
            lambda: get(url),
            lambda r: detail_shape(r.context["woman"]),
            lambda: base.woman_detail(s.detail_reference),
            is_page=True,
        )
    )
    return ops


# --- Data ---------------------------------------------------------------------------------


def ensure_data(args: argparse.Namespace, today: date) -> dict[str, Any] | None:
    """Migrate and generate the preset when the register is empty; the generation's report."""
    from django.core.management import call_command

    from motherline.people.models import Woman
    from motherline.synthetic import generate

    call_command("migrate", verbosity=0)
    if Woman.objects.exists():
        print("The register already has women: not generating.", file=sys.stderr)
        return None
    report = generate(args.preset, args.seed, today=today, stdout=sys.stderr)
    return {
        "women": report.women,
        "seconds": round(report.elapsed_seconds, 1),
        "women_per_second": round(report.women_per_second, 1),
    }


def analyze() -> None:
    """Gather the planner's statistics, as PostgreSQL's autovacuum does after bulk loads."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"ANALYZE took {time.perf_counter() - started:.1f} s", file=sys.stderr)


def data_summary() -> dict[str, int]:
    from motherline.people.models import Child, CustodyEpisode, Placement, Pregnancy, Woman

    return {
        "women": Woman.objects.count(),
        "in_custody": Woman.objects.filter(current_episode__isnull=False).count(),
        "episodes": CustodyEpisode.objects.count(),
        "pregnancies": Pregnancy.objects.count(),
        "children": Child.objects.count(),
        "placements": Placement.objects.count(),
    }


def database_label() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
        cursor.execute("SELECT sqlite_version()")
        return f"SQLite {cursor.fetchone()[0]}"


def table(results: list[Result]) -> str:
    lines = [
        "| operation | median ms | queries | baseline ms | baseline queries | ratio | runs |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| `{r.name}` | {r.median_ms:.1f} | {r.queries} | {r.baseline_ms:.1f} "
            f"| {r.baseline_queries} | {r.ratio:.1f} | {r.runs} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_django(args)

    today = date.fromisoformat(args.today)
    generation = ensure_data(args, today) if args.generate else None
    user = bench_user()
    setting = Setting(
        user=user,
        org_id=user.organisation_id,
        today=today,
        # The bench monitor's country: the prisons page counts its own jurisdiction's.
        jurisdiction_code=user.organisation.jurisdiction.code,
        detail_reference=detail_reference(user.organisation_id),
        q=args.q,
    )
    if args.analyze:
        analyze()
    summary = data_summary()
    label = database_label()
    print(f"# {args.preset} on {label}: {summary}", file=sys.stderr)
    results = []
    for op in operations(setting):
        if args.only and not any(part in op.name for part in args.only.split(",")):
            continue
        result = measure(op, args.repeat, args.budget)
        if args.explain:
            result.plan = explain(result.slowest_sql)
        results.append(result)
        print(
            f"{result.name:<40} {result.median_ms:9.1f} ms  {result.queries:3} q  "
            f"baseline {result.baseline_ms:9.1f} ms  x{result.ratio:.1f}",
            file=sys.stderr,
        )
    stats = "after ANALYZE" if args.analyze else "statistics as found"
    print(f"\n{args.preset} on {label}, {stats} (medians; today {today})\n")
    print(table(results))
    if args.explain:
        for r in results:
            print(
                f"\n## {r.name}: slowest query {r.slowest_sql_ms:.1f} ms\n{r.slowest_sql}\n{r.plan}"
            )
            print(f"statements ({r.queries}): " + "; ".join(r.query_heads))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "preset": args.preset,
                    "database": label,
                    "today": today.isoformat(),
                    "repeat": args.repeat,
                    "analyzed": args.analyze,
                    "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                    "data": summary,
                    "generation": generation,
                    "detail_reference": setting.detail_reference,
                    "results": [{**r.__dict__, "ratio": r.ratio} for r in results],
                },
                indent=2,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
