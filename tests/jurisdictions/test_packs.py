"""Every shipped pack passes the same tests: it loads, its map has a tile per province, its
local names are in its language's script, its rules come with sources, and the statistics
page of a user in that country draws its map (in the local language when the page is)."""

import subprocess
import unicodedata
from datetime import date

import pytest
from babel.core import get_global
from django.urls import reverse
from django.utils import translation

from motherline import formatting
from motherline.accounts.models import Organisation, Role, User
from motherline.jurisdictions import local
from motherline.jurisdictions.loader import available_packs, load_pack, read_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.jurisdictions.rules import leave_by_date
from motherline.places.models import Prison, Province
from motherline.reports.pdf import render_pdf
from motherline.stats import publication

PACKS = ["kh", "ke", "th"]
# The Unicode script of a language's local names, by CLDR's script code for it.
SCRIPT_NAMES = {"Khmr": "KHMER", "Thai": "THAI", "Latn": "LATIN"}


def script_of(language: str) -> str:
    """CLDR's likely script of a language: km → Khmr, th → Thai, sw → Latn."""
    return get_global("likely_subtags")[language].split("_")[1]


def letters_in(text: str, script: str) -> bool:
    """Every letter of `text` belongs to `script` (spaces, digits, punctuation aside)."""
    letters = [c for c in text if unicodedata.category(c)[0] in "LM"]
    return bool(letters) and all(SCRIPT_NAMES[script] in unicodedata.name(c) for c in letters)


def test_every_pack_directory_is_tested():
    assert set(available_packs()) == set(PACKS)


@pytest.mark.parametrize("code", PACKS)
def test_the_pack_reads_without_an_error(code):
    data = read_pack(code)
    assert data.meta.code == code.upper()
    assert data.meta.document_languages[0] == "en"
    assert data.meta.local_language in data.meta.document_languages
    assert 0 < data.meta.retention_years <= 100 and data.meta.small_prison_capacity > 0


@pytest.mark.parametrize("code", PACKS)
@pytest.mark.django_db
def test_the_pack_loads_with_its_language_privacy_and_map(code):
    report = load_pack(code)
    data = read_pack(code)
    assert report.counts["provinces"] == len(data.rows["provinces"])
    jurisdiction = Jurisdiction.objects.get(code=code.upper())
    assert jurisdiction.document_languages == data.meta.document_languages
    assert jurisdiction.retention_years == data.meta.retention_years
    assert jurisdiction.small_prison_capacity == data.meta.small_prison_capacity
    provinces = Province.objects.filter(jurisdiction=jurisdiction)
    tiles = list(provinces.values_list("map_column", "map_row"))
    assert None not in {c for tile in tiles for c in tile}, "every province has a tile"
    assert len(set(tiles)) == len(tiles), "one province per tile"


@pytest.mark.parametrize("code", PACKS)
def test_local_names_are_written_in_the_local_script(code):
    data = read_pack(code)
    script = script_of(data.meta.local_language)
    names = [row.values["name_local"] for row in data.rows["provinces"]]
    names += [row.values["name_local"] for row in data.rows["prisons"]]
    names += [row.values["name_local"] for row in data.rows["offences"]]
    written = [name for name in names if name]
    assert written, "some local names are given"
    assert all(letters_in(name, script) for name in written), [
        name for name in written if not letters_in(name, script)
    ]


@pytest.mark.parametrize("code", PACKS)
def test_every_rule_and_prison_names_its_source_and_says_if_it_was_verified(code):
    data = read_pack(code)
    for kind in ("age_limits", "pretrial_limits", "pardon_occasions", "screening_criteria"):
        for row in data.rows[kind]:
            assert row.values["source"], (kind, row.line)
            assert isinstance(row.values["verified"], bool)
    assert all(row.values["source"] for row in data.rows["prisons"])
    assert data.rows["age_limits"], "a child's age limit is stated"


@pytest.mark.parametrize("code", PACKS)
@pytest.mark.django_db
def test_the_age_limit_gives_a_leaving_date(code):
    load_pack(code)
    rules = Jurisdiction.objects.get(code=code.upper()).age_limit_rules.all()
    born = date(2020, 5, 1)
    months = next(r.max_age_months for r in rules if r.effective_to is None)
    expected = date(born.year + months // 12, born.month + months % 12, born.day)
    assert leave_by_date(born, rules) == expected


@pytest.mark.django_db
def test_thailand_keeps_a_child_until_three_and_its_pretrial_limits_by_band():
    load_pack("th")
    th = Jurisdiction.objects.get(code="TH")
    assert [(r.max_age_months, r.verified) for r in th.age_limit_rules.all()] == [(36, False)]
    limits = {r.offence_class: r.max_days for r in th.pretrial_limit_rules.all()}
    assert limits == {"felony": 84, "misdemeanour": 48, "petty": 7}
    assert Province.objects.get(code="TH-10").name_local == "กรุงเทพมหานคร"
    unverified = Prison.objects.filter(province__jurisdiction=th, source__contains="synthetic")
    assert unverified.count() == 3


def analyst_in(code: str) -> User:
    jurisdiction = Jurisdiction.objects.get(code=code.upper())
    organisation = Organisation.objects.create(
        name=f"Monitors of {jurisdiction.name}", kind="ngo", jurisdiction=jurisdiction
    )
    return User.objects.create_user(
        username=f"analyst-{code}", organisation=organisation, role=Role.ANALYST
    )


@pytest.mark.parametrize("code", PACKS)
@pytest.mark.django_db
def test_the_statistics_page_draws_the_users_country(client, settings, code):
    for pack in PACKS:
        load_pack(pack)
    data = read_pack(code)
    language = data.meta.local_language
    settings.LANGUAGES = [("en", "English"), (language, language)]
    client.force_login(analyst_in(code))

    response = client.get(reverse("stats:index"))

    assert response.status_code == 200
    tiles = {tile.code: tile for tile in response.context["map"]}
    assert set(tiles) == {row.values["code"] for row in data.rows["provinces"]}
    english = {row.values["code"]: row.values["name"] for row in data.rows["provinces"]}
    assert all(tiles[c].name == english[c] for c in tiles)
    assert f"nation:{code.upper()}" in response.content.decode()

    client.cookies["django_language"] = language
    response = client.get(reverse("stats:index"))
    shown = {tile.code: tile.name for tile in response.context["map"]}
    localised = {
        row.values["code"]: row.values["name_local"] or row.values["name"]
        for row in data.rows["provinces"]
    }
    assert shown == localised
    page = response.content.decode()
    assert f'<html lang="{language}"' in page
    # The switch names the language in itself ("ខ្មែរ", "Kiswahili", "ไทย").
    assert f">{local.language_name(language)}</button>" in page


@pytest.mark.django_db
def test_local_names_follow_their_own_jurisdiction_not_the_page_alone():
    load_pack("kh")
    load_pack("th")
    bangkok, phnom_penh = Province.objects.get(code="TH-10"), Province.objects.get(code="KH-12")
    with translation.override("th"):
        assert (bangkok.display_name, phnom_penh.display_name) == ("กรุงเทพมหานคร", "Phnom Penh")
    with translation.override("km"):
        assert (bangkok.display_name, phnom_penh.display_name) == ("Bangkok", "ភ្នំពេញ")
    with translation.override("en"):
        assert (bangkok.display_name, phnom_penh.display_name) == ("Bangkok", "Phnom Penh")


def fonts_of(pdf: bytes, tmp_path) -> str:
    """The embedded fonts as poppler's pdffonts lists them (scripts/test installs it)."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    return listed.stdout.replace("-", "").replace(" ", "")


@pytest.mark.parametrize("code", PACKS)
@pytest.mark.django_db
def test_the_brief_is_produced_in_each_document_language_in_its_font(code, tmp_path):
    load_pack(code)
    data = read_pack(code)
    for language in data.meta.document_languages:
        with translation.override(language):
            context = publication.brief(date(2026, 1, 1), code.upper())
        pdf = render_pdf("stats/brief.html", context, language)
        assert pdf.startswith(b"%PDF")
        written = local.conventions(language)
        if written and written.font:
            # The pack's font is embedded: the province names on the map use it.
            assert written.font.replace(" ", "") in fonts_of(pdf, tmp_path), language


@pytest.mark.parametrize(
    ("language", "ending"), [("en", "Women in prison."), ("km", "ស្ត្រី។"), ("th", "ผู้หญิง")]
)
def test_a_sentence_ends_as_the_packs_say(language, ending):
    text = ending.rstrip(".។")
    assert formatting.sentence(text, language=language) == ending


def test_dates_in_thai_use_cldr_and_in_khmer_the_packs_forms():
    day = date(2026, 6, 15)
    assert formatting.format_day(day, language="km") == "15 ខែ មិថុនា ឆ្នាំ 2026"
    # CLDR's Thai form names the era: the Gregorian year is not read as a Buddhist one.
    assert formatting.format_day(day, language="th") == "15 มิถุนายน ค.ศ. 2026"
    assert formatting.format_day(day, language="en") == "15 June 2026"


def test_the_default_pack_is_the_one_marked_so(settings):
    settings.MOTHERLINE_DEFAULT_JURISDICTION = ""
    assert local.default_code() == "KH"
    settings.MOTHERLINE_DEFAULT_JURISDICTION = "TH"
    assert local.default_code() == "TH"


def test_languages_are_named_in_themselves_and_in_the_page():
    assert [local.language_name(c) for c in ("km", "th", "sw")] == ["ខ្មែរ", "ไทย", "Kiswahili"]
    with translation.override("en"):
        assert local.language_label("th") == "Thai"
    with translation.override("km"):
        assert local.language_label("km") == "ខ្មែរ"
