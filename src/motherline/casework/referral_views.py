"""Pages of consent and referrals: a woman's consents (record one, withdraw one), referring
a woman's or a child's record, the organisation's referrals received and sent, and one
referral (the receiver accepts or declines it; the sender cancels or ends it).

A referral is seen by the two organisations it joins; until it is accepted the receiver
reads only the referral (the service, what is asked, the consent), not the record.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, may_change_register, may_edit, require
from motherline.casework import forms, referrals
from motherline.casework.models import Consent, Document, Referral, ReferralStatus
from motherline.casework.views import Subject, _subject
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.core.versions import StaleVersion
from motherline.people.models import Child
from motherline.people.timeline import child_label

ENDED_BECAUSE = {
    "consent_withdrawn": gettext_lazy("the consent was withdrawn"),
    "withdrawn_by_sender": gettext_lazy("the sender withdrew it"),
}


def _may_change(request: AuthenticatedRequest, subject: Subject) -> bool:
    return may_change_register(request.user, subject.woman)


# Consents


@login_required
def consents(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Her consents, in force and withdrawn; recording a new one (POST)."""
    require(request.user, Capability.VIEW_REGISTER)
    subject = _subject(request, "woman", reference)
    woman = subject.woman
    may_change = _may_change(request, subject)
    children = [("", _("Her whole record"))] + [
        (c.reference, _("Her child %(child)s") % {"child": child_label(c)})
        for c in woman.children.all()
    ]
    form = forms.ConsentForm(
        posted(request),
        initial={"given_on": timezone.localdate(), "given_by": "self"},
        options={
            "child": children,
            "to_organisation": [(o.pk, str(o)) for o in referrals.receivers(woman)],
            "document": [(d.pk, d.title) for d in Document.objects.filter(woman=woman)],
        },
    )
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                values = referrals.consent_values(woman, form.action_input())
                referrals.record_consent(request.user, woman, **values, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The consent has been recorded."))
                return redirect(reverse("casework:consents", args=[woman.reference]))
    found = list(
        Consent.objects.visible_to(request.user)
        .filter(woman=woman)
        .select_related("child", "to_organisation", "document", "recorded_by")
    )
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Consent._meta.label,
        object_ref=woman.reference,
        request=request,
        changes={"consents": [c.pk for c in found]},
    )
    return render(
        request,
        "casework/consents.html",
        {
            "subject": subject,
            "heading": _("Consent to share"),
            "consents": found,
            "form": form,
            "may_edit": may_change,
        },
    )


@login_required
def withdraw_consent(request: AuthenticatedRequest, consent_id: int) -> HttpResponse:
    """Withdraw a consent: what it allowed ends at once (the page says what)."""
    require(request.user, Capability.EDIT_REGISTER)
    consent = get_object_or_404(
        Consent.objects.visible_to(request.user).select_related("woman", "child"), pk=consent_id
    )
    subject = Subject(consent.woman)
    if not may_edit(request.user, consent.woman):
        raise PermissionDenied
    form = forms.WithdrawConsentForm(
        posted(request), initial={"version": consent.version, "withdrawn_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            referrals.withdraw_consent(
                request.user, consent, **form.action_input().model_dump(), request=request
            )
        except StaleVersion:
            messages.error(request, _("Someone changed this consent meanwhile: check and retry."))
            return redirect(reverse("casework:withdraw_consent", args=[consent.pk]))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent has been withdrawn."))
            return redirect(reverse("casework:consents", args=[consent.woman.reference]))
    open_referrals = consent.referrals.filter(status__in=["pending", "accepted"]).select_related(
        "to_organisation"
    )
    return render(
        request,
        "casework/withdraw_consent.html",
        {
            "subject": subject,
            "heading": _("Withdraw a consent"),
            "consent": consent,
            "form": form,
            "open_referrals": open_referrals,
        },
    )


# Referrals


def _refer(request: AuthenticatedRequest, kind: str, reference: str) -> HttpResponse:
    require(request.user, Capability.EDIT_REGISTER)
    subject = _subject(request, kind, reference)
    if not may_edit(request.user, subject.woman):
        raise PermissionDenied
    consents = referrals.active_consents(subject.woman, child=subject.child)
    form = forms.ReferralForm(
        posted(request),
        initial={"kind": "referral"},
        options={
            "to_organisation": [(o.pk, str(o)) for o in referrals.receivers(subject.woman)],
            "consent": [(c.pk, forms.consent_label(c)) for c in consents.select_related("child")],
        },
        for_child=subject.child is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = referrals.refer(
                request.user,
                subject.woman,
                child=subject.child,
                **referrals.referral_values(subject.woman, form.action_input()),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The referral has been sent."))
            return redirect(reverse("casework:referral", args=[referral.pk]))
    return render(
        request,
        "casework/refer.html",
        {
            "subject": subject,
            "title": _("Refer to another organisation"),
            "heading": _("Refer the child to another organisation")
            if subject.child
            else _("Refer her record to another organisation"),
            "form": form,
            "consents_url": reverse("casework:consents", args=[subject.woman.reference]),
        },
    )


@login_required
def refer_woman(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Refer (or transfer) her record to another organisation."""
    return _refer(request, "woman", reference)


@login_required
def refer_child(request: AuthenticatedRequest, reference: str) -> HttpResponse:
    """Refer a child's record to another organisation."""
    return _refer(request, "child", reference)


@login_required
@require_GET
def referral_list(request: AuthenticatedRequest) -> HttpResponse:
    """The referrals the user's organisation received (waiting ones first) and sent."""
    require(request.user, Capability.VIEW_REGISTER)
    visible = Referral.objects.visible_to(request.user).select_related(
        "woman", "child", "from_organisation", "to_organisation"
    )
    org = getattr(request.user, "organisation_id", None)
    received = sorted(
        visible.filter(to_organisation_id=org)[:200],
        key=lambda r: (r.status != ReferralStatus.PENDING, -r.sent_on.toordinal(), -r.pk),
    )
    sent = list(visible.filter(from_organisation_id=org)[:200])
    audit.record(
        request.user,
        AuditAction.VIEW,
        object_type=Referral._meta.label,
        object_ref="referrals",
        request=request,
        changes={"referrals": [r.pk for r in received + sent]},
    )
    return render(request, "casework/referrals.html", {"received": received, "sent": sent})


@login_required
def referral(request: AuthenticatedRequest, referral_id: int) -> HttpResponse:
    """One referral. POST: `action` accept or decline (the receiver), withdraw (the sender),
    with the version read."""
    require(request.user, Capability.VIEW_REGISTER)
    found = get_object_or_404(
        Referral.objects.visible_to(request.user).select_related(
            "woman", "child", "from_organisation", "to_organisation", "consent", "sent_by"
        ),
        pk=referral_id,
    )
    may_answer = found.status == ReferralStatus.PENDING and referrals.may_answer(
        request.user, found
    )
    may_withdraw = found.is_open and referrals.may_withdraw(request.user, found)
    form = forms.AnswerForm(posted(request), initial={"version": found.version})
    if request.method == "POST":
        require(request.user, Capability.EDIT_REGISTER)
        action = request.POST.get("action", "")
        allowed = {"withdraw": may_withdraw, "accept": may_answer, "decline": may_answer}
        if not allowed.get(action, may_answer or may_withdraw):
            raise PermissionDenied
        if action not in allowed:
            form.is_valid()
            form.add_error(None, _("Choose to accept, decline or withdraw the referral."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                if action == "withdraw":
                    referrals.withdraw(
                        request.user,
                        found,
                        version=data["version"],
                        note=data["note"],
                        request=request,
                    )
                else:
                    referrals.answer(
                        request.user,
                        found,
                        accept=action == "accept",
                        version=data["version"],
                        note=data["note"],
                        request=request,
                    )
            except StaleVersion:
                messages.error(request, _("Someone answered this referral meanwhile: check."))
                return redirect(reverse("casework:referral", args=[found.pk]))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The referral has been updated."))
                return redirect(reverse("casework:referral", args=[found.pk]))
    audit.record(request.user, AuditAction.VIEW, found, request=request, object_ref=found.reference)
    return render(
        request,
        "casework/referral.html",
        {
            "referral": found,
            "form": form,
            "may_answer": may_answer,
            "may_withdraw": may_withdraw,
            "record_url": _record_url(request.user, found),
            "ended_because": ENDED_BECAUSE.get(found.ended_because, found.ended_because),
        },
    )


def _record_url(user: User, referral: Referral) -> str:
    """The link to the referred record, when the user reads it now (after acceptance for the
    receiver; always for the owner)."""
    if referral.child is not None:
        if Child.objects.visible_to(user).filter(pk=referral.child.pk).exists():
            return reverse("people:child", args=[referral.child.reference])
        return ""
    from motherline.people.models import Woman

    if Woman.objects.visible_to(user).filter(pk=referral.woman_id).exists():
        return reverse("people:woman", args=[referral.woman.reference])
    return ""
