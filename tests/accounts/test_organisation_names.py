"""An organisation's name in the local language of its country: set when the deployment
administrator creates it and corrected later, from the page or the API (one declaration,
`accounts.actions`), bounded and written in the letters the pack declares (the Cambodia
pack: Khmer), and shown wherever a reader in that language meets the organisation."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent, Organisation
from motherline.security import audit_text

pytestmark = pytest.mark.usefixtures("frozen_today")

LOCAL = "អង្គការយុត្តិធម៌ស្ត្រី"


def _in(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _send(client: Client, method: str, url: str, body: dict) -> object:
    return client.generic(method, url, json.dumps(body), content_type="application/json")


def test_created_on_the_page_it_reads_by_the_readers_language(
    client, deployment_admin, jurisdiction, users
):
    client.force_login(deployment_admin)
    response = client.post(
        reverse("security:organisations"),
        {
            "name": "Women's Justice Kampot",
            "name_local": LOCAL,
            "kind": "ngo",
            "jurisdiction": jurisdiction.pk,
        },
    )
    assert response.status_code == 302
    made = Organisation.objects.get(name="Women's Justice Kampot")
    assert made.name_local == LOCAL
    english = _in(client, "en").get(reverse("security:organisations")).content.decode()
    assert "Women&#x27;s Justice Kampot" in english and LOCAL not in english
    khmer = _in(client, jurisdiction.local_language).get(reverse("security:organisations"))
    assert LOCAL in khmer.content.decode()
    # A user of the organisation meets it by its local name in the header of a Khmer page.
    monitor = users["monitor"]
    monitor.organisation.name_local = LOCAL
    monitor.organisation.save()
    client.force_login(monitor)
    header = _in(client, jurisdiction.local_language).get(reverse("people:women"))
    assert LOCAL in header.content.decode()
    assert LOCAL not in _in(client, "en").get(reverse("people:women")).content.decode()


def test_corrected_on_its_page_from_the_version_read(client, deployment_admin, orgs):
    ngo = orgs["ngo"]
    client.force_login(deployment_admin)
    url = reverse("security:organisation", args=[ngo.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["form"]["version"].value() == ngo.version
    response = client.post(url, {"name": ngo.name, "name_local": LOCAL, "version": ngo.version})
    assert response.status_code == 302
    ngo.refresh_from_db()
    assert (ngo.name_local, ngo.version) == (LOCAL, 2)
    stale = client.post(url, {"name": ngo.name, "name_local": "អង្គការ", "version": 1})
    assert stale.status_code == 200 and stale.context["form"].non_field_errors()
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=str(ngo.pk)).get()
    assert event.changes == {"name_local": ["", LOCAL]}


@pytest.mark.parametrize(
    ("name_local", "why"),
    [("ក" * 201, "200"), ("Women's Justice", "Khmer")],
)
def test_a_local_name_too_long_or_not_in_the_packs_letters_is_refused(
    client, deployment_admin, orgs, name_local, why
):
    ngo = orgs["ngo"]
    client.force_login(deployment_admin)
    url = reverse("security:organisation", args=[ngo.pk])
    page = client.post(url, {"name": ngo.name, "name_local": name_local, "version": 1})
    assert page.status_code == 200 and why in str(page.context["form"].errors["name_local"])
    api = _send(
        client, "PATCH", f"/api/v1/organisations/{ngo.pk}", {"version": 1, "name_local": name_local}
    )
    assert api.status_code == 422 and "name_local" in api.json()["errors"]
    ngo.refresh_from_db()
    assert (ngo.name_local, ngo.version) == ("", 1)


def test_through_the_api_created_and_corrected_with_its_version(deployment_admin, users, db):
    client = Client()
    client.force_login(deployment_admin)
    body = {
        "name": "Prison Health Cambodia",
        "name_local": LOCAL,
        "kind": "ngo",
        "jurisdiction": "KH",
    }
    made = _send(client, "POST", "/api/v1/organisations", body)
    assert made.status_code == 201, made.content
    assert (made.json()["name_local"], made.json()["version"]) == (LOCAL, 1)
    url = f"/api/v1/organisations/{made.json()['id']}"
    changed = _send(client, "PATCH", url, {"version": 1, "name_local": ""})
    assert changed.status_code == 200 and changed.json()["name_local"] == ""
    assert _send(client, "PATCH", url, {"version": 1, "name": "Late"}).status_code == 409
    assert _send(client, "PATCH", url, {"name_local": LOCAL}).status_code == 422
    refused = Client()
    refused.force_login(users["administrator"])
    assert _send(refused, "PATCH", url, {"version": 2, "name_local": LOCAL}).status_code == 403


def test_sharing_and_the_audit_trail_name_it_in_the_readers_language(
    client, users, orgs, jurisdiction
):
    Organisation.objects.filter(pk=orgs["un"].pk).update(name_local=LOCAL)
    client.force_login(users["administrator"])
    sharing = _in(client, jurisdiction.local_language).get(reverse("security:sharing"))
    assert LOCAL in sharing.content.decode()
    english = _in(client, "en").get(reverse("security:sharing")).content.decode()
    assert LOCAL not in english and "UN Human Rights Office" in english
    from django.utils import translation

    with translation.override(jurisdiction.local_language):
        lines = audit_text.changes_lines({"partner": orgs["un"].pk}, "accounts.SharingAgreement")
    assert lines and lines[0].endswith(LOCAL)
