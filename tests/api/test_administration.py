"""Administration through the API: the same reach as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from motherline.accounts.models import Role, SharingAgreement, User
from tests.conftest import TODAY
from tests.factories import admit

pytestmark = pytest.mark.usefixtures("frozen_today")


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send(client: Client, method: str, url: str, body: dict) -> object:
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_an_administrator_lists_only_their_organisations_accounts(users, other_admin):
    names = {a["username"] for a in _client(other_admin).get("/api/v1/users").json()}
    assert names == {"other_monitor", "other_admin"}
    ngo = {a["username"] for a in _client(users["administrator"]).get("/api/v1/users").json()}
    assert "monitor" in ngo and "other_monitor" not in ngo


def test_another_organisations_account_is_not_found(users, other_admin):
    client = _client(other_admin)
    viewer = users["viewer"]
    assert client.get(f"/api/v1/users/{viewer.pk}").status_code == 404
    body = {"email": "v@x.org", "role": "administrator", "version": 1}
    assert _send(client, "PATCH", f"/api/v1/users/{viewer.pk}", body).status_code == 404
    viewer.refresh_from_db()
    assert viewer.role == Role.VIEWER


def test_a_change_states_its_version(users):
    client = _client(users["administrator"])
    viewer = users["viewer"]
    url = f"/api/v1/users/{viewer.pk}"
    body = {"email": "v@ngo.example.org", "role": "analyst", "organisation": "Women's Justice NGO"}
    missing = _send(client, "PATCH", url, body)
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    done = _send(client, "PATCH", url, {**body, "version": 1})
    assert done.status_code == 200 and done.json()["role"] == "analyst"
    assert done.json()["version"] == 2
    stale = _send(client, "PATCH", url, {**body, "role": "monitor", "version": 1})
    assert stale.status_code == 409
    viewer.refresh_from_db()
    assert viewer.role == Role.ANALYST


def test_a_deactivated_account_loses_its_session(users):
    monitor = users["monitor"]
    own = _client(monitor)
    assert own.get("/api/v1/women").status_code == 200
    client = _client(users["administrator"])
    response = _send(
        client,
        "POST",
        f"/api/v1/users/{monitor.pk}/active",
        {"active": False, "reason": "Left", "version": 1},
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert own.get("/api/v1/women").status_code == 401


def test_an_agreement_through_the_api_opens_and_closes_access(users, orgs, prisons):
    woman = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    reader = _client(users["other_monitor"])
    assert reader.get(f"/api/v1/women/{woman.reference}").status_code == 404
    admin = _client(users["administrator"])
    made = _send(
        admin,
        "POST",
        "/api/v1/sharing-agreements",
        {"partner": "Unrelated NGO", "starts_on": TODAY.isoformat(), "agreed_by": "Director"},
    )
    assert made.status_code == 201 and made.json()["sharer"] == "Women's Justice NGO"
    assert reader.get(f"/api/v1/women/{woman.reference}").status_code == 200
    ended = _send(
        admin,
        "POST",
        f"/api/v1/sharing-agreements/{made.json()['id']}/end",
        {"reason": "Project over", "version": 1},
    )
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert reader.get(f"/api/v1/women/{woman.reference}").status_code == 404
    assert SharingAgreement.objects.get(pk=made.json()["id"]).end_reason == "Project over"


def test_organisations_are_the_deployment_administrators(users, db):
    deployer = User.objects.create_user(username="deploy", role=Role.DEPLOYMENT_ADMINISTRATOR)
    body = {"name": "Children's Rights Cambodia", "kind": "ngo", "jurisdiction": "KH"}
    assert (
        _send(_client(users["administrator"]), "POST", "/api/v1/organisations", body).status_code
        == 403
    )
    made = _send(_client(deployer), "POST", "/api/v1/organisations", body)
    assert made.status_code == 201 and made.json()["jurisdiction"] == "KH"
