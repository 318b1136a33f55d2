"""A service delivered: its own page, its correction (`grants.actions.DeliveryChanges`, the
API's body and the page's form) and its withdrawal when entered twice. Both keep the
version check and the audit row; a withdrawn service leaves the list, the grant's spending
and beneficiaries and stays readable; a partner who reads her record is refused (403), an
outsider does not find it (404)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.grants import queries
from motherline.grants.models import ServiceDelivery
from motherline.people.models import Woman
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api
from tests.grants.conftest import deliver

REASON = "Entered twice: S-1 records the same food supplement."


@pytest.fixture
def shared_mother(mother) -> Woman:
    """Her record is shared with partners by her consent: the UN office reads it."""
    Woman.objects.filter(pk=mother.pk).update(consent_scope="partners")
    mother.refresh_from_db()
    return mother


@pytest.fixture
def delivery(users, shared_mother, grant) -> ServiceDelivery:
    return deliver(users["monitor"], shared_mother, grant)


def _form(delivery: ServiceDelivery, **changes: str) -> dict[str, str]:
    return {
        "version": str(delivery.version),
        "service_type": delivery.service_type,
        "delivered_on": delivery.delivered_on.strftime("%d/%m/%Y"),
        "quantity": str(delivery.quantity),
        "cost": str(delivery.cost),
        "to_woman": "on" if delivery.to_woman else "",
        "child": delivery.child.reference if delivery.child else "",
        "grant": delivery.grant.reference if delivery.grant else "",
        "budget_line": delivery.budget_line.code if delivery.budget_line else "",
        "notes": delivery.notes,
        **changes,
    }


def test_its_page_is_read_on_the_audit_trail_and_offers_the_correction(client, users, delivery):
    client.force_login(users["monitor"])
    listed = client.get(reverse("grants:deliveries"))
    page_url = reverse("grants:delivery", args=[delivery.pk])
    assert page_url in listed.text
    page = client.get(page_url)
    assert page.status_code == 200
    assert reverse("grants:correct_delivery", args=[delivery.pk]) in page.text
    assert reverse("grants:withdraw_delivery", args=[delivery.pk]) in page.text
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_ref=delivery.reference, username="monitor"
    ).exists()


def test_the_page_corrects_a_service_and_the_grants_figures_follow(client, users, grant, delivery):
    client.force_login(users["monitor"])
    url = reverse("grants:correct_delivery", args=[delivery.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The form shows her record: the read is on the audit trail.
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_ref=delivery.reference, username="monitor"
    ).exists()
    # The lines of every grant the user may charge, by grant; hers chosen.
    assert "<optgroup" in page.text and 'value="2"' in page.text
    data = _form(delivery, cost="40.00", budget_line="2", notes="Two tins")
    assert client.post(url, data).status_code == 302
    delivery.refresh_from_db()
    assert (delivery.cost, delivery.budget_line.code, delivery.version) == (
        Decimal("40.00"),
        "2",
        2,
    )
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=delivery.reference)
    assert event.changes["fields"] == ["budget_line", "cost", "notes"]
    assert event.changes["values"] == {"budget_line": ["1", "2"], "cost": ["25.00", "40.00"]}
    assert "tins" not in str(event.changes)
    spent = {line.code: line.spent for line in queries.spending_by_line(grant)}
    assert spent == {"1": Decimal("0.00"), "2": Decimal("40.00")}
    again = client.post(url, {**data, "cost": "1.00"})
    assert again.status_code == 200 and "Someone else changed this record" in again.text
    delivery.refresh_from_db()
    assert delivery.cost == Decimal("40.00")


def test_the_api_corrects_a_service_with_the_checks_of_a_new_one(
    client, users, shared_mother, delivery
):
    api = Api(client, users["monitor"])
    url = f"/services/{delivery.pk}"
    assert api.get(url).json()["version"] == 1
    before = api.patch(
        url, {"version": 1, "delivered_on": (TODAY - timedelta(days=400)).isoformat()}
    )
    assert before.status_code == 422 and "delivered_on" in before.json()["errors"]
    nobody = api.patch(url, {"version": 1, "to_woman": False})
    assert nobody.status_code == 422 and "child" in nobody.json()["errors"]
    stranger = api.patch(url, {"version": 1, "child": "C-999"})
    assert stranger.status_code == 422 and "child" in stranger.json()["errors"]
    child = shared_mother.children.get()
    answer = api.patch(
        url, {"version": 1, "to_woman": False, "child": child.reference, "quantity": 2}
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["child"], body["to_woman"], body["quantity"], body["version"]) == (
        child.reference,
        False,
        2,
        2,
    )
    # No grant, no line.
    ungranted = api.patch(url, {"version": 2, "grant": None})
    assert ungranted.status_code == 200
    assert (ungranted.json()["grant"], ungranted.json()["budget_line"]) == (None, None)
    assert api.patch(url, {"version": 2, "quantity": 3}).status_code == 409
    missing = api.patch(url, {"quantity": 3})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]


def test_a_withdrawn_service_leaves_the_list_and_the_grant_and_stays_readable(
    client, users, grant, shared_mother, delivery
):
    kept = deliver(users["monitor"], shared_mother, grant, cost=Decimal("10.00"))
    client.force_login(users["monitor"])
    url = reverse("grants:withdraw_delivery", args=[delivery.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"version": 1, "reason": ""}).status_code == 200
    response = client.post(url, {"version": 1, "reason": REASON})
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.is_withdrawn and delivery.withdrawal_reason == REASON
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=delivery.reference)
    assert event.changes == {"withdrawn": True, "fields": ["withdrawal_reason"]}
    figures = queries.grant_report(grant)
    assert (figures.reach.deliveries, figures.reach.cost) == (1, Decimal("10.00"))
    assert figures.lines[0].spent == Decimal("10.00")
    assert sum(m.total for m in figures.months) == Decimal("10.00")
    listed = client.get(reverse("grants:deliveries"))
    assert reverse("grants:delivery", args=[kept.pk]) in listed.text
    assert reverse("grants:delivery", args=[delivery.pk]) not in listed.text
    api = Api(client, users["monitor"])
    assert [d["id"] for d in api.get("/services").json()["items"]] == [kept.pk]
    page = client.get(reverse("grants:delivery", args=[delivery.pk]))
    assert page.status_code == 200 and "Withdrawn" in page.text and REASON in page.text
    assert reverse("grants:correct_delivery", args=[delivery.pk]) not in page.text
    assert api.get(f"/services/{delivery.pk}").json()["withdrawal_reason"] == REASON
    assert api.patch(f"/services/{delivery.pk}", {"version": 2, "quantity": 2}).status_code == 422
    manager = Api(client, users["programme_manager"])
    assert manager.get(f"/grants/{grant.pk}").json()["reach"]["deliveries"] == 1


def test_the_api_withdraws_from_the_version_read(client, users, delivery):
    api = Api(client, users["monitor"])
    url = f"/services/{delivery.pk}/withdrawal"
    missing = api.post(url, {"reason": REASON})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    assert api.post(url, {"version": 1}).status_code == 422
    assert api.post(url, {"version": 9, "reason": REASON}).status_code == 409
    answer = api.post(url, {"version": 1, "reason": REASON})
    assert answer.status_code == 200 and answer.json()["withdrawn_at"]


@pytest.mark.parametrize(("who", "status"), [("un_monitor", 403), ("other_monitor", 404)])
def test_a_partner_and_an_outsider_cannot_correct_or_withdraw(client, users, delivery, who, status):
    client.force_login(users[who])
    detail = client.get(reverse("grants:delivery", args=[delivery.pk]))
    assert detail.status_code == (200 if who == "un_monitor" else 404)
    for url in (
        reverse("grants:correct_delivery", args=[delivery.pk]),
        reverse("grants:withdraw_delivery", args=[delivery.pk]),
    ):
        assert client.get(url).status_code == status
        assert client.post(url, {"version": 1, "reason": REASON}).status_code == status
    api = Api(client, users[who])
    assert (
        api.patch(f"/services/{delivery.pk}", {"version": 1, "quantity": 2}).status_code == status
    )
    withdrawal = api.post(f"/services/{delivery.pk}/withdrawal", {"version": 1, "reason": REASON})
    assert withdrawal.status_code == status
    delivery.refresh_from_db()
    assert (delivery.version, delivery.is_withdrawn) == (1, False)
