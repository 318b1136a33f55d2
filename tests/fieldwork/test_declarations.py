"""The inputs of field work are declared once (`fieldwork.actions`): the API takes each
schema as its request body, the page's form is derived from it, and both resolve and refuse
what the body names alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motherline.api.api import api
from motherline.fieldwork import actions, forms
from motherline.fieldwork.models import FollowUpAction
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api, record

pytestmark = pytest.mark.django_db

FORMS = [
    (forms.AddActionForm, actions.ActionIn, ("post", "/api/v1/visits/{visit_id}/actions")),
]


@pytest.mark.parametrize(("form", "schema", "route"), FORMS)
def test_the_page_and_the_api_take_the_same_schema(form, schema, route):
    assert list(form.base_fields) == list(schema.model_fields)
    method, path = route
    body = api.get_openapi_schema()["paths"][path][method]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith(f"/{schema.__name__}")


def test_an_action_is_one_line_and_offers_the_visit_s_people_and_findings(users, visit):
    form = forms.AddActionForm(options=forms.action_options(visit))
    description = form.fields["description"]
    assert description.max_length == 500 and description.widget.input_type == "text"
    owners = [value for value, _label in form.fields["owner"].choices]
    assert "monitor" in owners and "un_monitor" not in owners
    findings = [value for value, _label in form.fields["finding_id"].choices]
    assert findings == ["", *visit.findings.values_list("pk", flat=True)]


def test_a_finding_of_another_visit_is_refused_alike(client, users, prisons, visit):
    other = record(users["monitor"], prisons["KDL"]).findings.first()
    body = {
        "description": "Call the director",
        "owner": "monitor",
        "due_date": TODAY.isoformat(),
        "finding_id": other.pk,
    }
    response = Api(client, users["monitor"]).post(f"/visits/{visit.pk}/actions", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"finding_id"}
    page = client.post(reverse("fieldwork:add_action", args=[visit.pk]), body)
    assert page.status_code == 200 and set(page.context["action_form"].errors) == {"finding_id"}
    assert not FollowUpAction.objects.exists()


def test_an_owner_not_of_the_visit_s_organisation_is_refused_alike(client, users, visit):
    body = {"description": "Call the director", "owner": "un_monitor", "due_date": str(TODAY)}
    response = Api(client, users["monitor"]).post(f"/visits/{visit.pk}/actions", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"owner"}
    page = client.post(reverse("fieldwork:add_action", args=[visit.pk]), body)
    assert page.status_code == 200 and set(page.context["action_form"].errors) == {"owner"}
    assert not FollowUpAction.objects.exists()
