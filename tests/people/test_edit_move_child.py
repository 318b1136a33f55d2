"""A child leaves prison for a caregiver outside: the placement in prison closes and the new
one opens on the same day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.people import services
from motherline.people.models import Child, Placement, PlacementKind
from tests.factories import admit, child_in_prison, child_outside


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    return admit(
        monitor,
        prisons["CC2"],
        admission_date=today - timedelta(days=100),
        children=[
            child_in_prison(today - timedelta(days=1000), name="Kunthea"),
            child_outside(today - timedelta(days=3000), name="Vuthy"),
        ],
        today=today,
    )


@pytest.fixture
def child(woman):
    return next(c for c in woman.children.all() if c.name == "Kunthea")


def url(child) -> str:
    return reverse("people:move_child_out", args=[child.reference])


def valid(today, **changes):
    return {
        "move_date": (today - timedelta(days=2)).strftime("%d/%m/%Y"),
        "caregiver_relationship": "grandparent",
        "caregiver_name": "Grandmother Nary",
        "caregiver_location": "Takeo",
        "caregiver_contact": "012 345 678",
        "note": "Handed over at the gate",
        "version": "1",
        **changes,
    }


def test_the_form_shows_where_the_child_lives_now(client, monitor, prisons, child):
    client.force_login(monitor)
    response = client.get(url(child))
    assert response.status_code == 200
    assert response.context["placement"].prison == prisons["CC2"]
    assert response.context["form"].initial["version"] == 1
    # The mother is in prison: "mother (after release)" is not a choice here.
    choices = dict(response.context["form"].fields["caregiver_relationship"].choices)
    assert "mother" not in choices and "grandparent" in choices


def test_moving_a_child_out_closes_the_placement_in_prison(client, monitor, woman, child, today):
    client.force_login(monitor)
    response = client.post(url(child), valid(today))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    moved = today - timedelta(days=2)
    before, after = Placement.objects.filter(child=child).order_by("start_date", "id")
    assert before.kind == PlacementKind.IN_PRISON and before.end_date == moved
    assert after.kind == PlacementKind.WITH_CAREGIVER and after.start_date == moved
    assert after.end_date is None
    assert (after.caregiver_relationship, after.caregiver_name) == (
        "grandparent",
        "Grandmother Nary",
    )
    assert (after.caregiver_location, after.caregiver_contact) == ("Takeo", "012 345 678")
    assert after.note == "Handed over at the gate"
    assert Child.objects.get(pk=child.pk).version == 2


def test_an_ngo_centre_needs_no_named_person(client, monitor, child, today):
    client.force_login(monitor)
    data = valid(today, caregiver_relationship="ngo_centre", caregiver_name="")
    assert client.post(url(child), data).status_code == 302
    assert Placement.objects.get(child=child, end_date__isnull=True).kind == "with_caregiver"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"caregiver_name": ""}, "id_caregiver_name"),
        ({"caregiver_relationship": ""}, "id_caregiver_relationship"),
        ({"caregiver_relationship": "mother"}, "id_caregiver_relationship"),
        ({"move_date": "01/01/2000"}, "id_move_date"),
        ({"move_date": "2999-01-01"}, "id_move_date"),
        ({"move_date": ""}, "id_move_date"),
    ],
)
def test_a_refused_move_shows_why_beside_the_field(client, monitor, child, today, changes, field):
    client.force_login(monitor)
    response = client.post(url(child), valid(today, **changes))
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    placement = Placement.objects.get(child=child)
    assert placement.kind == PlacementKind.IN_PRISON and placement.end_date is None


def test_a_child_living_outside_cannot_be_moved_out(client, monitor, woman, today):
    outside = next(c for c in woman.children.all() if c.name == "Vuthy")
    client.force_login(monitor)
    response = client.post(url(outside), valid(today))
    assert response.status_code == 200
    assert 'id="id_move_date_error"' in response.content.decode()
    assert Placement.objects.filter(child=outside).count() == 1


def test_a_stale_page_is_refused_and_the_first_move_survives(client, monitor, child, today):
    services.move_child_out(monitor, child, today - timedelta(days=1), "father", "Sok", version=1)
    client.force_login(monitor)
    response = client.post(url(child), valid(today))
    assert response.status_code == 200
    assert "Someone else changed this record" in response.context["form"].non_field_errors()[0]
    current = Placement.objects.get(child=child, end_date__isnull=True)
    assert (current.caregiver_relationship, current.caregiver_name) == ("father", "Sok")


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, child, today, role):
    client.force_login(users[role])
    assert client.get(url(child)).status_code == 403
    assert client.post(url(child), valid(today)).status_code == 403
    assert Placement.objects.get(child=child).end_date is None


def test_a_child_outside_the_scope_is_not_found(client, users, child, today):
    client.force_login(users["other_monitor"])
    assert client.get(url(child)).status_code == 404
    assert client.post(url(child), valid(today)).status_code == 404
    assert Placement.objects.get(child=child).end_date is None
