"""Every change to grants and service deliveries goes through here: the pages and the API
call these functions, which check access with `accounts.policy`, validate with
`grants.rules`, write in one transaction and append to the audit trail (by reference).
Errors are `ValidationError` with a dict of field -> messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Organisation, User
from motherline.accounts.policy import (
    Capability,
    can,
    organisation_id_of,
    require_register_edit,
)
from motherline.core import clock
from motherline.core.changes import only, plain, raise_errors
from motherline.core.versions import locked_or_refused
from motherline.formatting import format_day, format_number
from motherline.grants import queries, rules
from motherline.grants.actions import (
    DELIVERY_CORRECTABLE,
    GRANT_CORRECTABLE,
    LINE_CORRECTABLE,
    DeliveryIn,
    GrantIn,
)
from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people.models import Child, Woman
from motherline.records.correction import correct
from motherline.records.withdrawal import refuse_if_withdrawn, withdraw


def _require_manager(user: User) -> None:
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


def grant_values(grant_in: GrantIn) -> GrantValues:
    """A grant's values as the page and the API send them (`actions.GrantIn`): its grantees
    named by name, a name no organisation has refused."""
    grantees = list(Organisation.objects.filter(name__in=grant_in.grantees))
    unknown = sorted(set(grant_in.grantees) - {o.name for o in grantees})
    if unknown:
        raise_errors(
            {"grantees": _("Unknown organisations: %(names)s") % {"names": ", ".join(unknown)}}
        )
    return GrantValues(**grant_in.model_dump(exclude={"grantees"}), grantees=grantees)


@transaction.atomic
def create_grant(user: User, values: GrantValues, *, request: HttpRequest | None = None) -> Grant:
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
    raise_errors(errors)
    grant = Grant.objects.create(
        organisation_id=organisation_id_of(user),
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
    user: User,
    grant: Grant,
    *,
    code: str,
    name: str,
    amount: Decimal | None,
    request: HttpRequest | None = None,
) -> BudgetLine:
    """A budget line; the grant's lines together may not exceed its amount."""
    grant = _editable_grant(user, grant)
    other = grant.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    errors = rules.line_errors(
        code=code, name=name, amount=amount, other_lines=other, grant_amount=grant.amount
    )
    if "code" not in errors and grant.budget_lines.filter(code=code.strip()).exists():
        errors["code"] = _("This grant already has a line with this code.")
    raise_errors(errors)
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


def delivery_values(user: User, woman: Woman, delivery_in: DeliveryIn) -> DeliveryValues:
    """A service's values as the page and the API send them (`actions.DeliveryIn`): her
    child by reference, a grant the user may charge by its reference and its line by code,
    the provider by name (the user's organisation when none is named). What names nothing
    is refused, each beside its field."""
    errors: dict[str, str] = {}
    child = (
        woman.children.filter(reference=delivery_in.child).first() if delivery_in.child else None
    )
    if delivery_in.child and child is None:
        errors["child"] = _("She has no child with this reference.")
    grant = (
        queries.chargeable_grants(user).filter(reference=delivery_in.grant).first()
        if delivery_in.grant
        else None
    )
    if delivery_in.grant and grant is None:
        errors["grant"] = _("No grant you may charge has this reference.")
    line = (
        grant.budget_lines.filter(code=delivery_in.budget_line).first()
        if grant and delivery_in.budget_line
        else None
    )
    if delivery_in.budget_line and line is None:
        errors["budget_line"] = _("The grant has no budget line with this code.")
    provider = (
        Organisation.objects.filter(name=delivery_in.provider).first()
        if delivery_in.provider
        else user.organisation
    )
    if provider is None:
        errors["provider"] = _("No organisation has this name.")
    raise_errors(errors)
    named: dict[str, Any] = {
        "child": child,
        "grant": grant,
        "budget_line": line,
        "provider": provider,
    }
    return DeliveryValues(**delivery_in.model_dump(exclude={"woman", *named}), **named)


@transaction.atomic
def record_delivery(
    user: User,
    woman: Woman,
    values: DeliveryValues,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """Record a service to a woman, to one of her children, or to both. For her, she must
    have been in custody on that day; a child must have been born; a delivery charged to a
    grant falls in its period, on one of its budget lines."""
    require_register_edit(user, woman)
    today = clock.today(today)
    child = values.child
    if child is not None and child.mother_id != woman.pk:
        raise_errors({"child": _("This child is not hers.")})
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
    raise_errors(errors)
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


# Corrections and withdrawals


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else plain(value)


def _editable_grant(user: User, grant: Grant) -> Grant:
    _require_manager(user)
    refusal = _("Only the organisation that manages the grant changes it.")
    return locked_or_refused(Grant.objects.editable_by(user), grant.pk, refusal)


@transaction.atomic
def correct_grant(
    user: User,
    grant: Grant,
    changes: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> Grant:
    """Correct a grant's details (`actions.GRANT_CORRECTABLE`): only the fields given
    change, from the version read. The corrected grant still holds its budget lines (its
    amount at least their total) and the services charged to it (its period around them).
    The audit row keeps the old and new reference, amount, currency and period."""
    current = _editable_grant(user, grant)

    def errors_of(merged: dict[str, Any]) -> dict[str, str]:
        errors = rules.grant_errors(
            donor=merged["donor"],
            purpose=merged["purpose"],
            amount=merged["amount"],
            currency=merged["currency"],
            starts_on=merged["starts_on"],
            ends_on=merged["ends_on"],
        )
        if "reference" in changes:
            if not merged["reference"]:
                errors["reference"] = _("This field is required.")
            elif (
                Grant.objects.filter(reference=merged["reference"]).exclude(pk=current.pk).exists()
            ):
                errors["reference"] = _("Another grant has this reference.")
        lines = current.budget_lines.aggregate(total=Sum("amount"))["total"] or Decimal(0)
        if "amount" not in errors and merged["amount"] < lines:
            errors["amount"] = _(
                "Its budget lines total %(total)s: the grant cannot be less. "
                "Correct the lines first."
            ) % {"total": format_number(lines, 2)}
        served = ServiceDelivery.objects.current().filter(grant=current)
        span = served.aggregate(first=Min("delivered_on"), last=Max("delivered_on"))
        if span["first"] is not None and not (errors.keys() & {"starts_on", "ends_on"}):
            outside = _(
                "Services charged to this grant were delivered from %(first)s to %(last)s: "
                "its period must include them."
            ) % {"first": format_day(span["first"]), "last": format_day(span["last"])}
            if merged["starts_on"] > span["first"]:
                errors["starts_on"] = outside
            if merged["ends_on"] < span["last"]:
                errors["ends_on"] = outside
        return errors

    return correct(
        user,
        current,
        changes,
        allowed=GRANT_CORRECTABLE,
        version=version,
        errors_of=errors_of,
        shown=("reference", "amount", "currency", "starts_on", "ends_on"),
        show=_plain,
        request=request,
    )


@transaction.atomic
def correct_budget_line(
    user: User,
    line: BudgetLine,
    changes: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> BudgetLine:
    """Correct a budget line's code, name or budget (`actions.LINE_CORRECTABLE`), from the
    version read: the grant's lines together still may not exceed it, and a code is used
    once per grant. The audit row is the grant's, naming the line."""
    grant = _editable_grant(user, line.grant)
    current = BudgetLine.objects.select_for_update().get(pk=line.pk, grant=grant)
    other = grant.budget_lines.exclude(pk=current.pk).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal(0)

    def errors_of(merged: dict[str, Any]) -> dict[str, str]:
        errors = rules.line_errors(
            code=merged["code"],
            name=merged["name"],
            amount=merged["amount"],
            other_lines=other,
            grant_amount=grant.amount,
        )
        if (
            "code" in changes
            and "code" not in errors
            and grant.budget_lines.filter(code=merged["code"]).exclude(pk=current.pk).exists()
        ):
            errors["code"] = _("This grant already has a line with this code.")
        return errors

    return correct(
        user,
        current,
        changes,
        allowed=LINE_CORRECTABLE,
        version=version,
        errors_of=errors_of,
        shown=("code", "amount"),
        show=_plain,
        subject=grant,
        naming={"budget_line": current.code},
        request=request,
    )


def _audited_value(value: Any) -> Any:
    """A delivery's value as its audit row keeps it: the child and the grant by reference,
    the budget line by its code, none of them as empty; an amount as its text."""
    if value is None:
        return ""
    if isinstance(value, BudgetLine):
        return value.code
    return value.reference if isinstance(value, (Child, Grant)) else _plain(value)


def _editable_delivery(user: User, delivery: ServiceDelivery) -> ServiceDelivery:
    """The delivery locked for a change, by someone who may change her record (a partner
    who reads it is refused, 403)."""
    current = (
        ServiceDelivery.objects.select_for_update().select_related("woman").get(pk=delivery.pk)
    )
    require_register_edit(user, current.woman)
    return current


@transaction.atomic
def correct_delivery(
    user: User,
    delivery: ServiceDelivery,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """Correct a service delivered (`actions.DELIVERY_CORRECTABLE`): only the fields given
    change, from the version read. The child is named by reference (one of hers), the grant
    by its reference (one the user may charge) and the budget line by its code in that
    grant; an empty value clears them (a service with no grant has no line). The checks of
    a new service apply to the corrected whole; the audit row keeps the old and new type,
    date, quantity, cost, recipients, grant and line (the notes are named only)."""
    current = _editable_delivery(user, delivery)
    refuse_if_withdrawn(current)
    changes = only(changes, DELIVERY_CORRECTABLE)
    for name in ("child", "grant", "budget_line", "notes"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    errors: dict[str, str] = {}
    values = {k: v for k, v in changes.items() if k not in ("child", "grant", "budget_line")}
    child = current.child
    if "child" in changes:
        child = (
            current.woman.children.filter(reference=changes["child"]).first()
            if changes["child"]
            else None
        )
        if changes["child"] and child is None:
            errors["child"] = _("She has no child with this reference.")
        values["child"] = child
    grant = current.grant
    if "grant" in changes:
        grant = (
            queries.chargeable_grants(user).filter(reference=changes["grant"]).first()
            if changes["grant"]
            else None
        )
        if changes["grant"] and grant is None:
            errors["grant"] = _("No grant you may charge has this reference.")
        values["grant"] = grant
    line = current.budget_line
    if "budget_line" in changes:
        line = (
            grant.budget_lines.filter(code=changes["budget_line"]).first()
            if grant is not None and changes["budget_line"]
            else None
        )
        if changes["budget_line"] and line is None and "grant" not in errors:
            errors["budget_line"] = _("The grant has no budget line with this code.")
        values["budget_line"] = line
    elif "grant" in changes and grant is None:
        line = values["budget_line"] = None  # no grant, no line
    raise_errors(errors)
    episodes = list(current.woman.episodes.values_list("admission_date", "release_date"))

    def errors_of(merged: dict[str, Any]) -> dict[str, str]:
        return rules.delivery_errors(
            service_type=merged["service_type"],
            delivered_on=merged["delivered_on"],
            today=clock.today(today),
            quantity=merged["quantity"],
            cost=merged["cost"],
            to_woman=merged["to_woman"],
            episodes=episodes,
            child_born_on=child.date_of_birth if child is not None else None,
            has_child=child is not None,
            grant_period=(grant.starts_on, grant.ends_on) if grant is not None else None,
            line_in_grant=line is None or grant is None or line.grant_id == grant.pk,
        )

    return correct(
        user,
        current,
        values,
        allowed=DELIVERY_CORRECTABLE,
        version=version,
        errors_of=errors_of,
        shown=DELIVERY_CORRECTABLE[:-1],  # all but the notes
        show=_audited_value,
        request=request,
    )


@transaction.atomic
def withdraw_delivery(
    user: User,
    delivery: ServiceDelivery,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> ServiceDelivery:
    """Withdraw a service entered twice: it leaves the lists, the grant's spending and
    beneficiaries and the donor report, and stays readable on its own page."""
    current = _editable_delivery(user, delivery)
    return withdraw(user, current, version=version, reason=reason, request=request)
