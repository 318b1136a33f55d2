"""Correcting a woman's record and a custody episode (`services.update_woman`,
`services.update_episode`): what is written, every rule that refuses a correction, the
optimistic lock, and an audit trail that names fields but never repeats a name."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.versions import StaleVersion
from motherline.people import services
from motherline.people.models import Charge, CustodyEpisode, Woman
from tests.conftest import TODAY, races_need_postgresql
from tests.factories import admit, child_outside, current_version, reload

ADMITTED = TODAY - timedelta(days=100)
STALE = "Someone else changed this record while you were editing it."


@pytest.fixture
def woman(monitor, prisons, offences):
    return admit(
        monitor,
        prisons["CC2"],
        admission_date=ADMITTED,
        name="Sokha Chan",
        name_latin="Sokha Chan Latin",
        register_number="REG-777",
        date_of_birth=date(1990, 3, 10),
        health_notes="Asthma",
        offences=[offences["theft"]],
    )


def corrections() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.CHANGE))


def assert_audit_repeats_none_of(*secrets: str) -> None:
    for event in AuditEvent.objects.all():
        text = json.dumps(event.changes, ensure_ascii=False)
        for secret in secrets:
            assert secret not in text, (event.action, event.changes)


# Her details ------------------------------------------------------------------------------


def test_a_correction_writes_the_fields_and_a_new_version(monitor, woman):
    corrected = services.update_woman(
        monitor,
        woman,
        {
            "name": "  Sokhom Chan ",
            "register_number": "REG-778",
            "date_of_birth": date(1991, 3, 10),
            "is_primary_carer": True,
            "dependent_children": 2,
            "health_notes": "Asthma, treated",
            "nationality": "vn",
        },
        version=1,
        today=TODAY,
    )

    stored = reload(woman)
    assert corrected.version == stored.version == 2
    assert (stored.name, stored.register_number, stored.date_of_birth) == (
        "Sokhom Chan",
        "REG-778",
        date(1991, 3, 10),
    )
    assert (stored.is_primary_carer, stored.dependent_children, stored.nationality) == (
        True,
        2,
        "VN",
    )
    assert stored.health_notes == "Asthma, treated"
    assert stored.name_latin == "Sokha Chan Latin"  # not sent, not touched
    assert stored.updated_at > woman.updated_at


def test_the_audit_names_the_fields_but_never_a_name_or_her_health(monitor, woman):
    services.update_woman(
        monitor,
        woman,
        {
            "name": "Sokhom Chan",
            "register_number": "REG-778",
            "health_notes": "Tuberculosis",
            "is_primary_carer": True,
            "consent_scope": "partners",
        },
        version=1,
        today=TODAY,
    )

    [event] = corrections()
    assert (event.user, event.object_ref) == (monitor, woman.reference)
    assert event.changes["fields"] == [
        "consent_scope",
        "health_notes",
        "is_primary_carer",
        "name",
        "register_number",
    ]
    assert event.changes["values"] == {
        "consent_scope": ["register", "partners"],
        "is_primary_carer": [False, True],
    }
    assert_audit_repeats_none_of(
        "Sokha Chan", "Sokhom Chan", "REG-777", "REG-778", "Asthma", "Tuberculosis"
    )


def test_only_changed_fields_are_recorded_and_no_change_writes_nothing(monitor, woman):
    same = services.update_woman(
        monitor, woman, {"name": woman.name, "dependent_children": 0}, version=1, today=TODAY
    )

    assert same.version == reload(woman).version == 1
    assert corrections() == []

    services.update_woman(
        monitor, woman, {"name": woman.name, "language": "km"}, version=1, today=TODAY
    )
    assert corrections()[0].changes["fields"] == ["language"]


def test_a_sole_carer_is_her_childrens_primary_carer_too(monitor, woman):
    services.update_woman(monitor, woman, {"is_sole_carer": True}, version=1, today=TODAY)

    stored = reload(woman)
    assert stored.is_sole_carer and stored.is_primary_carer


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "   "}, "name", "This field cannot be blank."),
        ({"dependent_children": -1}, "dependent_children", "at least 0"),
        ({"consent_scope": "everyone"}, "consent_scope", "not one of the allowed values"),
        ({"date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth", "in the future"),
        # Five years old at her admission.
        ({"date_of_birth": ADMITTED - timedelta(days=5 * 365)}, "date_of_birth", "years old"),
        ({"date_of_birth": ADMITTED + timedelta(days=1)}, "date_of_birth", "before the admission"),
    ],
)
def test_a_refused_correction_writes_nothing(monitor, woman, changes, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.update_woman(monitor, woman, changes, version=1, today=TODAY)

    assert set(excinfo.value.message_dict) == {field}
    assert message in excinfo.value.message_dict[field][0]
    assert not isinstance(excinfo.value, StaleVersion)
    stored = reload(woman)
    assert (stored.version, stored.name, stored.date_of_birth) == (
        1,
        "Sokha Chan",
        date(1990, 3, 10),
    )
    assert corrections() == []


def test_the_date_of_birth_must_fit_each_of_her_admissions(monitor, prisons, woman):
    # An earlier custody in 2005: born in 1997 she would have been 8 then, though 29 now.
    CustodyEpisode.objects.create(
        woman=woman,
        admission_date=date(2005, 1, 1),
        admission_prison=prisons["CC2"],
        current_prison=prisons["CC2"],
        legal_status_since=date(2005, 1, 1),
        release_date=date(2006, 1, 1),
    )

    with pytest.raises(ValidationError) as excinfo:
        services.update_woman(
            monitor, woman, {"date_of_birth": date(1997, 1, 1)}, version=1, today=TODAY
        )

    assert "8 years old at admission" in excinfo.value.message_dict["date_of_birth"][0]
    assert reload(woman).date_of_birth == date(1990, 3, 10)


@pytest.mark.parametrize(
    ("born", "message"),
    [
        (date(2012, 1, 1), "cannot be before the mother's"),
        (date(2003, 1, 1), "The mother would have been 7 years old"),
    ],
)
def test_the_date_of_birth_must_be_before_each_of_her_childrens(monitor, prisons, born, message):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=ADMITTED,
        date_of_birth=date(1990, 1, 1),
        children=[child_outside(date(2010, 6, 1))],
    )

    with pytest.raises(ValidationError) as excinfo:
        services.update_woman(monitor, mother, {"date_of_birth": born}, version=1, today=TODAY)

    assert message in excinfo.value.message_dict["date_of_birth"][0]
    assert reload(mother).date_of_birth == date(1990, 1, 1)


def test_of_two_people_who_read_version_1_the_first_to_save_wins(users, woman):
    # Both loaded her record at version 1.
    first, second = users["monitor"], users["legal_officer"]
    services.update_woman(first, woman, {"name": "First Name"}, version=1, today=TODAY)

    with pytest.raises(StaleVersion) as excinfo:
        services.update_woman(second, woman, {"name": "Second Name"}, version=1, today=TODAY)

    assert isinstance(excinfo.value, ValidationError)
    assert excinfo.value.message_dict["__all__"][0].startswith(STALE)
    stored = reload(woman)
    assert (stored.name, stored.version) == ("First Name", 2)
    assert [e.user for e in corrections()] == [first]


def test_a_transfer_release_or_correction_since_makes_the_version_stale(monitor, woman):
    services.record_release(
        monitor,
        woman.current_episode,
        TODAY,
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )

    with pytest.raises(StaleVersion):
        services.update_woman(monitor, woman, {"language": "km"}, version=1, today=TODAY)

    assert reload(woman).language == ""


@pytest.mark.parametrize("who", ["viewer", "programme_manager", "other_monitor", "un_monitor"])
def test_who_may_not_edit_her_is_refused(users, prisons, who):
    # Shared with partners: the UN monitor may read her record, but not change it.
    woman = admit(users["monitor"], prisons["CC2"], consent_scope="partners", name="Shared")

    with pytest.raises(PermissionDenied):
        services.update_woman(users[who], woman, {"name": "Changed"}, version=1, today=TODAY)

    assert reload(woman).name == "Shared"


def test_the_liaison_of_her_prison_may_correct_her(users, woman):
    services.update_woman(users["prison_liaison"], woman, {"language": "km"}, version=1)

    assert reload(woman).language == "km"


def test_a_field_that_is_not_correctable_is_a_programming_error(monitor, woman):
    with pytest.raises(TypeError):
        services.update_woman(monitor, woman, {"organisation_id": 99}, version=1)


# Her custody ------------------------------------------------------------------------------


def test_an_episode_correction_writes_the_fields_and_replaces_the_charges(monitor, woman, offences):
    episode = woman.current_episode
    Charge.objects.filter(episode=episode).update(description="Stole a bicycle")
    services.update_episode(
        monitor,
        episode,
        {
            "court": " Phnom Penh Court ",
            "case_number": "CASE-42",
            "sentence_months": 18,
            "expected_release_date": TODAY + timedelta(days=400),
            "offences": [offences["drugs"], offences["theft"]],
        },
        version=1,
    )

    stored = CustodyEpisode.objects.get(pk=episode.pk)
    assert (stored.court, stored.case_number, stored.sentence_months) == (
        "Phnom Penh Court",
        "CASE-42",
        18,
    )
    assert stored.expected_release_date == TODAY + timedelta(days=400)
    assert stored.version == 2
    charges = {c.offence_category.code: c.description for c in stored.charges.all()}
    # The charge that stays keeps its description.
    assert charges == {"theft": "Stole a bicycle", "drug_possession": ""}

    [event] = corrections()
    assert event.object_ref == woman.reference
    assert event.changes["episode"] == episode.pk
    assert event.changes["fields"] == [
        "case_number",
        "court",
        "expected_release_date",
        "offences",
        "sentence_months",
    ]
    assert event.changes["values"] == {
        "expected_release_date": [None, (TODAY + timedelta(days=400)).isoformat()],
        "sentence_months": [None, 18],
    }
    assert_audit_repeats_none_of("CASE-42")


def test_offences_can_be_removed(monitor, woman):
    services.update_episode(monitor, woman.current_episode, {"offences": []}, version=1)

    assert not Charge.objects.exists()


def test_an_episode_with_nothing_changed_keeps_its_version(monitor, woman, offences):
    episode = services.update_episode(
        monitor, woman.current_episode, {"court": "", "offences": [offences["theft"]]}, version=1
    )

    assert episode.version == 1
    assert corrections() == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"expected_release_date": ADMITTED - timedelta(days=1)}, "expected_release_date"),
        ({"sentence_months": 0}, "sentence_months"),
        ({"sentence_months": -3}, "sentence_months"),
    ],
)
def test_a_refused_episode_correction_writes_nothing(monitor, woman, offences, changes, field):
    changes = {**changes, "court": "Changed", "offences": [offences["drugs"]]}
    with pytest.raises(ValidationError) as excinfo:
        services.update_episode(monitor, woman.current_episode, changes, version=1)

    assert set(excinfo.value.message_dict) == {field}
    episode = CustodyEpisode.objects.get()
    assert (episode.court, episode.version) == ("", 1)
    assert [c.offence_category.code for c in episode.charges.all()] == ["theft"]


def test_a_convicted_womans_sentence_cannot_be_removed(monitor, woman):
    episode = woman.current_episode
    services.record_legal_status(
        monitor,
        episode,
        "convicted",
        TODAY,
        sentence_months=24,
        today=TODAY,
        version=current_version(episode),
    )

    with pytest.raises(ValidationError) as excinfo:
        services.update_episode(monitor, episode, {"sentence_months": None}, version=2)

    assert "sentence_months" in excinfo.value.message_dict
    assert CustodyEpisode.objects.get().sentence_months == 24


def test_an_episode_changed_since_it_was_read_is_not_overwritten(monitor, prisons, woman):
    episode = woman.current_episode
    services.record_transfer(
        monitor, episode, prisons["KDL"], TODAY, today=TODAY, version=current_version(episode)
    )

    with pytest.raises(StaleVersion):
        services.update_episode(monitor, episode, {"court": "Too late"}, version=1)

    stored = CustodyEpisode.objects.get()
    assert (stored.court, stored.current_prison, stored.version) == ("", prisons["KDL"], 2)


@pytest.mark.parametrize("who", ["viewer", "other_monitor"])
def test_who_may_not_edit_her_custody_is_refused(users, woman, who):
    with pytest.raises(PermissionDenied):
        services.update_episode(users[who], woman.current_episode, {"court": "X"}, version=1)

    assert CustodyEpisode.objects.get().court == ""


# Two people at the same moment -------------------------------------------------------------


@races_need_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_version_at_once_exactly_one_wins(users, prisons, monkeypatch):
    woman = admit(users["monitor"], prisons["CC2"], admission_date=ADMITTED, name="Before")
    start = threading.Barrier(2)
    first_writer = threading.Lock()
    record = audit.record

    def slow_record(*args, **kwargs):
        # The first to have written waits before committing, so the other's UPDATE of the
        # same version meets the row lock and must see the committed version after it.
        if first_writer.acquire(blocking=False):
            time.sleep(0.5)
        return record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", slow_record)
    outcomes: dict[str, str] = {}

    def correct(username: str) -> None:
        try:
            start.wait(timeout=10)
            services.update_woman(
                users[username], woman, {"name": f"By {username}"}, version=1, today=TODAY
            )
            outcomes[username] = "saved"
        except StaleVersion:
            outcomes[username] = "refused"
        except Exception as error:  # reported by the assertion below
            outcomes[username] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=correct, args=(u,)) for u in ("monitor", "legal_officer")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["refused", "saved"], outcomes
    [winner] = [u for u, outcome in outcomes.items() if outcome == "saved"]
    stored = Woman.objects.get(pk=woman.pk)
    assert (stored.name, stored.version) == (f"By {winner}", 2)
    assert [e.user.username for e in corrections()] == [winner]
