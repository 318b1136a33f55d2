"""Consent to share and referrals between organisations.

The same `casework.referrals` services as the web pages and the same access policy: a
woman's consents are seen as her record is and changed by her organisation; a referral is
seen by the two organisations it joins, answered by the receiver, withdrawn by the sender.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.schemas import PathReference, RecordId
from motherline.casework import referrals
from motherline.casework.actions import AnswerIn, ConsentIn, ReferralIn, WithdrawConsentIn
from motherline.casework.models import (
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Referral,
    ReferralKind,
    ReferralService,
    ReferralStatus,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.people.models import Child, Woman

router = Router(tags=["referrals"])


# Shapes


class ConsentOut(Schema):
    id: int
    woman: str
    child: str | None
    purpose: ConsentPurpose
    given_by: ConsentGiver
    given_by_name: str
    given_on: date
    to_organisation: int | None
    terms: str
    document: int | None
    withdrawn_on: date | None
    version: int = Field(description="Send it back to withdraw the consent.")

    @staticmethod
    def resolve_woman(obj: Consent) -> str:
        return obj.woman.reference

    @staticmethod
    def resolve_child(obj: Consent) -> str | None:
        return obj.child.reference if obj.child is not None else None

    @staticmethod
    def resolve_to_organisation(obj: Consent) -> int | None:
        return obj.to_organisation_id

    @staticmethod
    def resolve_document(obj: Consent) -> int | None:
        return obj.document_id


class ReferralOut(Schema):
    id: int
    reference: str
    kind: ReferralKind
    woman: str
    child: str | None
    from_organisation: int
    to_organisation: int
    service: ReferralService
    reason: str
    shares_children: bool
    shares_legal: bool
    shares_care_plan: bool
    shares_casework: bool
    consent: int
    status: ReferralStatus
    sent_on: date
    answered_on: date | None
    answer: str
    ended_on: date | None
    version: int

    @staticmethod
    def resolve_woman(obj: Referral) -> str:
        return obj.woman.reference

    @staticmethod
    def resolve_child(obj: Referral) -> str | None:
        return obj.child.reference if obj.child is not None else None

    @staticmethod
    def resolve_from_organisation(obj: Referral) -> int:
        return obj.from_organisation_id

    @staticmethod
    def resolve_to_organisation(obj: Referral) -> int:
        return obj.to_organisation_id

    @staticmethod
    def resolve_consent(obj: Referral) -> int:
        return obj.consent_id


class ReferralsQuery(Schema):
    direction: Literal["received", "sent", "all"] = "all"
    status: ReferralStatus | None = None


# Helpers


def _woman(user: User, reference: str) -> Woman:
    return get_object_or_404(Woman.objects.visible_to(user), reference=reference)


def _child(user: User, reference: str) -> Child:
    return get_object_or_404(
        Child.objects.visible_to(user).select_related("mother"), reference=reference
    )


def _referral(pk: int) -> Referral:
    return Referral.objects.select_related("woman", "child").get(pk=pk)


# Consents


@router.get(
    "/women/{reference}/consents",
    response=list[ConsentOut],
    url_name="consents",
    summary="List a woman's consents to share",
    auth=Requires(Capability.VIEW_REGISTER),
)
def consents(request: AuthenticatedRequest, reference: PathReference) -> Any:
    """Her consents, in force and withdrawn, newest first."""
    woman = _woman(request.user, reference)
    found = list(
        Consent.objects.visible_to(request.user).filter(woman=woman).select_related("child")
    )
    for consent in found:
        consent.woman = woman
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Consent._meta.label,
        object_ref=woman.reference,
        request=request,
        changes={"consents": [c.pk for c in found]},
    )
    return found


@router.post(
    "/women/{reference}/consents",
    response={201: ConsentOut},
    url_name="consents",
    summary="Record a consent to share",
    auth=Requires(Capability.EDIT_REGISTER),
)
def record_consent(
    request: AuthenticatedRequest, reference: PathReference, payload: ConsentIn
) -> Any:
    """A consent to share with partners makes her record readable by the organisations that
    share with hers; a consent to a referral allows referrals of her record (or a child's)."""
    woman = _woman(request.user, reference)
    consent = referrals.record_consent(
        request.user, woman, **referrals.consent_values(woman, payload), request=request
    )
    return Status(201, Consent.objects.select_related("woman", "child").get(pk=consent.pk))


@router.post(
    "/consents/{consent_id}/withdraw",
    response=ConsentOut,
    url_name="withdraw_consent",
    summary="Withdraw a consent",
    auth=Requires(Capability.EDIT_REGISTER),
)
def withdraw_consent(
    request: AuthenticatedRequest, consent_id: RecordId, payload: WithdrawConsentIn
) -> Any:
    """Ends at once what it allowed: partners' access, the referrals resting on it."""
    consent = get_object_or_404(Consent.objects.visible_to(request.user), pk=consent_id)
    withdrawn = referrals.withdraw_consent(
        request.user,
        consent,
        version=payload.version,
        withdrawn_on=payload.withdrawn_on,
        reason=payload.reason,
        request=request,
    )
    return Consent.objects.select_related("woman", "child").get(pk=withdrawn.pk)


# Referrals


@router.get(
    "/referrals",
    response=list[ReferralOut],
    url_name="referrals",
    summary="List the referrals your organisation received or sent",
    auth=Requires(Capability.VIEW_REGISTER),
)
def referral_list(request: AuthenticatedRequest, filters: Query[ReferralsQuery]) -> Any:
    """Received, sent or both; a waiting one received is yours to answer (the worklist
    lists it). Before it is accepted the receiver reads the referral, not the record."""
    found = Referral.objects.visible_to(request.user).select_related("woman", "child")
    org = getattr(request.user, "organisation_id", None)
    if filters.direction == "received":
        found = found.filter(to_organisation_id=org)
    elif filters.direction == "sent":
        found = found.filter(from_organisation_id=org)
    if filters.status:
        found = found.filter(status=filters.status)
    rows = list(found[:500])
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Referral._meta.label,
        object_ref="referrals",
        request=request,
        changes={"referrals": [r.pk for r in rows]},
    )
    return rows


def _refer(
    request: AuthenticatedRequest, woman: Woman, child: Child | None, payload: ReferralIn
) -> Any:
    referral = referrals.refer(
        request.user,
        woman,
        child=child,
        **referrals.referral_values(woman, payload),
        request=request,
    )
    return Status(201, _referral(referral.pk))


@router.post(
    "/women/{reference}/referrals",
    response={201: ReferralOut},
    url_name="refer_woman",
    summary="Refer or transfer a woman's record to another organisation",
    auth=Requires(Capability.EDIT_REGISTER),
)
def refer_woman(
    request: AuthenticatedRequest, reference: PathReference, payload: ReferralIn
) -> Any:
    """With a consent in force to a referral of her record. `kind` transfer: on acceptance
    the receiver owns her record and her children's."""
    return _refer(request, _woman(request.user, reference), None, payload)


@router.post(
    "/children/{reference}/referrals",
    response={201: ReferralOut},
    url_name="refer_child",
    summary="Refer a child's record to another organisation",
    auth=Requires(Capability.EDIT_REGISTER),
)
def refer_child(
    request: AuthenticatedRequest, reference: PathReference, payload: ReferralIn
) -> Any:
    """With a consent in force for the child (or her whole record); shares the child's
    record and, as chosen, the child's transition plans, notes and documents."""
    child = _child(request.user, reference)
    return _refer(request, child.mother, child, payload)


@router.get(
    "/referrals/{referral_id}",
    response=ReferralOut,
    url_name="referral",
    summary="Read a referral",
    auth=Requires(Capability.VIEW_REGISTER),
)
def referral(request: AuthenticatedRequest, referral_id: RecordId) -> Any:
    """One referral your organisation sent or received."""
    found = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related("woman", "child"),
        pk=referral_id,
    )
    audit.record(request.user, AuditAction.VIEW, found, request=request, object_ref=found.reference)
    return found


@router.post(
    "/referrals/{referral_id}/answer",
    response=ReferralOut,
    url_name="answer_referral",
    summary="Accept, decline or withdraw a referral",
    auth=Requires(Capability.EDIT_REGISTER),
)
def answer_referral(request: AuthenticatedRequest, referral_id: RecordId, payload: AnswerIn) -> Any:
    """`accept` or `decline` (with a note saying why) by the receiver; `withdraw` by the
    sender (cancels a waiting referral, ends an accepted one). From the version read."""
    found = get_object_or_404(Referral.objects.visible_to(request.user), pk=referral_id)
    if payload.action == "withdraw":
        done = referrals.withdraw(
            request.user, found, version=payload.version, note=payload.note, request=request
        )
    else:
        done = referrals.answer(
            request.user,
            found,
            accept=payload.action == "accept",
            version=payload.version,
            note=payload.note,
            request=request,
        )
    return _referral(done.pk)
