"""The list of prison visits, on the page and through the API: by date of the visit, newest
first, the most recently recorded first among visits of the same day; paged by a cursor of
(date, id) so that a page ending among visits of one day neither skips nor repeats one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.fieldwork.models import PrisonVisit
from motherline.fieldwork.queries import VisitCursor
from tests.fieldwork.conftest import VISITED, Api, record


@pytest.fixture
def late_recorded(users, prisons) -> list[PrisonVisit]:
    """Six visits, recorded in this order, and the order the list must show them in: two
    recorded late for earlier days, and three on one day so a page can end among them."""
    monitor = users["monitor"]
    may = record(monitor, prisons["CC2"], visit_date=VISITED - timedelta(days=30))
    june_a = record(monitor, prisons["CC2"], visit_date=VISITED)
    june_b = record(monitor, prisons["KDL"], visit_date=VISITED)
    april = record(monitor, prisons["KDL"], visit_date=VISITED - timedelta(days=60))
    june_c = record(monitor, prisons["CC2"], visit_date=VISITED)
    late_may = record(monitor, prisons["KDL"], visit_date=VISITED - timedelta(days=30))
    return [june_c, june_b, june_a, late_may, may, april]


def page_walk(fetch, size: int) -> list[list[int]]:
    """Every page's visit ids, following the next cursor from the first page to the last."""
    pages, cursor = [], ""
    while True:
        ids, cursor = fetch(size, cursor)
        pages.append(ids)
        if not cursor:
            return pages
        assert len(pages) < 10, "the cursor does not advance"


@pytest.mark.parametrize("size", [1, 2, 3, 4, 6, 7])
def test_page_walks_the_visits_by_date_newest_first(client, users, late_recorded, settings, size):
    settings.MOTHERLINE_PAGE_SIZE = size
    client.force_login(users["monitor"])
    url = reverse("fieldwork:visits")

    def fetch(size: int, cursor: str) -> tuple[list[int], str]:
        response = client.get(url, {"after": cursor} if cursor else {})
        assert response.status_code == 200
        assert response.context["page"].total == 6
        assert bool(response.context["first_url"]) == bool(cursor)
        next_url = response.context["next_url"]
        return [v.pk for v in response.context["page"].items], (
            next_url.split("after=")[1] if next_url else ""
        )

    pages = page_walk(fetch, size)
    assert [pk for page in pages for pk in page] == [v.pk for v in late_recorded]
    assert all(len(page) == size for page in pages[:-1])


def test_page_boundary_between_visits_of_the_same_day(client, users, late_recorded, settings):
    # Pages of two: the first ends on the second of the three visits of VISITED.
    settings.MOTHERLINE_PAGE_SIZE = 2
    june_c, june_b, june_a, late_may, *_ = late_recorded
    client.force_login(users["monitor"])
    first = client.get(reverse("fieldwork:visits"))
    assert [v.pk for v in first.context["page"].items] == [june_c.pk, june_b.pk]
    assert first.context["next_url"] == f"?after={VISITED.isoformat()}.{june_b.pk}"
    second = client.get(reverse("fieldwork:visits") + first.context["next_url"])
    assert [v.pk for v in second.context["page"].items] == [june_a.pk, late_may.pk]


def test_the_page_shows_the_dates_in_order(client, users, late_recorded):
    client.force_login(users["monitor"])
    text = client.get(reverse("fieldwork:visits")).text
    shown = [text.index(f'href="{reverse("fieldwork:visit", args=[v.pk])}"') for v in late_recorded]
    assert shown == sorted(shown)


def test_prison_history_is_ordered_by_date_too(client, users, prisons, late_recorded, settings):
    settings.MOTHERLINE_PAGE_SIZE = 1
    june_c, _, june_a, _, may, _ = late_recorded
    client.force_login(users["monitor"])
    url = reverse("fieldwork:prison", args=["CC2"])
    seen, query = [], ""
    for _ in range(4):
        response = client.get(url + query)
        assert response.context["page"].total == 3
        seen += [v.pk for v in response.context["page"].items]
        query = response.context["next_url"] or ""
        if not query:
            break
    assert seen == [june_c.pk, june_a.pk, may.pk]


def test_a_cursor_the_page_did_not_give_shows_the_first_page(client, users, late_recorded):
    client.force_login(users["monitor"])
    for cursor in ("42", "2026-13-01.4", "2026-05-26.x", "."):
        response = client.get(reverse("fieldwork:visits"), {"after": cursor})
        assert response.status_code == 200
        assert response.context["page"].items[0].pk == late_recorded[0].pk


@pytest.mark.parametrize("size", [1, 2, 4, 5])
def test_api_walks_the_visits_by_date_newest_first(client, users, late_recorded, size):
    api = Api(client, users["monitor"])

    def fetch(size: int, cursor: str) -> tuple[list[int], str]:
        response = api.get(f"/visits?size={size}" + (f"&after={cursor}" if cursor else ""))
        assert response.status_code == 200
        body = response.json()
        assert body["total"] == 6
        return [item["id"] for item in body["items"]], body["next_cursor"] or ""

    pages = page_walk(fetch, size)
    assert [pk for page in pages for pk in page] == [v.pk for v in late_recorded]


def test_api_page_boundary_between_visits_of_the_same_day(client, users, late_recorded):
    june_c, june_b, june_a, late_may, *_ = late_recorded
    api = Api(client, users["monitor"])
    first = api.get("/visits?size=2").json()
    assert [item["id"] for item in first["items"]] == [june_c.pk, june_b.pk]
    assert first["next_cursor"] == str(VisitCursor(VISITED, june_b.pk))
    second = api.get(f"/visits?size=2&after={first['next_cursor']}").json()
    assert [item["id"] for item in second["items"]] == [june_a.pk, late_may.pk]
    # The prison filter pages the same way.
    cc2 = api.get("/visits?size=1&prison=CC2").json()
    assert cc2["total"] == 3
    cc2_next = api.get(f"/visits?size=1&prison=CC2&after={cc2['next_cursor']}").json()
    assert [item["id"] for item in cc2_next["items"]] == [june_a.pk]


@pytest.mark.parametrize("cursor", ["42", "2026-13-01.4", "2026-05-26.", "2026-05-26.0"])
def test_api_refuses_a_cursor_it_did_not_give(client, users, late_recorded, cursor):
    response = Api(client, users["monitor"]).get(f"/visits?after={cursor}")
    assert response.status_code == 422
    assert "after" in response.text


def test_api_page_reads_visits_in_two_queries_whatever_its_size(client, users, late_recorded):
    api = Api(client, users["monitor"])
    for size, cursor in ((1, ""), (4, f"&after={VisitCursor(VISITED, late_recorded[1].pk)}")):
        with CaptureQueriesContext(connection) as captured:
            body = api.get(f"/visits?size={size}{cursor}").json()
        assert len(body["items"]) == size and body["total"] == 6
        on_visits = [q["sql"] for q in captured if "fieldwork_prisonvisit" in q["sql"]]
        # The page (prison and organisation joined) and the count, done by the database.
        assert len(on_visits) == 2
        assert sum("COUNT(" in sql for sql in on_visits) == 1
