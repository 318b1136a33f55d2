"""Correcting a grant and a budget line: one declaration each (`grants.actions.GrantChanges`,
`LineChanges`) gives the API's body and the page's form (amounts as decimals with their
bounds); the version is checked, the grant keeps holding its lines and services, the audit
row names what changed; only the managing organisation corrects."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.actions import form_for
from motherline.grants.actions import GrantChanges, LineChanges
from motherline.grants.models import BudgetLine, Grant
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api
from tests.grants.conftest import deliver

STALE = "Someone else changed this record"


def _grant_form(grant: Grant, **changes: str) -> dict[str, str]:
    return {
        "version": str(grant.version),
        "reference": grant.reference,
        "donor": grant.donor,
        "amount": str(grant.amount),
        "currency": grant.currency,
        "starts_on": grant.starts_on.strftime("%d/%m/%Y"),
        "ends_on": grant.ends_on.strftime("%d/%m/%Y"),
        "purpose": grant.purpose,
        **changes,
    }


def test_the_forms_take_the_amounts_bounds_from_the_declaration():
    grant_form = form_for(GrantChanges, model=Grant)()
    line_form = form_for(LineChanges, model=BudgetLine)()
    assert (grant_form.fields["amount"].max_digits, grant_form.fields["amount"].decimal_places) == (
        14,
        2,
    )
    assert line_form.fields["amount"].min_value == 0
    assert str(line_form.fields["amount"].label) == "Budget"
    assert grant_form.fields["currency"].max_length == 3


def test_the_page_corrects_a_grant_and_the_audit_names_it(client, users, grant):
    client.force_login(users["programme_manager"])
    detail = client.get(reverse("grants:detail", args=[grant.pk]))
    url = reverse("grants:correct", args=[grant.pk])
    assert url in detail.text
    assert client.get(url).status_code == 200
    data = _grant_form(grant, amount="16500.00", donor="Small Grants Fund (UN)")
    response = client.post(url, data)
    assert response.status_code == 302, response.content
    grant.refresh_from_db()
    assert (grant.amount, grant.donor, grant.version) == (
        Decimal("16500.00"),
        "Small Grants Fund (UN)",
        2,
    )
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=grant.reference).latest(
        "id"
    )
    assert event.changes["fields"] == ["amount", "donor"]
    assert event.changes["values"] == {"amount": ["16300.00", "16500.00"]}
    again = client.post(url, {**data, "donor": "Other"})
    assert again.status_code == 200 and STALE in again.text
    grant.refresh_from_db()
    assert grant.donor == "Small Grants Fund (UN)"


def test_a_grant_keeps_holding_its_lines_and_its_services(client, users, grant, mother):
    deliver(users["monitor"], mother, grant, delivered_on=TODAY - timedelta(days=10))
    api = Api(client, users["programme_manager"])
    url = f"/grants/{grant.pk}"
    small = api.patch(url, {"version": 1, "amount": "10000.00"})
    assert small.status_code == 422 and "amount" in small.json()["errors"]
    late = api.patch(url, {"version": 1, "starts_on": (TODAY - timedelta(days=5)).isoformat()})
    assert late.status_code == 422 and "starts_on" in late.json()["errors"]
    backwards = api.patch(url, {"version": 1, "ends_on": "2025-12-31"})
    assert backwards.status_code == 422 and "ends_on" in backwards.json()["errors"]
    Grant.objects.create(
        organisation=grant.organisation,
        reference="G-OTHER",
        donor="D",
        amount=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 1),
        purpose="P",
    )
    taken = api.patch(url, {"version": 1, "reference": "G-OTHER"})
    assert taken.status_code == 422 and "reference" in taken.json()["errors"]
    grant.refresh_from_db()
    assert grant.version == 1


def test_the_api_patches_a_grant_from_its_version(client, users, grant):
    api = Api(client, users["programme_manager"])
    url = f"/grants/{grant.pk}"
    answer = api.patch(url, {"version": 1, "ends_on": "2027-03-31", "currency": "KHR"})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["ends_on"], answer.json()["version"]) == ("2027-03-31", 2)
    assert api.patch(url, {"version": 1, "donor": "X"}).status_code == 409
    missing = api.patch(url, {"donor": "X"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    null = api.patch(url, {"version": 2, "amount": None})
    assert null.status_code == 422 and "amount" in null.json()["errors"]


def test_the_page_corrects_a_budget_line(client, users, grant):
    line = grant.budget_lines.get(code="1")
    client.force_login(users["programme_manager"])
    url = reverse("grants:correct_line", args=[grant.pk, line.pk])
    assert url in client.get(reverse("grants:detail", args=[grant.pk])).text
    page = client.get(url)
    assert page.status_code == 200 and 'value="Nutrition"' in page.text
    data = {"version": 1, "code": "1", "name": "Nutrition and formula", "amount": "9500.00"}
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert (line.name, line.amount, line.version) == ("Nutrition and formula", Decimal("9500"), 2)
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE, object_ref=grant.reference).latest(
        "id"
    )
    assert event.changes == {
        "budget_line": "1",
        "fields": ["amount", "name"],
        "values": {"amount": ["9000.00", "9500.00"]},
    }
    again = client.post(url, {**data, "name": "Food"})
    assert again.status_code == 200 and STALE in again.text
    # The lines together may not exceed the grant (16,300: the other line has 5,000).
    over = client.post(url, {**data, "version": 2, "amount": "11400.00"})
    assert over.status_code == 200 and "more than the grant" in over.text
    line.refresh_from_db()
    assert (line.name, line.version) == ("Nutrition and formula", 2)


def test_the_api_patches_a_budget_line(client, users, grant):
    line = grant.budget_lines.get(code="2")
    api = Api(client, users["programme_manager"])
    url = f"/grants/{grant.pk}/lines/{line.pk}"
    answer = api.patch(url, {"version": 1, "amount": 4000})
    assert answer.status_code == 200, answer.content
    assert (answer.json()["budget"], answer.json()["version"]) == ("4000.00", 2)
    assert api.patch(url, {"version": 1, "name": "X"}).status_code == 409
    missing = api.patch(url, {"name": "X"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    taken = api.patch(url, {"version": 2, "code": "1"})
    assert taken.status_code == 422 and "code" in taken.json()["errors"]
    other_grant = Grant.objects.create(
        organisation=grant.organisation,
        reference="G-2",
        donor="D",
        amount=1,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 2, 1),
        purpose="P",
    )
    assert api.patch(f"/grants/{other_grant.pk}/lines/{line.pk}", {"version": 2}).status_code == 404


@pytest.mark.parametrize("who", ["un_monitor", "other_admin"])
def test_a_partner_and_an_outsider_cannot_correct_them(client, users, other_admin, grant, who):
    """The UN office reads the NGO's grant (shared) with a role that may not manage grants;
    the other organisation's administrator may, but not this one: both are refused."""
    user = other_admin if who == "other_admin" else users[who]
    line = grant.budget_lines.get(code="1")
    client.force_login(user)
    expected = 404 if who == "other_admin" else 403
    for url in (
        reverse("grants:correct", args=[grant.pk]),
        reverse("grants:correct_line", args=[grant.pk, line.pk]),
    ):
        assert client.get(url).status_code == expected
        assert client.post(url, _grant_form(grant)).status_code == expected
    api = Api(client, user)
    assert api.patch(f"/grants/{grant.pk}", {"version": 1, "donor": "X"}).status_code == expected
    answer = api.patch(f"/grants/{grant.pk}/lines/{line.pk}", {"version": 1, "name": "X"})
    assert answer.status_code == expected
    grant.refresh_from_db()
    line.refresh_from_db()
    assert (grant.version, line.version) == (1, 1)


def test_a_partners_programme_manager_reads_but_cannot_correct(client, users, orgs, grant):
    from motherline.accounts.models import Role, User

    manager = User.objects.create_user(
        username="un_manager", organisation=orgs["un"], role=Role.PROGRAMME_MANAGER
    )
    client.force_login(manager)
    detail = client.get(reverse("grants:detail", args=[grant.pk]))
    assert detail.status_code == 200
    assert reverse("grants:correct", args=[grant.pk]) not in detail.text
    assert client.get(reverse("grants:correct", args=[grant.pk])).status_code == 404
    answer = Api(client, manager).patch(f"/grants/{grant.pk}", {"version": 1, "donor": "X"})
    assert answer.status_code == 404
