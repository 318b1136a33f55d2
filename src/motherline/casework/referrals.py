"""Consent to share and referrals between organisations: every change goes through here.

A consent says who agreed, when, to what; withdrawn, it ends at once the sharing it allowed
(partners' access through `Woman.consent_scope`, and the open referrals resting on it). A
referral sends a woman's record, or one child's, to another organisation for a service; the
receiver accepts or declines it with a reason; the sender may cancel it while it waits, or
end it once accepted. A transfer, accepted, makes the receiver the record's owner.

The access policy reads accepted referrals on every request (`accounts.policy._referred`),
so a status written here changes who sees what at once. Audited with references and field
names, never the texts (what was asked, what was agreed, why it was declined).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Organisation, Role, User
from motherline.accounts.policy import Capability, can
from motherline.casework.actions import ConsentIn, ReferralIn
from motherline.casework.models import (
    OPEN_STATUSES,
    PART_FIELDS,
    TERMS_MAX_LENGTH,
    Assignment,
    Consent,
    ConsentGiver,
    ConsentPurpose,
    Document,
    Referral,
    ReferralKind,
    ReferralService,
    ReferralStatus,
)
from motherline.casework.services import DATE_FLOOR, require_edit
from motherline.core import clock
from motherline.core.changes import raise_errors
from motherline.core.versions import check_version, locked_current, save_if_current
from motherline.people.models import Child, ConsentScope, Woman

NO_SUCH_ORGANISATION = gettext_lazy("No such organisation.")
NO_SUCH_CONSENT = gettext_lazy("No such consent on this record.")
NO_SUCH_DOCUMENT = gettext_lazy("No such document on her record.")
NO_SUCH_CHILD = gettext_lazy("No such child of hers.")

# A referral asks for an answer within a week: its due date on the receiver's worklist.
REFERRAL_ANSWER_DAYS = 7


def _text_error(value: Any, required: bool, missing: str) -> str | None:
    if not isinstance(value, str):
        return missing if required else None
    if required and not value.strip():
        return missing
    if len(value) > TERMS_MAX_LENGTH:
        return _("At most %(max)d characters; this has %(n)d.") % {
            "max": TERMS_MAX_LENGTH,
            "n": len(value),
        }
    if "\x00" in value:
        return _("The text contains a character that cannot be stored (NUL).")
    return None


def _day_error(value: Any, today: date, missing: str) -> str | None:
    if not isinstance(value, date):
        return missing
    if value > today:
        return _("The date cannot be in the future.")
    if value < DATE_FLOOR:
        return _("The date is too far in the past: check the year.")
    return None


# Consent


def consent_values(woman: Woman, consent_in: ConsentIn) -> dict[str, Any]:
    """A consent as the page and the API send it (`actions.ConsentIn`), with the records it
    names (her child by reference, the organisation and the signed form by id) as
    `record_consent` takes them; a name that finds nothing is refused beside its field."""
    errors: dict[str, str] = {}
    child = None
    if consent_in.child:
        child = Child.objects.filter(mother=woman, reference=consent_in.child).first()
        if child is None:
            errors["child"] = str(NO_SUCH_CHILD)
    organisation = None
    if consent_in.to_organisation is not None:
        organisation = Organisation.objects.filter(pk=consent_in.to_organisation).first()
        if organisation is None:
            errors["to_organisation"] = str(NO_SUCH_ORGANISATION)
    document = None
    if consent_in.document is not None:
        document = Document.objects.filter(woman=woman, pk=consent_in.document).first()
        if document is None:
            errors["document"] = str(NO_SUCH_DOCUMENT)
    raise_errors(errors)
    named = {"child": child, "to_organisation": organisation, "document": document}
    return consent_in.model_dump(exclude=set(named)) | named


def record_consent(
    user: User,
    woman: Woman,
    *,
    purpose: str,
    given_by: str,
    given_on: date,
    given_by_name: str = "",
    child: Child | None = None,
    to_organisation: Organisation | None = None,
    terms: str = "",
    document: Document | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Consent:
    """Record a consent given for her record (or her child's). A consent to share with
    partners makes her record readable by the organisations that share with hers."""
    require_edit(user, woman)
    today = clock.today(today)
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("Choose what the consent is to.")
    if given_by not in ConsentGiver.values:
        errors["given_by"] = _("Choose who gave the consent.")
    elif given_by != ConsentGiver.SELF:
        problem = _text_error(given_by_name, True, _("Write the name of who gave the consent."))
        if problem or len(given_by_name) > 200:
            errors["given_by_name"] = problem or _("A name has at most 200 characters.")
    if given_by in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN) and child is None:
        errors["given_by"] = _("A parent or a guardian consents for a child: choose the child.")
    if problem := _day_error(given_on, today, _("Enter the date the consent was given.")):
        errors["given_on"] = problem
    if problem := _text_error(terms, False, ""):
        errors["terms"] = problem
    if child is not None and child.mother_id != woman.pk:
        errors["child"] = _("This child is not hers.")
    if purpose == ConsentPurpose.PARTNERS and child is not None:
        errors["child"] = _("Sharing with partners is consented for her whole record.")
    if to_organisation is not None and purpose != ConsentPurpose.REFERRAL:
        errors["to_organisation"] = _("Only a consent to a referral names an organisation.")
    if to_organisation is not None and to_organisation.pk == woman.organisation_id:
        errors["to_organisation"] = _("Her record is already this organisation's.")
    if document is not None and document.woman_id != woman.pk:
        errors["document"] = _("This document is not on her record.")
    raise_errors(errors)
    with transaction.atomic():
        consent = Consent.objects.create(
            woman=woman,
            child=child,
            purpose=purpose,
            given_by=given_by,
            given_by_name="" if given_by == ConsentGiver.SELF else given_by_name.strip(),
            given_on=given_on,
            to_organisation=to_organisation,
            terms=terms.strip(),
            document=document,
            recorded_by=user,
        )
        if purpose == ConsentPurpose.PARTNERS:
            Woman.objects.filter(pk=woman.pk).update(
                consent_scope=ConsentScope.PARTNERS,
                consent_recorded_on=given_on,
                version=F("version") + 1,
            )
        audit.record(
            user,
            AuditAction.CREATE,
            consent,
            request=request,
            changes={
                "woman": woman.reference,
                "child": child.reference if child else None,
                "purpose": purpose,
                "given_by": given_by,
                "given_on": given_on.isoformat(),
                "to": to_organisation.pk if to_organisation else None,
                "document": document.pk if document else None,
            },
        )
    return consent


def withdraw_consent(
    user: User,
    consent: Consent,
    *,
    version: int,
    withdrawn_on: date | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Consent:
    """Withdraw a consent, from the version read. What it allowed ends in the same
    transaction: partners no longer read her record (unless another consent to that stands),
    waiting referrals resting on it are cancelled and accepted ones end. A transfer already
    accepted is not undone: the record is the receiver's, who now holds the consent."""
    today = timezone.localdate()
    withdrawn_on = withdrawn_on or today
    with transaction.atomic():
        current = Consent.objects.select_for_update().select_related("woman").get(pk=consent.pk)
        require_edit(user, current.woman)
        check_version(version, current.version)
        if current.withdrawn_on is not None:
            raise_errors({NON_FIELD_ERRORS: _("This consent has already been withdrawn.")})
        errors: dict[str, str] = {}
        if problem := _day_error(withdrawn_on, today, _("Enter the date it was withdrawn.")):
            errors["withdrawn_on"] = problem
        elif withdrawn_on < current.given_on:
            errors["withdrawn_on"] = _("A consent cannot be withdrawn before it was given.")
        if problem := _text_error(reason, False, ""):
            errors["reason"] = problem
        raise_errors(errors)
        save_if_current(
            Consent,
            current.pk,
            version,
            {
                "withdrawn_on": withdrawn_on,
                "withdrawal_reason": reason.strip(),
                "withdrawn_by": user,
            },
        )
        ended = _end_referrals(
            user,
            current.referrals.filter(status__in=OPEN_STATUSES).exclude(
                kind=ReferralKind.TRANSFER, status=ReferralStatus.ACCEPTED
            ),
            because="consent_withdrawn",
            day=withdrawn_on,
            request=request,
        )
        partners_end = (
            current.purpose == ConsentPurpose.PARTNERS
            and not Consent.objects.filter(
                woman=current.woman, purpose=ConsentPurpose.PARTNERS, withdrawn_on__isnull=True
            ).exists()
        )
        if partners_end:
            Woman.objects.filter(pk=current.woman_id).update(
                consent_scope=ConsentScope.REGISTER, version=F("version") + 1
            )
        audit.record(
            user,
            AuditAction.CHANGE,
            current,
            request=request,
            changes={
                "withdrawn_on": withdrawn_on.isoformat(),
                "referrals_ended": ended,
                "partners_access_ended": partners_end,
            },
        )
    return Consent.objects.get(pk=consent.pk)


def active_consents(woman: Woman, *, child: Child | None = None) -> QuerySet[Consent]:
    """Her consents in force for a referral of her record (or of this child's)."""
    found = Consent.objects.filter(
        woman=woman, purpose=ConsentPurpose.REFERRAL, withdrawn_on__isnull=True
    )
    if child is None:
        return found.filter(child__isnull=True)
    return found.filter(child__isnull=True) | found.filter(child=child)


# Referrals


def receivers(woman: Woman) -> QuerySet[Organisation]:
    """The organisations a record can be referred to: the active ones other than its owner's,
    in the same jurisdiction (its law and reference lists are theirs too)."""
    owner = woman.organisation
    return Organisation.objects.filter(
        is_active=True, jurisdiction_id=owner.jurisdiction_id
    ).exclude(pk=owner.pk)


def referral_values(woman: Woman, referral_in: ReferralIn) -> dict[str, Any]:
    """A referral as the page and the API send it (`actions.ReferralIn`), with the
    organisation and her consent it names by id, as `refer` takes them; an id that finds
    nothing is refused beside its field."""
    errors: dict[str, str] = {}
    organisation = Organisation.objects.filter(pk=referral_in.to_organisation).first()
    if organisation is None:
        errors["to_organisation"] = str(NO_SUCH_ORGANISATION)
    consent = Consent.objects.filter(woman=woman, pk=referral_in.consent).first()
    if consent is None:
        errors["consent"] = str(NO_SUCH_CONSENT)
    raise_errors(errors)
    return {
        **referral_in.model_dump(include={"kind", "service", "reason"}),
        "to_organisation": organisation,
        "consent": consent,
        "parts": referral_in.model_dump(include=set(PART_FIELDS)),
    }


def refer(
    user: User,
    woman: Woman,
    *,
    to_organisation: Organisation,
    service: str,
    reason: str,
    consent: Consent,
    kind: str = ReferralKind.REFERRAL,
    child: Child | None = None,
    parts: dict[str, bool] | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Referral:
    """Refer her record (or her child's) to another organisation, with the consent that
    allows it. `parts` says what is shared beyond the record itself (`PART_FIELDS`)."""
    require_edit(user, woman)
    today = clock.today(today)
    parts = {f: bool((parts or {}).get(f)) for f in PART_FIELDS}
    errors: dict[str, str] = {}
    if kind not in ReferralKind.values:
        errors["kind"] = _("Choose a referral or a transfer.")
    if service not in ReferralService.values:
        errors["service"] = _("Choose the service the referral is for.")
    if problem := _text_error(reason, True, _("Write what is asked of the receiver.")):
        errors["reason"] = problem
    if child is not None and child.mother_id != woman.pk:
        errors["child"] = _("This child is not hers.")
    if not receivers(woman).filter(pk=to_organisation.pk).exists():
        errors["to_organisation"] = _(
            "Choose another active organisation of the same country to refer to."
        )
    if kind == ReferralKind.TRANSFER and child is not None:
        errors["kind"] = _(
            "A child's record moves with the mother's: transfer the mother's record, or "
            "refer the child."
        )
    if child is not None and (parts["shares_children"] or parts["shares_legal"]):
        errors["parts"] = _(
            "A child's referral shares the child's record, transition plans, notes and "
            "documents; not the mother's other children or her legal cases."
        )
    if child is None and parts["shares_care_plan"] and not parts["shares_children"]:
        errors["parts"] = _("Transition plans are shared with the children they are about.")
    allowed = active_consents(woman, child=child).filter(pk=consent.pk).first()
    if allowed is None:
        errors["consent"] = _(
            "Choose a consent in force to a referral of this record: record it first if "
            "it is not there."
        )
    elif allowed.to_organisation_id not in (None, to_organisation.pk):
        errors["consent"] = _("This consent names another organisation.")
    elif allowed.given_on > today:
        errors["consent"] = _("This consent was given after today.")
    raise_errors(errors)
    with transaction.atomic():
        referral = Referral.objects.create(
            woman=woman,
            child=child,
            kind=kind,
            from_organisation_id=woman.organisation_id,
            to_organisation=to_organisation,
            service=service,
            reason=reason.strip(),
            consent=consent,
            sent_on=today,
            answer_by=today + timedelta(days=REFERRAL_ANSWER_DAYS),
            sent_by=user,
            **parts,
        )
        audit.record(
            user,
            AuditAction.CREATE,
            referral,
            request=request,
            changes={
                "record": (child or woman).reference,
                "kind": kind,
                "to": to_organisation.pk,
                "service": service,
                "consent": consent.pk,
                "parts": sorted(f for f, on in parts.items() if on),
            },
        )
    return referral


def may_answer(user: User, referral: Referral) -> bool:
    """Whether this user may accept or decline the referral: a user of the receiving
    organisation whose role changes the register (a liaison officer belongs to a prison)."""
    return (
        can(user, Capability.EDIT_REGISTER)
        and getattr(user, "role", None) != Role.PRISON_LIAISON
        and user.organisation_id == referral.to_organisation_id
    )


def may_withdraw(user: User, referral: Referral) -> bool:
    """Whether this user may cancel (waiting) or end (accepted) the referral: an editor of
    the sending organisation. An accepted transfer is the receiver's record: no longer."""
    return (
        can(user, Capability.EDIT_REGISTER)
        and getattr(user, "role", None) != Role.PRISON_LIAISON
        and user.organisation_id == referral.from_organisation_id
        and not (referral.kind == ReferralKind.TRANSFER and referral.status != "pending")
    )


def _save(current: Referral, version: int, values: dict[str, Any]) -> None:
    save_if_current(Referral, current.pk, version, values)


def answer(
    user: User,
    referral: Referral,
    *,
    accept: bool,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """Accept or decline a waiting referral (a reason is required to decline). Accepting a
    transfer makes the receiver the owner of her record and her children's; the sender's
    case workers are no longer assigned."""
    if not may_answer(user, referral):
        raise PermissionDenied(_("Only the receiving organisation answers a referral."))
    today = timezone.localdate()
    with transaction.atomic():
        current = locked_current(Referral.objects, referral.pk, version)
        if current.status != ReferralStatus.PENDING:
            raise_errors(
                {NON_FIELD_ERRORS: _("This referral has already been answered or withdrawn.")}
            )
        if problem := _text_error(note, not accept, _("Write why the referral is declined.")):
            raise_errors({"note": problem})
        status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
        _save(
            current,
            version,
            {"status": status, "answered_on": today, "answered_by": user, "answer": note.strip()},
        )
        changes: dict[str, Any] = {"status": status}
        if accept and current.kind == ReferralKind.TRANSFER:
            changes["transferred"] = _transfer(user, current, request)
        audit.record(
            user,
            AuditAction.CHANGE,
            current,
            request=request,
            changes=changes,
        )
    return Referral.objects.get(pk=referral.pk)


def _transfer(user: User, referral: Referral, request: HttpRequest | None) -> dict[str, Any]:
    """Move her record to the receiver: her, her children, and end the sender's
    assignments (the receiver assigns its own workers)."""
    woman_id = referral.woman_id
    Woman.objects.filter(pk=woman_id).update(
        organisation_id=referral.to_organisation_id, version=F("version") + 1
    )
    Child.objects.filter(mother_id=woman_id).update(
        organisation_id=referral.to_organisation_id, version=F("version") + 1
    )
    unassigned = list(
        Assignment.objects.filter(woman_id=woman_id).values_list("worker__username", flat=True)
    )
    Assignment.objects.filter(woman_id=woman_id).delete()
    return {
        "from": referral.from_organisation_id,
        "to": referral.to_organisation_id,
        "unassigned": sorted(unassigned),
    }


def withdraw(
    user: User,
    referral: Referral,
    *,
    version: int,
    note: str = "",
    request: HttpRequest | None = None,
) -> Referral:
    """The sender cancels a waiting referral, or ends an accepted one (the receiver stops
    reading the record at once)."""
    if not may_withdraw(user, referral):
        raise PermissionDenied(_("Only the sending organisation withdraws a referral."))
    with transaction.atomic():
        current = locked_current(Referral.objects, referral.pk, version)
        if not current.is_open:
            raise_errors({NON_FIELD_ERRORS: _("This referral is already closed.")})
        if problem := _text_error(note, False, ""):
            raise_errors({"note": problem})
        _end_referrals(
            user,
            Referral.objects.filter(pk=current.pk, version=version),
            because="withdrawn_by_sender",
            day=timezone.localdate(),
            request=request,
        )
    return Referral.objects.get(pk=referral.pk)


def _end_referrals(
    user: User,
    referrals: QuerySet[Referral],
    *,
    because: str,
    day: date,
    request: HttpRequest | None,
) -> list[int]:
    """Cancel the waiting referrals among these and end the accepted ones, audited."""
    ended = []
    for referral in referrals.select_for_update():
        status = (
            ReferralStatus.CANCELLED
            if referral.status == ReferralStatus.PENDING
            else ReferralStatus.ENDED
        )
        Referral.objects.filter(pk=referral.pk).update(
            status=status, ended_on=day, ended_because=because, version=F("version") + 1
        )
        audit.record(
            user,
            AuditAction.CHANGE,
            referral,
            request=request,
            changes={"status": status, "because": because},
        )
        ended.append(referral.pk)
    return ended
