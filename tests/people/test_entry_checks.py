"""Entry checks: impossible values are errors, unlikely ones warnings the user confirms; one
rule function (`rules.entry_findings`) for the forms and the API. One test per rule."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from motherline.bounds import DATE_FLOOR
from motherline.jurisdictions import reference
from motherline.people import rules, services
from motherline.people.forms import AdmissionForm
from motherline.people.models import Woman
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, child_outside, current_version

FLOOR = date(1900, 1, 1)


def findings(**kwargs):
    base = {"today": TODAY, "earliest": FLOOR, "dates": {}}
    return rules.entry_findings(**{**base, **kwargs})


# The rules, as plain functions


def test_a_date_before_the_floor_is_an_error():
    errors, warnings = findings(dates={"admission_date": date(1, 1, 1)})
    assert "admission_date" in errors and not warnings
    assert findings(dates={"admission_date": FLOOR}) == ({}, {})


def test_a_child_living_in_prison_above_the_age_limit_is_an_error():
    eleven = rules.ChildEntry("children.0.", date(2015, 6, 1), living_in_prison=True)
    errors, _w = findings(children=[eleven], age_limit_months=36)
    assert "children.0.living_in_prison" in errors
    # Outside prison, or with an extension, the same child is fine.
    outside = rules.ChildEntry("children.0.", date(2015, 6, 1), living_in_prison=False)
    extended = rules.ChildEntry("", date(2023, 6, 1), living_in_prison=True, has_extension=True)
    assert findings(children=[outside], age_limit_months=36)[0] == {}
    assert findings(children=[extended], age_limit_months=36)[0] == {}


def test_a_mother_under_twelve_at_the_birth_is_an_error():
    child = rules.ChildEntry("children.0.", date(2012, 5, 1), living_in_prison=False)
    errors, _w = findings(mother_birth=date(2000, 6, 1), children=[child])
    assert "11 years old" in errors["children.0.date_of_birth"]
    twelve = rules.ChildEntry("children.0.", date(2012, 6, 1), living_in_prison=False)
    assert findings(mother_birth=date(2000, 6, 1), children=[twelve]) == ({}, {})


def test_a_mother_over_55_at_the_birth_is_a_warning():
    child = rules.ChildEntry("children.0.", date(2020, 1, 1), living_in_prison=False)
    errors, warnings = findings(mother_birth=date(1960, 1, 1), children=[child])
    assert not errors and "60 years old" in warnings["children.0.date_of_birth"]


def test_dependent_children_other_than_the_children_entered_is_a_warning():
    child = rules.ChildEntry("children.0.", date(2020, 1, 1), living_in_prison=False)
    errors, warnings = findings(children=[child], dependent_children=3)
    assert not errors and "dependent_children" in warnings
    assert findings(children=[child], dependent_children=1) == ({}, {})


def test_the_floor_is_the_packs():
    assert reference.register_lists("KH").earliest_date == date(1900, 1, 1)
    assert reference.register_lists("ZZ").earliest_date == DATE_FLOOR


# Through the service (the form and the API call it)


def test_the_service_refuses_an_admission_dated_year_one(monitor, prisons):
    with pytest.raises(ValidationError) as refused:
        admit(monitor, prisons["CC2"], admission_date=date(1, 1, 1))
    assert "admission_date" in refused.value.message_dict
    assert not Woman.objects.exists()


def test_the_service_refuses_a_child_of_eleven_living_in_prison(monitor, prisons):
    with pytest.raises(ValidationError) as refused:
        admit(monitor, prisons["CC2"], children=[child_in_prison(date(2015, 1, 1))])
    assert "children.0.living_in_prison" in refused.value.message_dict


def test_a_warning_stops_the_admission_until_confirmed(monitor, prisons):
    kwargs = {
        "date_of_birth": date(1962, 1, 1),
        "children": [child_outside(date(2020, 1, 1))],
    }
    with pytest.raises(ValidationError) as refused:
        admit(monitor, prisons["CC2"], confirm_warnings=False, **kwargs)
    assert services.CONFIRM_WARNINGS in refused.value.message_dict
    assert not Woman.objects.exists()
    admit(monitor, prisons["CC2"], confirm_warnings=True, **kwargs)
    assert Woman.objects.count() == 1


def test_nationality_ethnicity_and_language_come_from_the_lists(monitor, prisons):
    with pytest.raises(ValidationError) as refused:
        admit(monitor, prisons["CC2"], nationality="XX", ethnicity="martian", language="zz")
    assert set(refused.value.message_dict) == {"nationality", "ethnicity", "language"}
    woman = admit(monitor, prisons["CC2"], nationality="VN", ethnicity="cham", language="cjm")
    assert (woman.nationality, woman.ethnicity, woman.language) == ("VN", "cham", "cjm")


def test_the_form_offers_countries_in_english_and_khmer(monitor):
    with translation.override("en"):
        choices = dict(AdmissionForm(user=monitor).fields["nationality"].choices)
        assert choices["KH"] == "Cambodia (KH)" and choices["CA"] == "Canada (CA)"
    with translation.override("km"):
        form = AdmissionForm(user=monitor)
        assert dict(form.fields["nationality"].choices)["KH"] == "កម្ពុជា (KH)"
        assert dict(form.fields["ethnicity"].choices)["khmer"] == "ខ្មែរ"


def test_the_api_answers_the_same_checks(client, monitor):
    client.force_login(monitor)
    url = reverse("api:women")
    body = {"prison": "CC2", "admission_date": "0001-01-01", "name": "Entry Check"}
    answer = client.post(url, {**body, "confirm_new": True}, content_type="application/json")
    assert answer.status_code == 422
    assert "admission_date" in answer.json()["errors"]
    unlikely = {
        **body,
        "admission_date": "2026-05-01",
        "date_of_birth": "1962-01-01",
        "children": [{"date_of_birth": "2020-01-01", "caregiver_relationship": "grandparent"}],
        "confirm_new": True,
    }
    warned = client.post(url, unlikely, content_type="application/json")
    assert warned.status_code == 422 and "confirm_warnings" in warned.json()["errors"]
    confirmed = client.post(
        url, {**unlikely, "confirm_warnings": True}, content_type="application/json"
    )
    assert confirmed.status_code == 201
    assert Woman.objects.count() == 1


def test_the_floor_applies_to_every_event_date(monitor, prisons):
    woman = admit(monitor, prisons["CC2"])
    with pytest.raises(ValidationError) as refused:
        services.record_release(
            monitor,
            woman.current_episode,
            date(1899, 12, 31),
            "acquittal",
            version=current_version(woman.current_episode),
        )
    assert "release_date" in refused.value.message_dict


def test_a_child_within_the_limit_at_admission_and_over_it_now_is_overdue_not_an_error():
    child = rules.ChildEntry(
        "children.0.", date(2023, 6, 1), living_in_prison=True, since=date(2026, 3, 7)
    )
    assert findings(children=[child], age_limit_months=36) == ({}, {})
