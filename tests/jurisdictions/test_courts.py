"""The courts of a pack (`courts.csv`): code, English and local name, the province each sits
in and its source, loaded by the pack loader into `places.Court`; a legal case chooses one."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Court, Province

pytestmark = pytest.mark.django_db


def copy_pack(tmp_path: Path, code: str = "kh") -> Path:
    shutil.copytree(PACKS_DIR / code, tmp_path / code)
    return tmp_path / code


def append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def test_the_cambodia_pack_loads_its_courts_highest_first():
    report = load_pack("kh")

    provinces = Province.objects.filter(jurisdiction__code="KH")
    # The Supreme Court, the Appeal Court and a court of first instance per province (the
    # capital's included).
    assert report.counts["courts"] == Court.objects.count() == 2 + provinces.count()
    first = list(Court.objects.values_list("code", "name_local")[:3])
    assert first == [
        ("KH-SUPREME", "តុលាការកំពូល"),
        ("KH-APPEAL", "សាលាឧទ្ធរណ៍"),
        ("KH-FI-12", "សាលាដំបូងរាជធានីភ្នំពេញ"),
    ]
    assert set(
        Court.objects.filter(code__in=["KH-SUPREME", "KH-APPEAL"]).values_list(
            "province__code", flat=True
        )
    ) == {"KH-12"}
    # Every province has its court, named in Khmer after the province's Khmer name.
    for province in provinces.exclude(code="KH-12"):
        court = Court.objects.get(province=province)
        assert court.name == f"{province.name} Provincial Court of First Instance"
        assert court.name_local == f"សាលាដំបូងខេត្ត{province.name_local}"


def test_no_court_is_marked_verified_and_each_says_so_in_its_source():
    load_pack("kh")

    assert not Court.objects.filter(verified=True).exists()
    assert all(
        "not verified" in source for source in Court.objects.values_list("source", flat=True)
    )
    # The source key is replaced by its description in the pack.
    assert "Ministry of Justice" in Court.objects.get(code="KH-SUPREME").source


def test_a_court_is_named_in_the_language_of_the_page():
    load_pack("kh")
    court = Court.objects.get(code="KH-FI-8")

    with translation.override("en"):
        assert str(court) == "Kandal Provincial Court of First Instance"
    with translation.override(Jurisdiction.objects.get(code="KH").local_language):
        assert str(court) == "សាលាដំបូងខេត្តកណ្ដាល"


def test_loading_again_updates_in_place_and_a_dropped_court_is_no_longer_offered(tmp_path):
    load_pack("kh")
    kept = Court.objects.get(code="KH-FI-23").pk
    pack = copy_pack(tmp_path)
    rows = list(csv.reader((pack / "courts.csv").open(encoding="utf-8")))
    (pack / "courts.csv").write_text(
        "\n".join(
            ",".join(f'"{c}"' if "," in c else c for c in row)
            for row in rows
            if row[0] != "KH-FI-23"
        )
        + "\n",
        encoding="utf-8",
    )

    report = load_pack("kh", tmp_path)

    assert report.created["courts"] == 0
    assert report.not_in_pack["courts"] == ["KH-FI-23"]
    dropped = Court.objects.get(code="KH-FI-23")
    assert dropped.pk == kept and not dropped.is_active


def test_problems_in_the_courts_are_all_reported_and_nothing_is_written(tmp_path):
    pack = copy_pack(tmp_path)
    bad_province = append(pack / "courts.csv", "KH-X1,Nowhere Court,,KH-99,court_list,false")
    bad_code = append(pack / "courts.csv", "XX-1,Elsewhere Court,,KH-1,court_list,false")
    no_source = append(pack / "courts.csv", "KH-X2,Sourceless Court,,KH-1,,false")
    duplicate = append(pack / "courts.csv", "KH-SUPREME,Again,,KH-12,court_list,false")

    with pytest.raises(PackInvalid) as raised:
        load_pack("kh", tmp_path)

    messages = [str(error) for error in raised.value.errors]
    expected = [
        f"kh/courts.csv:{bad_province}: province: unknown province 'KH-99'",
        f"kh/courts.csv:{bad_code}: code: expected a code in capitals starting KH-",
        f"kh/courts.csv:{no_source}: source: required",
        f"kh/courts.csv:{duplicate}: code: duplicate 'KH-SUPREME' (first on line 2)",
    ]
    for start in expected:
        assert any(message.startswith(start) for message in messages), (start, messages)
    assert not Jurisdiction.objects.exists() and not Court.objects.exists()


def test_a_pack_without_courts_loads_and_offers_none():
    report = load_pack("ke")

    assert report.counts["courts"] == 0
    assert not Court.objects.exists()
