"""worklist_for: who sees which items, the filters, and a query count that does not grow
with the number of items."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motherline.care.models import FollowUp, TransitionPlan
from motherline.core.actors import SystemActor
from motherline.worklist import deadlines
from motherline.worklist.queries import WorklistFilters, worklist_for, worklist_groups
from motherline.worklist.rules import Kind, Urgency
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, child_outside
from tests.worklist.clock import move_clock_to

# The command line's read-only view of the whole register.
SYSTEM = SystemActor("worklist")

ALL_KINDS = {
    Kind.CHILD_AGE_LIMIT,
    Kind.EXPECTED_DELIVERY,
    Kind.PRETRIAL_LIMIT,
    Kind.EXPECTED_RELEASE,
    Kind.BIRTH_NOT_REGISTERED,
    Kind.FOLLOW_UP_DUE,
}


def subjects(items) -> set[tuple[str, str]]:
    return {(i.kind, i.subject.reference) for i in items}


def test_monitor_sees_one_item_of_each_kind_most_urgent_first(register, users):
    items = worklist_for(users["monitor"], TODAY)
    assert {i.kind for i in items} == ALL_KINDS
    assert [i.urgency for i in items] == sorted((i.urgency for i in items), key=list(Urgency).index)
    by_kind = {i.kind: i for i in items}
    assert by_kind[Kind.PRETRIAL_LIMIT].urgency == Urgency.OVERDUE
    assert by_kind[Kind.PRETRIAL_LIMIT].subject.reference == register["pretrial"].reference
    assert by_kind[Kind.EXPECTED_DELIVERY].place.prison_code == "KDL"
    assert by_kind[Kind.FOLLOW_UP_DUE].subject.link == f"/plans/{register['plan'].pk}/"
    # Names only when the page asks for them.
    assert all(i.subject.name == "" for i in items)
    named = worklist_for(users["monitor"], TODAY, with_names=True)
    assert {i.subject.name for i in named} >= {"Malis Pretrial", "Baby Near"}


def test_liaison_sees_only_the_items_of_her_prison(register, users):
    items = worklist_for(users["prison_liaison"], TODAY)
    assert items
    assert {i.place.prison_code for i in items} == {"CC2"}
    kdl = {register["pregnant"].reference, register["release"].reference}
    assert not kdl & {i.subject.reference for i in items}


def test_other_organisation_sees_nothing_and_partner_only_shared_records(register, users):
    assert worklist_for(users["other_monitor"], TODAY) == []
    assert worklist_for(users["un_monitor"], TODAY) == []
    woman = register["pretrial"]
    woman.consent_scope = "partners"
    woman.save()
    shared = worklist_for(users["un_monitor"], TODAY)
    assert subjects(shared) == {(Kind.PRETRIAL_LIMIT, woman.reference)}


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(register, users, role):
    with pytest.raises(PermissionDenied):
        worklist_for(users[role], TODAY)


def test_system_view_sees_every_organisation(register, users, prisons):
    other = admit(
        users["other_monitor"],
        prisons["KDL"],
        admission_date=TODAY - timedelta(days=100),
        children=[child_in_prison(date(2023, 7, 1), birth_registered=True)],
    )
    mine = subjects(worklist_for(users["monitor"], TODAY))
    everything = subjects(worklist_for(SYSTEM, TODAY))
    assert everything == mine | {(Kind.CHILD_AGE_LIMIT, other.children.get().reference)}


def test_filters_by_prison_province_and_kind(register, users):
    monitor = users["monitor"]
    kdl = worklist_for(monitor, TODAY, WorklistFilters(prison="KDL"))
    assert {i.kind for i in kdl} == {Kind.EXPECTED_DELIVERY, Kind.EXPECTED_RELEASE}
    assert subjects(worklist_for(monitor, TODAY, WorklistFilters(province="KH-8"))) == subjects(kdl)
    cc2 = worklist_for(monitor, TODAY, WorklistFilters(province="KH-12"))
    assert {i.place.prison_code for i in cc2} == {"CC2"}
    only = worklist_for(monitor, TODAY, WorklistFilters(kind="pretrial_limit"))
    assert [i.kind for i in only] == [Kind.PRETRIAL_LIMIT]
    assert worklist_for(monitor, TODAY, WorklistFilters(prison="NOPE")) == []
    assert worklist_for(monitor, TODAY, WorklistFilters(prison="KDL", province="KH-12")) == []


def test_items_follow_the_day_they_are_read_for(register, users, monkeypatch):
    monitor = users["monitor"]
    # Three months back, the child's third birthday was beyond the horizon; the child
    # handed over since still lived in prison then, past the limit.
    earlier = worklist_for(monitor, TODAY - timedelta(days=80))
    near = register["mother"].children.get().reference
    handed = register["handed_over"].children.get().reference
    age_limits = {i.subject.reference: i for i in earlier if i.kind == Kind.CHILD_AGE_LIMIT}
    assert near not in age_limits
    assert age_limits[handed].urgency == Urgency.OVERDUE
    move_clock_to(monkeypatch, TODAY + timedelta(days=30))
    later = worklist_for(monitor, TODAY + timedelta(days=30))
    by_kind = {i.kind: i for i in later}
    assert by_kind[Kind.CHILD_AGE_LIMIT].urgency == Urgency.OVERDUE
    assert by_kind[Kind.CHILD_AGE_LIMIT].status == "no plan; overdue by 10 days"
    assert by_kind[Kind.EXPECTED_RELEASE].urgency == Urgency.WITHIN_30


def test_a_plan_behind_is_the_status_of_the_childs_age_limit_row(register, users):
    """One row per child: the plan's delay is said on the age-limit row, whose action is
    the plan's next step; a plan behind for a child whose limit is not near is its own row."""
    child = register["mother"].children.get()
    plan = TransitionPlan.objects.create(child=child, due_date=TODAY + timedelta(days=20))
    items = worklist_for(users["monitor"], TODAY, with_names=True)
    rows = [i for i in items if i.subject.reference == child.reference]
    assert [i.kind for i in rows] == [Kind.CHILD_AGE_LIMIT]
    row = rows[0]
    assert row.status == "plan: open; plan behind schedule"
    assert "no home has been assessed yet" in row.why
    assert row.subject.link == f"/children/{child.reference}/"
    assert row.action_link == f"/plans/{plan.pk}/next/"
    assert row.action_label == "Record the next step of the plan"
    assert row.subject.mother_name == "Dara Mother"

    # A child far from the limit whose planned handover passed: the plan is its own row.
    far = admit(
        users["monitor"],
        register["mother"].current_episode.current_prison,
        children=[child_in_prison(TODAY - timedelta(days=300), birth_registered=True)],
    ).children.get()
    far_plan = TransitionPlan.objects.create(
        child=far,
        status="assessed",
        due_date=TODAY + timedelta(days=700),
        handover_planned_on=TODAY - timedelta(days=3),
    )
    items = worklist_for(users["monitor"], TODAY)
    mine = [i for i in items if i.subject.reference == far.reference]
    assert [i.kind for i in mine] == [Kind.PLAN_STEP_OVERDUE]
    assert mine[0].action_link == f"/plans/{far_plan.pk}/next/"

    plan.status = "closed"
    plan.close_reason = "not_needed"
    plan.save()
    items = {i.subject.reference: i for i in worklist_for(users["monitor"], TODAY)}
    assert items[child.reference].status == "no plan"
    assert items[child.reference].action_link == f"/plans/open/{child.reference}/"


def test_done_follow_ups_and_closed_plans_are_not_listed(register, users):
    FollowUp.objects.update(done_on=TODAY, outcome="well")
    assert Kind.FOLLOW_UP_DUE not in {i.kind for i in worklist_for(users["monitor"], TODAY)}


def add_records(monitor, prisons, n: int) -> None:
    """n women, each with three items: release, delivery and the child's age limit."""
    for k in range(n):
        admit(
            monitor,
            prisons["CC2" if k % 2 else "KDL"],
            admission_date=TODAY - timedelta(days=300),
            legal_status="final",
            sentence_months=12,
            expected_release_date=TODAY + timedelta(days=10 + k),
            is_pregnant=True,
            pregnancy_known_since=TODAY - timedelta(days=100),
            expected_delivery_date=TODAY + timedelta(days=20 + k),
            children=[child_in_prison(date(2023, 7, 1) + timedelta(days=k), birth_registered=True)],
        )


def count_queries(user) -> tuple[int, int]:
    """The queries of a read once the deadlines of the changes are stored (the services
    store them right after each commit; tests run inside one transaction)."""
    deadlines.refresh_pending()
    with CaptureQueriesContext(connection) as ctx:
        items = worklist_for(user, TODAY)
    return len(ctx.captured_queries), len(items)


def test_query_count_does_not_grow_with_the_items(users, prisons, offences, pretrial_rules):
    monitor = users["monitor"]
    add_records(monitor, prisons, 1)
    few_queries, few_items = count_queries(monitor)
    add_records(monitor, prisons, 9)
    many_queries, many_items = count_queries(monitor)
    assert (few_items, many_items) == (3, 30)
    assert many_queries == few_queries <= 12


def test_the_page_groups_are_the_head_of_the_whole_list_with_whole_counts(
    register, users, prisons, offences
):
    monitor = users["monitor"]
    for k in range(4):
        admit(
            monitor,
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=175 + 10 * k),
            offences=[offences["theft"]],
            legal_status="pretrial",
            children=[child_outside(date(2019, 1, 1 + k))],
        )
    everything = worklist_for(monitor, TODAY, with_names=True)
    groups = worklist_groups(monitor, TODAY, per_group=2)
    assert [g.urgency for g in groups] == list(Urgency)
    for group in groups:
        whole = [i for i in everything if i.urgency == group.urgency]
        assert group.total == len(whole)
        assert [i.key for i in group.items] == [i.key for i in whole[:2]]
    overdue = groups[0]
    # Four pretrial overstays and the register's unregistered birth (the children outside
    # never lived in prison nor were born in custody), earliest due first whatever the kind.
    assert overdue.total == 4 + 1
    assert [i.kind for i in overdue.items] == ["birth_not_registered", "pretrial_limit"]
    assert [i.due_date for i in overdue.items] == [
        TODAY - timedelta(days=70),
        TODAY - timedelta(days=25),
    ]
    assert overdue.items[0].subject.name  # the page asks for names
