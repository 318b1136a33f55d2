"""Administration pages: accounts (invite, change, deactivate, reset the second factor),
organisations and sharing agreements. Thin: each view finds the record through the access
policy (another organisation's is a 404), calls a service in `accounts.services` and shows
its errors on the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts import audit, services
from motherline.accounts.models import AuditAction, Organisation, SharingAgreement
from motherline.accounts.policy import (
    Capability,
    administered_users,
    is_deployment_administrator,
    require,
)
from motherline.core.actions import changed_values, run_form_action
from motherline.core.actors import AuthenticatedRequest
from motherline.core.forms import add_service_errors, posted
from motherline.security import twofactor
from motherline.security.admin_forms import (
    AccountForm,
    AgreementForm,
    InviteForm,
    OrganisationCorrectionForm,
    OrganisationForm,
    ReasonForm,
    VersionedReasonForm,
)


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: AuthenticatedRequest) -> HttpResponse:
    """Open an account and e-mail its user a one-time link to set a password."""
    require(request.user, Capability.ADMINISTER)
    # After a new organisation is created, its administrator is the one invited next.
    initial = {}
    if request.GET.get("organisation", "").isdigit():
        initial = {"organisation": int(request.GET["organisation"]), "role": "administrator"}
    form = InviteForm(posted(request), actor=request.user, initial=initial)
    done = run_form_action(
        request,
        form,
        # The service answers the account and its link; the page goes on with the account.
        lambda data: services.invite_user(
            request.user, data["username"], form.account_values(), request=request
        )[0],
        done=lambda account: (
            _(
                "%(username)s is invited: the link to set a password was sent to "
                "%(email)s. It works once, for 3 days."
            )
            % {"username": account.username, "email": account.email}
        ),
        go_to=lambda account: reverse("security:account", args=[account.pk]),
    )
    return done or render(request, "security/invite.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def account(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """One account: its role and scope (changed here), last sign-in, second factor, and the
    actions that end or restore its access."""
    require(request.user, Capability.ADMINISTER)
    target = get_object_or_404(
        administered_users(request.user).select_related("organisation", "prison"), pk=user_id
    )
    form = AccountForm(posted(request), account=target, actor=request.user)
    done = run_form_action(
        request,
        form,
        lambda data: services.change_account(
            request.user, target, data["version"], form.account_values(), request=request
        ),
        done=_("The account was saved."),
        go_to=reverse("security:account", args=[target.pk]),
    )
    if done is not None:
        return done
    audit.record(request.user, AuditAction.VIEW, target, request=request)
    return render(
        request,
        "security/account.html",
        {
            "account": target,
            "form": form,
            "active_form": VersionedReasonForm(initial={"version": target.version}),
            "reset_form": ReasonForm(),
            "has_second_factor": TOTPDevice.objects.filter(user=target, confirmed=True).exists(),
            "mode": twofactor.mode(),
        },
    )


def _refusal(form: forms.BaseForm) -> str:
    """Why a reasoned action was refused: a page that did not say which version it changes,
    else the missing reason."""
    if "version" in form.errors:
        return " ".join(str(message) for message in form.errors["version"])
    return str(_("Say why: it is kept on the audit trail."))


@login_required
@require_POST
def set_active(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """Deactivate an account (its sessions end at once) or reactivate it, with a reason."""
    require(request.user, Capability.ADMINISTER)
    target = get_object_or_404(administered_users(request.user), pk=user_id)
    form = VersionedReasonForm(request.POST)
    active = request.POST.get("active") == "1"
    if form.is_valid():
        try:
            services.set_account_active(
                request.user,
                target,
                form.cleaned_data["version"],
                active,
                form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            message = (
                _("%(username)s can sign in again.")
                if active
                else _("%(username)s is deactivated: their sessions have ended.")
            )
            messages.success(request, message % {"username": target.username})
    else:
        messages.error(request, _refusal(form))
    return redirect("security:account", target.pk)


@login_required
@require_POST
def reset_two_factor(request: AuthenticatedRequest, user_id: int) -> HttpResponse:
    """Remove the devices (a lost phone) of an account; its user enrols again at the next
    sign-in. A reason is required and kept on the audit trail."""
    require(request.user, Capability.ADMINISTER)
    target = get_object_or_404(administered_users(request.user), pk=user_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why: it is kept on the audit trail."))
        return redirect("security:account", target.pk)
    services.reset_second_factor(request.user, target, form.cleaned_data["reason"], request=request)
    messages.success(
        request,
        _("The second factor of %(username)s was reset: they enrol again at their next sign-in.")
        % {"username": target.username},
    )
    return redirect("security:account", target.pk)


class Welcome(auth_views.PasswordResetConfirmView):
    """An invited user sets a password with the one-time link (Django's password-reset
    token: it stops working once the password is set)."""

    template_name = "security/welcome.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(form.user, AuditAction.CHANGE, form.user, changes={"password_set": True})
        messages.success(self.request, _("Your password is set: sign in."))
        return response


welcome = Welcome.as_view()


@login_required
@require_http_methods(["GET", "POST"])
def organisations(request: AuthenticatedRequest) -> HttpResponse:
    """Deployment administrators: every organisation, its accounts, and a new one."""
    require(request.user, Capability.ADMINISTER_DEPLOYMENT)
    form = OrganisationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.create_organisation(
                request.user,
                form.cleaned_data["name"],
                form.cleaned_data["kind"],
                form.cleaned_data["jurisdiction"],
                name_local=form.cleaned_data["name_local"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s is created: invite its administrator.")
                % {"name": organisation.display_name},
            )
            return redirect(reverse("security:invite") + f"?organisation={organisation.pk}")
    listed = Organisation.objects.select_related("jurisdiction").annotate(
        accounts=Count("users", filter=Q(users__is_active=True))
    )
    return render(
        request,
        "security/organisations.html",
        {"heading": _("Organisations"), "form": form, "organisations": listed},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    """Deployment administrators: correct an organisation's name or its local name."""
    require(request.user, Capability.ADMINISTER_DEPLOYMENT)
    found = get_object_or_404(
        Organisation.objects.select_related("jurisdiction"), pk=organisation_id
    )
    current = {name: getattr(found, name) for name in services.ORGANISATION_CORRECTABLE}
    form = OrganisationCorrectionForm(posted(request), initial=current | {"version": found.version})

    def correct(data: dict[str, Any]) -> None:
        services.change_organisation(
            request.user, found, data["version"], changed_values(form, current), request=request
        )

    done = run_form_action(
        request,
        form,
        correct,
        done=_("The organisation is corrected."),
        go_to=reverse("security:organisations"),
    )
    return done or render(
        request, "security/organisation.html", {"form": form, "organisation": found}
    )


@login_required
@require_http_methods(["GET", "POST"])
def sharing(request: AuthenticatedRequest) -> HttpResponse:
    """The sharing agreements an administrator's organisation gives and receives (every one
    for a deployment administrator), and a new one given by the organisation."""
    require(request.user, Capability.ADMINISTER)
    form = AgreementForm(posted(request), actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_agreement(request.user, form.agreement_values(), request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The agreement is recorded."))
            return redirect("security:sharing")
    agreements = services.agreements_for(request.user).select_related("created_by", "ended_by")
    audit.record(
        request.user, AuditAction.VIEW, object_type=SharingAgreement._meta.label, request=request
    )
    return render(
        request,
        "security/sharing.html",
        {
            "heading": _("Sharing agreements"),
            "form": form,
            "agreements": agreements,
            "own": request.user.organisation_id,
            "deployment": is_deployment_administrator(request.user),
        },
    )


@login_required
@require_POST
def end_agreement(request: AuthenticatedRequest, agreement_id: int) -> HttpResponse:
    """End an agreement now: the partner loses access with this request."""
    require(request.user, Capability.ADMINISTER)
    agreement = get_object_or_404(services.agreements_for(request.user), pk=agreement_id)
    form = VersionedReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _refusal(form))
        return redirect("security:sharing")
    try:
        services.end_agreement(
            request.user,
            agreement,
            form.cleaned_data["version"],
            form.cleaned_data["reason"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The agreement with %(partner)s has ended: its access stopped now.")
            % {"partner": agreement.partner.display_name},
        )
    return redirect("security:sharing")
