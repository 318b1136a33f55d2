"""Administration stays inside one organisation: an organisation's administrator lists,
resets and audits only that organisation's accounts; a deployment administrator reaches every
organisation and reads no personal record."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from motherline.accounts.policy import Capability, administered_users, can, scope_audit


@pytest.fixture
def enrolled_monitor(users):
    TOTPDevice.objects.create(user=users["monitor"], name="phone", confirmed=True)
    return users["monitor"]


@pytest.fixture
def events(users, other_admin):
    """What each organisation's accounts did, and failed sign-ins that tried their names."""
    ngo_monitor, other_monitor = users["monitor"], users["other_monitor"]
    return {
        "ngo_read": AuditEvent.objects.create(
            user=ngo_monitor,
            username="monitor",
            action=AuditAction.VIEW,
            object_type="people.Woman",
            object_ref="W-NGO00001",
            ip_address="10.0.0.5",
        ),
        "other_read": AuditEvent.objects.create(
            user=other_monitor,
            username="other_monitor",
            action=AuditAction.VIEW,
            object_type="people.Woman",
            object_ref="W-OTH00001",
            ip_address="10.9.9.9",
        ),
        "ngo_failed": AuditEvent.objects.create(
            action=AuditAction.LOGIN_FAILED, changes={"username": "monitor"}
        ),
        "other_failed": AuditEvent.objects.create(
            action=AuditAction.LOGIN_FAILED, changes={"username": "other_monitor"}
        ),
        "unknown_failed": AuditEvent.objects.create(
            action=AuditAction.LOGIN_FAILED, changes={"username": "nobody"}
        ),
    }


def test_the_policy_gives_each_administrator_their_own_accounts(
    users, other_admin, deployment_admin
):
    ngo = set(administered_users(users["administrator"]).values_list("username", flat=True))
    assert "monitor" in ngo and "other_monitor" not in ngo and "other_admin" not in ngo
    # A deployment administrator in the NGO's own list is not the NGO's to manage.
    assert "deployment_administrator" not in ngo
    other = set(administered_users(other_admin).values_list("username", flat=True))
    assert other == {"other_monitor", "other_admin"}
    assert administered_users(deployment_admin).count() == User.objects.count()
    assert not administered_users(users["monitor"]).exists()


def test_a_deployment_administrator_administers_without_an_organisation_and_reads_no_record(
    client, deployment_admin
):
    assert can(deployment_admin, Capability.ADMINISTER)
    assert can(deployment_admin, Capability.ADMINISTER_DEPLOYMENT)
    assert not can(deployment_admin, Capability.VIEW_REGISTER)
    client.force_login(deployment_admin)
    assert client.get(reverse("people:women")).status_code == 403
    assert client.get("/api/v1/women").status_code == 403


def test_an_organisation_administrator_is_not_a_deployment_administrator(users):
    assert can(users["administrator"], Capability.ADMINISTER)
    assert not can(users["administrator"], Capability.ADMINISTER_DEPLOYMENT)


def test_the_users_page_lists_only_the_organisations_accounts(client, users, other_admin):
    client.force_login(other_admin)
    response = client.get(reverse("security:users"))
    assert response.status_code == 200
    listed = {account.username for account in response.context["accounts"]}
    assert listed == {"other_monitor", "other_admin"}
    assert b"legal_officer" not in response.content


def test_another_organisations_administrator_cannot_reset_a_second_factor(
    client, other_admin, enrolled_monitor
):
    client.force_login(other_admin)
    url = reverse("security:reset_two_factor", args=[enrolled_monitor.pk])
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=enrolled_monitor).exists()
    assert not AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).exists()


def test_the_own_administrator_and_the_deployment_administrator_may_reset(
    client, users, deployment_admin, enrolled_monitor
):
    url = reverse("security:reset_two_factor", args=[enrolled_monitor.pk])
    for admin in (users["administrator"], deployment_admin):
        TOTPDevice.objects.get_or_create(user=enrolled_monitor, name="phone", confirmed=True)
        client.force_login(admin)
        assert client.post(url, {"reason": "Lost phone"}).status_code == 302
        assert not TOTPDevice.objects.filter(user=enrolled_monitor).exists()
        event = AuditEvent.objects.filter(action=AuditAction.TWO_FACTOR_RESET).latest("id")
        assert event.user == admin and event.object_ref == str(enrolled_monitor.pk)


def test_an_organisation_administrator_cannot_reset_a_deployment_administrator(client, users, orgs):
    deployer = User.objects.create_user(
        username="ngo_deployer", organisation=orgs["ngo"], role=Role.DEPLOYMENT_ADMINISTRATOR
    )
    TOTPDevice.objects.create(user=deployer, name="phone", confirmed=True)
    client.force_login(users["administrator"])
    url = reverse("security:reset_two_factor", args=[deployer.pk])
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=deployer).exists()


def _refs(queryset) -> set[str]:
    return {e.object_ref or e.changes.get("username", "") for e in queryset}


def test_the_audit_scope_of_each_administrator(users, other_admin, deployment_admin, events):
    everything = AuditEvent.objects.all()
    assert _refs(scope_audit(everything, users["administrator"])) >= {"W-NGO00001", "monitor"}
    assert _refs(scope_audit(everything, users["administrator"])).isdisjoint(
        {"W-OTH00001", "other_monitor", "nobody"}
    )
    assert _refs(scope_audit(everything, other_admin)) == {"W-OTH00001", "other_monitor"}
    assert scope_audit(everything, deployment_admin).count() == everything.count()
    assert not scope_audit(everything, users["monitor"]).exists()


def test_the_audit_page_export_and_api_show_only_the_organisations_trail(
    client, other_admin, events
):
    client.force_login(other_admin)
    page = client.get(reverse("security:audit"))
    assert page.status_code == 200
    shown = {row[0].pk for row in page.context["rows"]}
    assert events["ngo_read"].pk not in shown and events["ngo_failed"].pk not in shown
    assert events["other_read"].pk in shown and events["other_failed"].pk in shown
    assert b"W-NGO00001" not in page.content and b"10.0.0.5" not in page.content

    export = client.get(reverse("security:audit_export"))
    text = b"".join(export.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["record"] for row in rows} >= {"W-OTH00001"}
    assert "W-NGO00001" not in text and "10.0.0.5" not in text
    assert all(row["user"] in {"", "other_monitor", "other_admin"} for row in rows)

    api = client.get("/api/v1/audit", {"size": 500}).json()
    ids = {item["id"] for item in api["items"]}
    assert events["ngo_read"].pk not in ids and events["other_read"].pk in ids
    assert api["total"] == len(ids)


def test_searching_by_another_organisations_user_name_finds_nothing(client, other_admin, events):
    client.force_login(other_admin)
    body = client.get("/api/v1/audit", {"user": "monitor"}).json()
    assert body["total"] == 0 and body["items"] == []


def test_the_deployment_administrator_reads_the_whole_trail(client, deployment_admin, events):
    client.force_login(deployment_admin)
    body = client.get("/api/v1/audit", {"size": 500}).json()
    ids = {item["id"] for item in body["items"]}
    assert {event.pk for event in events.values()} <= ids
