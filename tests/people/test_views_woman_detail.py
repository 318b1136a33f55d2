"""One woman's record: what it shows, who may see it, the audit trail and query counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.people import services
from tests.factories import (
    TODAY,
    admit,
    child_in_prison,
    child_outside,
    children_of,
    current_version,
    ongoing_pregnancy,
    reload,
)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


def url(woman) -> str:
    return reverse("people:woman", args=[woman.reference])


@pytest.fixture
def woman(users, prisons, offences):
    """Admitted to CC2 pretrial with a child inside and one outside, moved to KDL, convicted,
    pregnant, then gave birth in prison; the older child inside later left to her grandmother."""
    monitor = users["monitor"]
    admitted = TODAY - timedelta(days=300)
    w = admit(
        monitor,
        prisons["CC2"],
        name="Sophea Chan",
        name_latin="Sophea",
        register_number="R-42",
        admission_date=admitted,
        court="Phnom Penh Court of First Instance",
        case_number="C-123",
        offences=[offences["drugs"]],
        children=[
            child_in_prison(date(2024, 2, 20), name="Bopha"),
            child_outside(date(2014, 8, 1), name="Vuthy", caregiver_name="Grandmother Srey"),
        ],
    )
    w = reload(w)
    services.record_transfer(
        monitor,
        w.current_episode,
        prisons["KDL"],
        admitted + timedelta(days=40),
        "Court",
        today=TODAY,
        version=current_version(w.current_episode),
    )
    services.record_legal_status(
        monitor,
        reload(w).current_episode,
        "convicted",
        admitted + timedelta(days=120),
        sentence_months=30,
        expected_release_date=admitted + timedelta(days=900),
        today=TODAY,
        version=current_version(reload(w).current_episode),
    )
    services.record_pregnancy(
        monitor,
        reload(w),
        admitted + timedelta(days=130),
        expected_delivery_date=admitted + timedelta(days=330),
        today=TODAY,
    )
    services.record_pregnancy_outcome(
        monitor,
        ongoing_pregnancy(w),
        "birth_in_prison",
        admitted + timedelta(days=280),
        child_name="Nary",
        child_sex="female",
        today=TODAY,
    )
    bopha = children_of(w)[1]
    services.move_child_out(
        monitor,
        bopha,
        admitted + timedelta(days=290),
        "grandparent",
        caregiver_name="Grandmother Srey",
        caregiver_location="Takeo",
        today=TODAY,
        version=current_version(bopha),
    )
    return reload(w)


def test_record_shows_identity_custody_pregnancy_children_and_timeline(client, users, woman):
    client.force_login(users["monitor"])
    response = client.get(url(woman))
    assert response.status_code == 200
    text = response.text
    # Identity
    for expected in ("Sophea Chan", woman.reference, "R-42", "36 years old"):
        assert expected in text
    # Custody: admission, transfer, legal-status history, charges with ICCS, court, sentence.
    for expected in (
        "Correctional Centre 2",
        "Kandal Provincial Prison",
        "Court",
        "Phnom Penh Court of First Instance",
        "C-123",
        "Drug possession",
        ">06<",
        "Convicted at first instance",
        "Pretrial",
        "30 months",
    ):
        assert expected in text, expected
    # Pregnancy with its outcome and the child born of it.
    assert "Birth in prison" in text
    assert 'href="#child-' in text
    # Children: inside and outside, each with an age and placement history.
    for expected in ("Bopha", "Vuthy", "Nary", "Grandmother Srey", "Takeo"):
        assert expected in text, expected
    assert "2 years 3 months" in text  # Bopha, born 20 Feb 2024, on 15 June 2026
    assert "11 years 10 months" in text  # Vuthy, born 1 Aug 2014
    kinds = [e.kind for e in response.context["timeline"]]
    assert kinds[0] == "birth"  # Vuthy, born before her mother's custody
    assert {
        "admission",
        "transfer",
        "legal_status",
        "pregnancy",
        "pregnancy_outcome",
        "birth",
        "placement",
    } <= set(kinds)
    dates = [e.date for e in response.context["timeline"]]
    assert dates == sorted(dates)


def test_every_view_is_on_the_audit_trail(client, users, woman):
    client.force_login(users["monitor"])
    client.get(url(woman))
    client.get(url(woman))
    events = AuditEvent.objects.filter(action=AuditAction.VIEW, object_ref=woman.reference)
    assert events.count() == 2
    event = events.first()
    assert event.user == users["monitor"]
    assert event.object_type == "people.Woman"
    assert event.ip_address == "127.0.0.1"


@pytest.mark.parametrize("role", ["analyst", "viewer"])
def test_roles_without_the_register_are_refused(client, users, woman, role):
    client.force_login(users[role])
    response = client.get(url(woman))
    assert response.status_code == 403
    assert "Sophea" not in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_liaison_of_another_prison_gets_not_found(client, users, woman):
    # She was moved to KDL; the liaison is attached to CC2.
    client.force_login(users["prison_liaison"])
    response = client.get(url(woman))
    assert response.status_code == 404
    assert "Sophea" not in response.text
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_liaison_of_her_prison_sees_her(client, users, prisons):
    w = admit(users["monitor"], prisons["CC2"], name="Held in CC2")
    client.force_login(users["prison_liaison"])
    assert client.get(url(w)).status_code == 200


def test_other_organisation_gets_not_found(client, users, woman):
    client.force_login(users["other_monitor"])
    assert client.get(url(woman)).status_code == 404


def test_unknown_reference_is_not_found(client, users, woman):
    client.force_login(users["monitor"])
    assert client.get(reverse("people:woman", args=["W-NOSUCH00"])).status_code == 404


def test_partner_sees_a_woman_only_with_her_consent_to_share(client, users, prisons, woman):
    shared = admit(users["monitor"], prisons["CC2"], name="Shared", consent_scope="partners")
    client.force_login(users["un_monitor"])
    assert client.get(url(woman)).status_code == 404  # consent for the register only
    response = client.get(url(shared))
    assert response.status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.VIEW).user == users["un_monitor"]


def test_actions_for_an_editor(client, users, prisons):
    w = admit(
        users["monitor"],
        prisons["CC2"],
        is_pregnant=True,
        children=[child_in_prison(date(2025, 1, 1))],
    )
    client.force_login(users["monitor"])
    text = client.get(url(w)).text
    ref = w.reference
    for name in ("transfer", "legal_status", "release", "add_child"):
        assert f'href="{reverse("people:" + name, args=[ref])}"' in text, name
    pregnancy = ongoing_pregnancy(w)
    assert reverse("people:pregnancy_outcome", args=[ref, pregnancy.id]) in text
    assert f'href="{reverse("people:pregnancy", args=[ref])}"' not in text  # one is ongoing
    child = children_of(w)[0]
    assert reverse("people:move_child_out", args=[child.reference]) in text


def test_released_woman_offers_no_custody_actions(client, users, prisons):
    w = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2025, 1, 1))])
    services.record_release(
        users["monitor"],
        w.current_episode,
        TODAY,
        "royal_pardon",
        today=TODAY,
        version=current_version(w.current_episode),
    )
    client.force_login(users["monitor"])
    response = client.get(url(w))
    text = response.text
    ref = w.reference
    assert "Royal pardon" in text
    assert "Not in custody" in text
    for name in ("transfer", "legal_status", "release"):
        assert reverse("people:" + name, args=[ref]) not in text, name
    assert f'href="{reverse("people:pregnancy", args=[ref])}"' in text
    # Her child left prison with her, so there is no one to move out.
    assert "move-out" not in text


def test_readers_see_no_actions(client, users, prisons):
    w = admit(
        users["monitor"],
        prisons["CC2"],
        is_pregnant=True,
        children=[child_in_prison(date(2025, 1, 1))],
    )
    client.force_login(users["programme_manager"])
    response = client.get(url(w))
    assert response.status_code == 200
    assert reverse("people:transfer", args=[w.reference]) not in response.text
    assert "/outcome/" not in response.text
    assert "move-out" not in response.text


def _queries_for(client, user, w) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(w))
    assert response.status_code == 200
    return len(ctx)


def test_query_count_does_not_grow_with_the_record(client, users, prisons, offences, woman):
    monitor = users["monitor"]
    small = _queries_for(client, monitor, woman)
    # More children, placements, transfers and status changes: the same number of queries.
    for i in range(3):
        services.record_child(
            monitor,
            reload(woman),
            child_in_prison(date(2025, 1, 1 + i), name=f"Extra {i}"),
            since=TODAY - timedelta(days=5),
            today=TODAY,
        )
    services.record_transfer(
        monitor,
        reload(woman).current_episode,
        prisons["CC2"],
        TODAY - timedelta(days=2),
        today=TODAY,
        version=current_version(reload(woman).current_episode),
    )
    services.record_legal_status(
        monitor,
        reload(woman).current_episode,
        "on_appeal",
        TODAY - timedelta(days=1),
        today=TODAY,
        version=current_version(reload(woman).current_episode),
    )
    large = _queries_for(client, monitor, woman)
    assert large == small
    # With what needs action (rules, extensions), her visits and her merges, and the
    # case-work section (its notes, case workers, documents, and her legal cases a document
    # can be filed on): a fixed number.
    assert large < 34
    # A record with little in it needs no more.
    plain = admit(monitor, prisons["CC2"], offences=[offences["theft"]])
    assert _queries_for(client, monitor, plain) <= large
