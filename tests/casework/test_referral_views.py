"""The pages of consent and referrals: recording a consent, referring a child, the receiver
accepting and reading the child, declining, withdrawing a consent; in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.accounts.models import AuditEvent
from motherline.casework import referrals
from motherline.casework.models import Consent, Referral
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_a_monitor_records_a_consent_and_refers_the_child_and_the_receiver_accepts(
    client, users, orgs, mother, child
):
    signed_in(client, users["monitor"])
    page = client.get(reverse("people:child", args=[child.reference]))
    assert reverse("casework:refer_child", args=[child.reference]) in page.content.decode()
    response = client.post(
        reverse("casework:consents", args=[mother.reference]),
        {
            "purpose": "referral",
            "given_by": "parent",
            "given_by_name": "Sokha",
            "given_on": (TODAY - timedelta(days=1)).isoformat(),
            "child": child.reference,
            "terms": "Dara may be placed with her grandmother",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    consent = Consent.objects.get()
    assert (consent.child, consent.given_by_name) == (child, "Sokha")
    response = client.post(
        reverse("casework:refer_child", args=[child.reference]),
        {
            "to_organisation": orgs["other"].pk,
            "service": "child_protection",
            "reason": "Place Dara with her grandmother and follow her up",
            "consent": consent.pk,
            "shares_care_plan": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    assert (referral.child, referral.shares_care_plan, referral.status) == (
        child,
        True,
        "pending",
    )

    receiver = signed_in(client.__class__(), users["other_monitor"])
    assert receiver.get(reverse("people:child", args=[child.reference])).status_code == 404
    listing = receiver.get(reverse("casework:referrals")).content.decode()
    assert referral.reference in listing
    detail = receiver.get(reverse("casework:referral", args=[referral.pk])).content.decode()
    # Before accepting: what is asked, not the child's name.
    assert "Place Dara with her grandmother" in detail and "Dara</" not in detail
    response = receiver.post(
        reverse("casework:referral", args=[referral.pk]),
        {"action": "accept", "version": referral.version},
    )
    assert response.status_code == 302
    page = receiver.get(reverse("people:child", args=[child.reference]))
    assert page.status_code == 200
    # Read-only: the receiver changes nothing.
    assert receiver.get(reverse("people:edit_child", args=[child.reference])).status_code in (
        403,
        404,
    )
    assert receiver.get(reverse("people:woman", args=[mother.reference])).status_code == 404
    assert AuditEvent.objects.filter(
        object_type="casework.Referral", action="change", username="other_monitor"
    ).exists()


def test_declining_without_a_reason_is_refused_on_the_page(client, users, orgs, mother, child):
    consent = referrals.record_consent(
        users["monitor"], mother, purpose="referral", given_by="self", given_on=TODAY
    )
    referral = referrals.refer(
        users["monitor"],
        mother,
        to_organisation=orgs["other"],
        service="legal_aid",
        reason="Represent her at appeal",
        consent=consent,
    )
    receiver = signed_in(client, users["other_monitor"])
    url = reverse("casework:referral", args=[referral.pk])
    response = receiver.post(url, {"action": "decline", "version": 1})
    assert response.status_code == 200 and "Write why" in response.content.decode()
    response = receiver.post(url, {"action": "decline", "version": 1, "note": "No lawyer free"})
    assert response.status_code == 302
    assert Referral.objects.get().status == "declined"
    # The sender reads the answer.
    sender = signed_in(client.__class__(), users["monitor"])
    assert "No lawyer free" in sender.get(url).content.decode()


def test_withdrawing_a_consent_on_the_page_ends_the_referral(client, users, orgs, mother, child):
    consent = referrals.record_consent(
        users["monitor"], mother, purpose="referral", given_by="self", given_on=TODAY
    )
    referral = referrals.refer(
        users["monitor"],
        mother,
        to_organisation=orgs["other"],
        service="legal_aid",
        reason="Represent her at appeal",
        consent=consent,
    )
    referrals.answer(users["other_monitor"], referral, accept=True, version=1)
    signed_in(client, users["monitor"])
    url = reverse("casework:withdraw_consent", args=[consent.pk])
    page = client.get(url).content.decode()
    assert orgs["other"].name in page
    response = client.post(url, {"version": 1, "withdrawn_on": TODAY.isoformat()})
    assert response.status_code == 302
    assert Referral.objects.get().status == "ended"
    other = signed_in(client.__class__(), users["other_monitor"])
    assert other.get(reverse("people:woman", args=[mother.reference])).status_code == 404
    # A page without the version is refused.
    second = referrals.record_consent(
        users["monitor"], mother, purpose="partners", given_by="self", given_on=TODAY
    )
    response = client.post(
        reverse("casework:withdraw_consent", args=[second.pk]), {"withdrawn_on": TODAY}
    )
    assert response.status_code == 200
    assert Consent.objects.get(pk=second.pk).withdrawn_on is None


def test_the_pages_speak_khmer(client, users, orgs, mother, child):
    consent = referrals.record_consent(
        users["monitor"], mother, purpose="referral", given_by="self", given_on=TODAY
    )
    referral = referrals.refer(
        users["monitor"],
        mother,
        to_organisation=orgs["other"],
        service="legal_aid",
        reason="Represent her at appeal",
        consent=consent,
    )
    signed_in(client, users["monitor"])
    client.cookies["django_language"] = "km"
    for url in (
        reverse("casework:referrals"),
        reverse("casework:referral", args=[referral.pk]),
        reverse("casework:consents", args=[mother.reference]),
        reverse("casework:refer_woman", args=[mother.reference]),
    ):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE="km").content.decode()
        assert "Referrals" not in page and "Consent to share" not in page, url
