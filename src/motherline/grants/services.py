"""Every change to grants and service deliveries goes through here: the pages and the API
call these functions, which check access with `accounts.policy`, validate with
`grants.rules`, write in one transaction and append to the audit trail (by reference).
Errors are `ValidationError` with a dict of field -> messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Organisation
from motherline.accounts.policy import Capability, can, may_edit
from motherline.grants import rules
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people.models import Child, Woman
from motherline.people.rules import Errors


def _raise(errors: Errors) -> None:
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})


def _require_manager(user: Any) -> None:
    if not can(user, Capability.MANAGE_PROGRAMME):
        raise PermissionDenied(_("Only a programme manager may do this."))


@dataclass
class GrantValues:
    reference: str
    donor: str
    amount: Decimal
    currency: str
    starts_on: date
    ends_on: date
    purpose: str
    grantees: list[Organisation]


@transaction.atomic
def create_grant(user: Any, values: GrantValues, *, request: Any = None) -> Grant:
    """A grant managed by the user's organisation."""
    _require_manager(user)
    errors = rules.grant_errors(
        donor=values.donor,
        purpose=values.purpose,
        amount=values.amount,
        currency=values.currency,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
    )
    if not values.reference.strip():
        errors["reference"] = _("This field is required.")
    elif Grant.objects.filter(reference=values.reference.strip()).exists():
        errors["reference"] = _("Another grant has this reference.")
    if not values.grantees:
        errors["grantees"] = _("Name at least one grantee organisation.")
    _raise(errors)
    grant = Grant.objects.create(
        organisation_id=user.organisation_id,
        reference=values.reference.strip(),
        donor=values.donor.strip(),
        amount=values.amount,
        currency=values.currency,
        starts_on=values.starts_on,
        ends_on=values.ends_on,
        purpose=values.purpose.strip(),
        created_by=user,
    )
    grant.grantees.set(values.grantees)
    audit.record(
        user,
        AuditAction.CREATE,
        grant,
        changes={
            "amount": str(values.amount),
            "currency": values.currency,
            "period": [values.starts_on.isoformat(), values.ends_on.isoformat()],
            "grantees": sorted(o.name for o in values.grantees),
        },
        request=request,
    )
    return grant


@transaction.atomic
def add_budget_line(
    user: Any, grant: Grant, *, code: str, name: str, amount: Decimal | None, request: Any = None
) -> BudgetLine:
    """A budget line; the grant's lines together may not exceed its amount."""
    _require_manager(user)
    try:
        grant = Grant.objects.editable_by(user).select_for_update().get(pk=grant.pk)
    except Grant.DoesNotExist:
        raise PermissionDenied(
            _("Only the organisation that manages the grant changes it.")
        ) from None
    other = grant.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    errors = rules.line_errors(
        code=code, name=name, amount=amount, other_lines=other, grant_amount=grant.amount
    )
    if "code" not in errors and grant.budget_lines.filter(code=code.strip()).exists():
        errors["code"] = _("This grant already has a line with this code.")
    _raise(errors)
    assert amount is not None
    line = BudgetLine.objects.create(
        grant=grant, code=code.strip(), name=name.strip(), amount=amount
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        grant,
        changes={"budget_line_added": line.code, "amount": str(amount)},
        request=request,
    )
    return line


@dataclass
class DeliveryValues:
    service_type: str
    delivered_on: date
    quantity: int
    cost: Decimal
    provider: Organisation
    to_woman: bool = True
    child: Child | None = None
    grant: Grant | None = None
    budget_line: BudgetLine | None = None
    notes: str = ""


@transaction.atomic
def record_delivery(
    user: Any,
    woman: Woman,
    values: DeliveryValues,
    *,
    today: date | None = None,
    request: Any = None,
) -> ServiceDelivery:
    """Record a service to a woman, to one of her children, or to both. For her, she must
    have been in custody on that day; a child must have been born; a delivery charged to a
    grant falls in its period, on one of its budget lines."""
    if not can(user, Capability.EDIT_REGISTER) or not may_edit(user, woman):
        raise PermissionDenied(_("You may not change the register."))
    today = today or timezone.localdate()
    child = values.child
    if child is not None and child.mother_id != woman.pk:
        raise ValidationError({"child": [_("This child is not hers.")]})
    grant = values.grant
    line = values.budget_line
    if line is not None and grant is None:
        grant = line.grant
    episodes = list(woman.episodes.values_list("admission_date", "release_date"))
    errors = rules.delivery_errors(
        service_type=values.service_type,
        delivered_on=values.delivered_on,
        today=today,
        quantity=values.quantity,
        cost=values.cost,
        to_woman=values.to_woman,
        episodes=episodes,
        child_born_on=child.date_of_birth if child is not None else None,
        has_child=child is not None,
        grant_period=(grant.starts_on, grant.ends_on) if grant is not None else None,
        line_in_grant=line is None or grant is None or line.grant_id == grant.pk,
    )
    _raise(errors)
    delivery = ServiceDelivery.objects.create(
        woman=woman,
        to_woman=values.to_woman,
        child=child,
        service_type=values.service_type,
        delivered_on=values.delivered_on,
        quantity=values.quantity,
        cost=values.cost,
        grant=grant,
        budget_line=line,
        provider=values.provider,
        notes=values.notes.strip(),
        created_by=user,
    )
    audit.record(
        user,
        AuditAction.CREATE,
        delivery,
        object_ref=delivery.reference,
        changes={
            "woman": woman.reference,
            "child": child.reference if child is not None else "",
            "to_woman": values.to_woman,
            "service_type": values.service_type,
            "delivered_on": values.delivered_on.isoformat(),
            "cost": str(values.cost),
            "grant": grant.reference if grant is not None else "",
        },
        request=request,
    )
    return delivery
