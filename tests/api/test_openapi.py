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
    ("post", "/api/v1/women/{reference}/admissions"),
    ("post", "/api/v1/women/{reference}/merge"),
    ("post", "/api/v1/children/{reference}/move-out"),
    ("get", "/api/v1/children/{reference}"),
    ("patch", "/api/v1/children/{reference}"),
    ("get", "/api/v1/children/{reference}/plan"),
    ("post", "/api/v1/children/{reference}/plan"),
    ("post", "/api/v1/children/{reference}/extensions"),
    ("patch", "/api/v1/plans/{plan_id}"),
    ("post", "/api/v1/plans/{plan_id}/advance"),
    ("post", "/api/v1/plans/{plan_id}/reopen"),
    ("post", "/api/v1/follow-ups/{follow_up_id}"),
    ("get", "/api/v1/children/{reference}/caregivers"),
    ("post", "/api/v1/children/{reference}/caregivers"),
    ("post", "/api/v1/children/{reference}/caregiver-links"),
    ("get", "/api/v1/children/{reference}/caregivers/{caregiver_id}"),
    ("patch", "/api/v1/children/{reference}/caregivers/{caregiver_id}"),
    ("get", "/api/v1/plans/{plan_id}/assessments"),
    ("post", "/api/v1/plans/{plan_id}/assessments"),
    ("get", "/api/v1/assessments/{assessment_id}"),
    ("patch", "/api/v1/assessments/{assessment_id}"),
    ("post", "/api/v1/assessments/{assessment_id}/decision"),
    ("get", "/api/v1/provinces/{code}/districts"),
    ("get", "/api/v1/provinces/{code}/districts/{district}/communes"),
    ("get", "/api/v1/worklist"),
    ("get", "/api/v1/stats/indicators"),
    ("get", "/api/v1/stats/series"),
    ("get", "/api/v1/stats/prisons"),
    ("post", "/api/v1/stats/returns"),
    ("get", "/api/v1/audit"),
    ("get", "/api/v1/jobs"),
    # field work
    ("get", "/api/v1/visits"),
    ("post", "/api/v1/visits"),
    ("get", "/api/v1/visits/{visit_id}"),
    ("patch", "/api/v1/visits/{visit_id}"),
    ("post", "/api/v1/visits/{visit_id}/actions"),
    ("post", "/api/v1/visits/{visit_id}/withdrawal"),
    ("post", "/api/v1/actions/{action_id}/done"),
    ("patch", "/api/v1/actions/{action_id}"),
    ("post", "/api/v1/findings/{finding_id}/resolved"),
    ("patch", "/api/v1/findings/{finding_id}"),
    ("get", "/api/v1/incidents"),
    ("post", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/summary"),
    ("get", "/api/v1/incidents/{incident_id}"),
    ("patch", "/api/v1/incidents/{incident_id}"),
    ("post", "/api/v1/incidents/{incident_id}/withdrawal"),
    ("get", "/api/v1/training"),
    ("post", "/api/v1/training"),
    ("get", "/api/v1/training/totals"),
    ("get", "/api/v1/training/{session_id}"),
    ("patch", "/api/v1/training/{session_id}"),
    ("post", "/api/v1/training/{session_id}/withdrawal"),
    ("get", "/api/v1/case-studies"),
    ("post", "/api/v1/case-studies"),
    ("get", "/api/v1/case-studies/{case_id}"),
    ("post", "/api/v1/case-studies/{case_id}/{step}"),
    ("get", "/api/v1/escalation-contacts"),
    ("post", "/api/v1/escalation-contacts"),
    ("delete", "/api/v1/escalation-contacts/{contact_id}"),
    ("post", "/api/v1/imports/{kind}"),
    ("post", "/api/v1/submissions/{kind}"),
    # grants and services
    ("get", "/api/v1/grants"),
    ("post", "/api/v1/grants"),
    ("get", "/api/v1/grants/{grant_id}"),
    ("patch", "/api/v1/grants/{grant_id}"),
    ("post", "/api/v1/grants/{grant_id}/lines"),
    ("patch", "/api/v1/grants/{grant_id}/lines/{line_id}"),
    ("get", "/api/v1/grants/{grant_id}/report"),
    ("get", "/api/v1/services"),
    ("post", "/api/v1/services"),
    ("get", "/api/v1/services/{delivery_id}"),
    ("patch", "/api/v1/services/{delivery_id}"),
    ("post", "/api/v1/services/{delivery_id}/withdrawal"),
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
    ("get", "/api/v1/women/{reference}/notes"),
    ("post", "/api/v1/women/{reference}/notes"),
    ("get", "/api/v1/children/{reference}/notes"),
    ("post", "/api/v1/children/{reference}/notes"),
    ("patch", "/api/v1/notes/{note_id}"),
    ("get", "/api/v1/women/{reference}/workers"),
    ("post", "/api/v1/women/{reference}/workers"),
    ("get", "/api/v1/children/{reference}/workers"),
    ("post", "/api/v1/children/{reference}/workers"),
    ("delete", "/api/v1/assignments/{assignment_id}"),
    ("get", "/api/v1/my-cases"),
    ("get", "/api/v1/case-loads"),
    ("get", "/api/v1/women/{reference}/documents"),
    ("post", "/api/v1/women/{reference}/documents"),
    ("get", "/api/v1/children/{reference}/documents"),
    ("post", "/api/v1/children/{reference}/documents"),
    ("get", "/api/v1/documents/{document_id}"),
    ("get", "/api/v1/women/{reference}/consents"),
    ("post", "/api/v1/women/{reference}/consents"),
    ("post", "/api/v1/consents/{consent_id}/withdraw"),
    ("get", "/api/v1/referrals"),
    ("post", "/api/v1/women/{reference}/referrals"),
    ("post", "/api/v1/children/{reference}/referrals"),
    ("get", "/api/v1/referrals/{referral_id}"),
    ("post", "/api/v1/referrals/{referral_id}/answer"),
    # administration
    ("get", "/api/v1/users"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/users/{user_id}"),
    ("patch", "/api/v1/users/{user_id}"),
    ("post", "/api/v1/users/{user_id}/active"),
    ("post", "/api/v1/users/{user_id}/reset-two-factor"),
    ("get", "/api/v1/organisations"),
    ("post", "/api/v1/organisations"),
    ("patch", "/api/v1/organisations/{organisation_id}"),
    ("get", "/api/v1/courts"),
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


def _schema_classes(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("motherline."):
            found.append(sub)
        found += _schema_classes(sub)
    return found


def test_every_schema_has_its_own_name(spec):
    """The document names a schema by its class's name: two shapes with one name would be
    described as one (the case studies were once described as legal cases)."""
    from collections import defaultdict

    from ninja import Schema

    places = defaultdict(set)
    for cls in _schema_classes(Schema):
        places[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in places.items() if len(where) > 1}
    assert not shared, f"Schemas sharing a name: {shared}"


def test_every_operation_documents_its_errors_in_one_schema(spec):
    error = {"$ref": "#/components/schemas/Error"}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            codes = {str(code) for code in op["responses"]}
            assert {"401", "403"} <= codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if op.get("requestBody") or op.get("parameters"):
                assert "422" in codes, (method, path)
            for code, answer in op["responses"].items():
                if int(code) >= 400:
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == error or error in schema.get("anyOf", []), (method, path)


def _unbounded(spec, schema, where):
    """Where a request's schema takes an integer, a text or a list with no limit."""
    components = spec["components"]["schemas"]
    if "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    found = []
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            found += _unbounded(spec, sub, where)
    kind = schema.get("type")
    if kind == "integer" and not {"minimum", "maximum"} <= set(schema):
        found.append(f"{where}: an integer without minimum and maximum")
    # Dates, choices and decimals (a pattern, with max_digits) are bounded by their format.
    text_bounded = {"maxLength", "enum", "format", "const", "pattern"}
    if kind == "string" and not text_bounded & set(schema):
        found.append(f"{where}: a text without maxLength")
    if kind == "array":
        if "maxItems" not in schema:
            found.append(f"{where}: a list without maxItems")
        found += _unbounded(spec, schema.get("items", {}), f"{where}[]")
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(spec, prop, f"{where}.{name}")
    if isinstance(schema.get("additionalProperties"), dict):
        found += _unbounded(spec, schema["additionalProperties"], f"{where}{{}}")
    return found


def test_every_input_is_bounded(spec):
    """Every integer an operation takes has a minimum and a maximum, every text a length and
    every list a length, so that nothing a client sends can overflow a column or a page."""
    found = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            for parameter in op.get("parameters", []):
                found += _unbounded(spec, parameter["schema"], f"{where} {parameter['name']}")
            for content in op.get("requestBody", {}).get("content", {}).values():
                found += _unbounded(spec, content["schema"], f"{where} body")
    assert not found, "\n".join(found)


def test_notes_are_at_most_twenty_thousand_characters(spec):
    admission = spec["components"]["schemas"]["AdmissionIn"]["properties"]
    assert admission["health_notes"]["maxLength"] == 20_000
