"""Grants, budget lines and service deliveries: what is written and what is refused."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.grants import services
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people import services as people_services
from tests.conftest import TODAY
from tests.factories import admit, children_of, current_version
from tests.grants.conftest import ADMITTED, deliver


def test_grant_and_lines(grant):
    assert grant.amount == Decimal("16300.00")
    assert list(grant.budget_lines.values_list("code", flat=True)) == ["1", "2"]
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, object_ref="G-2026-01").exists()


def test_lines_may_not_exceed_the_grant(users, grant):
    with pytest.raises(ValidationError) as error:
        services.add_budget_line(
            users["programme_manager"], grant, code="3", name="Too much", amount=Decimal("2400")
        )
    assert "16,300.00" in error.value.message_dict["amount"][0]
    with pytest.raises(ValidationError) as error:
        services.add_budget_line(
            users["programme_manager"], grant, code="1", name="Again", amount=Decimal("1")
        )
    assert "code" in error.value.message_dict
    assert BudgetLine.objects.count() == 2


@pytest.mark.parametrize("who", ["monitor", "analyst", "viewer"])
def test_only_programme_managers_manage_grants(users, orgs, who):
    with pytest.raises(PermissionDenied):
        services.create_grant(
            users[who],
            services.GrantValues(
                reference="X",
                donor="D",
                amount=Decimal(1),
                currency="USD",
                starts_on=TODAY,
                ends_on=TODAY,
                purpose="p",
                grantees=[orgs["ngo"]],
            ),
        )
    assert not Grant.objects.exists()


def test_grant_refusals(users, orgs):
    with pytest.raises(ValidationError) as error:
        services.create_grant(
            users["programme_manager"],
            services.GrantValues(
                reference="X",
                donor="",
                amount=Decimal(0),
                currency="usd",
                starts_on=TODAY,
                ends_on=TODAY - timedelta(days=1),
                purpose="p",
                grantees=[],
            ),
        )
    assert {"donor", "amount", "currency", "ends_on", "grantees"} <= set(error.value.message_dict)


def test_delivery_to_a_woman_and_to_her_child(users, grant, mother):
    to_her = deliver(users["monitor"], mother, grant)
    child = children_of(mother)[0]
    to_child = deliver(
        users["monitor"], mother, grant, to_woman=False, child=child, service_type="infant_formula"
    )
    assert (to_her.to_woman, to_her.child) == (True, None)
    assert (to_child.woman, to_child.child, to_child.to_woman) == (mother, child, False)
    event = AuditEvent.objects.get(object_ref=to_child.reference)
    assert event.changes["child"] == child.reference


def test_service_after_release_is_refused_with_a_field_error(users, grant, mother):
    released_on = TODAY - timedelta(days=20)
    people_services.record_release(
        users["monitor"],
        mother.current_episode,
        released_on,
        "bail",
        today=TODAY,
        version=current_version(mother.current_episode),
    )
    with pytest.raises(ValidationError) as error:
        deliver(users["monitor"], mother, grant, delivered_on=TODAY - timedelta(days=5))
    message = error.value.message_dict["delivered_on"][0]
    assert "She was released on" in message and str(released_on.day) in message
    # Before her release it is fine; for her child alone after it, too.
    deliver(users["monitor"], mother, grant, delivered_on=released_on)
    deliver(
        users["monitor"],
        mother,
        grant,
        to_woman=False,
        child=children_of(mother)[0],
        service_type="schooling",
        delivered_on=TODAY - timedelta(days=5),
    )
    assert ServiceDelivery.objects.count() == 2


def test_service_before_admission_is_refused(users, grant, mother):
    with pytest.raises(ValidationError) as error:
        deliver(users["monitor"], mother, grant, delivered_on=ADMITTED - timedelta(days=1))
    assert "She was admitted on" in error.value.message_dict["delivered_on"][0]


def test_other_refusals(users, grant, mother, prisons):
    with pytest.raises(ValidationError) as error:
        deliver(users["monitor"], mother, grant, delivered_on=date(2025, 12, 31))
    assert "grant" in error.value.message_dict or "delivered_on" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        deliver(users["monitor"], mother, None, to_woman=False)
    assert "child" in error.value.message_dict
    stranger = admit(users["monitor"], prisons["CC2"])
    with pytest.raises(ValidationError):
        deliver(users["monitor"], stranger, grant, child=children_of(mother)[0])
    assert not ServiceDelivery.objects.exists()


@pytest.mark.parametrize("who", ["un_monitor", "programme_manager", "analyst"])
def test_who_may_not_record_a_delivery(users, grant, mother, who):
    with pytest.raises(PermissionDenied):
        deliver(users[who], mother, grant)
    assert not ServiceDelivery.objects.exists()


def test_deliveries_are_scoped_through_the_woman(users, grant, mother):
    deliver(users["monitor"], mother, grant)
    deliver(users["monitor"], mother, grant, to_woman=False, child=children_of(mother)[0])
    assert ServiceDelivery.objects.visible_to(users["monitor"]).count() == 2
    assert ServiceDelivery.objects.visible_to(users["un_monitor"]).count() == 0  # no consent
    assert ServiceDelivery.objects.visible_to(users["other_monitor"]).count() == 0
    assert ServiceDelivery.objects.visible_to(users["analyst"]).count() == 0
    assert ServiceDelivery.objects.visible_to(users["prison_liaison"]).count() == 2  # in CC2
