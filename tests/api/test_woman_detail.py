"""GET /api/v1/women/{reference}: the full record, the audit trail, and who may read it."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from motherline.accounts.models import AuditEvent
from motherline.people import services
from tests.conftest import TODAY
from tests.factories import (
    admit,
    child_in_prison,
    child_outside,
    current_version,
    ongoing_pregnancy,
)


@pytest.fixture
def woman(users, prisons, offences):
    """Admitted to CC2 with two charges, pregnant, one child inside and one outside; then
    convicted and transferred to Kandal."""
    monitor = users["monitor"]
    woman = admit(
        monitor,
        prisons["CC2"],
        name="Sok Dara",
        register_number="CC2-7",
        admission_date=TODAY - timedelta(days=200),
        court="Phnom Penh Municipal Court",
        offences=[offences["theft"], offences["drugs"]],
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=150),
        expected_delivery_date=TODAY + timedelta(days=60),
        is_sole_carer=True,
        children=[
            child_in_prison(date(2025, 2, 1), name="Little Dara", sex="female"),
            child_outside(date(2016, 7, 1), caregiver_name="Grandmother Sok"),
        ],
    )
    services.record_legal_status(
        monitor,
        woman.current_episode,
        "convicted",
        TODAY - timedelta(days=50),
        sentence_months=18,
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        TODAY - timedelta(days=20),
        "Closer to family",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    return woman


def test_returns_the_full_record(api, users, woman):
    response = api.login(users["monitor"]).get(f"/women/{woman.reference}")

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == woman.reference
    assert (body["name"], body["register_number"], body["organisation"]) == (
        "Sok Dara",
        "CC2-7",
        "Women's Justice NGO",
    )
    assert (body["is_sole_carer"], body["is_primary_carer"], body["dependent_children"]) == (
        True,
        True,
        2,
    )
    assert body["in_custody"] is True
    assert body["current_prison"] == {"code": "KDL", "name": "Kandal Provincial Prison"}

    [episode] = body["episodes"]
    assert episode["admission_prison"]["code"] == "CC2"
    assert episode["current_prison"]["code"] == "KDL"
    assert (episode["legal_status"], episode["sentence_months"]) == ("convicted", 18)
    assert episode["court"] == "Phnom Penh Municipal Court"
    assert episode["is_open"] is True
    assert episode["version"] == 3  # two changes since admission
    assert [s["status"] for s in episode["status_history"]] == ["pretrial", "convicted"]
    assert {c["offence"] for c in episode["charges"]} == {"theft", "drug_possession"}
    assert {c["iccs_section"] for c in episode["charges"]} == {"05", "06"}
    assert episode["transfers"] == [
        {
            "transfer_date": (TODAY - timedelta(days=20)).isoformat(),
            "from_prison": {"code": "CC2", "name": "Correctional Centre 2"},
            "to_prison": {"code": "KDL", "name": "Kandal Provincial Prison"},
            "reason": "Closer to family",
        }
    ]

    [pregnancy] = body["pregnancies"]
    assert pregnancy["id"] == ongoing_pregnancy(woman).pk
    assert pregnancy["is_ongoing"] is True
    assert pregnancy["expected_delivery_date"] == (TODAY + timedelta(days=60)).isoformat()

    outside, inside = body["children"]  # oldest first
    assert (inside["name"], inside["sex"], inside["date_of_birth"]) == (
        "Little Dara",
        "female",
        "2025-02-01",
    )
    # She moved with her mother: the CC2 placement ended, the Kandal one is current.
    assert [(p["kind"], p["prison"]["code"], p["end_date"]) for p in inside["placements"]] == [
        ("in_prison", "CC2", (TODAY - timedelta(days=20)).isoformat()),
        ("in_prison", "KDL", None),
    ]
    assert inside["current_placement"]["prison"]["code"] == "KDL"
    assert outside["current_placement"]["kind"] == "with_caregiver"
    assert outside["current_placement"]["caregiver_relationship"] == "grandparent"
    assert outside["current_placement"]["caregiver_name"] == "Grandmother Sok"
    assert outside["current_placement"]["prison"] is None


def test_the_read_is_on_the_audit_trail(api, users, woman):
    api.login(users["monitor"]).get(f"/women/{woman.reference}")

    event = AuditEvent.objects.get(action="view")
    assert (event.user, event.object_type, event.object_ref) == (
        users["monitor"],
        "people.Woman",
        woman.reference,
    )
    assert event.ip_address == "127.0.0.1"


def test_a_liaison_of_her_prison_may_read_it(api, users, prisons):
    woman = admit(users["other_monitor"], prisons["CC2"])

    response = api.login(users["prison_liaison"]).get(f"/women/{woman.reference}")

    assert response.status_code == 200


@pytest.mark.parametrize("user", ["prison_liaison", "other_monitor"])
def test_outside_the_scope_is_404_and_not_audited(api, users, woman, user):
    # The liaison is attached to CC2 and she is now in Kandal; the other organisation
    # does not share with the NGO.
    response = api.login(users[user]).get(f"/women/{woman.reference}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert "Sok Dara" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_partners_see_a_record_shared_by_consent(api, users, prisons):
    shared = admit(users["monitor"], prisons["CC2"], consent_scope="partners")
    private = admit(users["monitor"], prisons["CC2"])
    api.login(users["un_monitor"])

    assert api.get(f"/women/{shared.reference}").status_code == 200
    assert api.get(f"/women/{private.reference}").status_code == 404


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_403(api, users, woman, role):
    response = api.login(users[role]).get(f"/women/{woman.reference}")

    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not see personal records."}
    assert "Sok Dara" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_unknown_reference_is_404(api, users, woman):
    assert api.login(users["monitor"]).get("/women/W-NOPE2345").status_code == 404


def test_signed_out_is_401(api, woman):
    assert api.get(f"/women/{woman.reference}").status_code == 401


def test_query_count_does_not_grow_with_her_history(api, users, prisons, woman):
    api.login(users["monitor"])
    with CaptureQueriesContext(connection) as before:
        api.get(f"/women/{woman.reference}")

    monitor = users["monitor"]
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["CC2"],
        TODAY - timedelta(days=10),
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    services.record_child(monitor, woman, child_outside(date(2014, 1, 1)), today=TODAY)
    with CaptureQueriesContext(connection) as after:
        api.get(f"/women/{woman.reference}")

    assert len(before.captured_queries) == len(after.captured_queries) < 20
