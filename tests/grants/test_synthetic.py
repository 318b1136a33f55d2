"""The demo's field work and grant: written by the generate command, deterministic, and
every record obeys the rules the services enforce."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command
from django.db.models import Sum

from motherline.fieldwork.models import (
    AccessIncident,
    CaseStudy,
    FollowUpAction,
    PrisonVisit,
    TrainingSession,
)
from motherline.grants import rules
from motherline.grants.models import Grant, ServiceDelivery
from motherline.jurisdictions.loader import load_pack
from motherline.jurisdictions.models import Jurisdiction
from motherline.synthetic.fieldwork import GRANT_REFERENCE, generate_fieldwork

TODAY = date(2026, 6, 15)


def _snapshot() -> list:
    return [
        list(
            PrisonVisit.objects.order_by("id").values_list("prison__code", "visit_date", "access")
        ),
        list(ServiceDelivery.objects.order_by("id").values_list("woman__reference", "cost")),
    ]


def test_generate_writes_the_demo_field_work(db):
    load_pack("kh")
    call_command("generate", preset="demo", seed=3, today=TODAY.isoformat(), stdout=StringIO())
    grant = Grant.objects.get(reference=GRANT_REFERENCE)
    assert grant.amount == Decimal("16300.00") and grant.currency == "USD"
    assert grant.budget_lines.aggregate(t=Sum("amount"))["t"] == Decimal("16300.00")
    assert PrisonVisit.objects.exists() and AccessIncident.objects.exists()
    assert TrainingSession.objects.filter(participants__isnull=False).exists()
    assert CaseStudy.objects.filter(status="published").count() == 1
    assert FollowUpAction.objects.filter(status="open", due_date__lt=TODAY).exists()
    deliveries = ServiceDelivery.objects.select_related("budget_line").prefetch_related(
        "woman__episodes"
    )
    assert deliveries.count() > 50
    for line in grant.budget_lines.all():
        spent = line.deliveries.aggregate(t=Sum("cost"))["t"] or 0
        assert spent <= line.amount
    for d in deliveries:
        assert grant.starts_on <= d.delivered_on <= min(TODAY, grant.ends_on)
        if d.to_woman:
            episodes = [(e.admission_date, e.release_date) for e in d.woman.episodes.all()]
            assert rules.custody_error(d.delivered_on, episodes) == ""
        else:
            assert d.child.mother_id == d.woman_id
    first = _snapshot()
    # Running it again adds nothing.
    generate_fieldwork(Jurisdiction.objects.get(code="KH"), 3, TODAY)
    assert _snapshot() == first
