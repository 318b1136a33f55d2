"""The Cambodia pack's gazetteer below the province: districts and communes with their NCDD
codes, English and Khmer names and sources, loaded by the pack loader into `places`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import translation

from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack, read_gazetteer
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Commune, District

pytestmark = pytest.mark.django_db


def copy_pack(tmp_path: Path, code: str = "kh") -> Path:
    shutil.copytree(PACKS_DIR / code, tmp_path / code)
    return tmp_path / code


def append(path: Path, line: str) -> int:
    """Add a line to a CSV file; the line's number in the file."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text + line + "\n", encoding="utf-8")
    return len(text.splitlines()) + 1


def test_the_cambodia_pack_loads_every_district_and_commune():
    report = load_pack("kh")

    assert report.counts["districts"] == 210
    assert report.counts["communes"] == 1652
    assert District.objects.count() == 210
    assert Commune.objects.count() == 1652
    batheay = Commune.objects.select_related("district__province").get(code="030101")
    assert (batheay.name, batheay.name_local, batheay.kind) == ("Batheay", "បាធាយ", "commune")
    assert batheay.district.code == "0301"
    assert batheay.district.province.code == "KH-3"  # Kampong Cham
    # Phnom Penh's districts are sections (khan) and its communes quarters (sangkat).
    assert set(District.objects.filter(province__code="KH-12").values_list("kind", flat=True)) == {
        "section"
    }
    assert set(
        Commune.objects.filter(district__province__code="KH-12").values_list("kind", flat=True)
    ) == {"quarter"}
    # Every province of the pack has districts, and every district communes.
    assert not Jurisdiction.objects.get(code="KH").provinces.filter(districts=None).exists()
    assert not District.objects.filter(communes=None).exists()


def test_each_row_carries_its_source_and_only_what_was_compared_is_verified():
    load_pack("kh")

    # Compared with NCDD's own export for Kampong Cham (2 March 2023): verified.
    assert District.objects.filter(verified=True).count() == 10
    assert set(District.objects.filter(verified=True).values_list("province__code", flat=True)) == {
        "KH-3"
    }
    assert Commune.objects.filter(verified=True).count() == 108
    assert not Commune.objects.filter(verified=True).exclude(code__startswith="03").exists()
    # The one Kampong Cham commune whose Khmer name differs from that export is not, and says
    # why; the rest are a third party's transcription, not verified.
    sour_saen = Commune.objects.get(code="031310")
    assert not sour_saen.verified
    assert "សូរ្យសែន" in sour_saen.source
    other = Commune.objects.get(code="120101")
    assert not other.verified
    assert "National Committee for Sub-National Democratic Development" in other.source
    assert "pumi" in other.source


def test_names_are_shown_in_the_language_of_the_page():
    load_pack("kh")
    commune = Commune.objects.get(code="030101")
    with translation.override("km"):
        assert commune.display_name == "បាធាយ"
        assert commune.district.display_name == "បាធាយ"
    with translation.override("en"):
        assert commune.display_name == "Batheay"


def test_loading_again_changes_nothing_and_creates_nothing():
    load_pack("kh")
    first = dict(Commune.objects.values_list("code", "pk"))

    report = load_pack("kh")

    assert report.created["districts"] == 0
    assert report.created["communes"] == 0
    assert dict(Commune.objects.values_list("code", "pk")) == first


def test_a_corrected_name_is_updated_in_place_and_a_dropped_row_is_kept(tmp_path):
    packs = tmp_path
    pack = copy_pack(packs)
    load_pack("kh", packs)
    kept = Commune.objects.get(code="010201")
    communes = pack / "communes.csv"
    lines = [
        line.replace("Bat Trang", "Bat Trang (corrected)") if line.startswith("010202,") else line
        for line in communes.read_text(encoding="utf-8").splitlines()
        if not line.startswith("010201,")
    ]
    communes.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = load_pack("kh", packs)

    assert report.not_in_pack["communes"] == ["010201"]
    assert Commune.objects.filter(pk=kept.pk).exists()  # addresses may point at it
    assert Commune.objects.get(code="010202").name == "Bat Trang (corrected)"
    assert report.created["communes"] == 0


def test_problems_in_the_gazetteer_are_all_reported_and_nothing_is_written(tmp_path):
    pack = copy_pack(tmp_path)
    bad_province = append(pack / "districts.csv", "9901,KH-99,Nowhere,,district,ncdd_pumi,false")
    bad_kind = append(pack / "districts.csv", "9902,KH-1,Nowhere,,county,ncdd_pumi,false")
    no_source = append(pack / "districts.csv", "9903,KH-1,Nowhere,,district,,false")
    unknown_district = append(pack / "communes.csv", "990101,9999,Nowhere,,commune,ncdd_pumi,false")
    wrong_prefix = append(pack / "communes.csv", "010299,0103,Nowhere,,commune,ncdd_pumi,false")
    duplicate = append(pack / "communes.csv", "010201,0102,Again,,commune,ncdd_pumi,false")
    not_digits = append(pack / "communes.csv", "01AB01,0102,Letters,,commune,ncdd_pumi,maybe")

    with pytest.raises(PackInvalid) as raised:
        load_pack("kh", tmp_path)

    messages = [str(error) for error in raised.value.errors]
    expected = [
        f"kh/districts.csv:{bad_province}: province: unknown province 'KH-99'",
        f"kh/districts.csv:{bad_kind}: kind:",
        f"kh/districts.csv:{no_source}: source: required",
        f"kh/communes.csv:{unknown_district}: district: unknown district '9999'",
        f"kh/communes.csv:{wrong_prefix}: code: expected to begin with its district 0103",
        f"kh/communes.csv:{duplicate}: code: duplicate '010201' (first on line 2)",
        f"kh/communes.csv:{not_digits}: code: expected digits",
        f"kh/communes.csv:{not_digits}: verified: expected true or false",
    ]
    for start in expected:
        assert any(message.startswith(start) for message in messages), (start, messages)
    assert not Jurisdiction.objects.exists()
    assert not District.objects.exists()


def test_a_pack_without_a_gazetteer_loads_as_before():
    report = load_pack("ke")

    assert report.counts["districts"] == 0
    assert report.counts["communes"] == 0
    assert not District.objects.exists()


def test_communes_without_districts_are_refused(tmp_path):
    pack = copy_pack(tmp_path)
    (pack / "districts.csv").unlink()

    with pytest.raises(PackInvalid) as raised:
        read_gazetteer("kh", tmp_path)

    assert any("communes need districts.csv" in str(e) for e in raised.value.errors)
