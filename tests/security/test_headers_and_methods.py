"""Every answer of the application carries a strict Content-Security-Policy and
`Cache-Control: no-store`; pages refuse the methods they do not serve (405) before the view
runs, so such a request neither reads a record nor writes an audit row."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from tests.accounts.test_permission_matrix import ROUTE_LIST
from tests.factories import admit

WEB_ROUTES = [route for route in ROUTE_LIST if not route.is_api]


@pytest.fixture
def woman(users, prisons):
    return admit(users["monitor"], prisons["CC2"])


def test_pages_api_and_pdfs_carry_csp_and_no_store(client, users, woman):
    client.force_login(users["monitor"])
    answers = [
        client.get(reverse("people:women")),
        client.get(reverse("people:woman", args=[woman.reference])),
        client.get(f"/api/v1/women/{woman.reference}"),
        client.get("/api/v1/women"),
        client.get(reverse("worklist:list")),
    ]
    for response in answers:
        assert response.status_code == 200
        policy = response["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "unsafe-inline" not in policy
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_sign_in_page_is_not_cached_either(client):
    response = client.get(reverse("login"))
    assert "no-store" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


def test_the_brief_allows_only_its_own_style_block(client, users):
    client.force_login(users["analyst"])
    response = client.get(reverse("stats:brief"))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "style-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy
    assert "script-src 'self';" in policy


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "TRACE", "OPTIONS"])
def test_pages_refuse_methods_they_do_not_serve(client, users, woman, method):
    client.force_login(users["monitor"])
    before = AuditEvent.objects.count()
    response = client.generic(method, reverse("people:woman", args=[woman.reference]))
    assert response.status_code == 405
    assert AuditEvent.objects.count() == before  # nothing read, nothing recorded


def test_every_page_answers_405_to_put_delete_patch_and_trace(users):
    """Every web route of the project (the permission matrix's list), as an administrator,
    with a made-up argument: the method is refused before the record is looked up."""
    client = Client()
    client.force_login(users["administrator"])
    before = AuditEvent.objects.count()  # the sign-in
    wrong = []
    for route in WEB_ROUTES:
        path = "/" + re.sub(r"<int:\w+>", "1", route.pattern)
        path = re.sub(r"<(str:)?\w+>", "X", path)
        for method in ("PUT", "DELETE", "PATCH", "TRACE"):
            status = client.generic(method, path).status_code
            if status != 405:
                wrong.append(f"{method} {path}: {status}")
    assert not wrong, wrong
    assert AuditEvent.objects.count() == before


def test_api_paths_answer_405_to_methods_they_do_not_declare(client, users):
    client.force_login(users["monitor"])
    assert client.generic("TRACE", "/api/v1/women").status_code == 405
    assert client.generic("DELETE", "/api/v1/worklist").status_code == 405


@pytest.mark.parametrize("name", ["people:women", "worklist:list", "legal:cases"])
def test_show_only_pages_refuse_post(client, users, name):
    client.force_login(users["monitor"])
    assert client.post(reverse(name)).status_code == 405
