"""Fixtures of the worklist tests: the pretrial limits of the test jurisdiction, a fixed
today, and a small register with one record of each kind of deadline."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motherline.care.models import FollowUp, TransitionPlan
from motherline.jurisdictions.models import PretrialLimitRule
from motherline.people import services
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, current_version

CODE_2007 = date(2007, 8, 10)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def pretrial_rules(jurisdiction):
    """Cambodia's limits as the pack states them: 540 days for a felony, 180 for a
    misdemeanour; 120 and 60 days for minors."""
    for offence_class, minors, days in [
        ("felony", False, 540),
        ("misdemeanour", False, 180),
        ("felony", True, 120),
        ("misdemeanour", True, 60),
    ]:
        PretrialLimitRule.objects.create(
            jurisdiction=jurisdiction,
            offence_class=offence_class,
            applies_to_minors=minors,
            max_days=days,
            effective_from=CODE_2007,
        )


def add_months_back(months: int, days: int = 0) -> date:
    """A birth date that reaches `months` of age `days` after TODAY."""
    from motherline.jurisdictions.rules import add_months

    return add_months(TODAY + timedelta(days=days), -months)


@pytest.fixture
def register(users, prisons, offences, pretrial_rules):
    """One record of each kind of deadline, all of the NGO's monitor, in CC2 unless said."""
    monitor = users["monitor"]
    made = {}
    # A child turning three in 20 days, living in CC2 (birth registered).
    made["mother"] = admit(
        monitor,
        prisons["CC2"],
        name="Dara Mother",
        children=[
            child_in_prison(add_months_back(36, 20), name="Baby Near", birth_registered=True)
        ],
    )
    # Pregnant, due in 5 days, in KDL.
    made["pregnant"] = admit(
        monitor,
        prisons["KDL"],
        name="Chanthy Pregnant",
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=200),
        expected_delivery_date=TODAY + timedelta(days=5),
    )
    # Pretrial for a misdemeanour since 200 days: 20 days past the limit.
    made["pretrial"] = admit(
        monitor,
        prisons["CC2"],
        name="Malis Pretrial",
        admission_date=TODAY - timedelta(days=200),
        offences=[offences["theft"]],
    )
    # Convicted, expected release in 60 days, with a one-year-old (birth registered) who
    # leaves with her.
    made["release"] = admit(
        monitor,
        prisons["KDL"],
        name="Kunthea Release",
        legal_status="final",
        sentence_months=12,
        expected_release_date=TODAY + timedelta(days=60),
        children=[child_in_prison(TODAY - timedelta(days=365), birth_registered=True)],
    )
    # A child living in prison in CC2 with the mother admitted with her, born 100 days ago,
    # whose birth is not registered: the pack's 30 days passed 70 days ago.
    made["unregistered"] = admit(
        monitor,
        prisons["CC2"],
        name="Sreymom Unregistered",
        admission_date=TODAY - timedelta(days=60),
        children=[child_in_prison(TODAY - timedelta(days=100), name="Little Unregistered")],
    )
    # A child handed over to the grandmother; a follow-up visit due in 3 days.
    made["handed_over"] = admit(
        monitor,
        prisons["CC2"],
        name="Bopha Handover",
        children=[child_in_prison(date(2023, 1, 1), name="Child Handed", birth_registered=True)],
    )
    child = made["handed_over"].children.get()
    services.move_child_out(
        monitor,
        child,
        TODAY - timedelta(days=27),
        "grandparent",
        "Grandmother",
        today=TODAY,
        version=current_version(child),
    )
    plan = TransitionPlan.objects.create(
        child=child,
        status="handed_over",
        due_date=date(2026, 1, 1),
        caregiver_name="Grandmother",
        caregiver_relationship="grandparent",
        caregiver_location="Takeo",
        assessed_on=TODAY - timedelta(days=60),
        home_is_suitable=True,
        handed_over_on=TODAY - timedelta(days=27),
    )
    FollowUp.objects.create(plan=plan, due_date=TODAY + timedelta(days=3))
    made["plan"] = plan
    return made
