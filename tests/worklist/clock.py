"""Moving the tests' clock on: a list read on a later day is read on that day's clock, since
a day after today is refused (the register does not know yet how things will stand)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone


def move_clock_to(monkeypatch: Any, day: date) -> None:
    """From now on in this test, `timezone.localdate()` is `day`."""
    real = timezone.localdate

    def localdate(value: Any = None, timezone: Any = None) -> date:
        return day if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
