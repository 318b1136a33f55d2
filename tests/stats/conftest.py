"""Fixtures for the statistics pages: a fixed today and a few returns with small counts."""

from __future__ import annotations

from datetime import date

import pytest

from motherline.stats.models import PopulationReturn


@pytest.fixture
def page_returns(prisons, frozen_today):
    """Two dates of returns; Kandal reports 2 pregnant women and 3 children (small)."""
    made = []
    for day, extra in ((date(2025, 12, 31), 0), (date(2026, 5, 31), 10)):
        made += [
            PopulationReturn.objects.create(
                prison=prisons["CC2"],
                date=day,
                source="prison_authority",
                total=500 + extra,
                men=0,
                women=500 + extra,
                pretrial_women=200,
                pregnant_women=9,
                children_in_prison=20,
            ),
            PopulationReturn.objects.create(
                prison=prisons["CC1"],
                date=day,
                source="prison_authority",
                total=1500,
                men=1500,
                women=0,
                pretrial_men=600,
                pregnant_women=0,
                children_in_prison=0,
            ),
            PopulationReturn.objects.create(
                prison=prisons["KDL"],
                date=day,
                source="prison_authority",
                total=400,
                men=350,
                women=50,
                pretrial_men=100,
                pretrial_women=30,
                pregnant_women=2,
                children_in_prison=3,
            ),
        ]
    return made


def sign_in(client, user):
    client.force_login(user)
    return client
