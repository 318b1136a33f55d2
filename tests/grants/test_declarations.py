"""Recording a grant, a budget line and a service is declared once (`grants.actions`): the
API takes each schema as its request body, the page's form is derived from it, and both
resolve and refuse what the body names alike (`services.grant_values`,
`services.delivery_values`)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motherline.api.api import api
from motherline.grants import actions, forms, services
from motherline.grants.models import Grant, ServiceDelivery
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api

FORMS = [
    (forms.GrantForm, actions.GrantIn, "/api/v1/grants"),
    (forms.BudgetLineForm, actions.LineIn, "/api/v1/grants/{grant_id}/lines"),
    (forms.DeliveryForm, actions.DeliveryIn, "/api/v1/services"),
]


@pytest.mark.parametrize(("form", "schema", "path"), FORMS)
def test_the_page_and_the_api_take_the_same_schema(form, schema, path):
    assert list(form.base_fields) == list(schema.model_fields)
    body = api.get_openapi_schema()["paths"][path]["post"]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith(f"/{schema.__name__}")


def test_the_grantees_are_boxes_to_tick_and_the_lines_name_their_grant(orgs, grant):
    form = forms.GrantForm(options={"grantees": forms.organisation_choices()})
    assert form.fields["grantees"].widget.input_type == "checkbox"
    assert (orgs["ngo"].name, str(orgs["ngo"])) in form.fields["grantees"].choices
    delivery = forms.DeliveryForm(grants=Grant.objects.all())
    assert list(delivery.fields["budget_line"].choices) == [
        ("", "—"),
        ("1", "G-2026-01 · 1 Nutrition"),
        ("2", "G-2026-01 · 2 Legal aid"),
    ]
    assert delivery.fields["notes"].widget.attrs["rows"] == 2


def test_an_unknown_grantee_is_refused_by_the_service_the_page_and_the_api_share(orgs):
    grant_in = actions.GrantIn(
        reference="G-9",
        donor="Fund",
        grantees=[orgs["ngo"].name, "Nobody"],
        amount=Decimal("100"),
        starts_on=TODAY,
        ends_on=TODAY + timedelta(days=30),
        purpose="Services",
    )
    with pytest.raises(ValidationError) as refused:
        services.grant_values(grant_in)
    assert refused.value.message_dict == {"grantees": ["Unknown organisations: Nobody"]}


def test_a_line_of_another_grant_is_refused_alike_by_the_page_and_the_api(
    client, users, orgs, grant, mother
):
    other = services.create_grant(
        users["programme_manager"],
        services.GrantValues(
            reference="G-2026-02",
            donor="Another Fund",
            amount=Decimal("1000"),
            currency="USD",
            starts_on=grant.starts_on,
            ends_on=grant.ends_on,
            purpose="Legal aid",
            grantees=[orgs["ngo"]],
        ),
    )
    services.add_budget_line(
        users["programme_manager"], other, code="9", name="Lawyers", amount=Decimal("500")
    )
    body = {
        "woman": mother.reference,
        "service_type": "hygiene_kit",
        "delivered_on": (TODAY - timedelta(days=3)).isoformat(),
        "quantity": "1",
        "cost": "12.50",
        "grant": grant.reference,
        "budget_line": "9",
        "provider": users["monitor"].organisation.name,
    }
    response = Api(client, users["monitor"]).post("/services", {**body, "to_woman": True})
    assert response.status_code == 422
    assert response.json()["errors"]["budget_line"] == [
        "The grant has no budget line with this code."
    ]
    page = client.post(reverse("grants:new_delivery"), {**body, "to_woman": "on"})
    assert page.status_code == 200
    assert page.context["form"].errors["budget_line"] == [
        "The grant has no budget line with this code."
    ]
    assert not ServiceDelivery.objects.exists()
