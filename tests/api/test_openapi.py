"""GET /api/v1/openapi.json: a valid OpenAPI document that lists every route."""

import pytest

ROUTES = {
    ("get", "/api/v1/prisons"),
    ("get", "/api/v1/provinces"),
    ("get", "/api/v1/women"),
    ("post", "/api/v1/women"),
    ("get", "/api/v1/women/{reference}"),
    ("patch", "/api/v1/women/{reference}"),
    ("patch", "/api/v1/women/{reference}/episodes/{episode_id}"),
    ("post", "/api/v1/women/{reference}/transfers"),
    ("post", "/api/v1/women/{reference}/legal-status"),
    ("post", "/api/v1/women/{reference}/release"),
    ("post", "/api/v1/women/{reference}/pregnancies"),
    ("post", "/api/v1/women/{reference}/pregnancies/{pregnancy_id}/outcome"),
    ("post", "/api/v1/women/{reference}/children"),
    ("post", "/api/v1/children/{reference}/move-out"),
    ("get", "/api/v1/children/{reference}"),
    ("get", "/api/v1/children/{reference}/plan"),
    ("post", "/api/v1/children/{reference}/plan"),
    ("post", "/api/v1/children/{reference}/extensions"),
    ("patch", "/api/v1/plans/{plan_id}"),
    ("post", "/api/v1/plans/{plan_id}/advance"),
    ("post", "/api/v1/plans/{plan_id}/reopen"),
    ("post", "/api/v1/follow-ups/{follow_up_id}"),
    ("get", "/api/v1/worklist"),
    ("get", "/api/v1/stats/indicators"),
    ("get", "/api/v1/stats/series"),
    ("get", "/api/v1/stats/prisons"),
    ("post", "/api/v1/stats/returns"),
    ("get", "/api/v1/audit"),
    # field work
    ("get", "/api/v1/visits"),
    ("post", "/api/v1/visits"),
    ("get", "/api/v1/visits/{visit_id}"),
    ("post", "/api/v1/visits/{visit_id}/actions"),
    ("post", "/api/v1/actions/{action_id}/done"),
    ("post", "/api/v1/findings/{finding_id}/resolved"),
    ("get", "/api/v1/incidents"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/summary"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("patch", "/api/v1/incidents/{incident_id}"),
    ("get", "/api/v1/training"),
    ("post", "/api/v1/training"),
    ("get", "/api/v1/training/totals"),
    ("get", "/api/v1/training/{session_id}"),
    ("get", "/api/v1/case-studies"),
    ("post", "/api/v1/case-studies"),
    ("get", "/api/v1/case-studies/{case_id}"),
    ("post", "/api/v1/case-studies/{case_id}/{step}"),
    ("get", "/api/v1/escalation-contacts"),
    ("post", "/api/v1/escalation-contacts"),
    ("delete", "/api/v1/escalation-contacts/{contact_id}"),
    ("post", "/api/v1/imports/{kind}"),
    # grants and services
    ("get", "/api/v1/grants"),
    ("post", "/api/v1/grants"),
    ("get", "/api/v1/grants/{grant_id}"),
    ("post", "/api/v1/grants/{grant_id}/lines"),
    ("get", "/api/v1/grants/{grant_id}/report"),
    ("get", "/api/v1/services"),
    ("post", "/api/v1/services"),
    ("get", "/api/v1/legal/cases"),
    ("post", "/api/v1/women/{reference}/legal-cases"),
    ("get", "/api/v1/legal/cases/{case_id}"),
    ("patch", "/api/v1/legal/cases/{case_id}"),
    ("post", "/api/v1/legal/cases/{case_id}/hearings"),
    ("get", "/api/v1/legal/rounds"),
    ("post", "/api/v1/legal/rounds"),
    ("get", "/api/v1/legal/rounds/{round_id}"),
    ("get", "/api/v1/legal/screening"),
    ("get", "/api/v1/legal/rounds/{round_id}/screening"),
    ("get", "/api/v1/legal/rounds/{round_id}/candidates"),
    ("post", "/api/v1/legal/rounds/{round_id}/candidates"),
    ("get", "/api/v1/legal/candidates/{candidate_id}"),
    ("patch", "/api/v1/legal/candidates/{candidate_id}"),
    ("post", "/api/v1/legal/candidates/{candidate_id}/status"),
    ("get", "/api/v1/legal/candidates/{candidate_id}/dossier.pdf"),
    # administration
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{user_id}"),
    ("patch", "/api/v1/users/{user_id}"),
    ("post", "/api/v1/users/{user_id}/active"),
    ("post", "/api/v1/users/{user_id}/reset-two-factor"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("get", "/api/v1/sharing-agreements"),
    ("post", "/api/v1/sharing-agreements"),
    ("post", "/api/v1/sharing-agreements/{agreement_id}/end"),
}


@pytest.fixture
def spec(api, users):
    response = api.login(users["viewer"]).get("/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def test_lists_every_route(spec):
    assert spec["info"]["title"] == "Motherline API"
    listed = {(method, path) for path, ops in spec["paths"].items() for method in ops}
    assert listed == ROUTES


def test_every_operation_is_documented_and_authenticated(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            assert op.get("summary"), (method, path)
            assert op.get("description"), (method, path)
            assert op.get("security"), (method, path)
    assert spec["components"]["securitySchemes"]


def test_inputs_name_prisons_and_offences_by_code(spec):
    schemas = spec["components"]["schemas"]
    admission = schemas["AdmissionIn"]["properties"]
    assert admission["prison"]["type"] == "string"
    assert admission["offences"]["items"]["type"] == "string"
    assert "organisation_id" not in admission
    assert set(schemas["AdmissionIn"]["required"]) == {"prison", "admission_date", "name"}


def test_is_a_valid_openapi_document(spec):
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(spec)


def test_the_session_cookie_is_the_security_scheme(spec):
    (scheme,) = spec["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "cookie", "sessionid")
    assert "X-CSRFToken" in scheme["description"]


def test_files_and_periods_are_required_in_the_schema(spec):
    """The role is checked before the request is parsed, so the schema says what is needed."""
    paths = spec["paths"]
    report = paths["/api/v1/grants/{grant_id}/report"]["get"]["parameters"]
    assert {p["name"] for p in report if p["required"]} == {"grant_id", "start", "end"}
    for path in ("/api/v1/stats/returns", "/api/v1/imports/{kind}"):
        form = paths[path]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
        assert "file" in form["required"], path
