"""Refused lookups of records are on the audit trail, and an account that collects many of
them in a short time makes the administrators of its organisation receive one alert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from motherline.security.refusals import alert_if_over_threshold, alert_recipients
from tests.factories import admit


@pytest.fixture
def foreign_woman(users, prisons):
    """A woman registered by another organisation: outside the NGO monitor's scope."""
    return admit(users["other_monitor"], prisons["CC2"])


def refused(user):
    return AuditEvent.objects.filter(user=user, action=AuditAction.REFUSED)


def test_a_refused_page_lookup_is_recorded(client, users, foreign_woman):
    client.force_login(users["monitor"])
    response = client.get(reverse("people:woman", args=[foreign_woman.reference]))
    assert response.status_code == 404
    event = refused(users["monitor"]).get()
    assert (event.object_type, event.object_ref) == ("people:woman", foreign_woman.reference)
    assert event.changes == {"arguments": {"reference": foreign_woman.reference}, "method": "GET"}


def test_a_refused_api_lookup_is_recorded(client, users, foreign_woman):
    client.force_login(users["monitor"])
    response = client.get(f"/api/v1/women/{foreign_woman.reference}")
    assert response.status_code == 404
    assert refused(users["monitor"]).get().object_ref == foreign_woman.reference


def test_a_lookup_with_a_nul_character_is_recorded_without_it(client, users):
    client.force_login(users["monitor"])
    assert client.get("/women/W-1%00/").status_code == 404
    assert refused(users["monitor"]).get().object_ref == "W-1\\0"


def test_a_page_without_a_record_argument_is_not_a_refused_lookup(client, users):
    client.force_login(users["monitor"])
    assert client.get("/no-such-page/").status_code == 404
    assert not refused(users["monitor"]).exists()


def test_the_records_in_scope_are_not_refusals(client, users, prisons):
    woman = admit(users["monitor"], prisons["CC2"])
    client.force_login(users["monitor"])
    assert client.get(reverse("people:woman", args=[woman.reference])).status_code == 200
    assert not refused(users["monitor"]).exists()


def test_administrators_are_alerted_once_when_refusals_pass_the_threshold(
    client, users, orgs, settings
):
    settings.MOTHERLINE_REFUSAL_ALERT_COUNT = 5
    settings.MOTHERLINE_REFUSAL_ALERT_MINUTES = 10
    admin = users["administrator"]
    admin.email = "admin@ngo.example"
    admin.save()
    other_admin = User.objects.create_user(
        username="other_admin",
        email="admin@other.example",
        organisation=orgs["other"],
        role=Role.ADMINISTRATOR,
    )
    client.force_login(users["monitor"])
    for number in range(4):
        assert client.get(f"/api/v1/women/W-NONE{number:04d}").status_code == 404
    assert mail.outbox == []
    for number in range(4, 12):
        assert client.get(f"/women/W-NONE{number:04d}/").status_code == 404
    assert refused(users["monitor"]).count() == 12
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["admin@ngo.example"]  # not the other organisation's administrator
    assert "monitor" in message.subject and "5" in message.subject
    alert = AuditEvent.objects.get(action=AuditAction.ALERT)
    assert alert.object_ref == str(users["monitor"].pk)
    assert alert.changes["recipients"] == ["administrator"] and alert.changes["refused"] == 5
    assert other_admin.username not in alert.changes["recipients"]


def test_refusals_outside_the_window_do_not_count(client, users, settings):
    settings.MOTHERLINE_REFUSAL_ALERT_COUNT = 3
    users["administrator"].email = "admin@ngo.example"
    users["administrator"].save()
    client.force_login(users["monitor"])
    for number in range(3):
        client.get(f"/women/W-OLD{number:04d}/")
    assert len(mail.outbox) == 1
    later = timezone.now() + timedelta(minutes=30)
    assert not alert_if_over_threshold(users["monitor"], now=later)
    assert len(mail.outbox) == 1


def test_recipients_include_deployment_administrators_when_the_role_exists(users, orgs):
    users["administrator"].email = "admin@ngo.example"
    users["administrator"].save()
    names = [user.username for user in alert_recipients(users["monitor"])]
    assert names == ["administrator"]
    if hasattr(Role, "DEPLOYMENT_ADMINISTRATOR"):
        deployment = User.objects.create_user(
            username="deployment_admin",
            email="ops@example.org",
            role=Role.DEPLOYMENT_ADMINISTRATOR,
        )
        assert deployment in alert_recipients(users["monitor"])


def test_an_api_action_the_role_may_not_take_is_recorded(client, users):
    client.force_login(users["analyst"])
    response = client.post("/api/v1/women", {}, content_type="application/json")
    assert response.status_code == 403
    event = refused(users["analyst"]).get()
    assert event.changes["status"] == 403
    assert event.changes["method"] == "POST"
    assert event.object_type.startswith("api")


def test_a_page_the_role_may_not_open_is_recorded(client, users):
    client.force_login(users["analyst"])
    response = client.get(reverse("people:admit"))
    assert response.status_code == 403
    event = refused(users["analyst"]).get()
    assert (event.object_type, event.changes["status"]) == ("people:admit", 403)
