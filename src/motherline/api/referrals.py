"""Consent to share and referrals between organisations.

The same `casework.referrals` services as the web pages and the same access policy: a
woman's consents are seen as her record is and changed by her organisation; a referral is
seen by the two organisations it joins, answered by the receiver, withdrawn by the sender.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from motherline.accounts.models import Organisation
from motherline.accounts.policy import Capability
from motherline.api.access import Requires, child_records, her_records, visible_woman
from motherline.api.routes import named, read, read_all
from motherline.api.schemas import INT_MAX, PathReference, RecordId, Version
from motherline.casework import referrals
from motherline.casework.models import (
    TERMS_MAX_LENGTH,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Document,
    Referral,
    ReferralKind,
    ReferralService,
    ReferralStatus,
)
from motherline.core.actors import AuthenticatedRequest
from motherline.people.models import Child, Woman

router = Router(tags=["referrals"])

NO_SUCH_ORGANISATION = gettext_lazy("No such organisation.")
NO_SUCH_CONSENT = gettext_lazy("No such consent on this record.")
NO_SUCH_DOCUMENT = gettext_lazy("No such document on her record.")
NO_SUCH_CHILD = gettext_lazy("No such child of hers.")

Text = Field("", max_length=TERMS_MAX_LENGTH)


# Shapes


class ConsentOut(Schema):
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

    @staticmethod
    def resolve_child(obj: Consent) -> str | None:
        return obj.child.reference if obj.child is not None else None


class ConsentIn(Schema):
    purpose: ConsentPurpose
    given_by: ConsentGiver
    given_by_name: str = Field("", max_length=200)
    given_on: date
    child: str | None = Field(None, max_length=16, description="The child's reference.")
    to_organisation: int | None = Field(None, ge=1, le=INT_MAX)
    terms: str = Text
    document: int | None = Field(None, ge=1, le=INT_MAX, description="A document's id.")


class WithdrawConsentIn(Schema):
    version: Version
    withdrawn_on: date | None = None
    reason: str = Text


class ReferralOut(Schema):
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

    @staticmethod
    def resolve_child(obj: Referral) -> str | None:
        return obj.child.reference if obj.child is not None else None


class ReferralIn(Schema):
    to_organisation: int = Field(ge=1, le=INT_MAX)
    kind: ReferralKind = ReferralKind.REFERRAL
    service: ReferralService
    reason: str = Field(min_length=1, max_length=TERMS_MAX_LENGTH)
    consent: int = Field(ge=1, le=INT_MAX)
    shares_children: bool = False
    shares_legal: bool = False
    shares_care_plan: bool = False
    shares_casework: bool = False


class AnswerIn(Schema):
    version: Version
    action: Literal["accept", "decline", "withdraw"]
    note: str = Text


class ReferralsQuery(Schema):
    direction: Literal["received", "sent", "all"] = "all"
    status: ReferralStatus | None = None


# Helpers


def _organisation(pk: int) -> Organisation:
    return named(Organisation.objects.filter(pk=pk), "to_organisation", NO_SUCH_ORGANISATION)


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
    child = None
    if payload.child:
        children = Child.objects.filter(mother=woman, reference=payload.child)
        child = named(children, "child", NO_SUCH_CHILD)
    document = None
    if payload.document is not None:
        documents = Document.objects.filter(woman=woman, pk=payload.document)
        document = named(documents, "document", NO_SUCH_DOCUMENT)
    consent = referrals.record_consent(
        request.user,
        woman,
        purpose=payload.purpose,
        given_by=payload.given_by,
        given_by_name=payload.given_by_name,
        given_on=payload.given_on,
        child=child,
        to_organisation=(
            None if payload.to_organisation is None else _organisation(payload.to_organisation)
        ),
        terms=payload.terms,
        document=document,
        request=request,
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
    return read_all(request, Referral, "referrals", "referrals", list(found[:500]))


def _refer(
    request: AuthenticatedRequest, woman: Woman, child: Child | None, payload: ReferralIn
) -> Any:
    consents = Consent.objects.filter(woman=woman, pk=payload.consent)
    consent = named(consents, "consent", NO_SUCH_CONSENT)
    referral = referrals.refer(
        request.user,
        woman,
        child=child,
        to_organisation=_organisation(payload.to_organisation),
        kind=payload.kind,
        service=payload.service,
        reason=payload.reason,
        consent=consent,
        parts=payload.model_dump(
            include={"shares_children", "shares_legal", "shares_care_plan", "shares_casework"}
        ),
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
    return _refer(request, *her_records(request.user, reference), payload)


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
    return _refer(request, *child_records(request.user, reference), payload)


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
    return read(request, found)


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
