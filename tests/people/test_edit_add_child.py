"""Recording a child learnt of after her admission."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.people.models import Child, PlacementKind
from tests.factories import admit, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    return reload(
        admit(monitor, prisons["CC2"], admission_date=today - timedelta(days=100), today=today)
    )


def url(woman) -> str:
    return reverse("people:add_child", args=[woman.reference])


def test_a_child_living_in_prison_with_her(client, monitor, prisons, woman, today):
    since = today - timedelta(days=20)
    client.force_login(monitor)
    assert client.get(url(woman)).status_code == 200
    response = client.post(
        url(woman),
        {
            "name": "Bopha",
            "sex": "female",
            "date_of_birth": (today - timedelta(days=500)).strftime("%d/%m/%Y"),
            "living_in_prison": "yes",
            "since": since.isoformat(),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    child = Child.objects.get()
    assert child.mother == woman and child.name == "Bopha"
    placement = child.placements.get()
    assert placement.kind == PlacementKind.IN_PRISON and placement.prison == prisons["CC2"]
    assert placement.start_date == since


def test_a_child_outside_with_a_caregiver(client, monitor, woman, today):
    client.force_login(monitor)
    response = client.post(
        url(woman),
        {
            "sex": "male",
            "date_of_birth": (today - timedelta(days=3000)).isoformat(),
            "living_in_prison": "no",
            "caregiver_relationship": "father",
            "caregiver_name": "Sok",
        },
    )
    assert response.status_code == 302
    placement = Child.objects.get().placements.get()
    assert placement.kind == PlacementKind.WITH_CAREGIVER
    assert (placement.caregiver_relationship, placement.start_date) == ("father", today)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"date_of_birth": ""}, "id_date_of_birth"),
        ({"date_of_birth": "1950-01-01"}, "id_date_of_birth"),
        ({"living_in_prison": ""}, "id_living_in_prison"),
        ({"living_in_prison": "no"}, "id_caregiver_relationship"),
        ({"caregiver_contact": "012 345 678"}, "id_caregiver_contact"),
        ({"since": "2000-01-01"}, "id_since"),
    ],
)
def test_a_refused_child_shows_why_beside_the_field(client, monitor, woman, today, changes, field):
    data = {
        "sex": "unknown",
        "date_of_birth": (today - timedelta(days=500)).isoformat(),
        "living_in_prison": "yes",
        **changes,
    }
    client.force_login(monitor)
    response = client.post(url(woman), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    assert not Child.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, today, role):
    client.force_login(users[role])
    assert client.get(url(woman)).status_code == 403
    data = {"sex": "unknown", "date_of_birth": "2025-01-01", "living_in_prison": "yes"}
    assert client.post(url(woman), data).status_code == 403
    assert not Child.objects.exists()


def test_a_woman_outside_the_scope_is_not_found(client, users, woman):
    client.force_login(users["other_monitor"])
    assert client.get(url(woman)).status_code == 404
    data = {"sex": "unknown", "date_of_birth": "2025-01-01", "living_in_prison": "yes"}
    assert client.post(url(woman), data).status_code == 404
    assert not Child.objects.exists()
