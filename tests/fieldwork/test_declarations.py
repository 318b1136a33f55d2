"""The inputs of field work are declared once (`fieldwork.actions`): the API takes each
schema as its request body, the page's form is derived from it, and both resolve and refuse
what the body names alike."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motherline.api.api import api
from motherline.fieldwork import actions, forms, services
from motherline.fieldwork.models import (
    HEADCOUNT_MAX,
    AccessIncident,
    Audience,
    CaseStudy,
    EscalationContact,
    FollowUpAction,
    TrainingSession,
)
from tests.conftest import TODAY
from tests.fieldwork.conftest import Api, record

pytestmark = pytest.mark.django_db

FORMS = [
    (forms.AddActionForm, actions.ActionIn, ("post", "/api/v1/visits/{visit_id}/actions")),
    (
        forms.IncidentUpdateForm,
        actions.IncidentChangesIn,
        ("patch", "/api/v1/incidents/{incident_id}"),
    ),
    (forms.ConsentForm, actions.StepIn, ("post", "/api/v1/case-studies/{case_id}/{step}")),
    (forms.ContactForm, actions.ContactIn, ("post", "/api/v1/escalation-contacts")),
    (forms.DoneForm, actions.DoneIn, ("post", "/api/v1/actions/{action_id}/done")),
]


def test_a_row_of_participants_is_the_schema_s_with_no_cell_required():
    form = forms.ParticipantsForm()
    assert list(form.fields) == list(actions.ParticipantsIO.model_fields)
    assert not any(field.required for field in form.fields.values())
    assert form.fields["institution"].max_length == 200
    assert form.fields["women"].max_value == HEADCOUNT_MAX
    rows = forms.ParticipantsFormSet(
        {
            "p-TOTAL_FORMS": "2",
            "p-INITIAL_FORMS": "1",
            "p-0-institution": "",
            "p-0-women": "",
            "p-0-men": "",
            "p-1-institution": "Prison staff",
            "p-1-women": "3",
            "p-1-men": "",
        },
        prefix="p",
        initial=[{"institution": "Police", "women": 1, "men": 2}],
    )
    assert rows.is_valid()
    assert [row for f in rows.forms if (row := f.row()) is not None] == [("Prison staff", 3, 0)]


def test_the_training_form_is_the_schema_but_its_rows_of_participants():
    """The participants are a table of rows below the form (a formset), the API's list."""
    fields = [name for name in actions.TrainingIn.model_fields if name != "participants"]
    assert list(forms.TrainingForm.base_fields) == fields
    body = api.get_openapi_schema()["paths"]["/api/v1/training"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/TrainingIn")
    form = forms.TrainingForm()
    assert form.fields["topics"].required and form.fields["audience"].required
    assert [value for value, _label in form.fields["audience"].choices] == Audience.values
    assert form.fields["place"].max_length == TrainingSession._meta.get_field("place").max_length
    assert form.fields["notes"].widget.attrs["rows"] == 2 and not form.fields["notes"].required


def test_the_incident_form_is_the_schema_but_its_visit():
    """The visit an incident comes from is the page's (`?visit=`), the API's `visit_id`."""
    fields = [name for name in actions.IncidentIn.model_fields if name != "visit_id"]
    assert list(forms.IncidentForm.base_fields) == fields
    body = api.get_openapi_schema()["paths"]["/api/v1/incidents"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/IncidentIn")
    form = forms.IncidentForm()
    assert form.fields["what_was_refused"].widget.attrs["rows"] == 3
    assert str(form.fields["refused_by"].help_text) == "A position."
    labels = [str(form[name].label) for name in ("prison", "occurred_on", "restored_on")]
    assert labels == ["Prison", "Date", "Access restored on"]
    assert form.fields["occurred_on"].required and not form.fields["escalated_on"].required


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


def test_a_prison_not_of_her_jurisdiction_is_refused_alike(client, users, prisons):
    body = {
        "prison": "NOPE",
        "occurred_on": TODAY.isoformat(),
        "what_was_refused": "Entry",
        "refused_by": "Guard",
    }
    response = Api(client, users["monitor"]).post("/incidents", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"prison"}
    page = client.post(reverse("fieldwork:new_incident"), body)
    assert page.status_code == 200 and set(page.context["form"].errors) == {"prison"}
    assert not AccessIncident.objects.exists()
    assert (
        client.post(reverse("fieldwork:new_incident"), {**body, "prison": "CC2"}).status_code == 302
    )
    incident = AccessIncident.objects.get()
    assert (incident.prison.code, incident.visit, incident.escalated_on) == ("CC2", None, None)


def test_an_incident_s_update_shows_what_was_recorded(client, users, prisons):
    incident = services.record_incident(
        users["monitor"],
        prison=prisons["CC2"],
        values={"occurred_on": TODAY, "what_was_refused": "Cameras", "refused_by": "Chief"},
    )
    services.update_incident(users["monitor"], incident, {"escalated_to": "UN office"}, version=1)
    client.force_login(users["monitor"])
    page = client.get(reverse("fieldwork:incident", args=[incident.pk]))
    assert page.context["form"].initial["escalated_to"] == "UN office"
    assert page.context["form"].initial["version"] == 2
    response = Api(client, users["monitor"]).patch(
        f"/incidents/{incident.pk}", {"escalated_to": "x" * 201, "version": 2}
    )
    assert response.status_code == 422
    page = client.post(
        reverse("fieldwork:incident", args=[incident.pk]), {"escalated_to": "x" * 201, "version": 2}
    )
    assert set(page.context["form"].errors) == {"escalated_to"}


def test_a_step_is_its_version_and_consent_its_three_answers():
    assert list(forms.StepForm.base_fields) == ["version"]
    form = forms.ConsentForm()
    assert [f.name for f in form.visible_fields()] == list(forms.CONSENT)
    assert all(form.fields[name].required for name in forms.CONSENT)
    assert "" not in [value for value, _label in form.fields["consent_use"].choices]


def test_a_case_study_s_texts_are_the_schema_but_the_woman_of_the_page():
    assert list(forms.CaseTextForm.base_fields) == [
        name for name in actions.CaseStudyIn.model_fields if name != "woman"
    ]
    body = api.get_openapi_schema()["paths"]["/api/v1/case-studies"]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"]["$ref"].endswith("/CaseStudyIn")
    form = forms.CaseTextForm(
        {"title_en": "A story", "narrative_en": "Moved.", "tags": "transfer, family visits,"}
    )
    assert form.is_valid()
    assert form.text().tags == ["transfer", "family visits"]


def test_a_tag_too_long_is_refused_alike(client, users):
    body = {"title_en": "A story", "narrative_en": "Moved.", "tags": ["x" * 65]}
    response = Api(client, users["monitor"]).post("/case-studies", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"tags.0"}
    page = client.post(reverse("fieldwork:new_case"), {**body, "tags": "x" * 65})
    assert page.status_code == 200 and set(page.context["form"].errors) == {"tags"}
    assert not CaseStudy.objects.exists()


def test_an_address_is_typed_in_an_e_mail_box_and_refused_alike(client, users):
    email = forms.ContactForm()["email"]
    assert email.field.widget.input_type == "email"
    assert email.field.widget.attrs["maxlength"] == "254"
    body = {"name": "Focal point", "email": "not an address"}
    response = Api(client, users["programme_manager"]).post("/escalation-contacts", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"email"}
    page = client.post(reverse("fieldwork:escalation"), body)
    assert page.status_code == 200 and set(page.context["form"].errors) == {"email"}
    assert not EscalationContact.objects.exists()
