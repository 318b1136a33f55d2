"""Legal cases, pardon rounds and candidates through `legal.services`: the database state,
the audit trail and the refusals."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditEvent
from motherline.care import services as care_services
from motherline.care.models import CloseReason, PlanStatus, TransitionPlan
from motherline.core.versions import StaleVersion
from motherline.jurisdictions.models import ScreeningCriterion
from motherline.legal import queries, services
from motherline.legal.actions import StatusIn
from motherline.legal.models import DossierStatus, Hearing, LegalCase, ReleaseCandidate
from motherline.people import services as people_services
from motherline.people.models import PlacementKind, ReleaseReason
from tests.conftest import TODAY
from tests.factories import child_in_prison, child_outside, children_of, current_version, reload
from tests.legal.conftest import convicted_mother


def test_open_case_and_record_hearings_keeps_the_next_hearing(users, mother, courts):
    officer = users["legal_officer"]
    case = services.open_case(
        officer,
        mother,
        {"lawyer_name": "Lawyer Vann", "court": "KH-FI-12", "stage": "trial"},
        next_hearing_on=TODAY + timedelta(days=10),
    )
    assert case.episode_id == mother.current_episode_id
    assert case.next_hearing_on == TODAY + timedelta(days=10)
    services.record_hearing(
        officer, case, TODAY - timedelta(days=1), "Adjourned", TODAY + timedelta(days=30)
    )
    case.refresh_from_db()
    assert case.next_hearing_on == TODAY + timedelta(days=30)
    # An older hearing recorded late does not move the next date back.
    services.record_hearing(officer, case, TODAY - timedelta(days=20), "First hearing")
    case.refresh_from_db()
    assert case.next_hearing_on == TODAY + timedelta(days=30)
    services.record_hearing(officer, case, TODAY, "Judgment reserved")
    case.refresh_from_db()
    assert case.next_hearing_on is None
    assert Hearing.objects.filter(case=case).count() == 3
    event = AuditEvent.objects.filter(action="create", object_type__icontains="legal").last()
    assert event is not None and "Lawyer Vann" not in str(event.changes)


def test_case_refusals(users, mother):
    officer = users["legal_officer"]
    with pytest.raises(ValidationError) as error:
        services.open_case(officer, mother, {"is_strategic": True})
    assert "strategic_issue" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.open_case(users["other_monitor"], mother, {})
    case = services.open_case(officer, mother, {})
    with pytest.raises(ValidationError) as error:
        services.record_hearing(officer, case, TODAY + timedelta(days=1), "")
    assert set(error.value.message_dict) == {"held_on", "what_happened"}


def test_update_case_with_optimistic_locking(users, mother):
    officer = users["legal_officer"]
    case = services.open_case(officer, mother, {})
    saved = services.update_case(
        officer,
        case,
        {"is_strategic": True, "strategic_issue": "Pretrial detention of a pregnant woman"},
        version=case.version,
    )
    assert saved.is_strategic and saved.version == case.version + 1
    with pytest.raises(StaleVersion):
        services.update_case(officer, case, {"court": "Another"}, version=case.version)
    services.update_case(
        officer, saved, {"result": "released", "result_date": TODAY}, version=saved.version
    )
    assert LegalCase.objects.get(pk=case.pk).result == "released"


def make_round(user, **fields):
    values = {
        "title": "Khmer New Year 2027",
        "occasion_date": TODAY + timedelta(days=60),
        "submission_deadline": TODAY + timedelta(days=30),
        "decision_date": TODAY + timedelta(days=60),
    }
    values.update(fields)
    return services.create_round(user, **values)


def test_screening_lists_eligible_first_and_explains_ineligibility(
    users, mother, pregnant_pretrial
):
    result = queries.screen_candidates(users["legal_officer"], "pardon", TODAY)
    refs = [s.facts.reference for s in result.candidates]
    assert refs == [mother.reference, pregnant_pretrial.reference]
    first, second = result.candidates
    assert {f.code for f in first.met} == {"child_in_prison", "petty_non_violent"}
    assert first.is_eligible and first.score == 7
    assert not second.is_eligible
    assert "consider the pretrial remedy" in second.ineligible[0]
    pretrial = queries.screen_candidates(users["legal_officer"], "pretrial", TODAY)
    assert [s.facts.reference for s in pretrial.eligible] == [pregnant_pretrial.reference]


def test_screening_is_scoped(users, mother):
    assert queries.screen_candidates(users["other_monitor"], "pardon", TODAY).candidates == []
    assert queries.screen_candidates(users["analyst"], "pardon", TODAY).candidates == []


def test_screening_takes_a_constant_number_of_queries(
    users, prisons, offences, criteria, django_assert_max_num_queries
):
    for _ in range(6):
        convicted_mother(users["legal_officer"], prisons["CC2"], offences)
    with django_assert_max_num_queries(8):
        result = queries.screen_candidates(users["legal_officer"], "pardon", TODAY)
    assert len(result.candidates) == 6


def test_a_change_of_pack_weights_changes_the_ranking(users, prisons, offences, criteria):
    officer = users["legal_officer"]
    pregnant = convicted_mother(
        officer,
        prisons["CC2"],
        offences,
        children=[],
        offences=[offences["drugs"]],
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=30),
    )
    mother = convicted_mother(officer, prisons["CC2"], offences, offences=[offences["drugs"]])
    ScreeningCriterion.objects.filter(code="pregnant", remedy="pardon").update(weight=6)
    first = queries.screen_candidates(officer, "pardon", TODAY)
    assert [s.facts.reference for s in first.candidates] == [pregnant.reference, mother.reference]
    ScreeningCriterion.objects.filter(code="pregnant", remedy="pardon").update(weight=4)
    second = queries.screen_candidates(officer, "pardon", TODAY)
    assert [s.facts.reference for s in second.candidates] == [mother.reference, pregnant.reference]


def test_add_candidates_keeps_a_snapshot_and_refuses_the_ineligible(
    users, mother, pregnant_pretrial
):
    officer = users["legal_officer"]
    pardon_round = make_round(officer)
    with pytest.raises(ValidationError) as error:
        services.add_candidates(
            officer, pardon_round, [mother.reference, pregnant_pretrial.reference]
        )
    assert "pretrial remedy" in str(error.value)
    assert not ReleaseCandidate.objects.exists()
    (candidate,) = services.add_candidates(officer, pardon_round, [mother.reference])
    assert candidate.status == DossierStatus.DRAFT and candidate.priority == 1
    assert {c["code"] for c in candidate.criteria_met} == {"child_in_prison", "petty_non_violent"}
    assert candidate.criteria_met[0]["evidence"][0]["record"] in {"child", "charge"}
    with pytest.raises(ValidationError):
        services.add_candidates(officer, pardon_round, [mother.reference])
    # Another organisation's round: refused before anyone is screened.
    with pytest.raises(PermissionDenied):
        services.add_candidates(users["other_monitor"], pardon_round, [mother.reference])


def test_a_woman_released_between_screening_and_submission_cannot_be_submitted(users, mother):
    officer = users["legal_officer"]
    pardon_round = make_round(officer)
    (candidate,) = services.add_candidates(officer, pardon_round, [mother.reference])
    people_services.record_release(
        officer,
        mother.current_episode,
        TODAY - timedelta(days=1),
        ReleaseReason.END_OF_SENTENCE,
        version=current_version(mother.current_episode),
    )
    with pytest.raises(ValidationError) as error:
        services.change_status(
            officer, candidate, StatusIn(status="submitted", version=candidate.version)
        )
    assert "released on" in str(error.value)
    withdrawn = services.change_status(
        officer, candidate, StatusIn(status="withdrawn", version=candidate.version)
    )
    assert withdrawn.status == DossierStatus.WITHDRAWN


def test_a_grant_records_the_pardon_and_closes_the_childs_plan(users, mother):
    officer = users["legal_officer"]
    child = children_of(mother)[0]
    plan = care_services.open_plan(officer, child)
    decided = TODAY - timedelta(days=1)
    pardon_round = make_round(
        officer,
        occasion_date=decided,
        submission_deadline=TODAY - timedelta(days=20),
        decision_date=decided,
    )
    (candidate,) = services.add_candidates(officer, pardon_round, [mother.reference])
    with pytest.raises(ValidationError):
        services.change_status(
            officer, candidate, StatusIn(status="granted", version=candidate.version)
        )
    submitted = StatusIn(
        status="submitted", version=candidate.version, on=TODAY - timedelta(days=10)
    )
    candidate = services.change_status(officer, candidate, submitted)
    with pytest.raises(StaleVersion):
        services.change_status(
            officer, candidate, StatusIn(status="granted", version=candidate.version - 1)
        )
    candidate = services.change_status(
        officer, candidate, StatusIn(status="granted", version=candidate.version)
    )
    assert candidate.status == DossierStatus.GRANTED and candidate.decided_on == decided
    episode = reload(mother).episodes.get()
    assert episode.release_date == decided and episode.release_reason == "royal_pardon"
    plan = TransitionPlan.objects.get(pk=plan.pk)
    assert plan.status == PlanStatus.CLOSED and plan.close_reason == CloseReason.LEFT_WITH_MOTHER
    assert child.placements.get(end_date__isnull=True).kind == PlacementKind.WITH_CAREGIVER
    stats = queries.round_statistics(pardon_round, officer)
    assert (stats.granted, stats.women_released, stats.children_released) == (1, 1, 1)


def test_a_refusal_releases_nobody(users, mother):
    officer = users["legal_officer"]
    pardon_round = make_round(
        officer,
        occasion_date=TODAY,
        submission_deadline=TODAY - timedelta(days=20),
        decision_date=TODAY,
    )
    (candidate,) = services.add_candidates(officer, pardon_round, [mother.reference])
    candidate = services.change_status(
        officer, candidate, StatusIn(status="submitted", version=candidate.version)
    )
    candidate = services.change_status(
        officer, candidate, StatusIn(status="refused", version=candidate.version)
    )
    assert candidate.status == DossierStatus.REFUSED
    assert reload(mother).current_episode is not None
    stats = queries.round_statistics(pardon_round, officer)
    assert (stats.refused, stats.women_released, stats.children_released) == (1, 0, 0)


def test_round_refusals(users):
    with pytest.raises(PermissionDenied):
        make_round(users["analyst"])
    with pytest.raises(ValidationError) as error:
        make_round(users["legal_officer"], submission_deadline=TODAY + timedelta(days=90))
    assert "submission_deadline" in error.value.message_dict


def test_statistics_count_children_who_left_with_a_woman_pardoned_on_another_day(
    users, prisons, offences, criteria
):
    officer = users["legal_officer"]
    woman = convicted_mother(
        officer,
        prisons["CC2"],
        offences,
        children=[
            child_in_prison(date(2024, 5, 1)),
            child_in_prison(date(2025, 9, 1)),
            child_outside(date(2015, 1, 1)),
        ],
    )
    other = convicted_mother(officer, prisons["CC2"], offences)
    pardon_round = make_round(
        officer,
        occasion_date=TODAY,
        submission_deadline=TODAY - timedelta(days=20),
        decision_date=None,
    )
    made = services.add_candidates(officer, pardon_round, [woman.reference, other.reference])
    for candidate in made:
        submitted = StatusIn(
            status="submitted", version=candidate.version, on=TODAY - timedelta(days=15)
        )
        candidate = services.change_status(officer, candidate, submitted)
        if candidate.woman_id == woman.pk:
            granted = StatusIn(
                status="granted", version=candidate.version, on=TODAY - timedelta(days=3)
            )
            services.change_status(officer, candidate, granted)
    stats = queries.round_statistics(pardon_round, officer)
    assert (stats.granted, stats.submitted, stats.women_released) == (1, 1, 1)
    assert stats.children_released == 2
    assert reload(woman).episodes.get().release_date == TODAY - timedelta(days=3)
    # Another organisation sees none of it.
    assert queries.round_statistics(pardon_round, users["other_monitor"]).candidates == 0
