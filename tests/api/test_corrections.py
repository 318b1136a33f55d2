"""PATCH /api/v1/women/{reference} and /women/{reference}/episodes/{id}: corrections with
the version last read; 409 when someone changed the record since, 422 for a bad field,
404 outside the user's edit scope."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import services
from motherline.people.models import CustodyEpisode
from tests.conftest import TODAY
from tests.factories import admit, current_version, reload

ADMITTED = TODAY - timedelta(days=100)
STALE = "Someone else changed this record while you were editing it."


@pytest.fixture
def woman(users, prisons, offences):
    return admit(
        users["monitor"],
        prisons["CC2"],
        admission_date=ADMITTED,
        name="Sokha Chan",
        date_of_birth=date(1990, 3, 10),
        offences=[offences["theft"]],
    )


def patch(api, path: str, body: dict[str, Any]):
    return api.client.patch(f"/api/v1{path}", body, content_type="application/json")


def woman_path(woman) -> str:
    return f"/women/{woman.reference}"


def episode_path(woman, episode=None) -> str:
    episode = episode or woman.current_episode
    return f"/women/{woman.reference}/episodes/{episode.pk}"


def changes() -> int:
    return AuditEvent.objects.filter(action=AuditAction.CHANGE).count()


def test_the_record_gives_the_versions_to_send_back(api, users, woman):
    body = api.login(users["monitor"]).get(woman_path(woman)).json()

    assert body["version"] == 1
    [episode] = body["episodes"]
    assert (episode["id"], episode["version"]) == (woman.current_episode.pk, 1)


# Her details


def test_a_correction_changes_only_the_fields_sent(api, users, woman):
    response = patch(
        api.login(users["monitor"]),
        woman_path(woman),
        {"version": 1, "name": " Sokhom Chan ", "date_of_birth": "1991-03-10", "language": "km"},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["version"], body["name"], body["date_of_birth"]) == (
        2,
        "Sokhom Chan",
        "1991-03-10",
    )
    stored = reload(woman)
    assert (stored.name, stored.language, stored.version) == ("Sokhom Chan", "km", 2)
    assert stored.register_number == woman.register_number
    [event] = AuditEvent.objects.filter(action=AuditAction.CHANGE)
    assert event.changes["fields"] == ["date_of_birth", "language", "name"]
    assert "Sokh" not in str(event.changes)


def test_a_null_date_of_birth_clears_it(api, users, woman):
    response = patch(
        api.login(users["monitor"]), woman_path(woman), {"version": 1, "date_of_birth": None}
    )

    assert response.status_code == 200
    assert reload(woman).date_of_birth is None


def test_a_stale_version_is_a_conflict_and_the_first_change_stands(api, users, woman):
    services.update_woman(users["legal_officer"], woman, {"name": "First Save"}, version=1)

    response = patch(api.login(users["monitor"]), woman_path(woman), {"version": 1, "name": "Late"})

    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"__all__"}
    assert response.json()["errors"]["__all__"][0].startswith(STALE)
    stored = reload(woman)
    assert (stored.name, stored.version) == ("First Save", 2)
    assert changes() == 1


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"version": 1, "date_of_birth": (TODAY + timedelta(days=1)).isoformat()},
            {"date_of_birth"},
        ),
        ({"version": 1, "date_of_birth": "2020-01-01"}, {"date_of_birth"}),
        ({"version": 1, "name": "  "}, {"name"}),
        ({"version": 1, "name": None}, {"name"}),
        ({"version": 1, "dependent_children": -1}, {"dependent_children"}),
        ({"version": 1, "consent_scope": "everyone"}, {"consent_scope"}),
        ({"version": 1, "is_sole_carer": None}, {"is_sole_carer"}),
        ({"name": "No Version"}, {"version"}),
    ],
)
def test_a_bad_field_is_refused(api, users, woman, body, errors):
    response = patch(api.login(users["monitor"]), woman_path(woman), body)

    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == errors
    stored = reload(woman)
    assert (stored.name, stored.date_of_birth, stored.version) == (
        "Sokha Chan",
        date(1990, 3, 10),
        1,
    )


@pytest.mark.parametrize("who", ["other_monitor", "un_monitor"])
def test_outside_the_edit_scope_is_not_found(api, users, prisons, who):
    # Shared with partners: the UN monitor reads her record but may not change it.
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners", name="Shared")
    api.login(users[who])

    response = patch(api, woman_path(shared), {"version": 1, "name": "Changed"})

    assert response.status_code == 404
    assert reload(shared).name == "Shared"


def test_a_role_that_may_not_edit_is_forbidden(api, users, woman):
    response = patch(api.login(users["viewer"]), woman_path(woman), {"version": 1, "name": "X"})

    assert response.status_code == 403
    assert reload(woman).name == "Sokha Chan"


# Her custody


def test_an_episode_correction_replaces_the_charges(api, users, woman):
    response = patch(
        api.login(users["monitor"]),
        episode_path(woman),
        {
            "version": 1,
            "court": "Phnom Penh Court",
            "sentence_months": 18,
            "offences": ["drug_possession", "theft"],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["version"], body["court"]) == (
        woman.current_episode.pk,
        2,
        "Phnom Penh Court",
    )
    assert sorted(c["offence"] for c in body["charges"]) == ["drug_possession", "theft"]
    stored = CustodyEpisode.objects.get()
    assert (stored.sentence_months, stored.version) == (18, 2)
    assert stored.charges.count() == 2


def test_an_episode_changed_since_is_a_conflict(api, users, prisons, woman):
    services.record_transfer(
        users["monitor"],
        woman.current_episode,
        prisons["KDL"],
        TODAY,
        version=current_version(woman.current_episode),
    )

    response = patch(
        api.login(users["monitor"]), episode_path(woman), {"version": 1, "court": "Late"}
    )

    assert response.status_code == 409
    assert set(response.json()["errors"]) == {"__all__"}
    assert CustodyEpisode.objects.get().court == ""


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"version": 1, "expected_release_date": (ADMITTED - timedelta(days=1)).isoformat()},
            {"expected_release_date"},
        ),
        ({"version": 1, "sentence_months": 0}, {"sentence_months"}),
        ({"version": 1, "offences": ["piracy"]}, {"offences"}),
        ({"version": 1, "offences": None}, {"offences"}),
        ({"court": "No Version"}, {"version"}),
    ],
)
def test_a_bad_episode_field_is_refused(api, users, woman, body, errors):
    response = patch(api.login(users["monitor"]), episode_path(woman), body)

    assert response.status_code == 422, response.content
    assert set(response.json()["errors"]) == errors
    stored = CustodyEpisode.objects.get()
    assert (stored.version, stored.charges.get().offence_category.code) == (1, "theft")


def test_an_episode_of_another_woman_is_not_found(api, users, prisons, woman):
    other = admit(users["monitor"], prisons["CC2"], admission_date=ADMITTED)

    response = patch(
        api.login(users["monitor"]),
        episode_path(woman, other.current_episode),
        {"version": 1, "court": "X"},
    )

    assert response.status_code == 404
    assert not CustodyEpisode.objects.exclude(court="").exists()


@pytest.mark.parametrize("who", ["other_monitor", "un_monitor"])
def test_an_episode_outside_the_edit_scope_is_not_found(api, users, prisons, who):
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners")

    response = patch(api.login(users[who]), episode_path(shared), {"version": 1, "court": "X"})

    assert response.status_code == 404
    assert CustodyEpisode.objects.get().court == ""
