"""Every change of a child's family outside prison goes through here: caregivers (added to a
child, linked to another of her children, corrected) and best-interests assessments
(recorded, corrected, approved or returned by a programme manager). The pages and the API
call these functions, which check who may act and on what, validate with `care.rules`, write
in one transaction and append to the audit trail: a caregiver's name, address and phone and
every note are named as changed fields, never copied.

Errors are `ValidationError`s keyed by field, as in `care.services`; a change made on a
stale version raises `StaleVersion`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import (
    may_approve_for,
    require_register_edit,
)
from motherline.care import rules
from motherline.care.models import (
    AssessmentAnswer,
    AssessmentStatus,
    BestInterestsAssessment,
    Caregiver,
    CaregiverLink,
    PlanStatus,
    TransitionPlan,
)
from motherline.core import clock
from motherline.core.changes import check_fields, only, raise_errors
from motherline.core.inputs import NOTE_MAX
from motherline.core.versions import check_version, locked, save_if_current
from motherline.jurisdictions.models import BestInterestsQuestion, Jurisdiction
from motherline.people.models import CaregiverRelationship, Child, Woman
from motherline.people.rules import Errors
from motherline.places.models import Commune, District, Province

# What a correction of a caregiver may change (the relationship is the one to the child whose
# page the correction comes from).
CAREGIVER_CORRECTABLE = (
    "name",
    "relationship",
    "province",
    "district",
    "commune",
    "address",
    "phone",
)
PLACE_FIELDS = ("province", "district", "commune")
# Identifying or free text: named in the audit trail, never copied.
_NOT_COPIED = frozenset({"name", "address", "phone", "province", "district", "commune"})


def jurisdiction_of(woman: Woman) -> Jurisdiction | None:
    """The jurisdiction whose gazetteer and questions apply: her organisation's."""
    return Jurisdiction.objects.filter(organisations__id=woman.organisation_id).first()


def caregivers_of(child: Child) -> QuerySet[Caregiver]:
    """The caregivers linked to a child, with their places."""
    return (
        Caregiver.objects.filter(links__child=child)
        .select_related("province", "district", "commune")
        .order_by("id")
    )


# Places


@dataclass(frozen=True)
class Place:
    """An address's areas, each found in the gazetteer (None where not chosen)."""

    province: Province | None = None
    district: District | None = None
    commune: Commune | None = None

    @property
    def is_given(self) -> bool:
        return self.province is not None


def resolve_place(
    jurisdiction: Jurisdiction | None,
    province: str | None,
    district: str | None,
    commune: str | None,
) -> tuple[Place, Errors]:
    """The areas named by their codes in the jurisdiction's gazetteer: a district within the
    province given, a commune within the district given; the areas above a commune or a
    district are taken from it when not given. Errors name the code that was not found."""
    errors: Errors = {}
    found_province = found_district = found_commune = None
    if (province or district or commune) and jurisdiction is None:
        return Place(), {"province": _("No gazetteer is loaded for this organisation.")}
    if province:
        found_province = Province.objects.filter(jurisdiction=jurisdiction, code=province).first()
        if found_province is None:
            errors["province"] = _("Choose a province of the list.")
    if district and not errors:
        districts = District.objects.filter(province__jurisdiction=jurisdiction, code=district)
        if found_province is not None:
            districts = districts.filter(province=found_province)
        found_district = districts.select_related("province").first()
        if found_district is None:
            errors["district"] = _("Choose a district of the province chosen.")
    if commune and not errors:
        communes = Commune.objects.filter(
            district__province__jurisdiction=jurisdiction, code=commune
        )
        if found_district is not None:
            communes = communes.filter(district=found_district)
        elif found_province is not None:
            communes = communes.filter(district__province=found_province)
        matches = list(communes.select_related("district__province")[:2])
        if len(matches) != 1:
            errors["commune"] = (
                _("Choose a commune of the district chosen.")
                if not matches
                else _("Choose the district too: this code names several communes.")
            )
        else:
            found_commune = matches[0]
    if errors:
        return Place(), errors
    if found_commune is not None:
        found_district = found_commune.district
    if found_district is not None:
        found_province = found_district.province
    return Place(found_province, found_district, found_commune), {}


def place_codes(caregiver: Caregiver) -> dict[str, str | None]:
    """The caregiver's areas as the forms and the API name them: by code."""
    return {
        "province": caregiver.province.code if caregiver.province else None,
        "district": caregiver.district.code if caregiver.district else None,
        "commune": caregiver.commune.code if caregiver.commune else None,
    }


def _corrected_place(
    stored: dict[str, str | None], changes: Mapping[str, Any]
) -> dict[str, str | None]:
    """The area codes after a correction: those sent replace the stored ones, and the areas
    above the finest one sent are taken from it (a new commune brings its district and
    province) unless they are sent too."""
    sent = [name for name in PLACE_FIELDS if name in changes]
    if not sent:
        return stored
    codes = dict(stored)
    finest = max((PLACE_FIELDS.index(n) for n in sent if changes[n]), default=0)
    for name in PLACE_FIELDS[:finest]:
        if name not in changes:
            codes[name] = None
    codes.update({name: changes[name] or None for name in sent})
    return codes


def address_text(caregiver: Caregiver, limit: int = 255) -> str:
    """The caregiver's address in one line (what a placement records as free text)."""
    text = ", ".join(part for part in (caregiver.address, caregiver.place()) if part)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Caregivers


def _relationship_error(relationship: str) -> Errors:
    return rules.caregiver_errors(
        name="-",
        address="-",
        phone="",
        has_place=True,
        relationship=relationship,
        relationships=CaregiverRelationship.values,
    )


def _values_audited(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if name not in _NOT_COPIED}


@transaction.atomic
def add_caregiver(
    user: User,
    child: Child,
    *,
    name: str,
    relationship: str,
    province: str | None = None,
    district: str | None = None,
    commune: str | None = None,
    address: str = "",
    phone: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Caregiver:
    """Record a caregiver of a child: who, how related, where they live (areas of the
    gazetteer and the village, street and house in words) and a phone."""
    child = Child.objects.select_related("mother").get(pk=child.pk)
    woman = child.mother
    require_register_edit(user, woman)
    name, address, phone = (name or "").strip(), (address or "").strip(), (phone or "").strip()
    place, errors = resolve_place(jurisdiction_of(woman), province, district, commune)
    errors.update(
        rules.caregiver_errors(
            name=name,
            address=address,
            phone=phone,
            has_place=place.is_given or bool(errors),
            relationship=relationship,
            relationships=CaregiverRelationship.values,
        )
    )
    raise_errors(errors)
    caregiver = Caregiver.objects.create(
        woman=woman,
        name=name,
        province=place.province,
        district=place.district,
        commune=place.commune,
        address=address,
        phone=phone,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    CaregiverLink.objects.create(
        caregiver=caregiver,
        child=child,
        relationship=relationship,
        linked_on=clock.today(today),
        linked_by=caregiver.created_by,
    )
    given = [n for n, v in (("name", name), ("address", address), ("phone", phone)) if v]
    given += [n for n in PLACE_FIELDS if getattr(place, n) is not None]
    audit.record(
        user,
        AuditAction.CREATE,
        caregiver,
        request=request,
        changes={
            "woman": woman.reference,
            "child": child.reference,
            "relationship": relationship,
            "fields": sorted(given),
        },
    )
    return caregiver


@transaction.atomic
def link_caregiver(
    user: User,
    child: Child,
    caregiver: Caregiver,
    relationship: str,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CaregiverLink:
    """Record that a caregiver already recorded for one of her children cares for this one
    too (a grandmother who takes two of them)."""
    child = Child.objects.select_related("mother").get(pk=child.pk)
    require_register_edit(user, child.mother)
    errors = _relationship_error(relationship)
    if caregiver.woman_id != child.mother_id:
        errors["caregiver"] = _("Choose a caregiver of her children.")
    elif CaregiverLink.objects.filter(caregiver=caregiver, child=child).exists():
        errors["caregiver"] = _("This caregiver is already recorded for this child.")
    raise_errors(errors)
    link = CaregiverLink.objects.create(
        caregiver=caregiver,
        child=child,
        relationship=relationship,
        linked_on=clock.today(today),
        linked_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        caregiver,
        request=request,
        changes={"linked_to": child.reference, "relationship": relationship},
    )
    return link


@transaction.atomic
def correct_caregiver(
    user: User,
    child: Child,
    caregiver: Caregiver,
    changes: Mapping[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> Caregiver:
    """Correct a caregiver's details (`CAREGIVER_CORRECTABLE`), and their relationship to
    `child`: only the fields given change, from the version the user read; the checks apply
    to the corrected whole. Areas are given by their codes (None clears one)."""
    cleaned = only(changes, CAREGIVER_CORRECTABLE)
    found = Caregiver.objects.select_related("woman", "province", "district", "commune")
    current = locked(found, caregiver.pk, of=("self",))
    require_register_edit(user, current.woman)
    link = CaregiverLink.objects.filter(caregiver=current, child=child).first()
    if link is None:
        raise PermissionDenied(_("This caregiver is not recorded for this child."))
    check_version(version, current.version)
    merged: dict[str, Any] = {
        "name": current.name,
        "address": current.address,
        "phone": current.phone,
        "relationship": link.relationship,
        **_corrected_place(place_codes(current), cleaned),
        **{k: "" if v is None else v for k, v in cleaned.items() if k not in PLACE_FIELDS},
    }
    place, errors = resolve_place(
        jurisdiction_of(current.woman), merged["province"], merged["district"], merged["commune"]
    )
    errors.update(
        rules.caregiver_errors(
            name=merged["name"],
            address=merged["address"],
            phone=merged["phone"],
            has_place=place.is_given or bool(errors),
            relationship=merged["relationship"],
            relationships=CaregiverRelationship.values,
        )
    )
    raise_errors(errors)
    values: dict[str, Any] = {
        "name": merged["name"],
        "address": merged["address"],
        "phone": merged["phone"],
        "province": place.province,
        "district": place.district,
        "commune": place.commune,
    }
    changed = sorted(name for name, value in values.items() if getattr(current, name) != value)
    relationship_changed = merged["relationship"] != link.relationship
    if not changed and not relationship_changed:
        return current
    # The link to the child is part of the record: a new relationship moves its version too.
    save_if_current(Caregiver, current.pk, version, {k: values[k] for k in changed})
    if relationship_changed:
        CaregiverLink.objects.filter(pk=link.pk).update(relationship=merged["relationship"])
        changed.append("relationship")
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "child": child.reference,
            "fields": sorted(changed),
            "values": (
                {"relationship": [link.relationship, merged["relationship"]]}
                if relationship_changed
                else {}
            ),
        },
    )
    return Caregiver.objects.select_related("province", "district", "commune").get(pk=current.pk)


# Best-interests assessments


def questions_for(woman: Woman) -> list[BestInterestsQuestion]:
    """The questions the pack of her organisation's jurisdiction asks, in their order."""
    return list(
        BestInterestsQuestion.objects.filter(
            jurisdiction__organisations__id=woman.organisation_id, is_active=True
        ).order_by("position", "code")
    )


def locked_plan(plan: TransitionPlan) -> TransitionPlan:
    """The plan re-read and locked (not its child's rows), with the child and mother its
    checks read; `care.services` changes plans through it too."""
    return locked(TransitionPlan.objects.select_related("child__mother"), plan.pk, of=("self",))


def _locked_assessment(assessment: BestInterestsAssessment) -> BestInterestsAssessment:
    found = BestInterestsAssessment.objects.select_related("plan__child__mother")
    return locked(found, assessment.pk, of=("self",))


def refuse_if_closed(plan: TransitionPlan) -> None:
    """A closed plan is not changed (`care.services` refuses it too)."""
    if plan.status == PlanStatus.CLOSED:
        raise_errors({NON_FIELD_ERRORS: _("This plan is closed: reopen it to change it.")})


def _plan_takes_assessments(plan: TransitionPlan) -> None:
    refuse_if_closed(plan)
    if rules.STEPS.index(plan.status) >= rules.STEPS.index(rules.HANDED_OVER):
        raise_errors(
            {
                NON_FIELD_ERRORS: _(
                    "The child was handed over: a best-interests assessment is made before "
                    "the hand-over."
                )
            }
        )


def _assessment_errors(
    plan: TransitionPlan,
    questions: list[BestInterestsQuestion],
    *,
    assessed_on: date | None,
    recommendation: str,
    reasons: str,
    answers: Mapping[str, tuple[str, str]],
    today: date,
) -> Errors:
    return rules.assessment_errors(
        assessed_on=assessed_on,
        recommendation=recommendation,
        reasons=reasons,
        answers=answers,
        questions=[q.code for q in questions],
        today=today,
        opened_on=plan.opened_on,
    )


def _write_answers(
    assessment: BestInterestsAssessment,
    questions: list[BestInterestsQuestion],
    answers: Mapping[str, tuple[str, str]],
) -> None:
    AssessmentAnswer.objects.filter(assessment=assessment).delete()
    AssessmentAnswer.objects.bulk_create(
        AssessmentAnswer(
            assessment=assessment,
            question=question,
            finding=answers[question.code][0],
            notes=answers[question.code][1].strip(),
        )
        for question in questions
    )


def _findings(answers: Mapping[str, tuple[str, str]]) -> dict[str, str]:
    # The findings are choices, kept in the trail; the notes are free text, named only.
    return {code: finding for code, (finding, _notes) in sorted(answers.items())}


@transaction.atomic
def record_assessment(
    user: User,
    plan: TransitionPlan,
    *,
    caregiver: Caregiver,
    assessed_on: date | None,
    recommendation: str,
    reasons: str = "",
    answers: Mapping[str, tuple[str, str]],
    today: date | None = None,
    request: HttpRequest | None = None,
) -> BestInterestsAssessment:
    """Record a best-interests assessment of handing the plan's child over to `caregiver`:
    a finding (and notes) for each question of the pack, keyed by the question's code, and a
    recommendation. It waits for a programme manager's approval (`decide_assessment`)."""
    current = locked_plan(plan)
    child = current.child
    require_register_edit(user, child.mother)
    _plan_takes_assessments(current)
    today = clock.today(today)
    questions = questions_for(child.mother)
    reasons = (reasons or "").strip()
    errors = _assessment_errors(
        current,
        questions,
        assessed_on=assessed_on,
        recommendation=recommendation,
        reasons=reasons,
        answers=answers,
        today=today,
    )
    if not CaregiverLink.objects.filter(caregiver=caregiver, child=child).exists():
        errors["caregiver"] = _("Choose a caregiver recorded for this child.")
    elif current.caregiver_id is not None and caregiver.pk != current.caregiver_id:
        errors["caregiver"] = _(
            "The plan names another caregiver: assess that one, or change the plan's caregiver."
        )
    raise_errors(errors)
    assert assessed_on is not None
    assessment = BestInterestsAssessment.objects.create(
        plan=current,
        caregiver=caregiver,
        assessed_on=assessed_on,
        recommendation=recommendation,
        reasons=reasons,
        assessed_by=user,
    )
    _write_answers(assessment, questions, answers)
    audit.record(
        user,
        AuditAction.CREATE,
        assessment,
        request=request,
        changes={
            "child": child.reference,
            "plan": current.pk,
            "caregiver": caregiver.reference,
            "assessed_on": assessed_on.isoformat(),
            "recommendation": recommendation,
            "findings": _findings(answers),
        },
    )
    return assessment


ASSESSMENT_CORRECTABLE = ("assessed_on", "recommendation", "reasons", "answers")


@transaction.atomic
def correct_assessment(
    user: User,
    assessment: BestInterestsAssessment,
    changes: Mapping[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> BestInterestsAssessment:
    """Correct an assessment not yet approved: its date, recommendation, reasons or answers
    (`answers` replaces them all). A returned assessment, corrected, waits for approval
    again; an approved one stands as it was approved (a new assessment replaces it)."""
    check_fields(changes, ASSESSMENT_CORRECTABLE)
    current = _locked_assessment(assessment)
    plan = current.plan
    require_register_edit(user, plan.child.mother)
    check_version(version, current.version)
    if current.status == AssessmentStatus.APPROVED:
        raise_errors(
            {
                NON_FIELD_ERRORS: _(
                    "This assessment was approved and stands as it was: record a new one."
                )
            }
        )
    _plan_takes_assessments(plan)
    today = clock.today(today)
    questions = questions_for(plan.child.mother)
    stored = {
        a.question.code: (a.finding, a.notes) for a in current.answers.select_related("question")
    }
    answers = dict(changes.get("answers", stored))
    values = {
        "assessed_on": changes.get("assessed_on", current.assessed_on),
        "recommendation": changes.get("recommendation", current.recommendation),
        "reasons": (changes.get("reasons", current.reasons) or "").strip(),
    }
    raise_errors(
        _assessment_errors(
            plan,
            questions,
            answers=answers,
            today=today,
            **values,
        )
    )
    changed = sorted(k for k, v in values.items() if getattr(current, k) != v)
    answers_changed = answers != stored
    if answers_changed:
        changed.append("answers")
    if not changed:
        return current
    returned = current.status == AssessmentStatus.RETURNED
    write = {k: values[k] for k in values if k in changed}
    if returned:
        write.update(status=AssessmentStatus.RECORDED, decided_by=None, decided_on=None)
    save_if_current(BestInterestsAssessment, current.pk, version, write)
    if answers_changed:
        _write_answers(current, questions, answers)
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "child": plan.child.reference,
            "fields": changed,
            "values": {
                name: [str(getattr(current, name)), str(values[name])]
                for name in ("assessed_on", "recommendation")
                if name in changed
            },
            **({"findings": _findings(answers)} if answers_changed else {}),
            **(
                {"status": [AssessmentStatus.RETURNED, AssessmentStatus.RECORDED]}
                if returned
                else {}
            ),
        },
    )
    return BestInterestsAssessment.objects.get(pk=current.pk)


@transaction.atomic
def decide_assessment(
    user: User,
    assessment: BestInterestsAssessment,
    *,
    approve: bool,
    notes: str = "",
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> BestInterestsAssessment:
    """A programme manager of the organisation that owns the child's record approves an
    assessment, or returns it for changes with the reason. Whoever recorded it does not
    decide on it. Approved with a recommendation to hand over, it lets the plan's hand-over
    step be recorded (`care.services.advance_plan`)."""
    current = _locked_assessment(assessment)
    woman = current.plan.child.mother
    if not may_approve_for(user, woman):
        raise PermissionDenied(
            _("Only a programme manager of the record's organisation may do this.")
        )
    check_version(version, current.version)
    notes = (notes or "").strip()
    errors: Errors = {}
    if current.status != AssessmentStatus.RECORDED:
        errors[NON_FIELD_ERRORS] = _("This assessment is not waiting for approval.")
    elif current.assessed_by_id == getattr(user, "pk", None):
        errors[NON_FIELD_ERRORS] = _(
            "You recorded this assessment: another programme manager decides on it."
        )
    if not approve and not notes:
        errors["notes"] = _("Say what must change before it can be approved.")
    elif len(notes) > NOTE_MAX or "\x00" in notes:
        errors["notes"] = _("At most %(max)s characters.") % {"max": NOTE_MAX}
    raise_errors(errors)
    status = AssessmentStatus.APPROVED if approve else AssessmentStatus.RETURNED
    save_if_current(
        BestInterestsAssessment,
        current.pk,
        version,
        {
            "status": status,
            "decided_by": user,
            "decided_on": clock.today(today),
            "decision_notes": notes,
        },
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "child": current.plan.child.reference,
            "status": [current.status, status],
            "fields": ["decision_notes"] if notes else [],
        },
    )
    return BestInterestsAssessment.objects.get(pk=current.pk)


def assessments_of(plan: TransitionPlan) -> QuerySet[BestInterestsAssessment]:
    """A plan's assessments, the latest first, with who made and decided them."""
    return (
        BestInterestsAssessment.objects.filter(plan=plan)
        .select_related("caregiver", "assessed_by", "decided_by")
        .order_by("-assessed_on", "-id")
    )


def handover_assessment(
    plan: TransitionPlan, caregiver: Caregiver | None
) -> tuple[BestInterestsAssessment | None, str]:
    """The approved assessment under which the plan's child may be handed over to
    `caregiver` (None: the plan names no record, and the child goes to the caregiver the
    assessment is about), or None and why the hand-over must wait."""
    found, why = rules.handover_assessment(
        caregiver.pk if caregiver is not None else None, list(assessments_of(plan))
    )
    return (found if isinstance(found, BestInterestsAssessment) else None), why
