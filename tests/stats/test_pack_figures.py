"""The published figures and the population denominators of a pack: validated, loaded with
their sources, replaced on reload; a bad file loads nothing and says where."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal

import pytest

from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack, read_statistics
from motherline.jurisdictions.models import Jurisdiction, NationalFigure, PopulationDenominator


@pytest.fixture
def packs(tmp_path):
    shutil.copytree(PACKS_DIR / "kh", tmp_path / "kh")
    return tmp_path


def test_the_cambodia_pack_ships_the_published_figures(db):
    load_pack("kh")
    kh = Jurisdiction.objects.get(code="KH")
    women_2008 = NationalFigure.objects.get(
        jurisdiction=kh, measure="women", date=date(2008, 8, 10)
    )
    assert women_2008.value == Decimal("713")
    assert "Cambodia Daily" in women_2008.source and not women_2008.verified
    growth = NationalFigure.objects.get(measure="women_growth_percent")
    assert growth.value == Decimal("98") and "OHCHR" in growth.source
    assert NationalFigure.objects.get(measure="women_share_percent", date__year=2019).value == (
        Decimal("8.6")
    )
    # Sources that disagree are both kept.
    assert NationalFigure.objects.filter(measure="children_in_prison", date__year=2013).count() == 2
    census = PopulationDenominator.objects.get(area="KH", year=2019)
    assert census.female_population == 7_980_847 and "2019" in census.source


def test_reloading_replaces_the_figures(db):
    load_pack("kh")
    count = NationalFigure.objects.count()
    load_pack("kh")
    assert NationalFigure.objects.count() == count
    assert PopulationDenominator.objects.count() == 2


def test_a_pack_without_the_files_loads(db):
    load_pack("ke")
    assert not NationalFigure.objects.exists()


def test_bad_rows_are_reported_and_nothing_is_loaded(db, packs):
    path = packs / "kh" / "national_figures.csv"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "women,2013-02-30,day,5,press_2013,false,\n"
        + "sharks,2013-01-01,day,5,press_2013,false,\n"
        + "women,2013-01-01,week,-5,nowhere,maybe,\n",
        encoding="utf-8",
    )
    denominators = packs / "kh" / "population_denominators.csv"
    denominators.write_text(
        denominators.read_text(encoding="utf-8") + "KH,2019,1,nis_census_2019,false\n",
        encoding="utf-8",
    )
    with pytest.raises(PackInvalid) as raised:
        read_statistics("kh", packs)
    messages = [str(e) for e in raised.value.errors]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert any(m.startswith(f"kh/national_figures.csv:{lines - 2}: date:") for m in messages)
    assert any(f":{lines - 1}: measure:" in m for m in messages)
    for column in ("date_precision", "value", "source", "verified"):
        assert any(f":{lines}: {column}:" in m for m in messages), column
    assert any("population_denominators.csv:4: year: duplicate of line 3" in m for m in messages)
    with pytest.raises(PackInvalid):
        load_pack("kh", packs)
    assert not Jurisdiction.objects.exists()
