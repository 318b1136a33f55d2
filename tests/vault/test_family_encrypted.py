"""A child's family outside prison is identifying: a caregiver's name, address and phone, and
the notes and reasons of a best-interests assessment are encrypted at rest on SQLite and
PostgreSQL; key rotation re-encrypts them and retention empties them."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection

from motherline.care import family
from motherline.care.models import AssessmentAnswer, BestInterestsAssessment, Caregiver
from motherline.vault import keys, retention
from motherline.vault.keys import generate_key
from tests.care.conftest import (  # noqa: F401 (questions: a fixture)
    approve_handover,
    open_plan,
    plan_at,
    questions,
    record_caregiver,
)
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of
from tests.vault.test_retention import released

NAME = "Keo Sreymom"
ADDRESS = "Phum Thmei, house 12"
PHONE = "+855 12 987 654"
NOTES = "Sreymom sleeps in the kitchen"
REASONS = "Sreymom needs rice money each month"


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def dump(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        return repr(cursor.fetchall())


@pytest.fixture
def stored(field_key, monitor, register, questions):  # noqa: F811
    """A caregiver of Sokha's child and an assessment of them with notes and reasons."""
    child = next(c for c in children_of(register["sokha"]) if c.name_latin == "Dara")
    caregiver = record_caregiver(monitor, child, name=NAME, address=ADDRESS, phone=PHONE)
    plan = open_plan(monitor, child, TODAY - timedelta(days=10))
    answers = {q.code: ("concern", NOTES) for q in questions}
    assessment = family.record_assessment(
        monitor,
        plan,
        caregiver=caregiver,
        assessed_on=TODAY,
        recommendation="with_support",
        reasons=REASONS,
        answers=answers,
        today=TODAY,
    )
    return caregiver, assessment


def test_no_caregiver_name_phone_or_note_is_in_the_database_in_plain_form(stored):
    caregiver, assessment = stored
    for column, text in (("name", NAME), ("address", ADDRESS), ("phone", PHONE)):
        value = raw("care_caregiver", column, caregiver.pk)
        assert value.startswith("gAAAAA") and text not in value, column
    assert raw("care_bestinterestsassessment", "reasons", assessment.pk).startswith("gAAAAA")
    for table in (
        "care_caregiver",
        "care_caregiverlink",
        "care_bestinterestsassessment",
        "care_assessmentanswer",
    ):
        text = dump(table)
        for secret in ("Sreymom", "987 654", "Phum Thmei", "kitchen", "rice"):
            assert secret not in text, (table, secret)
    # Nor in the audit trail, which names the fields and never copies them.
    assert "Sreymom" not in dump("accounts_auditevent")
    assert "987 654" not in dump("accounts_auditevent")
    # The application reads them.
    found = Caregiver.objects.get(pk=caregiver.pk)
    assert (found.name, found.address, found.phone) == (NAME, ADDRESS, PHONE)
    assert {a.notes for a in AssessmentAnswer.objects.filter(assessment=assessment)} == {NOTES}


def test_a_correction_is_encrypted_too(stored, monitor):
    caregiver, _assessment = stored
    child = caregiver.children.get()
    family.correct_caregiver(
        monitor, child, caregiver, {"phone": "012 777 888"}, version=caregiver.version
    )
    value = raw("care_caregiver", "phone", caregiver.pk)
    assert value.startswith("gAAAAA") and "777" not in value
    assert Caregiver.objects.get(pk=caregiver.pk).phone == "012 777 888"


def test_key_rotation_re_encrypts_them(stored, settings):
    caregiver, assessment = stored
    old = settings.FIELD_KEY
    before = raw("care_caregiver", "name", caregiver.pk)
    settings.FIELD_KEY, settings.FIELD_KEY_PREVIOUS = generate_key(), [old]
    out = io.StringIO()
    call_command("rotate_field_key", batch=2, stdout=out)
    assert "care.Caregiver: 1 rows re-encrypted" in out.getvalue()
    assert "care.BestInterestsAssessment: 1 rows re-encrypted" in out.getvalue()
    assert "care.AssessmentAnswer: 3 rows re-encrypted" in out.getvalue()
    after = raw("care_caregiver", "name", caregiver.pk)
    assert after != before and keys.is_current(after)
    settings.FIELD_KEY_PREVIOUS = []
    assert Caregiver.objects.get(pk=caregiver.pk).phone == PHONE
    assert BestInterestsAssessment.objects.get(pk=assessment.pk).reasons == REASONS


def test_retention_empties_them_for_a_woman_released_long_ago(field_key, monitor, prisons, users):
    long_ago = released(
        monitor,
        prisons["CC2"],
        date(2012, 3, 1),
        date(2014, 8, 20),
        children=[child_in_prison(date(2012, 1, 5), name="Vuthy")],
    )
    child = children_of(long_ago)[0]
    caregiver = Caregiver.objects.create(woman=long_ago, name=NAME, address=ADDRESS, phone=PHONE)
    caregiver.links.create(child=child, relationship="grandparent")

    result = retention.apply(TODAY, years=10)

    assert result.women == 1
    caregiver.refresh_from_db()
    assert (caregiver.name, caregiver.address, caregiver.phone) == (caregiver.reference, "", "")
    # The link and its relationship (no one's name) stay for the statistics of care.
    assert caregiver.links.get().relationship == "grandparent"


def test_retention_empties_assessment_notes(field_key, monitor, users, prisons, questions):  # noqa: F811
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=800),
        children=[child_in_prison(TODAY - timedelta(days=900))],
    )
    child = children_of(woman)[0]
    plan = plan_at(monitor, child, "assessed")
    approved = approve_handover(monitor, plan, recommendation="with_support")
    AssessmentAnswer.objects.filter(assessment=approved).update(notes=NOTES)
    retention.pseudonymise(woman, TODAY, 10)
    approved.refresh_from_db()
    assert (approved.reasons, approved.decision_notes) == ("", "")
    assert set(approved.answers.values_list("notes", flat=True)) == {""}
    assert approved.status == "approved"  # the decision stays
