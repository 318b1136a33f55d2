"""The worklist page: groups with counts, names for those who may see them, filters, the
roles it is refused to, and the home page that leads to it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.worklist import deadlines
from motherline.worklist.queries import worklist_for
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison

URL = reverse("worklist:list")


def rows(response) -> dict[str, list[tuple[str, str]]]:
    return {
        g.urgency: [(i.kind, i.subject.reference) for i in g.items]
        for g in response.context["groups"]
    }


def test_monitor_sees_her_items_grouped_by_urgency_with_counts(client, users, register):
    client.force_login(users["monitor"])
    response = client.get(URL)
    assert response.status_code == 200
    groups = {g.urgency: g for g in response.context["groups"]}
    assert list(groups) == ["overdue", "this_week", "within_30", "within_90"]
    assert {u: g.total for u, g in groups.items()} == {
        "overdue": 2,  # pretrial limit passed, birth not registered
        "this_week": 2,  # expected delivery, follow-up visit
        "within_30": 1,  # the child's third birthday
        "within_90": 1,  # expected release
    }
    text = response.text
    child = register["mother"].children.get()
    assert child.reference in text
    assert "Baby Near" in text  # names on the page for those who may see them
    assert "Malis Pretrial" in text
    assert f'href="{reverse("people:child", args=[child.reference])}"' in text
    assert f'href="{reverse("people:woman", args=[register["pretrial"].reference])}"' in text
    assert "the limit of 180 days for a misdemeanour" in text
    assert "overdue by 20 days" in text
    assert 'aria-current="page"' in text and ">Worklist<" in text


def test_filters_narrow_the_page(client, users, register):
    client.force_login(users["monitor"])
    response = client.get(URL, {"prison": "KDL"})
    found = {ref for group in rows(response).values() for _, ref in group}
    assert found == {register["pregnant"].reference, register["release"].reference}
    response = client.get(URL, {"kind": "follow_up_due"})
    assert [k for group in rows(response).values() for k, _ in group] == ["follow_up_due"]
    response = client.get(URL, {"province": "KH-8", "kind": "expected_release"})
    assert rows(response)["within_90"] == [("expected_release", register["release"].reference)]


def test_a_bad_filter_is_shown_and_ignored(client, users, register):
    client.force_login(users["monitor"])
    response = client.get(URL, {"kind": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors["kind"]
    assert sum(g.total for g in response.context["groups"]) == 6


def test_liaison_sees_only_her_prison(client, users, register):
    client.force_login(users["prison_liaison"])
    response = client.get(URL)
    prisons = {i.place.prison_code for g in response.context["groups"] for i in g.items}
    assert prisons == {"CC2"}


def test_an_empty_list_says_so(client, users, register):
    client.force_login(users["other_monitor"])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.text.count("Nothing in this group.") == 4


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    page = client.get(reverse("people:prisons")).text
    assert f'href="{URL}"' not in page


def test_sign_in_required(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("monitor", "worklist:list"),
        ("prison_liaison", "worklist:list"),
        ("programme_manager", "worklist:list"),
        ("analyst", "people:prisons"),
    ],
)
def test_home_leads_to_the_worklist_for_those_who_see_the_register(client, users, role, target):
    client.force_login(users[role])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse(target)


def test_the_page_stays_at_a_constant_query_count(client, users, register, prisons):
    """More items in the same groups cost no query: a page reads each non-empty group of
    each kind with one LIMIT query, so the count is bounded by kinds and groups, not items."""
    client.force_login(users["monitor"])

    def admit_one(k: int) -> None:
        admit(
            users["monitor"],
            prisons["CC2"],
            children=[child_in_prison(TODAY.replace(year=2023) + timedelta(days=k))],
        )

    admit_one(0)
    # The deadlines of the changes stored, as the services do after each commit.
    deadlines.refresh_pending()
    with CaptureQueriesContext(connection) as before:
        client.get(URL)
    for k in range(1, 6):
        admit_one(k)
    deadlines.refresh_pending()
    with CaptureQueriesContext(connection) as after:
        response = client.get(URL)
    assert sum(g.total for g in response.context["groups"]) == 6 + 12
    assert len(after.captured_queries) == len(before.captured_queries)


def test_long_groups_are_cut_but_counted(client, users, register, prisons, monkeypatch):
    for k in range(3):
        admit(
            users["monitor"],
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=60),
            children=[child_in_prison(TODAY - timedelta(days=100 + k))],
        )
    monkeypatch.setattr("motherline.worklist.views.ROWS_PER_GROUP", 2)
    client.force_login(users["monitor"])
    response = client.get(URL)
    overdue = response.context["groups"][0]
    # The earliest due first: two of the four unregistered births (30 days after each
    # birth); the other births and the pretrial limit are not shown.
    assert (overdue.total, len(overdue.items), overdue.hidden) == (5, 2, 3)
    assert [i.kind for i in overdue.items] == ["birth_not_registered"] * 2
    assert [i.due_date for i in overdue.items] == [
        TODAY - timedelta(days=72),
        TODAY - timedelta(days=71),
    ]
    assert "3 more items are not shown" in response.text
    # The page shows the first rows of the whole list.
    everything = [i for i in worklist_for(users["monitor"], TODAY) if i.urgency == "overdue"]
    assert [i.key for i in overdue.items] == [i.key for i in everything[:2]]
