"""Moving the tests' clock on: a list read on a later day is read on that day's clock, since
a day after today is refused (the register does not know yet how things will stand); and the
past days a reading of the register refuses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from motherline.people.models import CustodyEpisode, LegalStatusChange
from tests.conftest import TODAY


def move_clock_to(monkeypatch: Any, day: date) -> None:
    """From now on in this test, `timezone.localdate()` is `day`."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> date:
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)


# Reading the register as it stood on a past day (the worklist's and screening's `--as-of`).

DAY = TODAY - timedelta(days=60)
FIRST_ADMISSION = TODAY - timedelta(days=300)  # the earliest of either test's register


def _undated_status(history: dict[str, Any]) -> date:
    """The released woman's status recorded from a later date than DAY, with no earlier
    change (imported data): DAY, which the register cannot answer for."""
    episode = CustodyEpisode.objects.get(woman=history["released"])
    LegalStatusChange.objects.filter(episode=episode).delete()
    since = TODAY - timedelta(days=50)
    CustodyEpisode.objects.filter(pk=episode.pk).update(legal_status_since=since)
    return DAY


# The days a past reading refuses, each from a register's `history` (women by role, with
# "released" among them), with words of the refusal.
REFUSED_DAYS = [
    pytest.param(lambda history: TODAY + timedelta(days=1), "is after today", id="after_today"),
    pytest.param(
        lambda history: FIRST_ADMISSION - timedelta(days=1),
        "the first admission the register holds",
        id="before_the_first_admission",
    ),
    pytest.param(_undated_status, "legal status of 1 woman", id="a_status_not_dated_back"),
]
