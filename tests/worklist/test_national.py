"""On the national preset, the JSON worklist lists every child living in prison whose
leave-by date falls within 90 days (or has passed), and no other child, checked against a
count written by hand in SQL."""

from __future__ import annotations

import calendar
import json
from datetime import date, timedelta
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motherline.core.actors import SystemActor
from motherline.jurisdictions.loader import load_pack
from motherline.people.models import Child
from motherline.synthetic import generate
from motherline.worklist.queries import WorklistFilters, worklist_for, worklist_page

# The command line's read-only view of the whole register.
SYSTEM = SystemActor("worklist")

AS_OF = date(2026, 6, 15)
HORIZON = AS_OF + timedelta(days=90)


def years_before(day: date, years: int) -> date:
    """The last birth date at least `years` whole years before `day` (a child born on
    29 February is a year older on 28 February when the year has no 29 February)."""
    year = day.year - years
    if (day.month, day.day) == (2, 28) and calendar.isleap(year):
        return date(year, 2, 29)
    if (day.month, day.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def children_due_by_sql(horizon: date, on: date | None = None) -> set[str]:
    """Children with an open in-prison placement (or one covering the day `on`) who reach
    the age limit of some rule of Cambodia while it is in force, on or before `horizon`:
    the rules read with SQL, the birth-date bound of each rule worked out here, the
    children selected with SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.max_age_months, r.effective_from, r.effective_to
            FROM jurisdictions_agelimitrule r
            JOIN jurisdictions_jurisdiction j ON j.id = r.jurisdiction_id
            WHERE j.code = %s
            """,
            ["KH"],
        )
        age_rules = cursor.fetchall()
        bounds = []
        for months, starts, ends in age_rules:
            assert months % 12 == 0  # whole years in the pack, so the bound is exact
            starts = date.fromisoformat(str(starts)) if starts else None
            ends = date.fromisoformat(str(ends)) if ends else None
            last_day = min(ends, horizon) if ends else horizon
            if starts is None or starts <= last_day:
                bounds.append(years_before(last_day, months // 12))
        assert bounds
        condition = " OR ".join(["c.date_of_birth <= %s"] * len(bounds))
        placed = "p.end_date IS NULL"
        if on is not None:
            placed = "p.start_date <= %s AND (p.end_date IS NULL OR p.end_date > %s)"
            bounds = [on, on, *bounds]
        cursor.execute(
            f"""
            SELECT DISTINCT c.reference
            FROM people_child c
            JOIN people_placement p ON p.child_id = c.id
            WHERE p.kind = 'in_prison' AND {placed} AND ({condition})
            """,
            bounds,
        )
        return {row[0] for row in cursor.fetchall()}


def children_in_prison_by_sql() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT child_id) FROM people_placement "
            "WHERE kind = 'in_prison' AND end_date IS NULL"
        )
        return cursor.fetchone()[0]


def test_national_worklist_lists_exactly_the_children_near_or_past_the_age_limit(db):
    load_pack("kh")
    generate("national", 1, today=AS_OF)

    out = StringIO()
    call_command("worklist", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    items = json.loads(out.getvalue())
    listed = {i["subject"] for i in items if i["kind"] == "child_age_limit"}

    expected = children_due_by_sql(HORIZON)
    assert listed == expected
    # Not a trivial agreement: some children in prison are inside the window, some outside,
    # and a few are already past the limit.
    assert 0 < len(expected) < children_in_prison_by_sql()
    overdue = {
        i["subject"] for i in items if i["kind"] == "child_age_limit" and i["urgency"] == "overdue"
    }
    assert overdue and overdue < listed
    assert overdue == children_due_by_sql(AS_OF - timedelta(days=1))
    assert all(i["due_date"] <= HORIZON.isoformat() for i in items)
    assert all("name" not in i for i in items)

    # A list a monitor can empty: under 300 items, every kind the data has (the register
    # only: no plans, no visits here), and no birth registration asked for a child of 18.
    assert len(items) < 300
    kinds = {i["kind"] for i in items}
    assert {
        "birth_not_registered",
        "child_age_limit",
        "expected_delivery",
        "expected_release",
        "pretrial_limit",
    } <= kinds
    births = [i["subject"] for i in items if i["kind"] == "birth_not_registered"]
    eighteen = years_before(AS_OF, 18)
    assert not Child.objects.filter(reference__in=births, date_of_birth__lte=eighteen).exists()
    assert all(i["action"] != i["link"] for i in items if i["kind"] != "visit_action_overdue")

    # The whole national list costs the same few queries as a small one.
    with CaptureQueriesContext(connection) as ctx:
        everything = worklist_for(SYSTEM, AS_OF)
    assert len(everything) == len(items)
    assert len(ctx.captured_queries) <= 12
    with CaptureQueriesContext(connection) as ctx:
        worklist_for(SYSTEM, AS_OF, WorklistFilters(prison="KH-CC2"))
    assert len(ctx.captured_queries) <= 12

    # Read a page at a time, the list is the same, item for item, at the same cost per page.
    paged, cursor, pages = [], None, 0
    while True:
        with CaptureQueriesContext(connection) as ctx:
            page = worklist_page(SYSTEM, AS_OF, after=cursor, size=97)
        assert len(ctx.captured_queries) <= 12
        paged += page.items
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert [i.key for i in paged] == [i.key for i in everything]
    assert pages == -(-len(everything) // 97)

    # Ninety days back, the list of the register as it stood then: the children living in
    # prison that day near or past the limit, a constant number of queries.
    then = AS_OF - timedelta(days=90)
    with CaptureQueriesContext(connection) as ctx:
        past = worklist_for(SYSTEM, then)
    assert len(ctx.captured_queries) <= 22
    past_children = {i.subject.reference for i in past if i.kind == "child_age_limit"}
    assert past_children == children_due_by_sql(then + timedelta(days=90), on=then)
    assert past_children != listed
