"""The national preset agrees with the figures in FACTS.md (one run of ~8,000 women)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.accounts.models import User
from motherline.jurisdictions.models import AgeLimitRule
from motherline.jurisdictions.rules import leave_by_date
from motherline.people.models import (
    Charge,
    CustodyEpisode,
    LegalStatus,
    Placement,
    PlacementKind,
    Woman,
)
from motherline.synthetic import ensure_demo_users, generate

TODAY = date(2026, 6, 15)
MINOR_OFFENCES = {
    "theft",
    "receiving_stolen_goods",
    "breach_of_trust",
    "damage_to_property",
    "illegal_fishing",
    "fraud",
    "forgery",
    "forestry_offence",
}


def test_national_figures_match_the_facts_and_the_register_pages_stay_cheap(kh, client):
    report = generate("national", 1, today=TODAY)
    held = CustodyEpisode.objects.filter(release_date__isnull=True)
    n = held.count()
    assert n == report.in_custody >= 2500
    assert Woman.objects.filter(current_episode__isnull=True).count() >= 5000
    assert 50 <= report.pregnant <= 70
    assert 150 <= report.children_in_prison <= 200

    # Over a third pretrial; over a third drug-related; another third minor offences.
    assert held.filter(legal_status=LegalStatus.PRETRIAL).count() > n / 3
    drug = held.filter(
        Exists(
            Charge.objects.filter(episode=OuterRef("pk"), offence_category__is_drug_related=True)
        )
    ).count()
    assert drug > n / 3
    first_charge = {}
    for episode_id, code in (
        Charge.objects.filter(episode__in=held)
        .order_by("id")
        .values_list("episode_id", "offence_category__code")
    ):
        first_charge.setdefault(episode_id, code)
    minor = sum(code in MINOR_OFFENCES for code in first_charge.values())
    assert 0.25 * n < minor < 0.45 * n

    # CC2 (Prey Sar) is by far the largest prison for women.
    (first, most), (_, second) = Counter(
        held.values_list("current_prison__code", flat=True)
    ).most_common(2)
    assert first == "KH-CC2" and most > 3 * second

    # History back to 2008.
    assert CustodyEpisode.objects.order_by("admission_date").first().admission_date.year == 2008

    # Children in prison: 1 month to about 4 years, about half born inside, a few overstays.
    inside = list(
        Placement.objects.filter(
            kind=PlacementKind.IN_PRISON, end_date__isnull=True
        ).select_related("child")
    )
    ages = [(TODAY - p.child.date_of_birth).days for p in inside]
    assert min(ages) >= 28 and max(ages) < 4 * 365
    born_inside = sum(p.child.born_in_custody for p in inside)
    assert 0.35 * len(inside) < born_inside < 0.65 * len(inside)
    rules = list(AgeLimitRule.objects.filter(jurisdiction__code="KH"))
    overstays = sum(leave_by_date(p.child.date_of_birth, rules) <= TODAY for p in inside)
    assert 1 <= overstays <= 10

    # Almost all women have dependent children.
    assert Woman.objects.filter(dependent_children__gt=0).count() > 0.85 * report.women

    # The register's busy pages at national scale: a constant, small number of queries
    # whatever the page size (the database does the counting).
    ensure_demo_users("a-long-test-password")
    client.force_login(User.objects.get(username="monitor"))
    counts = {}
    for size in (10, 200):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("people:women"), {"size": size, "in_custody": "1"})
        assert response.status_code == 200
        assert response.content.count(b'href="/women/W-') >= size
        counts[size] = len(queries)
    assert counts[10] == counts[200] < 30
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("people:prisons")).status_code == 200
    assert len(queries) < 15
