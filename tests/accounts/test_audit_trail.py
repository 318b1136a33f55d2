"""The audit trail: append-only in the application and in the database, searchable by
administrators on a page and in the API, and every search or export is itself recorded."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.actors import SystemActor
from tests.conftest import PASSWORD


@pytest.fixture
def trail(users):
    """A few events of different kinds, users, records and addresses."""
    monitor, legal = users["monitor"], users["legal_officer"]
    events = [
        AuditEvent.objects.create(
            user=monitor,
            username="monitor",
            action=AuditAction.VIEW,
            object_type="people.Woman",
            object_ref="W-AAAA1111",
            ip_address="10.0.0.5",
        ),
        AuditEvent.objects.create(
            user=monitor,
            username="monitor",
            action=AuditAction.CHANGE,
            object_type="people.Woman",
            object_ref="W-AAAA1111",
            ip_address="10.0.0.5",
            changes={"legal_status": ["pretrial", "sentenced"]},
        ),
        AuditEvent.objects.create(
            user=legal,
            username="legal_officer",
            action=AuditAction.VIEW,
            object_type="people.Child",
            object_ref="C-BBBB2222",
            ip_address="10.0.0.9",
        ),
        AuditEvent.objects.create(
            username="",
            action=AuditAction.LOGIN_FAILED,
            ip_address="192.0.2.7",
            changes={"username": "monitor"},
        ),
    ]
    return events


def test_a_system_actor_is_named_on_the_trail_with_no_user(db):
    event = audit.record(SystemActor("backup"), AuditAction.EXPORT, object_type="backup")
    event.refresh_from_db()
    assert (event.user, event.username) == (None, "system:backup")


def test_no_one_is_recorded_as_no_one(db):
    event = audit.record(None, AuditAction.LOGIN_FAILED, changes={"username": "monitor"})
    event.refresh_from_db()
    assert (event.user, event.username) == (None, "")


# Append-only


def test_an_event_cannot_be_changed_or_deleted_through_the_application(trail):
    event = trail[0]
    event.object_ref = "W-FORGED"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(object_ref="W-FORGED")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.object_ref == "W-AAAA1111"
    assert AuditEvent.objects.count() == 4


def test_the_database_refuses_an_update_behind_the_application(trail):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_auditevent SET object_ref = %s WHERE id = %s",
            ["W-FORGED", trail[0].pk],
        )
    assert AuditEvent.objects.get(pk=trail[0].pk).object_ref == "W-AAAA1111"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="On SQLite the test runner empties tables with DELETE, so only UPDATE is blocked.",
)
def test_postgresql_refuses_a_delete_behind_the_application(trail):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditevent WHERE id = %s", [trail[0].pk])
    assert AuditEvent.objects.filter(pk=trail[0].pk).exists()


# Sign-in, failed sign-in and lockout with the address


def test_sign_in_and_failure_record_the_address(client, users):
    client.post(
        reverse("login"),
        {"username": "monitor", "password": "not-it-at-all"},
        REMOTE_ADDR="203.0.113.4",
    )
    client.post(
        reverse("login"),
        {"username": "monitor", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.4",
    )
    failed = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.ip_address == "203.0.113.4"
    assert failed.changes == {"username": "monitor"}
    signed_in = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert (signed_in.user, signed_in.ip_address) == (users["monitor"], "203.0.113.4")


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(rf, settings):
    settings.MOTHERLINE_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9", REMOTE_ADDR="10.1.1.1")
    # The proxy appended the address it saw; the first entry is the client's own claim.
    assert audit.client_ip(request) == "203.0.113.9"
    settings.MOTHERLINE_PROXY_COUNT = 0
    assert audit.client_ip(request) == "10.1.1.1"


# The search page


def test_the_administrator_searches_by_user_including_failed_sign_ins(client, users, trail):
    client.force_login(users["administrator"])
    response = client.get(reverse("security:audit"), {"user": "monitor"})
    assert response.status_code == 200
    assert [event.pk for event in response.context["page"].items] == [
        trail[3].pk,
        trail[1].pk,
        trail[0].pk,
    ]
    assert response.context["page"].total == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "change"}, [1]),
        ({"object_type": "people.child"}, [2]),
        ({"object_ref": "W-AAAA1111"}, [1, 0]),
        ({"ip_address": "10.0.0.9"}, [2]),
        ({"user": "legal_officer", "action": "view"}, [2]),
    ],
)
def test_each_filter_narrows_the_search(client, users, trail, params, expected):
    client.force_login(users["administrator"])
    response = client.get(reverse("security:audit"), params)
    assert [e.pk for e in response.context["page"].items] == [trail[i].pk for i in expected]


def test_the_date_range_takes_whole_days(client, users, trail):
    today = timezone.localdate()
    client.force_login(users["administrator"])
    response = client.get(
        reverse("security:audit"), {"date_from": today.isoformat(), "date_to": today.isoformat()}
    )
    assert response.context["page"].total >= 4
    yesterday = (today - timedelta(days=1)).isoformat()
    response = client.get(reverse("security:audit"), {"date_to": yesterday})
    assert response.context["page"].total == 0


def test_an_invalid_filter_is_shown_and_does_not_fail(client, users, trail):
    client.force_login(users["administrator"])
    response = client.get(
        reverse("security:audit"), {"ip_address": "not-an-ip\x00", "date_from": "31/02/2026"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"ip_address", "date_from"}


def test_pages_follow_the_keyset_and_the_count_is_the_databases(
    client, users, trail, django_assert_max_num_queries
):
    for i in range(7):
        AuditEvent.objects.create(
            user=users["viewer"], username="viewer", action=AuditAction.VIEW, object_ref=f"R{i}"
        )
    client.force_login(users["administrator"])
    seen = []
    url = reverse("security:audit") + "?user=viewer&size=3"
    while url:
        with django_assert_max_num_queries(9):
            response = client.get(url)
        page = response.context["page"]
        assert page.total == 7
        seen += [e.object_ref for e in page.items]
        url = (
            reverse("security:audit") + response.context["next_url"]
            if response.context["next_url"]
            else None
        )
    assert seen == [f"R{i}" for i in reversed(range(7))]


def test_searching_the_trail_is_itself_recorded(client, users, trail):
    client.force_login(users["administrator"])
    client.get(reverse("security:audit"), {"object_ref": "W-AAAA1111"})
    event = AuditEvent.objects.filter(action=AuditAction.VIEW, object_type="accounts.AuditEvent")
    assert event.count() == 1
    assert event.get().changes == {"filters": {"object_ref": "W-AAAA1111"}}
    assert event.get().user == users["administrator"]


def test_the_export_is_csv_of_the_search_and_is_recorded(client, users, trail):
    client.force_login(users["administrator"])
    response = client.get(reverse("security:audit_export"), {"object_ref": "W-AAAA1111"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["id", "at", "user", "action"]
    assert [int(r[0]) for r in rows[1:]] == [trail[1].pk, trail[0].pk]
    assert '"legal_status": ["pretrial", "sentenced"]' in rows[1][7]
    export = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert export.changes == {"filters": {"object_ref": "W-AAAA1111"}, "format": "csv"}


@pytest.mark.parametrize("role", ["monitor", "analyst", "viewer", "legal_officer"])
def test_only_administrators_search_the_trail(client, users, trail, role):
    client.force_login(users[role])
    assert client.get(reverse("security:audit")).status_code == 403
    assert client.get(reverse("security:audit_export")).status_code == 403
    assert client.get("/api/v1/audit").status_code == 403
    assert not AuditEvent.objects.filter(object_type="accounts.AuditEvent").exists()


# The API


def test_the_api_searches_the_trail_by_keyset(client, users, trail):
    client.force_login(users["administrator"])
    response = client.get("/api/v1/audit", {"user": "monitor", "size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 3
    assert [e["id"] for e in body["items"]] == [trail[3].pk, trail[1].pk]
    following = client.get(
        "/api/v1/audit", {"user": "monitor", "size": 2, "after": body["next_cursor"]}
    ).json()
    assert [e["id"] for e in following["items"]] == [trail[0].pk]
    assert following["next_cursor"] is None
    recorded = AuditEvent.objects.filter(object_type="accounts.AuditEvent")
    assert recorded.count() == 2
    assert recorded.first().changes["via"] == "api"


def test_the_api_refuses_a_bad_address_with_a_field_error(client, users, trail):
    client.force_login(users["administrator"])
    response = client.get("/api/v1/audit", {"ip_address": "999.1.1.1"})
    assert response.status_code == 422
    assert "ip_address" in response.json()["errors"]
