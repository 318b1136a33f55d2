"""Fixtures for transition plans: a fixed today, a mother in CC2 with a child living with her
who must leave in 47 days (three years old on 1 August 2026), and plans at each step."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from motherline.accounts.models import Role, User
from motherline.care import family, services
from motherline.care.models import BestInterestsAssessment, Caregiver, TransitionPlan
from motherline.jurisdictions.models import BestInterestsQuestion
from motherline.people.models import Child, Woman
from motherline.places.models import Commune, District
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


def manager_of(user: Any) -> User:
    """A programme manager of the user's organisation (made if there is none)."""
    found = User.objects.filter(
        organisation_id=user.organisation_id, role=Role.PROGRAMME_MANAGER
    ).first()
    return found or User.objects.create_user(
        username=f"manager_{user.organisation_id}",
        organisation_id=user.organisation_id,
        role=Role.PROGRAMME_MANAGER,
    )


def record_caregiver(user: Any, child: Child, today: date = TODAY, **values: Any) -> Caregiver:
    """The plans' grandmother as a caregiver record of the child (no gazetteer needed)."""
    fields = {
        "name": "Grandmother Chea",
        "relationship": "grandparent",
        "address": "Takeo, Bati district",
        "phone": "012 345 678",
        **values,
    }
    return family.add_caregiver(user, child, **fields, today=today)


def answers_for(child: Child, finding: str = "meets_needs") -> dict[str, tuple[str, str]]:
    """An answer to every question the child's jurisdiction asks."""
    return {q.code: (finding, "Seen at the home visit") for q in family.questions_for(child.mother)}


def approve_handover(
    user: Any,
    plan: TransitionPlan,
    caregiver: Caregiver | None = None,
    recommendation: str = "hand_over",
    today: date = TODAY,
) -> BestInterestsAssessment:
    """A best-interests assessment of the plan's caregiver (a new record of the plans'
    grandmother unless given), recorded by `user` and approved by a programme manager."""
    plan.refresh_from_db()
    caregiver = caregiver or plan.caregiver or record_caregiver(user, plan.child, today)
    assessment = family.record_assessment(
        user,
        plan,
        caregiver=caregiver,
        assessed_on=max(plan.opened_on, today - timedelta(days=15)),
        recommendation=recommendation,
        reasons="" if recommendation == "hand_over" else "School fees for a year",
        answers=answers_for(plan.child),
        today=today,
    )
    return family.decide_assessment(
        manager_of(user), assessment, approve=True, version=assessment.version, today=today
    )


def plan_at(user: Any, child: Child, status: str) -> TransitionPlan:
    """A plan opened 30 days ago and walked to `status` with everything each step needs (an
    approved best-interests assessment before the handover)."""
    plan = open_plan(user, child)
    walk = [
        ("caregiver_identified", CAREGIVER),
        ("assessed", {"assessed_on": TODAY - timedelta(days=20), "home_is_suitable": True}),
        ("handed_over", {"handed_over_on": TODAY - timedelta(days=10)}),
    ]
    for step, fields in walk:
        if plan.status == status:
            break
        if step == "handed_over":
            approve_handover(user, plan)
        plan = advance(user, plan, step, **fields)
    return plan


@pytest.fixture
def gazetteer(provinces):
    """Two districts and three communes of the Cambodia pack's gazetteer (NCDD codes)."""
    chamkar_mon = District.objects.create(
        province=provinces["KH-12"],
        code="1201",
        name="Chamkar Mon",
        name_local="ចំការមន",
        kind="section",
    )
    kandal_stueng = District.objects.create(
        province=provinces["KH-8"],
        code="0801",
        name="Kandal Stueng",
        name_local="កណ្ដាលស្ទឹង",
        kind="district",
    )
    return {
        "1201": chamkar_mon,
        "0801": kandal_stueng,
        "120101": Commune.objects.create(
            district=chamkar_mon,
            code="120101",
            name="Tonle Basak",
            name_local="ទន្លេបាសាក់",
            kind="quarter",
        ),
        "080101": Commune.objects.create(
            district=kandal_stueng,
            code="080101",
            name="Ampov Prey",
            name_local="អំពៅព្រៃ",
            kind="commune",
        ),
        "080102": Commune.objects.create(
            district=kandal_stueng,
            code="080102",
            name="Anlong Romiet",
            name_local="អន្លង់រមៀត",
            kind="commune",
        ),
    }


@pytest.fixture
def questions(jurisdiction):
    """Three questions of a best-interests assessment, as a pack states them."""
    rows = [
        (
            "caregiver_capacity",
            "Can the caregiver look after the child?",
            "តើអ្នកថែទាំអាចមើលថែកុមារបានទេ?",
        ),
        ("home_visit", "What did the home visit find?", "តើការចុះទៅផ្ទះបានរកឃើញអ្វីខ្លះ?"),
        ("child_views", "What are the child's views?", "តើកុមារមានទស្សនៈយ៉ាងណា?"),
    ]
    return [
        BestInterestsQuestion.objects.create(
            jurisdiction=jurisdiction,
            code=code,
            position=position,
            text=text,
            text_local=local,
            source="A test source",
            verified=False,
        )
        for position, (code, text, local) in enumerate(rows, start=1)
    ]
