"""The legal endpoints: status and database state, each role's access, scope (404) and
stale versions (409)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motherline.accounts.models import AuditEvent
from motherline.legal import services
from motherline.legal.models import DossierStatus, LegalCase, ReleaseCandidate
from tests.conftest import TODAY

API = "/api/v1"


class Api:
    def __init__(self, client, user):
        self.client = client
        client.force_login(user)

    def get(self, path, **params):
        return self.client.get(API + path, params)

    def post(self, path, body=None):
        return self.client.post(API + path, body or {}, content_type="application/json")

    def patch(self, path, body):
        return self.client.patch(API + path, body, content_type="application/json")


@pytest.fixture
def officer_api(client, users):
    return Api(client, users["legal_officer"])


@pytest.fixture
def pardon_round(users):
    return services.create_round(
        users["legal_officer"],
        title="Khmer New Year 2027",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )


def test_case_lifecycle(officer_api, mother, courts):
    response = officer_api.post(
        f"/women/{mother.reference}/legal-cases",
        {"court": "KH-FI-12", "stage": "trial", "next_hearing_on": str(TODAY)},
    )
    assert response.status_code == 201, response.content
    case = LegalCase.objects.get()
    assert response.json()["woman"] == mother.reference and case.court == courts["KH-FI-12"]
    assert response.json()["court"] == "KH-FI-12"
    assert response.json()["court_name"] == "Phnom Penh Court of First Instance"
    listed = officer_api.get("/legal/cases").json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == case.pk
    response = officer_api.post(
        f"/legal/cases/{case.pk}/hearings",
        {"held_on": str(TODAY), "what_happened": "Verdict reserved"},
    )
    assert response.status_code == 201 and response.json()["next_hearing_on"] is None
    stalled = officer_api.get("/legal/cases", view="without_next_step").json()
    assert stalled["total"] == 1
    response = officer_api.patch(f"/legal/cases/{case.pk}", {"version": 1, "court": "X"})
    assert response.status_code == 409
    version = officer_api.get(f"/legal/cases/{case.pk}").json()["version"]
    response = officer_api.patch(
        f"/legal/cases/{case.pk}", {"version": version, "is_strategic": True}
    )
    assert response.status_code == 422
    assert "strategic_issue" in response.json()["errors"]


def test_rounds_screening_candidates_and_grant(officer_api, users, mother, pregnant_pretrial):
    response = officer_api.post(
        "/legal/rounds",
        {
            "title": "Women's Day",
            "occasion_date": str(TODAY - timedelta(days=1)),
            "submission_deadline": str(TODAY - timedelta(days=10)),
            "decision_date": str(TODAY - timedelta(days=1)),
        },
    )
    assert response.status_code == 201
    round_id = response.json()["id"]
    assert officer_api.get("/legal/rounds").json()[0]["id"] == round_id

    screening = officer_api.get(f"/legal/rounds/{round_id}/screening").json()
    subjects = [c["subject"] for c in screening["candidates"]]
    assert subjects == [mother.reference, pregnant_pretrial.reference]
    assert screening["candidates"][1]["eligible"] is False
    pretrial = officer_api.get("/legal/screening", remedy="pretrial").json()
    assert [c["subject"] for c in pretrial["candidates"] if c["eligible"]] == [
        pregnant_pretrial.reference
    ]

    refused = officer_api.post(
        f"/legal/rounds/{round_id}/candidates", {"women": [pregnant_pretrial.reference]}
    )
    assert refused.status_code == 422 and not ReleaseCandidate.objects.exists()
    added = officer_api.post(f"/legal/rounds/{round_id}/candidates", {"women": [mother.reference]})
    assert added.status_code == 201
    candidate = added.json()[0]
    path = f"/legal/candidates/{candidate['id']}"
    response = officer_api.patch(path, {"version": candidate["version"], "argument": "Her son."})
    assert response.status_code == 200 and response.json()["argument"] == "Her son."
    version = response.json()["version"]
    response = officer_api.post(
        f"{path}/status",
        {"status": "submitted", "version": version, "on": str(TODAY - timedelta(days=5))},
    )
    assert response.status_code == 200
    response = officer_api.post(
        f"{path}/status", {"status": "granted", "version": response.json()["version"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == DossierStatus.GRANTED
    mother.refresh_from_db()
    assert mother.current_episode is None
    stats = officer_api.get(f"/legal/rounds/{round_id}").json()["statistics"]
    assert stats["women_released"] == 1 and stats["children_released"] == 1


def test_dossier_pdf_download_is_audited(officer_api, users, mother, pardon_round):
    (candidate,) = services.add_candidates(users["legal_officer"], pardon_round, [mother.reference])
    response = officer_api.get(f"/legal/candidates/{candidate.pk}/dossier.pdf", language="km")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="export", object_ref=str(candidate.pk)).exists() or (
        AuditEvent.objects.filter(action="export").exists()
    )


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [
        ("legal_officer", 200, 201),
        ("programme_manager", 200, 403),
        ("analyst", 403, 403),
        ("viewer", 403, 403),
    ],
)
def test_access_by_role(client, users, mother, pardon_round, role, read, write):
    api = Api(client, users[role])
    assert api.get("/legal/cases").status_code == read
    assert api.get("/legal/rounds").status_code == read
    assert api.get("/legal/screening").status_code == read
    assert api.get(f"/legal/rounds/{pardon_round.pk}").status_code == read
    response = api.post(f"/women/{mother.reference}/legal-cases", {"stage": "trial"})
    assert response.status_code == write
    response = api.post(
        f"/legal/rounds/{pardon_round.pk}/candidates", {"women": [mother.reference]}
    )
    assert response.status_code in ({201} if write == 201 else {403})


def test_records_outside_scope_are_404(client, users, mother, pardon_round):
    officer = users["legal_officer"]
    case = services.open_case(officer, mother, {})
    (candidate,) = services.add_candidates(officer, pardon_round, [mother.reference])
    api = Api(client, users["other_monitor"])
    assert api.get(f"/legal/cases/{case.pk}").status_code == 404
    assert api.get(f"/legal/candidates/{candidate.pk}").status_code == 404
    assert api.get(f"/legal/candidates/{candidate.pk}/dossier.pdf").status_code == 404
    assert api.post(f"/women/{mother.reference}/legal-cases", {}).status_code == 404
    assert api.get("/legal/cases").json()["total"] == 0
    # Another organisation's round is not there for this user: neither read nor added to.
    assert api.get(f"/legal/rounds/{pardon_round.pk}").status_code == 404
    assert api.get(f"/legal/rounds/{pardon_round.pk}/candidates").status_code == 404
    assert api.get("/legal/rounds").json() == []
    adding = {"women": [mother.reference]}
    assert api.post(f"/legal/rounds/{pardon_round.pk}/candidates", adding).status_code == 404
    assert api.get("/legal/screening").json()["candidates"] == []
    assert ReleaseCandidate.objects.filter(round=pardon_round).count() == 1


def test_the_court_is_one_of_the_packs_courts_by_its_code(officer_api, mother, courts):
    listed = officer_api.get("/courts").json()
    assert [court["code"] for court in listed] == ["KH-FI-12", "KH-FI-8"]
    assert listed[0]["province"] == "KH-12"
    path = f"/women/{mother.reference}/legal-cases"
    unknown = officer_api.post(path, {"court": "Phnom Penh Court"})
    assert unknown.status_code == 422 and set(unknown.json()["errors"]) == {"court"}
    too_long = officer_api.post(path, {"court": "K" * 33})
    assert too_long.status_code == 422 and "court" in str(too_long.json()["errors"])
    courts["KH-FI-8"].is_active = False  # no longer in the pack: no longer chosen
    courts["KH-FI-8"].save()
    assert officer_api.post(path, {"court": "KH-FI-8"}).status_code == 422
    made = officer_api.post(path, {"court": "KH-FI-12"}).json()
    cleared = officer_api.patch(f"/legal/cases/{made['id']}", {"version": 1, "court": None})
    assert cleared.status_code == 200 and cleared.json()["court"] is None
    assert LegalCase.objects.get().court is None


def test_a_court_of_another_country_is_refused(officer_api, mother, courts):
    from motherline.jurisdictions.models import Jurisdiction
    from motherline.places.models import Court, Province

    other = Jurisdiction.objects.create(code="TH", name="Thailand", local_language="th")
    province = Province.objects.create(jurisdiction=other, code="TH-10", name="Bangkok")
    Court.objects.create(province=province, code="TH-SUPREME", name="Supreme Court")
    response = officer_api.post(f"/women/{mother.reference}/legal-cases", {"court": "TH-SUPREME"})
    assert response.status_code == 422 and not LegalCase.objects.exists()
