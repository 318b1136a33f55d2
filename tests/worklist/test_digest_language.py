"""Alert digests in the user's language, with full links (MOTHERLINE_SITE_URL)."""

from __future__ import annotations

import pytest
from django.core import mail

from motherline.worklist.services import send_alerts
from tests.conftest import TODAY
from tests.worklist.test_api import NAMES

SITE = "https://motherline.example.org"


@pytest.fixture
def khmer_monitor(users, settings):
    settings.MOTHERLINE_SITE_URL = SITE
    monitor = users["monitor"]
    monitor.email = "monitor@example.org"
    monitor.language = "km"
    monitor.save()
    return monitor


def test_a_khmer_digest_reads_in_khmer_with_full_links(register, khmer_monitor, settings):
    settings.LANGUAGE_CODE = "en"
    send_alerts(TODAY)
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    # Subject and body in Khmer, numbers in Khmer digits, the date as Khmer writes it.
    assert digest.subject == "Motherline៖ ថ្ងៃកំណត់ ៦ ត្រូវការការយកចិត្តទុកដាក់ (ហួសកំណត់ ២)"
    assert "ការងារទាំងនេះក្នុងបញ្ជីការងាររបស់អ្នកបានដល់ថ្ងៃកំណត់នៅថ្ងៃ ១៥ ខែ មិថុនា ឆ្នាំ ២០២៦៖" in (digest.body)
    assert "ហួសកំណត់ (២)" in digest.body
    # Each item and the whole list are full links; no bare path, no name.
    woman = register["pretrial"]
    assert f"  {SITE}/women/{woman.reference}/" in digest.body
    assert f"បញ្ជីទាំងមូល៖ {SITE}/worklist/" in digest.body
    for line in digest.body.splitlines():
        assert not line.strip().startswith("/"), line
    for name in NAMES:
        assert name not in digest.body
    # Latin digits are left inside links and references.
    assert "២០២៦" not in "".join(line for line in digest.body.splitlines() if SITE in line)


def test_without_a_language_the_deployment_language_is_used(register, users, settings):
    settings.LANGUAGE_CODE = "km"
    users["monitor"].email = "monitor@example.org"
    users["monitor"].save()
    send_alerts(TODAY)
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    assert digest.subject.startswith("Motherline៖")
    # Without MOTHERLINE_SITE_URL the links are the paths.
    assert "\n  /women/" in digest.body


def test_an_english_digest_has_english_dates(register, users, settings):
    settings.MOTHERLINE_SITE_URL = SITE
    users["monitor"].email = "monitor@example.org"
    users["monitor"].language = "en"
    users["monitor"].save()
    send_alerts(TODAY)
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    assert "became due on 15 June 2026:" in digest.body
    assert f"The whole list: {SITE}/worklist/" in digest.body
