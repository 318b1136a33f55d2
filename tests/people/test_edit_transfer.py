"""Recording a transfer: she and the children living with her move; a stale page is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import services
from motherline.people.models import CustodyEpisode, PlacementKind, Transfer
from tests.factories import admit, child_in_prison, current_version, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    """In CC2 for 100 days with a baby living with her."""
    return reload(
        admit(
            monitor,
            prisons["CC2"],
            admission_date=today - timedelta(days=100),
            children=[child_in_prison(today - timedelta(days=200))],
            today=today,
        )
    )


def url(woman) -> str:
    return reverse("people:transfer", args=[woman.reference])


def test_the_form_offers_the_other_prisons_that_hold_women(client, monitor, woman):
    client.force_login(monitor)
    response = client.get(url(woman))
    assert response.status_code == 200
    form = response.context["form"]
    assert [code for code, _name in form.fields["to_prison"].choices if code] == ["KDL"]
    assert form.initial["version"] == woman.current_episode.version
    assert 'name="version"' in response.content.decode()
    # The page shows her name: the read is on the audit trail.
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert (event.user, event.object_ref) == (monitor, woman.reference)


def test_a_transfer_moves_her_and_her_baby(client, monitor, prisons, woman, today):
    client.force_login(monitor)
    moved = today - timedelta(days=10)
    response = client.post(
        url(woman),
        {
            "to_prison": prisons["KDL"].code,
            "transfer_date": moved.strftime("%d/%m/%Y"),
            "reason": "Closer to her family",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    transfer = Transfer.objects.get()
    assert (transfer.from_prison, transfer.to_prison) == (prisons["CC2"], prisons["KDL"])
    assert transfer.transfer_date == moved and transfer.reason == "Closer to her family"
    episode = CustodyEpisode.objects.get()
    assert episode.current_prison == prisons["KDL"] and episode.version == 2
    baby = woman.children.get()
    now = baby.placements.get(end_date__isnull=True)
    assert now.kind == PlacementKind.IN_PRISON and now.prison == prisons["KDL"]
    assert baby.placements.get(end_date=moved).prison == prisons["CC2"]
    page = client.get(response["Location"])
    assert "Transfer to Kandal Provincial Prison recorded." in [
        str(m) for m in page.context["messages"]
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"transfer_date": "2000-01-01"}, "id_transfer_date"),
        ({"transfer_date": ""}, "id_transfer_date"),
        ({"to_prison": "CC1"}, "id_to_prison"),
        ({"to_prison": "CC2"}, "id_to_prison"),
    ],
)
def test_a_refused_transfer_shows_why_beside_the_field(
    client, monitor, prisons, woman, today, changes, field
):
    data = {"to_prison": prisons["KDL"].code, "transfer_date": today.isoformat(), "version": "1"}
    data.update(changes)
    if data["to_prison"] in prisons:
        data["to_prison"] = prisons[data["to_prison"]].code
    client.force_login(monitor)
    response = client.post(url(woman), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    assert not Transfer.objects.exists()
    assert CustodyEpisode.objects.get().current_prison == prisons["CC2"]


def test_a_stale_page_is_refused_and_the_first_transfer_survives(
    client, monitor, prisons, woman, today
):
    client.force_login(monitor)
    first = {
        "to_prison": prisons["KDL"].code,
        "transfer_date": (today - timedelta(days=5)).isoformat(),
        "version": "1",
    }
    assert client.post(url(woman), first).status_code == 302
    second = {**first, "to_prison": prisons["CC2"].code, "transfer_date": today.isoformat()}
    response = client.post(url(woman), second)
    assert response.status_code == 200
    assert "Someone else changed this record" in response.context["form"].non_field_errors()[0]
    assert 'class="form-errors"' in response.content.decode()
    assert Transfer.objects.count() == 1
    assert CustodyEpisode.objects.get().current_prison == prisons["KDL"]


def test_a_released_woman_cannot_be_transferred(client, monitor, prisons, woman, today):
    services.record_release(
        monitor,
        woman.current_episode,
        today,
        "acquittal",
        version=current_version(woman.current_episode),
    )
    client.force_login(monitor)
    response = client.post(
        url(woman),
        {
            "to_prison": prisons["KDL"].code,
            "transfer_date": today.isoformat(),
            "version": current_version(woman.current_episode),
        },
    )
    assert response.status_code == 200
    assert 'id="id_transfer_date_error"' in response.content.decode()
    assert not Transfer.objects.exists()


def test_a_liaison_transfers_a_woman_of_her_prison(client, users, prisons, woman, today):
    client.force_login(users["prison_liaison"])
    data = {"to_prison": prisons["KDL"].code, "transfer_date": today.isoformat(), "version": 1}
    response = client.post(url(woman), data)
    assert response.status_code == 302
    assert CustodyEpisode.objects.get().current_prison == prisons["KDL"]
    # She is no longer in the liaison's prison, so no longer in the liaison's scope.
    assert client.get(url(woman)).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, prisons, woman, today, role):
    client.force_login(users[role])
    assert client.get(url(woman)).status_code == 403
    data = {"to_prison": prisons["KDL"].code, "transfer_date": today.isoformat()}
    assert client.post(url(woman), data).status_code == 403
    assert not Transfer.objects.exists()


def test_a_woman_outside_the_scope_is_not_found(client, users, prisons, woman, today):
    client.force_login(users["other_monitor"])
    data = {"to_prison": prisons["KDL"].code, "transfer_date": today.isoformat()}
    assert client.get(url(woman)).status_code == 404
    assert client.post(url(woman), data).status_code == 404
    assert not Transfer.objects.exists()
