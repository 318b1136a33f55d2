"""`motherline alerts`: one digest per user, each item sent once per threshold."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from motherline.worklist import services
from motherline.worklist.models import AlertSent
from tests.conftest import TODAY
from tests.worklist.clock import move_clock_to
from tests.worklist.test_api import NAMES


def run(*args: str) -> str:
    out = StringIO()
    call_command("alerts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def recipients(users):
    """The NGO's monitor and the liaison have e-mail; the analyst too, but no register."""
    for name in ("monitor", "prison_liaison", "analyst"):
        users[name].email = f"{name}@example.org"
        users[name].save()
    return users


def test_one_digest_per_user_then_nothing_on_a_second_run(register, recipients):
    out = run("--as-of", TODAY.isoformat())
    assert sorted(m.to[0] for m in mail.outbox) == [
        "monitor@example.org",
        "prison_liaison@example.org",
    ]
    assert "monitor: sent 6 items" in out
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    assert digest.subject == "Motherline: 6 deadlines need attention (2 overdue)"
    assert register["pretrial"].reference in digest.body
    assert register["mother"].children.get().reference in digest.body
    assert "Overdue (2)" in digest.body and "Within 90 days (1)" in digest.body
    for name in NAMES:
        assert name not in digest.body and name not in digest.subject
    monitor = recipients["monitor"]
    assert AlertSent.objects.filter(user=monitor).count() == 6
    assert set(AlertSent.objects.filter(user=monitor).values_list("threshold", flat=True)) == {
        "overdue",
        "7",
        "30",
        "90",
    }

    mail.outbox.clear()
    out = run("--as-of", TODAY.isoformat())
    assert mail.outbox == []
    assert "Nothing new to send." in out
    assert AlertSent.objects.filter(user=monitor).count() == 6


def test_an_item_crossing_a_new_threshold_is_sent_again(register, recipients, monkeypatch):
    run("--as-of", TODAY.isoformat())
    mail.outbox.clear()
    # Two weeks later the child's birthday is within 7 days, the delivery and the follow-up
    # overdue: three items crossed a threshold. The release is still within 90 days.
    move_clock_to(monkeypatch, TODAY + timedelta(days=14))
    run("--as-of", (TODAY + timedelta(days=14)).isoformat())
    digest = next(m for m in mail.outbox if m.to == ["monitor@example.org"])
    assert digest.subject == "Motherline: 3 deadlines need attention (2 overdue)"
    child = register["mother"].children.get().reference
    assert child in digest.body
    assert register["pregnant"].reference in digest.body
    assert register["pretrial"].reference not in digest.body  # already sent as overdue
    assert register["release"].reference not in digest.body
    key = f"child_age_limit:{child}:{(TODAY + timedelta(days=20)).isoformat()}"
    assert set(
        AlertSent.objects.filter(user=recipients["monitor"], item_key=key).values_list(
            "threshold", flat=True
        )
    ) == {"30", "7"}


def test_dry_run_sends_and_records_nothing(register, recipients):
    out = run("--as-of", TODAY.isoformat(), "--dry-run")
    assert "monitor: would send 6 items" in out
    assert mail.outbox == []
    assert not AlertSent.objects.exists()


def test_inactive_users_and_users_without_email_get_nothing(register, recipients):
    recipients["prison_liaison"].is_active = False
    recipients["prison_liaison"].save()
    run("--as-of", TODAY.isoformat())
    assert [m.to for m in mail.outbox] == [["monitor@example.org"]]


def test_a_failed_send_records_nothing_so_the_next_run_retries(register, recipients, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    working = services.send_mail
    monkeypatch.setattr("motherline.worklist.services.send_mail", broken)
    with pytest.raises(Exception, match="could not be sent"):
        run("--as-of", TODAY.isoformat())
    assert not AlertSent.objects.exists()
    monkeypatch.setattr("motherline.worklist.services.send_mail", working)
    run("--as-of", TODAY.isoformat())
    assert len(mail.outbox) == 2
