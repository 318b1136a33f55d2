"""The migration that gives each caregiver typed on a transition plan a caregiver record:
run on plans made the old way (free text only), through the migration's own functions."""

from __future__ import annotations

import importlib
from datetime import timedelta

from django.apps import apps as global_apps

from motherline.care.models import Caregiver, CaregiverLink, TransitionPlan
from tests.care.conftest import CAREGIVER, TODAY, advance, open_plan
from tests.factories import admit, child_in_prison, children_of

migration = importlib.import_module("motherline.care.migrations.0005_caregivers_from_plans")


def typed_plan(monitor, child, **caregiver):
    plan = open_plan(monitor, child)
    return advance(monitor, plan, "caregiver_identified", **{**CAREGIVER, **caregiver})


def test_typed_caregivers_become_records_linked_to_child_and_plan(monitor, prisons):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=400),
        children=[
            child_in_prison(TODAY - timedelta(days=1000), name="Dara"),
            child_in_prison(TODAY - timedelta(days=900), name="Nita"),
        ],
    )
    dara, nita = children_of(mother)
    first = typed_plan(monitor, dara)
    second = typed_plan(monitor, nita, caregiver_contact="through the village chief")
    untouched = open_plan(
        monitor,
        children_of(
            admit(
                monitor,
                prisons["CC2"],
                admission_date=TODAY - timedelta(days=400),
                children=[child_in_prison(TODAY - timedelta(days=800))],
            )
        )[0],
    )

    migration.forwards(global_apps, None)

    first.refresh_from_db()
    second.refresh_from_db()
    # A phone number typed as the contact is the record's phone; other words go with the
    # address, so that nothing typed is lost.
    assert (first.caregiver.name, first.caregiver.phone, first.caregiver.address) == (
        "Grandmother Chea",
        "012 345 678",
        "Takeo, Bati district",
    )
    assert (second.caregiver.phone, second.caregiver.address) == (
        "",
        "Takeo, Bati district; through the village chief",
    )
    assert first.caregiver.woman == mother
    assert CaregiverLink.objects.get(caregiver=first.caregiver).relationship == "grandparent"
    # The plans' typed fields stay as they were.
    assert first.caregiver_name == "Grandmother Chea"
    assert TransitionPlan.objects.get(pk=untouched.pk).caregiver is None
    # Run again (an interrupted migration started over): nothing more is made.
    migration.forwards(global_apps, None)
    assert Caregiver.objects.count() == 2
    migration.backwards(global_apps, None)
    assert not Caregiver.objects.exists()
    assert not TransitionPlan.objects.filter(caregiver__isnull=False).exists()


def test_one_person_typed_alike_for_two_children_is_one_record(monitor, prisons):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=400),
        children=[
            child_in_prison(TODAY - timedelta(days=1000)),
            child_in_prison(TODAY - timedelta(days=900)),
        ],
    )
    for child in children_of(mother):
        typed_plan(monitor, child)

    migration.forwards(global_apps, None)

    caregiver = Caregiver.objects.get()
    assert set(caregiver.children.all()) == set(children_of(mother))
