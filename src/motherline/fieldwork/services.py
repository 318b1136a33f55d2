"""Every change to field-work records goes through here: the web pages and the API call
these functions, which check access with `accounts.policy`, validate with
`fieldwork.rules`, write in one transaction and append to the audit trail (free text is
named as a changed field, never copied there).

Errors are `ValidationError` with a dict of field -> messages; a change made on a stale
version raises `core.versions.StaleVersion`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import Capability, can, may_edit, organisation_id_of
from motherline.core import clock
from motherline.core.changes import only, plain, raise_errors
from motherline.core.versions import StaleVersion, check_version, locked_or_refused, save_if_current
from motherline.fieldwork import rules
from motherline.fieldwork.actions import (
    ACTION_CORRECTABLE,
    FINDING_CORRECTABLE,
    TRAINING_CORRECTABLE,
    VISIT_CORRECTABLE,
    ActionIn,
    IncidentIn,
    RecordVisit,
    StepIn,
)
from motherline.fieldwork.models import (
    AccessIncident,
    ActionStatus,
    CaseStatus,
    CaseStudy,
    ConsentUse,
    EscalationContact,
    Finding,
    FollowUpAction,
    Participants,
    PrisonVisit,
    TrainingSession,
)
from motherline.people.models import Woman
from motherline.people.rules import Errors
from motherline.places.models import Prison
from motherline.records.correction import correct
from motherline.records.withdrawal import refuse_if_withdrawn, withdraw

VISIT_COUNTS = ("women_seen", "pregnant_seen", "children_seen")
INCIDENT_UPDATABLE = frozenset({"escalated_to", "escalated_on", "response", "restored_on"})


def _require(user: User) -> None:
    if not can(user, Capability.RECORD_FIELDWORK):
        raise PermissionDenied(_("Your role may not record field work."))


def _editable_visit(user: User, visit: PrisonVisit) -> PrisonVisit:
    """The visit locked for a change by its organisation; a withdrawn visit (and so its
    findings and actions) is no longer changed."""
    current = _locked_visit(user, visit)
    refuse_if_withdrawn(current)
    return current


def _locked_visit(user: User, visit: PrisonVisit) -> PrisonVisit:
    _require(user)
    refusal = _("Only the organisation that made the visit changes it.")
    return locked_or_refused(PrisonVisit.objects.editable_by(user), visit.pk, refusal)


def _locked_incident(user: User, incident: AccessIncident) -> AccessIncident:
    refusal = _("Only the organisation that recorded it changes it.")
    return locked_or_refused(AccessIncident.objects.editable_by(user), incident.pk, refusal)


def _prison_named(user: User, code: str) -> Prison | None:
    """The prison of the user's jurisdiction that a visit or an incident names by code."""
    return Prison.objects.filter(
        code=code, province__jurisdiction__organisations=user.organisation_id
    ).first()


@transaction.atomic
def record_visit(
    user: User, visit: RecordVisit, *, today: date | None = None, request: HttpRequest | None = None
) -> PrisonVisit:
    """Record a visit of the user's organisation with its findings by topic and the women
    seen (named by the references she may see)."""
    _require(user)
    errors = rules.visit_errors(
        visit_date=visit.visit_date,
        access=visit.access,
        women_seen=visit.women_seen,
        pregnant_seen=visit.pregnant_seen,
        children_seen=visit.children_seen,
        today=clock.today(today),
    )
    team = visit.team.strip()
    if not team:
        errors["team"] = _("Name who went, by role.")
    prison = _prison_named(user, visit.prison)
    if prison is None:
        errors["prison"] = _("No prison has this code.")
    women = list(Woman.objects.visible_to(user).filter(reference__in=visit.women))
    missing = sorted(set(visit.women) - {w.reference for w in women})
    if missing:
        errors["women"] = _("No woman you may see has these references: %(refs)s") % {
            "refs": ", ".join(missing)
        }
    findings = {str(t): text.strip() for t, text in visit.findings.items() if text.strip()}
    raise_errors(errors)
    assert prison is not None  # refused above otherwise
    record = PrisonVisit.objects.create(
        organisation_id=organisation_id_of(user),
        prison=prison,
        visit_date=visit.visit_date,
        team=team,
        access=visit.access,
        women_seen=visit.women_seen,
        pregnant_seen=visit.pregnant_seen,
        children_seen=visit.children_seen,
        notes=visit.notes.strip(),
        created_by=user,
    )
    Finding.objects.bulk_create(
        Finding(visit=record, topic=topic, description=text) for topic, text in findings.items()
    )
    if women:
        record.women.set(women)
    audit.record(
        user,
        AuditAction.CREATE,
        record,
        changes={
            "prison": visit.prison,
            "visit_date": visit.visit_date.isoformat(),
            "access": str(visit.access),
            "counts": [getattr(visit, name) for name in VISIT_COUNTS],
            "findings": sorted(findings),
            "women": sorted(w.reference for w in women),
        },
        request=request,
    )
    return record


@transaction.atomic
def correct_visit(
    user: User,
    visit: PrisonVisit,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> PrisonVisit:
    """Correct a visit's details (`actions.VISIT_CORRECTABLE`): only the fields given change,
    from the version the user read; the visit's checks apply to the corrected whole. The
    audit row names the fields changed and keeps the old and new values of the counts, the
    date and the access (free text is named, never copied)."""
    current = _editable_visit(user, visit)

    def errors_of(merged: dict[str, Any]) -> Errors:
        errors = rules.visit_errors(
            visit_date=merged["visit_date"],
            access=merged["access"],
            women_seen=merged["women_seen"],
            pregnant_seen=merged["pregnant_seen"],
            children_seen=merged["children_seen"],
            today=clock.today(today),
        )
        if not merged["team"]:
            errors["team"] = _("Name who went, by role.")
        return errors

    return correct(
        user,
        current,
        changes,
        allowed=VISIT_CORRECTABLE,
        version=version,
        errors_of=errors_of,
        shown=("visit_date", "access", *VISIT_COUNTS),
        request=request,
    )


@transaction.atomic
def withdraw_visit(
    user: User, visit: PrisonVisit, *, version: int, reason: str, request: HttpRequest | None = None
) -> PrisonVisit:
    """Withdraw a visit entered twice: it leaves the lists, the prison's open findings and
    the worklist (its actions), and stays readable on its own page."""
    current = _locked_visit(user, visit)
    return withdraw(user, current, version=version, reason=reason, request=request)


@transaction.atomic
def correct_finding(
    user: User,
    finding: Finding,
    changes: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> Finding:
    """Correct a finding's topic or what was found (`actions.FINDING_CORRECTABLE`), from
    the version read. The audit row is the finding's: the topic's old and new value, the
    text named only."""
    _editable_visit(user, finding.visit)
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    return correct(
        user,
        current,
        changes,
        allowed=FINDING_CORRECTABLE,
        version=version,
        errors_of=lambda merged: rules.finding_errors(merged["topic"], merged["description"]),
        shown=("topic",),
        request=request,
    )


def _username_or_plain(value: Any) -> Any:
    """An action's owner as the audit trail names them: by user name."""
    return value.username if isinstance(value, User) else plain(value)


@transaction.atomic
def correct_action(
    user: User,
    action: FollowUpAction,
    changes: dict[str, Any],
    *,
    version: int,
    request: HttpRequest | None = None,
) -> FollowUpAction:
    """Correct a follow-up action's description, owner (a user name), due date or finding
    (`actions.ACTION_CORRECTABLE`), from the version read. The owner is someone of the
    visit's organisation, the finding one of the visit's, the due date not before it."""
    visit = _editable_visit(user, action.visit)
    current = FollowUpAction.objects.select_for_update().select_related("owner").get(pk=action.pk)
    changes = only(changes, ACTION_CORRECTABLE)
    not_found: Errors = {}
    if "owner" in changes:
        changes["owner"] = owners_for(visit).filter(username=changes["owner"]).first()
        if changes["owner"] is None:
            not_found["owner"] = _("Choose someone of the organisation that made the visit.")

    def errors_of(merged: dict[str, Any]) -> Errors:
        errors = rules.action_errors(
            description=merged["description"],
            due_date=merged["due_date"],
            visit_date=visit.visit_date,
        )
        errors.update(not_found)
        if (
            changes.get("finding_id") is not None
            and not visit.findings.filter(pk=changes["finding_id"]).exists()
        ):
            errors["finding_id"] = _("This finding belongs to another visit.")
        return errors

    return correct(
        user,
        current,
        changes,
        allowed=ACTION_CORRECTABLE,
        version=version,
        errors_of=errors_of,
        shown=("due_date", "owner", "finding_id"),
        show=_username_or_plain,
        read=FollowUpAction.objects.select_related("owner"),
        request=request,
    )


@transaction.atomic
def add_finding(
    user: User,
    visit: PrisonVisit,
    topic: str,
    description: str,
    *,
    request: HttpRequest | None = None,
) -> Finding:
    visit = _editable_visit(user, visit)
    raise_errors(rules.finding_errors(topic, description))
    finding = Finding.objects.create(visit=visit, topic=topic, description=description.strip())
    audit.record(user, AuditAction.CHANGE, visit, changes={"finding_added": topic}, request=request)
    return finding


@transaction.atomic
def resolve_finding(
    user: User,
    finding: Finding,
    resolved_on: date,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> Finding:
    visit = _editable_visit(user, finding.visit)
    raise_errors(
        {
            k.replace("done_on", "resolved_on"): v
            for k, v in rules.done_errors(resolved_on, visit.visit_date, clock.today(today)).items()
        }
    )
    updated = Finding.objects.filter(pk=finding.pk, resolved_on__isnull=True).update(
        resolved_on=resolved_on
    )
    if not updated:
        raise StaleVersion()
    audit.record(
        user,
        AuditAction.CHANGE,
        visit,
        changes={"finding_resolved": finding.pk, "resolved_on": resolved_on.isoformat()},
        request=request,
    )
    return Finding.objects.get(pk=finding.pk)


def owners_for(visit: PrisonVisit) -> QuerySet[User]:
    """Who may own a follow-up action: active users of the visit's organisation."""
    return User.objects.filter(organisation_id=visit.organisation_id, is_active=True).order_by(
        "username"
    )


@transaction.atomic
def add_action(
    user: User,
    visit: PrisonVisit,
    *,
    description: str,
    owner: User | None,
    due_date: date | None,
    finding: Finding | None = None,
    request: HttpRequest | None = None,
) -> FollowUpAction:
    """A follow-up action of a visit, owned by a user of the visit's organisation."""
    visit = _editable_visit(user, visit)
    errors = rules.action_errors(
        description=description, due_date=due_date, visit_date=visit.visit_date
    )
    if owner is None or not owners_for(visit).filter(pk=owner.pk).exists():
        errors["owner"] = _("Choose someone of the organisation that made the visit.")
    if finding is not None and finding.visit_id != visit.pk:
        errors["finding_id"] = _("This finding belongs to another visit.")
    raise_errors(errors)
    assert owner is not None and due_date is not None
    action = FollowUpAction.objects.create(
        visit=visit,
        finding=finding,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    audit.record(
        user,
        AuditAction.CREATE,
        action,
        changes={
            "visit": visit.reference,
            "owner": owner.username,
            "due_date": due_date.isoformat(),
        },
        request=request,
    )
    return action


def add_named_action(
    user: User, visit: PrisonVisit, action: ActionIn, *, request: HttpRequest | None = None
) -> FollowUpAction:
    """`add_action` as the page and the API name its records (`actions.ActionIn`): the owner
    by user name among the visit's organisation, the finding by id among the visit's; either
    not found is refused on its field."""
    owner = owners_for(visit).filter(username=action.owner).first()
    finding = None
    if action.finding_id is not None:
        finding = visit.findings.filter(pk=action.finding_id).first()
        if finding is None:
            raise_errors({"finding_id": _("This finding belongs to another visit.")})
    return add_action(
        user,
        visit,
        description=action.description,
        owner=owner,
        due_date=action.due_date,
        finding=finding,
        request=request,
    )


@transaction.atomic
def complete_action(
    user: User,
    action: FollowUpAction,
    done_on: date | None,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> FollowUpAction:
    """Mark an open follow-up action done; an action already done is a conflict."""
    visit = _editable_visit(user, action.visit)
    raise_errors(rules.done_errors(done_on, visit.visit_date, clock.today(today)))
    updated = FollowUpAction.objects.filter(pk=action.pk, status=ActionStatus.OPEN).update(
        status=ActionStatus.DONE, done_on=done_on
    )
    if not updated:
        raise StaleVersion()
    assert done_on is not None
    audit.record(
        user,
        AuditAction.CHANGE,
        action,
        changes={"status": ["open", "done"], "done_on": done_on.isoformat()},
        request=request,
    )
    return FollowUpAction.objects.get(pk=action.pk)


# Access incidents


def _incident_errors(values: dict[str, Any], today: date) -> Errors:
    return rules.incident_errors(
        occurred_on=values.get("occurred_on"),
        escalated_on=values.get("escalated_on"),
        restored_on=values.get("restored_on"),
        escalated_to=values.get("escalated_to", ""),
        what_was_refused=values.get("what_was_refused", ""),
        today=today,
    )


@transaction.atomic
def record_incident(
    user: User,
    *,
    prison: Prison,
    values: dict[str, Any],
    visit: PrisonVisit | None = None,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> AccessIncident:
    """Record a refusal or restriction of access, alone or from a visit of the user's
    organisation, and tell the organisation's escalation contacts once it is saved."""
    _require(user)
    if visit is not None:
        visit = _editable_visit(user, visit)
        if visit.prison_id != prison.pk:
            raise_errors({"prison": _("The visit was to another prison.")})
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    errors = _incident_errors(values, clock.today(today))
    if not values.get("refused_by"):
        errors["refused_by"] = _("Say who refused, by position.")
    raise_errors(errors)
    incident = AccessIncident.objects.create(
        organisation_id=organisation_id_of(user),
        prison=prison,
        visit=visit,
        created_by=user,
        **values,
    )
    audit.record(
        user,
        AuditAction.CREATE,
        incident,
        changes={
            "prison": prison.code,
            "occurred_on": incident.occurred_on.isoformat(),
            "visit": visit.reference if visit else "",
            "fields": sorted(k for k, v in values.items() if v not in ("", None)),
        },
        request=request,
    )
    transaction.on_commit(lambda: notify_escalation(incident.pk))
    return incident


def record_named_incident(
    user: User,
    incident: IncidentIn,
    *,
    visit: PrisonVisit | None = None,
    request: HttpRequest | None = None,
) -> AccessIncident:
    """`record_incident` as the page and the API name its prison (`actions.IncidentIn`): by
    code, among the prisons of the user's jurisdiction; another code is refused on `prison`.
    `visit` is the visit `visit_id` names, found by the caller within its scope."""
    prison = _prison_named(user, incident.prison)
    if prison is None:
        raise_errors({"prison": _("No prison has this code.")})
    assert prison is not None
    return record_incident(
        user,
        prison=prison,
        values=incident.model_dump(exclude={"prison", "visit_id"}),
        visit=visit,
        request=request,
    )


@transaction.atomic
def update_incident(
    user: User,
    incident: AccessIncident,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> AccessIncident:
    """Record the escalation, the response and the day access was restored."""
    _require(user)
    changes = only(changes, INCIDENT_UPDATABLE, "changed")
    current = _locked_incident(user, incident)
    check_version(version, current.version)
    refuse_if_withdrawn(current)
    merged = {
        name: getattr(current, name)
        for name in ("occurred_on", "what_was_refused", *INCIDENT_UPDATABLE)
    }
    merged.update(changes)
    raise_errors(_incident_errors(merged, clock.today(today)))
    save_if_current(AccessIncident, current.pk, version, changes)
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        changes={
            "fields": sorted(changes),
            "values": {
                k: v.isoformat() if isinstance(v, date) else None
                for k, v in changes.items()
                if k in ("escalated_on", "restored_on")
            },
        },
        request=request,
    )
    return AccessIncident.objects.select_related("prison").get(pk=current.pk)


@transaction.atomic
def withdraw_incident(
    user: User,
    incident: AccessIncident,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> AccessIncident:
    """Withdraw an incident entered twice: it leaves the lists and the programme manager's
    figures, and stays readable on its own page."""
    _require(user)
    current = _locked_incident(user, incident)
    return withdraw(
        user,
        current,
        version=version,
        reason=reason,
        read=AccessIncident.objects.select_related("prison"),
        request=request,
    )


def compose_incident_mail(incident: AccessIncident) -> tuple[str, str]:
    """Subject and plain-text body telling an escalation contact of a new incident. It
    names the prison and the incident's reference, never a person in custody."""
    subject = _("Motherline: access refused at %(prison)s on %(date)s") % {
        "prison": incident.prison.display_name,
        "date": incident.occurred_on.isoformat(),
    }
    lines = [
        _("%(organisation)s recorded an access incident (%(reference)s).")
        % {"organisation": incident.organisation.display_name, "reference": incident.reference},
        "",
        _("Prison: %(prison)s") % {"prison": incident.prison.display_name},
        _("Date: %(date)s") % {"date": incident.occurred_on.isoformat()},
        _("Refused by: %(who)s") % {"who": incident.refused_by},
        _("What was refused: %(what)s") % {"what": incident.what_was_refused},
        "",
        reverse("fieldwork:incident", args=[incident.pk]),
    ]
    return subject, "\n".join(lines)


def notify_escalation(incident_id: int) -> int:
    """E-mail the organisation's escalation contacts about a new incident, in the site's
    language like the worklist alerts; returns how many were sent."""
    incident = AccessIncident.objects.select_related("prison", "organisation").get(pk=incident_id)
    recipients = list(
        EscalationContact.objects.filter(organisation_id=incident.organisation_id).values_list(
            "email", flat=True
        )
    )
    if not recipients:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = compose_incident_mail(incident)
    # One message per contact: contacts of one organisation do not see each other's address.
    return send_mass_mail(
        [(subject, body, settings.DEFAULT_FROM_EMAIL, [email]) for email in recipients],
        fail_silently=True,
    )


# Training


@dataclass
class TrainingRecord:
    audience: str
    held_on: date
    place: str
    topics: list[str]
    # (institution, women, men)
    participants: list[tuple[str, int, int]]
    statistics_used: str = ""
    case_studies_used: str = ""
    notes: str = ""


@transaction.atomic
def record_training(
    user: User,
    record: TrainingRecord,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> TrainingSession:
    """A training session of the user's organisation with its participants by institution."""
    _require(user)
    rows = [(name.strip(), women, men) for name, women, men in record.participants]
    raise_errors(
        rules.training_errors(
            audience=record.audience,
            held_on=record.held_on,
            place=record.place,
            topics=record.topics,
            participants=rows,
            today=clock.today(today),
        )
    )
    session = TrainingSession.objects.create(
        organisation_id=organisation_id_of(user),
        audience=record.audience,
        held_on=record.held_on,
        place=record.place.strip(),
        topics=sorted(set(record.topics)),
        statistics_used=record.statistics_used.strip(),
        case_studies_used=record.case_studies_used.strip(),
        notes=record.notes.strip(),
        created_by=user,
    )
    Participants.objects.bulk_create(
        Participants(session=session, institution=name, women=women, men=men)
        for name, women, men in rows
    )
    audit.record(
        user,
        AuditAction.CREATE,
        session,
        changes={
            "audience": record.audience,
            "held_on": record.held_on.isoformat(),
            "topics": sorted(set(record.topics)),
            "participants": [sum(r[1] for r in rows), sum(r[2] for r in rows)],
        },
        request=request,
    )
    return session


def _editable_session(user: User, session: TrainingSession) -> TrainingSession:
    _require(user)
    refusal = _("Only the organisation that held it changes it.")
    return locked_or_refused(TrainingSession.objects.editable_by(user), session.pk, refusal)


def _participants(session: TrainingSession) -> list[tuple[str, int, int]]:
    return [(p.institution, p.women, p.men) for p in session.participants.all()]


@transaction.atomic
def correct_training(
    user: User,
    session: TrainingSession,
    changes: dict[str, Any],
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> TrainingSession:
    """Correct a session's details (`actions.TRAINING_CORRECTABLE`): only the fields given
    change, from the version read; `participants`, when given, are every row as
    (institution, women, men) and replace those recorded. The session's checks apply to the
    corrected whole; the audit row keeps the old and new audience, date, topics and
    participants by sex (texts are named, never copied)."""
    current = _editable_session(user, session)
    refuse_if_withdrawn(current)
    changes = only(changes, TRAINING_CORRECTABLE)
    rows = changes.pop("participants", None)
    if rows is not None:
        rows = [(name.strip(), women, men) for name, women, men in rows]
    if "topics" in changes:
        changes["topics"] = sorted(set(changes["topics"]))
    before = _participants(current)
    merged = {name: getattr(current, name) for name in ("audience", "held_on", "place", "topics")}
    merged |= {k: v for k, v in changes.items() if k in merged}
    raise_errors(
        rules.training_errors(
            **merged, participants=rows if rows is not None else before, today=clock.today(today)
        )
    )
    save_if_current(TrainingSession, current.pk, version, changes)
    if rows is not None:
        current.participants.all().delete()
        Participants.objects.bulk_create(
            Participants(session=current, institution=name, women=women, men=men)
            for name, women, men in rows
        )
    values: dict[str, Any] = {
        name: [plain(getattr(current, name)), plain(changes[name])]
        for name in ("audience", "held_on", "topics")
        if name in changes
    }
    if rows is not None:
        values["participants"] = [
            [sum(r[1] for r in before), sum(r[2] for r in before)],
            [sum(r[1] for r in rows), sum(r[2] for r in rows)],
        ]
    audit.record(
        user,
        AuditAction.CHANGE,
        current,
        changes={
            "fields": sorted([*changes, *(["participants"] if rows is not None else [])]),
            "values": values,
        },
        request=request,
    )
    return TrainingSession.objects.get(pk=current.pk)


@transaction.atomic
def withdraw_training(
    user: User,
    session: TrainingSession,
    *,
    version: int,
    reason: str,
    request: HttpRequest | None = None,
) -> TrainingSession:
    """Withdraw a session entered twice: it leaves the list and the totals by year and
    audience, and stays readable on its own page."""
    current = _editable_session(user, session)
    return withdraw(user, current, version=version, reason=reason, request=request)


# Case studies

CASE_TEXTS = ("title_en", "narrative_en", "title_local", "narrative_local")


def _case_for_edit(user: User, case: CaseStudy, version: int) -> CaseStudy:
    """The case study locked for a change, if it is still at the version the user read: a
    step judged on an older state (consent since withdrawn, a text since changed) is
    refused as stale before its own rules are checked."""
    _require(user)
    refusal = _("Only the organisation that wrote it changes it.")
    current = locked_or_refused(CaseStudy.objects.editable_by(user), case.pk, refusal)
    check_version(version, current.version)
    return current


def _case_move(
    user: User,
    case: CaseStudy,
    version: int,
    values: dict[str, Any],
    action: str,
    request: HttpRequest | None,
    audited: dict[str, Any] | None = None,
) -> CaseStudy:
    save_if_current(CaseStudy, case.pk, version, values)
    audit.record(
        user,
        AuditAction.CHANGE,
        case,
        changes={"step": action, "status": [case.status, values.get("status", case.status)]}
        | (audited or {}),
        request=request,
    )
    return CaseStudy.objects.get(pk=case.pk)


def _linked_people(case: CaseStudy) -> list[tuple[rules.Person, str]]:
    """The woman and children linked to a case study, with how a text refers to them."""
    people = []
    if case.woman is not None:
        w = case.woman
        people.append(
            (
                rules.Person(w.name, w.name_latin, w.register_number, w.date_of_birth),
                _("the woman"),
            )
        )
    for child in case.children.all():
        people.append(
            (rules.Person(child.name, child.name_latin, "", child.date_of_birth), _("her child"))
        )
    return people


def _texts(case: CaseStudy) -> dict[str, str]:
    return {name: getattr(case, name) for name in CASE_TEXTS}


@dataclass
class CaseText:
    title_en: str
    narrative_en: str
    title_local: str = ""
    narrative_local: str = ""
    tags: list[str] = field(default_factory=list)


@transaction.atomic
def draft_case_study(
    user: User,
    text: CaseText,
    *,
    woman: Woman | None = None,
    children: list[Any] | None = None,
    request: HttpRequest | None = None,
) -> CaseStudy:
    """A draft, drafted from a woman's record (which the user may change) or from none."""
    _require(user)
    errors: Errors = {}
    if not text.title_en.strip():
        errors["title_en"] = _("This field is required.")
    if not text.narrative_en.strip():
        errors["narrative_en"] = _("This field is required.")
    if woman is not None and not may_edit(user, woman):
        errors["woman"] = _("No woman you may change has this reference.")
    children = children or []
    if any(woman is None or c.mother_id != woman.pk for c in children):
        errors["children"] = _("Link only children of the linked woman.")
    raise_errors(errors)
    case = CaseStudy.objects.create(
        organisation_id=organisation_id_of(user),
        woman=woman,
        title_en=text.title_en.strip(),
        narrative_en=text.narrative_en.strip(),
        title_local=text.title_local.strip(),
        narrative_local=text.narrative_local.strip(),
        tags=sorted({t.strip() for t in text.tags if t.strip()}),
        created_by=user,
    )
    case.children.set(children)
    audit.record(
        user,
        AuditAction.CREATE,
        case,
        changes={
            "woman": woman.reference if woman else "",
            "children": sorted(c.reference for c in children),
        },
        request=request,
    )
    return case


@transaction.atomic
def edit_case_text(
    user: User, case: CaseStudy, text: CaseText, *, version: int, request: HttpRequest | None = None
) -> CaseStudy:
    """Change the texts; an anonymised or reviewed text goes back to be anonymised and
    reviewed again, and a published one may not change (withdraw it first)."""
    case = _case_for_edit(user, case, version)
    if case.status == CaseStatus.PUBLISHED:
        raise_errors({"status": _("A published case study cannot change.")})
    if not text.title_en.strip() or not text.narrative_en.strip():
        raise_errors({"narrative_en": _("This field is required.")})
    back = CaseStatus.CONSENTED if case.consent_on else CaseStatus.DRAFT
    values = {
        "title_en": text.title_en.strip(),
        "narrative_en": text.narrative_en.strip(),
        "title_local": text.title_local.strip(),
        "narrative_local": text.narrative_local.strip(),
        "tags": sorted({t.strip() for t in text.tags if t.strip()}),
        "status": back
        if case.status in (CaseStatus.ANONYMISED, CaseStatus.REVIEWED)
        else case.status,
        "reviewed_by": None,
    }
    return _case_move(user, case, version, values, "edit", request, {"fields": ["texts", "tags"]})


@transaction.atomic
def record_consent(
    user: User,
    case: CaseStudy,
    *,
    on: date | None,
    given_by: str,
    use: str,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CaseStudy:
    """Consent to use the story, with its date, who gave it and what it covers."""
    case = _case_for_edit(user, case, version)
    errors: Errors = {}
    if case.status != CaseStatus.DRAFT:
        errors["status"] = _("Consent is recorded on a draft.")
    if on is None:
        errors["consent_on"] = _("This field is required.")
    elif on > clock.today(today):
        errors["consent_on"] = _("This date is in the future.")
    if not given_by.strip():
        errors["consent_given_by"] = _("Say who gave consent.")
    if use not in ConsentUse.values:
        errors["consent_use"] = _("This is not one of the allowed values.")
    raise_errors(errors)
    values = {
        "status": CaseStatus.CONSENTED,
        "consent_on": on,
        "consent_given_by": given_by.strip(),
        "consent_use": use,
        "consent_withdrawn_on": None,
    }
    return _case_move(user, case, version, values, "consent", request, {"use": use})


@transaction.atomic
def anonymise_case(
    user: User, case: CaseStudy, *, version: int, request: HttpRequest | None = None
) -> CaseStudy:
    """Replace names, register numbers, exact dates and small prisons in every text with
    coarser values; refused if anything identifying is still found afterwards."""
    case = _case_for_edit(user, case, version)
    if case.status != CaseStatus.CONSENTED:
        raise_errors({"status": _("Record consent before anonymising.")})
    # A prison holding at most its pack's `small_prison_capacity` is named by its province in
    # a published text: its name alone could point to the few women held there.
    small = list(
        Prison.objects.select_related("province").filter(
            capacity__lte=F("province__jurisdiction__small_prison_capacity")
        )
    )
    values: dict[str, Any] = {}
    for name, text in _texts(case).items():
        language = case.local_language() if name.endswith("_local") else "en"
        with translation.override(language):
            places = {
                prison_name: _("a prison in %(province)s")
                % {"province": prison.province.display_name}
                for prison in small
                for prison_name in (prison.name, prison.name_local)
                if prison_name
            }
            found = rules.identifiers(_linked_people(case))
            values[name] = rules.anonymise(text, found, places)
    found = rules.identifiers(_linked_people(case))
    leftover = {n: rules.identifying_kinds(t, found) for n, t in values.items()}
    if any(leftover.values()):  # pragma: no cover - anonymise() replaces every identifier
        raise_errors({n: _("Something identifying remains.") for n, k in leftover.items() if k})
    values.update(status=CaseStatus.ANONYMISED, anonymised_by=user)
    return _case_move(user, case, version, values, "anonymise", request)


@transaction.atomic
def review_case(
    user: User, case: CaseStudy, *, version: int, request: HttpRequest | None = None
) -> CaseStudy:
    """A second person, a programme manager other than the author and the anonymiser,
    confirms the anonymised text."""
    if not can(user, Capability.MANAGE_PROGRAMME):
        raise PermissionDenied(_("Only a programme manager may do this."))
    case = _case_for_edit(user, case, version)
    errors: Errors = {}
    if case.status != CaseStatus.ANONYMISED:
        errors["status"] = _("Only an anonymised case study can be reviewed.")
    elif user.pk in (case.created_by_id, case.anonymised_by_id):
        errors["status"] = _("A second person reviews: not the author nor who anonymised it.")
    raise_errors(errors)
    return _case_move(
        user, case, version, {"status": CaseStatus.REVIEWED, "reviewed_by": user}, "review", request
    )


@transaction.atomic
def publish_case(
    user: User,
    case: CaseStudy,
    *,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CaseStudy:
    """Publish a reviewed case study with consent to publication, after checking once more
    that no text names a linked person, gives her register number or an exact birth date."""
    if not can(user, Capability.MANAGE_PROGRAMME):
        raise PermissionDenied(_("Only a programme manager may do this."))
    case = _case_for_edit(user, case, version)
    raise_errors(
        rules.publication_errors(
            status=case.status,
            consent_use=case.consent_use,
            texts=_texts(case),
            found=rules.identifiers(_linked_people(case)),
        )
    )
    values = {"status": CaseStatus.PUBLISHED, "published_on": clock.today(today)}
    return _case_move(user, case, version, values, "publish", request)


@transaction.atomic
def withdraw_consent(
    user: User,
    case: CaseStudy,
    *,
    on: date | None = None,
    version: int,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> CaseStudy:
    """The woman withdrew her consent: the case study is unpublished and may not be used."""
    case = _case_for_edit(user, case, version)
    if case.consent_on is None or case.status == CaseStatus.WITHDRAWN:
        raise_errors({"status": _("There is no consent to withdraw.")})
    values = {
        "status": CaseStatus.WITHDRAWN,
        "consent_withdrawn_on": on or clock.today(today),
        "published_on": None,
    }
    return _case_move(user, case, version, values, "withdraw consent", request)


# The steps of the workflow by name (the page's buttons, the API's path), and the role
# capability each needs: reviewing and publishing are a programme manager's.
CASE_STEPS = {
    "consent": Capability.RECORD_FIELDWORK,
    "anonymise": Capability.RECORD_FIELDWORK,
    "review": Capability.MANAGE_PROGRAMME,
    "publish": Capability.MANAGE_PROGRAMME,
    "withdraw": Capability.RECORD_FIELDWORK,
}


def take_case_step(
    user: User,
    case: CaseStudy,
    step: str,
    taken: StepIn,
    *,
    request: HttpRequest | None = None,
) -> CaseStudy:
    """One step of the workflow (`CASE_STEPS`) by its name, as the page and the API declare
    it (`actions.StepIn`): the version read and, for `consent`, the consent's date, who gave
    it and its use."""
    version = taken.version
    if step == "consent":
        return record_consent(
            user,
            case,
            on=taken.consent_on,
            given_by=taken.consent_given_by,
            use=taken.consent_use or "",
            version=version,
            request=request,
        )
    moves = {
        "anonymise": anonymise_case,
        "review": review_case,
        "publish": publish_case,
        "withdraw": withdraw_consent,
    }
    return moves[step](user, case, version=version, request=request)


# Escalation contacts


@transaction.atomic
def add_escalation_contact(
    user: User, *, name: str, email: str, position: str = "", request: HttpRequest | None = None
) -> EscalationContact:
    """Someone the user's organisation tells of every new access incident."""
    if not can(user, Capability.MANAGE_PROGRAMME):
        raise PermissionDenied(_("Only a programme manager may do this."))
    organisation_id = organisation_id_of(user)
    errors: Errors = {}
    if not name.strip():
        errors["name"] = _("This field is required.")
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid e-mail address.")
    if (
        not errors
        and EscalationContact.objects.filter(
            organisation_id=organisation_id, email__iexact=email
        ).exists()
    ):
        errors["email"] = _("This address is already a contact.")
    raise_errors(errors)
    contact = EscalationContact.objects.create(
        organisation_id=organisation_id,
        name=name.strip(),
        position=position.strip(),
        email=email.strip(),
    )
    audit.record(user, AuditAction.CREATE, contact, request=request)
    return contact


@transaction.atomic
def remove_escalation_contact(
    user: User, contact: EscalationContact, *, request: HttpRequest | None = None
) -> None:
    if (
        not can(user, Capability.MANAGE_PROGRAMME)
        or contact.organisation_id != user.organisation_id
    ):
        raise PermissionDenied(_("Only a programme manager may do this."))
    audit.record(user, AuditAction.DELETE, contact, request=request)
    contact.delete()
