"""Every change to legal cases, pardon rounds and release candidates goes through here: the
pages, the API and the commands call these functions, which check access with
`accounts.policy`, write in one transaction and append to the audit trail (records are named
by reference; a lawyer's name and free text are named as changed fields, without values).

Errors are `ValidationError` with field -> messages; a change made on a stale version raises
`core.versions.StaleVersion`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import (
    organisation_id_of,
    require_register_edit,
)
from motherline.core import clock
from motherline.core.changes import only, plain, raise_errors
from motherline.core.versions import check_version, locked, save_if_current
from motherline.formatting import format_day
from motherline.jurisdictions.models import Jurisdiction, PardonOccasion
from motherline.legal import queries, rules
from motherline.legal.actions import StatusIn
from motherline.legal.models import (
    CaseResult,
    CaseStage,
    DossierStatus,
    Hearing,
    LegalCase,
    PardonRound,
    ReleaseCandidate,
)
from motherline.people import services as people_services
from motherline.people.models import CustodyEpisode, ReleaseReason, Woman
from motherline.places.models import Court
from motherline.records.correction import correct

CASE_FIELDS = frozenset(
    {
        "lawyer_name",
        "lawyer_organisation",
        "court",
        "case_number",
        "stage",
        "is_strategic",
        "strategic_issue",
        "result",
        "result_date",
    }
)
# Values kept in the audit trail; the others are named only (a lawyer's name, free text).
_CASE_VALUES_AUDITED = frozenset({"stage", "is_strategic", "result", "result_date", "court"})

# Where a dossier may go from each status.
TRANSITIONS: dict[str, frozenset[str]] = {
    DossierStatus.DRAFT: frozenset({DossierStatus.SUBMITTED, DossierStatus.WITHDRAWN}),
    DossierStatus.SUBMITTED: frozenset(
        {DossierStatus.GRANTED, DossierStatus.REFUSED, DossierStatus.WITHDRAWN}
    ),
    DossierStatus.GRANTED: frozenset(),
    DossierStatus.REFUSED: frozenset(),
    DossierStatus.WITHDRAWN: frozenset({DossierStatus.DRAFT}),
}


def _user_or_none(user: User) -> Any:
    return user if getattr(user, "is_authenticated", False) and getattr(user, "pk", None) else None


def _plain(value: Any) -> Any:
    # The trail names a court by its code (shown by its name).
    return value.code if isinstance(value, Court) else plain(value)


def _court(code: Any, woman: Woman, errors: dict[str, str], current: Court | None = None) -> Any:
    """The pack's court a case names by its code (None for none). A code the pack of her
    country does not list (or no longer lists, unless it is the case's court already) is
    refused on the field."""
    if isinstance(code, Court) or not code:
        return code or None
    if current is not None and current.code == code:
        return current
    found = Court.objects.filter(
        code=code,
        is_active=True,
        province__jurisdiction__organisations=woman.organisation_id,
    ).first()
    if found is None:
        errors["court"] = _("Choose one of the courts of the list.")
    return found


def _case_errors(values: dict[str, Any], today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get("stage") and values["stage"] not in CaseStage.values:
        errors["stage"] = _("This is not one of the allowed values.")
    if values.get("result", "") not in CaseResult.values:
        errors["result"] = _("This is not one of the allowed values.")
    if values.get("is_strategic") and not (values.get("strategic_issue") or "").strip():
        errors["strategic_issue"] = _("Say which issue the strategic litigation raises.")
    if values.get("result") and not values.get("result_date"):
        errors["result_date"] = _("Enter the date of the result.")
    if not values.get("result") and values.get("result_date"):
        errors["result_date"] = _("A result date needs a result.")
    if values.get("result_date") and values["result_date"] > today:
        errors["result_date"] = _("This date is in the future.")
    return errors


@transaction.atomic
def open_case(
    user: User,
    woman: Woman,
    values: dict[str, Any],
    *,
    next_hearing_on: date | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LegalCase:
    """Open a legal case for the woman's current custody episode (her last one if she is
    no longer in custody), with the first hearing's date when it is known."""
    require_register_edit(user, woman)
    today = clock.today(today)
    values = only(values, CASE_FIELDS, "set")
    episode = woman.current_episode or woman.episodes.order_by("-admission_date", "-id").first()
    errors = _case_errors(values, today)
    if "court" in values:
        values["court"] = _court(values["court"], woman, errors)
    if episode is None:
        errors[NON_FIELD_ERRORS] = _("She has no custody episode.")
    raise_errors(errors)
    assert episode is not None
    case = LegalCase.objects.create(
        episode=episode,
        opened_on=today,
        next_hearing_on=next_hearing_on,
        created_by=_user_or_none(user),
        **values,
    )
    audit.record(
        user,
        AuditAction.CREATE,
        case,
        request=request,
        changes={
            "woman": woman.reference,
            "fields": sorted(values),
            "values": {k: _plain(v) for k, v in values.items() if k in _CASE_VALUES_AUDITED},
        },
    )
    return case


def _locked_case(case: LegalCase) -> LegalCase:
    return locked(LegalCase.objects.select_related("episode__woman"), case.pk, of=("self",))


@transaction.atomic
def update_case(
    user: User,
    case: LegalCase,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> LegalCase:
    """Change a case's lawyer, court, stage, strategic flag or result, if nobody changed it
    since `version` was read."""
    changes = only(changes, CASE_FIELDS, "changed")
    current = _locked_case(case)
    require_register_edit(user, current.episode.woman)
    check_version(version, current.version)
    today = clock.today(today)
    if "court" in changes:
        errors: dict[str, str] = {}
        changes["court"] = _court(changes["court"], current.episode.woman, errors, current.court)
        raise_errors(errors)
    changed = {k: v for k, v in changes.items() if getattr(current, k) != v}
    if not changed:
        return current
    return correct(
        user,
        current,
        changed,
        allowed=CASE_FIELDS,
        version=version,
        errors_of=lambda merged: _case_errors(merged, today),
        shown=_CASE_VALUES_AUDITED,
        show=_plain,
        naming={"woman": current.episode.woman.reference},
        read=LegalCase.objects.select_related("episode__woman"),
        request=request,
    )


@transaction.atomic
def record_hearing(
    user: User,
    case: LegalCase,
    held_on: date | None,
    what_happened: str,
    next_date: date | None = None,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Hearing:
    """Record a hearing held: its date, what happened and the next date. The case's next
    hearing becomes the next date of its latest hearing (none: the case needs a next step)."""
    current = _locked_case(case)
    require_register_edit(user, current.episode.woman)
    today = clock.today(today)
    errors: dict[str, str] = {}
    what_happened = what_happened.strip()
    if held_on is None:
        errors["held_on"] = _("Enter the date of the hearing.")
    elif held_on > today:
        errors["held_on"] = _("This date is in the future.")
    elif held_on < current.episode.admission_date:
        errors["held_on"] = _("This is before her admission.")
    if not what_happened:
        errors["what_happened"] = _("Say what happened at the hearing.")
    if next_date is not None and held_on is not None and next_date <= held_on:
        errors["next_date"] = _("The next hearing comes after this one.")
    raise_errors(errors)
    assert held_on is not None
    hearing = Hearing.objects.create(
        case=current,
        held_on=held_on,
        what_happened=what_happened,
        next_date=next_date,
        created_by=_user_or_none(user),
    )
    latest = Hearing.objects.filter(case=current).order_by("-held_on", "-id").first()
    assert latest is not None
    LegalCase.objects.filter(pk=current.pk).update(
        next_hearing_on=latest.next_date, version=F("version") + 1
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "woman": current.episode.woman.reference,
            "hearing": {"held_on": held_on.isoformat(), "next_date": _plain(next_date)},
            "fields": ["what_happened"],
        },
    )
    return hearing


@transaction.atomic
def create_round(
    user: User,
    *,
    title: str,
    occasion_date: date | None,
    submission_deadline: date | None,
    decision_date: date | None = None,
    occasion: str | None = None,
    jurisdiction: Jurisdiction | None = None,
    request: HttpRequest | None = None,
) -> PardonRound:
    """Open a pardon round for an occasion of the pack's calendar (`occasion`: its code) or
    an ad hoc one."""
    require_register_edit(user)
    jurisdiction = jurisdiction or queries.jurisdiction_for(user)
    errors: dict[str, str] = {}
    found = None
    if occasion:
        found = PardonOccasion.objects.filter(jurisdiction=jurisdiction, code=occasion).first()
        if found is None:
            errors["occasion"] = _("This is not one of the allowed values.")
    title = title.strip() or (found.name if found else "")
    if not title:
        errors["title"] = _("Name the occasion.")
    if occasion_date is None:
        errors["occasion_date"] = _("Enter the date of the occasion.")
    if submission_deadline is None:
        errors["submission_deadline"] = _("Enter the submission deadline.")
    elif occasion_date and submission_deadline > occasion_date:
        errors["submission_deadline"] = _("The deadline comes before the occasion.")
    if decision_date and submission_deadline and decision_date < submission_deadline:
        errors["decision_date"] = _("The decision comes after the submission deadline.")
    raise_errors(errors)
    assert occasion_date is not None and submission_deadline is not None
    pardon_round = PardonRound.objects.create(
        jurisdiction=jurisdiction,
        organisation_id=organisation_id_of(user),
        occasion=found,
        title=title,
        occasion_date=occasion_date,
        submission_deadline=submission_deadline,
        decision_date=decision_date,
        created_by=_user_or_none(user),
    )
    audit.record(
        user,
        AuditAction.CREATE,
        pardon_round,
        request=request,
        changes={"title": title, "occasion_date": _plain(occasion_date)},
    )
    return pardon_round


@transaction.atomic
def add_candidates(
    user: User,
    pardon_round: PardonRound,
    references: list[str],
    *,
    as_of: date | None = None,
    request: HttpRequest | None = None,
) -> list[ReleaseCandidate]:
    """Put women forward in a round: each is screened now and kept with the criteria she
    meets (a snapshot the dossier argues from). A woman outside the user's editable scope,
    not in custody, ineligible for a pardon or meeting no criterion is refused, with the
    reason; nothing is written if any is refused."""
    require_register_edit(user)
    if not queries.rounds_for(user, for_edit=True).filter(pk=pardon_round.pk).exists():
        raise PermissionDenied(_("Only the organisation that opened a round adds candidates."))
    as_of = clock.today(as_of)
    references = sorted(set(references))
    if not references:
        raise_errors({"references": _("Choose at least one woman.")})
    editable = Woman.objects.editable_by(user).filter(reference__in=references)
    result = queries.screen_candidates(user, pardon_round, as_of, women=editable)
    found = {s.facts.reference: s for s in result.candidates}
    errors: list[str] = []
    for reference in references:
        screening = found.get(reference)
        if screening is None:
            errors.append(
                _("%(ref)s: not in custody in your scope, or meets no criterion.")
                % {"ref": reference}
            )
        elif not screening.is_eligible:
            errors.append(f"{reference}: {' '.join(screening.ineligible)}")
        elif screening.facts.woman_id in result.in_round:
            errors.append(_("%(ref)s is already in this round.") % {"ref": reference})
    if errors:
        raise ValidationError({"references": errors})
    last = (
        ReleaseCandidate.objects.filter(round=pardon_round)
        .order_by("-priority")
        .values_list("priority", flat=True)
        .first()
        or 0
    )
    made = []
    for offset, screening in enumerate(
        sorted((found[r] for r in references), key=rules.rank_key), start=1
    ):
        candidate = ReleaseCandidate.objects.create(
            round=pardon_round,
            woman_id=screening.facts.woman_id,
            episode_id=screening.facts.episode_id,
            screened_on=as_of,
            score=screening.score,
            priority=last + offset,
            criteria_met=[f.as_dict() for f in screening.met],
            criteria_not_met=[f.as_dict() for f in screening.not_met],
            created_by=_user_or_none(user),
        )
        audit.record(
            user,
            AuditAction.CREATE,
            candidate,
            request=request,
            changes={
                "round": pardon_round.pk,
                "woman": screening.facts.reference,
                "score": screening.score,
                "criteria_met": [f.code for f in screening.met],
            },
        )
        made.append(candidate)
    return made


def _locked_candidate(candidate: ReleaseCandidate) -> ReleaseCandidate:
    found = ReleaseCandidate.objects.select_related("woman", "episode", "round")
    return locked(found, candidate.pk, of=("self",))


@transaction.atomic
def update_candidate(
    user: User,
    candidate: ReleaseCandidate,
    *,
    version: int,
    argument: str | None = None,
    priority: int | None = None,
    note: str | None = None,
    request: HttpRequest | None = None,
) -> ReleaseCandidate:
    """Edit a dossier's argument, priority or note while it is a draft or submitted."""
    current = _locked_candidate(candidate)
    require_register_edit(user, current.woman)
    check_version(version, current.version)
    if current.status not in (DossierStatus.DRAFT, DossierStatus.SUBMITTED):
        raise_errors(
            {NON_FIELD_ERRORS: _("The decision is recorded: the dossier can no longer change.")}
        )
    values: dict[str, Any] = {}
    if argument is not None and argument.strip() != current.argument:
        values["argument"] = argument.strip()
    if priority is not None and priority != current.priority:
        if priority < 1:
            raise_errors({"priority": _("Enter a number of at least 1.")})
        values["priority"] = priority
    if note is not None and note.strip() != current.note:
        values["note"] = note.strip()
    if not values:
        return current
    save_if_current(ReleaseCandidate, current.pk, version, values)
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={"woman": current.woman.reference, "fields": sorted(values)},
    )
    return ReleaseCandidate.objects.select_related("woman", "episode", "round").get(pk=current.pk)


@transaction.atomic
def change_status(
    user: User,
    candidate: ReleaseCandidate,
    step: StatusIn,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ReleaseCandidate:
    """Move a dossier on: submitted, then granted or refused (or withdrawn).

    A dossier is submitted only while she is still held in the episode she was screened in
    (a woman released since is withdrawn, not submitted). A grant records her release
    through `people.services.record_release` with the reason "royal pardon" on the round's
    decision date (or `on`): her children living in prison leave with her, and the care
    app closes their transition plans (`people.signals.released`).
    """
    new_status, version, on, note = str(step.status), step.version, step.on, step.note
    current = _locked_candidate(candidate)
    require_register_edit(user, current.woman)
    check_version(version, current.version)
    today = clock.today(today)
    if new_status not in TRANSITIONS.get(current.status, frozenset()):
        raise_errors(
            {
                "status": _("A dossier that is %(from)s cannot become %(to)s.")
                % {
                    "from": DossierStatus(current.status).label,
                    "to": DossierStatus(new_status).label
                    if new_status in DossierStatus.values
                    else new_status,
                }
            }
        )
    episode = CustodyEpisode.objects.get(pk=current.episode_id)
    values: dict[str, Any] = {"status": new_status}
    if note.strip():
        values["note"] = note.strip()
    if new_status == DossierStatus.SUBMITTED:
        if not episode.is_open:
            raise_errors(
                {
                    NON_FIELD_ERRORS: _(
                        "She was released on %(date)s, after she was screened: withdraw the "
                        "dossier instead."
                    )
                    % {"date": format_day(episode.release_date)}
                }
            )
        values["submitted_on"] = on or today
    elif new_status in (DossierStatus.GRANTED, DossierStatus.REFUSED):
        decided = on or current.round.decision_date
        if decided is None:
            raise_errors({"on": _("Enter the date of the decision.")})
        assert decided is not None
        if decided > today:
            raise_errors({"on": _("This date is in the future.")})
        if current.submitted_on and decided < current.submitted_on:
            raise_errors({"on": _("The decision comes after the submission.")})
        values["decided_on"] = decided
        if new_status == DossierStatus.GRANTED:
            if not episode.is_open:
                raise_errors({NON_FIELD_ERRORS: _("She is no longer in custody.")})
            people_services.record_release(
                user,
                episode,
                decided,
                ReleaseReason.ROYAL_PARDON,
                _("Pardon granted in the round “%(round)s”.") % {"round": current.round.title},
                # A consequence of the dossier's change (checked against the dossier's
                # version): her custody as it stands in this transaction.
                version=CustodyEpisode.objects.values_list("version", flat=True).get(pk=episode.pk),
                today=today,
                request=request,
            )
    save_if_current(ReleaseCandidate, current.pk, version, values)
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        request=request,
        changes={
            "woman": current.woman.reference,
            "status": [current.status, new_status],
            **{k: _plain(v) for k, v in values.items() if k in ("submitted_on", "decided_on")},
        },
    )
    return ReleaseCandidate.objects.select_related("woman", "episode", "round").get(pk=current.pk)
