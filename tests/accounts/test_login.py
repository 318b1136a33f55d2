"""Signing in and out: the page, the redirects and the audit trail."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from tests.conftest import PASSWORD


def test_login_page_shows_the_form(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text
    assert 'name="password"' in response.text
    assert '<html lang="en">' in response.text


def test_sign_in_redirects_home_and_is_audited(client, users):
    response = client.post(reverse("login"), {"username": "monitor", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    event = AuditEvent.objects.get(action=AuditAction.LOGIN)
    assert event.user == users["monitor"]
    assert event.username == "monitor"
    assert event.ip_address == "127.0.0.1"
    assert "_auth_user_id" in client.session


def test_sign_in_follows_next(client, users):
    women = reverse("people:women")
    response = client.post(
        reverse("login"), {"username": "monitor", "password": PASSWORD, "next": women}
    )
    assert response.status_code == 302
    assert response.url == women


def test_failed_sign_in_is_audited_with_the_name_tried_and_never_the_password(client, users):
    response = client.post(reverse("login"), {"username": "monitor", "password": "wrong-guess-1"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'class="form-errors"' in response.text
    event = AuditEvent.objects.get(action=AuditAction.LOGIN_FAILED)
    assert event.user is None
    assert event.changes == {"username": "monitor"}
    assert "wrong-guess-1" not in str(event.changes)
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_sign_out_needs_post_and_is_audited(client, users):
    client.force_login(users["monitor"])
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    event = AuditEvent.objects.get(action=AuditAction.LOGOUT)
    assert event.user == users["monitor"]
    assert "_auth_user_id" not in client.session


def test_home_requires_sign_in(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_home_sends_users_to_the_prisons_overview(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("people:prisons")


@pytest.mark.parametrize("role", ["monitor", "prison_liaison"])
def test_home_sends_users_who_see_the_register_to_their_worklist(client, users, role):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("worklist:list")


def test_home_explains_an_account_without_access(client, db):
    lonely = User.objects.create_user(username="lonely", password=PASSWORD, role=Role.MONITOR)
    client.force_login(lonely)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "cannot see any page" in response.text
    assert reverse("people:prisons") not in response.text


def test_signed_in_page_shows_user_role_organisation_and_nav(client, users):
    client.force_login(users["monitor"])
    response = client.get(reverse("people:prisons"))
    text = response.text
    assert "Monitor" in text
    assert "Women&#x27;s Justice NGO" in text
    assert reverse("people:women") in text
    assert reverse("people:admit") in text
    assert f'action="{reverse("logout")}"' in text


def test_nav_hides_links_a_role_cannot_use(client, users):
    client.force_login(users["analyst"])
    text = client.get(reverse("people:prisons")).text
    assert f'href="{reverse("people:women")}"' not in text
    assert f'href="{reverse("people:admit")}"' not in text


@pytest.fixture
def restore_language():
    yield
    translation.activate("en")


def test_language_switch_renders_khmer(client, users, restore_language):
    client.force_login(users["monitor"])
    response = client.post(
        reverse("set_language"), {"language": "km", "next": reverse("people:prisons")}
    )
    assert response.status_code == 302
    assert response.url == reverse("people:prisons")
    page = client.get(reverse("people:prisons"))
    assert '<html lang="km">' in page.text
