"""`motherline generate` writes the synthetic returns with the women (demo preset)."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command
from django.db.models import Max, Min

from motherline.stats.models import PopulationReturn


def test_the_demo_preset_has_monthly_returns_to_today(db, capsys):
    call_command("generate", preset="demo", seed=3, today=date(2026, 6, 15))
    returns = PopulationReturn.objects.filter(source="synthetic")
    span = returns.aggregate(first=Min("date"), last=Max("date"))
    assert span == {"first": date(2008, 1, 31), "last": date(2026, 5, 31)}
    assert returns.values("date").distinct().count() == 12 * 18 + 5
    assert "Population returns" in capsys.readouterr().out
