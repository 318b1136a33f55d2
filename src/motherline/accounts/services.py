"""Administration: accounts, organisations and sharing agreements. The pages, the API and the
commands call these functions; each checks who acts through the access policy, writes in one
transaction and appends to the audit trail.

An organisation's administrator acts on the accounts and agreements of that organisation; a
deployment administrator on all of them, and alone creates organisations and deployment
administrators. Errors are ValidationErrors by field, as everywhere in Motherline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from motherline.accounts import audit
from motherline.accounts.models import (
    AuditAction,
    Organisation,
    Role,
    SharingAgreement,
    User,
)
from motherline.accounts.policy import (
    Capability,
    administered_users,
    can,
    is_deployment_administrator,
)
from motherline.bounds import DATE_FLOOR
from motherline.core.changes import check_fields
from motherline.core.versions import StaleVersion, locked_current, save_if_current
from motherline.jurisdictions import local


def _require_admin(actor: User) -> None:
    if not can(actor, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may do this."))


def _require_deployment(actor: User) -> None:
    if not is_deployment_administrator(actor):
        raise PermissionDenied(_("Only a deployment administrator may do this."))


def administers_organisation(actor: User, organisation: Organisation | None) -> bool:
    """Whether `actor` administers this organisation's accounts and agreements."""
    if is_deployment_administrator(actor):
        return True
    return (
        can(actor, Capability.ADMINISTER)
        and organisation is not None
        and organisation.pk == actor.organisation_id
    )


def _require_account(actor: User, account: User) -> None:
    # The views look accounts up through `administered_users` (another organisation's is a
    # 404); this guards the commands and any other caller.
    if not administered_users(actor).filter(pk=account.pk).exists():
        raise PermissionDenied(_("You do not administer this account."))


@dataclass(frozen=True)
class AccountValues:
    """What an administrator sets on an account."""

    role: str
    organisation: Organisation | None
    prison: Any = None  # places.Prison, for a prison liaison officer only
    language: str = ""
    email: str = ""


def _check_account_values(actor: User, values: AccountValues) -> None:
    errors: dict[str, str] = {}
    if values.role not in Role.values:
        errors["role"] = _("Choose a role from the list.")
    elif values.role == Role.DEPLOYMENT_ADMINISTRATOR:
        if not is_deployment_administrator(actor):
            errors["role"] = _("Only a deployment administrator may give this role.")
    elif values.organisation is None:
        errors["organisation"] = _(
            "Every role but the deployment administrator's belongs to an organisation."
        )
    if values.organisation is not None and not administers_organisation(actor, values.organisation):
        errors["organisation"] = _("You administer the accounts of your own organisation only.")
    if values.organisation is not None and not values.organisation.is_active:
        errors["organisation"] = _("This organisation is closed.")
    if values.role == Role.PRISON_LIAISON and values.prison is None:
        errors["prison"] = _("A prison liaison officer sees one prison: choose it.")
    if values.role != Role.PRISON_LIAISON and values.prison is not None:
        errors["prison"] = _("Only a prison liaison officer is attached to a prison.")
    if (
        values.prison is not None
        and values.organisation is not None
        and values.prison.province.jurisdiction_id != values.organisation.jurisdiction_id
    ):
        errors["prison"] = _("This prison is in another country than the organisation.")
    if values.language and values.language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose a language from the list.")
    if errors:
        raise ValidationError(errors)


def welcome_link(account: User, request: HttpRequest | None = None) -> str:
    """The one-time link with which an invited user sets a password. It stops working once
    the password is set, and after `PASSWORD_RESET_TIMEOUT` (3 days by default)."""
    path = reverse(
        "security:welcome",
        args=[
            urlsafe_base64_encode(force_bytes(account.pk)),
            default_token_generator.make_token(account),
        ],
    )
    site = getattr(settings, "MOTHERLINE_SITE_URL", "")
    if site:
        return site.rstrip("/") + path
    if request is not None:
        return str(request.build_absolute_uri(path))
    return "http://127.0.0.1:8000" + path


def _send_welcome(account: User, link: str, inviter: User) -> None:
    language = account.language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = _("Your Motherline account")
        body = _(
            "%(inviter)s has opened a Motherline account for you, user name %(username)s.\n\n"
            "Set your password with this link (it works once, for 3 days):\n%(link)s\n\n"
            "If you did not expect this message, ignore it."
        ) % {
            "inviter": getattr(inviter, "username", "Motherline"),
            "username": account.username,
            "link": link,
        }
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [account.email])


@transaction.atomic
def invite_user(
    actor: User, username: str, values: AccountValues, *, request: HttpRequest | None = None
) -> tuple[User, str]:
    """Open an account without a password and e-mail its user a one-time link to set one.
    Returns the account and the link (shown to the administrator when no mail is sent)."""
    _require_admin(actor)
    username = username.strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = _("Give a user name.")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = _("This user name is taken.")
    if not values.email:
        errors["email"] = _("The invitation is sent by e-mail: give an address.")
    if errors:
        raise ValidationError(errors)
    _check_account_values(actor, values)
    account = User(
        username=username,
        email=values.email,
        role=values.role,
        organisation=values.organisation,
        prison=values.prison,
        language=values.language,
    )
    account.set_unusable_password()
    account.full_clean(exclude=["password"])
    account.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        account,
        changes=_account_audit(account),
        request=request,
    )
    link = welcome_link(account, request)
    transaction.on_commit(lambda: _send_welcome(account, link, actor))
    return account, link


def _account_audit(account: User) -> dict[str, Any]:
    # Roles and scope, never the password or the address.
    return {
        "role": account.role,
        "organisation": account.organisation_id,
        "prison": account.prison_id,
        "language": account.language,
        "is_active": account.is_active,
    }


@transaction.atomic
def change_account(
    actor: User,
    account: User,
    version: int,
    values: AccountValues,
    *,
    request: HttpRequest | None = None,
) -> None:
    """Set an account's role, organisation, prison, language and address."""
    _require_admin(actor)
    _require_account(actor, account)
    if account.pk == actor.pk and values.role != account.role:
        raise ValidationError(
            {"role": _("You cannot change your own role: ask another administrator.")}
        )
    _check_account_values(actor, values)
    before = _account_audit(account)
    save_if_current(
        User,
        account.pk,
        version,
        {
            "role": values.role,
            "organisation": values.organisation,
            "prison": values.prison,
            "language": values.language,
            "email": values.email or account.email,
        },
    )
    account.refresh_from_db()
    after = _account_audit(account)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    audit.record(actor, AuditAction.CHANGE, account, changes=changed, request=request)


def _stated_reason(reason: str) -> str:
    """The reason an administrator gives for an act on an account or an agreement, trimmed:
    required, because the audit trail keeps it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why: it is kept on the audit trail.")})
    return reason


@transaction.atomic
def set_account_active(
    actor: User,
    account: User,
    version: int,
    active: bool,
    reason: str,
    *,
    request: HttpRequest | None = None,
) -> None:
    """Deactivate an account (its sessions end at once: Django signs out an inactive user at
    the next request) or reactivate it. A reason is required either way."""
    _require_admin(actor)
    _require_account(actor, account)
    reason = _stated_reason(reason)
    if account.pk == actor.pk:
        raise ValidationError({"reason": _("You cannot deactivate your own account.")})
    save_if_current(User, account.pk, version, {"is_active": active})
    audit.record(
        actor,
        AuditAction.CHANGE,
        account,
        changes={"is_active": [not active, active], "reason": reason},
        request=request,
    )


@transaction.atomic
def reset_second_factor(
    actor: User, account: User, reason: str, *, request: HttpRequest | None = None
) -> int:
    """Remove an account's second-factor devices (a lost phone): its user enrols again at the
    next sign-in. Returns how many devices were removed."""
    _require_admin(actor)
    _require_account(actor, account)
    reason = _stated_reason(reason)
    removed, _counts = TOTPDevice.objects.filter(user=account).delete()
    audit.record(
        actor,
        AuditAction.TWO_FACTOR_RESET,
        account,
        changes={"devices_removed": removed, "reason": reason},
        request=request,
    )
    return removed


def _organisation_errors(name: str, name_local: str, jurisdiction: Any, pk: Any = None) -> None:
    """A name no other organisation has (in any case), and a local name written in the
    letters of its country's language (when its pack says which)."""
    errors: dict[str, str] = {}
    if Organisation.objects.filter(name__iexact=name).exclude(pk=pk).exists():
        errors["name"] = _("An organisation of this name exists.")
    if not local.written_in(name_local, jurisdiction.local_language):
        errors["name_local"] = _("Write the name in %(language)s.") % {
            "language": local.language_label(jurisdiction.local_language)
        }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_organisation(
    actor: User,
    name: str,
    kind: str,
    jurisdiction: Any,
    *,
    name_local: str = "",
    request: HttpRequest | None = None,
) -> Organisation:
    """A new organisation (deployment administrators); its administrator is invited next.
    Its local name is shown on pages in the language of its country."""
    _require_deployment(actor)
    name, name_local = name.strip(), name_local.strip()
    _organisation_errors(name, name_local, jurisdiction)
    organisation = Organisation(
        name=name, name_local=name_local, kind=kind, jurisdiction=jurisdiction
    )
    organisation.full_clean()
    organisation.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        organisation,
        changes={
            "name": name,
            "name_local": name_local,
            "kind": kind,
            "jurisdiction": jurisdiction.code,
        },
        request=request,
    )
    return organisation


ORGANISATION_CORRECTABLE = ("name", "name_local")


@transaction.atomic
def change_organisation(
    actor: User,
    organisation: Organisation,
    version: int,
    changes: dict[str, Any],
    *,
    request: HttpRequest | None = None,
) -> Organisation:
    """Correct an organisation's name or local name (deployment administrators), if nobody
    changed it since `version` was read; both names are kept on the audit trail."""
    _require_deployment(actor)
    check_fields(changes, ORGANISATION_CORRECTABLE, "changed")
    found = locked_current(
        Organisation.objects.select_related("jurisdiction"), organisation.pk, version
    )
    values = {name: str(value or "").strip() for name, value in changes.items()}
    changed = {name: v for name, v in values.items() if getattr(found, name) != v}
    if not changed:
        return found
    merged = {name: getattr(found, name) for name in ORGANISATION_CORRECTABLE} | changed
    _organisation_errors(merged["name"], merged["name_local"], found.jurisdiction, found.pk)
    before = {name: getattr(found, name) for name in changed}
    for name, value in merged.items():
        setattr(found, name, value)
    found.full_clean(exclude=["jurisdiction", "kind", "version"], validate_unique=False)
    save_if_current(Organisation, found.pk, version, changed)
    audit.record(
        actor,
        AuditAction.CHANGE,
        found,
        changes={name: [before[name], value] for name, value in changed.items()},
        request=request,
    )
    return Organisation.objects.select_related("jurisdiction").get(pk=found.pk)


def agreements_for(actor: User) -> Any:
    """The agreements an administrator sees: those their organisation gives or receives;
    every one for a deployment administrator."""
    qs = SharingAgreement.objects.select_related("sharer", "partner")
    if is_deployment_administrator(actor):
        return qs
    if not can(actor, Capability.ADMINISTER):
        return qs.none()
    return qs.filter(Q(sharer_id=actor.organisation_id) | Q(partner_id=actor.organisation_id))


@dataclass(frozen=True)
class AgreementValues:
    sharer: Organisation
    partner: Organisation
    starts_on: date
    agreed_by: str
    ends_on: date | None = None
    shares_register: bool = True
    shares_field_work: bool = True
    terms: str = ""


@transaction.atomic
def record_agreement(
    actor: User, values: AgreementValues, *, request: HttpRequest | None = None
) -> SharingAgreement:
    """Record that an organisation shares its records with a partner. Only the organisation
    that shares (its administrator, or the deployment's) may give its records."""
    _require_admin(actor)
    errors: dict[str, str] = {}
    if not administers_organisation(actor, values.sharer):
        errors["sharer"] = _("Only the organisation that shares may record the agreement.")
    if values.partner.pk == values.sharer.pk:
        errors["partner"] = _("An organisation does not share with itself.")
    if values.starts_on < DATE_FLOOR:
        errors["starts_on"] = _("This date is before 1900.")
    if values.ends_on is not None and values.ends_on < values.starts_on:
        errors["ends_on"] = _("The agreement ends before it starts.")
    if not values.agreed_by.strip():
        errors["agreed_by"] = _("Say who agreed, and their title.")
    if not (values.shares_register or values.shares_field_work):
        errors["shares_register"] = _("Choose what is shared.")
    if errors:
        raise ValidationError(errors)
    agreement = SharingAgreement(
        sharer=values.sharer,
        partner=values.partner,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        agreed_by=values.agreed_by.strip(),
        shares_register=values.shares_register,
        shares_field_work=values.shares_field_work,
        terms=values.terms.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    agreement.full_clean(exclude=["created_by", "ended_by"])
    agreement.save()
    audit.record(
        actor,
        AuditAction.CREATE,
        agreement,
        changes={
            "sharer": values.sharer.pk,
            "partner": values.partner.pk,
            "starts_on": values.starts_on.isoformat(),
            "ends_on": values.ends_on.isoformat() if values.ends_on else None,
            "shares_register": values.shares_register,
            "shares_field_work": values.shares_field_work,
        },
        request=request,
    )
    return agreement


@transaction.atomic
def end_agreement(
    actor: User,
    agreement: SharingAgreement,
    version: int,
    reason: str,
    *,
    request: HttpRequest | None = None,
) -> None:
    """End an agreement now: the partner's access stops with this transaction. Either side's
    administrator may end it (a partner may give access up)."""
    _require_admin(actor)
    if not (
        administers_organisation(actor, agreement.sharer)
        or administers_organisation(actor, agreement.partner)
    ):
        raise PermissionDenied(_("You do not administer either side of this agreement."))
    if agreement.ended_at is not None:
        raise StaleVersion()
    reason = _stated_reason(reason)
    save_if_current(
        SharingAgreement,
        agreement.pk,
        version,
        {
            "ended_at": timezone.now(),
            "ended_by": actor if getattr(actor, "pk", None) else None,
            "end_reason": reason[:500],
        },
    )
    audit.record(
        actor,
        AuditAction.CHANGE,
        agreement,
        changes={"ended": True, "reason": reason},
        request=request,
    )


PREFERENCES = ("language", "native_digits")


@transaction.atomic
def set_preferences(
    user: User, changes: dict[str, Any], *, version: int, request: HttpRequest | None = None
) -> User:
    """A user's own preferences (`actions.PreferencesChanges`), from the version she read;
    nobody sets another's. The audit row keeps the old and new values (no personal data)."""
    unknown = set(changes) - set(PREFERENCES)
    if unknown:
        raise TypeError(f"These preferences do not exist: {', '.join(sorted(unknown))}")
    values = {
        key: (str(value.value) if hasattr(value, "value") else value)
        for key, value in changes.items()
    }
    if "language" in values and values["language"] not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    before = {key: getattr(user, key) for key in values}
    save_if_current(User, user.pk, version, values)
    audit.record(
        user,
        AuditAction.CHANGE,
        user,
        changes={key: [before[key], values[key]] for key in values if before[key] != values[key]},
        request=request,
    )
    return User.objects.get(pk=user.pk)
