"""The audit trail's page says what a record is and what changed in words."""

from __future__ import annotations

from django.utils import translation

from motherline.security.audit_text import changes_lines, record_type
from tests.visible import raw_codes


def test_record_types_are_named():
    assert record_type("people.Woman") == "Woman"
    assert record_type("screening") == "Early-release screening"
    with translation.override("km"):
        assert record_type("stats.brief") == "សេចក្ដីសង្ខេបស្ថិតិ"


def test_changes_are_lines_of_words_not_json():
    lines = changes_lines(
        {
            "legal_status": ["pretrial", "convicted"],
            "effective_date": "2026-01-14",
            "filters": {"prison_code": "CC2"},
            "confirmed": True,
        },
        "people.CustodyEpisode",
    )
    assert lines == [
        "Confirmed: yes",
        "Effective date: 14 Jan 2026",
        "Filters: Prison code: CC2",
        "Legal status: Pretrial, Convicted at first instance",  # the field's choices
    ]
    assert not raw_codes("\n".join(lines))
