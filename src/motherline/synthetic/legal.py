"""Synthetic legal work for the demo: a few legal cases with hearings, and one pardon round
with candidates chosen by the real screening. Deterministic from the seed and the date.

Written straight to the database like the rest of the synthetic data (no user made these
records); the candidates carry the screening's own snapshot of the criteria they meet.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Organisation
from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction, PardonOccasion
from motherline.legal import queries
from motherline.legal.models import (
    CaseStage,
    DossierStatus,
    Hearing,
    LegalCase,
    PardonRound,
    ReleaseCandidate,
)
from motherline.people.models import CustodyEpisode, LegalStatus, Woman
from motherline.places.models import Court
from motherline.synthetic.organisations import NGO_WOMEN, SYNTHETIC

CASES = 12
CANDIDATES = 6
STAGE_BY_STATUS: dict[str, CaseStage] = {
    LegalStatus.PRETRIAL: CaseStage.INVESTIGATION,
    LegalStatus.CONVICTED_FIRST_INSTANCE: CaseStage.APPEAL,
    LegalStatus.ON_APPEAL: CaseStage.APPEAL,
    LegalStatus.FINAL: CaseStage.ENFORCEMENT,
}
HAPPENED = (
    "Adjourned: the prosecutor asked for more time.",
    "Request for release under judicial supervision heard; decision reserved.",
    "Witnesses heard; the court set a date for judgment.",
    "The defence raised the length of pretrial detention.",
)
STRATEGIC = "Pretrial detention of a pregnant woman without consideration of non-custodial measures"


def _next_occasion(occasion: PardonOccasion, today: date) -> date:
    day = occasion.day or 14  # a lunar occasion: the round sets a likely day
    this_year = date(today.year, occasion.month, day)
    return (
        this_year
        if this_year > today + timedelta(days=45)
        else this_year.replace(year=today.year + 1)
    )


def _court(episode: CustodyEpisode) -> Court | None:
    """A court of the pack where her case would be heard: the last court the pack lists in
    the province of her prison (packs list the highest courts first, so the last is the court
    of first instance); None for a pack without courts."""
    if episode.current_prison is None:
        return None
    return (
        Court.objects.filter(province_id=episode.current_prison.province_id, is_active=True)
        .order_by("-position", "-code")
        .first()
    )


def generate_legal(seed: int, today: date, jurisdiction_code: str = "") -> dict[str, int]:
    """Cases, hearings and one round with candidates for the women of the legal-aid NGO."""
    rng = random.Random(seed * 7919 + 4)
    jurisdiction = Jurisdiction.objects.get(code=jurisdiction_code or local.default_code())
    organisation = Organisation.objects.get(name=NGO_WOMEN, jurisdiction=jurisdiction)
    women = list(
        Woman.objects.filter(organisation=organisation, current_episode__isnull=False)
        .select_related("current_episode")
        .order_by("reference")
    )
    hearings = 0
    for number, woman in enumerate(rng.sample(women, min(CASES, len(women)))):
        episode = woman.current_episode
        assert episode is not None
        opened = max(episode.admission_date, today - timedelta(days=rng.randint(30, 300)))
        strategic = number == 0
        case = LegalCase.objects.create(
            episode=episode,
            lawyer_name=f"Lawyer {chr(65 + number)}",
            lawyer_organisation=NGO_WOMEN,
            court=_court(episode),
            stage=STAGE_BY_STATUS.get(episode.legal_status, CaseStage.TRIAL),
            is_strategic=strategic,
            strategic_issue=STRATEGIC if strategic else "",
            opened_on=opened,
        )
        held = opened
        next_date = None
        for _ in range(rng.randint(0, 3)):
            held = held + timedelta(days=rng.randint(14, 60))
            if held > today:
                break
            next_date = held + timedelta(days=rng.randint(14, 90)) if rng.random() < 0.7 else None
            Hearing.objects.create(
                case=case, held_on=held, what_happened=rng.choice(HAPPENED), next_date=next_date
            )
            hearings += 1
        if next_date is None and rng.random() < 0.5:
            next_date = today + timedelta(days=rng.randint(3, 40))
        LegalCase.objects.filter(pk=case.pk).update(next_hearing_on=next_date)

    occasion = (
        PardonOccasion.objects.filter(jurisdiction=jurisdiction, code="khmer_new_year").first()
        or PardonOccasion.objects.filter(jurisdiction=jurisdiction).first()
    )
    occasion_date = _next_occasion(occasion, today) if occasion else today + timedelta(days=90)
    pardon_round = PardonRound.objects.create(
        jurisdiction=jurisdiction,
        organisation=organisation,
        occasion=occasion,
        title=f"{occasion.name if occasion else 'Pardon round'} {occasion_date.year}",
        occasion_date=occasion_date,
        submission_deadline=occasion_date - timedelta(days=30),
    )
    result = queries.screen_candidates(
        SYNTHETIC,
        pardon_round,
        today,
        women=Woman.objects.filter(organisation=organisation),
    )
    for priority, screening in enumerate(result.eligible[:CANDIDATES], start=1):
        ReleaseCandidate.objects.create(
            round=pardon_round,
            woman_id=screening.facts.woman_id,
            episode_id=screening.facts.episode_id,
            screened_on=today,
            score=screening.score,
            priority=priority,
            criteria_met=[f.as_dict() for f in screening.met],
            criteria_not_met=[f.as_dict() for f in screening.not_met],
            status=DossierStatus.SUBMITTED if priority <= 2 else DossierStatus.DRAFT,
            submitted_on=today if priority <= 2 else None,
        )
    made = {
        "legal_cases": min(CASES, len(women)),
        "hearings": hearings,
        "rounds": 1,
        "candidates": min(CANDIDATES, len(result.eligible)),
    }
    audit.record(
        SYNTHETIC,
        AuditAction.CREATE,
        object_type="synthetic data",
        object_ref=f"legal/{seed}",
        changes=made,
    )
    return made
