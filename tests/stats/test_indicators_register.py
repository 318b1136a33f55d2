"""Indicators counted from individual records, against counts worked out by hand.

The women (all dates 2026):
- W1 CC2 from 10 Jan, pretrial, pregnant since 10 Jan, theft.
- W2 CC2 from 1 Feb, child in prison born 1 Aug 2023 (leaves at 3 on 1 Aug 2026),
  convicted 1 Apr (59 days pretrial), drugs.
- W3 Kandal from 1 Mar with a child born 1 Dec 2025, moved to CC2 on 1 May,
  released by royal pardon on 1 Jun (the child leaves with her).
- W4 Kandal from 15 Dec 2025, released at the end of her sentence on 15 Feb, theft.
- W5 CC2 from 1 Jan, convicted 11 Apr (100 days pretrial), drugs.
"""

from __future__ import annotations

from datetime import date

import pytest

from motherline.people import services
from motherline.stats.queries import Area, StatsError, series
from tests.factories import admit, child_in_prison, current_version

TODAY = date(2026, 6, 15)


@pytest.fixture
def register(users, prisons, offences):
    user = users["monitor"]
    cc2, kdl = prisons["CC2"], prisons["KDL"]
    admit(
        user,
        cc2,
        admission_date=date(2026, 1, 10),
        offences=[offences["theft"]],
        is_pregnant=True,
        pregnancy_known_since=date(2026, 1, 10),
        expected_delivery_date=date(2026, 8, 1),
        today=date(2026, 1, 10),
    )
    w2 = admit(
        user,
        cc2,
        admission_date=date(2026, 2, 1),
        offences=[offences["drugs"]],
        children=[child_in_prison(date(2023, 8, 1))],
        today=date(2026, 2, 1),
    )
    services.record_legal_status(
        user,
        w2.current_episode,
        "convicted",
        date(2026, 4, 1),
        sentence_months=24,
        today=date(2026, 4, 1),
        version=current_version(w2.current_episode),
    )
    w3 = admit(
        user,
        kdl,
        admission_date=date(2026, 3, 1),
        children=[child_in_prison(date(2025, 12, 1))],
        today=date(2026, 3, 1),
    )
    services.record_transfer(
        user,
        w3.current_episode,
        cc2,
        date(2026, 5, 1),
        today=date(2026, 5, 1),
        version=current_version(w3.current_episode),
    )
    w3.refresh_from_db()
    services.record_release(
        user,
        w3.current_episode,
        date(2026, 6, 1),
        "royal_pardon",
        today=date(2026, 6, 1),
        version=current_version(w3.current_episode),
    )
    w4 = admit(
        user,
        kdl,
        admission_date=date(2025, 12, 15),
        offences=[offences["theft"]],
        today=date(2025, 12, 15),
    )
    services.record_release(
        user,
        w4.current_episode,
        date(2026, 2, 15),
        "end_of_sentence",
        today=date(2026, 2, 15),
        version=current_version(w4.current_episode),
    )
    w5 = admit(
        user,
        cc2,
        admission_date=date(2026, 1, 1),
        offences=[offences["drugs"]],
        today=date(2026, 1, 1),
    )
    services.record_legal_status(
        user,
        w5.current_episode,
        "convicted",
        date(2026, 4, 11),
        sentence_months=24,
        today=date(2026, 4, 11),
        version=current_version(w5.current_episode),
    )


def values(indicator, area="nation", start=date(2026, 1, 1), end=TODAY, period="month"):
    result = series(indicator, Area.parse(area), start, end, period, "register", publish=False)
    return {(p.period, p.category) if p.category else p.period: p.value for p in result.points}


def test_women_in_custody_at_the_end_of_each_month(register):
    assert values("women") == {
        "2026-01": 3,
        "2026-02": 3,
        "2026-03": 4,
        "2026-04": 4,
        "2026-05": 4,
        "2026-06": 3,
    }


def test_women_are_counted_where_they_were_held_that_day(register):
    assert values("women", area="prison:CC2") == {
        "2026-01": 2,
        "2026-02": 3,
        "2026-03": 3,
        "2026-04": 3,
        "2026-05": 4,
        "2026-06": 3,
    }
    # Kandal: W4 until February, W3 in March and April, nobody from May (zero women).
    assert values("women", area="province:KH-8") == {
        "2026-01": 1,
        "2026-02": 0,
        "2026-03": 1,
        "2026-04": 1,
        "2026-05": 0,
        "2026-06": 0,
    }
    assert values("children_per_100_women", area="province:KH-8")["2026-05"] is None


def test_pretrial_pregnant_and_children(register):
    assert values("pretrial_share_women")["2026-03"] == 100.0  # all four pretrial
    assert values("pretrial_share_women")["2026-05"] == 50.0  # W1 and W3 of four
    assert values("pregnant_women")["2026-03"] == 1
    assert values("children_in_prison") == {
        "2026-01": 0,
        "2026-02": 1,
        "2026-03": 2,
        "2026-04": 2,
        "2026-05": 2,
        "2026-06": 1,
    }
    assert values("children_per_100_women")["2026-03"] == 50.0  # 2 children, 4 women


def test_children_within_90_days_of_the_age_limit(register):
    # W2's child must leave on 1 Aug 2026: within 90 days from 3 May onwards.
    assert values("children_near_age_limit") == {
        "2026-01": 0,
        "2026-02": 0,
        "2026-03": 0,
        "2026-04": 0,
        "2026-05": 1,
        "2026-06": 1,
    }


def test_releases_by_reason(register):
    assert values("releases_by_reason", period="year") == {
        ("2026", "end_of_sentence"): 1,
        ("2026", "royal_pardon"): 1,
    }
    assert values("releases_by_reason") == {
        ("2026-02", "end_of_sentence"): 1,
        ("2026-06", "royal_pardon"): 1,
    }
    assert values("releases_by_reason", period="quarter") == {
        ("2026-Q1", "end_of_sentence"): 1,
        ("2026-Q2", "royal_pardon"): 1,
    }


def test_median_pretrial_duration(register):
    assert values("median_pretrial_days", period="year") == {"2026": 79.5}  # 59 and 100
    assert values("median_pretrial_days", area="prison:KDL", period="year") == {}


def test_offence_profile_at_the_end_of_the_period(register):
    assert values("offence_profile", start=date(2026, 3, 1), end=date(2026, 3, 31)) == {
        ("2026-03", "theft"): 1,
        ("2026-03", "drug_possession"): 2,
    }


def test_an_empty_register_counts_zero(users, prisons):
    assert values("women", start=date(2020, 1, 1), end=date(2020, 12, 31), period="year") == {
        "2020": 0
    }


def test_counts_of_men_are_not_in_the_register(register):
    with pytest.raises(StatsError):
        values("men")
    with pytest.raises(StatsError):
        values("occupancy")


def test_published_register_counts_hide_small_cells(register):
    result = series(
        "children_in_prison",
        Area.parse("nation"),
        date(2026, 3, 1),
        date(2026, 3, 31),
        "month",
        "register",
    )
    assert [(p.value, p.suppressed) for p in result.points] == [(None, True)]
    women = series(
        "women", Area.parse("nation"), date(2026, 3, 1), date(2026, 3, 31), "month", "register"
    )
    assert [(p.value, p.suppressed) for p in women.points] == [(4, False)]


def test_returns_and_register_side_by_side(register, prisons):
    from motherline.stats.models import PopulationReturn
    from motherline.stats.queries import compare

    PopulationReturn.objects.create(
        prison=prisons["CC2"],
        date=date(2026, 4, 30),
        source="prison_authority",
        total=10,
        men=0,
        women=10,
        pretrial_women=6,
        pregnant_women=1,
        children_in_prison=2,
    )
    result = compare(Area.parse("nation"), date(2026, 5, 31))
    assert result.return_day == date(2026, 4, 30)
    rows = {name: rest for name, *rest in result.rows}
    # Register on 31 May: four women (W1, W2, W3, W5), two pretrial, one pregnant, 2 children.
    assert rows["women"] == [10, 4, -6, 40.0]
    assert rows["pretrial_women"] == [6, 2, -4, 33.3]
    assert rows["pregnant_women"] == [1, 1, 0, 100.0]
    assert rows["children_in_prison"] == [2, 2, 0, 100.0]


# Queries of a register series of the nation, whatever its number of dates: the area's
# prisons, then the counts (two set-based queries over every date at once) and the
# denominators; the children near the age limit add the prisons, the age rules and one
# query; a flow (offences, releases, days before conviction) is the prisons and one query.
SERIES_QUERIES = {
    "women": 4,
    "pretrial_share_women": 4,
    "children_in_prison": 4,
    "children_per_100_women": 4,
    "women_per_100k": 4,
    "growth_women": 4,
    "children_near_age_limit": 7,
    "offence_profile": 2,
    "releases_by_reason": 2,
    "median_pretrial_days": 2,
}


@pytest.mark.parametrize("indicator", sorted(SERIES_QUERIES))
def test_a_register_series_costs_the_same_queries_whatever_its_dates(
    register, indicator, django_assert_num_queries
):
    for start in (date(2026, 5, 1), date(2022, 1, 1)):  # 2 dates, then 54
        with django_assert_num_queries(SERIES_QUERIES[indicator]):
            values(indicator, start=start)
    if indicator == "growth_women":
        return  # one value from the first to the last period
    # The values do not depend on how many other dates are counted with them.
    assert (
        values(indicator, start=date(2026, 5, 1)).items()
        <= values(indicator, start=date(2022, 1, 1)).items()
    )


def test_children_near_the_limit_on_every_day_at_once_as_on_each_day(register):
    """The set-based count agrees with the one-day count (`register_by_prison`) on each day,
    with an extension approved part-way through."""
    from motherline.care.models import LeaveExtension
    from motherline.jurisdictions.models import AgeLimitRule
    from motherline.people.models import Child
    from motherline.stats.queries import near_limit_by_days, period_ends, register_by_prison

    AgeLimitRule.objects.filter(effective_to=None).update(
        extension_allowed=True, max_extension_months=6
    )
    child = Child.objects.get(date_of_birth=date(2023, 8, 1))
    LeaveExtension.objects.create(
        child=child, months=3, reason="health", approved_by="Director", approved_on=date(2026, 6, 1)
    )
    nation = Area.parse("nation")
    days = [*period_ends(date(2026, 1, 1), TODAY, "month"), date(2026, 5, 31)]
    days += [date(2026, 5, 2), date(2026, 5, 3)]
    by_days = near_limit_by_days(days, nation)
    for day in days:
        one = sum(
            c.get("children_near_age_limit", 0) for c in register_by_prison(day, nation).values()
        )
        assert by_days[day] == one, day
    assert by_days[date(2026, 5, 2)] == 0 and by_days[date(2026, 5, 3)] == 1
    # Extended by three months on 1 June: no longer within 90 days of leaving.
    assert by_days[date(2026, 5, 31)] == 1 and by_days[TODAY] == 0
