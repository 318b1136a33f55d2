"""A user's own preferences: the language of what is sent to her, and the digits of her
language for dates and numbers (Khmer ០-៩), set from the version she read and audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from motherline import formatting
from motherline.accounts.models import AuditAction, AuditEvent, User


def test_khmer_digits_are_written_only_when_asked_and_only_in_khmer():
    assert formatting.format_number(16300, language="km") == "16,300"
    with formatting.native_digits(True):
        assert formatting.format_number(16300, language="km") == "១៦,៣០០"
        assert formatting.format_day(date(2026, 1, 14), language="km") == "១៤ ខែ មករា ឆ្នាំ ២០២៦"
        assert formatting.format_money(5.5, "USD", language="km") == "៥.៥០ USD"
        # English has no digits of its own: the preference changes nothing.
        assert formatting.format_number(16300, language="en") == "16,300"
        assert formatting.format_day(date(2026, 1, 14), language="en") == "14 January 2026"
    assert formatting.format_day(date(2026, 1, 14), language="km") == "14 ខែ មករា ឆ្នាំ 2026"


def _page(client, user):
    client.force_login(user)
    return client.get(reverse("preferences"))


def test_she_chooses_khmer_digits_and_pages_in_khmer_use_them(client, users):
    monitor = users["monitor"]
    assert _page(client, monitor).status_code == 200
    response = client.post(
        reverse("preferences"),
        {"version": monitor.version, "language": "km", "native_digits": "on"},
    )
    assert response.status_code == 302
    monitor.refresh_from_db()
    assert (monitor.language, monitor.native_digits, monitor.version) == ("km", True, 2)
    event = AuditEvent.objects.get(action=AuditAction.CHANGE, object_ref=str(monitor.pk))
    assert event.changes == {"language": ["", "km"], "native_digits": [False, True]}
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "km"
    page = client.get(reverse("preferences")).content.decode()
    assert "ឆ្នាំ ២០២៦" in page  # the example date, in Khmer digits
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "2026" in client.get(reverse("preferences")).content.decode()


def test_a_stale_or_missing_version_is_refused(client, users):
    monitor = users["monitor"]
    client.force_login(monitor)
    User.objects.filter(pk=monitor.pk).update(version=5)
    stale = client.post(
        reverse("preferences"), {"version": 1, "language": "en", "native_digits": "on"}
    )
    assert stale.status_code == 200
    assert "changed" in stale.content.decode()
    missing = client.post(reverse("preferences"), {"native_digits": "on", "language": "en"})
    assert missing.status_code == 200
    monitor.refresh_from_db()
    assert not monitor.native_digits


@pytest.mark.parametrize("language", ["xx", "", "k" * 100])
def test_an_unknown_language_is_refused_on_the_form(client, users, language):
    monitor = users["monitor"]
    client.force_login(monitor)
    response = client.post(reverse("preferences"), {"version": 1, "language": language})
    assert response.status_code == 200
    monitor.refresh_from_db()
    assert monitor.language == "" and monitor.version == 1


def test_nobody_is_signed_in_nobody_sets_anything(client):
    response = client.get(reverse("preferences"))
    assert response.status_code == 302 and "/login/" in response["Location"]
