"""Every API operation survives a property-based fuzzer driven by our own OpenAPI document.

schemathesis reads `/api/v1/openapi.json` and generates requests for each operation, valid
ones (within the schema) and invalid ones (outside it); each is sent through Django's test
client (no server, the test's own database) and the answer must be:

- never a server error (5xx);
- a status code the operation documents, with the documented content type;
- a body that conforms to the schema documented for that status.

It runs as an administrator and a monitor of the organisation that holds the records (the
path's identifiers are drawn from those records as often as from random numbers, so the
requests reach the services, not only the 404), and as a viewer, who is refused (403) every
operation but the public ones, in the documented shape.

Bounded to fit CI: a fixed number of examples per operation and role, derandomised (the same
requests on every run), no example database. `MOTHERLINE_FUZZ_EXAMPLES` raises the number for
a longer local run.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import schemathesis
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core.transport import Response
from schemathesis.specs.openapi import checks as openapi_checks

from motherline.api.api import api as ninja_api
from tests.accounts.test_permission_matrix import World, world  # noqa: F401 (a fixture)
from tests.legal.conftest import criteria  # noqa: F401 (a fixture)

EXAMPLES = int(os.environ.get("MOTHERLINE_FUZZ_EXAMPLES", "12"))
BASE = "http://testserver"

SPEC = ninja_api.get_openapi_schema()
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]

# What a viewer (aggregate figures only) may use; every other operation is refused to her.
VIEWER_MAY = {
    "GET /api/v1/courts",
    "GET /api/v1/prisons",
    "GET /api/v1/provinces",
    "GET /api/v1/provinces/{code}/districts",
    "GET /api/v1/provinces/{code}/districts/{district}/communes",
    "GET /api/v1/stats/indicators",
    "GET /api/v1/stats/series",
    "GET /api/v1/stats/prisons",
}

CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _known(w: World, path: str, name: str) -> Any:
    """The identifier of a record of the world that the path parameter `name` names."""
    if name == "reference":
        return w.child.reference if path.startswith("/api/v1/children/") else w.woman.reference
    if name == "case_id":
        return w.case.pk if "/legal/" in path else w.case_study.pk
    ids = {
        "episode_id": lambda: w.woman.current_episode_id,
        "pregnancy_id": lambda: w.pregnancy.pk,
        "plan_id": lambda: w.plan.pk,
        "follow_up_id": lambda: w.follow_up.pk,
        "visit_id": lambda: w.visit.pk,
        "action_id": lambda: w.visit.actions.get().pk,
        "finding_id": lambda: w.visit.findings.first().pk,
        "incident_id": lambda: w.incident.pk,
        "session_id": lambda: w.training.pk,
        "contact_id": lambda: w.contact.pk,
        "grant_id": lambda: w.grant.pk,
        "round_id": lambda: w.pardon_round.pk,
        "candidate_id": lambda: w.candidate.pk,
        "note_id": lambda: w.note.pk,
        "assignment_id": lambda: w.assignment.pk,
        "document_id": lambda: w.document.pk,
        "user_id": lambda: w.admin_target.pk,
        "agreement_id": lambda: w.agreement.pk,
    }
    return ids[name]() if name in ids else None


def send(client: Client, case: Any) -> Response:
    """The case sent through Django's test client, answered as schemathesis reads answers."""
    prepared = requests.Request(**case.as_transport_kwargs(base_url=BASE)).prepare()
    path, _, query = prepared.path_url.partition("?")
    # The session is the client's own (signed in above), not a generated cookie.
    headers = {
        k: v for k, v in prepared.headers.items() if k.lower() not in ("content-length", "cookie")
    }
    content_type = headers.pop("Content-Type", "application/octet-stream")
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    answer = client.generic(
        prepared.method,
        path,
        data=prepared.body or b"",
        content_type=content_type,
        QUERY_STRING=query,
        **extra,
    )
    return Response(
        status_code=answer.status_code,
        headers={k: [v] for k, v in answer.headers.items()},
        # A document's download streams its file.
        content=b"".join(answer.streaming_content) if answer.streaming else answer.content,
        request=prepared,
        elapsed=0.0,
        verify=False,
    )


# Operations in two halves per role: six tests that xdist spreads over its workers, each
# building the world of records once.
HALVES = {"first": OPERATIONS[::2], "second": OPERATIONS[1::2]}


def fuzz_operation(operation: Any, role: str, client: Client, world: World) -> None:  # noqa: F811
    """Send the operation's generated requests and check each answer."""
    names = [p.name for p in operation.path_parameters]
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )
    # Half the time each path identifier names the world's record, so the change is tried.
    known = st.fixed_dictionaries({name: st.booleans() for name in names})

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, use_known=known)
    def fuzz(case: Any, use_known: dict[str, bool]) -> None:
        for name, use in use_known.items():
            value = _known(world, operation.path, name) if use else None
            if value is not None and case.path_parameters is not None:
                case.path_parameters[name] = value
        # Each request in a savepoint rolled back: the world stays as the fixture made it.
        with transaction.atomic():
            response = send(client, case)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)
        if role == "viewer" and operation.label not in VIEWER_MAY:
            # Refused before the request is read, whatever it holds.
            assert response.status_code == 403, (case.method, case.formatted_path, response.text)

    fuzz()


@pytest.mark.parametrize("half", list(HALVES))
@pytest.mark.parametrize("role", ["administrator", "monitor", "viewer"])
def test_every_operation_survives_the_fuzzer(role, half, users, world):  # noqa: F811
    """As an administrator and a monitor of the organisation holding the records, and as a
    viewer: every operation's answers, whatever was sent, are documented and never 5xx."""
    # A server error is an answer to check (it must not happen), not an exception to raise.
    client = Client(raise_request_exception=False)
    client.force_login(users[role])
    failures = []
    for operation in HALVES[half]:
        try:
            fuzz_operation(operation, role, client, world)
        except Exception as error:  # every operation is tried; all failures are reported
            failures.append(f"{operation.label} as {role}:\n{error}")
    assert not failures, "\n\n".join(failures)
