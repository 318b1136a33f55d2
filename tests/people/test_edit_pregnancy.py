"""Recording a pregnancy and its outcome: a birth in custody puts the child on the register,
living in prison with her mother where the mother was that day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.people import services
from motherline.people.models import Child, PlacementKind, Pregnancy
from tests.factories import admit, current_version, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    return reload(
        admit(monitor, prisons["CC2"], admission_date=today - timedelta(days=200), today=today)
    )


@pytest.fixture
def pregnancy(monitor, woman, today):
    return services.record_pregnancy(monitor, woman, today - timedelta(days=190))


def pregnancy_url(woman) -> str:
    return reverse("people:pregnancy", args=[woman.reference])


def outcome_url(pregnancy) -> str:
    return reverse("people:pregnancy_outcome", args=[pregnancy.woman.reference, pregnancy.pk])


def test_a_pregnancy_is_recorded(client, monitor, woman, today):
    client.force_login(monitor)
    assert client.get(pregnancy_url(woman)).status_code == 200
    known = today - timedelta(days=20)
    response = client.post(
        pregnancy_url(woman),
        {
            "known_since": known.strftime("%d/%m/%Y"),
            "expected_delivery_date": (known + timedelta(days=200)).isoformat(),
            "antenatal_care_contacts": "1",
            "note": "Seen by the prison nurse",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    pregnancy = Pregnancy.objects.get()
    assert pregnancy.woman == woman and pregnancy.episode == woman.current_episode
    assert pregnancy.known_since == known and pregnancy.antenatal_care_contacts == 1
    assert pregnancy.is_ongoing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"known_since": ""}, "id_known_since"),
        ({"known_since": "2999-01-01"}, "id_known_since"),
        ({"expected_delivery_date": "2000-01-01"}, "id_expected_delivery_date"),
        ({"antenatal_care_contacts": "-1"}, "id_antenatal_care_contacts"),
    ],
)
def test_a_refused_pregnancy_shows_why_beside_the_field(
    client, monitor, woman, today, changes, field
):
    data = {"known_since": today.isoformat(), "antenatal_care_contacts": "0", **changes}
    client.force_login(monitor)
    response = client.post(pregnancy_url(woman), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    assert not Pregnancy.objects.exists()


def test_a_second_ongoing_pregnancy_is_refused(client, monitor, woman, pregnancy, today):
    client.force_login(monitor)
    response = client.post(
        pregnancy_url(woman), {"known_since": today.isoformat(), "antenatal_care_contacts": "0"}
    )
    assert response.status_code == 200
    assert 'id="id_known_since_error"' in response.content.decode()
    assert Pregnancy.objects.count() == 1


def test_a_birth_after_a_transfer_puts_the_baby_in_her_new_prison(
    client, monitor, prisons, woman, pregnancy, today
):
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        today - timedelta(days=10),
        version=current_version(woman.current_episode),
    )
    born = today - timedelta(days=3)
    client.force_login(monitor)
    assert client.get(outcome_url(pregnancy)).status_code == 200
    response = client.post(
        outcome_url(pregnancy),
        {
            "outcome": "birth_in_hospital",
            "outcome_date": born.strftime("%d/%m/%Y"),
            "child_name": "Mealea",
            "child_sex": "female",
            "birth_registered": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    child = Child.objects.get()
    assert child.mother == woman and child.pregnancy == pregnancy
    assert (child.name, child.sex, child.date_of_birth) == ("Mealea", "female", born)
    assert child.born_in_custody and child.birth_registered
    placement = child.placements.get()
    assert placement.kind == PlacementKind.IN_PRISON and placement.prison == prisons["KDL"]
    assert placement.start_date == born
    pregnancy.refresh_from_db()
    assert (pregnancy.outcome, pregnancy.outcome_date) == ("birth_in_hospital", born)


def test_a_pregnancy_loss_records_no_child(client, monitor, pregnancy, today):
    client.force_login(monitor)
    response = client.post(
        outcome_url(pregnancy),
        {"outcome": "loss", "outcome_date": today.isoformat(), "child_sex": "unknown"},
    )
    assert response.status_code == 302
    pregnancy.refresh_from_db()
    assert pregnancy.outcome == "loss" and not Child.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"outcome": "birth_after_release"}, "id_outcome"),
        ({"outcome": ""}, "id_outcome"),
        ({"outcome": "loss", "child_name": "Mealea"}, "id_child_name"),
        ({"outcome_date": "2000-01-01"}, "id_outcome_date"),
        ({"outcome_date": "2999-01-01"}, "id_outcome_date"),
    ],
)
def test_a_refused_outcome_shows_why_beside_the_field(
    client, monitor, pregnancy, today, changes, field
):
    data = {
        "outcome": "birth_in_prison",
        "outcome_date": today.isoformat(),
        "child_sex": "unknown",
        **changes,
    }
    client.force_login(monitor)
    response = client.post(outcome_url(pregnancy), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    pregnancy.refresh_from_db()
    assert pregnancy.is_ongoing and not Child.objects.exists()


def test_an_outcome_is_recorded_once(client, monitor, pregnancy, today):
    data = {"outcome": "birth_in_prison", "outcome_date": today.isoformat(), "child_sex": "male"}
    client.force_login(monitor)
    assert client.post(outcome_url(pregnancy), data).status_code == 302
    response = client.post(outcome_url(pregnancy), data)
    assert response.status_code == 200
    assert 'id="id_outcome_error"' in response.content.decode()
    assert Child.objects.count() == 1


def test_a_pregnancy_of_another_woman_is_not_found(client, monitor, prisons, pregnancy, today):
    other = admit(monitor, prisons["KDL"], admission_date=today - timedelta(days=5), today=today)
    client.force_login(monitor)
    url = reverse("people:pregnancy_outcome", args=[other.reference, pregnancy.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, pregnancy, today, role):
    client.force_login(users[role])
    assert client.get(pregnancy_url(woman)).status_code == 403
    assert client.get(outcome_url(pregnancy)).status_code == 403
    data = {"outcome": "birth_in_prison", "outcome_date": today.isoformat(), "child_sex": "male"}
    assert client.post(outcome_url(pregnancy), data).status_code == 403
    assert client.post(pregnancy_url(woman), {"known_since": today.isoformat()}).status_code == 403
    assert Pregnancy.objects.count() == 1 and not Child.objects.exists()


def test_a_woman_outside_the_scope_is_not_found(client, users, woman, pregnancy, today):
    client.force_login(users["other_monitor"])
    assert client.get(pregnancy_url(woman)).status_code == 404
    data = {"outcome": "birth_in_prison", "outcome_date": today.isoformat(), "child_sex": "male"}
    assert client.post(outcome_url(pregnancy), data).status_code == 404
    pregnancy.refresh_from_db()
    assert pregnancy.is_ongoing and not Child.objects.exists()
