"""`motherline retention --as-of DATE [--years N] [--dry-run]`: apply the retention rule."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from motherline.vault import retention


class Command(BaseCommand):
    help = (
        "Pseudonymise the identifying data of women released more than N years before the "
        "given day (N: --years, else MOTHERLINE_RETENTION_YEARS, else the retention_years of "
        "her jurisdiction's pack), and of their children. Statistics are kept; each woman is "
        "audited."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", default=None, help="YYYY-MM-DD (default: today)")
        parser.add_argument("--years", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")

    def handle(
        self, *args: Any, as_of: str | None, years: int | None, dry_run: bool, **o: Any
    ) -> None:
        try:
            day = date.fromisoformat(as_of) if as_of else date.today()
        except ValueError:
            raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {as_of!r}.") from None
        if years is not None and years < 1:
            raise CommandError("--years must be at least 1.")
        result = retention.apply(day, years, dry_run=dry_run)
        verb = "Would pseudonymise" if dry_run else "Pseudonymised"
        if years is None:
            periods = sorted(set(retention.years_by_jurisdiction().values())) or [
                retention.default_years()
            ]
            n = " or ".join(str(p) for p in periods)
        else:
            n = str(years)
        self.stdout.write(
            f"{verb} {result.women} women released more than {n} years before "
            f"{day.isoformat()}, and {result.children} of their children."
        )
        if result.held_back:
            self.stdout.write(
                f"Left alone, because a date in the record is implausible (correct the record "
                f"and run again): {len(result.held_back)} women."
            )
            for reference, why in result.held_back:
                self.stdout.write(f"  {reference}: {why}")
