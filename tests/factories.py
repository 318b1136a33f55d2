"""Building register records for tests through `people.services`, so every record is in the
state the application itself would leave it (current episode, placements, audit trail).

Dates default to just before `conftest.TODAY`; pass `today=` through to the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory

from motherline.people import services
from motherline.people.models import Child, Pregnancy, Woman
from motherline.people.services import Admission, ChildDetails
from tests.conftest import TODAY


class AdmissionFactory(factory.Factory):
    """An `Admission` of an adult woman, pretrial, 100 days before TODAY."""

    class Meta:
        model = Admission

    organisation_id = None
    prison = None
    admission_date = TODAY - timedelta(days=100)
    name = factory.Sequence(lambda n: f"Sokha {n}")
    name_latin = factory.Sequence(lambda n: f"Sokha Latin {n}")
    register_number = factory.Sequence(lambda n: f"REG-{n:05d}")
    date_of_birth = date(1990, 3, 10)
    # Fixtures record what they mean to (a child already past the age limit): the warnings'
    # own tests ask for them with confirm_warnings=False.
    confirm_warnings = True


def admit(
    user: Any, prison: Any, *, organisation: Any = None, today: date = TODAY, **fields: Any
) -> Woman:
    """Admit a woman recorded by `user`'s organisation (or `organisation`) into `prison`."""
    org_id = (organisation or user.organisation).id
    adm = AdmissionFactory(organisation_id=org_id, prison=prison, **fields)
    return services.admit_woman(user, adm, today=today)


def child_in_prison(date_of_birth: date, **fields: Any) -> ChildDetails:
    return ChildDetails(date_of_birth=date_of_birth, living_in_prison=True, **fields)


def child_outside(date_of_birth: date, relationship: str = "grandparent", **fields: Any):
    return ChildDetails(
        date_of_birth=date_of_birth,
        living_in_prison=False,
        caregiver_relationship=relationship,
        **fields,
    )


def reload(woman: Woman) -> Woman:
    return Woman.objects.get(pk=woman.pk)


def ongoing_pregnancy(woman: Woman) -> Pregnancy:
    return woman.pregnancies.get(outcome="")


def children_of(woman: Woman) -> list[Child]:
    return list(woman.children.order_by("date_of_birth", "id"))


def current_version(record: Any) -> int:
    """The version of a record as it is stored now: what a user reading it would send back
    with a change (the object in hand may be older than a change made since)."""
    return type(record).objects.values_list("version", flat=True).get(pk=record.pk)
