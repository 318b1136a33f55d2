"""The day a service acts on: the one its caller names (a test, a back-dated import, a job
catching up), or today where the deployment is."""

from __future__ import annotations

from datetime import date

from django.utils import timezone


def today(given: date | None = None) -> date:
    return given or timezone.localdate()
