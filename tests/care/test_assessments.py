"""Best-interests assessments: answered from the pack's questions, approved by a programme
manager of the child's organisation, and required before the plan's hand-over step."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent, Role, User
from motherline.care import family, services
from motherline.care.models import AssessmentStatus, BestInterestsAssessment
from motherline.core.versions import StaleVersion
from motherline.people.models import PlacementKind
from tests.care.conftest import (
    OPENED,
    TODAY,
    advance,
    approve_handover,
    plan_at,
    record_caregiver,
)
from tests.factories import admit, child_in_prison, children_of, current_version


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


@pytest.fixture
def plan(monitor, child):
    return plan_at(monitor, child, "assessed")


@pytest.fixture
def grandmother(monitor, child):
    return record_caregiver(monitor, child)


def answers(questions, finding="meets_needs", notes=""):
    return {q.code: (finding, notes) for q in questions}


def record(user, plan, caregiver, questions, **values):
    fields = {
        "assessed_on": TODAY,
        "recommendation": "hand_over",
        "answers": answers(questions),
        **values,
    }
    return family.record_assessment(user, plan, caregiver=caregiver, today=TODAY, **fields)


def decide(user, assessment, approve=True, notes=""):
    return family.decide_assessment(
        user, assessment, approve=approve, notes=notes, version=current_version(assessment)
    )


def test_an_assessment_answers_every_question_and_waits_for_approval(
    monitor, plan, grandmother, questions
):
    given = {
        "caregiver_capacity": ("meets_needs", ""),
        "home_visit": ("concern", "The roof leaks over the sleeping mat"),
        "child_views": ("not_assessed", "The child is two: too young to be asked"),
    }
    assessment = record(
        monitor,
        plan,
        grandmother,
        questions,
        answers=given,
        recommendation="with_support",
        reasons="A new roof before the rains",
    )
    assert assessment.status == AssessmentStatus.RECORDED
    assert not assessment.allows_handover
    stored = {a.question.code: (a.finding, a.notes) for a in assessment.answers.all()}
    assert stored == given
    event = AuditEvent.objects.get(
        action=AuditAction.CREATE, object_type="care.BestInterestsAssessment"
    )
    assert event.changes["findings"] == {code: f for code, (f, _n) in given.items()}
    assert event.changes["caregiver"] == grandmother.reference
    assert "roof" not in str(event.changes)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"answers": {}}, "finding_home_visit", "what the assessment found"),
        (
            {
                "answers": {
                    "caregiver_capacity": ("concern", ""),
                    "home_visit": ("meets_needs", ""),
                    "child_views": ("meets_needs", ""),
                }
            },
            "notes_caregiver_capacity",
            "Say what was found",
        ),
        ({"answers": "one more"}, "finding_safety", "does not ask"),
        ({"recommendation": "maybe"}, "recommendation", "Choose a recommendation"),
        ({"recommendation": "do_not_hand_over"}, "reasons", "Say why"),
        ({"assessed_on": TODAY + timedelta(days=1)}, "assessed_on", "future"),
        ({"assessed_on": OPENED - timedelta(days=1)}, "assessed_on", "before the plan"),
        ({"assessed_on": None}, "assessed_on", "Enter the date"),
    ],
)
def test_an_assessment_is_checked(monitor, plan, grandmother, questions, values, field, message):
    if values.get("answers") == "one more":
        values = {"answers": {**answers(questions), "safety": ("meets_needs", "")}}
    with pytest.raises(ValidationError) as excinfo:
        record(monitor, plan, grandmother, questions, **values)
    assert message in errors_of(excinfo)[field][0]
    assert not BestInterestsAssessment.objects.exists()


def test_the_caregiver_assessed_is_the_childs_and_the_plans(monitor, plan, child, questions):
    other = admit(
        monitor,
        plan.child.mother.current_episode.current_prison,
        admission_date=TODAY - timedelta(days=30),
        children=[child_in_prison(TODAY - timedelta(days=300))],
    )
    stranger = record_caregiver(monitor, children_of(other)[0])
    with pytest.raises(ValidationError) as excinfo:
        record(monitor, plan, stranger, questions)
    assert "recorded for this child" in errors_of(excinfo)["caregiver"][0]
    grandmother = record_caregiver(monitor, child)
    aunt = record_caregiver(monitor, child, name="Aunt Srey", relationship="other_relative")
    plan.refresh_from_db()
    services.update_plan(monitor, plan, {"caregiver": grandmother}, version=plan.version)
    with pytest.raises(ValidationError) as excinfo:
        record(monitor, plan, aunt, questions)
    assert "plan names another caregiver" in errors_of(excinfo)["caregiver"][0]


def test_a_programme_manager_of_the_childs_organisation_approves(
    monitor, users, plan, grandmother, questions
):
    assessment = record(monitor, plan, grandmother, questions)
    for who in ("monitor", "legal_officer", "prison_liaison", "viewer", "un_monitor"):
        with pytest.raises(PermissionDenied):
            decide(users[who], assessment)
    partner_manager = User.objects.create_user(
        username="un_manager",
        organisation=users["un_monitor"].organisation,
        role=Role.PROGRAMME_MANAGER,
    )
    with pytest.raises(PermissionDenied):
        decide(partner_manager, assessment)
    approved = decide(users["programme_manager"], assessment, notes="Agreed")
    assert approved.status == AssessmentStatus.APPROVED
    assert (approved.decided_by, approved.decided_on) == (users["programme_manager"], TODAY)
    assert approved.allows_handover
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).latest("id")
    assert event.changes["status"] == ["recorded", "approved"]
    assert "Agreed" not in str(event.changes)
    # Decided once: a second decision is refused.
    with pytest.raises(ValidationError) as excinfo:
        decide(users["programme_manager"], approved, approve=False, notes="Changed my mind")
    assert "not waiting for approval" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_whoever_recorded_it_does_not_approve_it(users, plan, grandmother, questions):
    administrator = users["administrator"]  # may record and approve, but not both
    assessment = record(administrator, plan, grandmother, questions)
    with pytest.raises(ValidationError) as excinfo:
        decide(administrator, assessment)
    assert "another programme manager" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_a_returned_assessment_is_corrected_and_waits_again(
    monitor, users, plan, grandmother, questions
):
    manager = users["programme_manager"]
    assessment = record(monitor, plan, grandmother, questions)
    with pytest.raises(ValidationError) as excinfo:
        decide(manager, assessment, approve=False)
    assert "what must change" in errors_of(excinfo)["notes"][0]
    returned = decide(manager, assessment, approve=False, notes="Speak with the child first")
    assert returned.status == AssessmentStatus.RETURNED and not returned.allows_handover
    corrected = family.correct_assessment(
        monitor,
        returned,
        {"answers": {**answers(questions), "child_views": ("meets_needs", "Wants to go")}},
        version=returned.version,
        today=TODAY,
    )
    assert corrected.status == AssessmentStatus.RECORDED
    assert corrected.answers.get(question__code="child_views").notes == "Wants to go"
    with pytest.raises(StaleVersion):
        family.correct_assessment(
            monitor, corrected, {"recommendation": "with_support"}, version=returned.version
        )
    approved = decide(manager, corrected)
    with pytest.raises(ValidationError) as excinfo:
        family.correct_assessment(
            monitor, approved, {"reasons": "More"}, version=approved.version, today=TODAY
        )
    assert "record a new one" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


# The hand-over waits for an approved assessment


def handover(monitor, plan):
    return advance(monitor, plan, "handed_over", handed_over_on=TODAY)


def test_no_hand_over_without_an_approved_assessment(
    monitor, users, plan, child, grandmother, questions
):
    with pytest.raises(ValidationError) as excinfo:
        handover(monitor, plan)
    assert "before a best-interests assessment" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    assessment = record(monitor, plan, grandmother, questions)
    with pytest.raises(ValidationError) as excinfo:
        handover(monitor, plan)
    assert "waiting for a programme manager" in errors_of(excinfo)[NON_FIELD_ERRORS][0]
    decide(users["programme_manager"], assessment, approve=False, notes="Visit again")
    with pytest.raises(ValidationError):
        handover(monitor, plan)
    plan.refresh_from_db()
    assert plan.status == "assessed"
    assert child.placements.get(end_date__isnull=True).kind == PlacementKind.IN_PRISON


def test_an_approved_recommendation_against_the_hand_over_stops_it(monitor, plan, questions):
    approve_handover(monitor, plan, recommendation="do_not_hand_over")
    with pytest.raises(ValidationError) as excinfo:
        handover(monitor, plan)
    assert "recommends not handing the child over" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_the_child_goes_to_the_caregiver_approved(monitor, plan, child, gazetteer, questions):
    aunt = record_caregiver(
        monitor,
        child,
        name="Aunt Srey",
        relationship="other_relative",
        commune="080101",
        address="Phum Prek",
        phone="012 111 222",
    )
    approve_handover(monitor, plan, aunt, recommendation="with_support")
    plan = handover(monitor, plan)
    assert plan.status == "handed_over" and plan.caregiver == aunt
    placement = child.placements.get(end_date__isnull=True)
    assert placement.kind == PlacementKind.WITH_CAREGIVER
    assert (placement.caregiver_name, placement.caregiver_relationship) == (
        "Aunt Srey",
        "other_relative",
    )
    assert placement.caregiver_location == "Phum Prek, Ampov Prey, Kandal Stueng, Kandal"
    assert placement.caregiver_contact == "012 111 222"
    # After the hand-over no assessment is recorded: it is made before.
    with pytest.raises(ValidationError) as excinfo:
        record(monitor, plan, aunt, questions)
    assert "made before the hand-over" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_an_approval_of_another_caregiver_does_not_open_the_hand_over(
    monitor, plan, child, questions
):
    grandmother = record_caregiver(monitor, child)
    aunt = record_caregiver(monitor, child, name="Aunt Srey", relationship="other_relative")
    approve_handover(monitor, plan, aunt)
    plan.refresh_from_db()
    plan = services.update_plan(monitor, plan, {"caregiver": grandmother}, version=plan.version)
    # A new caregiver: the home is to be assessed again, and so is the child's interest.
    assert plan.status == "caregiver_identified"
    plan = advance(monitor, plan, "assessed", assessed_on=TODAY, home_is_suitable=True)
    with pytest.raises(ValidationError) as excinfo:
        handover(monitor, plan)
    assert "before a best-interests assessment" in errors_of(excinfo)[NON_FIELD_ERRORS][0]


def test_a_pack_without_questions_asks_for_the_recommendation_alone(monitor, plan, grandmother):
    assessment = record(monitor, plan, grandmother, [], answers={})
    assert not assessment.answers.exists()
    assert family.questions_for(plan.child.mother) == []
