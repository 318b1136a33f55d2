"""POST /api/v1/women: an admission with charges, pregnancy and children."""

from datetime import timedelta

import pytest
from django.test import Client

from motherline.accounts.models import AuditEvent
from motherline.legal.models import LegalCase
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    Placement,
    Pregnancy,
    Woman,
)
from tests.conftest import TODAY
from tests.factories import admit

ADMITTED = (TODAY - timedelta(days=3)).isoformat()


def admission(**overrides):
    body = {
        "prison": "CC2",
        "admission_date": ADMITTED,
        "name": "  Chea Sopheap ",
        "name_latin": "Chea Sopheap",
        "register_number": "CC2-2026-118",
        "date_of_birth": "1996-04-12",
        "nationality": "KH",
        "is_sole_carer": True,
        "legal_status": "pretrial",
        "court": "Phnom Penh Municipal Court",
        "offences": ["theft", "drug_possession"],
        "is_pregnant": True,
        "pregnancy_known_since": (TODAY - timedelta(days=30)).isoformat(),
        "expected_delivery_date": (TODAY + timedelta(days=200)).isoformat(),
        "consent_scope": "partners",
        "children": [
            {
                "date_of_birth": "2025-06-01",
                "name": "Baby Sopheap",
                "sex": "male",
                "living_in_prison": True,
            },
            {
                "date_of_birth": "2017-09-09",
                "living_in_prison": False,
                "caregiver_relationship": "grandparent",
                "caregiver_name": "Chea Mom",
                "caregiver_location": "Takeo",
            },
        ],
    }
    body.update(overrides)
    return body


def _nothing_written():
    return not (
        Woman.objects.exists()
        or CustodyEpisode.objects.exists()
        or Child.objects.exists()
        or Pregnancy.objects.exists()
        or AuditEvent.objects.filter(action="create").exists()
    )


def test_admits_her_with_charges_pregnancy_and_children(api, users, prisons, offences):
    response = api.login(users["monitor"]).post("/women", admission())

    assert response.status_code == 201, response.content
    body = response.json()
    woman = Woman.objects.get()
    assert body["reference"] == woman.reference
    assert (woman.name, woman.organisation, woman.created_by) == (
        "Chea Sopheap",
        users["monitor"].organisation,
        users["monitor"],
    )
    assert (woman.is_sole_carer, woman.is_primary_carer, woman.dependent_children) == (
        True,
        True,
        2,
    )
    assert woman.consent_scope == "partners"
    episode = woman.current_episode
    assert (episode.admission_prison, episode.current_prison) == (prisons["CC2"], prisons["CC2"])
    assert episode.admission_date.isoformat() == ADMITTED
    assert set(
        Charge.objects.filter(episode=episode).values_list("offence_category__code", flat=True)
    ) == {"theft", "drug_possession"}
    pregnancy = Pregnancy.objects.get(woman=woman)
    assert pregnancy.is_ongoing
    assert pregnancy.known_since == TODAY - timedelta(days=30)

    baby = next(c for c in Child.objects.filter(mother=woman) if c.name == "Baby Sopheap")
    [placement] = baby.placements.all()
    assert (placement.kind, placement.prison, placement.end_date) == (
        "in_prison",
        prisons["CC2"],
        None,
    )
    assert placement.start_date.isoformat() == ADMITTED
    older = Child.objects.get(mother=woman, date_of_birth="2017-09-09")
    [outside] = older.placements.all()
    assert (
        outside.kind,
        outside.prison,
        outside.caregiver_relationship,
        outside.caregiver_name,
        outside.caregiver_location,
    ) == (
        "with_caregiver",
        None,
        "grandparent",
        "Chea Mom",
        "Takeo",
    )
    assert Placement.objects.count() == 2

    event = AuditEvent.objects.get(action="create")
    assert (event.user, event.object_ref) == (users["monitor"], woman.reference)
    # The response is her full record.
    assert len(body["children"]) == 2
    assert body["episodes"][0]["current_prison"]["code"] == "CC2"
    assert body["pregnancies"][0]["is_ongoing"] is True


def test_a_minimal_admission(api, users, prisons):
    response = api.login(users["legal_officer"]).post(
        "/women", {"prison": "KDL", "admission_date": ADMITTED, "name": "Nary"}
    )

    assert response.status_code == 201
    woman = Woman.objects.get()
    assert (woman.current_episode.current_prison.code, woman.dependent_children) == ("KDL", 0)
    assert not woman.children.exists()
    assert not woman.pregnancies.exists()


def test_service_errors_are_field_errors_and_nothing_is_written(api, users, prisons, offences):
    body = admission(
        admission_date=(TODAY + timedelta(days=1)).isoformat(),
        children=[
            {"date_of_birth": "2025-01-01", "living_in_prison": True},
            {
                "date_of_birth": "1990-01-01",
                "living_in_prison": False,
                "caregiver_relationship": "father",
            },
            {"date_of_birth": "2018-01-01", "living_in_prison": False},
        ],
    )

    response = api.login(users["monitor"]).post("/women", body)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {
        "admission_date",
        "children.1.date_of_birth",
        "children.2.caregiver_relationship",
    }
    assert errors["admission_date"] == ["This date is in the future (today is 15 June 2026)."]
    assert all(isinstance(m, list) and m for m in errors.values())
    assert _nothing_written()


def test_request_errors_are_field_errors_too(api, users, prisons, offences):
    body = admission(
        name="   ",
        legal_status="jailed",
        dependent_children=-1,
        children=[{"date_of_birth": "31/12/2020"}, {"name": "No birth date"}],
    )
    del body["admission_date"]

    response = api.login(users["monitor"]).post("/women", body)

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "admission_date": ["This field is required."],
        "name": ["This field cannot be blank."],
        "legal_status": ["This is not one of the allowed values."],
        "dependent_children": ["Enter a number of at least 0."],
        "children.0.date_of_birth": ["Enter a date as YYYY-MM-DD."],
        "children.1.date_of_birth": ["This field is required."],
    }
    assert _nothing_written()


def test_a_name_longer_than_the_register_stores_is_refused(api, users, prisons):
    response = api.login(users["monitor"]).post("/women", admission(register_number="9" * 65))

    assert response.status_code == 422
    assert response.json()["errors"] == {"register_number": ["Enter at most 64 characters."]}
    assert _nothing_written()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"prison": "NOPE"}, "prison"),
        ({"prison": "CC1"}, "prison"),  # holds no women
        ({"offences": ["theft", "piracy"]}, "offences"),
        ({"legal_status": "final"}, "sentence_months"),
    ],
)
def test_unknown_or_unsuitable_references(api, users, prisons, offences, overrides, field):
    response = api.login(users["monitor"]).post("/women", admission(**overrides))

    assert response.status_code == 422
    assert list(response.json()["errors"]) == [field]
    assert _nothing_written()


def test_a_body_that_is_not_json(api, users):
    response = api.login(users["monitor"]).client.post(
        "/api/v1/women", "{not json", content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON."}


@pytest.mark.parametrize("body", ["[]", '["x"]', '"text"', "3", "null"])
def test_a_json_body_that_is_not_an_object_writes_nothing(api, users, prisons, body):
    """An array would otherwise read as an empty object where every field has a default."""
    woman = admit(users["monitor"], prisons["CC2"])
    client = api.login(users["monitor"]).client
    for path in ("/api/v1/women", f"/api/v1/women/{woman.reference}/legal-cases"):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.content)
        assert response.json() == {"detail": "The request body must be a JSON object, {...}."}
    assert not LegalCase.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "analyst", "programme_manager"])
def test_roles_that_may_not_edit_are_403(api, users, prisons, offences, role):
    response = api.login(users[role]).post("/women", admission())

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change the register."}
    assert _nothing_written()


def test_a_liaison_admits_into_her_own_prison_only(api, users, prisons, offences):
    api.login(users["prison_liaison"])  # attached to CC2

    elsewhere = api.post("/women", admission(prison="KDL"))
    assert elsewhere.status_code == 403
    assert elsewhere.json() == {
        "detail": "You may only admit a woman to a prison whose records you see."
    }
    assert _nothing_written()

    own = api.post("/women", admission(prison="CC2"))
    assert own.status_code == 201
    assert Woman.objects.get().current_episode.current_prison == prisons["CC2"]


def test_signed_out_is_401(api, prisons):
    assert api.post("/women", admission()).status_code == 401
    assert _nothing_written()


def test_the_session_needs_the_csrf_token(users, prisons, offences):
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["monitor"])

    refused = client.post("/api/v1/women", admission(), content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert _nothing_written()

    # What a page of the web UI holds: the csrftoken cookie, sent back in X-CSRFToken.
    token = "k" * 32
    client.cookies["csrftoken"] = token
    accepted = client.post(
        "/api/v1/women",
        admission(),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert accepted.status_code == 201
