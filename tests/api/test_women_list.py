"""GET /api/v1/women: the web list's filters, keyset paging, scope and query count."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motherline.accounts.models import AuditEvent
from motherline.people import services
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, child_outside, current_version


@pytest.fixture
def register(users, prisons):
    """Six women of the NGO and one of an unrelated organisation, all different."""
    monitor = users["monitor"]
    women = {
        "pretrial_old": admit(
            monitor,
            prisons["CC2"],
            name="Chan Pretrial",
            admission_date=TODAY - timedelta(days=400),
        ),
        "pregnant": admit(
            monitor,
            prisons["CC2"],
            name="Srey Pregnant",
            is_pregnant=True,
            register_number="CC2-0042",
        ),
        "mother": admit(
            monitor,
            prisons["KDL"],
            name="Mealea Mother",
            children=[child_in_prison(date(2025, 3, 1))],
        ),
        "mother_outside": admit(
            monitor,
            prisons["KDL"],
            name="Bopha Outside",
            children=[child_outside(date(2015, 3, 1))],
        ),
        "convicted": admit(
            monitor, prisons["CC2"], name="Dara Convicted", legal_status="final", sentence_months=24
        ),
        "released": admit(monitor, prisons["CC2"], name="Kanha Released"),
        "other_org": admit(users["other_monitor"], prisons["CC2"], name="Other Org"),
    }
    services.record_release(
        monitor,
        women["released"].current_episode,
        TODAY - timedelta(days=5),
        "acquittal",
        today=TODAY,
        version=current_version(women["released"].current_episode),
    )
    return women


def _refs(response):
    assert response.status_code == 200, response.content
    return {item["reference"] for item in response.json()["items"]}


def _expected(register, *keys):
    return {register[k].reference for k in keys}


def test_lists_the_womens_records_in_scope(api, users, register):
    response = api.login(users["monitor"]).get("/women")

    body = response.json()
    assert _refs(response) == _expected(
        register, "pretrial_old", "pregnant", "mother", "mother_outside", "convicted", "released"
    )
    assert body["total"] == 6
    assert body["next_cursor"] is None
    item = next(i for i in body["items"] if i["reference"] == register["mother"].reference)
    assert item == {
        "reference": register["mother"].reference,
        "name": "Mealea Mother",
        "name_latin": register["mother"].name_latin,
        "register_number": register["mother"].register_number,
        "organisation": "Women's Justice NGO",
        "date_of_birth": "1990-03-10",
        "dob_is_estimated": False,
        "in_custody": True,
        "prison": {"code": "KDL", "name": "Kandal Provincial Prison"},
        "province": "KH-8",
        "legal_status": "pretrial",
        "admission_date": (TODAY - timedelta(days=100)).isoformat(),
        "is_pregnant": False,
        "has_child_in_prison": True,
    }
    released = next(i for i in body["items"] if i["reference"] == register["released"].reference)
    assert (released["in_custody"], released["prison"], released["legal_status"]) == (
        False,
        None,
        None,
    )
    # A list is recorded as one event for the page, naming the women listed, not one per woman.
    event = AuditEvent.objects.get(action="view")
    assert event.object_ref == "(list)" and event.object_type == "people.Woman"
    assert event.changes["listed"] == [item["reference"] for item in body["items"]]


@pytest.mark.parametrize(
    ("params", "keys"),
    [
        ({"prison": "KDL"}, ["mother", "mother_outside"]),
        ({"province": "KH-12"}, ["pretrial_old", "pregnant", "convicted"]),
        ({"legal_status": "final"}, ["convicted"]),
        ({"pregnant": "true"}, ["pregnant"]),
        ({"pregnant": "false", "prison": "CC2"}, ["pretrial_old", "convicted"]),
        ({"child_in_prison": "1"}, ["mother"]),
        ({"pretrial_days_over": "365"}, ["pretrial_old"]),
        ({"in_custody": "false"}, ["released"]),
        ({"in_custody": "true", "prison": "KDL"}, ["mother", "mother_outside"]),
        ({"q": "srey"}, ["pregnant"]),
        ({"q": "CC2-0042"}, ["pregnant"]),
    ],
)
def test_filters(api, users, register, params, keys):
    response = api.login(users["monitor"]).get("/women", **params)

    assert _refs(response) == _expected(register, *keys)
    assert response.json()["total"] == len(keys)


def test_search_by_reference(api, users, register):
    reference = register["convicted"].reference

    response = api.login(users["monitor"]).get("/women", q=reference.lower())

    assert _refs(response) == {reference}


def test_keyset_paging_walks_every_woman_once(api, users, register):
    api.login(users["monitor"])
    seen, after, pages = [], None, 0
    while True:
        params = {"size": 4} | ({"after": after} if after else {})
        body = api.get("/women", **params).json()
        pages += 1
        assert body["total"] == 6
        seen += [item["reference"] for item in body["items"]]
        after = body["next_cursor"]
        if after is None:
            break

    assert pages == 2
    assert len(seen) == len(set(seen)) == 6
    # Newest first.
    assert seen[0] == register["released"].reference


def test_a_page_stays_put_when_a_newer_woman_is_admitted(api, users, prisons, register):
    api.login(users["monitor"])
    first = api.get("/women", size=3).json()

    admit(users["monitor"], prisons["CC2"], name="Newcomer")
    second = api.get("/women", size=3, after=first["next_cursor"]).json()

    assert not {i["reference"] for i in first["items"]} & {i["reference"] for i in second["items"]}
    assert len(second["items"]) == 3


def test_page_size_is_limited(api, users, register):
    response = api.login(users["monitor"]).get("/women", size=201)

    assert response.status_code == 422
    assert response.json() == {"errors": {"size": ["Enter a number of at most 200."]}}


def test_invalid_filters_are_field_errors(api, users, register):
    response = api.login(users["monitor"]).get(
        "/women", legal_status="jailed", pregnant="maybe", pretrial_days_over="-1"
    )

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"legal_status", "pregnant", "pretrial_days_over"}


def test_a_liaison_sees_her_prison_only(api, users, register):
    response = api.login(users["prison_liaison"]).get("/women")

    # Every woman held in CC2 now, whichever organisation recorded her.
    assert _refs(response) == _expected(
        register, "pretrial_old", "pregnant", "convicted", "other_org"
    )


def test_a_partner_sees_only_shared_records(api, users, prisons, register):
    shared = admit(users["monitor"], prisons["CC2"], name="Shared", consent_scope="partners")

    response = api.login(users["un_monitor"]).get("/women")

    assert _refs(response) == {shared.reference}


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(api, users, register, role):
    response = api.login(users[role]).get("/women")

    assert response.status_code == 403
    assert "Chan Pretrial" not in response.content.decode()


def test_signed_out_is_401(api, register):
    assert api.get("/women").status_code == 401


def _queries_for_list(api) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get("/women", size=200)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_number_of_women(api, users, prisons):
    monitor = users["monitor"]
    for i in range(5):
        admit(
            monitor,
            prisons["CC2"],
            is_pregnant=i % 2 == 0,
            children=[child_in_prison(date(2025, 1, 1))] if i % 3 == 0 else [],
        )
    api.login(monitor)
    with_5 = _queries_for_list(api)

    for i in range(55):
        admit(
            monitor,
            prisons["KDL" if i % 2 else "CC2"],
            is_pregnant=i % 2 == 0,
            children=[child_in_prison(date(2025, 1, 1))] if i % 3 == 0 else [],
        )
    with_60 = _queries_for_list(api)

    assert api.get("/women", size=200).json()["total"] == 60
    assert with_5 == with_60
    assert with_60 < 30
