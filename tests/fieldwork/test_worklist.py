"""Overdue follow-up actions of prison visits on the worklist: scoped like the visits,
filtered by the database, in a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from motherline.fieldwork import services
from motherline.worklist import queries
from motherline.worklist.queries import WorklistFilters
from motherline.worklist.rules import Kind, Urgency
from tests.conftest import TODAY
from tests.fieldwork.conftest import VISITED, record


def _action(user, visit, days_overdue, owner=None):
    return services.add_action(
        user,
        visit,
        description="Ask for a water tank",
        owner=owner or user,
        due_date=TODAY - timedelta(days=days_overdue),
    )


def _kinds(items):
    return [i for i in items if i.kind == Kind.VISIT_ACTION_OVERDUE]


def test_overdue_actions_only(users, prisons, visit):
    overdue = _action(users["monitor"], visit, 3)
    _action(users["monitor"], visit, 0)  # due today: not overdue yet
    done = _action(users["monitor"], visit, 5)
    services.complete_action(users["monitor"], done, TODAY, today=TODAY)
    items = _kinds(queries.worklist_for(users["monitor"], TODAY))
    assert [i.subject.reference for i in items] == [overdue.reference]
    item = items[0]
    assert item.urgency == Urgency.OVERDUE
    assert item.place.prison_code == "CC2"
    assert item.subject.link == reverse("fieldwork:visit", args=[visit.pk])
    # Status says where the action stands; who owns it is in the reason, by name.
    assert item.status == "open; overdue by 3 days"
    assert "assigned to" in str(item.why)
    assert item.as_json(TODAY)["days"] == -3


def test_scoped_like_the_visits(users, prisons, visit):
    _action(users["monitor"], visit, 3)
    other = record(users["other_monitor"], prisons["CC2"])
    _action(users["other_monitor"], other, 3)
    assert len(_kinds(queries.worklist_for(users["monitor"], TODAY))) == 1
    assert len(_kinds(queries.worklist_for(users["un_monitor"], TODAY))) == 1  # shared
    assert len(_kinds(queries.worklist_for(users["other_monitor"], TODAY))) == 1
    assert _kinds(queries.worklist_for(users["prison_liaison"], TODAY)) == []


def test_prison_and_kind_filters(users, prisons, visit):
    _action(users["monitor"], visit, 3)
    kdl = record(users["monitor"], prisons["KDL"])
    _action(users["monitor"], kdl, 3)
    by_prison = queries.worklist_for(users["monitor"], TODAY, WorklistFilters(prison="KDL"))
    assert [i.place.prison_code for i in _kinds(by_prison)] == ["KDL"]
    only = queries.worklist_for(
        users["monitor"], TODAY, WorklistFilters(kind=Kind.VISIT_ACTION_OVERDUE)
    )
    assert len(only) == 2 and not [i for i in only if i.kind != Kind.VISIT_ACTION_OVERDUE]


def test_constant_queries_and_page_groups(client, users, prisons, django_assert_num_queries):
    visit = record(users["monitor"], prisons["CC2"], visit_date=VISITED)
    _action(users["monitor"], visit, 1)
    ctx = queries._Context(TODAY, WorklistFilters(), True, limit=None)
    with django_assert_num_queries(1):
        part = queries._visit_actions(users["monitor"], ctx)
    assert len(part.items) == 1
    for days in range(2, 12):
        _action(users["monitor"], visit, days)
    ctx = queries._Context(TODAY, WorklistFilters(), True, limit=5)
    with django_assert_num_queries(1):
        part = queries._visit_actions(users["monitor"], ctx)
    assert len(part.items) == 5 and part.counts[Urgency.OVERDUE] == 11
    client.force_login(users["monitor"])
    page = client.get(reverse("worklist:list"))
    assert page.status_code == 200
    assert "Follow-up action of a prison visit overdue" in page.text


def test_an_action_marked_done_twice_says_it_was_done_already(client, users, visit):
    action = services.add_action(
        users["monitor"],
        visit,
        description="Ask the director for a water tank",
        owner=users["monitor"],
        due_date=TODAY - timedelta(days=2),
    )
    client.force_login(users["monitor"])
    url = reverse("fieldwork:action_done", args=[action.pk])
    first = client.post(url, {"done_on": TODAY.strftime("%d/%m/%Y")}, follow=True)
    again = client.post(url, {"done_on": TODAY.strftime("%d/%m/%Y")}, follow=True)
    said = [[str(m) for m in response.context["messages"]] for response in (first, again)]
    assert said == [["The action is done."], ["This action was already marked done."]]
