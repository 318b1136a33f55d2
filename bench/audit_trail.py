"""The audit trail's size: rows written per 1,000 page views of a realistic browse.

Signs in the demo users (synthetic data of the `demo` preset) and browses with Django's test
client as people of each role would in a working day: the register and its search, a few
records, the worklist, legal cases and rounds, case studies, service deliveries, the
statistics, and the API's pages of women. Counts the requests (page views, API answers and
downloads; static files are not requests to the application) and the audit rows written
meanwhile, with their average size. Prints one line per role and the total.

    .venv/bin/python bench/audit_trail.py --data-dir /tmp/audit-bench
    .venv/bin/python bench/audit_trail.py \\
        --database-url postgres://postgres@127.0.0.1:5432/motherline_audit_bench
"""

from __future__ import annotations

import argparse
import json
import os
import random
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any


def configure_django(args: argparse.Namespace) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["MOTHERLINE_DATA_DIR"] = str(Path(args.data_dir).resolve())
    # The test client's host name, and the demo's sign-in with a password alone.
    os.environ["MOTHERLINE_ALLOWED_HOSTS"] = "testserver"
    os.environ["MOTHERLINE_TWO_FACTOR"] = "optional"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
    import django

    django.setup()


def prepare(seed: int, today: date) -> None:
    from django.core.management import call_command

    from motherline.jurisdictions.models import Jurisdiction
    from motherline.people.models import Woman
    from motherline.synthetic import ensure_demo_users, generate

    call_command("migrate", verbosity=0)
    if not Jurisdiction.objects.filter(code="KH").exists():
        call_command("load_pack", "kh", verbosity=0)
    if not Woman.objects.exists():
        generate("demo", seed, today=today)
    ensure_demo_users("bench-only-password")


class Browser:
    """One person's session: every request counted, by status."""

    def __init__(self, username: str) -> None:
        from django.test import Client

        from motherline.accounts.models import User

        self.client = Client()
        self.client.force_login(User.objects.get(username=username))
        self.views = 0
        self.statuses: Counter[int] = Counter()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        response = self.client.get(path, params or {})
        self.views += 1
        self.statuses[response.status_code] += 1
        return response


def browse_register(browser: Browser, rng: random.Random, references: list[str]) -> None:
    """Home, the register (two pages, a search), five records, the worklist."""
    from django.urls import reverse

    browser.get(reverse("home"))
    first = browser.get(reverse("people:women"))
    if first.context and first.context.get("next_url"):
        browser.get(reverse("people:women") + first.context["next_url"])
    browser.get(reverse("people:women"), {"q": "Sok"})
    for reference in rng.sample(references, 5):
        browser.get(reverse("people:woman", args=[reference]))
    browser.get(reverse("worklist:list"))


def browse_monitor(browser: Browser, rng: random.Random, references: list[str]) -> None:
    from django.urls import reverse

    browse_register(browser, rng, references)
    browser.get(reverse("fieldwork:visits"))
    browser.get(reverse("fieldwork:cases"))
    browser.get(reverse("grants:deliveries"))
    browser.get(reverse("people:prisons"))


def browse_legal(browser: Browser, rng: random.Random, references: list[str]) -> None:
    from django.urls import reverse

    from motherline.legal.models import LegalCase

    browse_register(browser, rng, references)
    browser.get(reverse("legal:cases"))
    browser.get(reverse("legal:rounds"))
    browser.get(reverse("legal:screening"))
    for case in LegalCase.objects.order_by("?")[:3]:
        browser.get(reverse("legal:case", args=[case.pk]))


def browse_analyst(browser: Browser, rng: random.Random, references: list[str]) -> None:
    from django.urls import reverse

    browser.get(reverse("home"))
    for indicator in ("women", "pregnant_women", "children_in_prison"):
        browser.get(reverse("stats:index"), {"indicator": indicator, "area": "nation:KH"})
    browser.get(reverse("people:prisons"))


def browse_api(browser: Browser, rng: random.Random, references: list[str]) -> None:
    """A script paging through the women (50 a page) and reading ten records."""
    after = None
    for _ in range(5):
        page = browser.get("/api/v1/women", {"after": after} if after else {}).json()
        after = page.get("next_cursor")
        if not after:
            break
    for reference in rng.sample(references, 10):
        browser.get(f"/api/v1/women/{reference}")
    browser.get("/api/v1/worklist")


SESSIONS = (
    ("monitor", browse_monitor),
    ("legal", browse_legal),
    ("liaison", browse_register),
    ("manager", browse_monitor),
    ("analyst", browse_analyst),
    ("monitor", browse_api),
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="postgres://... (otherwise SQLite)")
    parser.add_argument("--data-dir", default="/tmp/motherline-audit-bench")
    parser.add_argument("--rounds", type=int, default=5, help="each role's session, N times")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2025-06-30")
    args = parser.parse_args(argv)
    configure_django(args)
    prepare(args.seed, date.fromisoformat(args.today))

    from django.db.models import Max

    from motherline.accounts.models import AuditEvent
    from motherline.people.models import Woman

    rng = random.Random(args.seed)
    views: Counter[str] = Counter()
    rows: Counter[str] = Counter()
    actions: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    size = 0
    for _ in range(args.rounds):
        for username, session in SESSIONS:
            from motherline.accounts.models import User

            user = User.objects.get(username=username)
            references = list(
                Woman.objects.visible_to(user).values_list("reference", flat=True)[:500]
            )
            start = AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0
            browser = Browser(username)
            session(browser, rng, references)
            label = f"{username}/{session.__name__}"
            views[label] += browser.views
            statuses.update(browser.statuses)
            written = list(AuditEvent.objects.filter(id__gt=start))
            rows[label] += len(written)
            actions.update(event.action for event in written)
            size += sum(
                len(json.dumps(e.changes)) + len(e.object_type) + len(e.object_ref) for e in written
            )
    total_views, total_rows = sum(views.values()), sum(rows.values())
    print(f"{'session':<32} {'views':>6} {'rows':>6} {'rows/1,000 views':>17}")
    for label in [*views, "total"]:
        n, r = (total_views, total_rows) if label == "total" else (views[label], rows[label])
        print(f"{label:<32} {n:>6} {r:>6} {1000 * r / n:>17.0f}")
    print(f"answers by status: {dict(sorted(statuses.items()))}")
    print(f"rows by action: {dict(actions.most_common())}")
    average = size / total_rows
    print(f"average row (changes as JSON, record type and reference): {average:.0f} bytes")


if __name__ == "__main__":
    main()
