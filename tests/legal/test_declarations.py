"""The inputs of legal work are declared once (`legal.actions`): the API takes each schema as
its request body, the page's form is derived from it, and both refuse alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from motherline.api.api import api
from motherline.jurisdictions.models import PardonOccasion
from motherline.legal import actions, forms
from motherline.legal.models import Hearing, PardonRound
from tests.conftest import TODAY
from tests.legal.test_api import Api

FORMS = [
    (forms.HearingForm, actions.HearingIn),
    (forms.RoundForm, actions.RoundIn),
    (forms.StatusForm, actions.StatusIn),
    (forms.DossierForm, actions.DossierIn),
]


@pytest.mark.parametrize(("form", "schema"), FORMS)
def test_each_form_has_the_fields_of_its_schema_in_their_order(form, schema):
    assert list(form.base_fields) == list(schema.model_fields)


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("post", "/api/v1/legal/cases/{case_id}/hearings", actions.HearingIn),
        ("post", "/api/v1/legal/rounds", actions.RoundIn),
        ("post", "/api/v1/legal/rounds/{round_id}/candidates", actions.CandidatesIn),
        ("post", "/api/v1/legal/candidates/{candidate_id}/status", actions.StatusIn),
        ("patch", "/api/v1/legal/candidates/{candidate_id}", actions.DossierIn),
    ],
)
def test_the_api_takes_the_same_schemas(method, path, schema):
    body = api.get_openapi_schema()["paths"][path][method]["requestBody"]["content"]
    assert body["application/json"]["schema"]["$ref"].endswith(f"/{schema.__name__}")


def test_lengths_come_from_the_model_and_the_boxes_keep_their_lines():
    title = PardonRound._meta.get_field("title").max_length
    assert forms.RoundForm.base_fields["title"].max_length == title
    assert actions.RoundIn.model_json_schema()["properties"]["title"]["maxLength"] == title
    assert (
        str(forms.HearingForm.base_fields["held_on"].label)
        == str(Hearing._meta.get_field("held_on").verbose_name).capitalize()
    )
    # `form_for(rows=)`: the dossier's argument has eight lines, a step's note one.
    assert forms.DossierForm.base_fields["argument"].widget.attrs["rows"] == 8
    assert forms.StatusForm.base_fields["note"].widget.input_type == "text"
    assert forms.HearingForm.base_fields["what_happened"].widget.attrs["rows"] == 3


def test_the_page_and_the_api_refuse_a_hearing_without_what_happened_alike(
    client, users, mother, courts
):
    from motherline.legal import services

    case = services.open_case(users["legal_officer"], mother, {"court": "KH-FI-12"})
    body = {"held_on": TODAY.isoformat(), "what_happened": ""}
    response = Api(client, users["legal_officer"]).post(f"/legal/cases/{case.pk}/hearings", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"what_happened"}
    page = client.post(reverse("legal:case", args=[case.pk]), {"hearing": "1", **body})
    assert page.status_code == 200 and set(page.context["hearing_form"].errors) == {"what_happened"}
    assert not Hearing.objects.exists()


@pytest.fixture
def new_year(jurisdiction):
    return PardonOccasion.objects.create(
        jurisdiction=jurisdiction, code="khmer_new_year", name="Khmer New Year", month=4
    )


def test_the_page_opens_a_round_for_an_occasion_of_the_calendar(client, users, new_year):
    client.force_login(users["legal_officer"])
    page = client.get(reverse("legal:rounds"))
    assert list(page.context["form"].fields["occasion"].choices) == [
        ("", "—"),
        ("khmer_new_year", "Khmer New Year"),
    ]
    response = client.post(
        reverse("legal:rounds"),
        {
            "occasion": "khmer_new_year",
            "occasion_date": (TODAY + timedelta(days=40)).strftime("%d/%m/%Y"),
            "submission_deadline": (TODAY + timedelta(days=20)).strftime("%d/%m/%Y"),
        },
    )
    pardon_round = PardonRound.objects.get()
    assert response.status_code == 302
    # The title left empty is the occasion's name.
    assert (pardon_round.occasion, pardon_round.title) == (new_year, "Khmer New Year")


def test_an_occasion_not_in_the_calendar_is_refused_by_the_page_and_the_api(
    client, users, new_year
):
    body = {
        "occasion": "pchum_ben",
        "title": "Pchum Ben",
        "occasion_date": (TODAY + timedelta(days=40)).isoformat(),
        "submission_deadline": (TODAY + timedelta(days=20)).isoformat(),
    }
    response = Api(client, users["legal_officer"]).post("/legal/rounds", body)
    assert response.status_code == 422 and set(response.json()["errors"]) == {"occasion"}
    page = client.post(reverse("legal:rounds"), body)
    assert page.status_code == 200 and set(page.context["form"].errors) == {"occasion"}
    assert not PardonRound.objects.exists()


def test_a_case_s_court_and_result_name_their_own_empty_choice(jurisdiction, courts):
    """`form_for`'s options (the pack's courts) and choices (the result) that name their
    empty choice keep it, with no "—" before it."""
    from motherline.legal.models import CaseResult

    new = forms.NewCaseForm(options={"court": forms.court_choices(jurisdiction)})
    court = list(new.fields["court"].choices)
    assert court[0] == ("", "Not known") and [c for c, _ in court].count("") == 1
    assert {"KH-FI-8", "KH-FI-12"} <= {c for c, _ in court}
    assert list(new.fields) == list(actions.LegalCaseIn.model_fields)
    changes = forms.CaseForm(options={"court": forms.court_choices(jurisdiction)})
    assert list(changes.fields["result"].choices) == list(CaseResult.choices)
    assert list(changes.fields) == list(actions.CaseChangesIn.model_fields)
