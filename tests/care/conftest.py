"""Fixtures for transition plans: a fixed today, a mother in CC2 with a child living with her
who must leave in 47 days (three years old on 1 August 2026), and plans at each step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from motherline.care import services
from motherline.care.models import TransitionPlan
from motherline.people.models import Child, Woman
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, current_version, reload

ADMITTED = TODAY - timedelta(days=400)
CHILD_BORN = date(2023, 8, 1)
LEAVE_BY = date(2026, 8, 1)  # 36 months under the rule in force since 2011
OPENED = TODAY - timedelta(days=30)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def mother(users, prisons) -> Woman:
    return reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            name="Sreymom Keo",
            name_latin="Sreymom",
            register_number="CC2-77",
            admission_date=ADMITTED,
            children=[child_in_prison(CHILD_BORN, name="Dara", name_latin="Dara L")],
        )
    )


@pytest.fixture
def child(mother) -> Child:
    return children_of(mother)[0]


CAREGIVER = {
    "caregiver_name": "Grandmother Chea",
    "caregiver_relationship": "grandparent",
    "caregiver_location": "Takeo, Bati district",
    "caregiver_contact": "012 345 678",
}


def open_plan(user: Any, child: Child, on: date = OPENED) -> TransitionPlan:
    return services.open_plan(user, child, today=on)


def advance(user: Any, plan: TransitionPlan, status: str, **fields: Any) -> TransitionPlan:
    plan.refresh_from_db()
    return services.advance_plan(
        user, plan, status, fields, version=current_version(plan), today=TODAY
    )


def plan_at(user: Any, child: Child, status: str) -> TransitionPlan:
    """A plan opened 30 days ago and walked to `status` with everything each step needs."""
    plan = open_plan(user, child)
    walk = [
        ("caregiver_identified", CAREGIVER),
        ("assessed", {"assessed_on": TODAY - timedelta(days=20), "home_is_suitable": True}),
        ("handed_over", {"handed_over_on": TODAY - timedelta(days=10)}),
    ]
    for step, fields in walk:
        if plan.status == status:
            break
        plan = advance(user, plan, step, **fields)
    return plan
