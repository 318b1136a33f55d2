"""The API of a child's family outside: caregivers, best-interests assessments and the
gazetteer the addresses choose from; the same services and access policy as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care.models import Caregiver
from tests.care.conftest import TODAY, plan_at, record_caregiver
from tests.care.test_api import Api
from tests.factories import admit, child_in_prison, children_of


@pytest.fixture
def api(client, monitor):
    return Api(client, monitor)


def test_add_list_and_correct_caregivers(api, child, gazetteer):
    base = f"/children/{child.reference}/caregivers"
    response = api.post(
        base,
        {
            "name": "Chea Sophal",
            "relationship": "grandparent",
            "commune": "080102",
            "address": "Phum Prek",
            "phone": "+855 12 345 678",
        },
    )
    assert response.status_code == 201
    made = response.json()
    assert made | {"id": 0} == {
        "id": 0,
        "name": "Chea Sophal",
        "relationship": "grandparent",
        "province": "KH-8",
        "district": "0801",
        "commune": "080102",
        "place": "Anlong Romiet, Kandal Stueng, Kandal",
        "address": "Phum Prek",
        "phone": "+855 12 345 678",
        "children": [child.reference],
        "version": 1,
    }
    listed = api.get(base)
    assert listed.status_code == 200 and [c["id"] for c in listed.json()] == [made["id"]]
    one = f"{base}/{made['id']}"
    assert api.get(one).json()["name"] == "Chea Sophal"
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_ref=f"CG-{made['id']}"
    ).exists()
    response = api.patch(one, {"version": 1, "phone": None, "commune": "120101"})
    assert response.status_code == 200
    body = response.json()
    assert (body["phone"], body["commune"], body["province"], body["version"]) == (
        "",
        "120101",
        "KH-12",
        2,
    )
    assert api.patch(one, {"version": 1, "name": "Someone"}).status_code == 409
    missing = api.patch(one, {"name": "Someone"})
    assert missing.status_code == 422 and "version" in missing.json()["errors"]
    assert Caregiver.objects.get().name == "Chea Sophal"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "relationship": "grandparent", "phone": "call me"}, "phone"),
        ({"name": "X", "relationship": "mother", "phone": "012 345 678"}, "relationship"),
        ({"name": "X", "relationship": "grandparent", "commune": "999999"}, "commune"),
        ({"name": "X", "relationship": "grandparent", "phone": "1" * 40}, "phone"),
        ({"name": "", "relationship": "grandparent", "phone": "012 345 678"}, "name"),
        ({"name": "X", "relationship": "aunt", "phone": "012 345 678"}, "relationship"),
    ],
)
def test_bad_caregivers_are_refused_with_the_field(api, child, gazetteer, body, field):
    response = api.post(f"/children/{child.reference}/caregivers", body)
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert not Caregiver.objects.exists()


def test_partners_read_and_outsiders_do_not_see(client, users, monitor, prisons):
    shared = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY.replace(year=2025),
        consent_scope="partners",
        children=[child_in_prison(TODAY.replace(year=2024))],
    )
    child = children_of(shared)[0]
    caregiver = record_caregiver(monitor, child)
    base = f"/children/{child.reference}/caregivers"
    body = {"name": "X", "relationship": "grandparent", "phone": "012 345 678"}
    partner = Api(client, users["un_monitor"])
    assert partner.get(base).status_code == 200
    assert partner.post(base, body).status_code == 403
    assert partner.patch(f"{base}/{caregiver.pk}", {"version": 1}).status_code == 403
    outsider = Api(Client(), users["other_monitor"])
    assert outsider.get(base).status_code == 404
    assert outsider.get(f"{base}/{caregiver.pk}").status_code == 404
    assert outsider.post(base, body).status_code == 404


def test_link_a_sibling_caregiver(api, monitor, prisons):
    mother = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY.replace(year=2025),
        children=[
            child_in_prison(TODAY.replace(year=2023)),
            child_in_prison(TODAY.replace(year=2024)),
        ],
    )
    older, younger = children_of(mother)
    grandmother = record_caregiver(monitor, older)
    response = api.post(
        f"/children/{younger.reference}/caregiver-links",
        {"caregiver": grandmother.pk, "relationship": "grandparent"},
    )
    assert response.status_code == 201
    assert response.json()["children"] == sorted([older.reference, younger.reference])


def test_assessments_through_the_api(api, users, monitor, child, questions):
    plan = plan_at(monitor, child, "assessed")
    grandmother = record_caregiver(monitor, child)
    base = f"/plans/{plan.pk}/assessments"
    body = {
        "caregiver": grandmother.pk,
        "assessed_on": TODAY.isoformat(),
        "answers": {q.code: {"finding": "meets_needs"} for q in questions},
        "recommendation": "hand_over",
    }
    missing = api.post(base, {**body, "answers": {}})
    assert missing.status_code == 422
    assert set(missing.json()["errors"]) == {f"finding_{q.code}" for q in questions}
    response = api.post(base, body)
    assert response.status_code == 201
    made = response.json()
    assert (made["status"], made["allows_handover"], made["child"]) == (
        "recorded",
        False,
        child.reference,
    )
    assert [a["question"] for a in made["answers"]] == [q.code for q in questions]
    assert [a["id"] for a in api.get(base).json()] == [made["id"]]
    one = f"/assessments/{made['id']}"
    corrected = api.patch(one, {"version": 1, "recommendation": "with_support", "reasons": "Rice"})
    assert corrected.status_code == 200 and corrected.json()["version"] == 2
    assert api.patch(one, {"version": 1, "reasons": "Again"}).status_code == 409
    # The monitor's role may not decide (403); the NGO's programme manager may.
    assert api.post(f"{one}/decision", {"approve": True, "version": 2}).status_code == 403
    manager = Api(Client(), users["programme_manager"])
    assert manager.post(f"{one}/decision", {"approve": True, "version": 1}).status_code == 409
    decided = manager.post(f"{one}/decision", {"approve": True, "version": 2})
    assert decided.status_code == 200
    assert decided.json()["allows_handover"] is True
    assert decided.json()["decided_by"] == "programme_manager"


def test_the_gazetteer_of_the_users_jurisdiction(api, gazetteer):
    districts = api.get("/provinces/KH-8/districts")
    assert districts.status_code == 200
    assert districts.json() == [
        {
            "code": "0801",
            "name": "Kandal Stueng",
            "name_local": "កណ្ដាលស្ទឹង",
            "kind": "district",
            "verified": False,
        }
    ]
    communes = api.get("/provinces/KH-8/districts/0801/communes").json()
    assert [c["code"] for c in communes] == ["080101", "080102"]
    assert api.get("/provinces/KH-12/districts/0801/communes").status_code == 404
    assert api.get("/provinces/KH-99/districts").status_code == 404
