"""Caregivers as records: added to a child with an address from the gazetteer, linked to a
sibling, corrected from the version read; checked, audited, and seen as the child is."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care import family
from motherline.care.models import Caregiver, CaregiverLink
from motherline.core.versions import StaleVersion
from tests.care.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def add(user, child, **values):
    fields = {"name": "Chea Sophal", "relationship": "grandparent", **values}
    return family.add_caregiver(user, child, **fields, today=TODAY)


def test_a_caregiver_with_a_commune_address(monitor, child, gazetteer):
    caregiver = add(
        monitor,
        child,
        commune="080102",
        address="Phum Prek, house 4",
        phone="+855 12 345 678",
    )
    # The district and province are taken from the commune.
    assert caregiver.commune == gazetteer["080102"]
    assert caregiver.district == gazetteer["0801"]
    assert caregiver.province.code == "KH-8"
    assert caregiver.place() == "Anlong Romiet, Kandal Stueng, Kandal"
    link = CaregiverLink.objects.get(caregiver=caregiver)
    assert (link.child, link.relationship, link.linked_by) == (child, "grandparent", monitor)
    assert caregiver.woman == child.mother and caregiver.version == 1
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="care.Caregiver")
    assert event.object_ref == caregiver.reference
    assert event.changes == {
        "woman": child.mother.reference,
        "child": child.reference,
        "relationship": "grandparent",
        "fields": ["address", "commune", "district", "name", "phone", "province"],
    }


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "  "}, "name", "Name the caregiver"),
        ({"relationship": "mother"}, "relationship", "own record"),
        ({"relationship": "neighbour"}, "relationship", "how the caregiver is related"),
        ({"phone": "call the chief"}, "phone", "digits, spaces and hyphens"),
        ({"phone": "12 34"}, "phone", "from 6 to 15 digits"),
        ({"phone": "+855 12 345 678 901 234"}, "phone", "from 6 to 15 digits"),
        ({"address": "x" * 256}, "address", "At most 255"),
        ({"name": "A\x00B"}, "name", "cannot be stored"),
        ({"province": "KH-99"}, "province", "province of the list"),
        ({"province": "KH-12", "district": "0801"}, "district", "district of the province"),
        ({"district": "1201", "commune": "080101"}, "commune", "commune of the district"),
        ({}, "commune", "where the caregiver lives, or give a phone"),
    ],
)
def test_details_are_checked(monitor, child, gazetteer, values, field, message):
    with pytest.raises(ValidationError) as excinfo:
        add(monitor, child, **values)
    assert message in errors_of(excinfo)[field][0]
    assert not Caregiver.objects.exists()
    assert not CaregiverLink.objects.exists()


def test_a_province_or_district_alone_is_an_address(monitor, child, gazetteer):
    caregiver = add(monitor, child, district="1201")
    assert (caregiver.province.code, caregiver.district.code, caregiver.commune) == (
        "KH-12",
        "1201",
        None,
    )


def test_a_sibling_caregiver_is_linked_not_recorded_twice(monitor, users, prisons):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=30),
        children=[
            child_in_prison(TODAY.replace(year=2024), name="Dara"),
            child_in_prison(TODAY.replace(year=2025), name="Nita"),
        ],
    )
    older, younger = children_of(mother)
    grandmother = add(monitor, older, phone="012 345 678")
    link = family.link_caregiver(monitor, younger, grandmother, "grandparent", today=TODAY)
    assert link.caregiver == grandmother
    assert set(grandmother.children.all()) == {older, younger}
    assert list(family.caregivers_of(younger)) == [grandmother]
    with pytest.raises(ValidationError) as excinfo:
        family.link_caregiver(monitor, younger, grandmother, "grandparent")
    assert "already recorded" in errors_of(excinfo)["caregiver"][0]
    # Another woman's child is not hers: a caregiver of one family stays in it.
    stranger = children_of(
        admit(
            monitor,
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=30),
            children=[child_in_prison(TODAY - timedelta(days=300))],
        )
    )[0]
    with pytest.raises(ValidationError) as excinfo:
        family.link_caregiver(monitor, stranger, grandmother, "grandparent")
    assert "of her children" in errors_of(excinfo)["caregiver"][0]


def test_a_correction_names_its_version_and_is_audited_without_values(monitor, child, gazetteer):
    caregiver = add(monitor, child, commune="080101", phone="012 345 678")
    corrected = family.correct_caregiver(
        monitor,
        child,
        caregiver,
        {"name": "Chea Sophal Mao", "commune": "120101", "relationship": "other_relative"},
        version=1,
    )
    assert corrected.version == 2
    assert (corrected.name, corrected.commune.code, corrected.province.code) == (
        "Chea Sophal Mao",
        "120101",
        "KH-12",
    )
    assert CaregiverLink.objects.get(caregiver=caregiver).relationship == "other_relative"
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).latest("id")
    assert event.changes["fields"] == ["commune", "district", "name", "province", "relationship"]
    assert event.changes["values"] == {"relationship": ["grandparent", "other_relative"]}
    assert "Mao" not in str(event.changes)
    # The version read before the correction is out of date: refused, nothing written.
    with pytest.raises(StaleVersion):
        family.correct_caregiver(monitor, child, caregiver, {"phone": "099 999 999"}, version=1)
    assert Caregiver.objects.get(pk=caregiver.pk).phone == "012 345 678"


def test_clearing_the_commune_keeps_the_district_sent(monitor, child, gazetteer):
    caregiver = add(monitor, child, commune="080101")
    corrected = family.correct_caregiver(
        monitor, child, caregiver, {"commune": None}, version=caregiver.version
    )
    # The district and province as they were: only the commune is no longer known.
    assert (corrected.commune, corrected.district.code) == (None, "0801")


def test_a_correction_is_checked_as_a_whole(monitor, child, gazetteer):
    caregiver = add(monitor, child, phone="012 345 678")
    with pytest.raises(ValidationError) as excinfo:
        family.correct_caregiver(
            monitor, child, caregiver, {"phone": "", "name": ""}, version=caregiver.version
        )
    assert set(errors_of(excinfo)) == {"name", "commune"}
    with pytest.raises(TypeError):
        family.correct_caregiver(monitor, child, caregiver, {"woman": 3}, version=1)


def test_only_the_owning_organisation_changes_caregivers(users, monitor, prisons):
    shared = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=30),
        consent_scope="partners",
        children=[child_in_prison(TODAY - timedelta(days=300))],
    )
    child = children_of(shared)[0]
    caregiver = add(monitor, child, phone="012 345 678")
    for who in ("un_monitor", "other_monitor", "programme_manager", "viewer"):
        with pytest.raises(PermissionDenied):
            add(users[who], child, phone="012 345 678")
        with pytest.raises(PermissionDenied):
            family.correct_caregiver(
                users[who], child, caregiver, {"phone": "099 999 999"}, version=1
            )
    # The partner it is shared with reads it; the unrelated organisation does not.
    assert Caregiver.objects.visible_to(users["un_monitor"]).filter(pk=caregiver.pk).exists()
    assert not Caregiver.objects.visible_to(users["other_monitor"]).exists()
    assert not CaregiverLink.objects.visible_to(users["other_monitor"]).exists()
    assert not Caregiver.objects.editable_by(users["un_monitor"]).exists()


def test_a_referral_of_the_child_sharing_its_plans_opens_its_caregivers(users, orgs, mother, child):
    from motherline.care.models import BestInterestsAssessment
    from motherline.casework import referrals
    from tests.care.conftest import plan_at
    from tests.casework.test_referrals import consent_of, refer

    monitor, receiver = users["monitor"], users["other_monitor"]
    plan = plan_at(monitor, child, "handed_over")  # the grandmother, assessed and approved
    grandmother = plan.caregiver
    # A caregiver of the family recorded for none of this child's needs: not the child's.
    elsewhere = Caregiver.objects.create(woman=mother, name="Someone else", phone="012 000 000")
    consent = consent_of(monitor, mother, child, given_by="parent", given_by_name="Sokha")
    referral = refer(
        monitor, mother, orgs["other"], consent, child=child, parts={"shares_care_plan": True}
    )
    assert not Caregiver.objects.visible_to(receiver).exists()

    referrals.answer(receiver, referral, accept=True, version=1)

    assert list(Caregiver.objects.visible_to(receiver)) == [grandmother]
    assert CaregiverLink.objects.visible_to(receiver).get().child == child
    assert BestInterestsAssessment.objects.visible_to(receiver).get().caregiver == grandmother
    assert elsewhere not in Caregiver.objects.visible_to(receiver)
    # Read-only: the record stays its organisation's.
    assert not Caregiver.objects.editable_by(receiver).exists()
    with pytest.raises(PermissionDenied):
        family.correct_caregiver(receiver, child, grandmother, {"phone": "099 999 999"}, version=1)
