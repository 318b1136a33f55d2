"""Fixtures for grants: the NGO's grant of USD 16,300 with two budget lines, and women of
the register to deliver services to."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from motherline.grants import services
from motherline.grants.models import Grant, ServiceDelivery
from motherline.people.models import Woman
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, reload
from tests.fieldwork.conftest import Api, _on_today  # noqa: F401 - shared fixtures

ADMITTED = TODAY - timedelta(days=100)


@pytest.fixture
def grant(users, orgs) -> Grant:
    grant = services.create_grant(
        users["programme_manager"],
        services.GrantValues(
            reference="G-2026-01",
            donor="Small Grants Fund",
            amount=Decimal("16300.00"),
            currency="USD",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            purpose="Food, hygiene and legal aid for women in prison and their children",
            grantees=[orgs["ngo"]],
        ),
    )
    services.add_budget_line(
        users["programme_manager"], grant, code="1", name="Nutrition", amount=Decimal("9000")
    )
    services.add_budget_line(
        users["programme_manager"], grant, code="2", name="Legal aid", amount=Decimal("5000")
    )
    return grant


@pytest.fixture
def mother(users, prisons) -> Woman:
    return reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            admission_date=ADMITTED,
            children=[child_in_prison(date(2025, 1, 5))],
        )
    )


def deliver(user: Any, woman: Woman, grant: Grant | None = None, **fields: Any) -> ServiceDelivery:
    values: dict[str, Any] = {
        "service_type": "food_supplement",
        "delivered_on": TODAY - timedelta(days=10),
        "quantity": 1,
        "cost": Decimal("25.00"),
        "provider": user.organisation,
        "grant": grant,
        "budget_line": grant.budget_lines.get(code="1") if grant else None,
    }
    values.update(fields)
    return services.record_delivery(user, woman, services.DeliveryValues(**values), today=TODAY)
