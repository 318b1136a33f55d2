"""Consent to share and referrals between organisations.

The same `casework.referrals` services as the web pages and the same access policy: a
woman's consents are seen as her record is and changed by her organisation; a referral is
seen by the two organisations it joins, answered by the receiver, withdrawn by the sender.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status

from motherline.accounts.policy import Capability
from motherline.api.access import Requires, visible_record, visible_woman
from motherline.api.routes import Twin, read, read_all, twins
from motherline.api.schemas import OnWomanOrChild, PathReference, RecordId
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


class ConsentOut(OnWomanOrChild):
    id: int
    woman: str = Field(alias="woman.reference")
    child: str | None
    purpose: ConsentPurpose
    given_by: ConsentGiver
    given_by_name: str
    given_on: date
    to_organisation: int | None = Field(alias="to_organisation_id")
    terms: str
    document: int | None = Field(alias="document_id")
    withdrawn_on: date | None
    version: int = Field(description="Send it back to withdraw the consent.")


class ReferralOut(OnWomanOrChild):
    id: int
    reference: str
    kind: ReferralKind
    woman: str = Field(alias="woman.reference")
    child: str | None
    from_organisation: int = Field(alias="from_organisation_id")
    to_organisation: int = Field(alias="to_organisation_id")
    service: ReferralService
    reason: str
    shares_children: bool
    shares_legal: bool
    shares_care_plan: bool
    shares_casework: bool
    consent: int = Field(alias="consent_id")
    status: ReferralStatus
    sent_on: date
    answered_on: date | None
    answer: str
    ended_on: date | None
    version: int


class ReferralsQuery(Schema):
    direction: Literal["received", "sent", "all"] = "all"
    status: ReferralStatus | None = None


# Helpers


def _consent(pk: int) -> Consent:
    return Consent.objects.select_related("woman", "child").get(pk=pk)


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
    woman = visible_woman(request.user, reference)
    found = list(
        Consent.objects.visible_to(request.user).filter(woman=woman).select_related("child")
    )
    for consent in found:
        consent.woman = woman
    return read_all(request, Consent, woman.reference, "consents", found)


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
    woman = visible_woman(request.user, reference)
    consent = referrals.record_consent(
        request.user, woman, **referrals.consent_values(woman, payload), request=request
    )
    return Status(201, _consent(consent.pk))


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
    consent = visible_record(Consent, request.user, consent_id)
    withdrawn = referrals.withdraw_consent(
        request.user,
        consent,
        version=payload.version,
        withdrawn_on=payload.withdrawn_on,
        reason=payload.reason,
        request=request,
    )
    return _consent(withdrawn.pk)


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
    return read_all(request, Referral, "referrals", "referrals", list(found[:500]))


@twins(
    router,
    "POST",
    "referrals",
    response={201: ReferralOut},
    auth=Requires(Capability.EDIT_REGISTER),
    woman=Twin(
        "refer_woman",
        "Refer or transfer a woman's record to another organisation",
        "With a consent in force to a referral of her record. `kind` transfer: on acceptance\n"
        "the receiver owns her record and her children's.",
    ),
    child=Twin(
        "refer_child",
        "Refer a child's record to another organisation",
        "With a consent in force for the child (or her whole record); shares the child's\n"
        "record and, as chosen, the child's transition plans, notes and documents.",
    ),
)
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


@router.get(
    "/referrals/{referral_id}",
    response=ReferralOut,
    url_name="referral",
    summary="Read a referral",
    auth=Requires(Capability.VIEW_REGISTER),
)
def referral(request: AuthenticatedRequest, referral_id: RecordId) -> Any:
    """One referral your organisation sent or received."""
    return read(request, visible_record(Referral, request.user, referral_id, "woman", "child"))


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
    found = visible_record(Referral, request.user, referral_id)
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
