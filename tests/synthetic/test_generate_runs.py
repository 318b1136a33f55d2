"""Generating twice: the same seed gives the same data, a filled register is refused unless
forced, and a forced run adds women without clashing references."""

from __future__ import annotations

from datetime import date

from motherline.accounts.models import AuditEvent
from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.models import AgeLimitRule
from motherline.jurisdictions.rules import add_months, leave_by_date
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    Placement,
    PlacementKind,
    Woman,
)
from motherline.places.models import Prison
from motherline.synthetic import generate

TODAY = date(2026, 6, 15)


def snapshot():
    women = list(
        Woman.objects.order_by("id").values_list(
            "reference", "name", "name_latin", "register_number", "date_of_birth"
        )[:50]
    )
    children = list(Child.objects.order_by("id").values_list("reference", "date_of_birth")[:50])
    placements = list(
        Placement.objects.order_by("id").values_list("kind", "start_date", "end_date")[:50]
    )
    return women, children, placements


def summary(report):
    return [value for label, value in report.summary()[:-1]]  # all but the seconds


def test_the_same_seed_gives_the_same_data(kh):
    first = generate("demo", 7, today=TODAY)
    before = snapshot()
    Woman.objects.all().delete()
    second = generate("demo", 7, today=TODAY)
    assert summary(first) == summary(second)
    assert snapshot() == before


def test_another_seed_gives_other_women(kh):
    generate("demo", 7, today=TODAY)
    before = snapshot()
    Woman.objects.all().delete()
    generate("demo", 8, today=TODAY)
    assert snapshot()[0] != before[0]
    assert not {w[0] for w in snapshot()[0]} & {w[0] for w in before[0]}


def test_a_register_with_women_is_refused_unless_forced(kh):
    generate("demo", 1, today=TODAY)
    count = Woman.objects.count()
    refused = generate("demo", 1, today=TODAY)
    assert refused.refused and "--force" in refused.message
    assert refused.women == 0
    assert Woman.objects.count() == count

    added = generate("demo", 1, today=TODAY, force=True)
    assert not added.refused
    assert Woman.objects.count() == 2 * count == count + added.women
    assert Woman.objects.values("reference").distinct().count() == 2 * count
    assert Child.objects.values("reference").distinct().count() == Child.objects.count()


def test_a_run_is_on_the_audit_trail(kh):
    report = generate("demo", 3, today=TODAY)
    event = AuditEvent.objects.get(object_type="synthetic data")
    assert event.object_ref == "demo/3"
    assert event.user is None and event.username == "system:synthetic"
    assert event.changes["women"] == report.women


def test_another_jurisdiction_uses_its_own_prisons_offences_and_age_limit(db):
    load_pack("ke")
    report = generate("demo", 2, today=TODAY, jurisdiction_code="KE")
    assert report.in_custody == 150
    assert set(CustodyEpisode.objects.values_list("current_prison__code", flat=True)) <= set(
        Prison.objects.filter(province__jurisdiction__code="KE").values_list("code", flat=True)
    )
    assert set(Charge.objects.values_list("offence_category__jurisdiction__code", flat=True)) == {
        "KE"
    }
    rules = list(AgeLimitRule.objects.filter(jurisdiction__code="KE"))
    inside = Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
    over = [p for p in inside if leave_by_date(p.child.date_of_birth, rules) <= TODAY]
    # One overstay, judged by Kenya's limit of four years, not Cambodia's three.
    assert len(over) == 1
    assert add_months(over[0].child.date_of_birth, 48) <= TODAY
