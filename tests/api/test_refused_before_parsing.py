"""A role that may not use an API endpoint is refused (403) before ninja reads the request:
a malformed body, form or query gets 403, never the schema's field errors (422), which would
describe the endpoint to someone it is closed to. Anonymous callers stay 401.

Every API route and method that takes a body, a form, a file or query parameters is checked,
found as the permission matrix finds them (Django's resolver, then the ninja operations of
each path), and the matrix's table says which roles are refused: a new endpoint is covered
without being listed here.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.test.client import encode_multipart
from django.urls import get_resolver, reverse
from ninja.operation import Operation

from motherline.accounts.models import Role
from motherline.api.access import Requires
from motherline.api.nul import NUL
from tests.accounts.test_permission_matrix import (  # noqa: F401 (fixtures)
    FORBIDDEN,
    ROUTES,
    _walk,
    criteria,
    principals,
    world,
)

# Refusals that depend on the record, not on the role: the role has the capability, and is
# refused once the record is read (like a record outside its scope, a 404), so the body is
# judged first.
REFUSED_BY_THE_RECORD = {
    "api:answer_referral": "the sender's editors may edit the register; a referral is "
    "answered by the organisation it is addressed to, known once it is read",
}

# Where a request's input comes from, in ninja's words; a path is not the client's shape.
INPUTS = {"body", "query", "form", "file"}
JUNK = "[]"
BOUNDARY = "MalformedBoundary"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    operation: Operation

    @property
    def sources(self) -> set[str]:
        return {m.__ninja_param_source__ for m in self.operation.signature.models}

    def __str__(self) -> str:
        return f"{self.method} {self.name}"


def _operations(callback: Any) -> list[Operation]:
    """The ninja operations of an API path, from the PathView its view closes over."""
    if not inspect.isfunction(callback):
        return []
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    return list(path_view.operations) if path_view is not None else []


def api_operations() -> list[Case]:
    """Every API route name and method with its operation, one per pair."""
    found: dict[tuple[str, str], Case] = {}
    for pattern, name, callback in _walk(get_resolver().url_patterns):
        if not pattern.startswith("api/"):
            continue
        for operation in _operations(callback):
            for method in operation.methods:
                found[(name, method.upper())] = Case(name, method.upper(), operation)
    return sorted(found.values(), key=str)


OPERATIONS = api_operations()
WITH_INPUT = [case for case in OPERATIONS if case.sources & INPUTS]


def bodies(case: Case) -> list[Any]:
    """Bodies of the wrong shape: an unknown field, a NUL (refused from every text), no object
    at all, and every field of the schema a list (the last one no schema takes; ninja reads the
    others as an empty object, which a schema of optional fields accepts)."""
    every_field = {
        name: []
        for model in case.operation.signature.models
        if model.__ninja_param_source__ == "body"
        for field in model.model_fields.values()
        for name in getattr(field.annotation, "model_fields", {})
    }
    return [{"x": []}, {"x": NUL}, [{"x": []}], {**every_field, "x": []}]


def malformed(client: Client, case: Case, url: str, data: Any = None) -> Any:
    """The request with every query parameter junk, one holding NUL, and a body of the wrong
    shape."""
    query = {
        "x": NUL,
        **{
            name: JUNK
            for model in case.operation.signature.models
            if model.__ninja_param_source__ == "query"
            for name in model.__ninja_flatten_map__
        },
    }
    if case.sources & {"form", "file"}:
        body = encode_multipart(BOUNDARY, {"x": JUNK})
        content_type = f"multipart/form-data; boundary={BOUNDARY}"
    elif "body" in case.sources:
        data = bodies(case)[-1] if data is None else data
        body, content_type = json.dumps(data).encode(), "application/json"
    else:
        body, content_type = b"", "application/octet-stream"
    return client.generic(
        case.method, url, body, content_type=content_type, QUERY_STRING=urlencode(query)
    )


def test_there_are_operations_with_input_to_check():
    assert len(WITH_INPUT) > 40
    assert {c.name for c in WITH_INPUT} >= {"api:women", "api:stats_import", "api:grant_report"}


@pytest.mark.parametrize("case", OPERATIONS, ids=str)
def test_every_operation_names_the_capability_it_needs(case):
    """Not the API's default (signed in only): the role is checked before the request."""
    callbacks = case.operation.auth_callbacks
    assert len(callbacks) == 1 and isinstance(callbacks[0], Requires), (
        f"{case}: give the operation auth=Requires(Capability...)"
    )


@pytest.mark.parametrize("case", WITH_INPUT, ids=str)
def test_a_refused_role_sending_a_malformed_request_gets_403_not_422(
    case,
    principals,  # noqa: F811 (the fixture)
    world,  # noqa: F811 (the fixture)
):
    rule = ROUTES[case.name]
    url = reverse(case.name, kwargs=rule.args(world))
    expect = rule.methods[case.method]
    problems = []

    anonymous = malformed(Client(), case, url)
    if anonymous.status_code != 401:
        problems.append(f"anonymous: {anonymous.status_code}, expected 401")
    # The request really is malformed: a role that may use the endpoint is told so.
    # (the deployment's administrator where an organisation's may not; the receiving
    # organisation's administrator where only the receiver may, as in answering a referral).
    who = next(
        r
        for r in (Role.ADMINISTRATOR.value, Role.DEPLOYMENT_ADMINISTRATOR.value, "other_admin")
        if expect(r) != FORBIDDEN
    )
    client = Client()
    client.force_login(principals[who])
    allowed = malformed(client, case, url)
    if allowed.status_code != 422:
        problems.append(f"{who}: {allowed.status_code}, expected 422 (not malformed?)")
    for role in Role:
        if expect(role.value) != FORBIDDEN or case.name in REFUSED_BY_THE_RECORD:
            continue
        client = Client()
        client.force_login(principals[role.value])
        for data in bodies(case):
            response = malformed(client, case, url, data)
            body = response.json()
            if response.status_code != 403 or "errors" in body:
                problems.append(f"{role.value}: {response.status_code} {body}, expected 403")
            elif not body.get("detail"):
                problems.append(f"{role.value}: 403 without the refusal's text")
    assert not problems, f"{case} ({url}):\n" + "\n".join(problems)


def test_a_capability_named_by_the_path_is_checked_before_the_body(users, world):  # noqa: F811
    """Publishing a case study needs a programme manager, importing services the register's
    editors: a monitor and a programme manager are refused there, whatever they send."""
    monitor, manager = Client(), Client()
    monitor.force_login(users["monitor"])
    manager.force_login(users["programme_manager"])
    junk = json.dumps({"x": []})
    case_id = world.case_study.pk

    published = monitor.post(
        f"/api/v1/case-studies/{case_id}/publish", junk, content_type="application/json"
    )
    anonymised = monitor.post(
        f"/api/v1/case-studies/{case_id}/anonymise", junk, content_type="application/json"
    )
    services = manager.post("/api/v1/imports/services", {"x": JUNK})
    visits = manager.post("/api/v1/imports/visits", {"x": JUNK})

    assert published.status_code == 403
    assert published.json() == {"detail": "Only a programme manager may do this."}
    assert anonymised.status_code == 422
    assert services.status_code == 403
    assert services.json() == {"detail": "You may not change the register."}
    assert visits.status_code == 422
    assert visits.json() == {"errors": {"file": ["This field is required."]}}
