"""Every change to the register goes through here: the web forms, the API and the commands
call these functions, which validate with `people.rules`, write in one transaction and
append to the audit trail.

Errors are raised as `django.core.exceptions.ValidationError` with a dict of field -> message,
so a form shows each message beside its field and the API returns them by field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, may_edit, require_register_edit
from motherline.bounds import DATE_FLOOR
from motherline.core import clock
from motherline.core.changes import audited_change, check_fields, raise_errors
from motherline.core.versions import check_version, locked_current, save_if_current
from motherline.formatting import format_day
from motherline.jurisdictions import reference
from motherline.jurisdictions.local import jurisdiction_of
from motherline.jurisdictions.models import OffenceCategory
from motherline.people import rules, search, signals
from motherline.people.actions import TransferIn
from motherline.people.models import (
    CaregiverRelationship,
    Charge,
    Child,
    ConsentScope,
    CustodyEpisode,
    LegalStatus,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Pregnancy,
    PregnancyOutcome,
    Sex,
    Transfer,
    Woman,
    WomanMerge,
)
from motherline.places.models import Prison
from motherline.records.correction import correct


def _check_prison_takes_women(prison: Prison, field_name: str) -> None:
    if not prison.is_active or not prison.holds_women:
        raise_errors({field_name: _("%(prison)s does not hold women.") % {"prison": prison.name}})


@dataclass
class ChildDetails:
    """A child recorded at admission (Bangkok Rule 3) or later."""

    date_of_birth: date
    name: str = ""
    name_latin: str = ""
    sex: str = Sex.UNKNOWN
    dob_is_estimated: bool = False
    birth_registered: bool = False
    living_in_prison: bool = False
    caregiver_name: str = ""
    caregiver_relationship: str = ""
    caregiver_location: str = ""
    caregiver_contact: str = ""
    # At a re-admission: the reference of her child already on the register who this is.
    existing: str = ""


@dataclass
class Admission:
    organisation_id: int
    prison: Prison
    admission_date: date
    name: str
    name_latin: str = ""
    register_number: str = ""
    date_of_birth: date | None = None
    dob_is_estimated: bool = False
    nationality: str = ""  # ISO 3166-1 alpha-2; empty: not known
    ethnicity: str = ""
    language: str = ""
    is_primary_carer: bool = False
    is_sole_carer: bool = False
    dependent_children: int = 0
    has_serious_illness: bool = False
    has_disability: bool = False
    health_notes: str = ""
    consent_scope: str = "register"
    legal_status: str = LegalStatus.PRETRIAL
    court: str = ""
    case_number: str = ""
    sentence_months: int | None = None
    expected_release_date: date | None = None
    offences: list[OffenceCategory] = field(default_factory=list)
    is_pregnant: bool = False
    pregnancy_known_since: date | None = None
    expected_delivery_date: date | None = None
    children: list[ChildDetails] = field(default_factory=list)
    # The user saw the warnings (`rules.entry_findings`) and confirms the values.
    confirm_warnings: bool = False


CONFIRM_WARNINGS = "confirm_warnings"


def entry_lists(prison: Prison) -> reference.RegisterLists:
    jurisdiction = prison.province.jurisdiction
    return reference.register_lists(jurisdiction.code, jurisdiction.local_language)


def age_limit_months(prison: Prison, on: date) -> int | None:
    """The pack's age limit for a child living in prison, in force on a day."""
    from motherline.jurisdictions.models import AgeLimitRule
    from motherline.jurisdictions.rules import age_limit_rule_on

    rule = age_limit_rule_on(
        AgeLimitRule.objects.filter(jurisdiction_id=prison.province.jurisdiction_id), on
    )
    return rule.max_age_months if rule is not None else None


def identity_errors(
    lists: reference.RegisterLists, nationality: str, ethnicity: str, language: str
) -> rules.Errors:
    """Nationality is an ISO 3166 country; ethnicity and language come from the pack's lists
    (when it has one). Blank is allowed."""
    errors: rules.Errors = {}
    if nationality and nationality not in reference.country_codes():
        errors["nationality"] = _("Choose a country from the list (ISO 3166).")
    for name, value, entries in (
        ("ethnicity", ethnicity, lists.ethnicities),
        ("language", language, lists.languages),
    ):
        if value and entries and value not in {e.code for e in entries}:
            errors[name] = _("Choose a value from the list.")
    return errors


def with_warnings(
    errors: dict[str, Any], warnings: dict[str, Any], confirmed: bool
) -> dict[str, Any]:
    """Unconfirmed warnings stop the change like errors, with a request to confirm them."""
    if warnings and not confirmed:
        errors = {**warnings, **errors}
        errors[CONFIRM_WARNINGS] = _(
            "Some values are unlikely. Check them, then confirm that they are right."
        )
    return errors


def _entry_errors(
    adm: Admission | Readmission,
    today: date,
    mother_birth: date | None,
    dependent_children: int | None,
    confirmed: bool,
    existing: dict[str, Child] | None = None,
) -> dict[str, Any]:
    existing = existing or {}
    lists = entry_lists(adm.prison)
    children = [
        rules.ChildEntry(
            field=f"children.{i}.",
            date_of_birth=(
                existing[c.existing].date_of_birth if c.existing in existing else c.date_of_birth
            ),
            living_in_prison=c.living_in_prison,
            since=adm.admission_date,
        )
        for i, c in enumerate(adm.children)
    ]
    errors, warnings = rules.entry_findings(
        today=today,
        earliest=lists.earliest_date,
        dates={
            "admission_date": adm.admission_date,
            "expected_release_date": adm.expected_release_date,
            "pregnancy_known_since": adm.pregnancy_known_since,
            "expected_delivery_date": adm.expected_delivery_date,
            **({"date_of_birth": mother_birth} if isinstance(adm, Admission) else {}),
        },
        mother_birth=mother_birth,
        children=children,
        age_limit_months=age_limit_months(adm.prison, adm.admission_date),
        dependent_children=dependent_children,
    )
    if "pregnancy_known_since" in errors:
        errors["known_since"] = errors.pop("pregnancy_known_since")
    return with_warnings(errors, warnings, confirmed)


def admission_errors(adm: Admission, today: date) -> dict[str, Any]:
    """All errors of an admission, including each child's, keyed by field (children as
    `children.N.field`); unconfirmed warnings among them."""
    errors: dict[str, Any] = dict(
        rules.admission_errors(adm.date_of_birth, adm.admission_date, today)
    )
    errors.update(_custody_errors(adm, today))
    if adm.is_sole_carer and not adm.is_primary_carer:
        adm.is_primary_carer = True
    errors.update(
        identity_errors(entry_lists(adm.prison), adm.nationality, adm.ethnicity, adm.language)
    )
    for i, child in enumerate(adm.children):
        for key, msg in rules.child_birth_errors(
            adm.date_of_birth, child.date_of_birth, today
        ).items():
            errors[f"children.{i}.{key}"] = msg
        _child_row_errors(errors, i, child, adm.admission_date)
    entry = _entry_errors(
        adm, today, adm.date_of_birth, adm.dependent_children, adm.confirm_warnings
    )
    return {**entry, **errors}


# Shared with the admission form, which checks dates before the service is reached.
BORN_AFTER_ADMISSION = gettext_lazy(
    "A child born after the admission is recorded as the outcome of a pregnancy."
)
RELEASE_BEFORE_ADMISSION = gettext_lazy("The expected release cannot be before the admission.")


def _child_row_errors(errors: dict[str, Any], i: int, child: ChildDetails, admitted: date) -> None:
    if child.living_in_prison and child.date_of_birth > admitted:
        errors[f"children.{i}.date_of_birth"] = BORN_AFTER_ADMISSION
    if not child.living_in_prison and not child.caregiver_relationship:
        errors[f"children.{i}.caregiver_relationship"] = _(
            "Say who looks after this child outside (or choose “Other”)."
        )


@dataclass
class Readmission:
    """A released woman's new custody, on her own record, with the children who are hers
    (each either one already on her record, `ChildDetails.existing`, or a new one)."""

    prison: Prison
    admission_date: date
    legal_status: str = LegalStatus.PRETRIAL
    court: str = ""
    case_number: str = ""
    sentence_months: int | None = None
    expected_release_date: date | None = None
    offences: list[OffenceCategory] = field(default_factory=list)
    is_pregnant: bool = False
    pregnancy_known_since: date | None = None
    expected_delivery_date: date | None = None
    dependent_children: int | None = None  # None: as her record says
    children: list[ChildDetails] = field(default_factory=list)
    confirm_warnings: bool = False


def _custody_errors(adm: Admission | Readmission, today: date) -> dict[str, Any]:
    errors: dict[str, Any] = {}
    if not adm.prison.is_active or not adm.prison.holds_women:
        errors["prison"] = _("%(prison)s does not hold women.") % {"prison": adm.prison.name}
    if adm.legal_status != LegalStatus.PRETRIAL and adm.sentence_months is None:
        errors["sentence_months"] = _("Enter the sentence of a convicted woman.")
    if adm.expected_release_date and adm.expected_release_date < adm.admission_date:
        errors["expected_release_date"] = RELEASE_BEFORE_ADMISSION
    if adm.is_pregnant:
        known = adm.pregnancy_known_since or adm.admission_date
        errors.update(rules.pregnancy_errors(known, adm.expected_delivery_date, False, today))
    return errors


def _open_episode(woman: Woman, adm: Admission | Readmission) -> CustodyEpisode:
    episode = CustodyEpisode.objects.create(
        woman=woman,
        admission_date=adm.admission_date,
        admission_prison=adm.prison,
        current_prison=adm.prison,
        legal_status=adm.legal_status,
        legal_status_since=adm.admission_date,
        court=adm.court,
        case_number=adm.case_number,
        sentence_months=adm.sentence_months,
        expected_release_date=adm.expected_release_date,
    )
    LegalStatusChange.objects.create(
        episode=episode,
        status=adm.legal_status,
        effective_date=adm.admission_date,
        note=gettext_noop("At admission"),
    )
    Charge.objects.bulk_create([Charge(episode=episode, offence_category=o) for o in adm.offences])
    if adm.is_pregnant:
        Pregnancy.objects.create(
            woman=woman,
            episode=episode,
            known_since=adm.pregnancy_known_since or adm.admission_date,
            expected_delivery_date=adm.expected_delivery_date,
        )
    return episode


@transaction.atomic
def admit_woman(
    user: User, adm: Admission, *, today: date | None = None, request: HttpRequest | None = None
) -> Woman:
    """Admit a woman: her record, a custody episode, her charges, a pregnancy if she is
    pregnant, and every child she has, inside or outside (Bangkok Rules 2 and 3)."""
    require_register_edit(user)
    today = clock.today(today)
    raise_errors(admission_errors(adm, today))
    recorded_children = len(adm.children)
    woman = Woman.objects.create(
        organisation_id=adm.organisation_id,
        register_number=adm.register_number.strip(),
        name=adm.name.strip(),
        name_latin=adm.name_latin.strip(),
        date_of_birth=adm.date_of_birth,
        dob_is_estimated=adm.dob_is_estimated,
        nationality=adm.nationality,
        ethnicity=adm.ethnicity,
        language=adm.language,
        is_primary_carer=adm.is_primary_carer,
        is_sole_carer=adm.is_sole_carer,
        dependent_children=max(adm.dependent_children, recorded_children),
        has_serious_illness=adm.has_serious_illness,
        has_disability=adm.has_disability,
        health_notes=adm.health_notes,
        consent_scope=adm.consent_scope,
        consent_recorded_on=adm.admission_date,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    episode = _open_episode(woman, adm)
    woman.current_episode = episode
    woman.save(update_fields=["current_episode"])
    for child in adm.children:
        _create_child(woman, child, adm.admission_date, adm.prison)
    audit.record(
        user,
        AuditAction.CREATE,
        woman,
        request=request,
        changes={
            "admission_date": adm.admission_date.isoformat(),
            "prison": adm.prison.code,
            "children": recorded_children,
            "pregnant": adm.is_pregnant,
        },
    )
    return woman


def readmission_errors(
    woman: Woman, adm: Readmission, existing: dict[str, Child], today: date
) -> dict[str, Any]:
    """Errors of a re-admission of `woman` (her children on the register by reference in
    `existing`), including unconfirmed warnings."""
    errors: dict[str, Any] = {}
    if woman.current_episode_id is not None or woman.episodes.filter(release_date=None).exists():
        errors[NON_FIELD_ERRORS] = _(
            "She is in custody now: record her release before a new admission."
        )
        return errors
    errors.update(rules.admission_errors(woman.date_of_birth, adm.admission_date, today))
    last_release = woman.episodes.aggregate(last=Max("release_date"))["last"]
    if "admission_date" not in errors and last_release and adm.admission_date < last_release:
        errors["admission_date"] = _(
            "The new admission cannot be before her last release (%(date)s)."
        ) % {"date": format_day(last_release)}
    errors.update(_custody_errors(adm, today))
    seen: set[str] = set()
    for i, child in enumerate(adm.children):
        if child.existing:
            if child.existing not in existing:
                errors[f"children.{i}.existing"] = _("This child is not one of hers.")
                continue
            if child.existing in seen:
                errors[f"children.{i}.existing"] = _("This child is entered twice.")
            seen.add(child.existing)
            known = existing[child.existing]
            if child.living_in_prison and known.date_of_birth > adm.admission_date:
                errors[f"children.{i}.living_in_prison"] = _(
                    "A child born after the admission is recorded as the outcome of a pregnancy."
                )
            continue
        for key, msg in rules.child_birth_errors(
            woman.date_of_birth, child.date_of_birth, today
        ).items():
            errors[f"children.{i}.{key}"] = msg
        _child_row_errors(errors, i, child, adm.admission_date)
    entry = _entry_errors(
        adm, today, woman.date_of_birth, adm.dependent_children, adm.confirm_warnings, existing
    )
    return {**entry, **errors}


@transaction.atomic
def readmit_woman(
    user: User,
    woman: Woman,
    adm: Readmission,
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CustodyEpisode:
    """Admit a released woman again: a new custody episode on her own record, so that her
    history stays one and re-imprisonment can be counted. A child who comes in with her and
    is already on her record (`ChildDetails.existing`) is that child, now living in prison
    with her or with a caregiver outside; the others are new children. Refused while she is in
    custody, and with `StaleVersion` if her record changed after `version`."""
    require_register_edit(user, woman)
    today = clock.today(today)
    # Locked, so that two people re-admitting her at once cannot both open a custody.
    current = locked_current(Woman.objects, woman.pk, version)
    if current.merged_into_id is not None:
        raise_errors({NON_FIELD_ERRORS: _("This record was merged into another.")})
    existing = {c.reference: c for c in Child.objects.filter(mother=current)}
    raise_errors(readmission_errors(current, adm, existing, today))
    episode = _open_episode(current, adm)
    linked = []
    for child in adm.children:
        if child.existing:
            _child_comes_back(existing[child.existing], child, adm)
            linked.append(child.existing)
        else:
            _create_child(current, child, adm.admission_date, adm.prison)
    values: dict[str, Any] = {
        "current_episode": episode,
        "version": F("version") + 1,
        "updated_at": timezone.now(),
    }
    if adm.dependent_children is not None:
        values["dependent_children"] = max(adm.dependent_children, len(adm.children))
    Woman.objects.filter(pk=current.pk).update(**values)
    # update() sends no post_save: the stored deadlines are marked here.
    signals.register_changed.send(Woman, woman_ids=[current.pk])
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "readmission": {
                "episode": episode.pk,
                "admission_date": adm.admission_date.isoformat(),
                "prison": adm.prison.code,
                "children_linked": linked,
                "children_new": len(adm.children) - len(linked),
                "pregnant": adm.is_pregnant,
            }
        },
    )
    return episode


def _child_comes_back(child: Child, details: ChildDetails, adm: Readmission) -> None:
    """A child of hers already on the register, at her new admission: living in prison with
    her from that day, or outside with the caregiver named (the mother cannot be it now)."""
    current = child.placements.filter(end_date__isnull=True).order_by("-start_date").first()
    start = max(adm.admission_date, child.date_of_birth)
    if current is not None and current.start_date > start:
        start = current.start_date
    if details.living_in_prison:
        kind = PlacementKind.IN_PRISON
    elif details.caregiver_relationship:
        kind = PlacementKind.WITH_CAREGIVER
    else:
        return
    if (
        current is not None
        and kind == PlacementKind.WITH_CAREGIVER
        and current.kind == kind
        and current.caregiver_relationship == details.caregiver_relationship
        and not details.caregiver_name.strip()
    ):
        return  # where the child already lives, said again
    if current is not None:
        current.end_date = start
        current.save(update_fields=["end_date"])
    Placement.objects.create(
        child=child,
        kind=kind,
        prison=adm.prison if kind == PlacementKind.IN_PRISON else None,
        caregiver_name=details.caregiver_name.strip(),
        caregiver_relationship="" if details.living_in_prison else details.caregiver_relationship,
        caregiver_location=details.caregiver_location.strip(),
        caregiver_contact=details.caregiver_contact.strip(),
        start_date=start,
        note=gettext_noop("With her mother's new custody"),
    )


def _create_child(woman: Woman, details: ChildDetails, on: date, prison: Prison | None) -> Child:
    child = Child.objects.create(
        organisation_id=woman.organisation_id,
        mother=woman,
        name=details.name.strip(),
        name_latin=details.name_latin.strip(),
        sex=details.sex,
        date_of_birth=details.date_of_birth,
        dob_is_estimated=details.dob_is_estimated,
        birth_registered=details.birth_registered,
    )
    if details.living_in_prison and prison is not None:
        Placement.objects.create(
            child=child,
            kind=PlacementKind.IN_PRISON,
            prison=prison,
            start_date=max(on, details.date_of_birth),
        )
    else:
        Placement.objects.create(
            child=child,
            kind=PlacementKind.WITH_CAREGIVER
            if details.caregiver_relationship
            else PlacementKind.UNKNOWN,
            caregiver_name=details.caregiver_name.strip(),
            caregiver_relationship=details.caregiver_relationship,
            caregiver_location=details.caregiver_location.strip(),
            caregiver_contact=details.caregiver_contact.strip(),
            start_date=max(on, details.date_of_birth),
        )
    return child


@transaction.atomic
def record_child(
    user: User,
    woman: Woman,
    details: ChildDetails,
    *,
    since: date | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Child:
    """Record a child learnt of after admission; a child living in prison must be with a
    mother who is in custody."""
    require_register_edit(user)
    today = clock.today(today)
    errors = rules.child_birth_errors(woman.date_of_birth, details.date_of_birth, today)
    episode = woman.current_episode
    if details.living_in_prison and episode is None:
        errors["living_in_prison"] = _("She is not in custody: the child cannot live in prison.")
    if not details.living_in_prison and not details.caregiver_relationship:
        errors["caregiver_relationship"] = _(
            "Say who looks after this child outside (or choose “Other”)."
        )
    rules.not_in_future("since", since, today, errors)
    prison = episode.current_prison if episode is not None else None
    if prison is not None:
        # The entry checks of an admission (a child above the age limit cannot come to
        # live in prison; the pack's earliest date).
        lists = entry_lists(prison)
        found, _warnings = rules.entry_findings(
            today=today,
            earliest=lists.earliest_date,
            dates={"since": since},
            mother_birth=woman.date_of_birth,
            children=[
                rules.ChildEntry(
                    field="",
                    date_of_birth=details.date_of_birth,
                    living_in_prison=details.living_in_prison,
                    since=since or today,
                )
            ],
            age_limit_months=age_limit_months(prison, since or today),
        )
        for key, message in found.items():
            errors.setdefault(key, message)
    if (
        "since" not in errors
        and since is not None
        and details.living_in_prison
        and episode is not None
        and since < episode.admission_date
    ):
        errors["since"] = _(
            "A child cannot live in prison with her before her admission (%(date)s)."
        ) % {"date": format_day(episode.admission_date)}
    raise_errors(errors)
    start = since or today
    child = _create_child(woman, details, start, episode.current_prison if episode else None)
    audit.record(
        user,
        AuditAction.CREATE,
        child,
        request=request,
        changes={"mother": woman.reference, "in_prison": details.living_in_prison},
    )
    return child


@transaction.atomic
def record_transfer(
    user: User,
    episode: CustodyEpisode,
    to_prison: Prison,
    transfer_date: date,
    reason: str = "",
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Transfer:
    """Move a woman in custody to another prison; her children living with her move too."""
    require_register_edit(user)
    today = clock.today(today)
    episode = locked_current(CustodyEpisode.objects, episode.pk, version)
    last = (
        episode.transfers.order_by("-transfer_date").values_list("transfer_date", flat=True).first()
    )
    errors = rules.transfer_errors(
        transfer_date,
        episode.admission_date,
        last,
        episode.is_open,
        to_prison.pk == episode.current_prison_id,
        today,
    )
    if not errors and (not to_prison.is_active or not to_prison.holds_women):
        errors["to_prison"] = _("%(prison)s does not hold women.") % {"prison": to_prison.name}
    child_since = _last_child_placement_date(episode)
    if "transfer_date" not in errors and child_since and transfer_date < child_since:
        errors["transfer_date"] = _(
            "The transfer cannot be before %(date)s, when a child of hers began or stopped "
            "living in prison with her."
        ) % {"date": format_day(child_since)}
    raise_errors(errors)
    from_prison = episode.current_prison
    transfer = Transfer.objects.create(
        episode=episode,
        transfer_date=transfer_date,
        from_prison=from_prison,
        to_prison=to_prison,
        reason=reason,
    )
    for placement in _children_in_prison(episode.woman):
        placement.end_date = transfer_date
        placement.save(update_fields=["end_date"])
        Placement.objects.create(
            child_id=placement.child_id,
            kind=PlacementKind.IN_PRISON,
            prison=to_prison,
            start_date=transfer_date,
            note=gettext_noop("Moved with her mother"),
        )
    episode.current_prison = to_prison
    episode.version += 1
    episode.save(update_fields=["current_prison", "version"])
    audit.record(
        user,
        AuditAction.CHANGE,
        episode.woman,
        request=request,
        changes={
            "transfer": {
                "date": transfer_date.isoformat(),
                "from": from_prison.code,
                "to": to_prison.code,
            },
        },
    )
    return transfer


def _last_child_placement_date(episode: CustodyEpisode) -> date | None:
    """The last day in this custody on which a child of hers began or stopped living in
    prison: a transfer or release dated before it would contradict the child's placements."""
    dates = Placement.objects.filter(
        child__mother_id=episode.woman_id,
        kind=PlacementKind.IN_PRISON,
        start_date__gte=episode.admission_date,
    ).aggregate(started=Max("start_date"), ended=Max("end_date"))
    return max(filter(None, dates.values()), default=None)


def _children_in_prison(woman: Woman) -> list[Placement]:
    return list(
        Placement.objects.select_for_update().filter(
            child__mother=woman, kind=PlacementKind.IN_PRISON, end_date__isnull=True
        )
    )


@transaction.atomic
def record_legal_status(
    user: User,
    episode: CustodyEpisode,
    status: str,
    effective_date: date,
    note: str = "",
    *,
    sentence_months: int | None = None,
    expected_release_date: date | None = None,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LegalStatusChange:
    require_register_edit(user)
    today = clock.today(today)
    episode = locked_current(CustodyEpisode.objects, episode.pk, version)
    errors = rules.legal_status_errors(
        status,
        episode.legal_status,
        effective_date,
        episode.legal_status_since,
        episode.is_open,
        today,
    )
    if (
        status != LegalStatus.PRETRIAL
        and sentence_months is None
        and episode.sentence_months is None
    ):
        errors.setdefault("sentence_months", _("Enter the sentence of a convicted woman."))
    if expected_release_date is not None and expected_release_date < episode.admission_date:
        errors["expected_release_date"] = str(RELEASE_BEFORE_ADMISSION)
    raise_errors(errors)
    before = episode.legal_status
    change = LegalStatusChange.objects.create(
        episode=episode, status=status, effective_date=effective_date, note=note
    )
    episode.legal_status = status
    episode.legal_status_since = effective_date
    if sentence_months is not None:
        episode.sentence_months = sentence_months
    if expected_release_date is not None:
        episode.expected_release_date = expected_release_date
    episode.version += 1
    episode.save()
    audit.record(
        user,
        AuditAction.CHANGE,
        episode.woman,
        request=request,
        changes={
            "legal_status": [before, status],
            "effective_date": effective_date.isoformat(),
        },
    )
    return change


@transaction.atomic
def record_release(
    user: User,
    episode: CustodyEpisode,
    release_date: date,
    reason: str,
    note: str = "",
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CustodyEpisode:
    """Close a custody episode. Children living in prison with her leave with her."""
    require_register_edit(user)
    today = clock.today(today)
    episode = locked_current(CustodyEpisode.objects, episode.pk, version)
    if not episode.is_open:
        raise_errors({"release_date": _("This custody is already closed.")})
    last_dates = [
        d
        for d in (
            episode.transfers.order_by("-transfer_date")
            .values_list("transfer_date", flat=True)
            .first(),
            episode.legal_status_since,
            _last_child_placement_date(episode),
        )
        if d is not None
    ]
    raise_errors(
        rules.release_errors(
            release_date, episode.admission_date, max(last_dates, default=None), today
        )
    )
    episode.release_date = release_date
    episode.release_reason = reason
    episode.release_note = note
    episode.version += 1
    episode.save()
    woman = episode.woman
    for placement in _children_in_prison(woman):
        placement.end_date = release_date
        placement.save(update_fields=["end_date"])
        Placement.objects.create(
            child_id=placement.child_id,
            kind=PlacementKind.WITH_CAREGIVER,
            caregiver_relationship=CaregiverRelationship.MOTHER,
            start_date=release_date,
            note=gettext_noop("Left prison with her mother"),
        )
    Woman.objects.filter(pk=woman.pk, current_episode=episode).update(
        current_episode=None, version=woman.version + 1
    )
    signals.register_changed.send(Woman, woman_ids=[woman.pk])
    signals.released.send(CustodyEpisode, episode=episode, woman=woman, user=user, request=request)
    audit.record(
        user,
        AuditAction.CHANGE,
        woman,
        request=request,
        changes={
            "release": {"date": release_date.isoformat(), "reason": reason},
        },
    )
    return episode


@transaction.atomic
def record_pregnancy(
    user: User,
    woman: Woman,
    known_since: date,
    expected_delivery_date: date | None = None,
    antenatal_care_contacts: int = 0,
    note: str = "",
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Pregnancy:
    require_register_edit(user)
    today = clock.today(today)
    ongoing = Pregnancy.objects.filter(woman=woman, outcome="").exists()
    raise_errors(rules.pregnancy_errors(known_since, expected_delivery_date, ongoing, today))
    pregnancy = Pregnancy.objects.create(
        woman=woman,
        episode=woman.current_episode,
        known_since=known_since,
        expected_delivery_date=expected_delivery_date,
        antenatal_care_contacts=antenatal_care_contacts,
        note=note,
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        woman,
        request=request,
        changes={
            "pregnancy": {"known_since": known_since.isoformat()},
        },
    )
    return pregnancy


def in_custody_on(woman: Woman, on: date) -> CustodyEpisode | None:
    """The custody episode that covers a date, if any."""
    for episode in woman.episodes.all():
        if episode.admission_date <= on and (
            episode.release_date is None or on < episode.release_date
        ):
            return episode
    return None


def prison_on(episode: CustodyEpisode, on: date) -> Prison:
    """Where a woman was held on a date within an episode, from its transfers."""
    prison = episode.admission_prison
    for transfer in episode.transfers.order_by("transfer_date", "id"):
        if transfer.transfer_date <= on:
            prison = transfer.to_prison
    return prison


@transaction.atomic
def record_pregnancy_outcome(
    user: User,
    pregnancy: Pregnancy,
    outcome: str,
    outcome_date: date,
    *,
    child_name: str = "",
    child_sex: str = Sex.UNKNOWN,
    birth_registered: bool = False,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Child | None:
    """Record how a pregnancy ended. A birth in custody creates the child, living in prison
    with her mother from the day of birth."""
    require_register_edit(user)
    today = clock.today(today)
    pregnancy = Pregnancy.objects.select_for_update().get(pk=pregnancy.pk)
    if not pregnancy.is_ongoing:
        raise_errors({"outcome": _("The outcome of this pregnancy is already recorded.")})
    woman = pregnancy.woman
    episode = in_custody_on(woman, outcome_date)
    raise_errors(
        rules.pregnancy_outcome_errors(
            outcome, outcome_date, pregnancy.known_since, episode is not None, today
        )
    )
    pregnancy.outcome = outcome
    pregnancy.outcome_date = outcome_date
    pregnancy.save(update_fields=["outcome", "outcome_date"])
    child = None
    if outcome != PregnancyOutcome.LOSS:
        in_custody = outcome in (
            PregnancyOutcome.BIRTH_IN_PRISON,
            PregnancyOutcome.BIRTH_IN_HOSPITAL,
        )
        child = Child.objects.create(
            organisation_id=woman.organisation_id,
            mother=woman,
            name=child_name.strip(),
            sex=child_sex,
            date_of_birth=outcome_date,
            birth_registered=birth_registered,
            born_in_custody=in_custody,
            pregnancy=pregnancy,
        )
        if in_custody and episode is not None:
            _place_with_mother_in_custody(child, episode, outcome_date)
        else:
            Placement.objects.create(
                child=child,
                kind=PlacementKind.WITH_CAREGIVER,
                caregiver_relationship=CaregiverRelationship.MOTHER,
                start_date=outcome_date,
            )
    audit.record(
        user,
        AuditAction.CHANGE,
        woman,
        request=request,
        changes={
            "pregnancy_outcome": {"outcome": outcome, "date": outcome_date.isoformat()},
        },
    )
    return child


def _place_with_mother_in_custody(child: Child, episode: CustodyEpisode, born: date) -> None:
    """A child born in custody lives with her mother from birth. A birth is often recorded
    late, so the child also follows the transfers and the release recorded after that day."""
    prison, since, note = prison_on(episode, born), born, gettext_noop("Born in custody")
    for transfer in episode.transfers.filter(transfer_date__gt=born).order_by(
        "transfer_date", "id"
    ):
        Placement.objects.create(
            child=child,
            kind=PlacementKind.IN_PRISON,
            prison=prison,
            start_date=since,
            end_date=transfer.transfer_date,
            note=note,
        )
        prison, since, note = (
            transfer.to_prison,
            transfer.transfer_date,
            gettext_noop("Moved with her mother"),
        )
    Placement.objects.create(
        child=child,
        kind=PlacementKind.IN_PRISON,
        prison=prison,
        start_date=since,
        end_date=episode.release_date,
        note=note,
    )
    if episode.release_date is not None:
        Placement.objects.create(
            child=child,
            kind=PlacementKind.WITH_CAREGIVER,
            caregiver_relationship=CaregiverRelationship.MOTHER,
            start_date=episode.release_date,
            note=gettext_noop("Left prison with her mother"),
        )


@transaction.atomic
def move_child_out(
    user: User,
    child: Child,
    move_date: date,
    caregiver_relationship: str,
    caregiver_name: str = "",
    caregiver_location: str = "",
    caregiver_contact: str = "",
    note: str = "",
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Placement:
    """A child leaves prison to live with a named caregiver outside."""
    require_register_edit(user)
    today = clock.today(today)
    child = locked_current(Child.objects, child.pk, version)
    current = child.placements.filter(end_date__isnull=True).order_by("-start_date").first()
    is_in_prison = current is not None and current.kind == PlacementKind.IN_PRISON
    errors = rules.move_out_errors(
        move_date, current.start_date if current else None, is_in_prison, today
    )
    if not caregiver_relationship:
        errors["caregiver_relationship"] = _("Say who will look after the child.")
    if not caregiver_name.strip() and caregiver_relationship not in (
        CaregiverRelationship.NGO_CENTRE,
        CaregiverRelationship.STATE_INSTITUTION,
    ):
        errors["caregiver_name"] = _("Name the person who will look after the child.")
    raise_errors(errors)
    assert current is not None
    current.end_date = move_date
    current.save(update_fields=["end_date"])
    placement = Placement.objects.create(
        child=child,
        kind=PlacementKind.WITH_CAREGIVER,
        caregiver_name=caregiver_name.strip(),
        caregiver_relationship=caregiver_relationship,
        caregiver_location=caregiver_location.strip(),
        caregiver_contact=caregiver_contact.strip(),
        start_date=move_date,
        note=note,
    )
    child.version += 1
    child.save(update_fields=["version"])
    audit.record(
        user,
        AuditAction.CHANGE,
        child,
        request=request,
        changes={
            "moved_out": {"date": move_date.isoformat(), "relationship": caregiver_relationship},
        },
    )
    return placement


# Corrections: what a record says, not what happened (a transfer, a legal status or a release
# has its own function above).

WOMAN_CORRECTABLE = frozenset(
    {
        "name",
        "name_latin",
        "register_number",
        "date_of_birth",
        "dob_is_estimated",
        "nationality",
        "ethnicity",
        "language",
        "is_primary_carer",
        "is_sole_carer",
        "dependent_children",
        "has_serious_illness",
        "has_disability",
        "health_notes",
        "consent_scope",
    }
)
EPISODE_CORRECTABLE = frozenset(
    {"court", "case_number", "sentence_months", "expected_release_date", "offences"}
)

# The audit trail names every corrected field but keeps the old and new values of these only:
# the others identify her or describe her health or her case.
_WOMAN_VALUES_AUDITED = frozenset(
    {"dob_is_estimated", "is_primary_carer", "is_sole_carer", "dependent_children", "consent_scope"}
)
_EPISODE_VALUES_AUDITED = frozenset({"sentence_months", "expected_release_date"})

_TRIMMED = frozenset(
    {"name", "name_latin", "register_number", "ethnicity", "language", "court", "case_number"}
)


def _cleaned(changes: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    check_fields(changes, allowed)
    cleaned = {}
    for name, value in changes.items():
        if name in _TRIMMED and isinstance(value, str):
            value = value.strip()
        elif name == "nationality" and isinstance(value, str):
            value = value.strip().upper()
        cleaned[name] = value
    return cleaned


def birth_date_errors(woman: Woman, date_of_birth: date | None, today: date) -> rules.Errors:
    """A corrected date of birth must fit her whole record: a plausible age at each of her
    admissions, and born before each of her children."""
    errors: rules.Errors = {}
    rules.not_in_future("date_of_birth", date_of_birth, today, errors)
    if date_of_birth is None or errors:
        return errors
    admissions = woman.episodes.order_by("admission_date").values_list("admission_date", flat=True)
    for admitted in admissions:
        found = rules.admission_errors(date_of_birth, admitted, today)
        if "date_of_birth" in found:
            return {"date_of_birth": found["date_of_birth"]}
    births = woman.children.order_by("date_of_birth").values_list("date_of_birth", flat=True)
    for born in births:
        found = rules.child_birth_errors(date_of_birth, born, today)
        if "date_of_birth" in found:
            return {"date_of_birth": found["date_of_birth"]}
    return errors


def woman_correction_errors(woman: Woman, changed: dict[str, Any], today: date) -> rules.Errors:
    """Errors of the corrected fields (only those: an old record is not re-checked whole)."""
    errors: rules.Errors = {}
    if "name" in changed and not changed["name"]:
        errors["name"] = _("This field cannot be blank.")
    children = changed.get("dependent_children", 0)
    if not isinstance(children, int) or children < 0:
        errors["dependent_children"] = _("Enter a number of at least %(limit)s.") % {"limit": 0}
    if "consent_scope" in changed and changed["consent_scope"] not in ConsentScope.values:
        errors["consent_scope"] = _("This is not one of the allowed values.")
    if "date_of_birth" in changed:
        errors.update(birth_date_errors(woman, changed["date_of_birth"], today))
        if changed["date_of_birth"] is not None and "date_of_birth" not in errors:
            lists = _lists_of(woman)
            if changed["date_of_birth"] < lists.earliest_date:
                errors["date_of_birth"] = _("This date is before %(earliest)s: check it.") % {
                    "earliest": format_day(lists.earliest_date)
                }
    identity = {k: changed[k] for k in ("nationality", "ethnicity", "language") if k in changed}
    if identity:
        found = identity_errors(
            _lists_of(woman),
            identity.get("nationality", ""),
            identity.get("ethnicity", ""),
            identity.get("language", ""),
        )
        errors.update({k: v for k, v in found.items() if k in identity})
    return errors


def _lists_of(woman: Woman) -> reference.RegisterLists:
    jurisdiction = woman.organisation.jurisdiction
    return reference.register_lists(jurisdiction.code, jurisdiction.local_language)


@transaction.atomic
def update_woman(
    user: User,
    woman: Woman,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Woman:
    """Correct what her record says about her: the fields in `changes` (see
    `WOMAN_CORRECTABLE`), nothing else. `version` is the one the user read; if the record
    changed since, `StaleVersion` is raised and the first person's change stands."""
    require_register_edit(user, woman)
    new = _cleaned(changes, WOMAN_CORRECTABLE)
    today = clock.today(today)
    current = Woman.objects.get(pk=woman.pk)
    check_version(version, current.version)
    if new.get("is_sole_carer", current.is_sole_carer) and not new.get(
        "is_primary_carer", current.is_primary_carer
    ):
        # As at admission: the sole carer of her children is their primary carer too.
        new["is_primary_carer"] = True
    changed = {name: value for name, value in new.items() if getattr(current, name) != value}
    raise_errors(woman_correction_errors(current, changed, today))
    if not changed:
        return current
    # update() skips auto_now, so the time of the change is set here.
    save_if_current(Woman, current.pk, version, {**changed, "updated_at": timezone.now()})
    signals.register_changed.send(Woman, woman_ids=[current.pk])
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes=audited_change(current, changed, _WOMAN_VALUES_AUDITED),
    )
    updated = Woman.objects.get(pk=current.pk)
    if search.INDEXED & changed.keys():
        search.reindex([updated])
    return updated


def episode_correction_errors(episode: CustodyEpisode, changed: dict[str, Any]) -> rules.Errors:
    errors: rules.Errors = {}
    if "sentence_months" in changed:
        months = changed["sentence_months"]
        if months is None and episode.legal_status != LegalStatus.PRETRIAL:
            errors["sentence_months"] = _("Enter the sentence of a convicted woman.")
        elif months is not None and months < 1:
            errors["sentence_months"] = _("Enter a number of at least %(limit)s.") % {"limit": 1}
    expected = changed.get("expected_release_date")
    if expected is not None and expected < episode.admission_date:
        errors["expected_release_date"] = str(RELEASE_BEFORE_ADMISSION)
    return errors


@transaction.atomic
def update_episode(
    user: User,
    episode: CustodyEpisode,
    changes: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> CustodyEpisode:
    """Correct the details of a custody episode: court, case number, sentence, expected
    release and offences (`changes["offences"]` replaces her charges). Refused with
    `StaleVersion` if the episode changed after `version`, like `update_woman`."""
    require_register_edit(user)
    current = CustodyEpisode.objects.select_related("woman").get(pk=episode.pk)
    if not may_edit(user, current.woman):
        raise PermissionDenied(_("You may not change the register."))
    new = _cleaned(changes, EPISODE_CORRECTABLE)
    check_version(version, current.version)
    offences = new.pop("offences", None)
    changed = {name: value for name, value in new.items() if getattr(current, name) != value}
    charged = {c.offence_category_id: c for c in current.charges.select_related("offence_category")}
    if offences is not None:
        wanted = list(dict.fromkeys(offences))
        if {o.pk for o in wanted} != set(charged):
            changed["offences"] = wanted
    raise_errors(episode_correction_errors(current, changed))
    if not changed:
        return current
    save_if_current(
        CustodyEpisode,
        current.pk,
        version,
        {name: value for name, value in changed.items() if name != "offences"},
    )
    if "offences" in changed:
        # A charge that stays keeps its description; the others are replaced.
        wanted_ids = {o.pk for o in changed["offences"]}
        Charge.objects.filter(episode=current).exclude(offence_category_id__in=wanted_ids).delete()
        Charge.objects.bulk_create(
            [
                Charge(episode=current, offence_category=o)
                for o in changed["offences"]
                if o.pk not in charged
            ]
        )
    signals.register_changed.send(CustodyEpisode, woman_ids=[current.woman_id])
    audit.record(
        user,
        AuditAction.CHANGE,
        current.woman,
        request=request,
        changes={
            "episode": current.pk,
            **audited_change(current, changed, _EPISODE_VALUES_AUDITED),
        },
    )
    return CustodyEpisode.objects.get(pk=current.pk)


# A child's details and birth registration

CHILD_CORRECTABLE = frozenset(
    {
        "name",
        "name_latin",
        "sex",
        "date_of_birth",
        "dob_is_estimated",
        "born_in_custody",
        "birth_registered",
        "birth_registered_on",
        "birth_certificate_number",
    }
)
# The names and the certificate number identify the child: the audit names them only.
_CHILD_VALUES_AUDITED = frozenset(
    {"sex", "dob_is_estimated", "born_in_custody", "birth_registered", "birth_registered_on"}
)
_CHILD_TRIMMED = frozenset({"name", "name_latin", "birth_certificate_number"})


def child_correction_errors(child: Child, after: dict[str, Any], today: date) -> rules.Errors:
    """Errors of a child's record as it would be after the correction (`after` holds every
    correctable field): a birth that fits the mother's, a registration not before the
    birth nor ahead of today, and a registration date or number only for a registered
    birth."""
    errors: rules.Errors = {}
    born = after["date_of_birth"]
    if born is not None and born < DATE_FLOOR:
        errors["date_of_birth"] = _("Enter a date from %(date)s.") % {
            "date": format_day(DATE_FLOOR)
        }
    else:
        errors.update(rules.child_birth_errors(child.mother.date_of_birth, born, today))
    if after["sex"] not in Sex.values:
        errors["sex"] = _("This is not one of the allowed values.")
    registered_on = after["birth_registered_on"]
    if registered_on is not None:
        if not after["birth_registered"]:
            errors["birth_registered_on"] = _(
                "A date of registration needs the birth to be registered."
            )
        else:
            rules.not_in_future("birth_registered_on", registered_on, today, errors)
            if born is not None and "birth_registered_on" not in errors and registered_on < born:
                errors["birth_registered_on"] = _(
                    "The registration cannot be before the birth (%(date)s)."
                ) % {"date": format_day(born)}
    if after["birth_certificate_number"] and not after["birth_registered"]:
        errors["birth_certificate_number"] = _(
            "A certificate number needs the birth to be registered."
        )
    return errors


@transaction.atomic
def update_child(
    user: User,
    child: Child,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Child:
    """Correct a child's details or record the birth registration (`birth_registered`,
    `birth_registered_on`, `birth_certificate_number`): only the fields in `changes`
    (see `CHILD_CORRECTABLE`). `version` is the one the user read; if the record changed
    since, `StaleVersion` is raised and nothing is written. The worklist's deadlines of
    the mother are recomputed (a registration clears the child's item)."""
    require_register_edit(user)
    current = Child.objects.select_related("mother").get(pk=child.pk)
    if not may_edit(user, current.mother):
        raise PermissionDenied(_("You may not change the register."))
    check_fields(changes, CHILD_CORRECTABLE)
    new = {
        name: value.strip() if name in _CHILD_TRIMMED and isinstance(value, str) else value
        for name, value in changes.items()
    }
    today = clock.today(today)
    check_version(version, current.version)
    changed = {name: value for name, value in new.items() if getattr(current, name) != value}
    after = {name: changed.get(name, getattr(current, name)) for name in CHILD_CORRECTABLE}
    raise_errors(child_correction_errors(current, after, today))
    if not changed:
        return current
    corrected = correct(
        user,
        current,
        changed,
        allowed=CHILD_CORRECTABLE,
        version=version,
        shown=_CHILD_VALUES_AUDITED,
        request=request,
    )
    signals.register_changed.send(Child, woman_ids=[current.mother_id])
    return corrected


# Merging two records of one woman

# Rows derived from a record, rebuilt rather than moved: her index and match keys, the
# worklist's stored deadlines (recomputed for the record kept), and the merges themselves.
_NOT_MOVED = frozenset(
    {
        "people.Woman",
        "people.WomanSearchToken",
        "people.WomanMatchKey",
        "people.WomanMerge",
        "worklist.Deadline",
    }
)


def merge_errors(survivor: Woman, merged: Woman) -> rules.Errors:
    """Why two records cannot be merged as one woman, if they cannot."""
    if survivor.pk == merged.pk:
        return {"merged": _("Choose another record: a record cannot be merged into itself.")}
    if merged.merged_into_id is not None or survivor.merged_into_id is not None:
        return {"merged": _("This record was already merged into another.")}
    if survivor.organisation_id != merged.organisation_id:
        return {"merged": _("Only records of one organisation can be merged.")}
    periods = sorted(
        (e.admission_date, e.release_date or date.max, e.woman_id)
        for e in CustodyEpisode.objects.filter(woman__in=[survivor, merged])
    )
    # A few custodies per woman: every pair is compared.
    for start, end, one in periods:
        overlap = next(
            (s for s, e, other in periods if other != one and s >= start and s < end), None
        )
        if overlap is not None:
            next_start = overlap
            return {
                "merged": _(
                    "Both records have a custody on %(date)s: one woman cannot be in custody "
                    "twice. Correct the custodies first."
                )
                % {"date": format_day(next_start)}
            }
    return {}


@transaction.atomic
def merge_women(
    user: User,
    survivor: Woman,
    merged: Woman,
    *,
    survivor_version: int,
    merged_version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> WomanMerge:
    """Merge `merged` into `survivor`, two records of one woman (an administrator's work):
    her custodies, pregnancies, children, legal candidacies, visits, case studies and
    services move to the record kept; the merged record keeps its reference, which leads to
    the one kept, and a `WomanMerge` row says what moved, for review. Both versions are
    checked (`StaleVersion`), both records are audited."""
    if not can(user, Capability.ADMINISTER):
        raise PermissionDenied(_("Only an administrator may merge records."))
    if not (may_edit(user, survivor) and may_edit(user, merged)):
        raise PermissionDenied(_("You may not change the register."))
    reason = reason.strip()
    if not reason:
        raise_errors({"reason": _("Say why these two records are one woman.")})
    if len(reason) > 2000:
        raise_errors({"reason": _("At most %(limit)s characters.") % {"limit": 2000}})
    # Locked in a fixed order, so that two merges of the same pair cannot cross.
    locked = {
        w.pk: w for w in Woman.objects.select_for_update().filter(pk__in=[survivor.pk, merged.pk])
    }
    kept, gone = locked[survivor.pk], locked[merged.pk]
    check_version(survivor_version, kept.version)
    check_version(merged_version, gone.version)
    raise_errors(merge_errors(kept, gone))
    moved: dict[str, list[Any]] = {}
    try:
        with transaction.atomic():
            for relation in Woman._meta.get_fields(include_hidden=True):
                if not relation.auto_created or relation.concrete:
                    continue
                model: Any = relation.related_model
                label = model._meta.label
                if label in _NOT_MOVED:
                    continue
                if relation.many_to_many:
                    continue  # moved through its "through" table, listed separately
                name = cast(Any, relation).field.name
                if model._meta.auto_created:
                    # A "seen at this visit" row: where both records were seen, one stays.
                    other = next(
                        f.name
                        for f in model._meta.concrete_fields
                        if f.is_relation and f.name != name
                    )
                    model.objects.filter(
                        **{name: gone},
                        **{f"{other}__in": model.objects.filter(**{name: kept}).values(other)},
                    ).delete()
                rows = model.objects.filter(**{name: gone})
                ids = list(rows.values_list("pk", flat=True))
                if not ids:
                    continue
                if label == "people.Child":
                    moved[label] = list(rows.values_list("reference", flat=True))
                else:
                    moved[label] = ids
                model.objects.filter(pk__in=ids).update(**{name: kept})
    except IntegrityError:
        raise ValidationError(
            {
                "merged": [
                    _(
                        "Both records are candidates in the same pardon round: withdraw one "
                        "of them there first."
                    )
                ]
            }
        ) from None
    open_episode = gone.current_episode_id or kept.current_episode_id
    Woman.objects.filter(pk=gone.pk).update(
        merged_into=kept, current_episode=None, version=F("version") + 1
    )
    Woman.objects.filter(pk=kept.pk).update(
        current_episode_id=open_episode,
        dependent_children=max(kept.dependent_children, gone.dependent_children),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    gone.merged_into_id = kept.pk
    search.reindex([gone, kept])
    signals.register_changed.send(Woman, woman_ids=[kept.pk, gone.pk])
    merge = WomanMerge.objects.create(
        survivor=kept,
        merged=gone,
        reason=reason,
        moved=moved,
        merged_by=user if getattr(user, "is_authenticated", False) else None,
    )
    summary = {label: len(rows) for label, rows in moved.items()}
    audit.record(
        user,
        AuditAction.CHANGE,
        kept,
        request=request,
        changes={"merged_from": gone.reference, "moved": summary},
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        gone,
        request=request,
        changes={"merged_into": kept.reference, "moved": summary},
    )
    return merge


# The actions as their schemas declare them (`people.actions`): the API's bodies and the
# pages' forms hand these the same input, and a prison is named by its code in both.


def prison_coded(user: User, code: str, field: str) -> Prison:
    """A prison of the user's jurisdiction by code; an unknown code is the field's error."""
    try:
        return Prison.objects.get(
            code=code, province__jurisdiction__code=jurisdiction_of(user.organisation_id)
        )
    except Prison.DoesNotExist:
        raise ValidationError(
            {field: [_("There is no prison with the code %(code)s.") % {"code": code}]}
        ) from None


def transfer(
    user: User, episode: CustodyEpisode, action: TransferIn, *, request: HttpRequest | None
) -> Transfer:
    """`record_transfer` to the prison the action names by its code."""
    return record_transfer(
        user,
        episode,
        prison_coded(user, action.to_prison, "to_prison"),
        action.transfer_date,
        action.reason,
        version=action.version,
        request=request,
    )


def offences_coded(user: User, codes: list[str]) -> list[OffenceCategory]:
    """The offence categories of the user's jurisdiction by code, in the order given; an
    unknown code is the field's error."""
    wanted = list(dict.fromkeys(codes))
    found = {
        o.code: o
        for o in OffenceCategory.objects.filter(
            jurisdiction__code=jurisdiction_of(user.organisation_id), code__in=wanted
        )
    }
    unknown = [code for code in wanted if code not in found]
    if unknown:
        raise ValidationError(
            {"offences": [_("Unknown offence codes: %(codes)s.") % {"codes": ", ".join(unknown)}]}
        )
    return [found[code] for code in wanted]
