"""The inputs of case work are declared once (`casework.actions`): the API takes each schema
as its request body, the page's form is derived from it, and both resolve and refuse what
the body names alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.api.api import api
from motherline.casework import actions, forms
from motherline.casework.models import TERMS_MAX_LENGTH, CaseNote, Consent
from tests.casework.test_api import send
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db

FORMS = [
    (forms.NoteForm, actions.NoteIn, ("post", "/api/v1/women/{reference}/notes")),
    (forms.NoteCorrectionForm, actions.NoteChangesIn, ("patch", "/api/v1/notes/{note_id}")),
    (forms.AssignForm, actions.AssignIn, ("post", "/api/v1/women/{reference}/workers")),
    (forms.ConsentForm, actions.ConsentIn, ("post", "/api/v1/women/{reference}/consents")),
    (
        forms.WithdrawConsentForm,
        actions.WithdrawConsentIn,
        ("post", "/api/v1/consents/{consent_id}/withdraw"),
    ),
    (forms.ReferralForm, actions.ReferralIn, ("post", "/api/v1/women/{reference}/referrals")),
]


@pytest.mark.parametrize(("form", "schema", "route"), FORMS)
def test_the_page_and_the_api_take_the_same_schema(form, schema, route):
    assert list(form.base_fields) == list(schema.model_fields)
    method, path = route
    body = api.get_openapi_schema()["paths"][path][method]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith(f"/{schema.__name__}")


def test_the_answer_s_action_is_its_button_and_its_note_the_schema_s():
    assert list(forms.AnswerForm.base_fields) == ["version", "note"]
    note = forms.AnswerForm.base_fields["note"]
    assert note.max_length == TERMS_MAX_LENGTH and note.widget.attrs["rows"] == 3


def test_the_note_a_note_corrects_is_hidden():
    form = forms.NoteForm()
    assert [f.name for f in form.hidden_fields()] == ["corrects"]


def test_a_correcting_note_of_a_note_not_seen_is_refused_alike(client, users, mother):
    body = {"noted_on": TODAY.isoformat(), "kind": "phone", "text": "Called", "corrects": 9}
    client.force_login(users["monitor"])
    response = send(client, "POST", f"/api/v1/women/{mother.reference}/notes", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"corrects"}
    page = client.post(reverse("casework:woman_notes", args=[mother.reference]), body)
    assert page.status_code == 200 and set(page.context["form"].errors) == {"corrects"}
    assert not CaseNote.objects.exists()


def test_a_consent_for_a_child_not_hers_is_refused_alike(client, users, orgs, mother):
    body = {
        "purpose": "referral",
        "given_by": "self",
        "given_on": (TODAY - timedelta(days=1)).isoformat(),
        "child": "C-NOT-HERS",
    }
    client.force_login(users["monitor"])
    response = send(client, "POST", f"/api/v1/women/{mother.reference}/consents", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"child"}
    values = {
        "purpose": "referral",
        "given_by": "self",
        "given_on": (TODAY - timedelta(days=1)).strftime("%d/%m/%Y"),
        "child": "",
        "to_organisation": "",
        "document": "",
    }
    url = reverse("casework:consents", args=[mother.reference])
    page = client.post(url, {**values, "child": "C-NOT-HERS"})
    assert page.status_code == 200 and set(page.context["form"].errors) == {"child"}
    # None chosen (nor an organisation, nor a signed form) is her whole record, as in the API.
    assert client.post(url, values).status_code == 302
    consent = Consent.objects.get()
    assert (consent.child, consent.to_organisation, consent.document) == (None, None, None)
