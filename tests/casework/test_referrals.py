"""Consent and referrals: what a referral opens to the receiver, when it closes, a transfer,
and withdrawing consent ending the sharing it allowed at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditEvent
from motherline.care.models import TransitionPlan
from motherline.casework import referrals, services
from motherline.casework.models import CaseNote, Consent, Referral
from motherline.core.versions import StaleVersion
from motherline.legal import services as legal_services
from motherline.legal.models import LegalCase
from motherline.people.models import Child, Woman
from tests.care.conftest import plan_at
from tests.conftest import TODAY
from tests.factories import reload

pytestmark = pytest.mark.django_db


def consent_of(user, woman, child=None, **kw):
    return referrals.record_consent(
        user,
        woman,
        purpose=kw.pop("purpose", "referral"),
        given_by=kw.pop("given_by", "self"),
        given_on=kw.pop("given_on", TODAY - timedelta(days=2)),
        child=child,
        **kw,
    )


def refer(user, woman, to, consent, **kw):
    return referrals.refer(
        user,
        woman,
        to_organisation=to,
        service=kw.pop("service", "child_protection"),
        reason=kw.pop("reason", "Place the child with her grandmother"),
        consent=consent,
        **kw,
    )


@pytest.fixture
def referred_child(users, orgs, mother, child):
    consent = consent_of(users["monitor"], mother, child, given_by="parent", given_by_name="Sokha")
    return refer(
        users["monitor"],
        mother,
        orgs["other"],
        consent,
        child=child,
        parts={"shares_care_plan": True},
    )


def fresh(record):
    return type(record).objects.get(pk=record.pk)


def sees(user, model, **lookup):
    return model.objects.visible_to(user).filter(**lookup).exists()


def test_a_waiting_referral_opens_nothing_and_accepting_opens_the_child_read_only(
    users, mother, child, referred_child
):
    receiver = users["other_monitor"]
    plan = plan_at(users["monitor"], child, "handed_over")
    assert not sees(receiver, Child, pk=child.pk)
    assert Referral.objects.visible_to(receiver).get() == referred_child

    referrals.answer(receiver, referred_child, accept=True, version=1)

    assert sees(receiver, Child, pk=child.pk)
    assert sees(receiver, TransitionPlan, pk=plan.pk)
    # The mother's record and her other records stay hers: the referral was of the child.
    assert not sees(receiver, Woman, pk=mother.pk)
    assert not Child.objects.editable_by(receiver).filter(pk=child.pk).exists()


def test_parts_not_shared_stay_out_of_sight(users, orgs, mother, child, offences):
    monitor, receiver = users["monitor"], users["other_monitor"]
    note = services.add_note(monitor, mother, noted_on=TODAY, kind="phone", text="Private")
    case = legal_services.open_case(users["legal_officer"], mother, {"stage": "trial"})
    consent = consent_of(monitor, mother)
    referral = refer(
        monitor, mother, orgs["other"], consent, service="legal_aid", parts={"shares_legal": True}
    )
    referrals.answer(receiver, referral, accept=True, version=1)
    assert sees(receiver, Woman, pk=mother.pk)
    assert sees(receiver, LegalCase, pk=case.pk)
    assert not sees(receiver, Child, pk=child.pk)
    assert not sees(receiver, CaseNote, pk=note.pk)
    # A third organisation (the partner, by her consent, reads her record) sees no referral.
    assert not Referral.objects.visible_to(users["un_monitor"]).exists()


def test_declining_needs_a_reason_and_opens_nothing(users, child, referred_child):
    receiver = users["other_monitor"]
    with pytest.raises(ValidationError) as error:
        referrals.answer(receiver, referred_child, accept=False, version=1)
    assert "note" in error.value.message_dict
    declined = referrals.answer(
        receiver, referred_child, accept=False, version=1, note="No place this month"
    )
    assert declined.status == "declined" and declined.answer == "No place this month"
    assert not sees(receiver, Child, pk=child.pk)


def test_only_the_receiver_answers_and_only_from_the_version_read(users, referred_child):
    with pytest.raises(PermissionDenied):
        referrals.answer(users["monitor"], referred_child, accept=True, version=1)
    with pytest.raises(PermissionDenied):
        referrals.answer(users["un_monitor"], referred_child, accept=True, version=1)
    with pytest.raises(StaleVersion):
        referrals.answer(users["other_monitor"], referred_child, accept=True, version=7)


def test_the_sender_ends_an_accepted_referral_and_access_ends_at_once(users, child, referred_child):
    receiver = users["other_monitor"]
    accepted = referrals.answer(receiver, referred_child, accept=True, version=1)
    with pytest.raises(PermissionDenied):
        referrals.withdraw(receiver, accepted, version=accepted.version)
    ended = referrals.withdraw(users["monitor"], accepted, version=accepted.version)
    assert ended.status == "ended" and ended.ended_because == "withdrawn_by_sender"
    assert not sees(receiver, Child, pk=child.pk)


def test_withdrawing_consent_ends_partners_access_and_open_referrals(users, orgs, mother, child):
    monitor = users["monitor"]
    partners = Consent.objects.get(pk=consent_of(monitor, mother, purpose="partners").pk)
    assert reload(mother).consent_scope == "partners"
    assert sees(users["un_monitor"], Woman, pk=mother.pk)
    to_refer = consent_of(monitor, mother, child, given_by="parent", given_by_name="Sokha")
    accepted = refer(monitor, mother, orgs["other"], to_refer, child=child)
    referrals.answer(users["other_monitor"], accepted, accept=True, version=1)
    waiting = refer(monitor, mother, orgs["un"], to_refer, child=child, service="health")

    referrals.withdraw_consent(monitor, partners, version=1, reason="She asked us to stop")
    assert reload(mother).consent_scope == "register"
    assert not sees(users["un_monitor"], Woman, pk=mother.pk)

    referrals.withdraw_consent(monitor, to_refer, version=1)
    assert fresh(accepted).status == "ended"
    assert fresh(waiting).status == "cancelled"
    assert fresh(accepted).ended_because == "consent_withdrawn"
    assert not sees(users["other_monitor"], Child, pk=child.pk)
    with pytest.raises(ValidationError):
        referrals.withdraw_consent(monitor, fresh(to_refer), version=2)
    # Audited without the texts.
    events = AuditEvent.objects.filter(object_type="casework.Consent", action="change")
    assert events.count() == 2
    assert "stop" not in str(list(events.values_list("changes", flat=True)))


def test_a_referral_needs_a_consent_in_force_for_that_record(users, orgs, mother, child):
    monitor = users["monitor"]
    for_child = consent_of(monitor, mother, child, given_by="parent", given_by_name="Sokha")
    with pytest.raises(ValidationError) as error:
        refer(monitor, mother, orgs["other"], for_child)  # her whole record: not consented
    assert "consent" in error.value.message_dict
    limited = consent_of(monitor, mother, to_organisation=orgs["un"])
    with pytest.raises(ValidationError) as error:
        refer(monitor, mother, orgs["other"], limited)
    assert "consent" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        refer(monitor, mother, mother.organisation, limited)
    assert "to_organisation" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        refer(users["un_monitor"], mother, orgs["other"], limited)


def test_an_accepted_transfer_moves_the_record_and_its_children(users, orgs, mother, child):
    monitor = users["monitor"]
    services.assign(monitor, mother, users["legal_officer"])
    consent = consent_of(monitor, mother)
    transfer = refer(monitor, mother, orgs["other"], consent, kind="transfer", service="legal_aid")
    referrals.answer(users["other_monitor"], transfer, accept=True, version=1)
    assert reload(mother).organisation == orgs["other"]
    assert Child.objects.get(pk=child.pk).organisation == orgs["other"]
    assert Woman.objects.editable_by(users["other_monitor"]).filter(pk=mother.pk).exists()
    # The sender no longer reads it: the new owner shares nothing with it.
    assert not sees(monitor, Woman, pk=mother.pk)
    assert not mother.assignments.exists()
    # Withdrawing the consent later does not undo a transfer.
    referrals.withdraw_consent(users["other_monitor"], consent, version=1)
    assert fresh(transfer).status == "accepted"


def test_a_child_cannot_be_transferred_apart_from_the_mother(users, orgs, mother, child):
    consent = consent_of(users["monitor"], mother, child, given_by="guardian", given_by_name="A")
    with pytest.raises(ValidationError) as error:
        refer(users["monitor"], mother, orgs["other"], consent, child=child, kind="transfer")
    assert "kind" in error.value.message_dict


def test_consent_inputs_are_checked(users, orgs, mother, child):
    monitor = users["monitor"]
    with pytest.raises(ValidationError) as error:
        referrals.record_consent(
            monitor,
            mother,
            purpose="everything",
            given_by="parent",
            given_on=TODAY + timedelta(days=1),
            terms="x" * 3000,
        )
    assert set(error.value.message_dict) >= {"purpose", "given_by", "given_on", "terms"}
    with pytest.raises(ValidationError) as error:
        consent_of(monitor, mother, child, purpose="partners", given_by="other")
    assert set(error.value.message_dict) >= {"child", "given_by_name"}


def test_a_waiting_referral_is_on_the_receivers_worklist_until_answered(
    users, orgs, referred_child
):
    from motherline.worklist.queries import worklist_for
    from motherline.worklist.rules import Kind

    receiver = users["other_monitor"]
    items = [i for i in worklist_for(receiver, TODAY) if i.kind == Kind.REFERRAL_WAITING]
    assert [(i.subject.reference, i.due_date) for i in items] == [
        (referred_child.reference, TODAY + timedelta(days=7))
    ]
    assert items[0].action_link == f"/casework/referrals/{referred_child.pk}/" or items[
        0
    ].action_link.endswith(f"referrals/{referred_child.pk}/")
    # Not the sender's item, and nothing with a name in it.
    assert not [i for i in worklist_for(users["monitor"], TODAY) if i.kind == Kind.REFERRAL_WAITING]
    assert "Dara" not in str(items[0].as_json(TODAY))
    referrals.answer(receiver, referred_child, accept=True, version=1)
    assert not [i for i in worklist_for(receiver, TODAY) if i.kind == Kind.REFERRAL_WAITING]
