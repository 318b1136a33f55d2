"""The questions of a best-interests assessment are pack data: Cambodia's, in English and
Khmer with their sources, loaded and reloaded in place by the pack loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.utils import translation

from motherline.jurisdictions.loader import PACKS_DIR, PackInvalid, load_pack
from motherline.jurisdictions.models import BestInterestsQuestion, Jurisdiction

pytestmark = pytest.mark.django_db

TOPICS = [
    "caregiver_capacity",
    "home_visit",
    "child_views",
    "family_contact",
    "schooling",
    "health",
    "safety",
]


def test_cambodia_asks_about_the_caregiver_the_home_the_child_school_and_health():
    report = load_pack("kh")

    assert report.counts["best_interests"] == 7
    questions = BestInterestsQuestion.objects.filter(jurisdiction__code="KH")
    assert list(questions.values_list("code", flat=True)) == TOPICS
    for question in questions:
        assert question.text and question.text_local, question.code
        assert question.source and question.citation, question.code
        # None of the texts was read here: every question says so.
        assert not question.verified, question.code
    views = questions.get(code="child_views")
    assert "article 12" in views.source
    with translation.override("km"):
        assert views.display_text.startswith("តើកុមារមានទស្សនៈ")
    with translation.override("en"):
        assert views.display_text.startswith("What are the child's views")


def test_reloading_keeps_the_questions_answers_point_at(tmp_path):
    shutil.copytree(PACKS_DIR / "kh", tmp_path / "kh")
    load_pack("kh", tmp_path)
    ids = dict(BestInterestsQuestion.objects.values_list("code", "pk"))
    path = tmp_path / "kh" / "best_interests.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text(
        "\n".join(line for line in lines if not line.startswith("safety,")) + "\n",
        encoding="utf-8",
    )

    report = load_pack("kh", tmp_path)

    assert dict(BestInterestsQuestion.objects.values_list("code", "pk")) == ids
    assert report.created["best_interests"] == 0
    assert report.not_in_pack["best_interests"] == ["safety"]
    assert not BestInterestsQuestion.objects.get(code="safety").is_active
    assert BestInterestsQuestion.objects.filter(is_active=True).count() == 6


def test_a_pack_without_questions_asks_none():
    load_pack("ke")
    assert not BestInterestsQuestion.objects.exists()


def test_bad_rows_are_reported_and_nothing_is_written(tmp_path):
    shutil.copytree(PACKS_DIR / "kh", tmp_path / "kh")
    path: Path = tmp_path / "kh" / "best_interests.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text + "Home Visit,0,,,,,nowhere,,yes\nhealth,9,Again?,,,,crc_gc14,,false\n",
        encoding="utf-8",
    )
    lines = len(text.splitlines())

    with pytest.raises(PackInvalid) as raised:
        load_pack("kh", tmp_path)

    messages = [str(e) for e in raised.value.errors]
    for column in ("code", "position", "text", "source", "verified"):
        assert any(m.startswith(f"kh/best_interests.csv:{lines + 1}: {column}:") for m in messages)
    assert any(
        m.startswith(f"kh/best_interests.csv:{lines + 2}: code: duplicate 'health'")
        for m in messages
    )
    assert not Jurisdiction.objects.exists()
