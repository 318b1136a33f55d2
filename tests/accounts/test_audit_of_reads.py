"""Every page that lists personal records writes one audit row naming the references it
showed: the register, the worklist, legal cases, case studies, service deliveries; on the
pages and in the API. One row per page, not one per record."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motherline.accounts.audit import LIST_REF
from motherline.accounts.models import AuditAction, AuditEvent
from motherline.fieldwork import services as fieldwork_services
from tests.factories import admit


@pytest.fixture
def women(users, prisons):
    return [admit(users["monitor"], prisons["CC2"]) for _ in range(3)]


def list_events(object_type):
    return AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_type=object_type, object_ref=LIST_REF
    )


def test_the_register_page_records_the_women_it_lists(client, users, women):
    client.force_login(users["monitor"])
    response = client.get(reverse("people:women"), {"q": "Sokha"})
    assert response.status_code == 200
    event = list_events("people.Woman").get()
    shown = [woman.reference for woman in response.context["women"]]
    assert len(shown) == 3 and event.changes["listed"] == shown
    assert event.changes["count"] == 3 and event.user == users["monitor"]
    # The search text (a name) is not kept on the trail; that a search was made is.
    assert event.changes["filters"]["q"] == "(text)"
    assert "Sokha" not in str(event.changes)


def test_the_api_page_of_women_records_the_women_it_returns(client, users, women):
    client.force_login(users["monitor"])
    response = client.get("/api/v1/women", {"size": 2})
    assert response.status_code == 200
    first = list_events("people.Woman").get()
    assert first.changes["listed"] == [item["reference"] for item in response.json()["items"]]
    client.get("/api/v1/women", {"size": 2, "after": response.json()["next_cursor"]})
    assert list_events("people.Woman").count() == 2  # one row per page


def test_the_list_is_bounded(client, users, women, settings):
    settings.MOTHERLINE_AUDIT_LIST_LIMIT = 2
    client.force_login(users["monitor"])
    client.get("/api/v1/women")
    event = list_events("people.Woman").get()
    assert len(event.changes["listed"]) == 2
    assert (event.changes["count"], event.changes["not_listed"]) == (3, 1)


def test_women_outside_the_scope_are_neither_listed_nor_recorded(client, users, women):
    client.force_login(users["other_monitor"])
    client.get(reverse("people:women"))
    assert list_events("people.Woman").get().changes["listed"] == []


@pytest.mark.parametrize("path", ["worklist:list", "/api/v1/worklist"])
def test_the_worklist_records_whom_it_lists(client, users, women, path):
    client.force_login(users["monitor"])
    url = reverse(path) if ":" in path else path
    assert client.get(url).status_code == 200
    event = list_events("worklist.Item").get()
    assert event.changes["count"] == len(event.changes["listed"])


@pytest.mark.parametrize("path", ["legal:cases", "/api/v1/legal/cases"])
def test_the_legal_case_lists_are_recorded(client, users, women, path):
    client.force_login(users["legal_officer"])
    url = reverse(path) if ":" in path else path
    assert client.get(url).status_code == 200
    assert list_events("legal.LegalCase").count() == 1


def test_case_studies_list_and_detail_are_recorded(client, users, women):
    case = fieldwork_services.draft_case_study(
        users["monitor"],
        fieldwork_services.CaseText(title_en="A mother", narrative_en="Her story."),
        woman=women[0],
    )
    client.force_login(users["monitor"])
    assert client.get(reverse("fieldwork:cases")).status_code == 200
    assert list_events("fieldwork.CaseStudy").get().changes["listed"] == [case.reference]
    assert client.get("/api/v1/case-studies").status_code == 200
    assert list_events("fieldwork.CaseStudy").count() == 2
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, object_ref=case.reference)
    before = views.count()
    assert client.get(reverse("fieldwork:case", args=[case.pk])).status_code == 200
    assert client.get(f"/api/v1/case-studies/{case.pk}").status_code == 200
    assert views.count() == before + 2


def test_the_service_deliveries_page_is_recorded(client, users, women):
    client.force_login(users["monitor"])
    assert client.get(reverse("grants:deliveries")).status_code == 200
    assert list_events("grants.ServiceDelivery").get().changes["count"] == 0


def test_searching_the_trail_by_a_reference_finds_the_lists_she_was_on(client, users, women):
    from motherline.security.queries import AuditFilters, audit_events

    client.force_login(users["monitor"])
    client.get(reverse("people:women"))
    listed = list_events("people.Woman").get()
    found = audit_events(AuditFilters(object_ref=women[0].reference), users["administrator"])
    assert listed in found
    # A reference that is only part of one listed is not a match.
    assert listed not in audit_events(
        AuditFilters(object_ref=women[0].reference[:-1]), users["administrator"]
    )
