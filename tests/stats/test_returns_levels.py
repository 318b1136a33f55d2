"""Returns at any level of the pack's geography, each row with its source and the precision
of its date; series that read the area's own returns first and else the sum of a lower
level, with its coverage.

Every figure in this file is SYNTHETIC (made up for the tests, round numbers), laid out as a
file of published national figures would be: they are not Cambodia's figures.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from motherline.core.actors import SystemActor
from motherline.stats.models import Level, PopulationReturn
from motherline.stats.queries import Area, StatsError, series
from motherline.stats.services import import_returns

TODAY = date(2026, 6, 15)

# SYNTHETIC "published figures": national rows from three made-up sources, at three
# precisions, with blanks for what a source did not report.
PUBLISHED_FILE = (
    "area,date,precision,total,women,men,pretrial_total,capacity,source,source_url\n"
    "KH,10/08/2008,day,10000,600,9400,4000,,Synthetic newspaper A,https://example.org/a\n"
    "KH,2009,year,11000,,,,5000,Synthetic ministry B,\n"
    "Cambodia,07/2010,month,12000,,,,6000,Synthetic ministry B,\n"
    'KH,2011,"year, approx.",13000,1000,12000,6500,,Synthetic NGO C,\n'
    "KH-12,31/12/2011,day,5000,,,,,Synthetic NGO C,\n"
)


def run(content: bytes | str, source: str = ""):
    data = content.encode() if isinstance(content, str) else content
    return import_returns(SystemActor("import_returns"), data, "figures.csv", source, today=TODAY)


@pytest.fixture
def national(prisons):
    result = run(PUBLISHED_FILE)
    assert result.ok, result.errors
    return result


def values(indicator, area="nation", **kw):
    result = series(indicator, Area.parse(area), date(2008, 1, 1), date(2012, 12, 31), **kw)
    return {p.period: p.value for p in result.points}


def test_rows_for_the_nation_and_a_province_import_with_their_sources(national, provinces):
    assert national.created == 5
    nation = PopulationReturn.objects.filter(jurisdiction__code="KH").order_by("date")
    assert [(r.date, r.date_precision, r.source) for r in nation] == [
        (date(2008, 8, 10), "day", "Synthetic newspaper A"),
        (date(2009, 12, 31), "year", "Synthetic ministry B"),
        (date(2010, 7, 31), "month", "Synthetic ministry B"),
        (date(2011, 12, 31), "approximate", "Synthetic NGO C"),
    ]
    first = nation[0]
    assert (first.level, first.source_url, first.pretrial_total) == (
        Level.NATION,
        "https://example.org/a",
        4000,
    )
    # Blank is "not reported", never 0.
    assert nation[1].women is None and nation[1].pretrial_total is None
    province = PopulationReturn.objects.get(province=provinces["KH-12"])
    assert (province.level, province.total) == (Level.PROVINCE, 5000)
    # Importing the same file again changes nothing.
    again = run(PUBLISHED_FILE)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)


def test_a_national_pretrial_total_larger_than_the_women_is_accepted(prisons):
    result = run("area,date,total,women,pretrial_total,source\nKH,2012,15000,1000,5000,S\n")
    assert result.ok, result.errors


@pytest.mark.parametrize(
    ("row", "column", "reason"),
    [
        ("nowhere,2012,10,,S", "area", "unknown area"),
        ("KH,2012,,,S", "total", "required"),
        ("KH,2012,10,11,S", "pretrial_total", "more than total"),
        ("KH,2012,10,,", "source", "required"),
        ("KH,1890,10,,S", "date", "before"),
        ("KH,2012,99999999,,S", "total", "more than"),
    ],
)
def test_bad_rows_at_any_level_are_reported(prisons, row, column, reason):
    result = run(f"area,date,total,pretrial_total,source\n{row}\n")
    assert [e.column for e in result.errors] == [column]
    assert reason in result.errors[0].message
    assert PopulationReturn.objects.count() == 0


def test_a_bad_precision_or_address_is_reported(prisons):
    result = run(
        "area,date,precision,total,source,source_url\n"
        "KH,2012,week,10,S,\n"
        "KH,2011,day,10,S,\n"
        "KH,2010,,10,S,javascript:alert(1)\n"
    )
    assert [(e.line, e.column) for e in result.errors] == [
        (2, "precision"),
        (3, "precision"),
        (4, "source_url"),
    ]


def test_the_first_template_still_imports_with_the_files_source(prisons):
    old = (
        "prison,date,total,men,women,pretrial_men,pretrial_women,minors,foreign_nationals,"
        "pregnant_women,children_in_prison\nKDL,31/03/2013,700,650,50,300,20,5,3,2,4\n"
    )
    assert "source" in {e.column for e in run(old).errors}
    result = run(old, source="prison_authority")
    assert result.ok and PopulationReturn.objects.get().source == "prison_authority"


def test_national_rows_of_mixed_sources_make_one_series(national):
    result = series("total", Area.parse("nation"), date(2008, 1, 1), date(2011, 12, 31))
    assert [(p.period, p.value, p.source, p.precision, p.level) for p in result.points] == [
        ("2008", 10000, "Synthetic newspaper A", "day", "nation"),
        ("2009", 11000, "Synthetic ministry B", "year", "nation"),
        ("2010", 12000, "Synthetic ministry B", "month", "nation"),
        ("2011", 13000, "Synthetic NGO C", "approximate", "nation"),
    ]
    assert result.points[0].source_url == "https://example.org/a"
    assert result.return_source == ""  # several sources: each value names its own


def test_a_province_reads_its_own_row_not_the_nation(national):
    assert values("total", area="province:KH-12") == {"2011": 5000}


def test_the_nation_falls_back_to_the_sum_of_its_prisons_with_coverage(national, prisons):
    for code, total in (("CC2", 700), ("KDL", 300)):
        PopulationReturn.objects.create(
            prison=prisons[code], date=date(2012, 6, 30), source="S", total=total
        )
    result = series("total", Area.parse("nation"), date(2012, 1, 1), date(2012, 12, 31))
    [point] = result.points
    assert (point.value, point.level, point.reporting, point.expected) == (1000, "prison", 2, 3)
    assert point.coverage() == "sum of 2 of 3 prisons"
    # Where a national row exists for the date and source, the sum is not used.
    PopulationReturn.objects.create(
        jurisdiction=prisons["CC2"].province.jurisdiction,
        date=date(2012, 6, 30),
        source="S",
        total=1500,
    )
    [point] = series("total", Area.parse("nation"), date(2012, 1, 1), date(2012, 12, 31)).points
    assert (point.value, point.level, point.reporting) == (1500, "nation", None)


def test_a_year_without_a_count_of_women_takes_the_last_date_that_has_one(national):
    # 2011 has one approximate row with women; add a later one without them.
    run("area,date,total,source\nKH,2011-12-31,13500,Synthetic ministry B\n")
    assert values("total")["2011"] == 13500
    assert values("women_share")["2011"] == 7.7  # 1000 / 13000, from the row that has both


def test_an_unknown_return_source_is_an_error(national):
    with pytest.raises(StatsError, match="Unknown source of returns: bogus"):
        values("total", return_source="bogus")
    assert values("total", return_source="Synthetic ministry B") == {"2009": 11000, "2010": 12000}


def test_the_command_names_the_source_of_each_value(national, capsys):
    call_command("stats", "--indicator", "total", "--from", "2008-01-01", "--to", "2011-12-31")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "2008\tnation:KH\t10000\tSynthetic newspaper A | 2008-08-10 (exact day) | "
        "https://example.org/a"
    )
    assert lines[1] == "2009\tnation:KH\t11000\tSynthetic ministry B | 2009-12-31 (year only)"
    call_command("stats", "--indicator", "total", "--to", "2011-12-31", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[3]["source"] == "Synthetic NGO C" and rows[3]["precision"] == "approximate"


def test_the_command_fails_on_an_unknown_source(national, capsys):
    with pytest.raises(CommandError, match="Unknown source of returns: bogus"):
        call_command("stats", "--indicator", "total", "--return-source", "bogus")
    assert capsys.readouterr().out == ""
