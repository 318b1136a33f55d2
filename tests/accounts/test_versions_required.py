"""Every change to an existing record states the version it was read at.

The routes are found as the permission matrix finds them (`test_permission_matrix`): every API
route taking PATCH, PUT or DELETE, every API POST on a path naming a record, and every page's
POST on a path naming a record. Each is either an update, checked here, or listed in
`NOT_AN_UPDATE` with the reason; a new route that is neither fails, naming it.

An update without a version is refused (API: 422 naming `version`; page: the form's message
that the page did not say which version it changes), and an API update with a stale version
is refused with 409; in both cases the record's version is unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from motherline.people.forms import MISSING_VERSION
from tests.accounts.test_permission_matrix import (
    ROUTE_LIST,
    ROUTES,
    Route,
    World,
    world,  # noqa: F401 (a fixture)
)
from tests.factories import current_version
from tests.legal.conftest import criteria  # noqa: F401 (a fixture)

# Route name -> the record of the world whose version the route's change is checked against.
UPDATES: dict[str, Any] = {
    # The API
    "api:woman": lambda w: w.woman,
    "api:episode": lambda w: w.woman.current_episode,
    "api:transfer": lambda w: w.woman.current_episode,
    "api:legal_status": lambda w: w.woman.current_episode,
    "api:release": lambda w: w.woman.current_episode,
    "api:move_child_out": lambda w: w.child,
    "api:plan": lambda w: w.plan,
    "api:plan_advance": lambda w: w.plan,
    "api:plan_reopen": lambda w: w.plan,
    "api:follow_up": lambda w: w.plan,
    "api:incident": lambda w: w.incident,
    "api:case_study_step": lambda w: w.case_study,
    "api:legal_case": lambda w: w.case,
    "api:legal_candidate": lambda w: w.candidate,
    "api:legal_candidate_status": lambda w: w.candidate,
    "api:child": lambda w: w.child,
    "api:visit": lambda w: w.visit,
    "api:admissions": lambda w: w.woman,
    "api:merge": lambda w: w.woman,
    "api:note": lambda w: w.note,
    "api:withdraw_consent": lambda w: w.consent,
    "api:answer_referral": lambda w: w.referral,
    "api:user": lambda w: w.admin_target,
    "api:organisation": lambda w: w.agreement.sharer,
    "api:user_active": lambda w: w.admin_target,
    "api:end_sharing_agreement": lambda w: w.agreement,
    "api:finding": lambda w: w.visit.findings.first(),
    "api:action": lambda w: w.visit.actions.get(),
    "api:visit_withdrawal": lambda w: w.visit,
    "api:incident_withdrawal": lambda w: w.incident,
    "api:training_session": lambda w: w.training,
    "api:training_withdrawal": lambda w: w.training,
    "api:grant": lambda w: w.grant,
    "api:grant_line": lambda w: w.grant.budget_lines.get(),
    "api:service": lambda w: w.delivery,
    "api:service_withdrawal": lambda w: w.delivery,
    "api:child_caregiver": lambda w: w.caregiver,
    "api:assessment": lambda w: w.assessment,
    "api:assessment_decision": lambda w: w.assessment,
    # The pages
    "people:edit_woman": lambda w: w.woman,
    "casework:withdraw_consent": lambda w: w.consent,
    "casework:referral": lambda w: w.referral,
    "people:edit_episode": lambda w: w.woman.current_episode,
    "people:transfer": lambda w: w.woman.current_episode,
    "people:legal_status": lambda w: w.woman.current_episode,
    "people:release": lambda w: w.woman.current_episode,
    "people:move_child_out": lambda w: w.child,
    "care:edit": lambda w: w.plan,
    "care:advance": lambda w: w.plan,
    "care:close": lambda w: w.plan,
    "care:reopen": lambda w: w.plan,
    "care:follow_up": lambda w: w.plan,
    "care:correct_caregiver": lambda w: w.caregiver,
    "care:correct_assessment": lambda w: w.assessment,
    "care:assessment": lambda w: w.assessment,
    "legal:case": lambda w: w.case,
    "legal:candidate": lambda w: w.candidate,
    "fieldwork:incident": lambda w: w.incident,
    "fieldwork:edit_case": lambda w: w.case_study,
    "fieldwork:case_step": lambda w: w.case_study,
    "people:edit_child": lambda w: w.child,
    "fieldwork:correct_visit": lambda w: w.visit,
    "people:register_birth": lambda w: w.child,
    "people:merge": lambda w: w.woman,
    "casework:correct_note": lambda w: w.note,
    "security:account": lambda w: w.admin_target,
    "security:organisation": lambda w: w.agreement.sharer,
    "security:set_active": lambda w: w.admin_target,
    "security:end_agreement": lambda w: w.agreement,
    "fieldwork:withdraw_visit": lambda w: w.visit,
    "fieldwork:correct_finding": lambda w: w.visit.findings.first(),
    "fieldwork:correct_action": lambda w: w.visit.actions.get(),
    "fieldwork:withdraw_incident": lambda w: w.incident,
    "fieldwork:correct_training": lambda w: w.training,
    "fieldwork:withdraw_training": lambda w: w.training,
    "grants:correct": lambda w: w.grant,
    "grants:correct_line": lambda w: w.grant.budget_lines.get(),
    "grants:correct_delivery": lambda w: w.delivery,
    "grants:withdraw_delivery": lambda w: w.delivery,
}

# Who sends the change, where the administrator may not make it: a note is corrected in
# place by its author only (the world's note is the monitor's).
ACTORS = {
    "api:note": "monitor",
    "casework:correct_note": "monitor",
    # The receiver answers a referral.
    "api:answer_referral": "other_monitor",
    # Organisations are the deployment administrator's.
    "api:organisation": "deployment_administrator",
    "security:organisation": "deployment_administrator",
}

# Updates the shared world cannot exercise, each checked by its own test instead.
CHECKED_ELSEWHERE = {
    "people:readmit": (
        "tests/people/test_readmission.py::"
        "test_the_page_refuses_a_readmission_that_does_not_say_its_version "
        "(the world's woman is in custody, which the page refuses first)"
    ),
}
CHECKED_ELSEWHERE["preferences"] = (
    "tests/accounts/test_preferences.py::test_a_stale_or_missing_version_is_refused "
    "(the record is the signed-in user's own)"
)
# Stale versions the shared world cannot exercise (the API's missing version is still checked).
STALE_CHECKED_ELSEWHERE = {
    "api:merge": (
        "tests/people/test_merge.py::test_the_api_refuses_a_stale_version_of_either_record "
        "(the world has no second record of the woman to merge)"
    ),
}

ADDS = "adds a new record (under the one the path names); nothing existing is overwritten"
ONCE = "a one-way mark (done, resolved, outcome) refused once set: a second cannot overwrite it"
READS = "a page that reads the record; its POST changes nothing"
ENDS = (
    "ends an assignment or revokes a token: one-way, and a second request finds nothing to "
    "end (404), so nothing can be overwritten"
)
NOT_AN_UPDATE: dict[str, str] = {
    "api:pregnancies": ADDS,
    "api:pregnancy_outcome": ONCE,
    "api:children": ADDS,
    "api:child_plan": ADDS,
    "api:child_extensions": ADDS,
    "api:visit_actions": ADDS,
    "api:action_done": ONCE,
    "api:finding_resolved": ONCE,
    "api:escalation_contact": "removes an address book entry, which has no history to lose",
    "api:grant_lines": ADDS,
    "api:legal_case_hearings": ADDS,
    "api:woman_legal_cases": ADDS,
    "api:legal_round_candidates": ADDS,
    "api:imports": "imports new records from a file; `kind` names no record",
    "api:submissions": "records one new submission (a resend changes nothing); `kind` names "
    "no record",
    "people:woman": READS,
    "people:child": READS,
    "people:pregnancy": ADDS,
    "people:pregnancy_outcome": ONCE,
    "people:add_child": ADDS,
    "care:open": ADDS,
    "care:extension": ADDS,
    "care:plan": READS,
    "care:caregivers": ADDS,
    "care:link_caregiver": ADDS + " (a caregiver's link to one more of her children)",
    "care:record_assessment": ADDS,
    "api:child_caregivers": ADDS,
    "api:child_caregiver_links": ADDS + " (a caregiver's link to one more of her children)",
    "api:plan_assessments": ADDS,
    "legal:open_case": ADDS,
    "legal:round": READS,
    "legal:round_screening": ADDS,
    "legal:dossier": READS,
    "fieldwork:visit": READS,
    "fieldwork:add_action": ADDS,
    "fieldwork:action_done": ONCE,
    "fieldwork:finding_resolved": ONCE,
    "fieldwork:prison": READS,
    "fieldwork:remove_contact": "removes an address book entry, which has no history to lose",
    "fieldwork:training_session": READS,
    "fieldwork:case": READS,
    "grants:detail": READS,
    "grants:add_line": ADDS,
    "grants:report": READS,
    "grants:delivery": READS,
    "stats:export": READS,
    "stats:template": READS,
    "security:reset_two_factor": "resets a user's second factor: an action, not an edit",
    "api:user_reset_two_factor": "resets a user's second factor: an action, not an edit",
    "api:woman_notes": ADDS,
    "api:child_notes": ADDS,
    "api:woman_workers": ADDS,
    "api:child_workers": ADDS,
    "api:woman_documents": ADDS,
    "api:child_documents": ADDS,
    "api:assignment": ENDS,
    "casework:woman_notes": ADDS,
    "casework:child_notes": ADDS,
    "casework:woman_workers": ADDS + "; its other button ends an assignment: " + ENDS,
    "casework:child_workers": ADDS + "; its other button ends an assignment: " + ENDS,
    "casework:woman_documents": ADDS,
    "casework:child_documents": ADDS,
    "casework:document": READS,
    "casework:consents": ADDS,
    "casework:refer_woman": ADDS,
    "casework:refer_child": ADDS,
    "api:consents": ADDS,
    "api:refer_woman": ADDS,
    "api:refer_child": ADDS,
    "casework:file_dossier": ADDS,
    "security:user_tokens": ADDS,
    "security:token_revoke": ENDS,
    "security:user_token_revoke": ENDS,
    "security:welcome": (
        "sets a new account's first password from a one-time link: the link's token, which a "
        "use invalidates, is its check"
    ),
}


# Pages that change the signed-in user's own record, whose path names none.
OWN_RECORD = {"preferences"}


def _changes_a_record(route: Route) -> bool:
    """As the matrix sees routes: a method that changes, on a path naming a record."""
    names_a_record = "<" in route.pattern or route.name in OWN_RECORD
    if route.is_api:
        return bool({"PATCH", "PUT", "DELETE"} & set(route.methods)) or (
            "POST" in route.methods and names_a_record
        )
    return "POST" in route.methods and names_a_record


CANDIDATES = [route for route in ROUTE_LIST if _changes_a_record(route)]
UPDATE_ROUTES = [route for route in CANDIDATES if route.name in UPDATES]


def test_every_route_that_changes_a_record_is_classified():
    problems = [
        f"{route.name} ({route.pattern}): add it to UPDATES (it must require a version) or to "
        f"NOT_AN_UPDATE with the reason"
        for route in CANDIDATES
        if route.name not in UPDATES | NOT_AN_UPDATE | CHECKED_ELSEWHERE
    ]
    known = {route.name for route in CANDIDATES}
    problems += [
        f"{name} is listed but no longer changes a record"
        for name in (set(UPDATES) | set(NOT_AN_UPDATE) | set(CHECKED_ELSEWHERE)) - known
    ]
    assert not problems, "\n".join(problems)


def _method(route: Route) -> str:
    if not route.is_api:
        return "POST"
    for method in ("PATCH", "PUT", "POST"):
        if method in route.methods:
            return method
    raise AssertionError(route)


def _send(client: Client, route: Route, w: World, version: Any) -> Any:
    """The route's change as the matrix sends it, with `version` (None: left out)."""
    rule = ROUTES[route.name]
    url = reverse(route.name, kwargs=rule.args(w))
    method = _method(route)
    if route.is_api:
        body = rule.body.get(method, {})
        body = dict(body(w) if callable(body) else body)
        body.pop("version", None)
        if version is not None:
            body["version"] = version
        return client.generic(method, url, json.dumps(body), content_type="application/json")
    data = {} if version is None else {"version": version}
    return client.post(url, data, follow=True)


def _version_of(record: Any) -> int:
    return current_version(record)


@pytest.mark.parametrize("route", UPDATE_ROUTES, ids=lambda r: r.name)
def test_an_update_without_a_version_is_refused(route, users, deployment_admin, world):  # noqa: F811
    client = Client()
    actors = {**users, "deployment_administrator": deployment_admin}
    client.force_login(actors[ACTORS.get(route.name, "administrator")])
    record = UPDATES[route.name](world)
    before = _version_of(record)
    response = _send(client, route, world, None)
    if route.is_api:
        assert response.status_code == 422, response.content
        assert "version" in response.json()["errors"], response.json()
    else:
        assert response.status_code == 200
        assert str(MISSING_VERSION) in response.text, route.name
    assert _version_of(record) == before


@pytest.mark.parametrize(
    "route",
    [r for r in UPDATE_ROUTES if r.is_api and r.name not in STALE_CHECKED_ELSEWHERE],
    ids=lambda r: r.name,
)
def test_an_api_update_with_a_stale_version_is_refused(
    route,
    users,
    deployment_admin,
    world,  # noqa: F811
):
    """(A stale page is refused with the form's message: see each page's own tests.)"""
    client = Client()
    actors = {**users, "deployment_administrator": deployment_admin}
    client.force_login(actors[ACTORS.get(route.name, "administrator")])
    record = UPDATES[route.name](world)
    before = _version_of(record)
    stale = before + 1000  # read at a version the record never had
    response = _send(client, route, world, stale)
    assert response.status_code == 409, response.content
    assert _version_of(record) == before
