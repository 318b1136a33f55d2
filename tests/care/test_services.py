"""The transition-plan services: what each step needs and writes, what is refused, the
audit trail, and how plans follow the mother's transfer and release."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care import services
from motherline.care.models import FollowUp, LeaveExtension, TransitionPlan
from motherline.core.versions import StaleVersion
from motherline.jurisdictions.models import AgeLimitRule
from motherline.people import services as people_services
from motherline.people.models import PlacementKind
from tests.care.conftest import (
    CAREGIVER,
    LEAVE_BY,
    OPENED,
    advance,
    approve_handover,
    open_plan,
    plan_at,
    record_caregiver,
)
from tests.conftest import TODAY
from tests.factories import (
    admit,
    child_in_prison,
    child_outside,
    children_of,
    current_version,
    reload,
)


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def plan_events(plan: TransitionPlan):
    return AuditEvent.objects.filter(object_type="care.TransitionPlan", object_ref=str(plan.pk))


def assert_no_names(*secrets: str) -> None:
    dumped = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    for secret in secrets:
        assert secret not in dumped, secret


def current_placement(child):
    return child.placements.get(end_date__isnull=True)


# Opening


def test_open_plan_is_due_on_the_leave_by_date(monitor, child):
    plan = open_plan(monitor, child)
    assert plan.status == "open"
    assert plan.due_date == LEAVE_BY
    assert plan.opened_on == OPENED
    assert plan.created_by == monitor
    event = plan_events(plan).get()
    assert event.action == AuditAction.CREATE
    assert event.changes == {"child": child.reference, "due_date": "2026-08-01"}


def test_one_plan_in_progress_per_child(monitor, child):
    open_plan(monitor, child)
    with pytest.raises(ValidationError) as excinfo:
        open_plan(monitor, child)
    assert "already has a transition plan" in str(errors_of(excinfo))
    assert TransitionPlan.objects.count() == 1


def test_no_plan_for_a_child_outside(monitor, prisons):
    woman = admit(monitor, prisons["CC2"], children=[child_outside(date(2020, 1, 1))])
    with pytest.raises(ValidationError) as excinfo:
        open_plan(monitor, children_of(woman)[0])
    assert "not living in prison" in str(errors_of(excinfo))


def test_plan_of_a_child_born_in_custody(monitor, mother):
    people_services.record_pregnancy(monitor, mother, TODAY - timedelta(days=300), today=TODAY)
    baby = people_services.record_pregnancy_outcome(
        monitor,
        mother.pregnancies.get(outcome=""),
        "birth_in_prison",
        TODAY - timedelta(days=30),
        today=TODAY,
    )
    assert baby.born_in_custody
    plan = open_plan(monitor, baby, on=TODAY)
    assert plan.due_date == (TODAY - timedelta(days=30)).replace(year=2029)


@pytest.mark.parametrize("who", ["un_monitor", "other_monitor", "analyst", "programme_manager"])
def test_open_plan_refused_outside_edit_scope(users, prisons, who):
    shared = admit(
        users["monitor"],
        prisons["CC2"],
        consent_scope="partners",
        children=[child_in_prison(date(2024, 1, 1))],
    )
    with pytest.raises(PermissionDenied):
        open_plan(users[who], children_of(shared)[0])
    assert not TransitionPlan.objects.exists()


def test_the_prison_liaison_may_plan_for_a_child_in_her_prison(users, child):
    plan = open_plan(users["prison_liaison"], child)
    assert plan.pk


# Steps


def test_caregiver_identified_needs_who_and_where(monitor, child):
    plan = open_plan(monitor, child)
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "caregiver_identified", caregiver_name="Chea")
    assert set(errors_of(excinfo)) == {"caregiver_relationship", "caregiver_location"}
    plan = advance(monitor, plan, "caregiver_identified", **CAREGIVER)
    assert plan.status == "caregiver_identified"
    assert plan.caregiver_name == "Grandmother Chea"
    assert plan.version == 2


def test_the_mother_in_prison_is_not_a_caregiver_outside(monitor, child):
    plan = open_plan(monitor, child)
    with pytest.raises(ValidationError) as excinfo:
        advance(
            monitor,
            plan,
            "caregiver_identified",
            **{**CAREGIVER, "caregiver_relationship": "mother"},
        )
    assert "mother is in prison" in errors_of(excinfo)["caregiver_relationship"][0]


def test_steps_cannot_be_skipped(monitor, child):
    plan = open_plan(monitor, child)
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "handed_over", **CAREGIVER, handed_over_on=TODAY)
    assert "Complete the next step first" in errors_of(excinfo)["status"][0]
    plan.refresh_from_db()
    assert plan.status == "open"
    assert current_placement(child).kind == PlacementKind.IN_PRISON


def test_assessed_needs_date_and_answer(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "assessed", assessment_notes="Visited")
    assert set(errors_of(excinfo)) == {"assessed_on", "home_is_suitable"}
    plan = advance(
        monitor, plan, "assessed", assessed_on=TODAY, home_is_suitable=True, support_schooling=True
    )
    assert plan.status == "assessed" and plan.support_schooling


def test_an_unsuitable_home_needs_a_new_caregiver(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    plan = advance(monitor, plan, "assessed", assessed_on=TODAY, home_is_suitable=False)
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "handed_over", handed_over_on=TODAY)
    assert "another caregiver" in errors_of(excinfo)["home_is_suitable"][0]
    # A new caregiver: the plan goes back a step and the old assessment no longer applies.
    plan = services.update_plan(
        monitor,
        plan,
        {"caregiver_name": "Aunt Srey", "caregiver_relationship": "other_relative"},
        version=plan.version,
        today=TODAY,
    )
    assert plan.status == "caregiver_identified"
    assert plan.assessed_on is None and plan.home_is_suitable is None
    event = plan_events(plan).latest("id")
    assert event.changes["status"] == ["assessed", "caregiver_identified"]
    plan = advance(monitor, plan, "assessed", assessed_on=TODAY, home_is_suitable=True)
    aunt = record_caregiver(monitor, child, name="Aunt Srey", relationship="other_relative")
    approve_handover(monitor, plan, aunt)
    plan = advance(monitor, plan, "handed_over", handed_over_on=TODAY)
    assert current_placement(child).caregiver_name == "Aunt Srey"


def test_handover_ends_the_placement_in_prison_and_schedules_follow_ups(monitor, child):
    plan = plan_at(monitor, child, "assessed")
    handed = TODAY - timedelta(days=10)
    approve_handover(monitor, plan)
    plan = advance(monitor, plan, "handed_over", handed_over_on=handed)
    assert plan.status == "handed_over"
    placements = list(child.placements.order_by("start_date", "id"))
    assert placements[0].kind == PlacementKind.IN_PRISON and placements[0].end_date == handed
    outside = placements[-1]
    assert outside.kind == PlacementKind.WITH_CAREGIVER and outside.end_date is None
    assert outside.caregiver_name == "Grandmother Chea"
    assert outside.caregiver_relationship == "grandparent"
    assert outside.caregiver_location == "Takeo, Bati district"
    assert outside.caregiver_contact == "012 345 678"
    # The child went to the caregiver the approved assessment is about: the plan names them.
    assert plan.caregiver.name == "Grandmother Chea"
    assert outside.note == "Handed over under the transition plan"
    assert list(plan.follow_ups.values_list("due_date", flat=True)) == [
        date(2026, 7, 5),
        date(2026, 9, 5),
        date(2026, 12, 5),
    ]
    # The move out is on the child's audit trail, the step on the plan's.
    assert AuditEvent.objects.filter(
        object_ref=child.reference, changes__has_key="moved_out"
    ).exists()
    assert plan_events(plan).latest("id").changes["status"] == ["assessed", "handed_over"]


@pytest.mark.parametrize(
    ("handed_over_on", "message"),
    [
        (TODAY + timedelta(days=1), "future"),
        (OPENED - timedelta(days=1), "before the plan was opened"),
    ],
)
def test_handover_date_is_checked(monitor, child, handed_over_on, message):
    plan = plan_at(monitor, child, "assessed")
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "handed_over", handed_over_on=handed_over_on)
    assert message in errors_of(excinfo)["handed_over_on"][0]
    assert current_placement(child).kind == PlacementKind.IN_PRISON
    assert not FollowUp.objects.exists()


def test_handover_of_a_child_already_moved_out_is_refused(monitor, child):
    plan = plan_at(monitor, child, "assessed")
    people_services.move_child_out(
        monitor,
        child,
        TODAY - timedelta(days=2),
        "father",
        "Father",
        today=TODAY,
        version=current_version(child),
    )
    approve_handover(monitor, plan)
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "handed_over", handed_over_on=TODAY)
    assert "not living in prison" in errors_of(excinfo)["handed_over_on"][0]
    plan.refresh_from_db()
    assert plan.status == "assessed"


def test_followed_up_when_every_visit_is_recorded_then_closed(monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "followed_up")
    assert "3 follow-up visits" in errors_of(excinfo)["status"][0]
    for follow_up in plan.follow_ups.all():
        services.record_follow_up(
            monitor,
            follow_up,
            TODAY,
            "well",
            "Going to school",
            child_situation="with_caregiver",
            today=TODAY,
            version=current_version(plan),
        )
    plan = advance(monitor, plan, "followed_up")
    plan = advance(monitor, plan, "closed", close_reason="completed")
    assert plan.status == "closed"
    assert plan.closed_on == TODAY
    assert plan.close_reason == "completed"


def test_follow_up_is_checked_and_audited(monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    follow_up = plan.follow_ups.first()
    with pytest.raises(ValidationError) as excinfo:
        services.record_follow_up(
            monitor,
            follow_up,
            plan.handed_over_on - timedelta(days=1),
            "",
            today=TODAY,
            version=current_version(plan),
        )
    assert set(errors_of(excinfo)) == {"done_on", "outcome", "child_situation"}
    services.record_follow_up(
        monitor,
        follow_up,
        TODAY,
        "concerns",
        "Needs a school fee",
        child_situation="with_caregiver",
        caregiver_seen=plan.caregiver,
        today=TODAY,
        version=current_version(plan),
    )
    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.outcome) == (TODAY, "concerns")
    assert follow_up.child_situation == "with_caregiver"
    assert follow_up.caregiver_seen == plan.caregiver
    event = plan_events(plan).latest("id")
    assert event.changes["follow_up"] == {
        "due_date": follow_up.due_date.isoformat(),
        "done_on": TODAY.isoformat(),
        "outcome": "concerns",
        "child_situation": "with_caregiver",
        "caregiver_seen": plan.caregiver.reference,
        "fields": ["notes"],
    }
    assert_no_names("school fee")


def test_closing_early(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "closed", close_reason="completed")
    assert "close_reason" in errors_of(excinfo)
    plan = advance(monitor, plan, "closed", close_reason="not_needed")
    assert plan.status == "closed" and plan.closed_on == TODAY


# Changes, locking, closed plans, reopening


def test_update_plan_with_a_stale_version_is_refused(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    read = plan.version
    services.update_plan(monitor, plan, {"caregiver_contact": "099 111"}, version=read, today=TODAY)
    with pytest.raises(StaleVersion):
        services.update_plan(monitor, plan, {"support_money": True}, version=read, today=TODAY)
    plan.refresh_from_db()
    assert plan.caregiver_contact == "099 111" and not plan.support_money
    with pytest.raises(StaleVersion):
        advance_with(monitor, plan, "assessed", read)


def advance_with(user, plan, status, version):
    return services.advance_plan(
        user,
        plan,
        status,
        {"assessed_on": TODAY, "home_is_suitable": True},
        version=version,
        today=TODAY,
    )


def test_update_plan_keeps_what_its_step_needs(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    with pytest.raises(ValidationError) as excinfo:
        services.update_plan(
            monitor,
            plan,
            {"caregiver_location": "", "caregiver_contact": ""},
            version=plan.version,
            today=TODAY,
        )
    assert "caregiver_location" in errors_of(excinfo)


def test_update_plan_is_audited_without_names(monitor, child, mother):
    plan = plan_at(monitor, child, "caregiver_identified")
    services.update_plan(
        monitor,
        plan,
        {"caregiver_location": "Kampot", "support_money": True, "support_notes": "Rice monthly"},
        version=plan.version,
        today=TODAY,
    )
    event = plan_events(plan).latest("id")
    assert event.changes["fields"] == ["caregiver_location", "support_money", "support_notes"]
    assert event.changes["values"] == {"support_money": [False, True]}
    assert_no_names(
        mother.name, "Dara", "Grandmother Chea", "Kampot", "Takeo", "012 345 678", "Rice monthly"
    )


def test_after_the_handover_the_caregiver_cannot_be_replaced(monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    with pytest.raises(ValidationError) as excinfo:
        services.update_plan(
            monitor, plan, {"caregiver_name": "Other"}, version=plan.version, today=TODAY
        )
    assert "caregiver_name" in errors_of(excinfo)
    plan = services.update_plan(
        monitor, plan, {"caregiver_contact": "011 222"}, version=plan.version, today=TODAY
    )
    assert plan.caregiver_contact == "011 222"


def test_a_closed_plan_cannot_be_changed_until_reopened(monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    plan = advance(monitor, plan, "closed", close_reason="not_needed")
    with pytest.raises(ValidationError) as excinfo:
        services.update_plan(
            monitor, plan, {"support_money": True}, version=plan.version, today=TODAY
        )
    assert "reopen it" in str(errors_of(excinfo))
    with pytest.raises(ValidationError):
        advance(monitor, plan, "assessed", assessed_on=TODAY, home_is_suitable=True)
    with pytest.raises(ValidationError) as excinfo:
        services.reopen_plan(monitor, plan, "  ", version=current_version(plan))
    assert "reason" in errors_of(excinfo)
    plan = services.reopen_plan(
        monitor, plan, "The court refused the release", version=current_version(plan)
    )
    assert plan.status == "caregiver_identified"
    assert plan.close_reason == "" and plan.closed_on is None
    event = plan_events(plan).latest("id")
    assert event.action == AuditAction.CHANGE
    assert event.changes["status"] == ["closed", "caregiver_identified"]
    assert event.changes["reopened"] == {
        "reason": "The court refused the release",
        "was_closed_as": "not_needed",
    }
    plan = services.update_plan(
        monitor, plan, {"support_money": True}, version=plan.version, today=TODAY
    )
    assert plan.support_money


def test_reopen_refused_when_another_plan_is_in_progress(monitor, child):
    first = advance(monitor, open_plan(monitor, child), "closed", close_reason="not_needed")
    open_plan(monitor, child, on=TODAY)
    with pytest.raises(ValidationError) as excinfo:
        services.reopen_plan(monitor, first, "Mistake", version=current_version(first))
    assert "another transition plan" in str(errors_of(excinfo))


def test_reopen_only_a_closed_plan(monitor, child):
    plan = open_plan(monitor, child)
    with pytest.raises(ValidationError):
        services.reopen_plan(monitor, plan, "Why not", version=current_version(plan))


# The mother's custody


def test_mothers_release_closes_the_plan_as_left_with_mother(monitor, mother, child):
    plan = plan_at(monitor, child, "assessed")
    people_services.record_release(
        monitor,
        reload(mother).current_episode,
        TODAY - timedelta(days=1),
        "royal_pardon",
        today=TODAY,
        version=current_version(reload(mother).current_episode),
    )
    plan.refresh_from_db()
    assert plan.status == "closed"
    assert plan.close_reason == "left_with_mother"
    assert plan.closed_on == TODAY - timedelta(days=1)
    event = plan_events(plan).latest("id")
    assert event.changes["status"] == ["assessed", "closed"]
    assert current_placement(child).caregiver_relationship == "mother"


def test_release_before_the_leave_by_date_leaves_handed_over_plans_open(monitor, mother, child):
    plan = plan_at(monitor, child, "handed_over")
    people_services.record_release(
        monitor,
        reload(mother).current_episode,
        TODAY,
        "end_of_sentence",
        today=TODAY,
        version=current_version(reload(mother).current_episode),
    )
    plan.refresh_from_db()
    assert plan.status == "handed_over"  # its follow-ups are still due


def test_release_closes_only_her_childrens_plans(monitor, prisons, mother, child):
    other = admit(monitor, prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    other_plan = open_plan(monitor, children_of(other)[0])
    open_plan(monitor, child)
    people_services.record_release(
        monitor,
        reload(mother).current_episode,
        TODAY,
        "acquittal",
        today=TODAY,
        version=current_version(reload(mother).current_episode),
    )
    other_plan.refresh_from_db()
    assert other_plan.status == "open"


def test_transfer_of_the_mother_keeps_the_plan(monitor, prisons, mother, child):
    plan = plan_at(monitor, child, "assessed")
    people_services.record_transfer(
        monitor,
        reload(mother).current_episode,
        prisons["KDL"],
        TODAY - timedelta(days=5),
        today=TODAY,
        version=current_version(reload(mother).current_episode),
    )
    plan.refresh_from_db()
    assert plan.status == "assessed" and plan.due_date == LEAVE_BY
    assert current_placement(child).prison == prisons["KDL"]
    approve_handover(monitor, plan)
    plan = advance(monitor, plan, "handed_over", handed_over_on=TODAY)
    kinds = list(
        child.placements.order_by("start_date", "id").values_list(
            "kind", "prison__code", "end_date"
        )
    )
    assert kinds == [
        ("in_prison", "CC2", TODAY - timedelta(days=5)),
        ("in_prison", "KDL", TODAY),
        ("with_caregiver", None, None),
    ]


# Extensions


def allow_extensions(jurisdiction, months: int = 6) -> None:
    AgeLimitRule.objects.filter(jurisdiction=jurisdiction).update(
        extension_allowed=True, max_extension_months=months
    )


def test_extension_refused_where_the_pack_allows_none(monitor, child):
    with pytest.raises(ValidationError) as excinfo:
        services.record_extension(
            monitor, child, 3, "Illness", "Prison director", TODAY, today=TODAY
        )
    assert "does not allow" in errors_of(excinfo)["months"][0]
    assert not LeaveExtension.objects.exists()


def test_extension_moves_the_leave_by_date_of_the_plan(monitor, jurisdiction, child):
    allow_extensions(jurisdiction)
    plan = open_plan(monitor, child)
    extension = services.record_extension(
        monitor, child, 4, "Breastfeeding, doctor's advice", "Director Sok", TODAY, today=TODAY
    )
    assert (extension.months, extension.approved_by, extension.recorded_by) == (
        4,
        "Director Sok",
        monitor,
    )
    plan.refresh_from_db()
    assert plan.due_date == date(2026, 12, 1)
    event = AuditEvent.objects.filter(object_ref=child.reference, action=AuditAction.CREATE).latest(
        "id"
    )
    assert event.changes["extension"] == {
        "months": 4,
        "approved_on": TODAY.isoformat(),
        "leave_by": ["2026-08-01", "2026-12-01"],
    }
    assert_no_names("Director Sok", "Breastfeeding")
    with pytest.raises(ValidationError) as excinfo:
        services.record_extension(monitor, child, 3, "More", "Director Sok", TODAY, today=TODAY)
    assert "2 months are left" in errors_of(excinfo)["months"][0]


def test_extension_needs_reason_approver_and_date(monitor, jurisdiction, child):
    allow_extensions(jurisdiction)
    with pytest.raises(ValidationError) as excinfo:
        services.record_extension(
            monitor, child, 2, " ", "", TODAY + timedelta(days=1), today=TODAY
        )
    assert set(errors_of(excinfo)) == {"reason", "approved_by", "approved_on"}


# Scope


def test_plans_are_scoped_like_their_child(users, prisons, child):
    plan = open_plan(users["monitor"], child)
    shared = admit(
        users["monitor"],
        prisons["KDL"],
        consent_scope="partners",
        children=[child_in_prison(date(2024, 1, 1))],
    )
    shared_plan = open_plan(users["monitor"], children_of(shared)[0])

    def visible(user):
        return set(TransitionPlan.objects.visible_to(user).values_list("pk", flat=True))

    def editable(user):
        return set(TransitionPlan.objects.editable_by(user).values_list("pk", flat=True))

    assert visible(users["monitor"]) == editable(users["monitor"]) == {plan.pk, shared_plan.pk}
    assert visible(users["un_monitor"]) == {shared_plan.pk}
    assert editable(users["un_monitor"]) == set()
    assert visible(users["prison_liaison"]) == editable(users["prison_liaison"]) == {plan.pk}
    assert visible(users["other_monitor"]) == set()
    assert visible(users["analyst"]) == set()
    assert visible(users["programme_manager"]) == {plan.pk, shared_plan.pk}
    assert editable(users["programme_manager"]) == set()


def test_partners_may_not_change_a_shared_plan(users, prisons):
    shared = admit(
        users["monitor"],
        prisons["CC2"],
        consent_scope="partners",
        children=[child_in_prison(date(2024, 1, 1))],
    )
    plan = open_plan(users["monitor"], children_of(shared)[0])
    with pytest.raises(PermissionDenied):
        services.update_plan(
            users["un_monitor"], plan, {"support_money": True}, version=plan.version
        )


def test_a_step_records_only_its_own_dates(monitor, child):
    plan = open_plan(monitor, child)
    with pytest.raises(ValidationError) as excinfo:
        advance(monitor, plan, "caregiver_identified", **CAREGIVER, handed_over_on=TODAY)
    assert "another step" in errors_of(excinfo)["handed_over_on"][0]
