"""The register's services: what each change writes, and every rule that refuses one."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import rules, services
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Pregnancy,
    Transfer,
    Woman,
)
from tests.conftest import TODAY
from tests.factories import (
    AdmissionFactory,
    admit,
    child_in_prison,
    child_outside,
    current_version,
    reload,
)

ADMITTED = TODAY - timedelta(days=100)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def current_placement(child: Child) -> Placement:
    return child.placements.get(end_date__isnull=True)


def assert_no_names(woman: Woman, *extra: str) -> None:
    """No audit event repeats a name or a register number in what it says changed."""
    secrets = [woman.name, woman.name_latin, woman.register_number, *extra]
    secrets += [c.name for c in woman.children.all()]
    events = list(AuditEvent.objects.all())
    assert events
    for event in events:
        text = json.dumps(event.changes, ensure_ascii=False)
        for secret in filter(None, secrets):
            assert secret not in text, (event.action, event.changes)


@pytest.fixture
def woman(monitor, prisons):
    return admit(monitor, prisons["CC2"], admission_date=ADMITTED)


# Pure rules -------------------------------------------------------------------------------


def test_age_counts_completed_years_and_leap_day_birthdays():
    assert rules.age_on(date(2000, 2, 29), date(2018, 2, 28)) == 17
    assert rules.age_on(date(2000, 2, 29), date(2018, 3, 1)) == 18
    assert rules.age_on(date(1990, 6, 15), date(2026, 6, 15)) == 36
    assert rules.is_minor(date(2010, 1, 1), TODAY)
    assert not rules.is_minor(None, TODAY)
    assert not rules.is_minor(date(2000, 1, 1), TODAY)


# Admission --------------------------------------------------------------------------------


def test_admission_writes_her_record_custody_charges_pregnancy_and_children(
    monitor, prisons, offences
):
    adm = AdmissionFactory(
        organisation_id=monitor.organisation_id,
        prison=prisons["CC2"],
        admission_date=ADMITTED,
        legal_status="convicted",
        sentence_months=24,
        court="Phnom Penh Municipal Court",
        offences=[offences["theft"], offences["drugs"]],
        is_sole_carer=True,
        dependent_children=1,
        confirm_warnings=True,
        is_pregnant=True,
        expected_delivery_date=ADMITTED + timedelta(days=150),
        children=[
            child_in_prison(date(2025, 1, 5), name="Dara"),
            child_outside(
                date(2018, 4, 1),
                name="Vanna",
                caregiver_name="Grandmother Srey",
                caregiver_location="Kandal",
            ),
        ],
    )
    woman = services.admit_woman(monitor, adm, today=TODAY)

    woman = reload(woman)
    episode = woman.current_episode
    assert episode.admission_prison == prisons["CC2"] == episode.current_prison
    assert episode.legal_status == "convicted" and episode.legal_status_since == ADMITTED
    assert episode.sentence_months == 24
    assert list(
        LegalStatusChange.objects.filter(episode=episode).values_list("status", flat=True)
    ) == ["convicted"]
    assert set(
        Charge.objects.filter(episode=episode).values_list("offence_category__code", flat=True)
    ) == {"theft", "drug_possession"}
    # A sole carer is the primary carer; the count of dependants covers the recorded children.
    assert woman.is_sole_carer and woman.is_primary_carer
    assert woman.dependent_children == 2
    assert woman.consent_recorded_on == ADMITTED
    pregnancy = Pregnancy.objects.get(woman=woman)
    assert pregnancy.known_since == ADMITTED and pregnancy.episode == episode
    dara, vanna = woman.children.order_by("-date_of_birth")
    inside = current_placement(dara)
    assert inside.kind == PlacementKind.IN_PRISON and inside.prison == prisons["CC2"]
    assert inside.start_date == ADMITTED
    outside = current_placement(vanna)
    assert outside.kind == PlacementKind.WITH_CAREGIVER and outside.prison is None
    assert outside.caregiver_relationship == "grandparent"
    assert outside.caregiver_name == "Grandmother Srey"
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_ref=woman.reference)
    assert event.user == monitor and event.changes["children"] == 2
    assert_no_names(woman, "Grandmother Srey")


def test_child_in_prison_born_after_admission_is_refused(monitor, prisons):
    with pytest.raises(ValidationError) as excinfo:
        admit(
            monitor,
            prisons["CC2"],
            admission_date=ADMITTED,
            children=[child_in_prison(ADMITTED + timedelta(days=1))],
        )
    assert "children.0.date_of_birth" in errors_of(excinfo)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"admission_date": TODAY + timedelta(days=1)}, "admission_date"),
        ({"date_of_birth": TODAY + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": ADMITTED}, "date_of_birth"),
        ({"date_of_birth": ADMITTED - timedelta(days=365 * 9)}, "date_of_birth"),
        ({"date_of_birth": date(1900, 1, 1)}, "date_of_birth"),
        ({"legal_status": "convicted", "sentence_months": None}, "sentence_months"),
        ({"expected_release_date": ADMITTED - timedelta(days=1)}, "expected_release_date"),
        (
            {
                "is_pregnant": True,
                "pregnancy_known_since": ADMITTED,
                "expected_delivery_date": ADMITTED - timedelta(days=1),
            },
            "expected_delivery_date",
        ),
        (
            {"is_pregnant": True, "expected_delivery_date": ADMITTED + timedelta(days=301)},
            "expected_delivery_date",
        ),
        ({"is_pregnant": True, "pregnancy_known_since": TODAY + timedelta(days=2)}, "known_since"),
        ({"children": [child_outside(date(1989, 1, 1))]}, "children.0.date_of_birth"),
        ({"children": [child_outside(date(1995, 1, 1))]}, "children.0.date_of_birth"),
        ({"children": [child_outside(TODAY + timedelta(days=1))]}, "children.0.date_of_birth"),
        (
            {"children": [child_outside(date(2015, 1, 1)), child_outside(date(2016, 1, 1), "")]},
            "children.1.caregiver_relationship",
        ),
    ],
)
def test_admission_refused_writes_nothing(monitor, prisons, fields, field):
    with pytest.raises(ValidationError) as excinfo:
        admit(monitor, prisons["CC2"], **fields)
    assert field in errors_of(excinfo)
    assert not Woman.objects.exists()
    assert not CustodyEpisode.objects.exists()
    assert not Child.objects.exists()
    assert not AuditEvent.objects.exists()


def test_admission_into_a_prison_that_holds_no_women_is_refused(monitor, prisons):
    with pytest.raises(ValidationError) as excinfo:
        admit(monitor, prisons["CC1"])
    assert "prison" in errors_of(excinfo)
    prisons["KDL"].is_active = False
    prisons["KDL"].save()
    with pytest.raises(ValidationError) as excinfo:
        admit(monitor, prisons["KDL"])
    assert "prison" in errors_of(excinfo)
    assert not Woman.objects.exists()


@pytest.mark.parametrize("role", ["analyst", "viewer", "programme_manager"])
def test_roles_without_the_edit_capability_change_nothing(users, prisons, monitor, role):
    woman = admit(
        monitor, prisons["CC2"], is_pregnant=True, children=[child_in_prison(date(2025, 1, 1))]
    )
    episode = woman.current_episode
    child = woman.children.get()
    pregnancy = woman.pregnancies.get()
    user = users[role]
    before = AuditEvent.objects.count()
    calls = [
        lambda: services.admit_woman(
            user,
            AdmissionFactory(organisation_id=user.organisation_id, prison=prisons["CC2"]),
            today=TODAY,
        ),
        lambda: services.record_child(user, woman, child_outside(date(2015, 1, 1)), today=TODAY),
        lambda: services.record_transfer(
            user, episode, prisons["KDL"], TODAY, today=TODAY, version=current_version(episode)
        ),
        lambda: services.record_legal_status(
            user,
            episode,
            "convicted",
            TODAY,
            sentence_months=12,
            today=TODAY,
            version=current_version(episode),
        ),
        lambda: services.record_release(
            user, episode, TODAY, "acquittal", today=TODAY, version=current_version(episode)
        ),
        lambda: services.record_pregnancy(user, woman, TODAY, today=TODAY),
        lambda: services.record_pregnancy_outcome(
            user, pregnancy, "birth_in_prison", TODAY, today=TODAY
        ),
        lambda: services.move_child_out(
            user, child, TODAY, "grandparent", "Srey", today=TODAY, version=current_version(child)
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert Woman.objects.count() == 1
    assert Child.objects.count() == 1
    assert not Transfer.objects.exists()
    assert CustodyEpisode.objects.get().release_date is None
    assert Pregnancy.objects.get().outcome == ""
    assert AuditEvent.objects.count() == before


# A child recorded later -------------------------------------------------------------------


def test_child_recorded_later_lives_in_prison_where_she_is(monitor, prisons, woman):
    since = TODAY - timedelta(days=10)
    child = services.record_child(
        monitor, woman, child_in_prison(date(2025, 2, 1), name="Bopha"), since=since, today=TODAY
    )
    placement = current_placement(child)
    assert placement.kind == PlacementKind.IN_PRISON
    assert placement.prison == prisons["CC2"] and placement.start_date == since
    assert child.organisation_id == woman.organisation_id
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_ref=child.reference).exists()
    assert_no_names(woman)


def test_child_recorded_later_outside_with_a_caregiver(monitor, woman):
    child = services.record_child(
        monitor,
        woman,
        child_outside(date(2012, 2, 1), "father", caregiver_name="Sok"),
        today=TODAY,
    )
    placement = current_placement(child)
    assert placement.kind == PlacementKind.WITH_CAREGIVER
    assert placement.caregiver_relationship == "father" and placement.start_date == TODAY


@pytest.mark.parametrize(
    ("details", "field"),
    [
        (child_outside(date(1989, 1, 1)), "date_of_birth"),
        (child_outside(date(2015, 1, 1), ""), "caregiver_relationship"),
        (child_in_prison(TODAY + timedelta(days=1)), "date_of_birth"),
    ],
)
def test_child_recorded_later_refused(monitor, woman, details, field):
    with pytest.raises(ValidationError) as excinfo:
        services.record_child(monitor, woman, details, today=TODAY)
    assert field in errors_of(excinfo)
    assert not woman.children.exists()


def test_child_cannot_live_in_prison_with_a_released_mother(monitor, woman):
    services.record_release(
        monitor,
        woman.current_episode,
        TODAY,
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_child(
            monitor, reload(woman), child_in_prison(date(2025, 1, 1)), today=TODAY
        )
    assert "living_in_prison" in errors_of(excinfo)
    assert not Child.objects.exists()


def test_child_in_prison_cannot_start_before_her_admission_or_in_the_future(monitor, woman):
    for since in (ADMITTED - timedelta(days=1), TODAY + timedelta(days=1)):
        with pytest.raises(ValidationError) as excinfo:
            services.record_child(
                monitor, woman, child_in_prison(date(2025, 1, 1)), since=since, today=TODAY
            )
        assert "since" in errors_of(excinfo)
    assert not Child.objects.exists()


# Transfer ---------------------------------------------------------------------------------


def test_transfer_moves_her_and_the_children_living_with_her(monitor, prisons):
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=ADMITTED,
        children=[
            child_in_prison(date(2025, 1, 1)),
            child_outside(date(2015, 1, 1)),
        ],
    )
    inside, outside = woman.children.order_by("-date_of_birth")
    moved_on = ADMITTED + timedelta(days=30)
    transfer = services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        moved_on,
        "Closer to her family",
        version=1,
        today=TODAY,
    )

    episode = CustodyEpisode.objects.get(pk=woman.current_episode_id)
    assert episode.current_prison == prisons["KDL"] and episode.admission_prison == prisons["CC2"]
    assert episode.version == 2
    assert (transfer.from_prison, transfer.to_prison) == (prisons["CC2"], prisons["KDL"])
    old, new = inside.placements.order_by("start_date", "id")
    assert old.prison == prisons["CC2"] and old.end_date == moved_on
    assert new.prison == prisons["KDL"] and new.kind == PlacementKind.IN_PRISON
    assert new.start_date == moved_on and new.end_date is None
    assert outside.placements.count() == 1
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).get()
    assert event.changes["transfer"] == {"date": moved_on.isoformat(), "from": "CC2", "to": "KDL"}
    assert_no_names(woman)


def test_transfer_to_the_same_prison_or_one_without_women_is_refused(monitor, prisons, woman):
    episode = woman.current_episode
    for prison in (prisons["CC2"], prisons["CC1"]):
        with pytest.raises(ValidationError) as excinfo:
            services.record_transfer(
                monitor, episode, prison, TODAY, today=TODAY, version=current_version(episode)
            )
        assert "to_prison" in errors_of(excinfo)
    prisons["KDL"].is_active = False
    prisons["KDL"].save()
    with pytest.raises(ValidationError) as excinfo:
        services.record_transfer(
            monitor, episode, prisons["KDL"], TODAY, today=TODAY, version=current_version(episode)
        )
    assert "to_prison" in errors_of(excinfo)
    assert not Transfer.objects.exists()


@pytest.mark.parametrize(
    "transfer_date",
    [ADMITTED - timedelta(days=1), ADMITTED + timedelta(days=9), TODAY + timedelta(days=1)],
)
def test_transfer_dates_must_follow_the_custody(monitor, prisons, woman, transfer_date):
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        ADMITTED + timedelta(days=10),
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_transfer(
            monitor,
            woman.current_episode,
            prisons["CC2"],
            transfer_date,
            today=TODAY,
            version=current_version(woman.current_episode),
        )
    assert "transfer_date" in errors_of(excinfo)
    assert Transfer.objects.count() == 1


def test_transfer_only_while_in_custody(monitor, prisons, woman):
    episode = woman.current_episode
    services.record_release(
        monitor, episode, TODAY, "acquittal", today=TODAY, version=current_version(episode)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_transfer(
            monitor, episode, prisons["KDL"], TODAY, today=TODAY, version=current_version(episode)
        )
    assert "transfer_date" in errors_of(excinfo)
    assert not Transfer.objects.exists()


def test_transfer_before_a_child_came_to_live_with_her_is_refused(monitor, prisons, woman):
    services.record_child(
        monitor,
        woman,
        child_in_prison(date(2025, 1, 1)),
        since=ADMITTED + timedelta(days=20),
        today=TODAY,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_transfer(
            monitor,
            woman.current_episode,
            prisons["KDL"],
            ADMITTED + timedelta(days=10),
            today=TODAY,
            version=current_version(woman.current_episode),
        )
    assert "transfer_date" in errors_of(excinfo)
    assert not Transfer.objects.exists()


def test_stale_version_is_refused_and_the_first_change_survives(monitor, prisons, woman):
    episode = woman.current_episode
    loaded = episode.version
    services.record_transfer(monitor, episode, prisons["KDL"], TODAY, version=loaded, today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.record_release(monitor, episode, TODAY, "acquittal", version=loaded, today=TODAY)
    assert "__all__" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        services.record_legal_status(
            monitor, episode, "convicted", TODAY, sentence_months=6, version=loaded, today=TODAY
        )
    episode.refresh_from_db()
    assert episode.current_prison == prisons["KDL"]
    assert episode.release_date is None and episode.legal_status == "pretrial"
    assert episode.version == loaded + 1


# Legal status -----------------------------------------------------------------------------


def test_legal_status_change_is_recorded_with_the_sentence(monitor, woman):
    episode = woman.current_episode
    on = ADMITTED + timedelta(days=60)
    release_on = ADMITTED + timedelta(days=400)
    change = services.record_legal_status(
        monitor,
        episode,
        "convicted",
        on,
        "Judgment read in court",
        sentence_months=18,
        expected_release_date=release_on,
        version=1,
        today=TODAY,
    )
    episode.refresh_from_db()
    assert (episode.legal_status, episode.legal_status_since) == ("convicted", on)
    assert episode.sentence_months == 18 and episode.expected_release_date == release_on
    assert episode.version == 2
    assert change.note == "Judgment read in court"
    assert list(episode.status_changes.values_list("status", flat=True)) == [
        "pretrial",
        "convicted",
    ]
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).get()
    assert event.changes["legal_status"] == ["pretrial", "convicted"]


@pytest.mark.parametrize(
    ("status", "on", "kwargs", "field"),
    [
        ("pretrial", TODAY, {}, "status"),
        ("convicted", ADMITTED - timedelta(days=1), {"sentence_months": 6}, "effective_date"),
        ("convicted", TODAY + timedelta(days=1), {"sentence_months": 6}, "effective_date"),
        ("convicted", TODAY, {}, "sentence_months"),
        (
            "convicted",
            TODAY,
            {"sentence_months": 6, "expected_release_date": ADMITTED - timedelta(days=1)},
            "expected_release_date",
        ),
    ],
)
def test_legal_status_change_refused(monitor, woman, status, on, kwargs, field):
    with pytest.raises(ValidationError) as excinfo:
        services.record_legal_status(
            monitor,
            woman.current_episode,
            status,
            on,
            today=TODAY,
            version=current_version(woman.current_episode),
            **kwargs,
        )
    assert field in errors_of(excinfo)
    assert LegalStatusChange.objects.count() == 1


def test_legal_status_cannot_change_after_release(monitor, woman):
    episode = woman.current_episode
    services.record_release(
        monitor, episode, TODAY, "end_of_sentence", today=TODAY, version=current_version(episode)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_legal_status(
            monitor,
            episode,
            "convicted",
            TODAY,
            sentence_months=3,
            today=TODAY,
            version=current_version(episode),
        )
    assert "status" in errors_of(excinfo)


# Release ----------------------------------------------------------------------------------


def test_release_closes_her_custody_and_her_children_leave_with_her(monitor, prisons):
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=ADMITTED,
        children=[
            child_in_prison(date(2025, 1, 1)),
            child_outside(date(2015, 1, 1)),
        ],
    )
    inside, outside = woman.children.order_by("-date_of_birth")
    released = TODAY - timedelta(days=1)
    services.record_release(
        monitor,
        woman.current_episode,
        released,
        "royal_pardon",
        "Pardon on the King's birthday",
        version=1,
        today=TODAY,
    )

    woman = reload(woman)
    assert woman.current_episode is None and woman.version == 2
    episode = woman.episodes.get()
    assert (episode.release_date, episode.release_reason) == (released, "royal_pardon")
    assert episode.release_note == "Pardon on the King's birthday"
    in_prison, with_her = inside.placements.order_by("start_date", "id")
    assert in_prison.end_date == released
    assert with_her.kind == PlacementKind.WITH_CAREGIVER
    assert with_her.caregiver_relationship == "mother" and with_her.start_date == released
    assert with_her.end_date is None
    assert outside.placements.count() == 1
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).get()
    assert event.changes["release"] == {"date": released.isoformat(), "reason": "royal_pardon"}
    assert_no_names(woman)


def test_release_dates_must_follow_the_custody(monitor, prisons, woman):
    episode = woman.current_episode
    transferred = ADMITTED + timedelta(days=20)
    services.record_transfer(
        monitor, episode, prisons["KDL"], transferred, today=TODAY, version=current_version(episode)
    )
    for release_date in (
        ADMITTED - timedelta(days=1),
        transferred - timedelta(days=1),
        TODAY + timedelta(days=1),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.record_release(
                monitor,
                episode,
                release_date,
                "acquittal",
                today=TODAY,
                version=current_version(episode),
            )
        assert "release_date" in errors_of(excinfo)
    assert CustodyEpisode.objects.get().release_date is None


def test_release_cannot_be_before_her_legal_status_changed(monitor, woman):
    episode = woman.current_episode
    convicted = ADMITTED + timedelta(days=40)
    services.record_legal_status(
        monitor,
        episode,
        "convicted",
        convicted,
        sentence_months=6,
        today=TODAY,
        version=current_version(episode),
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_release(
            monitor,
            episode,
            convicted - timedelta(days=1),
            "acquittal",
            today=TODAY,
            version=current_version(episode),
        )
    assert "release_date" in errors_of(excinfo)


def test_release_cannot_be_before_a_child_came_to_live_with_her(monitor, woman):
    since = ADMITTED + timedelta(days=30)
    services.record_child(
        monitor, woman, child_in_prison(date(2025, 1, 1)), since=since, today=TODAY
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_release(
            monitor,
            woman.current_episode,
            since - timedelta(days=1),
            "acquittal",
            today=TODAY,
            version=current_version(woman.current_episode),
        )
    assert "release_date" in errors_of(excinfo)
    assert CustodyEpisode.objects.get().release_date is None


def test_release_of_a_closed_custody_is_refused(monitor, woman):
    episode = woman.current_episode
    services.record_release(
        monitor, episode, TODAY, "acquittal", today=TODAY, version=current_version(episode)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.record_release(
            monitor, episode, TODAY, "acquittal", today=TODAY, version=current_version(episode)
        )
    assert "release_date" in errors_of(excinfo)


# Pregnancy --------------------------------------------------------------------------------


def test_pregnancy_is_recorded_in_her_custody(monitor, woman):
    known = TODAY - timedelta(days=20)
    pregnancy = services.record_pregnancy(
        monitor,
        woman,
        known,
        known + timedelta(days=200),
        2,
        "Referred to the health post",
        today=TODAY,
    )
    pregnancy.refresh_from_db()
    assert pregnancy.episode_id == woman.current_episode_id
    assert pregnancy.is_ongoing and pregnancy.antenatal_care_contacts == 2
    assert AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=woman.reference).exists()


@pytest.mark.parametrize(
    ("known", "due", "field"),
    [
        (TODAY + timedelta(days=1), None, "known_since"),
        (TODAY, TODAY - timedelta(days=1), "expected_delivery_date"),
        (TODAY, TODAY + timedelta(days=301), "expected_delivery_date"),
    ],
)
def test_pregnancy_refused(monitor, woman, known, due, field):
    with pytest.raises(ValidationError) as excinfo:
        services.record_pregnancy(monitor, woman, known, due, today=TODAY)
    assert field in errors_of(excinfo)
    assert not Pregnancy.objects.exists()


def test_a_second_ongoing_pregnancy_is_refused(monitor, woman):
    services.record_pregnancy(monitor, woman, TODAY - timedelta(days=5), today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.record_pregnancy(monitor, woman, TODAY, today=TODAY)
    assert "known_since" in errors_of(excinfo)
    assert Pregnancy.objects.count() == 1


def test_birth_after_a_transfer_puts_the_child_in_prison_where_she_was(monitor, prisons):
    woman = admit(monitor, prisons["CC2"], admission_date=ADMITTED, is_pregnant=True)
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        ADMITTED + timedelta(days=10),
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    born = ADMITTED + timedelta(days=50)
    child = services.record_pregnancy_outcome(
        monitor,
        woman.pregnancies.get(),
        "birth_in_hospital",
        born,
        child_name="Mealea",
        child_sex="female",
        birth_registered=True,
        today=TODAY,
    )
    child.refresh_from_db()
    assert child.mother == woman and child.date_of_birth == born
    assert child.born_in_custody and child.birth_registered and child.sex == "female"
    placement = child.placements.get()
    assert placement.kind == PlacementKind.IN_PRISON and placement.prison == prisons["KDL"]
    assert placement.start_date == born and placement.end_date is None
    pregnancy = Pregnancy.objects.get()
    assert (pregnancy.outcome, pregnancy.outcome_date) == ("birth_in_hospital", born)
    assert pregnancy.child == child
    assert_no_names(woman, "Mealea")


def test_birth_recorded_late_follows_her_later_transfer_and_release(monitor, prisons):
    woman = admit(monitor, prisons["CC2"], admission_date=ADMITTED, is_pregnant=True)
    episode = woman.current_episode
    born = ADMITTED + timedelta(days=10)
    moved = ADMITTED + timedelta(days=30)
    released = ADMITTED + timedelta(days=60)
    services.record_transfer(
        monitor, episode, prisons["KDL"], moved, today=TODAY, version=current_version(episode)
    )
    services.record_release(
        monitor, episode, released, "end_of_sentence", today=TODAY, version=current_version(episode)
    )

    child = services.record_pregnancy_outcome(
        monitor, woman.pregnancies.get(), "birth_in_prison", born, today=TODAY
    )

    rows = list(
        child.placements.order_by("start_date", "id").values_list(
            "kind", "prison__code", "start_date", "end_date", "caregiver_relationship"
        )
    )
    assert rows == [
        ("in_prison", "CC2", born, moved, ""),
        ("in_prison", "KDL", moved, released, ""),
        ("with_caregiver", None, released, None, "mother"),
    ]


def test_birth_after_release_puts_the_child_outside_with_her(monitor, woman):
    services.record_pregnancy(monitor, woman, ADMITTED + timedelta(days=5), today=TODAY)
    released = ADMITTED + timedelta(days=30)
    services.record_release(
        monitor,
        woman.current_episode,
        released,
        "acquittal",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    born = released + timedelta(days=20)
    child = services.record_pregnancy_outcome(
        monitor, woman.pregnancies.get(), "birth_after_release", born, today=TODAY
    )
    assert not child.born_in_custody
    placement = child.placements.get()
    assert placement.kind == PlacementKind.WITH_CAREGIVER and placement.prison is None
    assert placement.caregiver_relationship == "mother" and placement.start_date == born


def test_pregnancy_loss_records_no_child(monitor, woman):
    pregnancy = services.record_pregnancy(monitor, woman, ADMITTED, today=TODAY)
    assert services.record_pregnancy_outcome(monitor, pregnancy, "loss", TODAY, today=TODAY) is None
    pregnancy.refresh_from_db()
    assert pregnancy.outcome == "loss" and not Child.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "on", "known", "field"),
    [
        ("birth_in_prison", TODAY + timedelta(days=1), ADMITTED, "outcome_date"),
        ("birth_in_prison", ADMITTED, ADMITTED + timedelta(days=1), "outcome_date"),
        ("birth_after_release", TODAY, ADMITTED, "outcome"),
        (
            "birth_in_prison",
            ADMITTED - timedelta(days=30),
            ADMITTED - timedelta(days=40),
            "outcome",
        ),
    ],
)
def test_pregnancy_outcome_refused(monitor, woman, outcome, on, known, field):
    pregnancy = services.record_pregnancy(monitor, woman, known, today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.record_pregnancy_outcome(monitor, pregnancy, outcome, on, today=TODAY)
    assert field in errors_of(excinfo)
    pregnancy.refresh_from_db()
    assert pregnancy.is_ongoing and not Child.objects.exists()


def test_pregnancy_outcome_is_recorded_once(monitor, woman):
    pregnancy = services.record_pregnancy(monitor, woman, ADMITTED, today=TODAY)
    services.record_pregnancy_outcome(monitor, pregnancy, "birth_in_prison", TODAY, today=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.record_pregnancy_outcome(monitor, pregnancy, "loss", TODAY, today=TODAY)
    assert "outcome" in errors_of(excinfo)
    assert Child.objects.count() == 1


# Moving a child out -----------------------------------------------------------------------


@pytest.fixture
def child(monitor, prisons):
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=ADMITTED,
        children=[child_in_prison(date(2024, 1, 1), name="Kunthea")],
    )
    return woman.children.get()


def test_moving_a_child_out_closes_the_placement_in_prison(monitor, child):
    moved = TODAY - timedelta(days=3)
    placement = services.move_child_out(
        monitor,
        child,
        moved,
        "grandparent",
        "Grandmother Nary",
        "Takeo",
        "012 345 678",
        "Handed over at the gate",
        version=1,
        today=TODAY,
    )
    before, after = child.placements.order_by("start_date", "id")
    assert before.kind == PlacementKind.IN_PRISON and before.end_date == moved
    assert after == placement and after.end_date is None
    assert after.kind == PlacementKind.WITH_CAREGIVER and after.start_date == moved
    assert (after.caregiver_name, after.caregiver_location, after.caregiver_contact) == (
        "Grandmother Nary",
        "Takeo",
        "012 345 678",
    )
    assert Child.objects.get(pk=child.pk).version == 2
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=child.reference)
    assert event.changes["moved_out"]["relationship"] == "grandparent"
    assert_no_names(child.mother, "Grandmother Nary", "012 345 678")


def test_a_child_may_go_to_an_ngo_centre_without_a_named_person(monitor, child):
    services.move_child_out(
        monitor, child, TODAY, "ngo_centre", today=TODAY, version=current_version(child)
    )
    assert current_placement(child).caregiver_relationship == "ngo_centre"


@pytest.mark.parametrize(
    ("on", "relationship", "name", "field"),
    [
        (ADMITTED - timedelta(days=1), "grandparent", "Nary", "move_date"),
        (TODAY + timedelta(days=1), "grandparent", "Nary", "move_date"),
        (TODAY, "", "Nary", "caregiver_relationship"),
        (TODAY, "grandparent", "  ", "caregiver_name"),
    ],
)
def test_moving_a_child_out_refused(monitor, child, on, relationship, name, field):
    with pytest.raises(ValidationError) as excinfo:
        services.move_child_out(
            monitor, child, on, relationship, name, today=TODAY, version=current_version(child)
        )
    assert field in errors_of(excinfo)
    assert current_placement(child).kind == PlacementKind.IN_PRISON


def test_a_child_outside_cannot_be_moved_out(monitor, child):
    services.move_child_out(
        monitor, child, TODAY, "father", "Sok", today=TODAY, version=current_version(child)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.move_child_out(
            monitor, child, TODAY, "father", "Sok", today=TODAY, version=current_version(child)
        )
    assert "move_date" in errors_of(excinfo)
    assert child.placements.count() == 2


def test_moving_a_child_out_with_a_stale_version_is_refused(monitor, child):
    services.move_child_out(
        monitor, child, TODAY - timedelta(days=1), "father", "Sok", version=1, today=TODAY
    )
    with pytest.raises(ValidationError) as excinfo:
        services.move_child_out(
            monitor, child, TODAY, "grandparent", "Nary", version=1, today=TODAY
        )
    assert "__all__" in errors_of(excinfo)
    assert current_placement(child).caregiver_relationship == "father"
