import shutil
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motherline.jurisdictions.loader import (
    PACKS_DIR,
    PackError,
    PackInvalid,
    available_packs,
    load_pack,
    read_pack,
)
from motherline.jurisdictions.models import (
    AgeLimitRule,
    Jurisdiction,
    OffenceCategory,
    PretrialLimitRule,
)
from motherline.jurisdictions.rules import StatedRules, leave_by_date, pretrial_limit_on
from motherline.places.models import Prison, Province


def copy_pack(tmp_path: Path, code: str = "ke") -> Path:
    """A copy of a shipped pack under tmp_path, to break on purpose."""
    target = tmp_path / code
    shutil.copytree(PACKS_DIR / code, target)
    return target


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def errors_of(tmp_path: Path, code: str = "ke") -> list[PackError]:
    with pytest.raises(PackInvalid) as caught:
        load_pack(code, tmp_path)
    return caught.value.errors


def nothing_written() -> bool:
    return not (
        Jurisdiction.objects.exists()
        or Province.objects.exists()
        or Prison.objects.exists()
        or OffenceCategory.objects.exists()
        or AgeLimitRule.objects.exists()
        or PretrialLimitRule.objects.exists()
    )


def test_available_packs_lists_the_shipped_packs():
    assert {"kh", "ke"} <= set(available_packs())


@pytest.mark.django_db
def test_load_cambodia():
    report = load_pack("kh")

    assert report.code == "KH"
    assert report.counts == {
        "provinces": 25,
        "prisons": 28,
        "offences": 18,
        "age_limits": 2,
        "pretrial_limits": 4,
        "pardon_occasions": 5,
        "screening_criteria": 19,
        "districts": 210,
        "communes": 1652,
        "best_interests": 7,
        "courts": 27,
    }
    kh = Jurisdiction.objects.get(code="KH")
    assert (kh.name, kh.name_local, kh.local_language) == ("Cambodia", "កម្ពុជា", "km")
    assert kh.time_zone == "Asia/Phnom_Penh"
    assert kh.provinces.count() == 25
    assert {p.code for p in kh.provinces.all()} == {f"KH-{n}" for n in range(1, 26)}
    names = dict(kh.provinces.values_list("code", "name"))
    assert names["KH-12"] == "Phnom Penh"
    assert (names["KH-23"], names["KH-24"], names["KH-25"]) == ("Kep", "Pailin", "Tbong Khmum")
    assert all(kh.provinces.values_list("name_local", flat=True))

    prisons = Prison.objects.filter(province__jurisdiction=kh)
    assert prisons.count() == 28
    assert prisons.filter(kind="correctional_centre").count() == 4
    assert prisons.filter(kind="provincial_prison").count() == 23
    assert prisons.filter(kind="military_prison").count() == 1
    assert set(prisons.filter(holds_women=False).values_list("code", flat=True)) == {
        "KH-CC1",
        "KH-CC3",
        "KH-CC4",
    }
    cc2 = prisons.get(code="KH-CC2")
    assert cc2.province.code == "KH-12"
    assert "432 women" in cc2.source  # source keys are stored as their full description
    assert prisons.get(code="KH-CC4").province.code == "KH-15"
    assert prisons.get(code="KH-CC4").opened_on == date(2010, 1, 1)
    assert 8000 <= sum(prisons.values_list("capacity", flat=True)) <= 9000
    assert all(prisons.values_list("source", flat=True))

    drugs = OffenceCategory.objects.get(jurisdiction=kh, code="drug_trafficking")
    assert (drugs.iccs_section, drugs.offence_class, drugs.is_drug_related) == (
        "06",
        "felony",
        True,
    )

    rules = kh.age_limit_rules.all()
    assert [(r.max_age_months, r.verified) for r in rules] == [(72, False), (36, False)]
    assert all(r.source and r.citation for r in rules)
    assert leave_by_date(date(2006, 3, 10), rules) == date(2011, 12, 1)
    assert leave_by_date(date(2009, 6, 15), rules) == date(2012, 6, 15)

    pretrial = kh.pretrial_limit_rules.all()
    assert pretrial_limit_on(pretrial, "felony", False, date(2020, 1, 1)).max_days == 540
    assert pretrial_limit_on(pretrial, "misdemeanour", False, date(2020, 1, 1)).max_days == 180


@pytest.mark.django_db
def test_load_the_second_pack_next_to_cambodia():
    load_pack("kh")
    report = load_pack("KE")

    assert report.counts["provinces"] == 47
    assert report.counts["prisons"] == 4
    ke = Jurisdiction.objects.get(code="KE")
    assert ke.provinces.count() == 47
    assert Prison.objects.filter(province__jurisdiction=ke).count() == 4
    assert Prison.objects.count() == 32
    assert [r.max_age_months for r in ke.age_limit_rules.all()] == [48]
    # Kenya's theft is a felony, Cambodia's a misdemeanour: the class is pack data.
    theft = dict(
        OffenceCategory.objects.filter(code="theft").values_list(
            "jurisdiction__code", "offence_class"
        )
    )
    assert theft == {"KE": "felony", "KH": "misdemeanour"}
    assert leave_by_date(date(2020, 5, 1), ke.age_limit_rules.all()) == date(2024, 5, 1)
    assert Jurisdiction.objects.get(code="KH").age_limit_rules.count() == 2


@pytest.mark.django_db
def test_reloading_updates_rows_in_place():
    load_pack("kh")
    cc2 = Prison.objects.get(code="KH-CC2")
    rule_count = AgeLimitRule.objects.count()

    report = load_pack("kh")

    assert report.created == {
        "provinces": 0,
        "prisons": 0,
        "offences": 0,
        "age_limits": 2,
        "pretrial_limits": 4,
        "pardon_occasions": 0,
        "screening_criteria": 19,
        "districts": 0,
        "communes": 0,
        "best_interests": 0,
        "courts": 0,
    }
    assert Prison.objects.get(code="KH-CC2").pk == cc2.pk
    assert Province.objects.count() == 25
    assert Prison.objects.count() == 28
    assert OffenceCategory.objects.count() == 18
    assert AgeLimitRule.objects.count() == rule_count
    assert PretrialLimitRule.objects.count() == 4


@pytest.mark.django_db
def test_reloading_an_edited_pack_changes_the_row_and_keeps_what_left_the_pack(tmp_path):
    pack = copy_pack(tmp_path)
    load_pack("ke", tmp_path)
    langata = Prison.objects.get(code="KE-LANGATA-W")

    replace_in(pack / "prisons.csv", "Lang'ata Women's Maximum", "Langata Women's Maximum")
    prisons = (pack / "prisons.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (pack / "prisons.csv").write_text(
        "".join(line for line in prisons if not line.startswith("KE-EMBU-W,")), encoding="utf-8"
    )
    report = load_pack("ke", tmp_path)

    langata.refresh_from_db()
    assert langata.name.startswith("Langata Women's")
    assert report.not_in_pack == {"prisons": ["KE-EMBU-W"]}
    assert Prison.objects.filter(code="KE-EMBU-W").exists()


@pytest.mark.django_db
def test_bad_date_is_reported_and_nothing_written(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "prisons.csv", "KE-28,other,,true,,", "KE-28,other,,true,2014-02-30,")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/prisons.csv", 3, "opened_on")]
    assert "2014-02-30" in errors[0].message
    assert nothing_written()


@pytest.mark.django_db
def test_date_in_another_format_is_refused(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "pretrial_limits.csv", "90,2014-12-22", "90,22/12/2014")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [
        ("ke/pretrial_limits.csv", 2, "effective_from")
    ]
    assert "YYYY-MM-DD" in errors[0].message


@pytest.mark.django_db
def test_unknown_province_is_reported(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "prisons.csv", "Nakuru,KE-31", "Nakuru,KE-99")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/prisons.csv", 4, "province")]
    assert "KE-99" in errors[0].message
    assert nothing_written()


@pytest.mark.django_db
def test_duplicate_code_is_reported_with_both_lines(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "offences.csv", "murder,Murder", "theft,Murder")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/offences.csv", 6, "code")]
    assert "line 2" in errors[0].message
    assert nothing_written()


@pytest.mark.django_db
def test_overlapping_rule_periods_are_reported(tmp_path):
    pack = copy_pack(tmp_path, "kh")
    replace_in(pack / "age_limits.csv", "36,2011-12-01,", "36,2011-06-01,")

    errors = errors_of(tmp_path, "kh")

    assert [(e.file, e.line, e.column) for e in errors] == [
        ("kh/age_limits.csv", 3, "effective_from")
    ]
    assert "line 2" in errors[0].message
    assert nothing_written()


@pytest.mark.django_db
def test_pretrial_rules_overlap_only_within_the_same_case(tmp_path):
    pack = copy_pack(tmp_path)
    with (pack / "pretrial_limits.csv").open("a", encoding="utf-8") as f:
        f.write("felony,true,30,2014-12-22,,cpc_36a,,false\n")  # minors: a different case
        f.write("felony,false,60,2020-01-01,,cpc_36a,,false\n")  # adults again: overlaps

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [
        ("ke/pretrial_limits.csv", 5, "effective_from")
    ]


@pytest.mark.django_db
def test_period_ending_before_it_starts_is_reported(tmp_path):
    pack = copy_pack(tmp_path, "kh")
    replace_in(pack / "age_limits.csv", "72,,2011-11-30", "72,2012-01-01,2011-11-30")

    errors = errors_of(tmp_path, "kh")

    assert [(e.file, e.line, e.column) for e in errors] == [
        ("kh/age_limits.csv", 2, "effective_to")
    ]


@pytest.mark.django_db
def test_missing_column_is_reported_on_the_header(tmp_path):
    pack = copy_pack(tmp_path)
    (pack / "pretrial_limits.csv").write_text(
        "offence_class,applies_to_minors,effective_from,effective_to,source,citation,verified\n"
        "felony,false,2014-12-22,,cpc_36a,,false\n",
        encoding="utf-8",
    )

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [
        ("ke/pretrial_limits.csv", 1, "max_days")
    ]
    assert nothing_written()


@pytest.mark.django_db
def test_every_error_is_collected_and_listed(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "prisons.csv", "Nakuru,KE-31,other,,true", "Nakuru,KE-99,other,,yes")
    replace_in(pack / "age_limits.csv", "48,", "four years,")
    replace_in(pack / "offences.csv", "theft,Theft,Wizi,05,felony", "theft,Theft,Wizi,12,theft")
    replace_in(pack / "pack.toml", '"Africa/Nairobi"', '"Africa/Nowhere"')

    with pytest.raises(PackInvalid) as caught:
        load_pack("ke", tmp_path)

    found = {(e.file, e.line, e.column) for e in caught.value.errors}
    assert found == {
        ("ke/pack.toml", 7, "time_zone"),
        ("ke/prisons.csv", 4, "province"),
        ("ke/prisons.csv", 4, "holds_women"),
        ("ke/age_limits.csv", 2, "max_age_months"),
        ("ke/offences.csv", 2, "iccs_section"),
        ("ke/offences.csv", 2, "offence_class"),
    }
    listing = str(caught.value).splitlines()
    assert len(listing) == 6
    assert "ke/prisons.csv:4: holds_women: expected true or false, got 'yes'" in listing
    assert nothing_written()


@pytest.mark.django_db
def test_line_numbers_are_physical_lines_across_quoted_newlines(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(
        pack / "prisons.csv",
        "KE-30,other,,true,,,press_women_prisons; capacity not known",
        'KE-30,other,,true,,,"press_women_prisons;\ncapacity not known"',
    )
    replace_in(pack / "prisons.csv", "KE-28,other,,true", "KE-28,other,-5,true")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/prisons.csv", 4, "capacity")]


@pytest.mark.django_db
def test_unknown_source_key_and_unsourced_file_are_reported(tmp_path):
    pack = copy_pack(tmp_path)
    embu = "KE-06,other,,true,,,"
    replace_in(pack / "prisons.csv", embu + "press_women_prisons", embu + "press_2099")
    # A provinces file without its source column, and no [file_sources] entry for it.
    provinces = pack / "provinces.csv"
    lines = provinces.read_text(encoding="utf-8").splitlines()
    provinces.write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")

    errors = errors_of(tmp_path)

    assert {(e.file, e.line, e.column) for e in errors} == {
        ("ke/prisons.csv", 5, "source"),
        ("ke/pack.toml", 0, "file_sources"),
    }


@pytest.mark.django_db
def test_pack_code_must_match_its_directory(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "pack.toml", 'code = "KE"', 'code = "KH"')

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/pack.toml", 3, "code")]


@pytest.mark.django_db
def test_prison_code_must_carry_the_pack_prefix(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "prisons.csv", "KE-EMBU-W,", "EMBU,")

    errors = errors_of(tmp_path)

    assert [(e.file, e.line, e.column) for e in errors] == [("ke/prisons.csv", 5, "code")]


def test_unknown_pack(tmp_path):
    with pytest.raises(PackInvalid) as caught:
        read_pack("zz", tmp_path)
    assert [(e.file, e.line) for e in caught.value.errors] == [("zz/pack.toml", 0)]


@pytest.mark.django_db
def test_an_invalid_reload_leaves_the_loaded_pack_alone(tmp_path):
    pack = copy_pack(tmp_path)
    load_pack("ke", tmp_path)
    replace_in(pack / "age_limits.csv", "48,", "36,")
    replace_in(pack / "prisons.csv", "KE-31,other", "KE-99,other")

    with pytest.raises(PackInvalid):
        load_pack("ke", tmp_path)

    assert [r.max_age_months for r in AgeLimitRule.objects.all()] == [48]


@pytest.mark.django_db
def test_command_loads_packs_and_prints_a_line_each():
    out = StringIO()
    call_command("load_pack", "KH", "ke", stdout=out)

    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("KH ")
    assert "25 provinces, 28 prisons" in lines[0]
    assert Jurisdiction.objects.count() == 2


@pytest.mark.django_db
def test_command_all_loads_every_pack(tmp_path):
    copy_pack(tmp_path, "ke")
    copy_pack(tmp_path, "kh")
    call_command("load_pack", "--all", "--packs-dir", str(tmp_path), stdout=StringIO())
    assert set(Jurisdiction.objects.values_list("code", flat=True)) == {"KE", "KH"}


@pytest.mark.django_db
def test_command_reports_errors_on_stderr_and_fails(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "prisons.csv", "Nakuru,KE-31", "Nakuru,KE-99")
    err = StringIO()

    with pytest.raises(CommandError):
        call_command("load_pack", "ke", "--packs-dir", str(tmp_path), stdout=StringIO(), stderr=err)

    assert "ke/prisons.csv:4: province: unknown province 'KE-99'" in err.getvalue()
    assert nothing_written()


@pytest.mark.django_db
def test_command_check_writes_nothing():
    out = StringIO()
    call_command("load_pack", "--all", "--check", stdout=out)
    assert "KH: valid" in out.getvalue()
    assert nothing_written()


def test_command_needs_a_code():
    with pytest.raises(CommandError):
        call_command("load_pack", stdout=StringIO())


def test_a_pack_code_is_not_a_path(tmp_path):
    with pytest.raises(PackInvalid) as caught:
        read_pack("../kh", tmp_path)
    assert "not a pack code" in str(caught.value)


@pytest.mark.django_db
def test_command_all_by_keyword_as_the_demo_calls_it():
    call_command("load_pack", all=True, stdout=StringIO())
    assert set(Jurisdiction.objects.values_list("code", flat=True)) == {"KE", "KH", "TH"}


@pytest.mark.django_db
def test_a_missing_file_is_one_error_not_one_per_row(tmp_path):
    pack = copy_pack(tmp_path)
    (pack / "provinces.csv").unlink()

    errors = errors_of(tmp_path)

    assert [(e.file, e.line) for e in errors] == [("ke/provinces.csv", 0)]


@pytest.mark.django_db
def test_a_code_owned_by_another_jurisdiction_is_refused():
    other = Jurisdiction.objects.create(code="XX", name="Elsewhere")
    Province.objects.create(jurisdiction=other, code="KE-30", name="Taken")

    with pytest.raises(PackInvalid) as caught:
        load_pack("ke")

    assert [(e.file, e.line, e.column) for e in caught.value.errors] == [
        ("ke/provinces.csv", 31, "code")  # KE-30 on the 31st line, after the header
    ]
    assert not Jurisdiction.objects.filter(code="KE").exists()


@pytest.mark.django_db
def test_broken_csv_syntax_is_reported(tmp_path):
    pack = copy_pack(tmp_path)
    replace_in(pack / "offences.csv", "murder,Murder,", 'murder,"Murder,')

    errors = errors_of(tmp_path)

    assert len(errors) == 1
    assert errors[0].file == "ke/offences.csv"
    assert "CSV syntax" in errors[0].message


def test_the_stated_rules_and_readings_are_loaded_with_their_sources(db):
    load_pack("kh")
    load_pack("ke")
    kh = StatedRules.of(Jurisdiction.objects.get(code="KH").stated_rules)
    assert kh.birth_registration is not None
    assert kh.birth_registration.value == ("days", 30)
    assert "Prakas No. 3068" in kh.birth_registration.source
    assert not kh.birth_registration.verified
    assert kh.age_limit_change.value == "new_limit"
    assert "reduced the age limit" in kh.age_limit_change.source
    assert kh.leap == "last_day_of_month"
    ke = StatedRules.of(Jurisdiction.objects.get(code="KE").stated_rules)
    assert ke.birth_registration is not None
    assert ke.birth_registration.value == ("months", 6)


def test_a_bad_stated_rule_is_reported_with_its_line(tmp_path):
    pack = copy_pack(tmp_path)
    toml = pack / "pack.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('reading = "last_day_of_month"', 'reading = "1 March"', 1)
    text = text.replace("months = 6", "months = 0", 1)
    toml.write_text(text, encoding="utf-8")
    line = text.splitlines().index("[rules.leap_day_birthday]") + 1
    messages = [str(e) for e in errors_of(tmp_path)]
    assert any(
        "rules.leap_day_birthday: reading: expected one of" in m
        and m.startswith(f"ke/pack.toml:{line}:")
        for m in messages
    ), messages
    assert any("rules.birth_registration: expected one of days or months" in m for m in messages)
