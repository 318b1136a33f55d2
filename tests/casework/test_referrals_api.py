"""The consent and referral API: record a consent, refer a child, the receiver accepts and
reads the child, withdraw the consent; errors are 422, a stale version 409."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.casework.models import Referral
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def api(client, user):
    client.force_login(user)
    return client


def send(client, url, body):
    return client.generic("POST", url, json.dumps(body), content_type="application/json")


def test_a_child_is_referred_accepted_and_the_consent_withdrawn(client, users, orgs, mother, child):
    api(client, users["monitor"])
    consent = send(
        client,
        reverse("api:consents", args=[mother.reference]),
        {
            "purpose": "referral",
            "given_by": "parent",
            "given_by_name": "Sokha",
            "given_on": (TODAY - timedelta(days=1)).isoformat(),
            "child": child.reference,
        },
    )
    assert consent.status_code == 201, consent.content
    assert consent.json()["child"] == child.reference
    sent = send(
        client,
        reverse("api:refer_child", args=[child.reference]),
        {
            "to_organisation": orgs["other"].pk,
            "service": "child_protection",
            "reason": "Family care",
            "consent": consent.json()["id"],
            "shares_care_plan": True,
        },
    )
    assert sent.status_code == 201, sent.content
    referral = sent.json()
    assert referral["status"] == "pending" and referral["child"] == child.reference

    receiver = api(client.__class__(), users["other_monitor"])
    child_url = reverse("api:child", args=[child.reference])
    assert receiver.get(child_url).status_code == 404
    listed = receiver.get(reverse("api:referrals"), {"direction": "received"}).json()
    assert [r["id"] for r in listed] == [referral["id"]]
    answer_url = reverse("api:answer_referral", args=[referral["id"]])
    stale = send(receiver, answer_url, {"action": "accept", "version": 5})
    assert stale.status_code == 409
    declined = send(receiver, answer_url, {"action": "decline", "version": 1})
    assert declined.status_code == 422 and "note" in declined.json()["errors"]
    accepted = send(receiver, answer_url, {"action": "accept", "version": 1})
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert receiver.get(child_url).status_code == 200
    # The sender may not answer; the receiver may not withdraw.
    assert send(client, answer_url, {"action": "accept", "version": 2}).status_code == 403
    assert send(receiver, answer_url, {"action": "withdraw", "version": 2}).status_code == 403

    withdrawn = send(
        client,
        reverse("api:withdraw_consent", args=[consent.json()["id"]]),
        {"version": 1, "reason": "She changed her mind"},
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_on"] == TODAY.isoformat()
    assert Referral.objects.get().status == "ended"
    assert receiver.get(child_url).status_code == 404


def test_refusals_name_the_field(client, users, orgs, mother):
    api(client, users["monitor"])
    response = send(
        client,
        reverse("api:refer_woman", args=[mother.reference]),
        {
            "to_organisation": orgs["other"].pk,
            "service": "legal_aid",
            "reason": "Appeal",
            "consent": 999,
        },
    )
    assert response.status_code == 422 and "consent" in response.json()["errors"]
    response = send(
        client,
        reverse("api:consents", args=[mother.reference]),
        {
            "purpose": "referral",
            "given_by": "self",
            "given_on": TODAY.isoformat(),
            "to_organisation": 99999,
        },
    )
    assert response.status_code == 422 and "to_organisation" in response.json()["errors"]
    # Another organisation's user cannot find her record.
    outsider = api(client.__class__(), users["other_monitor"])
    response = send(
        outsider,
        reverse("api:consents", args=[mother.reference]),
        {"purpose": "referral", "given_by": "self", "given_on": TODAY.isoformat()},
    )
    assert response.status_code == 404
