"""Escalation contacts: managed by programme managers of the organisation, page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motherline.fieldwork.models import EscalationContact
from tests.fieldwork.conftest import Api


def test_manager_adds_and_removes_a_contact(client, users, orgs):
    client.force_login(users["programme_manager"])
    response = client.post(
        reverse("fieldwork:escalation"),
        {"name": "UN focal point", "position": "Officer", "email": "focal@un.example.org"},
    )
    assert response.status_code == 302
    contact = EscalationContact.objects.get()
    assert contact.organisation == orgs["ngo"]
    again = client.post(
        reverse("fieldwork:escalation"), {"name": "Again", "email": "FOCAL@un.example.org"}
    )
    assert "already a contact" in again.text
    client.post(reverse("fieldwork:remove_contact", args=[contact.pk]))
    assert not EscalationContact.objects.exists()


@pytest.mark.parametrize("who", ["monitor", "analyst"])
def test_others_may_not(client, users, orgs, who):
    contact = EscalationContact.objects.create(
        organisation=orgs["ngo"], name="X", email="x@example.org"
    )
    client.force_login(users[who])
    assert client.get(reverse("fieldwork:escalation")).status_code == 403
    assert client.post(reverse("fieldwork:remove_contact", args=[contact.pk])).status_code == 403
    assert EscalationContact.objects.exists()


def test_contacts_api(client, users, orgs):
    other = EscalationContact.objects.create(
        organisation=orgs["other"], name="Other", email="o@example.org"
    )
    api = Api(client, users["programme_manager"])
    response = api.post("/escalation-contacts", {"name": "UN", "email": "un@example.org"})
    assert response.status_code == 201
    assert [c["email"] for c in api.get("/escalation-contacts").json()] == ["un@example.org"]
    assert (
        api.post("/escalation-contacts", {"name": "B", "email": "not-an-address"}).status_code
        == 422
    )
    assert client.delete(f"/api/v1/escalation-contacts/{other.pk}").status_code == 404
    mine = response.json()["id"]
    assert client.delete(f"/api/v1/escalation-contacts/{mine}").status_code == 204
    assert list(EscalationContact.objects.all()) == [other]
