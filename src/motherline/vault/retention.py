"""The retention rule: identifying data is kept only as long as the work needs it.

A woman whose last custody ended more than N years before the day the rule is applied
(N = `--years`, else the deployment's MOTHERLINE_RETENTION_YEARS when it sets one, else the
`retention_years` of her organisation's jurisdiction, from its pack's `[privacy]`), who is
not in custody again, is pseudonymised:

- her name becomes her internal reference; her Latin name, register number and health notes
  are emptied; her date of birth is cut to 1 January of its year (marked estimated);
- her episodes' case numbers and release notes, and her pregnancies' notes, are emptied;
- each of her children's names becomes the child's reference, the Latin name is emptied
  and the date of birth is cut to the year; every caregiver's name, location, contact and
  note on the children's placements and transition plans, the plans' assessment and
  support notes, follow-up notes and leave-extension reasons are emptied; so are her
  children's caregivers' records (the name becomes the record's reference, the address and
  phone are emptied; the areas chosen stay) and the
  notes and reasons of their best-interests assessments (findings and decisions stay);
- the texts of her and her children's case notes are emptied (their dates, kinds and
  authors stay), and every document filed on her record is deleted with its file;
- her legal cases' lawyer names and case numbers, what happened at their hearings, and her
  pardon dossiers' arguments and notes are emptied (stages, results and dates stay);
- the case studies about her: who gave consent is emptied on every one, and one never
  published loses its text (its title becomes its reference). A published case study was
  anonymised and reviewed before publication and stays as published.

Visit notes and findings are about a prison on a day, not one woman: the rule does not
reach them (they are encrypted like everything above).

The rule never acts on a record whose dates are implausible (a date of birth, admission or
release before the floor, 1 January 1900 or a pack's later `date_floor`; a release before the
admission or after the day the rule is applied): such a woman is reported, by reference and
reason, for someone to correct her record; she is left as she is.

Everything the statistics count is kept: prisons, dates of admission, transfer and
release, legal statuses, offences, pregnancies and their outcomes, placements' kinds,
prisons and dates, children's sex and birth year. Each woman is audited (without values).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.bounds import DATE_FLOOR
from motherline.care.models import (
    AssessmentAnswer,
    BestInterestsAssessment,
    Caregiver,
    FollowUp,
    LeaveExtension,
    TransitionPlan,
)
from motherline.casework.models import CaseNote, Document
from motherline.core.actors import SystemActor
from motherline.fieldwork.models import CaseStatus, CaseStudy
from motherline.legal.models import Hearing, LegalCase, ReleaseCandidate
from motherline.people import search
from motherline.people.models import (
    Child,
    CustodyEpisode,
    Placement,
    Pregnancy,
    Woman,
)
from motherline.people.signals import register_changed
from motherline.vault import files

CARE_PLAN_CLEARED = {
    "caregiver_name": "",
    "caregiver_location": "",
    "caregiver_contact": "",
    "assessment_notes": "",
    "support_notes": "",
}
PLACEMENT_CLEARED = {
    "caregiver_name": "",
    "caregiver_location": "",
    "caregiver_contact": "",
    "note": "",
}


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# Who the audit trail says pseudonymised a record: the rule, whether a job or the command ran it.
RETENTION = SystemActor("retention")

FALLBACK_YEARS = 10  # for a jurisdiction loaded before packs stated their period


def default_years(jurisdiction_id: int | None = None) -> int:
    """The period for a jurisdiction (the default one if none is named): the deployment's
    MOTHERLINE_RETENTION_YEARS when set, else the pack's `retention_years`."""
    configured = int(getattr(settings, "MOTHERLINE_RETENTION_YEARS", 0) or 0)
    if configured:
        return configured
    from motherline.jurisdictions import local
    from motherline.jurisdictions.models import Jurisdiction

    found = (
        Jurisdiction.objects.filter(pk=jurisdiction_id)
        if jurisdiction_id is not None
        else Jurisdiction.objects.filter(code=local.default_code())
    )
    return found.values_list("retention_years", flat=True).first() or FALLBACK_YEARS


def years_by_jurisdiction() -> dict[int, int]:
    """{jurisdiction id: its retention period}, each as `default_years` gives it."""
    from motherline.jurisdictions.models import Jurisdiction

    configured = int(getattr(settings, "MOTHERLINE_RETENTION_YEARS", 0) or 0)
    return {
        pk: configured or years or FALLBACK_YEARS
        for pk, years in Jurisdiction.objects.values_list("pk", "retention_years")
    }


def date_floor() -> date:
    """The floor of plausible dates: 1900, or the latest `date_floor` of a loaded pack when
    packs carry one (the strictest floor holds back the most)."""
    from motherline.jurisdictions.models import Jurisdiction

    if not any(f.name == "date_floor" for f in Jurisdiction._meta.get_fields()):
        return DATE_FLOOR
    # Looked up by name: the field comes with the packs' floors (django-stubs cannot know).
    name = "date_floor"
    floors = Jurisdiction.objects.exclude(**{name: None}).values_list(name, flat=True)
    return max([DATE_FLOOR, *floors])


def _implausible_episode(as_of: date, floor: date) -> QuerySet[CustodyEpisode]:
    return CustodyEpisode.objects.filter(woman=OuterRef("pk")).filter(
        Q(admission_date__lt=floor)
        | Q(release_date__lt=floor)
        | Q(release_date__lt=F("admission_date"))
        | Q(release_date__gt=as_of)
        | Q(admission_date__gt=as_of)
    )


def _released_before(as_of: date, years: int | None) -> Q:
    """Her last release is more than `years` years before `as_of`; with no `years`, more
    than her organisation's jurisdiction's period."""
    if years is not None:
        return Q(last_release__lt=years_before(as_of, years))
    by_jurisdiction = Q(pk__in=[])
    for jurisdiction_id, period in years_by_jurisdiction().items():
        by_jurisdiction |= Q(
            organisation__jurisdiction_id=jurisdiction_id,
            last_release__lt=years_before(as_of, period),
        )
    return by_jurisdiction


def _candidates(as_of: date, years: int | None) -> QuerySet[Woman]:
    """Released more than `years` years (or her jurisdiction's period) before `as_of`, not
    in custody, not yet pseudonymised."""
    open_episode = CustodyEpisode.objects.filter(woman=OuterRef("pk"), release_date__isnull=True)
    return (
        Woman.objects.filter(pseudonymised_on__isnull=True)
        .exclude(Exists(open_episode))
        .annotate(last_release=Max("episodes__release_date"))
        .filter(_released_before(as_of, years))
        .order_by("pk")
    )


def _implausible(as_of: date) -> Any:
    floor = date_floor()
    return (
        Q(date_of_birth__lt=floor)
        | Q(date_of_birth__gt=as_of)
        | Exists(_implausible_episode(as_of, floor))
    )


def due(as_of: date, years: int | None = None) -> QuerySet[Woman]:
    """Women the rule applies to on `as_of`: the candidates whose dates are plausible."""
    return _candidates(as_of, years).exclude(_implausible(as_of))


def held_back(as_of: date, years: int | None = None) -> list[tuple[str, str]]:
    """The candidates the rule leaves alone because a date is implausible: (reference,
    which date and why), for someone to correct the record."""
    floor = date_floor()
    found = []
    women = _candidates(as_of, years).filter(_implausible(as_of)).prefetch_related("episodes")
    for woman in women.only("pk", "reference", "date_of_birth"):
        reasons = []
        born = woman.date_of_birth
        if born is not None and (born < floor or born > as_of):
            reasons.append(f"date of birth {born.isoformat()}")
        for episode in woman.episodes.all():
            admitted, left = episode.admission_date, episode.release_date
            if admitted < floor or admitted > as_of:
                reasons.append(f"admission {admitted.isoformat()}")
            if left is not None and (left < floor or left > as_of or left < admitted):
                reasons.append(f"release {left.isoformat()}")
        why = ", ".join(reasons) or "an implausible date"
        found.append((woman.reference, f"{why} (before {floor.isoformat()} or after {as_of})"))
    return found


@dataclass
class RetentionResult:
    women: int = 0
    children: int = 0
    # Women not touched because a date is implausible: (reference, reason).
    held_back: list[tuple[str, str]] = field(default_factory=list)


def _year_only(day: date | None) -> date | None:
    return day.replace(month=1, day=1) if day else day


@transaction.atomic
def pseudonymise(woman: Woman, as_of: date, years: int) -> int:
    """Replace one woman's identifying data (and her children's); returns her children."""
    Woman.objects.filter(pk=woman.pk).update(
        name=woman.reference,
        name_latin="",
        register_number="",
        health_notes="",
        date_of_birth=_year_only(woman.date_of_birth),
        dob_is_estimated=woman.dob_is_estimated or woman.date_of_birth is not None,
        pseudonymised_on=as_of,
    )
    CustodyEpisode.objects.filter(woman=woman).update(case_number="", release_note="")
    Pregnancy.objects.filter(woman=woman).update(note="")
    children = list(Child.objects.filter(mother=woman).only("pk", "reference", "date_of_birth"))
    for child in children:
        Child.objects.filter(pk=child.pk).update(
            name=child.reference,
            name_latin="",
            date_of_birth=_year_only(child.date_of_birth),
            dob_is_estimated=True,
        )
    Placement.objects.filter(child__mother=woman).update(**PLACEMENT_CLEARED)
    TransitionPlan.objects.filter(child__mother=woman).update(**CARE_PLAN_CLEARED)
    for caregiver in Caregiver.objects.filter(woman=woman).only("pk"):
        # Like a child's name, the caregiver's becomes the record's reference.
        Caregiver.objects.filter(pk=caregiver.pk).update(
            name=caregiver.reference, address="", phone=""
        )
    BestInterestsAssessment.objects.filter(plan__child__mother=woman).update(
        reasons="", decision_notes=""
    )
    AssessmentAnswer.objects.filter(assessment__plan__child__mother=woman).update(notes="")
    FollowUp.objects.filter(plan__child__mother=woman).update(notes="")
    LeaveExtension.objects.filter(child__mother=woman).update(reason="")
    CaseNote.objects.filter(woman=woman).update(text="")
    LegalCase.objects.filter(episode__woman=woman).update(lawyer_name="", case_number="")
    Hearing.objects.filter(case__episode__woman=woman).update(what_happened="")
    ReleaseCandidate.objects.filter(woman=woman).update(argument="", note="")
    studies = CaseStudy.objects.filter(woman=woman)
    studies.update(consent_given_by="")
    for study in studies.exclude(status=CaseStatus.PUBLISHED).only("pk"):
        CaseStudy.objects.filter(pk=study.pk).update(
            title_en=study.reference, title_local="", narrative_en="", narrative_local=""
        )
    documents = list(Document.objects.filter(woman=woman).values_list("stored_as", flat=True))
    Document.objects.filter(woman=woman).delete()

    # The files go once the deletion is committed: a rollback keeps them with their rows.
    def delete_files() -> None:
        for name in documents:
            files.delete(name)

    transaction.on_commit(delete_files)
    search.reindex(Woman.objects.filter(pk=woman.pk))
    register_changed.send(Woman, woman_ids=[woman.pk])
    audit.record(
        RETENTION,
        AuditAction.CHANGE,
        woman,
        changes={
            "pseudonymised": True,
            "rule": f"released more than {years} years before {as_of.isoformat()}",
            "children": [c.reference for c in children],
            "documents_deleted": len(documents),
        },
    )
    return len(children)


def apply(as_of: date, years: int | None = None, *, dry_run: bool = False) -> RetentionResult:
    """Apply the rule (with `years`, or each jurisdiction's period); with `dry_run`, only
    count whom it would touch."""
    women = due(as_of, years)
    periods = years_by_jurisdiction() if years is None else {}
    result = RetentionResult(held_back=held_back(as_of, years))
    if dry_run:
        result.women = women.count()
        result.children = Child.objects.filter(mother__in=women.values("pk")).count()
        return result
    fields = ("pk", "reference", "date_of_birth", "dob_is_estimated", "organisation__jurisdiction")
    for woman in women.select_related("organisation").only(*fields):
        period = years if years is not None else periods[woman.organisation.jurisdiction_id]
        result.children += pseudonymise(woman, as_of, period)
        result.women += 1
    return result
