"""The one place where access is decided.

Every view, API endpoint and command asks `can()` what a user may do, and narrows every
queryset of personal records with `scope()` (through `Woman.objects.visible_to(user)`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts.models import Role, SharingAgreement
from motherline.core.actors import SystemActor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from motherline.accounts.models import User
    from motherline.core.actors import Actor
    from motherline.people.models import Woman


# A queryset narrowed by the policy keeps its own class (and methods, such as `current()`).
QS = TypeVar("QS", bound=QuerySet)


class Capability(StrEnum):
    VIEW_AGGREGATES = "view_aggregates"  # counts, never a name
    VIEW_REGISTER = "view_register"  # personal records, within scope
    EDIT_REGISTER = "edit_register"  # admit, transfer, release, record children
    ADMINISTER = "administer"  # the users, sharing and audit trail of one's own organisation
    ADMINISTER_DEPLOYMENT = "administer_deployment"  # organisations, packs, every account
    IMPORT_RETURNS = "import_returns"  # population returns (aggregate counts, no names)
    RECORD_FIELDWORK = "record_fieldwork"  # prison visits, access incidents, training
    MANAGE_PROGRAMME = "manage_programme"  # grants, the incidents overview, case-study review


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMINISTRATOR: frozenset(Capability) - {Capability.ADMINISTER_DEPLOYMENT},
    # Runs the deployment; reads no personal record (an organisation's administrator does).
    Role.DEPLOYMENT_ADMINISTRATOR: frozenset(
        {Capability.VIEW_AGGREGATES, Capability.ADMINISTER, Capability.ADMINISTER_DEPLOYMENT}
    ),
    Role.MONITOR: frozenset(
        {
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_REGISTER,
            Capability.EDIT_REGISTER,
            Capability.RECORD_FIELDWORK,
        }
    ),
    Role.LEGAL_OFFICER: frozenset(
        {
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_REGISTER,
            Capability.EDIT_REGISTER,
            Capability.RECORD_FIELDWORK,
        }
    ),
    Role.PRISON_LIAISON: frozenset(
        {Capability.VIEW_AGGREGATES, Capability.VIEW_REGISTER, Capability.EDIT_REGISTER}
    ),
    Role.PROGRAMME_MANAGER: frozenset(
        {
            Capability.VIEW_AGGREGATES,
            Capability.VIEW_REGISTER,
            Capability.IMPORT_RETURNS,
            Capability.RECORD_FIELDWORK,
            Capability.MANAGE_PROGRAMME,
        }
    ),
    Role.ANALYST: frozenset({Capability.VIEW_AGGREGATES, Capability.IMPORT_RETURNS}),
    Role.VIEWER: frozenset({Capability.VIEW_AGGREGATES}),
}


# What a system actor (a command run without `--user`, `motherline worklist`) may do through
# the policy: read the whole register, change none of it. Commands that change records (an
# import, the retention rule) call their services directly, as the server's operator.
SYSTEM_CAPABILITIES = frozenset({Capability.VIEW_AGGREGATES, Capability.VIEW_REGISTER})


def can(user: Actor | AnonymousUser | None, capability: Capability) -> bool:
    """Whether this user's role grants the capability (scope is applied separately)."""
    if isinstance(user, SystemActor):
        return capability in SYSTEM_CAPABILITIES
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.PRISON_LIAISON and user.prison_id is None:
        return capability == Capability.VIEW_AGGREGATES
    if user.role == Role.DEPLOYMENT_ADMINISTRATOR:
        # The one role that belongs to no organisation: it administers all of them.
        return capability in ROLE_CAPABILITIES[Role.DEPLOYMENT_ADMINISTRATOR]
    if user.organisation_id is None:
        return False
    return capability in ROLE_CAPABILITIES.get(user.role, frozenset())


def sees_names(user: Actor | AnonymousUser | None) -> bool:
    """Whether pages may show this user a woman's name (and her prison) beside her
    reference: the roles that read the register. Which women, `scope()` decides."""
    return can(user, Capability.VIEW_REGISTER)


def require(user: Actor | AnonymousUser | None, capability: Capability) -> None:
    """PermissionDenied (a 403 page) unless the user's role grants the capability: the first
    line of every view that needs one."""
    if not can(user, capability):
        raise PermissionDenied


def capabilities(user: Actor | AnonymousUser | None) -> frozenset[Capability]:
    return frozenset(c for c in Capability if can(user, c))


def sharers_with(
    organisation_id: int | None, *, register: bool = False, field_work: bool = False
) -> QuerySet:
    """The ids of the organisations whose sharing agreements with this one are in force
    today (for the register, or for field work), as a subquery. Read on every request, so an
    agreement that ends stops access at once."""
    agreements = SharingAgreement.objects.in_force(timezone.localdate()).filter(
        partner_id=organisation_id
    )
    if register:
        agreements = agreements.filter(shares_register=True)
    if field_work:
        agreements = agreements.filter(shares_field_work=True)
    return agreements.values("sharer_id")


def _woman_filter(
    user: User, prefix: str = "", for_edit: bool = False, label: str = "people.Woman"
) -> Q:
    """Which women a user with the register capability may see (or change), as a filter.
    Records a partner shared by consent are read-only: only the owning organisation edits."""
    from motherline.people.models import ConsentScope

    if user.role == Role.PRISON_LIAISON:
        # A liaison officer sees the women held in their prison now, whoever recorded them.
        return Q(**{f"{prefix}current_episode__current_prison_id": user.prison_id})
    own = Q(**{f"{prefix}organisation_id": user.organisation_id})
    if for_edit:
        return own
    # A subquery, not a join through the agreements: a join multiplies rows and forces a
    # DISTINCT sort over the whole register before the page's LIMIT can stop early.
    sharing = sharers_with(user.organisation_id, register=True)
    partners = Q(
        **{
            f"{prefix}organisation_id__in": sharing,
            f"{prefix}consent_scope": ConsentScope.PARTNERS,
        }
    )
    return own | partners | _referred(user, prefix, label)


# What an accepted referral opens to the organisation that received it, for each kind of
# personal record: (the part a referral of her whole record must share, "" for any; the path
# from the record to a child, where a referral of one child opens it; the part that referral
# must share, "" for any). None: never through a referral. A kind missing here is never
# opened by a referral (a child's services are the mother's organisation's business).
REFERRAL_REACH: dict[str, tuple[str | None, str | None, str]] = {
    "people.Woman": ("", None, ""),
    "people.Child": ("shares_children", "", ""),
    "care.TransitionPlan": ("shares_care_plan", "child__", "shares_care_plan"),
    # A child's caregivers and assessments go with the transition plans: a referral of one
    # child opens the links to that child's caregivers, and the assessments of its plans.
    "care.Caregiver": ("shares_care_plan", None, "shares_care_plan"),
    "care.CaregiverLink": ("shares_care_plan", "child__", "shares_care_plan"),
    "care.BestInterestsAssessment": ("shares_care_plan", "plan__child__", "shares_care_plan"),
    "legal.LegalCase": ("shares_legal", None, ""),
    "legal.Hearing": ("shares_legal", None, ""),
    "legal.ReleaseCandidate": ("shares_legal", None, ""),
    "worklist.Deadline": ("shares_legal", None, ""),
    "casework.CaseNote": ("shares_casework", "child__", "shares_casework"),
    "casework.Assignment": ("shares_casework", "child__", "shares_casework"),
    "casework.Document": ("shares_casework", "child__", "shares_casework"),
    "casework.Consent": ("shares_casework", "child__", "shares_casework"),
}


# Records a referral of one child opens through a table of links, being about several
# children (a caregiver of two of her children is opened by a referral of either): the model
# of the links and its field naming the record. Its entry in REFERRAL_REACH gives the part.
REFERRAL_THROUGH_LINKS: dict[str, tuple[str, str]] = {
    "care.Caregiver": ("care.CaregiverLink", "caregiver_id"),
}


def _referred(user: User, prefix: str, label: str) -> Q:
    """The records referrals accepted by the user's organisation open to it: read on every
    request, so a referral that ends (or whose consent is withdrawn) stops access at once."""
    from motherline.casework.models import Referral, ReferralStatus

    woman_part, child_path, child_part = REFERRAL_REACH.get(label, (None, None, ""))
    accepted = Referral.objects.filter(
        to_organisation_id=user.organisation_id, status=ReferralStatus.ACCEPTED
    ).order_by()
    reach = Q(pk__in=[])
    if woman_part is not None:
        whole = accepted.filter(child__isnull=True)
        if woman_part:
            whole = whole.filter(**{woman_part: True})
        reach |= Q(**{f"{prefix}id__in": whole.values("woman_id")})
    if child_path is not None or label in REFERRAL_THROUGH_LINKS:
        one = accepted.filter(child__isnull=False)
        if child_part:
            one = one.filter(**{child_part: True})
        if label in REFERRAL_THROUGH_LINKS:
            from django.apps import apps

            links, field = REFERRAL_THROUGH_LINKS[label]
            linked = apps.get_model(links).objects.filter(child_id__in=one.values("child_id"))
            reach |= Q(pk__in=linked.values(field))
        else:
            reach |= Q(**{f"{child_path}id__in": one.values("child_id")})
    return reach


def scope_referrals(queryset: QS, user: Actor) -> QS:
    """Referrals a user may see: those their organisation sent or received, for a role that
    reads the register. A prison liaison officer sees none: referrals are between
    organisations, not the prison's business."""
    if not can(user, Capability.VIEW_REGISTER):
        return queryset.none()
    if isinstance(user, SystemActor):
        return queryset
    if user.role == Role.PRISON_LIAISON:
        return queryset.none()
    org = user.organisation_id
    return queryset.filter(Q(from_organisation_id=org) | Q(to_organisation_id=org))


# Personal records other than a woman, and the path from each to the woman it is about: a
# record is seen and changed exactly as its woman is. A model missing here cannot be scoped
# (scope() raises), so a new kind of personal record cannot leak by being forgotten.
WOMAN_PATHS: dict[str, str] = {
    "people.Child": "mother__",
    "care.TransitionPlan": "child__mother__",
    "care.Caregiver": "woman__",
    "care.CaregiverLink": "caregiver__woman__",
    "care.BestInterestsAssessment": "plan__child__mother__",
    "grants.ServiceDelivery": "woman__",  # a child's service is on the mother's record
    "legal.LegalCase": "episode__woman__",
    "legal.Hearing": "case__episode__woman__",
    "legal.ReleaseCandidate": "woman__",
    "worklist.Deadline": "woman__",
    "casework.CaseNote": "woman__",
    "casework.Assignment": "woman__",
    "casework.Document": "woman__",
    "casework.Consent": "woman__",
}


def scope(queryset: QS, user: Actor, *, for_edit: bool = False) -> QS:
    """Narrow a queryset of personal records to those the user may see, or with
    `for_edit`, to those the user may change."""
    needed = Capability.EDIT_REGISTER if for_edit else Capability.VIEW_REGISTER
    if not can(user, needed):
        return queryset.none()
    label = queryset.model._meta.label
    if label == "people.Woman":
        prefix = ""
    elif label in WOMAN_PATHS:
        prefix = WOMAN_PATHS[label]
    else:
        raise TypeError(f"No access rule for {label}")
    if isinstance(user, SystemActor):
        return queryset
    return queryset.filter(_woman_filter(user, prefix, for_edit, label))


def women_whose(label: str, user: Actor) -> QuerySet:
    """The women whose records of kind `label` (one of `WOMAN_PATHS`) this user may see: the
    scope of `scope()` for those records, read from the women, for a query that reaches
    them another way (the worklist of a past day computes its deadlines from the register
    rather than reading the stored ones)."""
    from motherline.people.models import Woman

    if label not in WOMAN_PATHS:
        raise TypeError(f"No access rule for {label}")
    women = Woman.objects.all()
    if not can(user, Capability.VIEW_REGISTER):
        return women.none()
    if isinstance(user, SystemActor):
        return women
    return women.filter(_woman_filter(user, "", False, label))


def scope_organisation(
    queryset: QS, user: Actor, *, for_edit: bool = False, path: str = "organisation"
) -> QS:
    """Narrow records an organisation owns rather than records about one woman (prison
    visits, access incidents, training sessions) to those the user may see: their own
    organisation's, and the organisations that share with theirs; with `for_edit`, their
    own organisation's, for a role that records field work. `path` leads to the owner.
    Prison liaison officers see none: these are the monitors' findings about the prison.
    Such a record may name women; pages show them only through `scope()`."""
    needed = Capability.RECORD_FIELDWORK if for_edit else Capability.VIEW_REGISTER
    if not can(user, needed):
        return queryset.none()
    if isinstance(user, SystemActor):
        return queryset
    if user.role == Role.PRISON_LIAISON:
        return queryset.none()
    own = Q(**{f"{path}_id": user.organisation_id})
    if for_edit:
        return queryset.filter(own)
    sharing = sharers_with(user.organisation_id, field_work=True)
    return queryset.filter(own | Q(**{f"{path}_id__in": sharing}))


def may_edit(user: Actor, woman: Woman) -> bool:
    """Whether this user may change this woman's record (and her children's)."""
    from motherline.people.models import Woman

    return scope(Woman.objects.filter(pk=woman.pk), user, for_edit=True).exists()


def may_change_register(user: Actor, woman: Woman | None = None) -> bool:
    """Whether the role may change the register and, given a woman, her record (and her
    children's) is among those the user changes: what a page asks before it offers a change."""
    return can(user, Capability.EDIT_REGISTER) and (woman is None or may_edit(user, woman))


def require_register_edit(user: Actor, woman: Woman | None = None) -> None:
    """Refuse a change to the register (PermissionDenied, saying so) unless
    `may_change_register`."""
    if not may_change_register(user, woman):
        raise PermissionDenied(_("You may not change the register."))


def may_approve_for(user: Actor, woman: Woman) -> bool:
    """Whether this user may approve (or return) a decision about this woman's children that
    needs a manager, such as a best-interests assessment before a child leaves prison: a
    role that manages the programme, in the organisation that owns her record. A partner's
    manager reads the record; only its owner's decides."""
    if isinstance(user, SystemActor) or not can(user, Capability.MANAGE_PROGRAMME):
        return False
    return woman.organisation_id == user.organisation_id


def organisation_id_of(user: Actor) -> int:
    """The organisation a user acts for, which owns what they record. Every capability but a
    deployment administrator's needs one (`can`), so a service that checked the capability
    has it; PermissionDenied for an actor without one (a deployment administrator, the
    system)."""
    if user.organisation_id is None:
        raise PermissionDenied
    return user.organisation_id


def prison_id_of(user: Actor) -> int:
    """The one prison a prison liaison officer sees. Reading the register needs one (`can`),
    so a view that required it has it; PermissionDenied for an actor without one."""
    if user.prison_id is None:
        raise PermissionDenied
    return user.prison_id


def is_deployment_administrator(user: Actor | AnonymousUser | None) -> bool:
    return can(user, Capability.ADMINISTER_DEPLOYMENT)


def administered_users(user: Actor) -> QuerySet[User]:
    """The accounts this user may administer: every account for a deployment administrator;
    for an organisation's administrator, the accounts of that organisation except deployment
    administrators; none for anyone else. Every administration page and API route reads
    accounts through this, so another organisation's account is a 404."""
    from motherline.accounts.models import User

    if is_deployment_administrator(user):
        return User.objects.all()
    if not can(user, Capability.ADMINISTER) or user.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=user.organisation_id).exclude(
        role=Role.DEPLOYMENT_ADMINISTRATOR
    )


def scope_audit(queryset: QS, user: Actor) -> QS:
    """Narrow audit events to those this user may read: all of them for a deployment
    administrator; for an organisation's administrator, what the accounts of that organisation
    did, and the failed sign-ins that tried one of their user names (a failed sign-in has no
    user). Another organisation's users, addresses and references stay out of sight."""
    if is_deployment_administrator(user):
        return queryset
    if not can(user, Capability.ADMINISTER) or user.organisation_id is None:
        return queryset.none()
    from motherline.accounts.models import AuditAction, User

    members = User.objects.filter(organisation_id=user.organisation_id).exclude(
        role=Role.DEPLOYMENT_ADMINISTRATOR
    )
    return queryset.alias(tried_username=KT("changes__username")).filter(
        Q(user__in=members.values("id"))
        | Q(
            user__isnull=True,
            action__in=[AuditAction.LOGIN_FAILED, AuditAction.LOCKED_OUT],
            tried_username__in=members.values("username"),
        )
    )
