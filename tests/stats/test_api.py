"""The statistics API: published values only, roles, errors, and the import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from motherline.accounts.models import AuditEvent
from motherline.stats.models import PopulationReturn
from tests.stats.conftest import sign_in

BASE = "/api/v1/stats"
HEADER = (
    b"prison,date,total,men,women,pretrial_men,pretrial_women,minors,foreign_nationals,"
    b"pregnant_women,children_in_prison\n"
)


@pytest.mark.parametrize("role", ["analyst", "viewer", "monitor"])
def test_series_for_roles_with_aggregates(client, users, page_returns, role):
    response = sign_in(client, users[role]).get(
        f"{BASE}/series",
        {"indicator": "women", "start": "2025-01-01", "end": "2026-06-15", "period": "month"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["return_source"] == "prison_authority"
    assert [(p["period"], p["value"]) for p in body["points"]] == [
        ("2025-12", 550.0),
        ("2026-05", 560.0),
    ]


def test_series_suppresses_small_counts(client, users, page_returns):
    response = sign_in(client, users["viewer"]).get(
        f"{BASE}/series",
        {"indicator": "pregnant_women", "area": "prison:KDL", "start": "2026-01-01"},
    )
    [point] = response.json()["points"]
    assert point == {
        "period": "2026",
        "area": "prison:KDL",
        "value": None,
        "suppressed": True,
        "category": "",
        "date": "2026-05-31",
        "source": "prison_authority",
        "source_url": "",
        "precision": "day",
        "level": "prison",
        "reporting": None,
        "expected": None,
    }


def test_prisons_table_with_secondary_suppression(client, users, page_returns):
    body = sign_in(client, users["analyst"]).get(f"{BASE}/prisons").json()
    assert body["date"] == "2026-05-31"
    pregnant = body["columns"].index("pregnant_women")
    rows = {row["code"]: row["cells"] for row in body["rows"]}
    assert rows["KDL"][pregnant] == {"value": None, "suppressed": True}
    assert sum(row[pregnant]["suppressed"] for row in rows.values()) >= 2
    assert body["totals"][pregnant] == {"value": 11.0, "suppressed": False}
    assert "name" not in str(body["columns"])


def test_bad_parameters_are_422(client, users, page_returns):
    sign_in(client, users["viewer"])
    assert client.get(f"{BASE}/series", {"indicator": "nope"}).status_code == 422
    assert client.get(f"{BASE}/series", {"indicator": "men", "source": "x"}).status_code == 422
    assert client.get(f"{BASE}/series", {"indicator": "women", "area": "mars"}).status_code == 422
    assert client.get(f"{BASE}/prisons", {"area": "prison:NOPE"}).status_code == 422


def test_the_indicator_list(client, users, db):
    body = sign_in(client, users["viewer"]).get(f"{BASE}/indicators").json()
    names = {row["name"]: row for row in body}
    assert names["men"]["from_register"] is False
    assert names["releases_by_reason"]["from_returns"] is False


def test_sign_in_required(client, db):
    assert client.get(f"{BASE}/series", {"indicator": "women"}).status_code == 401


def test_import_by_an_analyst(client, users, prisons, frozen_today):
    sign_in(client, users["analyst"])
    upload = SimpleUploadedFile("r.csv", HEADER + b"KDL,31/03/2013,700,650,50,,,,,,\n")
    response = client.post(f"{BASE}/returns", {"file": upload, "source": "ngo_census"})
    assert response.status_code == 200
    assert response.json() == {"rows": 1, "created": 1, "updated": 0, "unchanged": 0}
    assert PopulationReturn.objects.get().source == "ngo_census"
    assert AuditEvent.objects.filter(object_type="stats.PopulationReturn").count() == 1


def test_import_problems_are_422(client, users, prisons, frozen_today):
    sign_in(client, users["administrator"])
    upload = SimpleUploadedFile("r.csv", HEADER + b"KDL,31/03/2013,x,,,,,,,,\n")
    response = client.post(f"{BASE}/returns", {"file": upload, "source": "ngo_census"})
    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"line": 2, "column": "total", "message": "not a whole number: x"}]
    }
    assert PopulationReturn.objects.count() == 0


@pytest.mark.parametrize("role", ["viewer", "monitor", "prison_liaison"])
def test_import_refused_to_other_roles(client, users, prisons, role):
    sign_in(client, users[role])
    upload = SimpleUploadedFile("r.csv", HEADER + b"KDL,31/03/2013,700,650,50,,,,,,\n")
    response = client.post(f"{BASE}/returns", {"file": upload, "source": "ngo_census"})
    assert response.status_code == 403
    assert PopulationReturn.objects.count() == 0
