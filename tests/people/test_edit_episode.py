"""Correcting a custody episode on the web: court, case, sentence, expected release and
offences; a page loaded before someone else's change is refused."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from motherline.accounts.models import AuditEvent
from motherline.people import services
from motherline.people.models import CustodyEpisode, Woman
from tests.factories import admit, current_version, reload


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def woman(monitor, prisons, offences, today):
    return reload(
        admit(
            monitor,
            prisons["CC2"],
            admission_date=today - timedelta(days=100),
            court="Phnom Penh Court",
            offences=[offences["theft"]],
            today=today,
        )
    )


@pytest.fixture
def episode(woman) -> CustodyEpisode:
    return woman.current_episode


def url(woman: Woman, episode: CustodyEpisode) -> str:
    return reverse("people:edit_episode", args=[woman.reference, episode.pk])


def form_data(episode: CustodyEpisode, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "court": episode.court,
        "case_number": episode.case_number,
        "sentence_months": episode.sentence_months or "",
        "expected_release_date": episode.expected_release_date or "",
        "offences": [c.offence_category.code for c in episode.charges.all()],
        "version": episode.version,
    }
    data.update(changes)
    return data


def test_the_form_is_filled_in_with_the_custody(client, monitor, offences, woman, episode):
    client.force_login(monitor)
    response = client.get(url(woman, episode))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["court"] == "Phnom Penh Court"
    assert form.initial["offences"] == [offences["theft"].code]
    assert 'value="Phnom Penh Court"' in response.text
    assert 'name="version" value="1"' in response.text
    checked = re.findall(r'name="offences" value="([^"]+)"[^>]* checked', response.text)
    assert checked == [str(offences["theft"].code)]


def test_a_correction_is_saved(client, monitor, offences, woman, episode, today):
    client.force_login(monitor)
    release = today + timedelta(days=300)
    response = client.post(
        url(woman, episode),
        form_data(
            episode,
            case_number="CASE-42",
            sentence_months=12,
            expected_release_date=release.strftime("%d/%m/%Y"),
            offences=[offences["drugs"].code],
        ),
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("people:woman", args=[woman.reference])
    stored = CustodyEpisode.objects.get(pk=episode.pk)
    assert (stored.case_number, stored.sentence_months, stored.expected_release_date) == (
        "CASE-42",
        12,
        release,
    )
    assert [c.offence_category for c in stored.charges.all()] == [offences["drugs"]]
    assert stored.version == 2
    page = client.get(response["Location"])
    assert "The custody details have been corrected." in [str(m) for m in page.context["messages"]]


def test_a_refused_correction_shows_why_beside_the_field(client, monitor, woman, episode):
    client.force_login(monitor)
    before = episode.admission_date - timedelta(days=1)
    response = client.post(url(woman, episode), form_data(episode, expected_release_date=before))

    assert response.status_code == 200
    assert 'id="id_expected_release_date_error"' in response.text
    assert CustodyEpisode.objects.get().expected_release_date is None


def test_a_page_loaded_before_a_transfer_is_refused(client, monitor, prisons, woman, episode):
    client.force_login(monitor)
    page = client.get(url(woman, episode))
    services.record_transfer(
        monitor, episode, prisons["KDL"], timezone.localdate(), version=current_version(episode)
    )
    data = form_data(episode, court="Kandal Court", version=page.context["form"].initial["version"])
    response = client.post(url(woman, episode), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()[0].startswith("Someone else changed this record")
    assert 'value="Kandal Court"' in response.text
    stored = CustodyEpisode.objects.get()
    assert (stored.court, stored.current_prison, stored.version) == (
        "Phnom Penh Court",
        prisons["KDL"],
        2,
    )
    assert not AuditEvent.objects.filter(changes__has_key="fields").exists()


def test_her_page_offers_the_correction_of_each_custody(client, users, woman, episode):
    link = f'href="{url(woman, episode)}"'
    client.force_login(users["monitor"])
    assert link in client.get(reverse("people:woman", args=[woman.reference])).text
    client.force_login(users["programme_manager"])
    assert link not in client.get(reverse("people:woman", args=[woman.reference])).text


def test_a_released_womans_custody_can_be_corrected(client, monitor, woman, episode):
    services.record_release(
        monitor, episode, timezone.localdate(), "acquittal", version=current_version(episode)
    )
    client.force_login(monitor)
    response = client.post(url(woman, episode), form_data(episode, court="Corrected", version=2))

    assert response.status_code == 302
    assert CustodyEpisode.objects.get().court == "Corrected"


def test_an_episode_of_another_woman_is_not_found(client, monitor, prisons, woman, today):
    other = admit(monitor, prisons["CC2"], admission_date=today - timedelta(days=5), today=today)
    client.force_login(monitor)
    assert client.get(url(woman, other.current_episode)).status_code == 404


@pytest.mark.parametrize("role", ["viewer", "programme_manager"])
def test_roles_that_may_not_edit_get_403(client, users, woman, episode, role):
    client.force_login(users[role])
    assert client.get(url(woman, episode)).status_code == 403
    assert client.post(url(woman, episode), form_data(episode, court="X")).status_code == 403
    assert CustodyEpisode.objects.get().court == "Phnom Penh Court"


@pytest.mark.parametrize("who", ["other_monitor", "un_monitor"])
def test_outside_the_edit_scope_is_not_found(client, users, prisons, today, who):
    # Shared with partners: the UN monitor may read her record, not change it.
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners", today=today)
    episode = shared.current_episode
    client.force_login(users[who])
    assert client.get(url(shared, episode)).status_code == 404
    assert client.post(url(shared, episode), form_data(episode, court="X")).status_code == 404
    assert CustodyEpisode.objects.get().court == ""
