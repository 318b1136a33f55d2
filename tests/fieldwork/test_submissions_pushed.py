"""POST /api/v1/submissions/{kind}: one submission pushed by a KoBoToolbox REST Service or
from ODK Central, in the JSON shapes those servers send, with a personal API token; the file
import's checks, idempotent by instance ID, audited.

The shapes follow the servers' documentation: KoBoToolbox REST Services post the submission's
JSON (kobocat's instance JSON: group paths in the names, "meta/instanceID", "_id", "_uuid",
"formhub/uuid", "_submission_time", "_attachments", ... with every answer as text);
ODK Central's OData data document gives each submission with groups as nested objects,
"__id", a "__system" object, numbers as numbers and empty answers as null.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from motherline.accounts.models import AuditEvent
from motherline.fieldwork.importing import import_visits, read_rows
from motherline.fieldwork.models import Finding, PrisonVisit
from motherline.grants.models import ServiceDelivery
from tests.conftest import TODAY
from tests.factories import admit, reload

VISITED = str(TODAY - timedelta(days=3))


def kobo_visit(uuid: str = "9b6f7c1e-4a07-4c1b-9a36-0f3f0d1f2a11", **answers: Any) -> dict:
    """A KoBoToolbox REST Service's JSON of the visit form, the questions in a group."""
    body = {
        "_id": 284913,
        "_uuid": uuid,
        "formhub/uuid": "1f0e2d3c4b5a69788796a5b4c3d2e1f0",
        "start": f"{VISITED}T09:12:44.000+07:00",
        "end": f"{VISITED}T09:40:05.000+07:00",
        "group_visit/prison": "CC2",
        "group_visit/visit_date": VISITED,
        "group_visit/team": "Two monitors, one nurse",
        "group_visit/access": "granted",
        "group_visit/women_seen": "12",
        "group_visit/pregnant_seen": "2",
        "group_visit/children_seen": "3",
        "finding_food_and_water": "No drinking water in the women's block.",
        "__version__": "vQ8nR2c5pYwXk3",
        "meta/instanceID": f"uuid:{uuid}",
        "_xform_id_string": "aBcD3fGh1JkLmN",
        "_status": "submitted_via_web",
        "_submission_time": f"{VISITED}T02:41:10",
        "_submitted_by": None,
        "_attachments": [],
        "_geolocation": [None, None],
        "_tags": [],
        "_notes": [],
        "_validation_status": {},
    }
    body.update({f"group_visit/{k}" if k != "notes" else k: v for k, v in answers.items()})
    return body


def central_visit(instance: str = "uuid:5d1e6a44-2f0b-4b8e-8f9a-3a1c7e2b9d40", **answers):
    """One submission of ODK Central's OData JSON: numbers as numbers, empty answers null."""
    body = {
        "__id": instance,
        "prison": "CC2",
        "visit_date": VISITED,
        "team": "Two monitors",
        "access": "partial",
        "women_seen": 12,
        "pregnant_seen": 2,
        "children_seen": 3,
        "finding_health_care": "No nurse on duty.",
        "finding_children": None,
        "notes": None,
        "meta": {"instanceID": instance},
        "__system": {
            "submissionDate": f"{VISITED}T02:41:10.123Z",
            "submitterId": "5",
            "submitterName": "field-phone-1",
            "attachmentsPresent": 0,
            "attachmentsExpected": 0,
            "status": None,
            "reviewState": None,
            "deviceId": None,
            "edits": 0,
            "formVersion": "2026030201",
        },
    }
    body.update(answers)
    return body


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()  # the token's rate of requests
    yield
    cache.clear()


def token_for(username: str, *capabilities: str) -> str:
    out = StringIO()
    name = f"kobo-{len(capabilities)}"
    args = ["create", "--user", username, "--name", name, "--expires-in", "30"]
    for capability in capabilities:
        args += ["--capability", capability]
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def push(kind: str, body: Any, token: str | None, **headers: str):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return Client(enforce_csrf_checks=True).post(
        f"/api/v1/submissions/{kind}",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )


def test_a_kobo_rest_service_submission_is_recorded_once(users, prisons):
    token = token_for("monitor")
    first = push("visits", kobo_visit(), token)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert (answer["kind"], answer["created"]) == ("visits", True)
    # KoBoToolbox's _uuid, as its CSV export names the submission: a file and a push agree.
    assert answer["instance_id"] == "9b6f7c1e-4a07-4c1b-9a36-0f3f0d1f2a11"
    visit = PrisonVisit.objects.get()
    assert (visit.prison.code, visit.team, visit.women_seen) == (
        "CC2",
        "Two monitors, one nurse",
        12,
    )
    assert visit.organisation == users["monitor"].organisation
    assert Finding.objects.get(visit=visit).description.startswith("No drinking water")
    assert answer["visit"]["id"] == visit.pk and answer["visit"]["prison"] == "CC2"
    created = AuditEvent.objects.get(action="create", object_type="fieldwork.PrisonVisit")
    assert created.object_ref == "push" and created.username == "monitor"
    assert created.changes["submissions"]["listed"] == [answer["instance_id"]]
    assert created.changes["api_token"]  # the token that sent it

    # KoBoToolbox retries a delivery it thinks failed: 200, the same record, nothing new.
    again = push("visits", kobo_visit(), token)
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["visit"]["id"] == visit.pk
    assert PrisonVisit.objects.count() == 1 and Finding.objects.count() == 1
    assert AuditEvent.objects.filter(action="view", object_ref=visit.reference).exists()


def test_an_odk_central_submission_and_its_odata_document(users, prisons):
    token = token_for("monitor")
    first = push("visits", central_visit(), token)
    assert first.status_code == 201, first.content
    assert first.json()["instance_id"] == "uuid:5d1e6a44-2f0b-4b8e-8f9a-3a1c7e2b9d40"
    visit = PrisonVisit.objects.get()
    assert (visit.access, visit.children_seen, visit.notes) == ("partial", 3, "")
    assert [f.topic for f in visit.findings.all()] == ["health_care"]
    # The whole OData document with the same one submission: the one already recorded.
    document = {
        "@odata.context": "https://central.example.org/v1/projects/1/forms/"
        "motherline_visit.svc/$metadata#Submissions",
        "value": [central_visit()],
    }
    assert push("visits", document, token).status_code == 200
    two = {**document, "value": [central_visit(), central_visit("uuid:other")]}
    refused = push("visits", two, token)
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"value": ["Send one submission in each request."]}
    assert PrisonVisit.objects.count() == 1


def test_the_same_submission_by_file_then_pushed_is_not_recorded_twice(users, prisons):
    """An ODK Central CSV export names the instance in KEY; its JSON in __id: the same."""
    csv = (
        "prison,visit_date,team,access,women_seen,pregnant_seen,children_seen,KEY\n"
        f"CC2,{VISITED},Two monitors,granted,5,0,1,uuid:5d1e6a44-2f0b-4b8e-8f9a-3a1c7e2b9d40\n"
    ).encode()
    assert import_visits(users["monitor"], read_rows(csv, "e.csv"), today=TODAY).created == 1
    answer = push("visits", central_visit(), token_for("monitor"))
    assert answer.status_code == 200 and answer.json()["visit"]["women_seen"] == 5
    assert PrisonVisit.objects.count() == 1


def test_a_refused_submission_names_each_field_and_writes_nothing(users, prisons):
    token = token_for("monitor")
    cases = [
        (kobo_visit(access="maybe"), "access"),
        (kobo_visit(women_seen="99999999999"), "women_seen"),
        (kobo_visit(visit_date="0001-01-01"), "visit_date"),
        (kobo_visit(visit_date=str(TODAY + timedelta(days=1))), "visit_date"),
        (kobo_visit(team=""), "team"),
        (kobo_visit(prison="NOPE"), "prison"),
        (kobo_visit(pregnant_seen="40"), "pregnant_seen"),
        (kobo_visit(team="t" * 256), "team"),
        (central_visit(women_seen=-1), "women_seen"),
        (central_visit(children_seen=2.5), "children_seen"),
        (central_visit(team=None), "team"),
        (central_visit(notes="n" * 20_001), "notes"),
    ]
    for body, field in cases:
        answer = push("visits", body, token)
        assert answer.status_code == 422, (field, answer.content)
        assert field in answer.json()["errors"], (field, answer.json())
    # Without an instance ID it cannot be made idempotent: refused.
    bare = {k: v for k, v in kobo_visit().items() if k not in ("_uuid", "meta/instanceID")}
    answer = push("visits", bare, token)
    assert answer.json()["errors"] == {"instanceID": ["The submission has no instance ID."]}
    assert not PrisonVisit.objects.exists()
    assert not AuditEvent.objects.filter(action="create").exclude(object_type="security.ApiToken")


def test_the_same_messages_as_the_file_import(users, prisons):
    """One declaration of the rules: the push's 422 says what the import says of the row."""
    body = kobo_visit(access="maybe", women_seen="x", team="")
    pushed = push("visits", body, token_for("monitor")).json()["errors"]
    header = ",".join(k for k, v in body.items() if not isinstance(v, (list, dict)))
    values = ",".join(
        "" if v is None else str(v) for v in body.values() if not isinstance(v, (list, dict))
    )
    rows = read_rows(f"{header}\n{values}\n".encode(), "export.csv")
    imported = import_visits(users["monitor"], rows, today=TODAY)
    assert pushed == {e.field: [e.reason] for e in imported.errors}


def test_services_pushed_for_a_woman_in_custody(users, prisons):
    woman = reload(admit(users["monitor"], prisons["CC2"]))
    token = token_for("monitor")
    body = {
        "_uuid": "s-1",
        "meta/instanceID": "uuid:s-1",
        "_submission_time": f"{VISITED}T03:00:00",
        "formhub/uuid": "abc",
        "woman": woman.reference,
        "to_woman": "yes",
        "service_type": "hygiene_kit",
        "delivered_on": VISITED,
        "quantity": "1",
        "cost": "7.50",
        "_attachments": [],
    }
    answer = push("services", body, token)
    assert answer.status_code == 201, answer.content
    service = answer.json()["service"]
    assert (service["woman"], service["cost"], service["service_type"]) == (
        woman.reference,
        "7.50",
        "hygiene_kit",
    )
    assert push("services", body, token).status_code == 200
    assert ServiceDelivery.objects.count() == 1
    # Another organisation's monitor: her woman is not one they may change.
    outsider = push("services", {**body, "_uuid": "s-2"}, token_for("other_monitor"))
    assert outsider.status_code == 422 and "woman" in outsider.json()["errors"]
    # A resend of an instance ID another organisation recorded does not show its record.
    hidden = push("services", body, token_for("other_monitor", "edit_register"))
    assert hidden.status_code == 422 and "instanceID" in hidden.json()["errors"]
    assert ServiceDelivery.objects.count() == 1


def test_a_token_without_the_capability_or_none_at_all_is_refused(users, prisons):
    anonymous = Client().post(
        "/api/v1/submissions/visits", kobo_visit(), content_type="application/json"
    )
    assert anonymous.status_code == 401
    assert push("visits", kobo_visit(), "ml_nope_nope").status_code == 401
    reading = token_for("monitor", "view_register")
    assert push("visits", kobo_visit(), reading).status_code == 403
    viewer = token_for("viewer")
    assert push("visits", kobo_visit(), viewer).status_code == 403
    assert not PrisonVisit.objects.exists()


def test_inputs_are_bounded(users, prisons, settings):
    token = token_for("monitor")
    wide = {**kobo_visit(), **{f"extra_{n}": "x" for n in range(600)}}
    assert "at most 500 fields" in push("visits", wide, token).json()["errors"]["__all__"][0]
    deep: dict[str, Any] = {"leaf": "x"}
    for _ in range(8):
        deep = {"g": deep}
    answer = push("visits", {**kobo_visit(), "deep": deep}, token)
    assert answer.status_code == 422
    assert push("visits", [kobo_visit()], token).status_code == 400  # not an object
    answer = push("visits", {**kobo_visit(), "finding_children": "a\x00b"}, token)
    assert answer.status_code == 422
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    huge = push("visits", {**kobo_visit(), "_notes_text": "x" * 20_000}, token)
    assert huge.status_code in (400, 413)
    assert not PrisonVisit.objects.exists()


def test_the_openapi_document_describes_both_shapes(users):
    client = Client()
    client.force_login(users["viewer"])
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/submissions/{kind}"]["post"]
    assert {"200", "201", "401", "403", "422"} <= set(operation["responses"])
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert schema["maxProperties"] == 500
    examples = copy.deepcopy(schema["examples"])
    assert {"_uuid", "meta/instanceID", "formhub/uuid"} <= set(examples[0])
    assert {"__id", "__system", "meta"} <= set(examples[1])
