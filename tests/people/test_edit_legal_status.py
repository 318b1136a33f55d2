"""Recording a change of legal status, with the sentence once she is convicted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.people import services
from motherline.people.models import CustodyEpisode, LegalStatusChange
from tests.factories import admit, current_version, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, today):
    return reload(
        admit(monitor, prisons["CC2"], admission_date=today - timedelta(days=100), today=today)
    )


def url(woman) -> str:
    return reverse("people:legal_status", args=[woman.reference])


def test_a_conviction_is_recorded_with_the_sentence(client, monitor, woman, today):
    convicted = today - timedelta(days=7)
    release = today + timedelta(days=300)
    client.force_login(monitor)
    assert client.get(url(woman)).status_code == 200
    response = client.post(
        url(woman),
        {
            "status": "convicted",
            "effective_date": convicted.strftime("%d/%m/%Y"),
            "sentence_months": "12",
            "expected_release_date": release.isoformat(),
            "note": "Judgment read in court",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    episode = CustodyEpisode.objects.get()
    assert (episode.legal_status, episode.legal_status_since) == ("convicted", convicted)
    assert episode.sentence_months == 12 and episode.expected_release_date == release
    assert list(LegalStatusChange.objects.values_list("status", "note")) == [
        ("pretrial", "At admission"),
        ("convicted", "Judgment read in court"),
    ]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"status": "pretrial"}, "id_status"),
        ({"sentence_months": ""}, "id_sentence_months"),
        ({"sentence_months": "0"}, "id_sentence_months"),
        ({"effective_date": "2000-01-01"}, "id_effective_date"),
        ({"expected_release_date": "2000-01-01"}, "id_expected_release_date"),
    ],
)
def test_a_refused_change_shows_why_beside_the_field(client, monitor, woman, today, changes, field):
    data = {
        "status": "convicted",
        "effective_date": today.isoformat(),
        "sentence_months": "12",
        "version": "1",
        **changes,
    }
    client.force_login(monitor)
    response = client.post(url(woman), data)
    assert response.status_code == 200
    assert f'id="{field}_error"' in response.content.decode()
    assert CustodyEpisode.objects.get().legal_status == "pretrial"
    assert LegalStatusChange.objects.count() == 1


def test_a_stale_page_is_refused(client, monitor, prisons, woman, today):
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        today,
        version=current_version(woman.current_episode),
    )
    client.force_login(monitor)
    data = {
        "status": "convicted",
        "effective_date": today.isoformat(),
        "sentence_months": "12",
        "version": "1",
    }
    response = client.post(url(woman), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert CustodyEpisode.objects.get().legal_status == "pretrial"


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, today, role):
    client.force_login(users[role])
    assert client.get(url(woman)).status_code == 403
    data = {"status": "convicted", "effective_date": today.isoformat(), "sentence_months": "3"}
    assert client.post(url(woman), data).status_code == 403
    assert LegalStatusChange.objects.count() == 1


def test_a_woman_outside_the_scope_is_not_found(client, users, woman):
    client.force_login(users["other_monitor"])
    assert client.get(url(woman)).status_code == 404
