"""Recording a visit is declared once (`fieldwork.actions.RecordVisit`): the API's request
body, the page's form and the cells of an imported phone export all come from it."""

from __future__ import annotations

import pytest
from ninja import Field, Schema

from motherline.api.api import api
from motherline.core.actions import form_for
from motherline.fieldwork.actions import RecordVisit
from motherline.fieldwork.forms import RecordVisitForm
from motherline.fieldwork.importing import import_visits, read_rows
from motherline.fieldwork.models import Access, PrisonVisit, Topic


def test_the_form_has_one_field_per_field_of_the_declaration():
    form = RecordVisitForm(options={"prison": [("CC2", "Correctional Centre 2")]})
    declared = [name for name in RecordVisit.model_fields if name != "findings"]
    findings = [f"finding_{topic}" for topic in Topic.values]
    assert sorted(form.fields) == sorted(declared + findings)
    assert form.fields["team"].max_length == PrisonVisit._meta.get_field("team").max_length
    assert form.fields["women_seen"].max_value == 100_000
    assert [str(f.label) for f in form.grouped["findings"]] == [str(x) for x in Topic.labels]
    assert list(form.fields["prison"].choices) == [("CC2", "Correctional Centre 2")]


def test_the_api_reads_the_same_declaration():
    spec = api.get_openapi_schema()
    body = spec["paths"]["/api/v1/visits"]["post"]["requestBody"]["content"]
    reference = body["application/json"]["schema"]["$ref"]
    assert reference.endswith("/RecordVisit")
    declared = spec["components"]["schemas"]["RecordVisit"]["properties"]
    assert list(declared) == list(RecordVisit.model_fields)
    assert declared["team"]["maxLength"] == RecordVisitForm().fields["team"].max_length


def test_a_new_field_is_one_line_of_the_declaration():
    class WithWeather(RecordVisit):
        weather: str = Field("", max_length=40)

    form = form_for(WithWeather, model=PrisonVisit, group_prefixes={"findings": "finding_"})()
    assert form.fields["weather"].max_length == 40 and not form.fields["weather"].required


def test_the_page_the_api_and_an_import_refuse_a_team_too_long_alike(client, users, prisons):
    too_long = "x" * 256
    form = RecordVisitForm({"team": too_long})
    form.is_valid()
    page_message = form.errors["team"][0]
    export = (
        "meta/instanceID,group_visit/prison,visit_date,team,access\n"
        f"uuid:v1,CC2,2026-01-05,{too_long},granted\n"
    )
    report = import_visits(users["monitor"], read_rows(export.encode(), "export.csv"))
    assert [(e.field, e.reason) for e in report.errors] == [("team", page_message)]
    assert not PrisonVisit.objects.exists()


def test_counts_left_empty_on_the_page_are_zero_as_in_the_api():
    form = RecordVisitForm(
        {"prison": "CC2", "visit_date": "05/01/2026", "team": "Two", "access": "granted"},
        options={"prison": [("CC2", "CC2")]},
    )
    assert form.is_valid(), form.errors
    visit = form.action_input()
    assert (visit.women_seen, visit.pregnant_seen, visit.children_seen) == (0, 0, 0)
    assert form.fields["access"].widget.input_type == "radio"


def test_what_the_schema_alone_refuses_is_the_form_s_error_in_the_reader_s_language():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    form = RecordVisitForm(
        {"prison": "CC2", "visit_date": "05/01/2026", "team": "Two", "access": "granted"},
        options={"prison": [("CC2", "CC2")]},
    )
    assert form.is_valid(), form.errors
    form.cleaned_data["women_seen"] = -1  # past the form's own check, as a bug would be
    with pytest.raises(ValidationError) as refused:
        form.action_input()
    assert list(refused.value.message_dict) == ["women_seen"]
    with translation.override("km"):
        assert refused.value.message_dict["women_seen"] == ["តម្លៃនេះមិនត្រឹមត្រូវទេ។"]


class _Seen(Schema):
    access: Access | None = None


def test_an_optional_choice_left_unchosen_takes_the_schema_s_default():
    form = form_for(_Seen)({"access": ""})
    assert form.is_valid(), form.errors
    assert form.action_input().access is None


def test_a_visit_is_recorded_whole_or_not_at_all(users, prisons, monkeypatch):
    from motherline.fieldwork import services

    def refuse(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the audit trail refused the row")

    monkeypatch.setattr(services.audit, "record", refuse)
    visit = RecordVisit(
        prison="CC2", visit_date="2026-01-05", team="Two", access="granted",
        findings={"food_and_water": "No water"},
    )  # fmt: skip
    with pytest.raises(RuntimeError):
        services.record_visit(users["monitor"], visit)
    assert not PrisonVisit.objects.exists()
