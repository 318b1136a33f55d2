"""Each indicator against a case worked out by hand (docs/indicators.md, "Hand-computed
cases"). The returns are SYNTHETIC; the population denominators are the Cambodia pack's
census figures with their sources (`population_totals.csv`, `population_denominators.csv`)."""

from __future__ import annotations

from datetime import date

import pytest

from motherline.jurisdictions.loader import read_statistics, write_statistics
from motherline.stats.denominators import read_population_totals
from motherline.stats.models import PopulationReturn
from motherline.stats.queries import Area, series

START, END = date(2009, 1, 1), date(2009, 12, 31)


@pytest.fixture
def kh(prisons, jurisdiction):
    write_statistics("KH", read_statistics("kh"))  # the pack's denominators, with sources
    return jurisdiction


def nation_row(kh, day, **counts):
    return PopulationReturn.objects.create(jurisdiction=kh, date=day, source="S", **counts)


def value(indicator, area="nation"):
    [point] = series(indicator, Area.parse(area), START, END).points
    return point.value


def test_pretrial_share_sdg_16_3_2_from_the_national_total(kh):
    nation_row(kh, date(2009, 6, 30), total=12_000, pretrial_total=4_500)
    assert value("pretrial_share") == 37.5


def test_pretrial_share_from_pretrial_women_and_men(kh, prisons):
    PopulationReturn.objects.create(
        prison=prisons["KDL"],
        date=date(2009, 6, 30),
        source="S",
        total=400,
        pretrial_women=30,
        pretrial_men=100,
    )
    assert value("pretrial_share", "prison:KDL") == 32.5
    PopulationReturn.objects.filter(prison=prisons["KDL"]).update(pretrial_men=None)
    assert value("pretrial_share", "prison:KDL") is None  # half the count is no count


def test_occupancy_uses_the_rows_own_capacity(kh):
    nation_row(kh, date(2009, 6, 30), total=13_000, capacity=8_000)
    assert value("occupancy") == 162.5
    nation_row(kh, date(2009, 12, 31), total=14_000)  # no capacity: no occupancy that day
    assert value("occupancy") == 162.5
    assert value("total") == 14_000


def test_prisoners_per_100000_use_the_packs_population_by_year(kh):
    nation_row(kh, date(2009, 6, 30), total=12_000, women=1_000)
    assert value("per_100k") == 89.6  # 100,000 x 12,000 / 13,395,682 (census 2008)
    assert value("women_per_100k") == 14.5  # 100,000 x 1,000 / 6,879,628
    [census] = [r for r in read_population_totals("KH") if r.year == 2008]
    assert census.population == 13_395_682 and "General Population Census" in census.source


def test_womens_share_from_the_latest_date_that_gives_both(kh):
    nation_row(kh, date(2009, 3, 31), total=12_000, women=1_000)
    nation_row(kh, date(2009, 12, 31), total=12_500)
    assert value("women_share") == 8.3
    assert value("total") == 12_500
