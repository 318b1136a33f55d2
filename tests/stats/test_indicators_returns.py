"""Indicators from population returns, against counts worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from motherline.jurisdictions.models import PopulationDenominator
from motherline.places.models import Prison, Province
from motherline.stats.models import PopulationReturn
from motherline.stats.queries import Area, StatsError, series

MARCH, DECEMBER, JUNE_13 = date(2012, 3, 31), date(2012, 12, 31), date(2013, 6, 30)


def ret(prison, day, **counts):
    return PopulationReturn.objects.create(
        prison=prison, date=day, source="prison_authority", **counts
    )


@pytest.fixture
def returns(prisons, jurisdiction):
    cc2, cc1, kdl = prisons["CC2"], prisons["CC1"], prisons["KDL"]
    bmc_province = Province.objects.create(jurisdiction=jurisdiction, code="KH-1", name="BMC")
    bmc = Prison.objects.create(
        province=bmc_province, code="BMC", name="BMC prison", kind="provincial_prison"
    )
    ret(
        cc2,
        MARCH,
        total=500,
        men=0,
        women=500,
        pretrial_women=200,
        pregnant_women=6,
        children_in_prison=20,
    )
    ret(cc1, MARCH, total=1500, men=1500, women=0, pretrial_men=600)
    ret(
        kdl,
        MARCH,
        total=400,
        men=350,
        women=50,
        pretrial_men=100,
        pretrial_women=30,
        pregnant_women=2,
        children_in_prison=3,
    )
    ret(bmc, MARCH, total=100, men=100, women=0, pretrial_men=10)
    # Kandal's prison sends no return in December (closed for works): it is left out.
    ret(
        cc2,
        DECEMBER,
        total=600,
        men=0,
        women=600,
        pretrial_women=240,
        pregnant_women=7,
        children_in_prison=24,
    )
    ret(cc1, DECEMBER, total=1600, men=1600, women=0, pretrial_men=640)
    ret(cc2, JUNE_13, total=700, men=0, women=700)
    ret(cc1, JUNE_13, total=1700, men=1700, women=0)
    # Another source for the same prison and date is never added in.
    PopulationReturn.objects.create(
        prison=cc2, date=MARCH, source="ngo_census", total=999, men=0, women=999
    )
    PopulationDenominator.objects.create(
        jurisdiction=jurisdiction, area="KH", year=2008, female_population=1_000_000, source="t"
    )


def values(
    indicator, area="nation", start=date(2012, 1, 1), end=date(2013, 12, 31), period="year", **kw
):
    result = series(
        indicator, Area.parse(area), start, end, period, "returns", "prison_authority", **kw
    )
    return {p.period: p.value for p in result.points}


def test_stocks_take_the_last_date_with_data_in_each_period(returns):
    assert values("women") == {"2012": 600, "2013": 700}
    assert values("men") == {"2012": 1600, "2013": 1700}
    assert values("total", period="month") == {"2012-03": 2500, "2012-12": 2200, "2013-06": 2400}


def test_empty_periods_have_no_value(returns):
    assert values("women", period="quarter") == {"2012-Q1": 550, "2012-Q4": 600, "2013-Q2": 700}
    assert values("women", start=date(2014, 1, 1), end=date(2015, 1, 1)) == {}


def test_shares_and_rates(returns):
    month = {"period": "month", "end": date(2012, 3, 31)}
    assert values("women_share", **month) == {"2012-03": 22.0}  # 550 / 2500
    assert values("pretrial_share_women", **month) == {"2012-03": 41.8}  # 230 / 550
    assert values("pretrial_share_men", **month) == {"2012-03": 36.4}  # 710 / 1950
    assert values("children_per_100_women", **month, publish=False) == {"2012-03": 4.2}
    # 2500 prisoners in prisons of capacity 1000 + 2000 + 500 (BMC has none recorded).
    assert values("occupancy", **month) == {"2012-03": 71.4}
    assert values("women_per_100k") == {"2012": 60.0, "2013": 70.0}


def test_a_prison_that_stops_reporting_drops_out_of_later_totals(returns):
    assert values("women", area="province:KH-8") == {"2012": 50}
    assert values("occupancy", period="month")["2012-12"] == 73.3  # 2200 / 3000


def test_a_province_with_no_women(returns):
    assert values("women", area="province:KH-1") == {"2012": 0}
    assert values("women_share", area="province:KH-1") == {"2012": 0.0}
    assert values("pretrial_share_women", area="province:KH-1") == {"2012": None}
    assert values("children_per_100_women", area="province:KH-1") == {"2012": None}


def test_growth_between_the_first_and_last_period(returns):
    month = {"period": "month"}
    assert values("growth_women", **month) == {"2012-03/2013-06": 27.3}  # 550 -> 700
    assert values("growth_men", **month) == {"2012-03/2013-06": -12.8}  # 1950 -> 1700


def test_small_counts_of_pregnant_women_and_children_are_suppressed(returns):
    kandal = series(
        "pregnant_women",
        Area.parse("prison:KDL"),
        MARCH,
        MARCH,
        "month",
        "returns",
        "prison_authority",
    )
    [point] = kandal.points
    assert point.suppressed and point.value is None
    assert point.as_dict() == {
        "period": "2012-03",
        "area": "prison:KDL",
        "value": None,
        "suppressed": True,
        "date": "2012-03-31",
        "source": "prison_authority",
        "precision": "day",
        "level": "prison",
    }
    # Nationally 8 pregnant women: published. A rate is hidden with its small numerator.
    assert values("pregnant_women", period="month", end=MARCH) == {"2012-03": 8}
    assert values("children_per_100_women", area="prison:KDL") == {"2012": None}
    assert values("children_per_100_women", area="prison:KDL", publish=False) == {"2012": 6.0}


def test_the_threshold_comes_from_settings(returns, settings):
    settings.STATS_SMALL_CELL_THRESHOLD = 10
    assert values("pregnant_women", period="month", end=MARCH) == {"2012-03": None}


def test_the_source_with_most_returns_is_read_by_default(returns):
    result = series("women", Area.parse("nation"), MARCH, MARCH, "month", "returns")
    assert result.return_source == "prison_authority"
    other = series("women", Area.parse("nation"), MARCH, MARCH, "month", "returns", "ngo_census")
    assert [p.value for p in other.points] == [999]


def test_refusals(returns):
    with pytest.raises(StatsError):
        values("releases_by_reason")
    with pytest.raises(StatsError):
        values("no_such_indicator")
    with pytest.raises(StatsError):
        values("women", area="prison:NOPE")
    with pytest.raises(StatsError):
        Area.parse("planet:earth")
