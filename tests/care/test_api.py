"""The transition-plan API: the same services and access policy as the pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.care.models import LeaveExtension, TransitionPlan
from motherline.jurisdictions.models import AgeLimitRule
from motherline.people.models import PlacementKind
from tests.care.conftest import CAREGIVER, advance, open_plan, plan_at
from tests.conftest import TODAY


class Api:
    def __init__(self, client, user):
        self.client = client
        client.force_login(user)

    def get(self, path):
        return self.client.get(f"/api/v1{path}")

    def post(self, path, body=None):
        return self.client.post(f"/api/v1{path}", body or {}, content_type="application/json")

    def patch(self, path, body):
        return self.client.patch(f"/api/v1{path}", body, content_type="application/json")


@pytest.fixture
def api(client, monitor):
    return Api(client, monitor)


def test_get_child_explains_the_leave_by_date(api, child, mother):
    response = api.get(f"/children/{child.reference}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == child.reference
    assert body["mother"] == mother.reference
    assert body["is_in_prison"] is True
    assert body["current_placement"]["kind"] == "in_prison"
    leave_by = body["leave_by"]
    assert leave_by["date"] == leave_by["base_date"] == "2026-08-01"
    assert leave_by["days_left"] == 47 and leave_by["is_past"] is False
    assert leave_by["rule"]["max_age_months"] == 36
    assert leave_by["rule"]["effective_from"] == "2011-11-14"
    assert leave_by["rule"]["verified"] is False
    assert body["plan"] is None and body["extensions"] == []
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.object_ref == child.reference


def test_open_then_walk_a_plan(api, users, child):
    response = api.post(f"/children/{child.reference}/plan")
    assert response.status_code == 201
    plan = response.json()
    assert (plan["status"], plan["due_date"], plan["next_step"]) == (
        "open",
        "2026-08-01",
        "caregiver_identified",
    )
    pid = plan["id"]
    response = api.post(
        f"/plans/{pid}/advance", {"status": "caregiver_identified", "version": plan["version"]}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {
        "caregiver_name",
        "caregiver_relationship",
        "caregiver_location",
    }
    plan = api.post(
        f"/plans/{pid}/advance",
        {"status": "caregiver_identified", "version": plan["version"], **CAREGIVER},
    ).json()
    plan = api.post(
        f"/plans/{pid}/advance",
        {
            "status": "assessed",
            "version": plan["version"],
            "assessed_on": TODAY.isoformat(),
            "home_is_suitable": True,
        },
    ).json()
    handover = {
        "status": "handed_over",
        "version": plan["version"],
        "handed_over_on": TODAY.isoformat(),
    }
    # No approved best-interests assessment yet: the hand-over is refused, saying why.
    response = api.post(f"/plans/{pid}/advance", handover)
    assert response.status_code == 422
    assert "approved by a programme manager" in response.json()["errors"]["__all__"][0]
    caregiver = api.post(
        f"/children/{child.reference}/caregivers",
        {"name": "Grandmother Chea", "relationship": "grandparent", "phone": "012 345 678"},
    ).json()
    assessment = api.post(
        f"/plans/{pid}/assessments",
        {
            "caregiver": caregiver["id"],
            "assessed_on": TODAY.isoformat(),
            "answers": {},
            "recommendation": "hand_over",
        },
    ).json()
    assert assessment["status"] == "recorded"
    manager = Api(Client(), users["programme_manager"])
    decided = manager.post(
        f"/assessments/{assessment['id']}/decision",
        {"approve": True, "version": assessment["version"]},
    )
    assert decided.status_code == 200 and decided.json()["allows_handover"] is True
    response = api.post(f"/plans/{pid}/advance", handover)
    assert response.status_code == 200
    plan = response.json()
    assert plan["caregiver"] == caregiver["id"]
    assert plan["status"] == "handed_over"
    assert [f["due_date"] for f in plan["follow_ups"]] == [
        "2026-07-15",
        "2026-09-15",
        "2026-12-15",
    ]
    assert child.placements.get(end_date__isnull=True).kind == PlacementKind.WITH_CAREGIVER
    version = plan["version"]
    for follow_up in plan["follow_ups"]:
        # A follow-up is part of the plan: each one recorded is a new version of the plan.
        body = {
            "done_on": TODAY.isoformat(),
            "outcome": "well",
            "child_situation": "with_caregiver",
            "caregiver_seen": caregiver["id"],
            "version": version,
        }
        response = api.post(f"/follow-ups/{follow_up['id']}", body)
        assert response.status_code == 200
        assert response.json()["outcome"] == "well"
        assert response.json()["caregiver_seen"] == caregiver["id"]
        assert api.post(f"/follow-ups/{follow_up['id']}", body).status_code == 409
        version += 1
    plan = api.get(f"/children/{child.reference}/plan").json()
    plan = api.post(
        f"/plans/{pid}/advance", {"status": "followed_up", "version": plan["version"]}
    ).json()
    response = api.post(
        f"/plans/{pid}/advance",
        {"status": "closed", "version": plan["version"], "close_reason": "completed"},
    )
    assert response.json()["status"] == "closed"
    assert response.json()["closed_on"] == TODAY.isoformat()


def test_get_plan_when_there_is_none(api, child):
    assert api.get(f"/children/{child.reference}/plan").status_code == 404


def test_patch_with_a_stale_version_is_a_conflict(api, monitor, child):
    plan = plan_at(monitor, child, "caregiver_identified")
    response = api.patch(f"/plans/{plan.pk}", {"version": plan.version, "support_money": True})
    assert response.status_code == 200
    assert response.json()["support_money"] is True
    response = api.patch(f"/plans/{plan.pk}", {"version": plan.version, "support_health": True})
    assert response.status_code == 409
    assert not TransitionPlan.objects.get(pk=plan.pk).support_health


def test_closed_plan_is_not_patched_until_reopened(api, monitor, child):
    plan = advance(monitor, open_plan(monitor, child), "closed", close_reason="not_needed")
    response = api.patch(f"/plans/{plan.pk}", {"version": plan.version, "support_money": True})
    assert response.status_code == 422
    assert "reopen it" in response.json()["errors"]["__all__"][0]
    body = {"reason": "Not released after all", "version": plan.version}
    response = api.post(f"/plans/{plan.pk}/reopen", body)
    assert response.status_code == 200
    assert response.json()["status"] == "open"
    assert api.post(f"/plans/{plan.pk}/reopen", {"reason": "", "version": 1}).status_code == 422
    assert api.post(f"/plans/{plan.pk}/reopen", {"reason": "Again"}).status_code == 422


def test_skipping_a_step_is_refused(api, monitor, child):
    plan = open_plan(monitor, child)
    response = api.post(
        f"/plans/{plan.pk}/advance",
        {"status": "handed_over", "version": plan.version, "handed_over_on": TODAY.isoformat()},
    )
    assert response.status_code == 422
    assert "status" in response.json()["errors"]


def test_extensions(api, jurisdiction, child):
    body = {"months": 3, "reason": "Ill", "approved_by": "Director", "approved_on": str(TODAY)}
    response = api.post(f"/children/{child.reference}/extensions", body)
    assert response.status_code == 422
    assert "does not allow" in response.json()["errors"]["months"][0]
    AgeLimitRule.objects.filter(jurisdiction=jurisdiction).update(
        extension_allowed=True, max_extension_months=6
    )
    response = api.post(f"/children/{child.reference}/extensions", body)
    assert response.status_code == 201
    leave_by = response.json()["leave_by"]
    assert (leave_by["date"], leave_by["extension_months"]) == ("2026-11-01", 3)
    assert response.json()["extensions"][0]["approved_by"] == "Director"
    assert LeaveExtension.objects.count() == 1


def test_follow_up_in_the_future_is_refused(api, monitor, child):
    plan = plan_at(monitor, child, "handed_over")
    follow_up = plan.follow_ups.first()
    response = api.post(
        f"/follow-ups/{follow_up.pk}",
        {
            "done_on": str(TODAY + timedelta(days=1)),
            "outcome": "well",
            "child_situation": "with_caregiver",
            "version": plan.version,
        },
    )
    assert response.status_code == 422
    assert "done_on" in response.json()["errors"]


@pytest.mark.parametrize(("who", "status"), [("other_monitor", 404), ("un_monitor", 404)])
def test_others_cannot_see_or_change(client, users, monitor, child, who, status):
    plan = plan_at(monitor, child, "handed_over")
    api = Api(client, users[who])
    assert api.get(f"/children/{child.reference}").status_code == status
    assert api.post(f"/children/{child.reference}/plan").status_code == status
    assert api.patch(f"/plans/{plan.pk}", {"version": plan.version}).status_code == status
    follow_up = plan.follow_ups.first()
    body = {
        "done_on": str(TODAY),
        "outcome": "well",
        "child_situation": "with_caregiver",
        "version": plan.version,
    }
    response = api.post(f"/follow-ups/{follow_up.pk}", body)
    assert response.status_code == status


def test_readers_may_read_but_not_change(client, users, monitor, child):
    plan = open_plan(monitor, child)
    api = Api(client, users["programme_manager"])
    assert api.get(f"/children/{child.reference}/plan").json()["id"] == plan.pk
    response = api.post(f"/plans/{plan.pk}/advance", {"status": "closed", "version": 1})
    assert response.status_code == 403
    api = Api(client, users["analyst"])
    assert api.get(f"/children/{child.reference}").status_code == 403
