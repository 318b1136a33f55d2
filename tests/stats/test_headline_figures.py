"""From the shipped Cambodia pack, the synthetic returns reproduce the published figures."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db.models import Sum

from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.models import Jurisdiction, NationalFigure
from motherline.stats.models import PopulationReturn
from motherline.synthetic.returns import generate_returns, month_end

TODAY = date(2026, 6, 15)


@pytest.fixture
def kh_returns(db):
    load_pack("kh")
    kh = Jurisdiction.objects.get(code="KH")
    count = generate_returns(kh, TODAY)
    return kh, count


def stats_json(capsys, *args: str) -> list[dict]:
    call_command("stats", *args, "--json")
    return json.loads(capsys.readouterr().out)


def test_growth_2008_to_2012_matches_the_published_figures(kh_returns, capsys):
    women = stats_json(capsys, "--indicator", "women", "--from", "2008-01-01", "--to", "2012-12-31")
    men = stats_json(capsys, "--indicator", "men", "--from", "2008-01-01", "--to", "2012-12-31")
    assert [row["period"] for row in women] == ["2008", "2009", "2010", "2011", "2012"]
    by_year_w = {row["period"]: row["value"] for row in women}
    by_year_m = {row["period"]: row["value"] for row in men}
    growth_women = (by_year_w["2012"] - by_year_w["2008"]) * 100 / by_year_w["2008"]
    growth_men = (by_year_m["2012"] - by_year_m["2008"]) * 100 / by_year_m["2008"]
    assert abs(growth_women - 98) <= 1
    assert abs(growth_men - 38) <= 1
    [growth] = stats_json(
        capsys, "--indicator", "growth_women", "--from", "2008-01-01", "--to", "2012-12-31"
    )
    assert growth["period"] == "2008/2012" and abs(growth["value"] - 98) <= 1


def test_womens_share_is_over_eight_percent_in_2013_and_8_6_in_2019(kh_returns, capsys):
    rows = stats_json(
        capsys, "--indicator", "women_share", "--from", "2013-01-01", "--to", "2019-12-31"
    )
    share = {row["period"]: row["value"] for row in rows}
    assert share["2013"] > 8
    assert share["2019"] == pytest.approx(8.6, abs=0.05)


def test_national_totals_equal_each_published_count_on_its_month(kh_returns):
    kh, count = kh_returns
    assert count > 25 * 12 * 18  # every prison open, every month since 2008
    checked = 0
    for figure in NationalFigure.objects.filter(
        jurisdiction=kh, measure__in=["total", "women", "minors", "foreign_nationals"]
    ):
        total = PopulationReturn.objects.filter(date=month_end(figure.date)).aggregate(
            n=Sum(figure.measure)
        )["n"]
        assert total == int(figure.value), (figure.measure, figure.date)
        checked += 1
    assert checked >= 10


def test_generated_returns_are_consistent_and_deterministic(kh_returns):
    kh, _count = kh_returns
    for ret in PopulationReturn.objects.all()[:500]:
        assert ret.men + ret.women == ret.total
        assert ret.pretrial_women <= ret.women and ret.pregnant_women <= ret.women
    first = list(PopulationReturn.objects.order_by("date", "prison__code").values_list("women"))
    generate_returns(kh, TODAY)
    again = list(PopulationReturn.objects.order_by("date", "prison__code").values_list("women"))
    assert first == again
    # Women only where women are held; none before a prison opened.
    assert not PopulationReturn.objects.filter(prison__holds_women=False, women__gt=0).exists()
    assert not PopulationReturn.objects.filter(
        prison__code="KH-CC4", date__lt=date(2010, 1, 1)
    ).exists()
