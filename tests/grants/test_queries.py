"""A grant's figures: spending by line and month, beneficiaries counted once, pregnant
women at the date of the service, all from database aggregates."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from motherline.grants import queries
from motherline.people import services as people_services
from tests.conftest import TODAY
from tests.factories import admit, children_of
from tests.grants.conftest import ADMITTED, deliver


def test_reach_counts_each_beneficiary_once(users, prisons, grant, mother):
    child = children_of(mother)[0]
    for days in (5, 15, 40):
        deliver(users["monitor"], mother, grant, delivered_on=TODAY - timedelta(days=days))
    deliver(users["monitor"], mother, grant, to_woman=False, child=child)
    deliver(users["monitor"], mother, grant, child=child)  # both at once
    other = admit(users["monitor"], prisons["CC2"])
    deliver(users["monitor"], other, grant, cost=Decimal("10.50"))
    reach = queries.reach(grant.deliveries.all())
    assert (reach.women, reach.children, reach.deliveries) == (2, 1, 6)
    assert reach.cost == Decimal("135.50")


def test_pregnant_women_at_the_date_of_the_service(users, prisons, grant):
    woman = admit(users["monitor"], prisons["CC2"], admission_date=ADMITTED)
    people_services.record_pregnancy(
        users["monitor"], woman, known_since=TODAY - timedelta(days=30), today=TODAY
    )
    deliver(users["monitor"], woman, grant, delivered_on=TODAY - timedelta(days=60))
    assert queries.reach(grant.deliveries.all()).pregnant_women == 0
    deliver(users["monitor"], woman, grant, delivered_on=TODAY - timedelta(days=10))
    deliver(users["monitor"], woman, grant, delivered_on=TODAY - timedelta(days=5))
    reach = queries.reach(grant.deliveries.all())
    assert (reach.women, reach.pregnant_women) == (1, 1)


def test_spending_by_line_and_month(users, grant, mother, django_assert_max_num_queries):
    legal = grant.budget_lines.get(code="2")
    deliver(users["monitor"], mother, grant, delivered_on=date(2026, 5, 20), cost=Decimal("30"))
    deliver(users["monitor"], mother, grant, delivered_on=date(2026, 6, 1), cost=Decimal("20"))
    deliver(
        users["monitor"],
        mother,
        grant,
        delivered_on=date(2026, 6, 2),
        cost=Decimal("100"),
        budget_line=legal,
        service_type="legal_aid",
    )
    deliver(users["monitor"], mother, grant, delivered_on=date(2026, 6, 3), budget_line=None)
    with django_assert_max_num_queries(6):
        report = queries.grant_report(grant, date(2026, 6, 1), date(2026, 6, 30))
    lines = {line.code: line for line in report.lines}
    assert (lines["1"].spent, lines["1"].spent_to_date) == (Decimal("20"), Decimal("50"))
    assert (lines["2"].spent, lines["2"].remaining) == (Decimal("100"), Decimal("4900"))
    assert report.unallocated == Decimal("25")
    assert report.spent_total == Decimal("145")
    assert [(m.month, m.by_line, m.total) for m in report.months] == [
        (date(2026, 6, 1), [Decimal("20"), Decimal("100")], Decimal("145"))
    ]
    assert {s.service_type: s.deliveries for s in report.services} == {
        "food_supplement": 2,
        "legal_aid": 1,
    }
