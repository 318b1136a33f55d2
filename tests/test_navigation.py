"""The main navigation in the top bar: for each role exactly the pages its capabilities
open, the daily ones in the bar and the others under named groups (a group with no entry
for the user is not there), and the current page marked with its group."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import translation

from motherline.accounts.models import Role, User
from tests.conftest import PASSWORD


class NavReader(HTMLParser):
    """The links of `<nav class="mainnav">` as (group, href, current) with group None for the
    bar, and each group's summary as (label, current)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # elements open inside the nav; 0 outside it
        self.group: str | None = None
        self.in_summary = False
        self.links: list[tuple[str | None, str, str | None]] = []
        self.summaries: list[tuple[str, str | None]] = []
        self.summary_current: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if self.depth == 0:
            if tag == "nav" and attr.get("class") == "mainnav":
                self.depth = 1
            return
        self.depth += 1
        if tag == "summary":
            self.in_summary, self.group = True, ""
            self.summary_current = attr.get("aria-current")
        elif tag == "a":
            self.links.append((self.group, attr["href"] or "", attr.get("aria-current")))

    def handle_endtag(self, tag: str) -> None:
        if self.depth == 0:
            return
        self.depth -= 1
        if tag == "summary":
            self.in_summary = False
            self.group = (self.group or "").strip()
            self.summaries.append((self.group, self.summary_current))
        elif tag == "details":
            self.group = None

    def handle_data(self, data: str) -> None:
        if self.in_summary:
            self.group = (self.group or "") + data


def read_nav(html: str) -> NavReader:
    reader = NavReader()
    reader.feed(html)
    return reader


def nav_of(html: str) -> dict[str | None, list[str]]:
    """The nav's hrefs by group (None: the bar), each list in the order shown."""
    found: dict[str | None, list[str]] = {}
    for group, href, _ in read_nav(html).links:
        found.setdefault(group, []).append(href)
    return found


WORKLIST, WOMEN, PRISONS = "worklist:list", "people:women", "people:prisons"
ADMIT, LEGAL, VISITS, GRANTS = "people:admit", "legal:cases", "fieldwork:visits", "grants:list"
STATISTICS, AUDIT, USERS = "stats:index", "security:audit", "security:users"
MINE, LOADS, REFERRALS = "casework:my_cases", "casework:case_loads", "casework:referrals"
JOBS = "jobs:list"
DAILY = [WORKLIST, WOMEN, PRISONS]

EXPECTED: dict[str, dict[str | None, list[str]]] = {
    Role.ADMINISTRATOR: {
        None: DAILY,
        "Register": [ADMIT, LEGAL, MINE, REFERRALS],
        "Field work": [VISITS, GRANTS, LOADS],
        "Reports": [STATISTICS],
        "Administration": [USERS, AUDIT],
    },
    Role.MONITOR: {
        None: DAILY,
        "Register": [ADMIT, LEGAL, MINE, REFERRALS],
        "Field work": [VISITS],
        "Reports": [STATISTICS],
    },
    Role.LEGAL_OFFICER: {
        None: DAILY,
        "Register": [ADMIT, LEGAL, MINE, REFERRALS],
        "Field work": [VISITS],
        "Reports": [STATISTICS],
    },
    # No prison visits for a liaison officer, so no field-work group at all.
    Role.PRISON_LIAISON: {
        None: DAILY,
        "Register": [ADMIT, LEGAL, MINE],
        "Reports": [STATISTICS],
    },
    Role.PROGRAMME_MANAGER: {
        None: DAILY,
        "Register": [LEGAL, MINE, REFERRALS],
        "Field work": [VISITS, GRANTS, LOADS],
        "Reports": [STATISTICS],
    },
    # Two pages fit in the bar: no group to open.
    Role.ANALYST: {None: [PRISONS, STATISTICS]},
    Role.VIEWER: {None: [PRISONS, STATISTICS]},
    # No register; the daily jobs are the deployment's, so theirs alone.
    Role.DEPLOYMENT_ADMINISTRATOR: {
        None: [PRISONS],
        "Reports": [STATISTICS],
        "Administration": [USERS, AUDIT, JOBS],
    },
}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_pages_it_may_open(client, users, role):
    client.force_login(users[role.value])
    response = client.get(reverse(PRISONS))
    assert response.status_code == 200
    expected = {group: [reverse(n) for n in names] for group, names in EXPECTED[role].items()}
    assert nav_of(response.text) == expected
    # Every entry opens for the role: the nav offers no page that answers 403.
    for hrefs in expected.values():
        for href in hrefs:
            assert client.get(href).status_code == 200, href


def test_every_role_is_in_the_table():
    assert set(EXPECTED) == set(Role)


def test_a_liaison_officer_without_a_prison_sees_only_the_counts(client, orgs):
    liaison = User.objects.create_user(
        username="no_prison", password=PASSWORD, organisation=orgs["ngo"], role="prison_liaison"
    )
    client.force_login(liaison)
    assert nav_of(client.get(reverse(PRISONS)).text) == {
        None: [reverse(PRISONS), reverse(STATISTICS)]
    }


def test_an_account_without_access_gets_no_nav(client, db):
    lonely = User.objects.create_user(username="lonely", password=PASSWORD, role=Role.MONITOR)
    client.force_login(lonely)
    text = client.get(reverse("home")).text
    assert 'class="mainnav"' not in text


def test_signed_out_pages_have_no_nav(client, db):
    assert 'class="mainnav"' not in client.get(reverse("login")).text


@pytest.mark.parametrize(
    ("page", "current", "group"),
    [
        (reverse(WORKLIST), WORKLIST, None),
        (reverse(LEGAL), LEGAL, "Register"),
        (reverse(ADMIT), ADMIT, "Register"),
        (reverse(VISITS), VISITS, "Field work"),
        (reverse("fieldwork:training"), VISITS, "Field work"),
        (reverse(STATISTICS), STATISTICS, "Reports"),
        (reverse(AUDIT), AUDIT, "Administration"),
    ],
)
def test_the_current_page_and_its_group_are_marked(client, users, page, current, group):
    client.force_login(users["administrator"])
    nav = read_nav(client.get(page).text)
    assert [href for _, href, mark in nav.links if mark == "page"] == [reverse(current)]
    assert [label for label, mark in nav.summaries if mark == "true"] == ([group] if group else [])


@pytest.fixture
def khmer():
    translation.activate("km")
    yield
    translation.activate("en")


def test_groups_are_named_in_khmer(client, users, khmer):
    client.force_login(users["administrator"])
    client.post(reverse("set_language"), {"language": "km", "next": reverse(PRISONS)})
    text = client.get(reverse(PRISONS)).text
    labels = [label for label, _ in read_nav(text).summaries]
    assert labels == ["បញ្ជី", "ការងារនៅមូលដ្ឋាន", "របាយការណ៍", "រដ្ឋបាល"]
