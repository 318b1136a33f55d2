"""The inputs of grant and service actions, each declared once: the API takes these schemas
as its request bodies and the pages' forms are derived from them (`core.actions.form_for`).
Withdrawing a service entered twice takes `records.withdrawal.Withdrawal`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints, WithJsonSchema

from motherline.accounts.models import Organisation
from motherline.core.inputs import LIST_MAX, Note, Sent, Version
from motherline.core.inputs import max_length_of as _max
from motherline.grants.models import QUANTITY_MAX, BudgetLine, Grant, ServiceType
from motherline.people.inputs import Reference
from motherline.people.models import Woman

ORGANISATION_NAME_MAX = _max(Organisation, "name")


def _money_schema(max_digits: int, *, positive: bool) -> WithJsonSchema:
    """An amount of money is sent as a number or a text ("100.00"); described with its
    bounds (pydantic describes the text as any text)."""
    low = {"exclusiveMinimum": 0} if positive else {"minimum": 0}
    largest = float(10 ** (max_digits - 2))
    return WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", **low, "exclusiveMaximum": largest},
                {
                    "type": "string",
                    "maxLength": max_digits + 2,
                    "pattern": r"^[0-9]+(\.[0-9]{1,2})?$",
                },
            ]
        }
    )


# Amounts of money with two decimals, as the columns hold them.
GrantAmount = Annotated[
    Decimal, Field(gt=0, max_digits=14, decimal_places=2), _money_schema(14, positive=True)
]
LineAmount = Annotated[
    Decimal, Field(ge=0, max_digits=14, decimal_places=2), _money_schema(14, positive=False)
]
Cost = Annotated[
    Decimal, Field(ge=0, max_digits=12, decimal_places=2), _money_schema(12, positive=False)
]
Currency = Annotated[str, StringConstraints(min_length=3, max_length=3)]


class GrantIn(Schema):
    """A grant managed by the user's organisation, for the grantees named; its budget lines
    are added next."""

    reference: str = Field(min_length=1, max_length=_max(Grant, "reference"))
    donor: str = Field(min_length=1, max_length=_max(Grant, "donor"))
    grantees: list[Annotated[str, StringConstraints(max_length=ORGANISATION_NAME_MAX)]] = Field(
        max_length=LIST_MAX, description="Names of the grantee organisations."
    )
    amount: GrantAmount
    currency: str = Field("USD", min_length=3, max_length=3)
    starts_on: date
    ends_on: date
    purpose: Note = Field(min_length=1)


class LineIn(Schema):
    """A budget line of a grant; the lines together may not exceed the grant."""

    code: str = Field(min_length=1, max_length=_max(BudgetLine, "code"))
    name: str = Field(min_length=1, max_length=_max(BudgetLine, "name"))
    amount: LineAmount


class DeliveryIn(Schema):
    """A service to a woman, to her child, or to both; the child, the grant, the budget
    line and the provider are named by their reference, code or name."""

    woman: Reference = Field(
        description="Reference of the woman (the mother, for a child's service)."
    )
    to_woman: bool = True
    child: Reference = Field("", description="Reference of her child who received it, if any.")
    service_type: ServiceType
    delivered_on: date
    quantity: int = Field(1, ge=1, le=QUANTITY_MAX)
    cost: Cost
    grant: str = Field("", max_length=_max(Grant, "reference"), description="Grant reference.")
    budget_line: str = Field(
        "", max_length=_max(BudgetLine, "code"), description="Code of a budget line of the grant."
    )
    provider: str = Field(
        "", max_length=ORGANISATION_NAME_MAX, description="Organisation name; yours when omitted."
    )
    notes: Note = ""


# Its managing organisation and grantees stay (a grant recorded for the wrong organisation
# is recorded again).
GRANT_CORRECTABLE = ("reference", "donor", "amount", "currency", "starts_on", "ends_on", "purpose")


class GrantChanges(Schema):
    """A correction of a grant: only the fields sent change, from the version last read."""

    version: Version
    reference: Sent[str] = Field(None, min_length=1, max_length=_max(Grant, "reference"))
    donor: Sent[str] = Field(None, min_length=1, max_length=_max(Grant, "donor"))
    amount: Sent[GrantAmount] = None
    currency: Sent[Currency] = Field(None, description="ISO 4217, e.g. USD.")
    starts_on: Sent[date] = None
    ends_on: Sent[date] = None
    purpose: Sent[Note] = Field(None, min_length=1)


LINE_CORRECTABLE = ("code", "name", "amount")


class LineChanges(Schema):
    """A correction of a budget line: only the fields sent change."""

    version: Version
    code: Sent[str] = Field(None, min_length=1, max_length=_max(BudgetLine, "code"))
    name: Sent[str] = Field(None, min_length=1, max_length=_max(BudgetLine, "name"))
    amount: Sent[LineAmount] = None


# The woman whose record it is stays (a service recorded for the wrong woman is withdrawn
# and recorded again), and so does its provider.
DELIVERY_CORRECTABLE = (
    "service_type",
    "delivered_on",
    "quantity",
    "cost",
    "to_woman",
    "child",
    "grant",
    "budget_line",
    "notes",
)


class DeliveryChanges(Schema):
    """A correction of a service delivered: only the fields sent change. The child, the
    grant and the budget line are named as in `DeliveryIn`; a null (or an empty text)
    clears them."""

    version: Version
    service_type: Sent[ServiceType] = None
    delivered_on: Sent[date] = None
    quantity: Sent[int] = Field(None, ge=1, le=QUANTITY_MAX)
    cost: Sent[Cost] = None
    to_woman: Sent[bool] = None
    child: str | None = Field(
        None, max_length=_max(Woman, "reference"), description="Reference of her child."
    )
    grant: str | None = Field(
        None, max_length=_max(Grant, "reference"), description="Grant reference."
    )
    budget_line: str | None = Field(
        None, max_length=_max(BudgetLine, "code"), description="Code of a line of the grant."
    )
    notes: Note | None = Field(None, description="A null clears the notes.")
