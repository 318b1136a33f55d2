"""Recording visits, findings, follow-up actions and access incidents: what is written,
what is refused, and who may do it."""

from __future__ import annotations

from datetime import timedelta

import pydantic
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from motherline.accounts.models import AuditAction, AuditEvent
from motherline.core.versions import StaleVersion
from motherline.fieldwork import services
from motherline.fieldwork.models import (
    AccessIncident,
    EscalationContact,
    Finding,
    FollowUpAction,
    PrisonVisit,
)
from tests.conftest import TODAY
from tests.factories import admit
from tests.fieldwork.conftest import VISITED, record


def test_record_visit_writes_findings_women_and_audit(users, prisons):
    monitor = users["monitor"]
    woman = admit(monitor, prisons["CC2"])
    visit = record(monitor, prisons["CC2"], women=[woman])
    assert visit.organisation_id == monitor.organisation_id
    assert (visit.women_seen, visit.pregnant_seen, visit.children_seen) == (12, 2, 4)
    assert sorted(visit.findings.values_list("topic", flat=True)) == [
        "antenatal_care",
        "food_and_water",
    ]
    assert list(visit.women.all()) == [woman]
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="fieldwork.PrisonVisit")
    assert event.changes["women"] == [woman.reference]
    assert event.changes["findings"] == ["antenatal_care", "food_and_water"]
    # Free text never enters the audit trail.
    assert "rationed" not in str(event.changes)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"visit_date": TODAY + timedelta(days=1)}, "visit_date"),
        ({"pregnant_seen": 13}, "pregnant_seen"),
        ({"access": "refused"}, "access"),
        ({"team": "  "}, "team"),
        ({"prison": "KH-NOWHERE"}, "prison"),
        ({"women": ["W-NOTAWOMAN"]}, "women"),
    ],
)
def test_record_visit_refusals(users, prisons, fields, field):
    with pytest.raises(ValidationError) as error:
        record(users["monitor"], **{"prison": prisons["CC2"], **fields})
    assert field in error.value.message_dict
    assert not PrisonVisit.objects.exists()


def test_a_topic_the_visit_does_not_know_is_refused_by_its_declaration(users, prisons):
    # The page offers only the pack's topics; the API and an import are checked by the same
    # schema before the service is reached.
    with pytest.raises(pydantic.ValidationError) as error:
        record(users["monitor"], prisons["CC2"], findings={"weather": "hot"})
    assert error.value.errors()[0]["loc"] == ("findings", "weather", "[key]")
    assert not PrisonVisit.objects.exists()


def test_refused_visit_with_nobody_seen_is_recorded(users, prisons):
    visit = record(
        users["monitor"],
        prisons["CC2"],
        access="refused",
        women_seen=0,
        pregnant_seen=0,
        children_seen=0,
        findings={},
    )
    assert visit.access == "refused" and not visit.findings.exists()


@pytest.mark.parametrize("who", ["analyst", "viewer", "prison_liaison"])
def test_roles_without_field_work_may_not_record(users, prisons, who):
    with pytest.raises(PermissionDenied):
        record(users[who], prisons["CC2"])
    assert not PrisonVisit.objects.exists()


def test_action_owner_must_belong_to_the_visit_organisation(users, visit):
    with pytest.raises(ValidationError) as error:
        services.add_action(
            users["monitor"],
            visit,
            description="Ask the director for a water tank",
            owner=users["un_monitor"],
            due_date=TODAY,
        )
    assert "owner" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.add_action(
            users["monitor"],
            visit,
            description="x",
            owner=users["monitor"],
            due_date=VISITED - timedelta(days=1),
        )
    assert "due_date" in error.value.message_dict
    assert not FollowUpAction.objects.exists()


def test_action_done_once_then_conflict(users, visit):
    action = services.add_action(
        users["monitor"],
        visit,
        description="Ask the director for a water tank",
        owner=users["legal_officer"],
        due_date=TODAY - timedelta(days=2),
        finding=visit.findings.get(topic="food_and_water"),
    )
    done = services.complete_action(users["monitor"], action, TODAY, today=TODAY)
    assert (done.status, done.done_on) == ("done", TODAY)
    with pytest.raises(StaleVersion):
        services.complete_action(users["monitor"], action, TODAY, today=TODAY)


def test_partner_may_see_but_not_change_a_visit(users, visit):
    assert PrisonVisit.objects.visible_to(users["un_monitor"]).filter(pk=visit.pk).exists()
    with pytest.raises(PermissionDenied):
        services.add_finding(users["un_monitor"], visit, "treatment", "Shackled in hospital")
    assert not PrisonVisit.objects.visible_to(users["other_monitor"]).exists()
    assert not PrisonVisit.objects.visible_to(users["prison_liaison"]).exists()
    assert not PrisonVisit.objects.visible_to(users["analyst"]).exists()


def test_resolve_finding(users, visit):
    finding = visit.findings.get(topic="antenatal_care")
    with pytest.raises(ValidationError):
        services.resolve_finding(
            users["monitor"], finding, VISITED - timedelta(days=1), today=TODAY
        )
    services.resolve_finding(users["monitor"], finding, TODAY, today=TODAY)
    assert Finding.objects.get(pk=finding.pk).resolved_on == TODAY


# Access incidents

INCIDENT = {
    "occurred_on": VISITED,
    "what_was_refused": "Entry to the women's building",
    "refused_by": "Deputy director",
}


def test_incident_from_a_visit_notifies_escalation_contacts(
    users, orgs, prisons, django_capture_on_commit_callbacks
):
    visit = record(
        users["monitor"],
        prisons["CC2"],
        access="refused",
        women_seen=0,
        pregnant_seen=0,
        children_seen=0,
        findings={},
    )
    EscalationContact.objects.create(
        organisation=orgs["ngo"], name="UN focal point", email="focal@un.example.org"
    )
    EscalationContact.objects.create(
        organisation=orgs["ngo"], name="Director", email="director@ngo.example.org"
    )
    EscalationContact.objects.create(
        organisation=orgs["other"], name="Elsewhere", email="x@other.example.org"
    )
    with django_capture_on_commit_callbacks(execute=True):
        incident = services.record_incident(
            users["monitor"],
            prison=prisons["CC2"],
            values=dict(INCIDENT),
            visit=visit,
            today=TODAY,
        )
    assert incident.visit == visit and incident.is_open
    assert sorted(m.to[0] for m in mail.outbox) == [
        "director@ngo.example.org",
        "focal@un.example.org",
    ]
    assert incident.reference in mail.outbox[0].body
    assert "Correctional Centre 2" in mail.outbox[0].subject


def test_incident_refusals(users, prisons, visit):
    with pytest.raises(ValidationError) as error:
        services.record_incident(
            users["monitor"],
            prison=prisons["CC2"],
            values={**INCIDENT, "restored_on": VISITED - timedelta(days=1), "refused_by": ""},
            today=TODAY,
        )
    assert {"restored_on", "refused_by"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        services.record_incident(
            users["monitor"], prison=prisons["KDL"], values=dict(INCIDENT), visit=visit, today=TODAY
        )
    assert "prison" in error.value.message_dict
    assert not AccessIncident.objects.exists()


def test_update_incident_with_version(users, prisons):
    incident = services.record_incident(
        users["monitor"], prison=prisons["CC2"], values=dict(INCIDENT), today=TODAY
    )
    updated = services.update_incident(
        users["legal_officer"],
        incident,
        {"escalated_to": "UN human rights office", "escalated_on": VISITED, "restored_on": TODAY},
        version=1,
        today=TODAY,
    )
    assert (updated.version, updated.restored_on) == (2, TODAY)
    with pytest.raises(StaleVersion):
        services.update_incident(users["monitor"], incident, {"response": "late"}, version=1)
    with pytest.raises(ValidationError) as error:
        services.update_incident(
            users["monitor"],
            incident,
            {"escalated_on": VISITED, "escalated_to": ""},
            version=2,
            today=TODAY,
        )
    assert "escalated_to" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.update_incident(users["un_monitor"], incident, {"response": "x"}, version=2)
