"""GET /api/v1/worklist: the page's items as JSON, with references and never names."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.api.conftest import Api
from tests.conftest import TODAY
from tests.worklist.clock import move_clock_to

FIELDS = {
    "key",
    "kind",
    "due_date",
    "days",
    "urgency",
    "prison",
    "prison_name",
    "province",
    "subject",
    "subject_type",
    "mother",
    "status",
    "why",
    "link",
}
NAMES = [
    "Dara Mother",
    "Baby Near",
    "Chanthy Pregnant",
    "Malis Pretrial",
    "Kunthea Release",
    "Sreymom Unregistered",
    "Little Unregistered",
    "Bopha Handover",
    "Child Handed",
    "Grandmother",
]


@pytest.fixture
def api(client):
    return Api(client)


def test_the_items_with_references_and_no_names(api, users, register):
    response = api.login(users["monitor"]).get("/worklist")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    items = body["items"]
    assert len(items) == 6
    assert all(set(item) == FIELDS for item in items)
    first = items[0]
    assert first["urgency"] == "overdue"
    assert {i["kind"] for i in items} >= {"pretrial_limit", "child_age_limit", "follow_up_due"}
    pretrial = next(i for i in items if i["kind"] == "pretrial_limit")
    assert pretrial == {
        "key": f"pretrial_limit:{register['pretrial'].reference}:"
        f"{(TODAY - timedelta(days=20)).isoformat()}",
        "kind": "pretrial_limit",
        "due_date": (TODAY - timedelta(days=20)).isoformat(),
        "days": -20,
        "urgency": "overdue",
        "prison": "CC2",
        "prison_name": "Correctional Centre 2",
        "province": "KH-12",
        "subject": register["pretrial"].reference,
        "subject_type": "woman",
        "mother": "",
        "status": "overdue by 20 days",
        "why": pretrial["why"],
        "link": f"/women/{register['pretrial'].reference}/",
    }
    text = json.dumps(items, ensure_ascii=False)
    for name in NAMES:
        assert name not in text


def test_filters_and_as_of(api, users, register, monkeypatch):
    api.login(users["monitor"])
    kdl = api.get("/worklist", prison="KDL").json()["items"]
    assert {i["subject"] for i in kdl} == {
        register["pregnant"].reference,
        register["release"].reference,
    }
    assert [i["kind"] for i in api.get("/worklist", kind="expected_release").json()["items"]] == [
        "expected_release"
    ]
    assert {i["province"] for i in api.get("/worklist", province="KH-12").json()["items"]} == {
        "KH-12"
    }
    move_clock_to(monkeypatch, TODAY + timedelta(days=30))
    later = api.get("/worklist", as_of=(TODAY + timedelta(days=30)).isoformat()).json()["items"]
    child = next(i for i in later if i["kind"] == "child_age_limit")
    assert (child["urgency"], child["days"]) == ("overdue", -10)


def test_liaison_gets_her_prison_only(api, users, register):
    items = api.login(users["prison_liaison"]).get("/worklist").json()["items"]
    assert items and {i["prison"] for i in items} == {"CC2"}


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_get_403(api, users, register, role):
    response = api.login(users[role]).get("/worklist")
    assert response.status_code == 403


def test_bad_parameters_are_422(api, users, register):
    api.login(users["monitor"])
    assert api.get("/worklist", kind="nonsense").status_code == 422
    response = api.get("/worklist", as_of="15/06/2026")
    assert response.status_code == 422
    assert "as_of" in response.json()["errors"]
    response = api.get("/worklist", after="not-a-cursor")
    assert response.status_code == 422
    assert "after" in response.json()["errors"]
    assert api.get("/worklist", size=0).status_code == 422
    assert api.get("/worklist", size=5001).status_code == 422


def test_one_page_at_a_time(api, users, register):
    api.login(users["monitor"])
    everything = api.get("/worklist").json()["items"]
    seen, params = [], {"size": 4}
    while True:
        body = api.get("/worklist", **params).json()
        assert len(body["items"]) <= 4
        seen += body["items"]
        if body["next_cursor"] is None:
            break
        params["after"] = body["next_cursor"]
    assert seen == everything
    assert len(everything) > 4  # two pages at least


def test_sign_in_required(api, db):
    assert api.get("/worklist").status_code == 401
