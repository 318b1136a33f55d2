"""The grants and services API: the same services and access policy as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motherline.grants.models import BudgetLine, Grant, ServiceDelivery
from motherline.people import services as people_services
from tests.conftest import TODAY
from tests.factories import children_of, current_version
from tests.grants.conftest import Api, deliver


def test_grant_lifecycle(client, users, orgs):
    api = Api(client, users["programme_manager"])
    response = api.post(
        "/grants",
        {
            "reference": "G-API",
            "donor": "Fund",
            "grantees": [orgs["ngo"].name],
            "amount": "16300.00",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "purpose": "Services",
        },
    )
    assert response.status_code == 201
    grant_id = response.json()["id"]
    assert (
        api.post(
            f"/grants/{grant_id}/lines", {"code": "1", "name": "Food", "amount": "9000"}
        ).status_code
        == 201
    )
    too_much = api.post(f"/grants/{grant_id}/lines", {"code": "2", "name": "X", "amount": "9000"})
    assert too_much.status_code == 422 and "amount" in too_much.json()["errors"]
    assert BudgetLine.objects.count() == 1
    assert api.get("/grants").json()["total"] == 1
    figures = api.get(f"/grants/{grant_id}").json()
    assert figures["lines"][0]["budget"] == "9000.00"
    unknown = api.post(
        "/grants",
        {
            "reference": "G-2",
            "donor": "F",
            "grantees": ["Nobody"],
            "amount": "1",
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "purpose": "p",
        },
    )
    assert unknown.status_code == 422
    assert Grant.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("monitor", 403), ("analyst", 403)])
def test_grants_are_for_programme_managers(client, users, grant, who, status):
    api = Api(client, users[who])
    assert api.get("/grants").status_code == status
    assert api.get(f"/grants/{grant.pk}").status_code == status


def test_grant_figures_and_report(client, users, grant, mother):
    deliver(users["monitor"], mother, grant)
    deliver(users["monitor"], mother, grant, to_woman=False, child=children_of(mother)[0])
    api = Api(client, users["programme_manager"])
    figures = api.get(f"/grants/{grant.pk}").json()
    assert figures["reach"] == {
        "women": 1,
        "children": 1,
        "pregnant_women": 0,
        "deliveries": 2,
        "cost": "50.00",
    }
    pdf = api.get(f"/grants/{grant.pk}/report?start=2026-01-01&end=2026-12-31&language=km")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    bad = api.get(f"/grants/{grant.pk}/report?start=2026-12-31&end=2026-01-01")
    assert bad.status_code == 422


def test_record_service_through_the_api(client, users, grant, mother):
    api = Api(client, users["monitor"])
    child = children_of(mother)[0]
    body = {
        "woman": mother.reference,
        "to_woman": False,
        "child": child.reference,
        "service_type": "infant_formula",
        "delivered_on": str(TODAY - timedelta(days=2)),
        "cost": "18.00",
        "grant": grant.reference,
        "budget_line": "1",
    }
    response = api.post("/services", body)
    assert response.status_code == 201
    assert response.json()["child"] == child.reference
    assert ServiceDelivery.objects.get().budget_line.code == "1"
    assert api.get(f"/services?woman={mother.reference}").json()["total"] == 1
    bad = api.post("/services", {**body, "budget_line": "9", "child": "C-NOPE"})
    assert bad.status_code == 422
    assert {"budget_line", "child"} <= set(bad.json()["errors"])


def test_service_after_release_is_422_on_the_date(client, users, grant, mother):
    people_services.record_release(
        users["monitor"],
        mother.current_episode,
        TODAY - timedelta(days=10),
        "bail",
        today=TODAY,
        version=current_version(mother.current_episode),
    )
    api = Api(client, users["monitor"])
    response = api.post(
        "/services",
        {
            "woman": mother.reference,
            "service_type": "hygiene_kit",
            "delivered_on": str(TODAY - timedelta(days=2)),
            "cost": "5",
        },
    )
    assert response.status_code == 422
    assert "She was released on" in response.json()["errors"]["delivered_on"][0]


@pytest.mark.parametrize(("who", "status"), [("un_monitor", 404), ("viewer", 403)])
def test_services_outside_scope(client, users, grant, mother, who, status):
    api = Api(client, users[who])
    response = api.post(
        "/services",
        {
            "woman": mother.reference,
            "service_type": "hygiene_kit",
            "delivered_on": str(TODAY),
            "cost": "5",
        },
    )
    assert response.status_code == status
    assert not ServiceDelivery.objects.exists()
