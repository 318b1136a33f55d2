"""Pardon occasions and screening criteria in the packs: loaded, sourced, validated."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack
from motherline.jurisdictions.models import PardonOccasion, ScreeningCriterion


def test_both_packs_load_occasions_and_criteria_with_sources(db):
    load_pack("kh")
    load_pack("ke")
    kh = ScreeningCriterion.objects.filter(jurisdiction__code="KH")
    assert set(kh.values_list("remedy", flat=True)) == {"pardon", "pretrial", "non_custodial"}
    assert all(c.source and c.name_local for c in kh)
    occasions = PardonOccasion.objects.filter(jurisdiction__code="KH")
    assert set(occasions.values_list("code", flat=True)) >= {
        "khmer_new_year",
        "kings_birthday",
        "pchum_ben",
        "independence_day",
    }
    # Lunar occasions have a usual month but no fixed day; none is claimed verified.
    assert occasions.get(code="pchum_ben").day is None
    assert not occasions.filter(verified=True).exists()
    # Kenya weighs differently: a third of the sentence, not half.
    share = {
        c.jurisdiction.code: c.parameter
        for c in ScreeningCriterion.objects.filter(remedy="pardon", kind="share_served")
    }
    assert share == {"KH": "1/2", "KE": "1/3"}


def copy_pack(tmp_path: Path) -> Path:
    shutil.copytree(PACKS_DIR / "ke", tmp_path / "ke")
    return tmp_path


def test_unknown_kind_bad_parameter_and_bad_day_are_reported(db, tmp_path):
    root = copy_pack(tmp_path)
    criteria = root / "ke" / "screening_criteria.csv"
    text = criteria.read_text().replace(",share_served,1/3,", ",share_served,2,", 1)
    text = text.replace(",pregnant,pregnant,,4,Pregnant", ",pregnant,teleport,,4,Pregnant", 1)
    criteria.write_text(text)
    occasions = root / "ke" / "pardon_occasions.csv"
    occasions.write_text(occasions.read_text().replace(",6,1,", ",2,30,", 1))
    with pytest.raises(PackInvalid) as error:
        load_pack("ke", root)
    messages = [str(e) for e in error.value.errors]
    assert any(m.startswith("ke/screening_criteria.csv:4: parameter:") for m in messages)
    assert any("screening_criteria.csv:3: kind: unknown kind 'teleport'" in m for m in messages)
    assert any(
        m.startswith("ke/pardon_occasions.csv:2: day: no day 30 in month 2") for m in messages
    )
    assert not ScreeningCriterion.objects.exists()
