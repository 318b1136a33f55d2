"""The permission matrix: every URL pattern and API route, every HTTP method it accepts, for
every role, anonymous, and users whose scope does not reach the record.

`ROUTES` below is the one table of expectations. The test walks Django's URL resolver
(ninja's API routes included, with the methods each API path accepts); a route without an
entry fails with its name, so a new page cannot be added without deciding who may open it.

How to add a route
------------------
1. Add one entry to `ROUTES`, keyed by the route's name as `reverse()` knows it
   ("app:name"; API routes are "api:<url_name>"), mapping each method to an expectation:

   - web pages: "GET" and "POST" (the two methods a browser sends). Use `needs(CAPABILITY,
     record=...)` when a capability opens it, `signed_in()` for any signed-in user,
     `public()` for pages anyone may open, `refused_method()` for a method the view refuses
     (405). `record="read"` or `record="edit"` adds the scope rule: users who may use the
     capability but do not see (or may not change) the record get 404.
   - API paths: exactly the methods the path accepts (the test reads them from ninja), for
     example {"GET": needs(VIEW_REGISTER, record="read"), "PATCH": needs(EDIT, ...)}.
2. If the route has URL parameters, give `args=` a function that picks them from the
   `World` fixture (a woman, her child, a transition plan, ...); add what your record needs to
   `world` below. API writes need `body=`: a request body that passes the schema, so that a
   refused role meets the access check and not the body's validation.
3. Run `pytest tests/accounts/test_permission_matrix.py`.

What "allowed" means: not a 403, 404, 405, not a redirect to sign in, not a 401 and no
server error; a form answering a POST with its errors (200) or an API refusing a change with
422/409 has passed the access check and counts as allowed.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from motherline.accounts.models import Role, SharingAgreement, User
from motherline.casework import referrals
from motherline.casework import services as casework_services
from motherline.fieldwork import services as fieldwork_services
from motherline.grants import services as grant_services
from motherline.legal import services as legal_services
from motherline.people.models import Child, Woman
from motherline.places.models import Commune, District
from tests.care.conftest import plan_at
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, children_of, reload
from tests.fieldwork.conftest import record as record_visit
from tests.grants.conftest import deliver
from tests.legal.conftest import convicted_mother, criteria  # noqa: F401 (a fixture)

# Outcomes
ALLOW = "allowed"
FORBIDDEN = "403"
NOT_FOUND = "404"
LOGIN = "sign-in"  # web: redirect to the sign-in page; API: 401
NOT_ALLOWED = "405"

# Capabilities, as this table expects each role to have them (independent of policy.py).
AGGREGATES = "aggregates"
REGISTER = "register"
EDIT = "edit"
ADMIN = "admin"  # the users, sharing and audit trail of one's own organisation
DEPLOYMENT = "deployment"  # organisations, packs, every account
FIELD = "record_fieldwork"  # visits, incidents, training, case studies
PROGRAMME = "manage_programme"  # grants, the incidents overview, escalation contacts
IMPORT = "import_returns"  # population returns: aggregate counts, no names

ROLE_MAY: dict[str, set[str]] = {
    "administrator": {AGGREGATES, REGISTER, EDIT, ADMIN, IMPORT, FIELD, PROGRAMME},
    # Administers every organisation, reads no personal record.
    "deployment_administrator": {AGGREGATES, ADMIN, DEPLOYMENT},
    "monitor": {AGGREGATES, REGISTER, EDIT, FIELD},
    "legal_officer": {AGGREGATES, REGISTER, EDIT, FIELD},
    "prison_liaison": {AGGREGATES, REGISTER, EDIT},
    "programme_manager": {AGGREGATES, REGISTER, IMPORT, FIELD, PROGRAMME},
    "analyst": {AGGREGATES, IMPORT},
    "viewer": {AGGREGATES},
    # Out-of-scope principals: a monitor of the partner organisation the NGO shares with, a
    # monitor of an unrelated organisation, a liaison officer of another prison.
    "partner_monitor": {AGGREGATES, REGISTER, EDIT, FIELD},
    "other_monitor": {AGGREGATES, REGISTER, EDIT, FIELD},
    "other_liaison": {AGGREGATES, REGISTER, EDIT},
    # The administrator of the unrelated organisation: every capability, none of its reach.
    "other_admin": {AGGREGATES, REGISTER, EDIT, ADMIN, IMPORT, FIELD, PROGRAMME},
}
# Who may administer the NGO's accounts: its own administrator and the deployment's.
ADMINISTERS_NGO = {"administrator", "deployment_administrator"}
# Who sees the NGO's woman (consent: shared with partners) held in CC2, and who may change her.
SEES_RECORD = {
    "administrator",
    "monitor",
    "legal_officer",
    "prison_liaison",
    "programme_manager",
    "partner_monitor",
}
EDITS_RECORD = {"administrator", "monitor", "legal_officer", "prison_liaison"}
# The NGO's own records of field work and grants: seen by its users and the partner it shares
# with, changed by its users only.
SEES_ORG_RECORD = {
    "administrator",
    "monitor",
    "legal_officer",
    "programme_manager",
    "partner_monitor",
}
EDITS_ORG_RECORD = {"administrator", "monitor", "legal_officer", "programme_manager"}
# The NGO's pardon round: seen by its users and the partner it shares with; candidates added
# by its own users who may change the register (the liaison of another prison included).
SEES_ROUND = {
    "administrator",
    "monitor",
    "legal_officer",
    "prison_liaison",
    "programme_manager",
    "other_liaison",
    "partner_monitor",
}
EDITS_ROUND = {"administrator", "monitor", "legal_officer", "prison_liaison", "other_liaison"}
ROUND = (SEES_ROUND, EDITS_ROUND)
# The NGO's referral of its woman's child to the unrelated NGO, waiting for an answer: seen
# by the two organisations' users who read the register (not a liaison officer, not the
# partner); the sender's editors may withdraw it, the receiver's answer it.
SEES_REFERRAL = {
    "administrator",
    "monitor",
    "legal_officer",
    "programme_manager",
    "other_monitor",
    "other_admin",
}
REFERRAL = (SEES_REFERRAL, SEES_REFERRAL)
PRINCIPALS = ["anonymous", *ROLE_MAY]

Expect = Callable[[str], str]


def needs(
    capability: str, record: str | None = None, scopes: tuple[set[str], set[str]] | None = None
) -> Expect:
    """Signed-in users whose role has the capability (403 otherwise); with `record` ("read"
    or "edit"), only within the scope of the record (404 otherwise). `scopes` are who sees and
    who changes the record: by default the world's woman's."""
    sees, edits = scopes or (SEES_RECORD, EDITS_RECORD)
    scope = {"read": sees, "edit": edits, None: None}[record]

    def expect(principal: str) -> str:
        if principal == "anonymous":
            return LOGIN
        if capability not in ROLE_MAY[principal]:
            return FORBIDDEN
        if scope is not None and principal not in scope:
            return NOT_FOUND
        return ALLOW

    return expect


def org_record(capability: str, edit: bool = False) -> Expect:
    """An organisation's record (a visit, an incident, a grant): seen by the NGO and the
    partner it shares with, changed by the NGO only (a partner's change is a 404)."""
    return needs(capability, "edit" if edit else "read", (SEES_ORG_RECORD, EDITS_ORG_RECORD))


def signed_in() -> Expect:
    return lambda principal: LOGIN if principal == "anonymous" else ALLOW


def public() -> Expect:
    return lambda principal: ALLOW


def edits_a_seen_record() -> Expect:
    """A change to a record the user may see: refused (403) to a role that may not edit and
    to a partner who sees the record read-only; 404 to whoever does not see it."""

    def expect(principal: str) -> str:
        if principal == "anonymous":
            return LOGIN
        if EDIT not in ROLE_MAY[principal]:
            return FORBIDDEN
        if principal not in SEES_RECORD:
            return NOT_FOUND
        return ALLOW if principal in EDITS_RECORD else FORBIDDEN

    return expect


def administers_ngo() -> Expect:
    """An action on one of the NGO's accounts or agreements: refused (403) to a role that
    does not administer; not found (404) for another organisation's administrator."""

    def expect(principal: str) -> str:
        if principal == "anonymous":
            return LOGIN
        if ADMIN not in ROLE_MAY[principal]:
            return FORBIDDEN
        return ALLOW if principal in ADMINISTERS_NGO else NOT_FOUND

    return expect


def own_org_only(capability: str) -> Expect:
    """A record only its own organisation reads or changes (an escalation contact): users of
    another organisation with the capability get 404."""
    return needs(capability, "edit", (EDITS_ORG_RECORD, EDITS_ORG_RECORD))


def owner_only(owner: str) -> Expect:
    """Something only its owner may act on (their own API token): 404 for everyone else."""
    return lambda principal: (
        LOGIN if principal == "anonymous" else ALLOW if principal == owner else NOT_FOUND
    )


def api_token_of(user: User) -> Any:
    """A live API token of the user (made on first use)."""
    from motherline.security import tokens

    token = tokens.live(user.api_tokens.all()).first()
    return token or tokens.create_token(user, "matrix", expires_in_days=30)[0]


def answers_referral() -> Expect:
    """Accepting the waiting referral: only the receiving organisation's editors; the
    sender's are refused (403), whoever does not see it gets 404."""

    def expect(principal: str) -> str:
        outcome = needs(EDIT, "read", REFERRAL)(principal)
        if outcome == ALLOW and principal not in {"other_monitor", "other_admin"}:
            return FORBIDDEN
        return outcome

    return expect


def decides_assessment() -> Expect:
    """A programme manager's decision on a best-interests assessment: the managers of the
    organisation that owns the child (administrator, programme manager); whoever else sees
    the record is refused (403), whoever does not see it gets 404."""

    def expect(principal: str) -> str:
        if principal == "anonymous":
            return LOGIN
        if REGISTER not in ROLE_MAY[principal]:
            return FORBIDDEN
        if principal not in SEES_RECORD:
            return NOT_FOUND
        return ALLOW if principal in {"administrator", "programme_manager"} else FORBIDDEN

    return expect


def caregiver(w: World) -> dict[str, Any]:
    return {"reference": w.child.reference, "caregiver_id": w.caregiver.pk}


def assessment(w: World) -> dict[str, Any]:
    return {"assessment_id": w.assessment.pk}


def refused_method(anonymous: str = LOGIN) -> Expect:
    return lambda principal: anonymous if principal == "anonymous" else NOT_ALLOWED


@dataclass
class World:
    woman: Woman
    child: Child
    plan: Any
    follow_up: Any
    pregnancy: Any
    admin_target: User
    agreement: Any  # the NGO shares with the UN office
    # Legal work: a case of the woman above, a pardon round, and a convicted mother of the
    # same organisation, prison and consent put forward in it.
    case: Any = None
    pardon_round: Any = None
    candidate: Any = None
    # Field work and grants of the NGO (shared with the UN office by its sharing setting).
    visit: Any = None
    incident: Any = None
    contact: Any = None
    training: Any = None
    case_study: Any = None
    grant: Any = None
    delivery: Any = None  # a service to the woman above, charged to the grant
    # Case work on the woman above: a note by the monitor, an assignment, a document.
    note: Any = None
    assignment: Any = None
    document: Any = None
    # A consent to refer the child, and the child's referral to the unrelated NGO (waiting).
    consent: Any = None
    referral: Any = None
    # The child's caregiver (the plan's, handed over under its approved assessment).
    caregiver: Any = None
    assessment: Any = None


@dataclass
class Rule:
    methods: dict[str, Expect]
    args: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    # Per method, API only; a function of the World where the body names a record.
    body: dict[str, Any] = field(default_factory=dict)
    # A GET's query string, where the route refuses a request without one (422) before it
    # looks the record up.
    query: dict[str, str] = field(default_factory=dict)


def admits_to_cc2(principal: str) -> str:
    # A liaison officer admits only into their own prison: into another it is refused (403),
    # since no record exists yet to be out of scope.
    return FORBIDDEN if principal == "other_liaison" else needs(EDIT)(principal)


def woman(w: World) -> dict[str, Any]:
    return {"reference": w.woman.reference}


def child(w: World) -> dict[str, Any]:
    return {"reference": w.child.reference}


def visit(w: World) -> dict[str, Any]:
    return {"visit_id": w.visit.pk}


def case_study(w: World) -> dict[str, Any]:
    return {"case_id": w.case_study.pk}


def grant(w: World) -> dict[str, Any]:
    return {"grant_id": w.grant.pk}


def grant_line(w: World) -> dict[str, Any]:
    return {"grant_id": w.grant.pk, "line_id": w.grant.budget_lines.get().pk}


def delivery(w: World) -> dict[str, Any]:
    return {"delivery_id": w.delivery.pk}


def finding(w: World) -> dict[str, Any]:
    return {"finding_id": w.visit.findings.first().pk}


def action(w: World) -> dict[str, Any]:
    return {"action_id": w.visit.actions.get().pk}


def incident(w: World) -> dict[str, Any]:
    return {"incident_id": w.incident.pk}


def training(w: World) -> dict[str, Any]:
    return {"session_id": w.training.pk}


# Who may correct or withdraw an organisation's record: its own organisation's users who
# record field work (a partner who reads it gets 404, as everyone else).
FIELD_EDIT = org_record(FIELD, edit=True)
PROGRAMME_EDIT = org_record(PROGRAMME, edit=True)
WITHDRAWAL = {"version": 1, "reason": "Entered twice"}


def plan(w: World) -> dict[str, Any]:
    return {"plan_id": w.plan.pk}


DAY = (TODAY - timedelta(days=5)).isoformat()

# The table: one entry per route name.
ROUTES: dict[str, Rule] = {
    # Signing in and out, languages
    "home": Rule({"GET": signed_in(), "POST": refused_method()}),
    "login": Rule({"GET": public(), "POST": public()}),
    "logout": Rule({"GET": refused_method(NOT_ALLOWED), "POST": public()}),
    "preferences": Rule({"GET": signed_in(), "POST": signed_in()}),
    "set_language": Rule({"GET": public(), "POST": public()}),
    # Second factor and administration
    "security:two_factor_enrol": Rule({"GET": signed_in(), "POST": signed_in()}),
    "security:two_factor_verify": Rule({"GET": signed_in(), "POST": signed_in()}),
    "security:users": Rule({"GET": needs(ADMIN), "POST": needs(ADMIN)}),
    "security:reset_two_factor": Rule(
        {"GET": refused_method(), "POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
    ),
    "security:invite": Rule({"GET": needs(ADMIN), "POST": needs(ADMIN)}),
    "security:account": Rule(
        {"GET": administers_ngo(), "POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
    ),
    "security:set_active": Rule(
        {"GET": refused_method(), "POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
    ),
    # The invitation's link: anyone may open it; a wrong token shows that it does not work.
    "security:welcome": Rule(
        {"GET": public(), "POST": public()},
        args=lambda w: {"uidb64": "MQ", "token": "not-a-token"},
    ),
    "security:organisations": Rule({"GET": needs(DEPLOYMENT), "POST": needs(DEPLOYMENT)}),
    "security:organisation": Rule(
        {"GET": needs(DEPLOYMENT), "POST": needs(DEPLOYMENT)},
        args=lambda w: {"organisation_id": w.agreement.sharer_id},
    ),
    "security:sharing": Rule({"GET": needs(ADMIN), "POST": needs(ADMIN)}),
    "security:end_agreement": Rule(
        {"GET": refused_method(), "POST": administers_ngo()},
        args=lambda w: {"agreement_id": w.agreement.pk},
    ),
    # API tokens: one's own (another user's token is a 404); an account's, for its
    # administrators (another organisation's administrator gets 404).
    "security:tokens": Rule({"GET": signed_in(), "POST": signed_in()}),
    "security:token_revoke": Rule(
        {"GET": refused_method(), "POST": owner_only("viewer")},
        args=lambda w: {"token_id": api_token_of(w.admin_target).pk},
    ),
    "security:user_tokens": Rule(
        {"GET": administers_ngo(), "POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
    ),
    "security:user_token_revoke": Rule(
        {"GET": refused_method(), "POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk, "token_id": api_token_of(w.admin_target).pk},
    ),
    "security:audit": Rule({"GET": needs(ADMIN), "POST": needs(ADMIN)}),
    "security:audit_export": Rule({"GET": needs(ADMIN), "POST": needs(ADMIN)}),
    # The register's pages
    "jobs:list": Rule({"GET": needs(DEPLOYMENT), "POST": refused_method()}),
    "people:prisons": Rule({"GET": needs(AGGREGATES), "POST": refused_method()}),
    "people:women": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "people:admit": Rule({"GET": needs(EDIT), "POST": needs(EDIT)}),
    "people:woman": Rule({"GET": needs(REGISTER, "read"), "POST": refused_method()}, args=woman),
    "people:edit_woman": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman
    ),
    "people:edit_episode": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")},
        args=lambda w: {"reference": w.woman.reference, "episode_id": w.woman.current_episode_id},
    ),
    # Re-admission: her page's woman is in custody, so an allowed user is refused by the
    # service (the form answers 200 with the reason; the API 422).
    "people:readmit": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    # Merging two records of one woman: administrators of her organisation only.
    "people:merge": Rule({"GET": needs(ADMIN, "edit"), "POST": needs(ADMIN, "edit")}, args=woman),
    "people:transfer": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    "people:legal_status": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman
    ),
    "people:release": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    "people:pregnancy": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    "people:pregnancy_outcome": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")},
        args=lambda w: {"reference": w.woman.reference, "pregnancy_id": w.pregnancy.pk},
    ),
    "people:add_child": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    "people:child": Rule({"GET": needs(REGISTER, "read"), "POST": refused_method()}, args=child),
    "people:edit_child": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=child
    ),
    "people:register_birth": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=child
    ),
    "people:move_child_out": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=child
    ),
    "worklist:list": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    # Statistics (aggregates only)
    "stats:index": Rule({"GET": needs(AGGREGATES), "POST": refused_method()}),
    "stats:export": Rule(
        {"GET": needs(AGGREGATES), "POST": refused_method()},
        args=lambda w: {"table": "prisons", "fmt": "csv"},
    ),
    "stats:brief": Rule({"GET": needs(AGGREGATES), "POST": refused_method()}),
    "stats:import": Rule({"GET": needs(IMPORT), "POST": needs(IMPORT)}),
    "stats:template": Rule(
        {"GET": needs(IMPORT), "POST": refused_method()}, args=lambda w: {"fmt": "csv"}
    ),
    # Transition plans
    "care:open": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=child),
    "care:extension": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=child),
    "care:plan": Rule({"GET": needs(REGISTER, "read"), "POST": refused_method()}, args=plan),
    "care:edit": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=plan),
    "care:advance": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=plan),
    "care:close": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=plan),
    "care:reopen": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=plan),
    "care:follow_up": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")},
        args=lambda w: {"plan_id": w.plan.pk, "follow_up_id": w.follow_up.pk},
    ),
    # The child's family outside: caregivers and best-interests assessments are personal
    # records, seen and changed as the child's (a partner reads them: 403 on a change); the
    # decision on an assessment is its organisation's programme managers'.
    "care:caregivers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=child
    ),
    "care:link_caregiver": Rule(
        {"GET": refused_method(), "POST": edits_a_seen_record()}, args=child
    ),
    "care:correct_caregiver": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=caregiver
    ),
    "care:record_assessment": Rule(
        {"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=plan
    ),
    "care:assessment": Rule(
        {"GET": needs(REGISTER, "read"), "POST": decides_assessment()}, args=assessment
    ),
    "care:correct_assessment": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=assessment
    ),
    # Legal work: cases and candidates are seen and changed as their woman is; pardon rounds
    # are the jurisdiction's, open to every role with the register.
    "legal:cases": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "legal:case": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=lambda w: {"case_id": w.case.pk},
    ),
    "legal:open_case": Rule({"GET": needs(EDIT, "edit"), "POST": needs(EDIT, "edit")}, args=woman),
    "legal:rounds": Rule({"GET": needs(REGISTER), "POST": needs(EDIT)}),
    "legal:round": Rule(
        {"GET": needs(REGISTER, "read", ROUND), "POST": refused_method()},
        args=lambda w: {"round_id": w.pardon_round.pk},
    ),
    "legal:round_screening": Rule(
        {"GET": needs(REGISTER, "read", ROUND), "POST": needs(EDIT, "edit", ROUND)},
        args=lambda w: {"round_id": w.pardon_round.pk},
    ),
    # Screening for a remedy adds no one: only a round's screening takes a POST.
    "legal:screening": Rule(
        {
            "GET": needs(REGISTER),
            "POST": lambda p: NOT_FOUND if needs(REGISTER)(p) == ALLOW else needs(REGISTER)(p),
        }
    ),
    "legal:candidate": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=lambda w: {"candidate_id": w.candidate.pk},
    ),
    "legal:dossier": Rule(
        {"GET": needs(REGISTER, "read"), "POST": refused_method()},
        args=lambda w: {"candidate_id": w.candidate.pk, "language": "km"},
    ),
    # Field work: visits, incidents, training and case studies are the organisation's
    # records; a prison liaison officer's lists of them are empty and each is a 404 to her.
    "fieldwork:visits": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "fieldwork:new_visit": Rule({"GET": needs(FIELD), "POST": needs(FIELD)}),
    "fieldwork:visit": Rule({"GET": org_record(REGISTER), "POST": refused_method()}, args=visit),
    "fieldwork:correct_visit": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)}, args=visit
    ),
    "fieldwork:withdraw_visit": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=visit),
    "fieldwork:correct_finding": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=finding),
    "fieldwork:correct_action": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=action),
    "fieldwork:withdraw_incident": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=incident),
    "fieldwork:correct_training": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=training),
    "fieldwork:withdraw_training": Rule({"GET": FIELD_EDIT, "POST": FIELD_EDIT}, args=training),
    "fieldwork:add_action": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)}, args=visit
    ),
    "fieldwork:action_done": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)},
        args=lambda w: {"action_id": w.visit.actions.get().pk},
    ),
    "fieldwork:finding_resolved": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)},
        args=lambda w: {"finding_id": w.visit.findings.first().pk},
    ),
    "fieldwork:prison": Rule(
        {"GET": needs(REGISTER), "POST": refused_method()}, args=lambda w: {"code": "CC2"}
    ),
    "fieldwork:incidents": Rule({"GET": needs(PROGRAMME), "POST": refused_method()}),
    "fieldwork:new_incident": Rule({"GET": needs(FIELD), "POST": needs(FIELD)}),
    "fieldwork:incident": Rule(
        {"GET": org_record(REGISTER), "POST": org_record(FIELD, edit=True)},
        args=lambda w: {"incident_id": w.incident.pk},
    ),
    "fieldwork:import": Rule({"GET": needs(FIELD), "POST": needs(FIELD)}),
    "fieldwork:escalation": Rule({"GET": needs(PROGRAMME), "POST": needs(PROGRAMME)}),
    "fieldwork:remove_contact": Rule(
        {"GET": own_org_only(PROGRAMME), "POST": own_org_only(PROGRAMME)},
        args=lambda w: {"contact_id": w.contact.pk},
    ),
    "fieldwork:training": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "fieldwork:new_training": Rule({"GET": needs(FIELD), "POST": needs(FIELD)}),
    "fieldwork:training_session": Rule(
        {"GET": org_record(REGISTER), "POST": refused_method()},
        args=lambda w: {"session_id": w.training.pk},
    ),
    "fieldwork:cases": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "fieldwork:new_case": Rule({"GET": needs(FIELD), "POST": needs(FIELD)}),
    "fieldwork:case_booklet": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "fieldwork:case": Rule(
        {"GET": org_record(REGISTER), "POST": refused_method()}, args=case_study
    ),
    "fieldwork:edit_case": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)},
        args=case_study,
    ),
    "fieldwork:case_step": Rule(
        {"GET": org_record(FIELD, edit=True), "POST": org_record(FIELD, edit=True)},
        args=lambda w: {"case_id": w.case_study.pk, "step": "anonymise"},
    ),
    # Grants: programme managers (and administrators) of the managing organisation.
    "grants:list": Rule({"GET": needs(PROGRAMME), "POST": refused_method()}),
    "grants:new": Rule({"GET": needs(PROGRAMME), "POST": needs(PROGRAMME)}),
    "grants:detail": Rule({"GET": org_record(PROGRAMME), "POST": refused_method()}, args=grant),
    "grants:add_line": Rule(
        {"GET": org_record(PROGRAMME, edit=True), "POST": org_record(PROGRAMME, edit=True)},
        args=grant,
    ),
    "grants:report": Rule({"GET": org_record(PROGRAMME), "POST": refused_method()}, args=grant),
    "grants:correct": Rule({"GET": PROGRAMME_EDIT, "POST": PROGRAMME_EDIT}, args=grant),
    "grants:correct_line": Rule({"GET": PROGRAMME_EDIT, "POST": PROGRAMME_EDIT}, args=grant_line),
    # Services delivered to a woman are her personal record.
    "grants:deliveries": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "grants:new_delivery": Rule({"GET": needs(EDIT), "POST": needs(EDIT)}),
    "grants:delivery": Rule(
        {"GET": needs(REGISTER, "read"), "POST": refused_method()}, args=delivery
    ),
    # Corrected and withdrawn as her record: a partner who reads it is refused (403).
    "grants:correct_delivery": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=delivery
    ),
    "grants:withdraw_delivery": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=delivery
    ),
    # The API (anonymous: 401)
    "api:openapi-json": Rule({"GET": public(), "POST": public()}),
    "api:openapi-view": Rule({"GET": public(), "POST": public()}),
    "api:prisons": Rule({"GET": needs(AGGREGATES)}),
    "api:provinces": Rule({"GET": needs(AGGREGATES)}),
    "api:courts": Rule({"GET": needs(AGGREGATES)}),
    "api:women": Rule(
        {"GET": needs(REGISTER), "POST": admits_to_cc2},
        body={"POST": {"prison": "CC2", "admission_date": DAY, "name": "Matrix Admission"}},
    ),
    "api:woman": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": needs(EDIT, "edit")},
        args=woman,
        body={"PATCH": {"version": 1}},
    ),
    "api:episode": Rule(
        {"PATCH": needs(EDIT, "edit")},
        args=lambda w: {"reference": w.woman.reference, "episode_id": w.woman.current_episode_id},
        body={"PATCH": {"version": 1}},
    ),
    "api:admissions": Rule(
        {"POST": needs(EDIT, "edit")},
        args=woman,
        body={"POST": {"version": 1, "prison": "CC2", "admission_date": DAY}},
    ),
    "api:merge": Rule(
        {"POST": needs(ADMIN, "edit")},
        args=woman,
        body={"POST": {"merged": "W-NONE", "reason": "Same", "version": 1, "merged_version": 1}},
    ),
    "api:transfer": Rule(
        {"POST": needs(EDIT, "edit")},
        args=woman,
        body={"POST": {"to_prison": "KDL", "transfer_date": DAY, "version": 1}},
    ),
    "api:legal_status": Rule(
        {"POST": needs(EDIT, "edit")},
        args=woman,
        body={"POST": {"status": "pretrial", "effective_date": DAY, "version": 1}},
    ),
    "api:release": Rule(
        {"POST": needs(EDIT, "edit")},
        args=woman,
        body={"POST": {"release_date": DAY, "reason": "end_of_sentence", "version": 1}},
    ),
    "api:pregnancies": Rule(
        {"POST": needs(EDIT, "edit")}, args=woman, body={"POST": {"known_since": DAY}}
    ),
    "api:pregnancy_outcome": Rule(
        {"POST": needs(EDIT, "edit")},
        args=lambda w: {"reference": w.woman.reference, "pregnancy_id": w.pregnancy.pk},
        body={"POST": {"outcome": "birth_in_prison", "outcome_date": DAY}},
    ),
    "api:children": Rule(
        {"POST": needs(EDIT, "edit")}, args=woman, body={"POST": {"date_of_birth": "2020-01-01"}}
    ),
    "api:move_child_out": Rule(
        {"POST": needs(EDIT, "edit")},
        args=child,
        body={"POST": {"move_date": DAY, "caregiver_relationship": "grandparent", "version": 1}},
    ),
    "api:worklist": Rule({"GET": needs(REGISTER)}),
    "api:child": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": edits_a_seen_record()},
        args=child,
        body={"PATCH": {"version": 1}},
    ),
    "api:child_plan": Rule(
        {"GET": needs(REGISTER, "read"), "POST": needs(EDIT, "edit")}, args=child
    ),
    "api:plan": Rule({"PATCH": needs(EDIT, "edit")}, args=plan, body={"PATCH": {"version": 1}}),
    "api:plan_advance": Rule(
        {"POST": needs(EDIT, "edit")},
        args=plan,
        body={"POST": {"status": "assessed", "version": 1}},
    ),
    "api:plan_reopen": Rule(
        {"POST": needs(EDIT, "edit")}, args=plan, body={"POST": {"reason": "Matrix", "version": 1}}
    ),
    "api:follow_up": Rule(
        {"POST": needs(EDIT, "edit")},
        args=lambda w: {"follow_up_id": w.follow_up.pk},
        body={
            "POST": {
                "done_on": DAY,
                "outcome": "well",
                "child_situation": "with_caregiver",
                "version": 1,
            }
        },
    ),
    "api:child_extensions": Rule(
        {"POST": needs(EDIT, "edit")},
        args=child,
        body={
            "POST": {"months": 1, "reason": "Matrix", "approved_by": "Court", "approved_on": DAY}
        },
    ),
    "api:child_caregivers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=child,
        body={
            "POST": {"name": "Matrix aunt", "relationship": "other_relative", "phone": "012 345"}
        },
    ),
    "api:child_caregiver_links": Rule(
        {"POST": edits_a_seen_record()},
        args=child,
        body={"POST": lambda w: {"caregiver": w.caregiver.pk, "relationship": "grandparent"}},
    ),
    "api:child_caregiver": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": edits_a_seen_record()},
        args=caregiver,
        body={"PATCH": {"version": 1}},
    ),
    "api:plan_assessments": Rule(
        {"GET": needs(REGISTER, "read"), "POST": needs(EDIT, "edit")},
        args=plan,
        body={
            "POST": lambda w: {
                "caregiver": w.caregiver.pk,
                "assessed_on": DAY,
                "answers": {},
                "recommendation": "hand_over",
            }
        },
    ),
    "api:assessment": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": edits_a_seen_record()},
        args=assessment,
        body={"PATCH": {"version": 1}},
    ),
    "api:assessment_decision": Rule(
        {"POST": needs(PROGRAMME, "read")},
        args=assessment,
        body={"POST": {"approve": True, "version": 1}},
    ),
    # The gazetteer: reference data, no names.
    "api:province_districts": Rule({"GET": needs(AGGREGATES)}, args=lambda w: {"code": "KH-12"}),
    "api:district_communes": Rule(
        {"GET": needs(AGGREGATES)}, args=lambda w: {"code": "KH-12", "district": "1201"}
    ),
    "api:audit": Rule({"GET": needs(ADMIN)}),
    "api:users": Rule(
        {"GET": needs(ADMIN), "POST": needs(ADMIN)},
        body={
            "POST": {
                "username": "matrix_new",
                "email": "new@ngo.example.org",
                "role": "monitor",
                "organisation": "Women's Justice NGO",
            }
        },
    ),
    "api:user": Rule(
        {"GET": administers_ngo(), "PATCH": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
        body={
            "PATCH": {
                "email": "viewer@ngo.example.org",
                "role": "viewer",
                "organisation": "Women's Justice NGO",
                "version": 1,
            }
        },
    ),
    "api:user_active": Rule(
        {"POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
        body={"POST": {"active": False, "reason": "Left", "version": 1}},
    ),
    "api:user_reset_two_factor": Rule(
        {"POST": administers_ngo()},
        args=lambda w: {"user_id": w.admin_target.pk},
        body={"POST": {"reason": "Lost phone"}},
    ),
    "api:organisations": Rule(
        {"GET": needs(DEPLOYMENT), "POST": needs(DEPLOYMENT)},
        body={"POST": {"name": "Matrix NGO", "kind": "ngo", "jurisdiction": "KH"}},
    ),
    "api:organisation": Rule(
        {"PATCH": needs(DEPLOYMENT)},
        args=lambda w: {"organisation_id": w.agreement.sharer_id},
        body={"PATCH": {"version": 1, "name_local": "អង្គការស្ត្រី"}},
    ),
    "api:sharing_agreements": Rule(
        {"GET": needs(ADMIN), "POST": needs(ADMIN)},
        body={
            "POST": {"partner": "Unrelated NGO", "starts_on": "2026-01-01", "agreed_by": "Director"}
        },
    ),
    "api:end_sharing_agreement": Rule(
        {"POST": administers_ngo()},
        args=lambda w: {"agreement_id": w.agreement.pk},
        body={"POST": {"reason": "Project over", "version": 1}},
    ),
    "api:jobs": Rule({"GET": needs(DEPLOYMENT)}),
    "api:stats_indicators": Rule({"GET": needs(AGGREGATES)}),
    "api:stats_series": Rule({"GET": needs(AGGREGATES)}),
    "api:stats_prisons": Rule({"GET": needs(AGGREGATES)}),
    "api:stats_import": Rule({"POST": needs(IMPORT)}),
    "api:legal_cases": Rule({"GET": needs(REGISTER)}),
    "api:legal_case": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": needs(EDIT, "edit")},
        args=lambda w: {"case_id": w.case.pk},
        body={"PATCH": {"version": 1, "stage": "appeal"}},
    ),
    "api:legal_case_hearings": Rule(
        {"POST": needs(EDIT, "edit")},
        args=lambda w: {"case_id": w.case.pk},
        body={"POST": {"held_on": DAY, "what_happened": "Adjourned"}},
    ),
    "api:woman_legal_cases": Rule(
        {"POST": needs(EDIT, "edit")}, args=woman, body={"POST": {"stage": "trial"}}
    ),
    "api:legal_rounds": Rule(
        {"GET": needs(REGISTER), "POST": needs(EDIT)},
        body={
            "POST": {
                "occasion_date": (TODAY + timedelta(days=90)).isoformat(),
                "submission_deadline": (TODAY + timedelta(days=60)).isoformat(),
            }
        },
    ),
    "api:legal_round": Rule(
        {"GET": needs(REGISTER, "read", ROUND)}, args=lambda w: {"round_id": w.pardon_round.pk}
    ),
    "api:legal_round_screening": Rule(
        {"GET": needs(REGISTER, "read", ROUND)}, args=lambda w: {"round_id": w.pardon_round.pk}
    ),
    "api:legal_round_candidates": Rule(
        {"GET": needs(REGISTER, "read", ROUND), "POST": needs(EDIT, "edit", ROUND)},
        args=lambda w: {"round_id": w.pardon_round.pk},
        body={"POST": {"women": ["W-MATRIX"]}},
    ),
    "api:legal_screening": Rule({"GET": needs(REGISTER)}),
    "api:legal_candidate": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": needs(EDIT, "edit")},
        args=lambda w: {"candidate_id": w.candidate.pk},
        body={"PATCH": {"version": 1, "priority": 1}},
    ),
    "api:legal_candidate_status": Rule(
        {"POST": needs(EDIT, "edit")},
        args=lambda w: {"candidate_id": w.candidate.pk},
        body={"POST": {"status": "submitted", "version": 1}},
    ),
    "api:legal_candidate_dossier": Rule(
        {"GET": needs(REGISTER, "read")}, args=lambda w: {"candidate_id": w.candidate.pk}
    ),
    "api:visits": Rule(
        {"GET": needs(REGISTER), "POST": needs(FIELD)},
        body={"POST": {"prison": "CC2", "visit_date": DAY, "team": "Two", "access": "granted"}},
    ),
    "api:visit": Rule(
        {"GET": org_record(REGISTER), "PATCH": org_record(FIELD, edit=True)},
        args=visit,
        body={"PATCH": {"version": 1, "team": "Two monitors"}},
    ),
    "api:visit_actions": Rule(
        {"POST": org_record(FIELD, edit=True)},
        args=visit,
        body={"POST": {"description": "Call", "owner": "monitor", "due_date": DAY}},
    ),
    "api:finding_resolved": Rule(
        {"POST": org_record(FIELD, edit=True)},
        args=lambda w: {"finding_id": w.visit.findings.first().pk},
        body={"POST": {"done_on": DAY}},
    ),
    "api:action_done": Rule(
        {"POST": org_record(FIELD, edit=True)},
        args=lambda w: {"action_id": w.visit.actions.get().pk},
        body={"POST": {"done_on": DAY}},
    ),
    "api:incidents": Rule(
        {"GET": needs(REGISTER), "POST": needs(FIELD)},
        body={
            "POST": {
                "prison": "CC2",
                "occurred_on": DAY,
                "what_was_refused": "Entry",
                "refused_by": "Guard",
            }
        },
    ),
    "api:incident_summary": Rule({"GET": needs(PROGRAMME)}),
    "api:incident": Rule(
        {"GET": org_record(REGISTER), "PATCH": org_record(FIELD, edit=True)},
        args=lambda w: {"incident_id": w.incident.pk},
        body={"PATCH": {"version": 1, "response": "Access restored"}},
    ),
    "api:training": Rule(
        {"GET": needs(REGISTER), "POST": needs(FIELD)},
        body={
            "POST": {
                "audience": "judges",
                "held_on": DAY,
                "place": "Phnom Penh",
                "topics": ["bangkok_rules"],
                "participants": [{"institution": "Court", "women": 1, "men": 2}],
            }
        },
    ),
    "api:training_totals": Rule({"GET": needs(REGISTER)}),
    "api:training_session": Rule(
        {"GET": org_record(REGISTER), "PATCH": FIELD_EDIT},
        args=training,
        body={"PATCH": {"version": 1}},
    ),
    "api:training_withdrawal": Rule({"POST": FIELD_EDIT}, args=training, body={"POST": WITHDRAWAL}),
    "api:visit_withdrawal": Rule({"POST": FIELD_EDIT}, args=visit, body={"POST": WITHDRAWAL}),
    "api:incident_withdrawal": Rule({"POST": FIELD_EDIT}, args=incident, body={"POST": WITHDRAWAL}),
    "api:finding": Rule({"PATCH": FIELD_EDIT}, args=finding, body={"PATCH": {"version": 1}}),
    "api:action": Rule({"PATCH": FIELD_EDIT}, args=action, body={"PATCH": {"version": 1}}),
    "api:case_studies": Rule(
        {"GET": needs(REGISTER), "POST": needs(FIELD)},
        body={"POST": {"title_en": "Matrix", "narrative_en": "A story."}},
    ),
    "api:case_study": Rule({"GET": org_record(REGISTER)}, args=case_study),
    "api:case_study_step": Rule(
        {"POST": org_record(FIELD, edit=True)},
        args=lambda w: {"case_id": w.case_study.pk, "step": "anonymise"},
        body={"POST": {"version": 1}},
    ),
    "api:escalation_contacts": Rule(
        {"GET": needs(PROGRAMME), "POST": needs(PROGRAMME)},
        body={"POST": {"name": "Focal point", "email": "focal@un.example.org"}},
    ),
    "api:escalation_contact": Rule(
        {"DELETE": own_org_only(PROGRAMME)}, args=lambda w: {"contact_id": w.contact.pk}
    ),
    "api:imports": Rule({"POST": needs(FIELD)}, args=lambda w: {"kind": "visits"}),
    # One pushed submission; a woman named in a service form must be one the user may change
    # (a 422 for the others, tested in tests/fieldwork/test_submissions_pushed.py).
    "api:submissions": Rule(
        {"POST": needs(FIELD)},
        args=lambda w: {"kind": "visits"},
        body={"POST": {"_uuid": "matrix", "prison": "CC2", "team": "Two monitors"}},
    ),
    "api:grants": Rule(
        {"GET": needs(PROGRAMME), "POST": needs(PROGRAMME)},
        body={
            "POST": {
                "reference": "G-NEW",
                "donor": "Fund",
                "grantees": ["Women's Justice NGO"],
                "amount": "100.00",
                "starts_on": "2026-01-01",
                "ends_on": "2026-12-31",
                "purpose": "Food",
            }
        },
    ),
    "api:grant": Rule(
        {"GET": org_record(PROGRAMME), "PATCH": PROGRAMME_EDIT},
        args=grant,
        body={"PATCH": {"version": 1}},
    ),
    "api:grant_line": Rule(
        {"PATCH": PROGRAMME_EDIT}, args=grant_line, body={"PATCH": {"version": 1}}
    ),
    "api:service": Rule(
        {"GET": needs(REGISTER, "read"), "PATCH": edits_a_seen_record()},
        args=delivery,
        body={"PATCH": {"version": 1}},
    ),
    "api:service_withdrawal": Rule(
        {"POST": edits_a_seen_record()}, args=delivery, body={"POST": WITHDRAWAL}
    ),
    "api:grant_lines": Rule(
        {"POST": org_record(PROGRAMME, edit=True)},
        args=grant,
        body={"POST": {"code": "9", "name": "Hygiene", "amount": "100.00"}},
    ),
    "api:grant_report": Rule(
        {"GET": org_record(PROGRAMME)},
        args=grant,
        query={"start": "2026-01-01", "end": "2026-06-30", "format": "xlsx"},
    ),
    "api:services": Rule(
        {"GET": needs(REGISTER), "POST": needs(EDIT, "edit")},
        body={
            "POST": lambda w: {
                "woman": w.woman.reference,
                "service_type": "food_supplement",
                "delivered_on": DAY,
                "cost": "5.00",
            }
        },
    ),
    # ninja's root path: nothing is served there, for anyone.
    "api:api-root": Rule({"GET": lambda principal: NOT_FOUND, "POST": lambda principal: NOT_FOUND}),
    # Case work: notes, case workers and documents are personal records, seen and changed as
    # their woman's (a partner reads them and changes nothing: 403; an outsider: 404).
    "casework:my_cases": Rule({"GET": needs(REGISTER), "POST": needs(REGISTER)}),
    "casework:case_loads": Rule({"GET": needs(PROGRAMME), "POST": needs(PROGRAMME)}),
    "casework:woman_notes": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=woman
    ),
    "casework:child_notes": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=child
    ),
    "casework:correct_note": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()},
        args=lambda w: {"note_id": w.note.pk},
    ),
    "casework:woman_workers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=woman
    ),
    "casework:child_workers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=child
    ),
    "casework:woman_documents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=woman
    ),
    "casework:child_documents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=child
    ),
    "casework:document": Rule(
        {"GET": needs(REGISTER, "read"), "POST": refused_method()},
        args=lambda w: {"document_id": w.document.pk},
    ),
    "casework:file_dossier": Rule(
        {"GET": refused_method(), "POST": edits_a_seen_record()},
        args=lambda w: {"candidate_id": w.candidate.pk},
    ),
    "api:woman_notes": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=woman,
        body={"POST": {"noted_on": DAY, "kind": "phone", "text": "Matrix note"}},
    ),
    "api:child_notes": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=child,
        body={"POST": {"noted_on": DAY, "kind": "phone", "text": "Matrix note"}},
    ),
    # Only its author corrects a note in place; another editor's correction is refused (422).
    "api:note": Rule(
        {"PATCH": edits_a_seen_record()},
        args=lambda w: {"note_id": w.note.pk},
        body={"PATCH": {"version": 1, "text": "Matrix correction"}},
    ),
    "api:woman_workers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=woman,
        body={"POST": {"worker": "legal_officer"}},
    ),
    "api:child_workers": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=child,
        body={"POST": {"worker": "legal_officer"}},
    ),
    "api:assignment": Rule(
        {"DELETE": edits_a_seen_record()},
        args=lambda w: {"assignment_id": w.assignment.pk},
    ),
    "api:my_cases": Rule({"GET": needs(REGISTER)}),
    "api:case_loads": Rule({"GET": needs(PROGRAMME)}),
    "api:woman_documents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=woman
    ),
    "api:child_documents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=child
    ),
    "api:document": Rule(
        {"GET": needs(REGISTER, "read")}, args=lambda w: {"document_id": w.document.pk}
    ),
    # Consent and referrals: consents are seen and changed as her record; a referral is seen
    # by the two organisations it joins (see SEES_REFERRAL).
    "casework:consents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()}, args=woman
    ),
    "casework:withdraw_consent": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()},
        args=lambda w: {"consent_id": w.consent.pk},
    ),
    "casework:refer_woman": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=woman
    ),
    "casework:refer_child": Rule(
        {"GET": edits_a_seen_record(), "POST": edits_a_seen_record()}, args=child
    ),
    "casework:referrals": Rule({"GET": needs(REGISTER), "POST": refused_method()}),
    "casework:referral": Rule(
        {"GET": needs(REGISTER, "read", REFERRAL), "POST": needs(EDIT, "read", REFERRAL)},
        args=lambda w: {"referral_id": w.referral.pk},
    ),
    "api:consents": Rule(
        {"GET": needs(REGISTER, "read"), "POST": edits_a_seen_record()},
        args=woman,
        body={"POST": {"purpose": "referral", "given_by": "self", "given_on": DAY}},
    ),
    "api:withdraw_consent": Rule(
        {"POST": edits_a_seen_record()},
        args=lambda w: {"consent_id": w.consent.pk},
        body={"POST": {"version": 1}},
    ),
    "api:referrals": Rule({"GET": needs(REGISTER)}),
    "api:refer_woman": Rule(
        {"POST": edits_a_seen_record()},
        args=woman,
        body={
            "POST": lambda w: {
                "to_organisation": w.referral.to_organisation_id,
                "service": "legal_aid",
                "reason": "Matrix referral",
                "consent": w.consent.pk,
            }
        },
    ),
    "api:refer_child": Rule(
        {"POST": edits_a_seen_record()},
        args=child,
        body={
            "POST": lambda w: {
                "to_organisation": w.referral.to_organisation_id,
                "service": "health",
                "reason": "Matrix referral",
                "consent": w.consent.pk,
            }
        },
    ),
    "api:referral": Rule(
        {"GET": needs(REGISTER, "read", REFERRAL)},
        args=lambda w: {"referral_id": w.referral.pk},
    ),
    "api:answer_referral": Rule(
        {"POST": answers_referral()},
        args=lambda w: {"referral_id": w.referral.pk},
        body={"POST": {"action": "accept", "version": 1}},
    ),
}

BROWSER_METHODS = ("GET", "POST")


@dataclass(frozen=True)
class Route:
    name: str
    pattern: str
    is_api: bool
    methods: tuple[str, ...]


def _api_methods(callback: Any) -> tuple[str, ...]:
    """The methods a django-ninja path accepts, read from the PathView its view closes over;
    ninja's own views (the OpenAPI document and page) are plain views: the browser's methods."""
    if not inspect.isfunction(callback):
        return BROWSER_METHODS
    path_view = inspect.getclosurevars(callback).nonlocals.get("self")
    if path_view is None:
        return BROWSER_METHODS
    methods = {m.upper() for op in path_view.operations for m in op.methods}
    return tuple(sorted(methods))


def _walk(patterns: list[Any], prefix: str = "", namespace: str | None = None) -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            full = f"{namespace}:{name}" if namespace and name else name
            yield prefix + str(pattern.pattern), full, pattern.callback


def all_routes() -> list[Route]:
    """Every named route of the project with the methods to check, one per name (ninja
    registers a path once per operation: their methods are merged)."""
    found: dict[str, Route] = {}
    unnamed = []
    for pattern, name, callback in _walk(get_resolver().url_patterns):
        if not name:
            unnamed.append(pattern)
            continue
        is_api = pattern.startswith("api/")
        methods = _api_methods(callback) if is_api else BROWSER_METHODS
        if name in found:
            methods = tuple(sorted(set(found[name].methods) | set(methods)))
        found[name] = Route(name, pattern, is_api, methods)
    assert not unnamed, f"Routes without a name cannot be in the matrix: {unnamed}"
    return sorted(found.values(), key=lambda r: r.name)


ROUTE_LIST = all_routes()


def test_every_route_and_method_has_a_rule():
    """A new page, API path or method without a rule fails here, naming it."""
    problems = []
    for route in ROUTE_LIST:
        rule = ROUTES.get(route.name)
        if rule is None:
            problems.append(
                f"{route.name} ({route.pattern}) has no rule in ROUTES: add one "
                f"(see the module's docstring)"
            )
            continue
        if set(rule.methods) != set(route.methods):
            problems.append(
                f"{route.name}: the rule covers {sorted(rule.methods)} but the route accepts "
                f"{list(route.methods)}"
            )
    stale = set(ROUTES) - {r.name for r in ROUTE_LIST}
    problems += [f"{name} is in ROUTES but no longer a route: remove it" for name in stale]
    assert not problems, "\n".join(problems)


@pytest.fixture(autouse=True)
def _on_today(frozen_today):
    """Every test here runs on TODAY, on the root conftest's one clock."""


@pytest.fixture
def principals(users, orgs, prisons) -> dict[str, User | None]:
    made: dict[str, User | None] = {"anonymous": None}
    for role in Role:
        made[role.value] = users[role.value]
    made["partner_monitor"] = users["un_monitor"]
    made["other_monitor"] = users["other_monitor"]
    made["other_liaison"] = User.objects.create_user(
        username="other_liaison",
        organisation=orgs["ngo"],
        role=Role.PRISON_LIAISON,
        prison=prisons["KDL"],
    )
    made["other_admin"] = User.objects.create_user(
        username="other_admin", organisation=orgs["other"], role=Role.ADMINISTRATOR
    )
    return made


@pytest.fixture
def world(users, prisons, offences, criteria, settings, tmp_path) -> World:  # noqa: F811
    """The NGO's woman in CC2 (shared with partners by consent), pregnant, with a child living
    with her whose transition plan is handed over (so it has follow-ups)."""
    mother = reload(
        admit(
            users["monitor"],
            prisons["CC2"],
            admission_date=TODAY - timedelta(days=400),
            consent_scope="partners",
            # Names without digits: the formatting tests read every number on the pages.
            name="Sophea Chan",
            name_latin="Sophea Chan",
            is_pregnant=True,
            pregnancy_known_since=TODAY - timedelta(days=60),
            children=[child_in_prison(date(2023, 8, 1), name="Dara")],
        )
    )
    kid = children_of(mother)[0]
    the_plan = plan_at(users["monitor"], kid, "handed_over")
    officer = users["legal_officer"]
    case = legal_services.open_case(
        officer, mother, {"stage": "trial"}, next_hearing_on=TODAY + timedelta(days=5)
    )
    pardon_round = legal_services.create_round(
        officer,
        title="Khmer New Year",
        occasion_date=TODAY + timedelta(days=60),
        submission_deadline=TODAY + timedelta(days=30),
    )
    convicted = convicted_mother(
        users["monitor"],
        prisons["CC2"],
        offences,
        consent_scope="partners",
        name="Chantha Keo",
        name_latin="Chantha Keo",
    )
    candidate = legal_services.add_candidates(officer, pardon_round, [convicted.reference])[0]
    monitor = users["monitor"]
    visit = record_visit(monitor, prisons["CC2"])
    fieldwork_services.add_action(
        monitor,
        visit,
        description="Ask for antenatal visits",
        owner=monitor,
        due_date=TODAY + timedelta(days=10),
    )
    incident = fieldwork_services.record_incident(
        monitor,
        prison=prisons["CC2"],
        values={
            "occurred_on": TODAY - timedelta(days=3),
            "what_was_refused": "Entry",
            "refused_by": "Deputy director",
        },
        today=TODAY,
    )
    contact = fieldwork_services.add_escalation_contact(
        users["programme_manager"], name="Director", email="director@ngo.example.org"
    )
    training = fieldwork_services.record_training(
        monitor,
        fieldwork_services.TrainingRecord(
            audience="judges",
            held_on=TODAY - timedelta(days=30),
            place="Phnom Penh",
            topics=["bangkok_rules"],
            participants=[("Court of Appeal", 4, 9)],
        ),
        today=TODAY,
    )
    case_study = fieldwork_services.draft_case_study(
        monitor,
        fieldwork_services.CaseText(
            title_en="Pregnant in pretrial detention", narrative_en="A woman, pregnant."
        ),
    )
    grant = grant_services.create_grant(
        users["programme_manager"],
        grant_services.GrantValues(
            reference="G-MATRIX",
            donor="Small Grants Fund",
            amount=Decimal("16300.00"),
            currency="USD",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
            purpose="Food and legal aid",
            grantees=[users["monitor"].organisation],
        ),
    )
    grant_services.add_budget_line(
        users["programme_manager"], grant, code="1", name="Nutrition", amount=Decimal("9000")
    )
    service = deliver(monitor, mother, grant)
    settings.MEDIA_ROOT = tmp_path / "media"
    note = casework_services.add_note(
        monitor, mother, noted_on=TODAY, kind="prison_visit", text="Matrix note"
    )
    assignment = casework_services.assign(monitor, mother, users["legal_officer"])
    document = casework_services.upload_document(
        monitor,
        mother,
        casework_services.Upload(b"%PDF-1.4\n%%EOF\n", "matrix.pdf"),
        title="Matrix document",
    )
    consent = referrals.record_consent(
        monitor,
        mother,
        purpose="referral",
        given_by="parent",
        given_by_name="Matrix parent",
        given_on=TODAY - timedelta(days=1),
        child=kid,
    )
    referral = referrals.refer(
        monitor,
        mother,
        child=kid,
        to_organisation=users["other_monitor"].organisation,
        service="child_protection",
        reason="Matrix referral",
        consent=consent,
    )
    district = District.objects.create(
        province=prisons["CC2"].province, code="1201", name="Chamkar Mon", kind="section"
    )
    Commune.objects.create(district=district, code="120101", name="Tonle Basak", kind="quarter")
    the_plan.refresh_from_db()
    return World(
        caregiver=the_plan.caregiver,
        assessment=the_plan.assessments.get(),
        consent=consent,
        referral=referral,
        note=note,
        assignment=assignment,
        document=document,
        visit=visit,
        incident=incident,
        contact=contact,
        training=training,
        case_study=case_study,
        grant=grant,
        delivery=service,
        case=case,
        pardon_round=pardon_round,
        candidate=candidate,
        woman=mother,
        child=kid,
        plan=the_plan,
        follow_up=the_plan.follow_ups.order_by("due_date").first(),
        pregnancy=mother.pregnancies.get(outcome=""),
        admin_target=users["viewer"],
        agreement=SharingAgreement.objects.get(sharer=users["monitor"].organisation),
    )


def outcome_of(response: Any, is_api: bool) -> str:
    status = response.status_code
    if status >= 500:
        return f"server error {status}"
    if status in (403, 404, 405):
        return str(status)
    if is_api and status == 401:
        return LOGIN
    if status == 302 and response.url.startswith(reverse("login") + "?next="):
        return LOGIN
    if status < 400 or (is_api and status in (409, 422)):
        return ALLOW
    return f"unexpected {status}"


def call(client: Client, route: Route, method: str, rule: Rule, world: World) -> Any:
    url = reverse(route.name, kwargs=rule.args(world))
    if route.is_api and method != "GET":
        body = rule.body.get(method, {})
        return client.generic(
            method,
            url,
            data=json.dumps(body(world) if callable(body) else body),
            content_type="application/json",
        )
    if method == "GET":
        return client.get(url, rule.query)
    return client.generic(method, url, data=b"", content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("route", ROUTE_LIST, ids=lambda r: r.name)
def test_route_answers_each_principal_as_the_table_says(route, principals, world):
    rule = ROUTES.get(route.name)
    if rule is None:
        pytest.fail(f"{route.name} ({route.pattern}) has no rule in ROUTES")
    mismatches = []
    for method in route.methods:
        expect = rule.methods[method]
        for principal in PRINCIPALS:
            client = Client()
            # Each request in a savepoint rolled back: a change one role makes (a release,
            # a transfer) does not change what the next role is checked against.
            with transaction.atomic():
                user = principals[principal]
                if user is not None:
                    client.force_login(user)
                response = call(client, route, method, rule, world)
                transaction.set_rollback(True)
            got = outcome_of(response, route.is_api)
            wanted = expect(principal)
            if got != wanted:
                mismatches.append(f"{method} as {principal}: expected {wanted}, got {got}")
    assert not mismatches, f"{route.name} ({route.pattern}):\n" + "\n".join(mismatches)
