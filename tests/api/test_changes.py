"""POST endpoints that change a woman's or a child's record after admission."""

from datetime import date, timedelta

import pytest

from motherline.accounts.models import AuditEvent
from motherline.people.models import (
    Child,
    LegalStatusChange,
    Placement,
    Pregnancy,
    Transfer,
)
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, ongoing_pregnancy, reload

ADMITTED = TODAY - timedelta(days=100)


def day(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def mother(users, prisons):
    """In CC2 for 100 days with a baby living with her."""
    return admit(
        users["monitor"],
        prisons["CC2"],
        admission_date=ADMITTED,
        children=[child_in_prison(date(2025, 8, 1))],
    )


@pytest.fixture
def baby(mother):
    return children_of(mother)[0]


def _changes():
    return AuditEvent.objects.filter(action="change").count()


# Transfer


def test_transfer_moves_her_and_the_child_living_with_her(api, users, prisons, mother, baby):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/transfers",
        {"to_prison": "KDL", "transfer_date": day(10), "reason": "Court in Kandal", "version": 1},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current_prison"]["code"] == "KDL"
    assert body["transfers"][0]["from_prison"]["code"] == "CC2"
    assert body["version"] == 2
    episode = reload(mother).current_episode
    assert episode.current_prison == prisons["KDL"]
    transfer = Transfer.objects.get(episode=episode)
    assert (transfer.from_prison, transfer.to_prison, transfer.reason) == (
        prisons["CC2"],
        prisons["KDL"],
        "Court in Kandal",
    )
    current = baby.placements.get(end_date__isnull=True)
    assert (current.kind, current.prison, current.start_date.isoformat()) == (
        "in_prison",
        prisons["KDL"],
        day(10),
    )
    assert _changes() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"to_prison": "CC2", "transfer_date": day(10), "version": 1}, {"to_prison"}),
        ({"to_prison": "KDL", "transfer_date": day(101), "version": 1}, {"transfer_date"}),
        ({"to_prison": "KDL", "transfer_date": day(-1), "version": 1}, {"transfer_date"}),
        ({"to_prison": "XX9", "transfer_date": day(10), "version": 1}, {"to_prison"}),
        ({"transfer_date": day(10), "version": 1}, {"to_prison"}),
    ],
)
def test_transfer_refused(api, users, prisons, mother, body, errors):
    response = api.login(users["monitor"]).post(f"/women/{mother.reference}/transfers", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert not Transfer.objects.exists()
    assert reload(mother).current_episode.current_prison == prisons["CC2"]


def test_transfer_with_a_stale_version_is_a_conflict(api, users, prisons, mother):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/transfers",
        {"to_prison": "KDL", "transfer_date": day(10), "version": 7},
    )

    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"__all__"}
    assert not Transfer.objects.exists()
    assert reload(mother).current_episode.current_prison == prisons["CC2"]


def test_transfer_with_the_current_version(api, users, mother):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/transfers",
        {"to_prison": "KDL", "transfer_date": day(10), "version": 1},
    )

    assert response.status_code == 200


def test_transfer_of_a_woman_outside_the_scope_is_404(api, users, mother):
    response = api.login(users["other_monitor"]).post(
        f"/women/{mother.reference}/transfers",
        {"to_prison": "KDL", "transfer_date": day(10), "version": 1},
    )

    assert response.status_code == 404
    assert not Transfer.objects.exists()


# Legal status


def test_legal_status_change(api, users, mother):
    response = api.login(users["legal_officer"]).post(
        f"/women/{mother.reference}/legal-status",
        {
            "status": "convicted",
            "effective_date": day(5),
            "sentence_months": 12,
            "expected_release_date": day(-265),
            "note": "Judgment 12/2026",
            "version": 1,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert [s["status"] for s in body["status_history"]] == ["pretrial", "convicted"]
    episode = reload(mother).current_episode
    assert (episode.legal_status, episode.legal_status_since.isoformat()) == ("convicted", day(5))
    assert (episode.sentence_months, episode.expected_release_date.isoformat()) == (12, day(-265))
    assert LegalStatusChange.objects.filter(episode=episode, status="convicted").exists()


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"status": "pretrial", "effective_date": day(5), "version": 1}, {"status"}),
        ({"status": "final", "effective_date": day(5), "version": 1}, {"sentence_months"}),
        (
            {"status": "convicted", "effective_date": day(150), "sentence_months": 6, "version": 1},
            {"effective_date"},
        ),
        ({"status": "pardoned", "effective_date": day(5), "version": 1}, {"status"}),
    ],
)
def test_legal_status_refused(api, users, mother, body, errors):
    response = api.login(users["monitor"]).post(f"/women/{mother.reference}/legal-status", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert reload(mother).current_episode.legal_status == "pretrial"
    assert LegalStatusChange.objects.count() == 1  # the one at admission


# Release


def test_release_closes_her_custody_and_her_child_leaves_with_her(
    api, users, prisons, mother, baby
):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/release",
        {
            "release_date": day(2),
            "reason": "royal_pardon",
            "note": "Royal pardon of 2026",
            "version": 1,
        },
    )

    assert response.status_code == 200, response.content
    assert (response.json()["is_open"], response.json()["release_reason"]) == (
        False,
        "royal_pardon",
    )
    woman = reload(mother)
    assert woman.current_episode is None
    episode = woman.episodes.get()
    assert (episode.release_date.isoformat(), episode.release_reason) == (day(2), "royal_pardon")
    current = baby.placements.get(end_date__isnull=True)
    assert (current.kind, current.caregiver_relationship) == ("with_caregiver", "mother")
    # And she now shows as released in the list.
    listed = api.get("/women", in_custody="false").json()["items"]
    assert [w["reference"] for w in listed] == [mother.reference]


def test_release_refused(api, users, mother):
    api.login(users["monitor"])
    assert (
        api.post(
            f"/women/{mother.reference}/release",
            {"release_date": day(2), "reason": "acquittal", "version": 1},
        ).status_code
        == 200
    )

    again = api.post(
        f"/women/{mother.reference}/release",
        {"release_date": day(1), "reason": "acquittal", "version": 2},
    )
    transfer = api.post(
        f"/women/{mother.reference}/transfers",
        {"to_prison": "KDL", "transfer_date": day(1), "version": 2},
    )
    status = api.post(
        f"/women/{mother.reference}/legal-status",
        {"status": "convicted", "effective_date": day(1), "sentence_months": 3, "version": 2},
    )

    assert (again.status_code, set(again.json()["errors"])) == (422, {"release_date"})
    assert (transfer.status_code, set(transfer.json()["errors"])) == (422, {"transfer_date"})
    assert (status.status_code, set(status.json()["errors"])) == (422, {"status"})
    assert reload(mother).episodes.get().release_date.isoformat() == day(2)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"release_date": day(101), "reason": "acquittal", "version": 1}, {"release_date"}),
        ({"release_date": day(2), "version": 1}, {"reason"}),
        ({"release_date": day(2), "reason": "escape", "version": 1}, {"reason"}),
    ],
)
def test_release_invalid(api, users, mother, body, errors):
    response = api.login(users["monitor"]).post(f"/women/{mother.reference}/release", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert reload(mother).current_episode is not None


# Pregnancy and its outcome


def test_pregnancy_then_birth_in_prison_creates_a_child_living_with_her(
    api, users, prisons, mother
):
    api.login(users["monitor"])
    recorded = api.post(
        f"/women/{mother.reference}/pregnancies",
        {"known_since": day(90), "expected_delivery_date": day(-10), "antenatal_care_contacts": 2},
    )
    assert recorded.status_code == 201, recorded.content
    pregnancy = ongoing_pregnancy(mother)
    assert recorded.json()["id"] == pregnancy.pk
    assert (pregnancy.episode, pregnancy.antenatal_care_contacts) == (mother.current_episode, 2)

    born = api.post(
        f"/women/{mother.reference}/pregnancies/{pregnancy.pk}/outcome",
        {
            "outcome": "birth_in_prison",
            "outcome_date": day(3),
            "child_name": "New Baby",
            "child_sex": "female",
        },
    )

    assert born.status_code == 200, born.content
    body = born.json()
    assert (body["pregnancy"]["outcome"], body["pregnancy"]["is_ongoing"]) == (
        "birth_in_prison",
        False,
    )
    child = Child.objects.get(reference=body["child"]["reference"])
    assert (child.mother, child.name, child.sex, child.born_in_custody, child.pregnancy) == (
        mother,
        "New Baby",
        "female",
        True,
        pregnancy,
    )
    [placement] = child.placements.all()
    assert (placement.kind, placement.prison, placement.start_date.isoformat()) == (
        "in_prison",
        prisons["CC2"],
        day(3),
    )
    assert body["child"]["current_placement"]["prison"]["code"] == "CC2"


def test_a_pregnancy_loss_creates_no_child(api, users, mother):
    api.login(users["monitor"])
    api.post(f"/women/{mother.reference}/pregnancies", {"known_since": day(60)})
    pregnancy = ongoing_pregnancy(mother)

    response = api.post(
        f"/women/{mother.reference}/pregnancies/{pregnancy.pk}/outcome",
        {"outcome": "loss", "outcome_date": day(20)},
    )

    assert response.status_code == 200
    assert response.json()["child"] is None
    assert Child.objects.count() == 1  # the baby from the admission


def test_pregnancy_refused(api, users, mother):
    api.login(users["monitor"])
    api.post(f"/women/{mother.reference}/pregnancies", {"known_since": day(60)})

    again = api.post(f"/women/{mother.reference}/pregnancies", {"known_since": day(30)})
    future = api.post(f"/women/{mother.reference}/pregnancies", {"known_since": day(-3)})

    assert (again.status_code, set(again.json()["errors"])) == (422, {"known_since"})
    assert future.status_code == 422
    assert Pregnancy.objects.count() == 1


def test_pregnancy_outcome_refused(api, users, prisons, mother):
    api.login(users["monitor"])
    api.post(f"/women/{mother.reference}/pregnancies", {"known_since": day(60)})
    pregnancy = ongoing_pregnancy(mother)
    url = f"/women/{mother.reference}/pregnancies/{pregnancy.pk}/outcome"

    before_known = api.post(url, {"outcome": "birth_in_prison", "outcome_date": day(70)})
    after_release_while_in = api.post(
        url, {"outcome": "birth_after_release", "outcome_date": day(5)}
    )
    assert (before_known.status_code, set(before_known.json()["errors"])) == (
        422,
        {"outcome_date"},
    )
    assert (after_release_while_in.status_code, set(after_release_while_in.json()["errors"])) == (
        422,
        {"outcome"},
    )
    assert api.post(url, {"outcome": "loss", "outcome_date": day(5)}).status_code == 200
    twice = api.post(url, {"outcome": "loss", "outcome_date": day(4)})
    assert (twice.status_code, set(twice.json()["errors"])) == (422, {"outcome"})
    assert Child.objects.count() == 1


def test_the_outcome_of_another_womans_pregnancy_is_404(api, users, prisons, mother):
    other = admit(users["monitor"], prisons["CC2"], is_pregnant=True)
    pregnancy = ongoing_pregnancy(other)

    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/pregnancies/{pregnancy.pk}/outcome",
        {"outcome": "loss", "outcome_date": day(5)},
    )

    assert response.status_code == 404
    assert reload(other).pregnancies.get().is_ongoing


# Children


def test_record_a_child_living_in_prison(api, users, prisons, mother):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/children",
        {
            "date_of_birth": "2024-11-02",
            "name": "Found Later",
            "living_in_prison": True,
            "since": day(30),
        },
    )

    assert response.status_code == 201, response.content
    child = Child.objects.get(reference=response.json()["reference"])
    assert (child.mother, child.name) == (mother, "Found Later")
    [placement] = child.placements.all()
    assert (placement.kind, placement.prison, placement.start_date.isoformat()) == (
        "in_prison",
        prisons["CC2"],
        day(30),
    )


def test_record_a_child_outside(api, users, mother):
    response = api.login(users["monitor"]).post(
        f"/women/{mother.reference}/children",
        {
            "date_of_birth": "2012-01-15",
            "caregiver_relationship": "other_relative",
            "caregiver_name": "Aunt",
            "caregiver_contact": "012 345 678",
        },
    )

    assert response.status_code == 201
    placement = Child.objects.get(reference=response.json()["reference"]).placements.get()
    assert (placement.kind, placement.caregiver_relationship, placement.caregiver_contact) == (
        "with_caregiver",
        "other_relative",
        "012 345 678",
    )


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"date_of_birth": "2012-01-15"}, {"caregiver_relationship"}),
        ({"date_of_birth": "2012-01-15", "caregiver_relationship": ""}, {"caregiver_relationship"}),
        ({"date_of_birth": day(-1), "living_in_prison": True}, {"date_of_birth"}),
        ({"date_of_birth": "1980-01-01", "caregiver_relationship": "father"}, {"date_of_birth"}),
        ({"living_in_prison": True}, {"date_of_birth"}),
    ],
)
def test_record_a_child_refused(api, users, mother, body, errors):
    response = api.login(users["monitor"]).post(f"/women/{mother.reference}/children", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert Child.objects.count() == 1


def test_move_a_child_out(api, users, baby):
    response = api.login(users["monitor"]).post(
        f"/children/{baby.reference}/move-out",
        {
            "move_date": day(1),
            "caregiver_relationship": "grandparent",
            "caregiver_name": "Grandmother",
            "caregiver_location": "Kampot",
            "version": 1,
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["version"] == 2
    assert body["current_placement"]["caregiver_name"] == "Grandmother"
    placements = list(baby.placements.order_by("start_date", "id"))
    assert [(p.kind, p.end_date) for p in placements] == [
        ("in_prison", TODAY - timedelta(days=1)),
        ("with_caregiver", None),
    ]
    assert (placements[1].caregiver_relationship, placements[1].caregiver_location) == (
        "grandparent",
        "Kampot",
    )
    event = AuditEvent.objects.get(action="change")
    assert event.object_ref == baby.reference


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"move_date": day(1), "version": 1}, {"caregiver_relationship", "caregiver_name"}),
        (
            {"move_date": day(1), "caregiver_relationship": "father", "version": 1},
            {"caregiver_name"},
        ),
        (
            {"move_date": day(200), "caregiver_relationship": "ngo_centre", "version": 1},
            {"move_date"},
        ),
    ],
)
def test_move_out_refused(api, users, baby, body, errors):
    response = api.login(users["monitor"]).post(f"/children/{baby.reference}/move-out", body)

    assert response.status_code == 422
    assert set(response.json()["errors"]) == errors
    assert baby.placements.get().kind == "in_prison"


def test_move_out_with_a_stale_version_is_a_conflict(api, users, baby):
    response = api.login(users["monitor"]).post(
        f"/children/{baby.reference}/move-out",
        {"move_date": day(1), "caregiver_relationship": "ngo_centre", "version": 9},
    )

    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"__all__"}
    assert baby.placements.get().kind == "in_prison"


def test_a_child_outside_the_scope_is_404(api, users, baby):
    response = api.login(users["other_monitor"]).post(
        f"/children/{baby.reference}/move-out",
        {"move_date": day(1), "caregiver_relationship": "ngo_centre", "version": 1},
    )

    assert response.status_code == 404
    assert baby.placements.get().kind == "in_prison"


# Who may change the register


def _every_change(mother, baby, pregnancy_id):
    ref = mother.reference
    return [
        (f"/women/{ref}/transfers", {"to_prison": "KDL", "transfer_date": day(1), "version": 1}),
        (
            f"/women/{ref}/legal-status",
            {"status": "convicted", "effective_date": day(1), "sentence_months": 5, "version": 1},
        ),
        (f"/women/{ref}/release", {"release_date": day(1), "reason": "acquittal", "version": 1}),
        (f"/women/{ref}/pregnancies", {"known_since": day(1)}),
        (
            f"/women/{ref}/pregnancies/{pregnancy_id}/outcome",
            {"outcome": "loss", "outcome_date": day(1)},
        ),
        (f"/women/{ref}/children", {"date_of_birth": "2025-01-01", "living_in_prison": True}),
        (
            f"/children/{baby.reference}/move-out",
            {"move_date": day(1), "caregiver_relationship": "ngo_centre", "version": 1},
        ),
    ]


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_are_403_everywhere(api, users, prisons, mother, baby, role):
    pregnancy = Pregnancy.objects.create(
        woman=mother, episode=mother.current_episode, known_since=TODAY - timedelta(days=20)
    )
    api.login(users[role])
    before = (
        Transfer.objects.count(),
        LegalStatusChange.objects.count(),
        Pregnancy.objects.count(),
        Child.objects.count(),
        Placement.objects.count(),
    )

    for path, body in _every_change(mother, baby, pregnancy.pk):
        response = api.post(path, body)
        assert response.status_code == 403, path
        assert response.json() == {"detail": "You may not change the register."}

    assert before == (
        Transfer.objects.count(),
        LegalStatusChange.objects.count(),
        Pregnancy.objects.count(),
        Child.objects.count(),
        Placement.objects.count(),
    )
    assert reload(mother).current_episode is not None
    assert reload(mother).pregnancies.get().is_ongoing
    assert _changes() == 0


def test_signed_out_is_401_everywhere(api, mother, baby):
    for path, body in _every_change(mother, baby, 1):
        assert api.post(path, body).status_code == 401, path
