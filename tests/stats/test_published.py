"""The pack's published figures as a source one can query (`--source published`), shown
with their labels in English and Khmer, never their keys; and the pack's published national
figures imported as returns of mixed sources and precisions (`published_returns.csv`)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse

from motherline.core.actors import SystemActor
from motherline.jurisdictions.loader import PACKS_DIR, load_pack, read_statistics, write_statistics
from motherline.stats.queries import Area, series
from motherline.stats.services import import_returns
from tests.stats.conftest import sign_in

TODAY = date(2026, 6, 15)
NATION = Area("nation", "KH")


@pytest.fixture
def kh(db):
    load_pack("kh")


def test_the_published_figures_are_a_source(kh):
    result = series("total", NATION, date(2008, 1, 1), date(2016, 12, 31), source="published")
    assert [(p.period, p.value, p.precision) for p in result.points] == [
        ("2008", 12577, "day"),
        ("2009", 13325, "year"),
        ("2012", 15500, "month"),
        ("2013", 15397, "month"),
        ("2014", 15165, "year"),
        ("2015", 17522, "year"),
        ("2016", 22000, "year"),
    ]
    assert "Cambodia Daily" in result.points[0].source
    # A published percentage is the indicator's value; a count pair gives a computed one.
    [occupancy] = series(
        "occupancy", NATION, date(2015, 1, 1), date(2015, 12, 31), source="published"
    ).points
    assert occupancy.value == 206.0
    [share] = series(
        "pretrial_share", NATION, date(2008, 1, 1), date(2008, 12, 31), source="published"
    ).points
    assert share.value == 31.7  # 3,985 of 12,577
    [growth] = series(
        "growth_women", NATION, date(2008, 1, 1), date(2012, 12, 31), source="published"
    ).points
    assert growth.value == 98.0 and "OHCHR" in growth.source


def test_the_command_reads_the_published_figures(kh, capsys):
    call_command("stats", "--indicator", "occupancy", "--source", "published", "--to", "2015-12-31")
    out = capsys.readouterr().out.splitlines()
    # 2008 has figures but no capacity: the year is listed without a value.
    assert out[0].startswith("2008\tnation:KH\t-\tThe Cambodia Daily")
    assert out[1].startswith("2009\tnation:KH\t166.6\tMinistry of Interior figure for 2009")
    assert out[-1].startswith("2015\tnation:KH\t206.0\tOfficial figures as reported")


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Growth of the number of men (%)"), ("km", "កំណើនចំនួនបុរស (%)")],
)
def test_the_page_shows_labels_not_keys(client, users, language, label):
    write_statistics("KH", read_statistics("kh"))
    client.cookies["django_language"] = language
    sign_in(client, users["analyst"])
    response = client.get(
        reverse("stats:index"),
        {
            "indicator": "total",
            "area": "nation:KH",
            "start": "2008-01-01",
            "end": "2016-12-31",
            "period": "year",
            "source": "published",
        },
        HTTP_ACCEPT_LANGUAGE=language,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "men_growth_percent" not in page and "women_share_percent" not in page
    assert label in page
    assert "Cambodia Daily" in page  # the source of a value, on its row


def test_the_packs_published_national_returns_import_and_make_one_series(kh, capsys):
    content = (PACKS_DIR / "kh" / "published_returns.csv").read_bytes()
    result = import_returns(
        SystemActor("import_returns"), content, "published_returns.csv", today=TODAY
    )
    assert result.ok, result.errors
    assert result.created == 7
    found = series("total", NATION, date(2008, 1, 1), date(2016, 12, 31))
    assert [p.value for p in found.points] == [12577, 13325, 15500, 15397, 15165, 17522, 22000]
    assert {p.precision for p in found.points} == {"approximate", "year", "month"}
    assert len({p.source for p in found.points}) == 7 and found.return_source == ""
    [occupancy] = series("occupancy", NATION, date(2009, 1, 1), date(2009, 12, 31)).points
    assert occupancy.value == 166.6  # 13,325 / 8,000, the national capacity
    call_command("stats", "--indicator", "women_share", "--to", "2016-12-31", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert [(r["period"], r["value"]) for r in rows if r["value"] is not None] == [
        ("2008", 5.7),
        ("2013", 8.2),
    ]
