"""Fixtures for legal work: a fixed today, the pardon criteria of a small pack, and women
in custody built through `people.services`."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motherline.jurisdictions.models import PretrialLimitRule, ScreeningCriterion
from motherline.people.models import LegalStatus
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, reload


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def criteria(jurisdiction):
    PretrialLimitRule.objects.create(
        jurisdiction=jurisdiction, offence_class="misdemeanour", max_days=180
    )
    PretrialLimitRule.objects.create(
        jurisdiction=jurisdiction, offence_class="felony", max_days=540
    )
    rows = [
        ("pardon", "pregnant", "pregnant", "", 5),
        ("pardon", "child_in_prison", "child_in_prison", "", 5),
        ("pardon", "petty_non_violent", "petty_non_violent", "petty;misdemeanour", 2),
        ("pardon", "half_served", "share_served", "1/2", 2),
        ("pretrial", "past_limit", "pretrial_past_limit", "", 6),
        ("pretrial", "pregnant", "pregnant", "", 4),
    ]
    return [
        ScreeningCriterion.objects.create(
            jurisdiction=jurisdiction,
            remedy=remedy,
            code=code,
            kind=kind,
            parameter=parameter,
            weight=weight,
            name=code.replace("_", " ").capitalize(),
            explanation="Why it counts.",
        )
        for remedy, code, kind, parameter, weight in rows
    ]


def convicted_mother(user, prison, known_offences, **fields):
    """A woman with a final sentence of 24 months, admitted 200 days ago, with a child of
    two living with her."""
    values = {
        "admission_date": TODAY - timedelta(days=200),
        "legal_status": LegalStatus.FINAL,
        "sentence_months": 24,
        "offences": [known_offences["theft"]],
        "children": [child_in_prison(date(2024, 5, 1))],
    }
    values.update(fields)
    return reload(admit(user, prison, **values))


@pytest.fixture
def mother(users, prisons, offences, criteria):
    return convicted_mother(users["legal_officer"], prisons["CC2"], offences)


@pytest.fixture
def pregnant_pretrial(users, prisons, offences, criteria):
    return reload(
        admit(
            users["legal_officer"],
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=30),
            offences=[offences["theft"]],
            is_pregnant=True,
            pregnancy_known_since=TODAY - timedelta(days=60),
            expected_delivery_date=TODAY + timedelta(days=100),
        )
    )
