"""The prisons overview: counts by prison and province, and who may see it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.accounts.models import Role, User
from motherline.people import services
from tests.factories import TODAY, admit, child_in_prison, child_outside, current_version

URL = reverse("people:prisons")


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def register(users, prisons):
    """CC2: 3 women in custody (1 pregnant, 1 with 2 children inside and 1 outside) and one
    released; KDL: 1 pregnant woman with a child inside. CC1 holds nobody."""
    monitor = users["monitor"]
    admit(monitor, prisons["CC2"], is_pregnant=True)
    admit(
        monitor,
        prisons["CC2"],
        children=[
            child_in_prison(date(2024, 1, 5)),
            child_in_prison(date(2025, 2, 1)),
            child_outside(date(2015, 6, 1)),
        ],
    )
    admit(monitor, prisons["CC2"])
    released = admit(monitor, prisons["CC2"], children=[child_in_prison(date(2025, 5, 1))])
    services.record_release(
        monitor,
        released.current_episode,
        TODAY - timedelta(days=5),
        "end_of_sentence",
        today=TODAY,
        version=current_version(released.current_episode),
    )
    admit(
        monitor,
        prisons["KDL"],
        is_pregnant=True,
        children=[child_in_prison(date(2025, 9, 9))],
    )


def _row(groups, code):
    for group in groups:
        for row in group.prisons:
            if row.prison.code == code:
                return row
    raise AssertionError(code)


def test_counts_by_prison_province_and_nation(client, users, register):
    client.force_login(users["monitor"])
    response = client.get(URL)
    assert response.status_code == 200
    groups = response.context["groups"]
    cc2, cc1, kdl = _row(groups, "CC2"), _row(groups, "CC1"), _row(groups, "KDL")
    assert (cc2.women, cc2.pregnant, cc2.children) == (3, 1, 2)
    assert (cc1.women, cc1.pregnant, cc1.children) == (0, 0, 0)
    assert (kdl.women, kdl.pregnant, kdl.children) == (1, 1, 1)
    by_province = {g.province.code: (g.women, g.pregnant, g.children) for g in groups}
    assert by_province == {"KH-12": (3, 1, 2), "KH-8": (1, 1, 1)}
    assert response.context["totals"] == {"women": 4, "pregnant": 2, "children": 3}
    text = response.text
    assert "Phnom Penh" in text and "Kandal" in text
    assert "Correctional Centre 2" in text
    assert "does not hold women" in text  # CC1


def test_prison_names_link_to_the_register_for_those_who_may_see_it(client, users, register):
    client.force_login(users["monitor"])
    text = client.get(URL).text
    assert f'href="{reverse("people:women")}?prison=CC2"' in text
    assert f'href="{reverse("people:women")}?province=KH-8"' in text


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_aggregate_roles_see_counts_but_no_links_to_names(client, users, register, role):
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["totals"]["women"] == 4
    assert "?prison=" not in response.text


def test_counts_are_national_whatever_the_user_scope(client, users, register):
    # Counts carry no names, so a monitor of an unrelated NGO sees the same totals.
    client.force_login(users["other_monitor"])
    response = client.get(URL)
    assert response.context["totals"] == {"women": 4, "pregnant": 2, "children": 3}


def test_account_without_organisation_is_refused(client, prisons):
    user = User.objects.create_user(username="nobody", password="x" * 14, role=Role.ANALYST)
    client.force_login(user)
    assert client.get(URL).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_query_count_does_not_grow_with_the_register(client, users, prisons):
    client.force_login(users["monitor"])
    admit(users["monitor"], prisons["CC2"], is_pregnant=True)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for _ in range(6):
        admit(users["monitor"], prisons["KDL"], children=[child_in_prison(date(2025, 1, 1))])
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)
    assert response.context["totals"]["women"] == 7
    assert len(large) == len(small)
    assert len(large) < 15


def test_the_province_map_shows_the_same_counts(client, users, register):
    client.force_login(users["viewer"])
    response = client.get(URL)
    tiles = {t.code: t.value for row in response.context["map_grid"] for t in row if t}
    assert tiles["KH-12"] == 3 and tiles["KH-8"] == 1
    assert 'class="tilemap"' in response.text and "motherline/stats.css" in response.text
