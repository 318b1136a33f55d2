"""The demo preset comes with legal work: cases with hearings and one pardon round whose
candidates the real screening chose, the same for the same seed."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from motherline.jurisdictions.loader import load_pack
from motherline.legal.models import DossierStatus, Hearing, LegalCase, PardonRound
from motherline.people.models import Woman

TODAY = date(2026, 6, 15)


def test_demo_generation_makes_cases_and_a_round_with_candidates(db):
    load_pack("kh")
    call_command("generate", preset="demo", seed=3, today=TODAY.isoformat(), verbosity=0)
    assert LegalCase.objects.count() == 12
    assert LegalCase.objects.filter(is_strategic=True).count() == 1
    assert Hearing.objects.exists()
    assert all(h.held_on <= TODAY for h in Hearing.objects.all())
    (pardon_round,) = PardonRound.objects.all()
    assert pardon_round.occasion is not None and pardon_round.occasion_date > TODAY
    candidates = list(pardon_round.candidates.order_by("priority"))
    assert len(candidates) == 6
    assert [c.status for c in candidates[:3]] == [
        DossierStatus.SUBMITTED,
        DossierStatus.SUBMITTED,
        DossierStatus.DRAFT,
    ]
    assert all(c.criteria_met for c in candidates)
    assert all(c.episode.release_date is None for c in candidates)
    first = [(c.woman.reference, c.score) for c in candidates]
    assert sorted((s for _r, s in first), reverse=True) == [s for _r, s in first]
    assert Woman.objects.filter(pk__in=[c.woman_id for c in candidates]).count() == 6
