"""Recording a release: her custody closes and the children living with her leave with her."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.people import services
from motherline.people.models import CustodyEpisode, PlacementKind, Woman
from tests.factories import admit, child_in_prison, child_outside, current_version, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    """In CC2 for 100 days, a baby with her and a son outside with his grandmother."""
    return reload(
        admit(
            monitor,
            prisons["CC2"],
            admission_date=today - timedelta(days=100),
            children=[
                child_in_prison(today - timedelta(days=200), name="Baby Dara"),
                child_outside(today - timedelta(days=3000), name="Vuthy"),
            ],
            today=today,
        )
    )


def url(woman) -> str:
    return reverse("people:release", args=[woman.reference])


def test_the_page_names_the_children_who_will_leave_with_her(client, monitor, woman):
    client.force_login(monitor)
    response = client.get(url(woman))
    assert response.status_code == 200
    assert [c.name for c in response.context["children_in_prison"]] == ["Baby Dara"]
    assert response.context["form"].initial["version"] == 1


def test_a_release_closes_her_custody_and_her_baby_leaves_with_her(client, monitor, woman, today):
    released = today - timedelta(days=1)
    client.force_login(monitor)
    response = client.post(
        url(woman),
        {
            "release_date": released.strftime("%d/%m/%Y"),
            "reason": "royal_pardon",
            "note": "Pardon for the King's birthday",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    episode = CustodyEpisode.objects.get()
    assert (episode.release_date, episode.release_reason) == (released, "royal_pardon")
    assert episode.release_note == "Pardon for the King's birthday"
    assert Woman.objects.get().current_episode is None
    baby = next(c for c in woman.children.all() if c.name == "Baby Dara")
    assert baby.placements.get(kind=PlacementKind.IN_PRISON).end_date == released
    with_her = baby.placements.get(end_date__isnull=True)
    assert with_her.kind == PlacementKind.WITH_CAREGIVER
    assert with_her.caregiver_relationship == "mother" and with_her.start_date == released
    assert next(c for c in woman.children.all() if c.name == "Vuthy").placements.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"release_date": "01/01/2000"}, "id_release_date"),
        ({"release_date": "tomorrow"}, "id_release_date"),
        ({"reason": ""}, "id_reason"),
        ({"reason": "escape"}, "id_reason"),
    ],
)
def test_a_refused_release_shows_why_beside_the_field(
    client, monitor, woman, today, changes, field
):
    data = {"release_date": today.isoformat(), "reason": "acquittal", "version": "1", **changes}
    client.force_login(monitor)
    response = client.post(url(woman), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    assert CustodyEpisode.objects.get().release_date is None
    assert Woman.objects.get().current_episode is not None


def test_a_release_before_her_transfer_is_refused(client, monitor, prisons, woman, today):
    moved = today - timedelta(days=10)
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        moved,
        version=current_version(woman.current_episode),
    )
    client.force_login(monitor)
    response = client.post(
        url(woman),
        {
            "release_date": (moved - timedelta(days=1)).isoformat(),
            "reason": "acquittal",
            "version": current_version(woman.current_episode),
        },
    )
    assert response.status_code == 200
    assert 'id="id_release_date_error"' in response.content.decode()
    assert CustodyEpisode.objects.get().release_date is None


def test_a_stale_page_is_refused_and_the_first_change_survives(
    client, monitor, prisons, woman, today
):
    client.force_login(monitor)
    page = client.get(url(woman))
    version = page.context["form"].initial["version"]
    # Someone records a transfer while this page is open.
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        today,
        version=current_version(woman.current_episode),
    )
    response = client.post(
        url(woman), {"release_date": today.isoformat(), "reason": "acquittal", "version": version}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="form-errors"' in response.content.decode()
    episode = CustodyEpisode.objects.get()
    assert episode.release_date is None and episode.current_prison == prisons["KDL"]


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, today, role):
    client.force_login(users[role])
    assert client.get(url(woman)).status_code == 403
    data = {"release_date": today.isoformat(), "reason": "acquittal"}
    assert client.post(url(woman), data).status_code == 403
    assert CustodyEpisode.objects.get().release_date is None


def test_a_woman_outside_the_scope_is_not_found(client, users, woman, today):
    client.force_login(users["other_monitor"])
    data = {"release_date": today.isoformat(), "reason": "acquittal"}
    assert client.get(url(woman)).status_code == 404
    assert client.post(url(woman), data).status_code == 404
    assert CustodyEpisode.objects.get().release_date is None
