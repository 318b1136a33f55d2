"""The correction of a record (`records.correction.correct`), said once for every app: only
the allowed fields, from the version read, judged whole, one audit row, the record re-read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.versions import StaleVersion
from motherline.grants import services
from motherline.grants.models import BudgetLine, Grant
from motherline.records.correction import correct

ALLOWED = ("donor", "amount", "starts_on", "ends_on")


@pytest.fixture
def grant(users, orgs) -> Grant:
    return services.create_grant(
        users["programme_manager"],
        services.GrantValues(
            reference="G-2026-07",
            donor="Small Grants Fund",
            amount=Decimal("1000.00"),
            currency="USD",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            purpose="Legal aid",
            grantees=[orgs["ngo"]],
        ),
    )


def _changes() -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(action=AuditAction.CHANGE).values_list("changes", flat=True)
    )


def test_only_the_fields_given_change_and_the_row_shows_those_asked(users, grant):
    corrected = correct(
        users["programme_manager"],
        grant,
        {"donor": "  Small Grants Fund (UN) ", "ends_on": date(2027, 3, 31)},
        allowed=ALLOWED,
        version=grant.version,
        shown=("ends_on",),
    )
    assert corrected is not grant
    assert (corrected.donor, corrected.ends_on, corrected.amount) == (
        "Small Grants Fund (UN)",
        date(2027, 3, 31),
        Decimal("1000.00"),
    )
    assert corrected.version == grant.version + 1
    event = AuditEvent.objects.get(action=AuditAction.CHANGE)
    assert (event.object_type, event.object_ref) == ("grants.Grant", "G-2026-07")
    assert event.changes == {
        "fields": ["donor", "ends_on"],
        "values": {"ends_on": ["2026-12-31", "2027-03-31"]},
    }


def test_the_rule_judges_the_corrected_whole_and_a_refusal_writes_nothing(users, grant):
    judged: list[dict[str, Any]] = []

    def errors_of(merged: dict[str, Any]) -> dict[str, str]:
        judged.append(merged)
        return {"ends_on": "Before the start."} if merged["ends_on"] < merged["starts_on"] else {}

    with pytest.raises(ValidationError) as refused:
        correct(
            users["programme_manager"],
            grant,
            {"ends_on": date(2025, 12, 31)},
            allowed=ALLOWED,
            version=grant.version,
            errors_of=errors_of,
        )
    assert refused.value.message_dict == {"ends_on": ["Before the start."]}
    assert judged == [
        {
            "donor": "Small Grants Fund",
            "amount": Decimal("1000.00"),
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2025, 12, 31),
        }
    ]
    grant.refresh_from_db()
    assert grant.ends_on == date(2026, 12, 31)
    assert _changes() == []


def test_a_stale_version_is_refused_and_the_first_change_stands(users, grant):
    with pytest.raises(StaleVersion):
        correct(
            users["programme_manager"],
            grant,
            {"donor": "Another"},
            allowed=ALLOWED,
            version=grant.version - 1,
        )
    grant.refresh_from_db()
    assert grant.donor == "Small Grants Fund"
    assert _changes() == []


def test_a_field_not_allowed_is_the_callers_mistake(users, grant):
    with pytest.raises(TypeError, match="cannot be corrected here: purpose"):
        correct(
            users["programme_manager"],
            grant,
            {"purpose": "Food"},
            allowed=ALLOWED,
            version=grant.version,
        )


def test_a_part_is_audited_on_its_record_which_names_it(users, grant):
    line = services.add_budget_line(
        users["programme_manager"], grant, code="1", name="Nutrition", amount=Decimal("900")
    )
    line = BudgetLine.objects.get(pk=line.pk)  # as the service locks it: the amount as stored
    corrected = correct(
        users["programme_manager"],
        line,
        {"amount": Decimal("800")},
        allowed=("code", "name", "amount"),
        version=line.version,
        shown=("amount",),
        show=str,
        subject=grant,
        naming={"budget_line": "1"},
        read=BudgetLine.objects.select_related("grant"),
    )
    assert corrected.amount == Decimal("800")
    event = AuditEvent.objects.filter(action=AuditAction.CHANGE).latest("pk")
    assert (event.object_type, event.object_ref) == ("grants.Grant", "G-2026-07")
    assert event.changes == {
        "budget_line": "1",
        "fields": ["amount"],
        "values": {"amount": ["900.00", "800"]},
    }
