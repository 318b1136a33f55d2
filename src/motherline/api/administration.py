"""Administration through the API: accounts, organisations and sharing agreements, with the
same services and the same reach as the pages (another organisation's account or agreement
is a 404)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from motherline.accounts import audit, services
from motherline.accounts.actions import (
    AccountChangeIn,
    AccountIn,
    ActiveIn,
    AgreementIn,
    EndIn,
    InviteIn,
    OrganisationChanges,
    OrganisationIn,
    ReasonIn,
)
from motherline.accounts.models import (
    AuditAction,
    Organisation,
    SharingAgreement,
    User,
)
from motherline.accounts.policy import Capability, administered_users
from motherline.api.access import Requires
from motherline.api.routes import changes_of, read
from motherline.api.schemas import RecordId
from motherline.core.actors import AuthenticatedRequest
from motherline.core.inputs import named
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison

router = Router(tags=["administration"])


class AccountOut(Schema):
    id: int
    username: str
    email: str
    role: str
    organisation: str | None
    prison: str | None
    language: str
    is_active: bool
    last_login: datetime | None
    version: int

    @staticmethod
    def resolve_organisation(obj: User) -> str | None:
        return obj.organisation.name if obj.organisation is not None else None

    @staticmethod
    def resolve_prison(obj: User) -> str | None:
        return obj.prison.code if obj.prison is not None else None


class OrganisationOut(Schema):
    id: int
    name: str
    name_local: str
    kind: str
    jurisdiction: str = Field(alias="jurisdiction.code")
    is_active: bool
    version: int


class AgreementOut(Schema):
    id: int
    sharer: str = Field(alias="sharer.name")
    partner: str = Field(alias="partner.name")
    starts_on: date
    ends_on: date | None
    agreed_by: str
    shares_register: bool
    shares_field_work: bool
    terms: str
    ended_at: datetime | None
    end_reason: str
    version: int


def _organisation(name: str | None, field: str) -> Organisation | None:
    if not name:
        return None
    return named(Organisation.objects.filter(name=name), field, _unknown())


def _unknown() -> str:
    return _("There is no such record.")


def _values(payload: AccountIn) -> services.AccountValues:
    prison = None
    if payload.prison:
        prison = named(Prison.objects.filter(code=payload.prison), "prison", _unknown())
    return services.AccountValues(
        role=payload.role,
        organisation=_organisation(payload.organisation, "organisation"),
        prison=prison,
        language=payload.language,
        email=payload.email,
    )


def _account(user: User, user_id: int) -> User:
    return get_object_or_404(
        administered_users(user).select_related("organisation", "prison"), pk=user_id
    )


@router.get(
    "/users",
    response=list[AccountOut],
    url_name="users",
    summary="The accounts you administer",
    auth=Requires(Capability.ADMINISTER),
)
def list_accounts(request: AuthenticatedRequest) -> Any:
    """Your organisation's accounts (every account for a deployment administrator)."""
    accounts = administered_users(request.user).select_related("organisation", "prison")
    audit.record(request.user, AuditAction.VIEW, object_type=User._meta.label, request=request)
    return accounts.order_by("username")


@router.post(
    "/users",
    response={201: AccountOut},
    url_name="users",
    summary="Invite a user",
    auth=Requires(Capability.ADMINISTER),
)
def invite(request: AuthenticatedRequest, payload: InviteIn) -> Status:
    """Open an account; its user receives an e-mail with a one-time link to set a password."""
    account, _link = services.invite_user(
        request.user, payload.username, _values(payload), request=request
    )
    return Status(201, account)


@router.get(
    "/users/{user_id}",
    response=AccountOut,
    url_name="user",
    summary="An account",
    auth=Requires(Capability.ADMINISTER),
)
def get_account(request: AuthenticatedRequest, user_id: RecordId) -> Any:
    """One account you administer: role, scope, language, last sign-in, version."""
    return read(request, _account(request.user, user_id))


@router.patch(
    "/users/{user_id}",
    response=AccountOut,
    url_name="user",
    summary="Change an account's role and scope",
    auth=Requires(Capability.ADMINISTER),
)
def change_account(
    request: AuthenticatedRequest, user_id: RecordId, payload: AccountChangeIn
) -> Any:
    """Set the role, organisation, prison, language and address, stating the version read
    (a change made since is refused with 409)."""
    account = _account(request.user, user_id)
    services.change_account(
        request.user, account, payload.version, _values(payload), request=request
    )
    return _account(request.user, user_id)


@router.post(
    "/users/{user_id}/active",
    response=AccountOut,
    url_name="user_active",
    summary="Deactivate or reactivate an account",
    auth=Requires(Capability.ADMINISTER),
)
def set_active(request: AuthenticatedRequest, user_id: RecordId, payload: ActiveIn) -> Any:
    """A deactivated user's sessions end at once. The reason is kept on the audit trail."""
    account = _account(request.user, user_id)
    services.set_account_active(
        request.user, account, payload.version, payload.active, payload.reason, request=request
    )
    return _account(request.user, user_id)


@router.post(
    "/users/{user_id}/reset-two-factor",
    response=AccountOut,
    url_name="user_reset_two_factor",
    summary="Reset an account's second factor",
    auth=Requires(Capability.ADMINISTER),
)
def reset_two_factor(request: AuthenticatedRequest, user_id: RecordId, payload: ReasonIn) -> Any:
    """Remove the account's devices (a lost phone): its user enrols again at the next
    sign-in. The reason is kept on the audit trail."""
    account = _account(request.user, user_id)
    services.reset_second_factor(request.user, account, payload.reason, request=request)
    return account


@router.get(
    "/organisations",
    response=list[OrganisationOut],
    url_name="organisations",
    summary="Every organisation",
    auth=Requires(Capability.ADMINISTER_DEPLOYMENT),
)
def list_organisations(request: HttpRequest) -> Any:
    """Every organisation of the deployment (deployment administrators)."""
    return Organisation.objects.select_related("jurisdiction").order_by("name")


@router.post(
    "/organisations",
    response={201: OrganisationOut},
    url_name="organisations",
    summary="Create an organisation",
    auth=Requires(Capability.ADMINISTER_DEPLOYMENT),
)
def create_organisation(request: AuthenticatedRequest, payload: OrganisationIn) -> Status:
    """A new organisation of a jurisdiction (deployment administrators); invite its
    administrator next with `POST /users`."""
    jurisdiction = named(
        Jurisdiction.objects.filter(code=payload.jurisdiction), "jurisdiction", _unknown()
    )
    organisation = services.create_organisation(
        request.user,
        payload.name,
        payload.kind,
        jurisdiction,
        name_local=payload.name_local,
        request=request,
    )
    return Status(201, organisation)


@router.patch(
    "/organisations/{organisation_id}",
    response=OrganisationOut,
    url_name="organisation",
    summary="Correct an organisation's names",
    auth=Requires(Capability.ADMINISTER_DEPLOYMENT),
)
def change_organisation(
    request: AuthenticatedRequest, organisation_id: RecordId, payload: OrganisationChanges
) -> Any:
    """Correct its name or its name in the local language (deployment administrators),
    stating the version read: a change made since is refused with 409."""
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    return services.change_organisation(
        request.user,
        organisation,
        payload.version,
        changes_of(payload),
        request=request,
    )


@router.get(
    "/sharing-agreements",
    response=list[AgreementOut],
    url_name="sharing_agreements",
    summary="The sharing agreements your organisation gives and receives",
    auth=Requires(Capability.ADMINISTER),
)
def list_agreements(request: AuthenticatedRequest) -> Any:
    """The agreements your organisation gives and receives, ended ones included."""
    audit.record(
        request.user, AuditAction.VIEW, object_type=SharingAgreement._meta.label, request=request
    )
    return services.agreements_for(request.user)


@router.post(
    "/sharing-agreements",
    response={201: AgreementOut},
    url_name="sharing_agreements",
    summary="Share your organisation's records with a partner",
    auth=Requires(Capability.ADMINISTER),
)
def record_agreement(request: AuthenticatedRequest, payload: AgreementIn) -> Status:
    """Your organisation lets a partner read its records from `starts_on` (until `ends_on`):
    women's records where she consented to sharing with partners, and/or field work."""
    user = request.user
    sharer = _organisation(payload.sharer, "sharer") or user.organisation
    partner = _organisation(payload.partner, "partner")
    if sharer is None or partner is None:
        raise services.ValidationError({"sharer": _unknown()})
    values = payload.model_dump(exclude={"sharer", "partner"})
    agreement = services.record_agreement(
        user,
        services.AgreementValues(sharer=sharer, partner=partner, **values),
        request=request,
    )
    return Status(201, agreement)


@router.post(
    "/sharing-agreements/{agreement_id}/end",
    response=AgreementOut,
    url_name="end_sharing_agreement",
    summary="End a sharing agreement now",
    auth=Requires(Capability.ADMINISTER),
)
def end_agreement(request: AuthenticatedRequest, agreement_id: RecordId, payload: EndIn) -> Any:
    """The partner's access stops with this request."""
    agreement = get_object_or_404(services.agreements_for(request.user), pk=agreement_id)
    services.end_agreement(
        request.user, agreement, payload.version, payload.reason, request=request
    )
    return services.agreements_for(request.user).get(pk=agreement_id)
