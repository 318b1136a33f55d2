"""What is due, and how urgent: the worklist's rules as pure functions.

Each `*_item` function takes the plain facts of one record (built by `worklist.queries` from
a few database rows) and the day the list is read for, and returns the worklist `Item` or
None when nothing is due within the horizon. No request and no ORM here: every date comes
from a rule of the jurisdiction pack (`jurisdictions.rules`), never a constant in code.

An item names its subject by the internal reference; the name travels alongside only for
the page (`Item.subject_name`) and never leaves the system (`Item.as_json()` has no name).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from motherline.care.rules import child_leave_by, reading_texts
from motherline.formatting import format_day
from motherline.jurisdictions.reference import citation_label
from motherline.jurisdictions.rules import (
    DEFAULT_READINGS,
    AgeLimitLike,
    PretrialLimitLike,
    Stated,
    StatedRules,
    add_months,
    birth_registration_due,
    period_text,
    pretrial_deadline,
    pretrial_limit_on,
)
from motherline.people.timeline import format_age_months

# Items due further ahead than this are not on the list.
HORIZON_DAYS = 90
# A transition plan that has not found and assessed a home this close to the leave-by date
# is behind.
PLAN_BEHIND_DAYS = 30


class Kind(StrEnum):
    CHILD_AGE_LIMIT = "child_age_limit"
    EXPECTED_DELIVERY = "expected_delivery"
    PRETRIAL_LIMIT = "pretrial_limit"
    EXPECTED_RELEASE = "expected_release"
    FOLLOW_UP_DUE = "follow_up_due"
    PLAN_STEP_OVERDUE = "plan_step_overdue"
    BIRTH_NOT_REGISTERED = "birth_not_registered"
    VISIT_ACTION_OVERDUE = "visit_action_overdue"
    REFERRAL_WAITING = "referral_waiting"


KIND_LABELS = {
    Kind.CHILD_AGE_LIMIT: gettext_lazy("Child reaches the age limit"),
    Kind.EXPECTED_DELIVERY: gettext_lazy("Expected delivery"),
    Kind.PRETRIAL_LIMIT: gettext_lazy("Pretrial detention limit"),
    Kind.EXPECTED_RELEASE: gettext_lazy("Expected release"),
    Kind.FOLLOW_UP_DUE: gettext_lazy("Follow-up visit due"),
    Kind.PLAN_STEP_OVERDUE: gettext_lazy("Transition plan behind"),
    Kind.BIRTH_NOT_REGISTERED: gettext_lazy("Birth not registered"),
    Kind.VISIT_ACTION_OVERDUE: gettext_lazy("Follow-up action of a prison visit overdue"),
    Kind.REFERRAL_WAITING: gettext_lazy("Referral waiting for your answer"),
}

# What the link of an item leads the user to do.
ACTION_LABELS = {
    Kind.CHILD_AGE_LIMIT: gettext_lazy("Plan the child's leaving"),
    Kind.EXPECTED_DELIVERY: gettext_lazy("Record the birth"),
    Kind.PRETRIAL_LIMIT: gettext_lazy("Record the legal status"),
    Kind.EXPECTED_RELEASE: gettext_lazy("Record the release"),
    Kind.FOLLOW_UP_DUE: gettext_lazy("Record the visit"),
    Kind.PLAN_STEP_OVERDUE: gettext_lazy("Record the next step"),
    Kind.BIRTH_NOT_REGISTERED: gettext_lazy("Record the registration"),
    Kind.VISIT_ACTION_OVERDUE: gettext_lazy("Mark the action done"),
    Kind.REFERRAL_WAITING: gettext_lazy("Accept or decline"),
}
# The age-limit row of a child with a plan leads to the plan's next step.
NEXT_STEP_LABEL = gettext_lazy("Record the next step of the plan")


class Urgency(StrEnum):
    OVERDUE = "overdue"
    THIS_WEEK = "this_week"
    WITHIN_30 = "within_30"
    WITHIN_90 = "within_90"


URGENCY_LABELS = {
    Urgency.OVERDUE: gettext_lazy("Overdue"),
    Urgency.THIS_WEEK: gettext_lazy("This week"),
    Urgency.WITHIN_30: gettext_lazy("Within 30 days"),
    Urgency.WITHIN_90: gettext_lazy("Within 90 days"),
}
URGENCY_ORDER = list(Urgency)

OFFENCE_CLASS_RANK = {"felony": 0, "misdemeanour": 1, "petty": 2}


def urgency(due: date, as_of: date) -> Urgency | None:
    """The bucket of a due date read on `as_of`: overdue before that day, this week up to
    7 days ahead (today included), then within 30 and within 90 days; None beyond."""
    days = (due - as_of).days
    if days < 0:
        return Urgency.OVERDUE
    if days <= 7:
        return Urgency.THIS_WEEK
    if days <= 30:
        return Urgency.WITHIN_30
    if days <= HORIZON_DAYS:
        return Urgency.WITHIN_90
    return None


def horizon(as_of: date, kind: str = "") -> date:
    """The last due date that is on the list read on `as_of` (for one kind, its lead)."""
    return as_of + timedelta(days=LEAD_DAYS.get(kind, HORIZON_DAYS) if kind else HORIZON_DAYS)


# How far ahead a kind is listed, where it is less than the list's 90 days: a request for
# release at the pretrial limit is prepared in the last weeks, and an item further ahead
# asks for nothing yet.
LEAD_DAYS: dict[str, int] = {"pretrial_limit": 30}


def most_serious_class(classes: Iterable[str]) -> str:
    """Felony before misdemeanour before petty offence; "" when no charge is recorded."""
    known = [c for c in classes if c in OFFENCE_CLASS_RANK]
    return min(known, key=OFFENCE_CLASS_RANK.__getitem__, default="")


@dataclass(frozen=True)
class Place:
    prison_code: str = ""
    prison_name: str = ""
    province_code: str = ""
    province_name: str = ""


@dataclass(frozen=True)
class Subject:
    """Who an item is about. `reference` is what leaves the system; `name` is for the page."""

    reference: str
    kind: str  # "child" or "woman"
    link: str
    name: str = ""
    mother: str = ""  # the mother's reference, for a child
    mother_name: str = ""  # for the page only, like `name`


@dataclass(frozen=True)
class Item:
    kind: Kind
    due_date: date
    urgency: Urgency
    subject: Subject
    place: Place
    status: str
    why: str
    # Where the item's next action is done (a form); the subject's page when empty.
    action: str = ""
    action_text: str = ""
    detail: str = ""  # for the page only, like the subject's name

    @property
    def action_link(self) -> str:
        return self.action or self.subject.link

    @property
    def key(self) -> str:
        """One deadline: a new due date for the same subject is a new item."""
        return f"{self.kind}:{self.subject.reference}:{self.due_date.isoformat()}"

    def days(self, as_of: date) -> int:
        return (self.due_date - as_of).days

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def action_label(self) -> str:
        return self.action_text or str(ACTION_LABELS[self.kind])

    def as_json(self, as_of: date) -> dict[str, Any]:
        """The item for the API, the command and e-mail: references, never names."""
        return {
            "key": self.key,
            "kind": str(self.kind),
            "due_date": self.due_date.isoformat(),
            "days": self.days(as_of),
            "urgency": str(self.urgency),
            "prison": self.place.prison_code,
            "prison_name": self.place.prison_name,
            "province": self.place.province_code,
            "subject": self.subject.reference,
            "subject_type": self.subject.kind,
            "mother": self.subject.mother,
            "status": self.status,
            "why": self.why,
            "link": self.subject.link,
            "action": self.action_link,
        }


# Within one urgency group, what a child's leaving needs comes first.
KIND_ORDER = [
    Kind.CHILD_AGE_LIMIT,
    Kind.PLAN_STEP_OVERDUE,
    Kind.FOLLOW_UP_DUE,
    Kind.PRETRIAL_LIMIT,
    Kind.EXPECTED_DELIVERY,
    Kind.EXPECTED_RELEASE,
    Kind.BIRTH_NOT_REGISTERED,
    Kind.VISIT_ACTION_OVERDUE,
    Kind.REFERRAL_WAITING,
]


def sort_key(item: Item) -> tuple[int, date, int, str]:
    """Most urgent first; within a group by due date, the earliest first; on one day, by
    kind (`KIND_ORDER`), then by reference."""
    return (
        URGENCY_ORDER.index(item.urgency),
        item.due_date,
        KIND_ORDER.index(item.kind),
        item.subject.reference,
    )


def timing_text(due: date, as_of: date) -> str:
    """'overdue by 3 days', 'due today', 'due in 12 days'."""
    days = (due - as_of).days
    if days < 0:
        return ngettext("overdue by %(n)d day", "overdue by %(n)d days", -days) % {"n": -days}
    if days == 0:
        return _("due today")
    return ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}


PLAN_TEXTS = {
    "": gettext_lazy("no plan"),
    "open": gettext_lazy("plan: open"),
    "caregiver_identified": gettext_lazy("plan: caregiver identified"),
    "assessed": gettext_lazy("plan: home assessed"),
    "handed_over": gettext_lazy("plan: handed over"),
    "followed_up": gettext_lazy("plan: followed up"),
    "closed": gettext_lazy("no plan"),
}


def plan_text(plan_status: str) -> str:
    """A transition plan's progress in a few words; "" means the child has no plan."""
    return str(PLAN_TEXTS.get(plan_status, plan_status))


def plan_status_on(
    status: str,
    assessed_on: date | None,
    handed_over_on: date | None,
    followed_up_on: date | None,
    on: date,
) -> str:
    """The step a plan open on a past day stood at then, from the dates its steps carry:
    handed over (and followed up, from the first follow-up visit done), or the home
    assessed. The caregiver's identification carries no date: before the assessment the
    plan reads as it stands now if it is still open or at that step, else as open."""
    if handed_over_on is not None and handed_over_on <= on:
        return (
            "followed_up"
            if followed_up_on is not None and followed_up_on <= on
            else ("handed_over")
        )
    if assessed_on is not None and assessed_on <= on:
        return "assessed"
    return status if status in BEHIND_STATUSES else "open"


# Children living in prison


def earliest_birth_reaching_limit_after(day: date, rules: Sequence[AgeLimitLike]) -> date | None:
    """A birth date after which no child reaches any limit of these rules by `day`: children
    born later cannot be due by then. The database narrows the children in prison with it
    before their leave-by dates are computed exactly here; None when there are no rules."""
    if not rules:
        return None
    shortest = min(rule.max_age_months for rule in rules)
    # add_months clamps month ends, so step a few days past the exact bound.
    return add_months(day, -shortest) + timedelta(days=3)


@dataclass(frozen=True)
class ChildInPrison:
    subject: Subject
    place: Place
    date_of_birth: date
    extension_months: int = 0
    plan_status: str = ""  # the open transition plan's status, "" without one
    readings: StatedRules = DEFAULT_READINGS
    entered_on: date | None = None  # the day the child's stay in prison began
    plan_due: date | None = None  # the open plan's leave-by date as the plan records it
    handover_planned_on: date | None = None
    handed_over_on: date | None = None


def plan_behind_text(
    status: str,
    due: date | None,
    handover_planned_on: date | None,
    handed_over_on: date | None,
    as_of: date,
) -> str:
    """Why an open plan is behind schedule, or "" when it is not: its planned handover
    passed without one being recorded, or the leave-by date is near and no home has been
    found and assessed yet."""
    if handover_planned_on is not None and handover_planned_on < as_of and handed_over_on is None:
        return _("The handover planned for %(date)s has not been recorded.") % {
            "date": format_day(handover_planned_on)
        }
    if status in BEHIND_STATUSES and due is not None and (due - as_of).days <= PLAN_BEHIND_DAYS:
        return _(
            "The child must leave by %(date)s and no home has been assessed yet: find and "
            "assess the caregiver."
        ) % {"date": format_day(due)}
    return ""


def child_age_limit_item(
    child: ChildInPrison, rules: Sequence[AgeLimitLike], as_of: date
) -> Item | None:
    """The child's leave-by date under the pack's rules and readings; a plan behind
    schedule is said in the status and the reason of this row (one row per child)."""
    leave_by = child_leave_by(
        child.date_of_birth,
        rules,
        [child.extension_months],
        on=as_of,
        readings=child.readings,
        entered_on=child.entered_on,
    )
    if leave_by.date is None or leave_by.rule is None:
        return None
    due = leave_by.date
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    rule = leave_by.rule
    why = _("The child must leave prison by %(date)s: the age limit is %(limit)s.") % {
        "date": format_day(due),
        "limit": format_age_months(rule.max_age_months),
    }
    why += " " + source_text(rule.citation, rule.verified)
    if leave_by.extension_months:
        why += " " + ngettext(
            "An extension of %(n)d month was approved.",
            "An extension of %(n)d months was approved.",
            leave_by.extension_months,
        ) % {"n": leave_by.extension_months}
    # The readings that decided this child's date: a change of the law while the child was
    # in prison, a birthday on 29 February.
    change, leap = reading_texts(child.readings)
    entered = child.entered_on or child.date_of_birth
    changed_meanwhile = any(
        r.effective_from is not None and entered < r.effective_from <= due for r in rules
    )
    if leave_by.set_by_rule_change or changed_meanwhile:
        why += " " + _reading(change)
    if (child.date_of_birth.month, child.date_of_birth.day) == (2, 29):
        why += " " + _reading(leap)
    status = plan_text(child.plan_status)
    behind = ""
    if child.plan_status:
        behind = plan_behind_text(
            child.plan_status,
            child.plan_due or due,
            child.handover_planned_on,
            child.handed_over_on,
            as_of,
        )
    if behind:
        status = f"{status}; {_('plan behind schedule')}"
        why += " " + behind
    if due < as_of:
        status = f"{status}; {timing_text(due, as_of)}"
    return Item(Kind.CHILD_AGE_LIMIT, due, bucket, child.subject, child.place, status, why)


def _reading(reading: tuple[str, Stated]) -> str:
    """A reading of the pack in words, with its source: "... (Motherline's reading, not
    verified)"."""
    text, stated = reading
    source = citation_label(stated.citation) or _("Motherline's reading")
    if not stated.verified:
        source = _("%(source)s, not verified") % {"source": source}
    # The source goes inside the sentence, before its full stop (Latin or Khmer).
    body, stop = (text[:-1], text[-1]) if text and text[-1] in ".។" else (text, "")
    return f"{body} ({source}){stop}"


def source_text(citation: str, verified: bool) -> str:
    """Where a rule comes from, in a few words, and whether it was checked."""
    if not citation:
        return _("No source cited.")
    if verified:
        return _("Source: %(citation)s.") % {"citation": citation_label(citation)}
    return _("Source: %(citation)s (not verified).") % {"citation": citation_label(citation)}


@dataclass(frozen=True)
class UnregisteredChild:
    subject: Subject
    place: Place
    date_of_birth: date
    in_prison: bool
    period: Stated | None = None  # the pack's registration period, with its source


# A birth registration is asked for while the child is a minor.
MAJORITY_MONTHS = 18 * 12


def birth_not_registered_item(child: UnregisteredChild, as_of: date) -> Item | None:
    """A birth is to be registered within the pack's period: due that long after the
    birth, and asked for until the child is 18. None without a period in the pack."""
    if child.period is None or as_of >= add_months(child.date_of_birth, MAJORITY_MONTHS):
        return None
    due = birth_registration_due(child.date_of_birth, child.period.value)
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    if child.in_prison:
        why = _("The child lives in prison; born on %(born)s, the birth is not registered.")
    else:
        why = _(
            "The child was born in custody or lived in prison; born on %(born)s, the birth is "
            "not registered."
        )
    why = why % {"born": format_day(child.date_of_birth)}
    why += " " + _("A birth is to be registered within %(period)s, by %(date)s.") % {
        "period": period_text(child.period.value),
        "date": format_day(due),
    }
    why += " " + source_text(child.period.citation, child.period.verified)
    return Item(
        Kind.BIRTH_NOT_REGISTERED,
        due,
        bucket,
        child.subject,
        child.place,
        _("not registered"),
        why,
    )


# Women in custody


@dataclass(frozen=True)
class Pregnant:
    subject: Subject
    place: Place
    expected_delivery_date: date


def expected_delivery_item(woman: Pregnant, as_of: date) -> Item | None:
    due = woman.expected_delivery_date
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    if due < as_of:
        why = _("The baby was expected on %(date)s: record the outcome of the pregnancy.")
    else:
        why = _("The baby is expected on %(date)s: antenatal care and a plan for the birth.")
    return Item(
        Kind.EXPECTED_DELIVERY,
        due,
        bucket,
        woman.subject,
        woman.place,
        timing_text(due, as_of),
        why % {"date": format_day(due)},
    )


@dataclass(frozen=True)
class InPretrial:
    subject: Subject
    place: Place
    detained_on: date
    offence_class: str  # of the most serious charge; "" when no charge is recorded
    is_minor: bool  # on the day detention began


OFFENCE_CLASS_TEXTS = {
    ("felony", False): gettext_lazy("a felony"),
    ("felony", True): gettext_lazy("a felony by a minor"),
    ("misdemeanour", False): gettext_lazy("a misdemeanour"),
    ("misdemeanour", True): gettext_lazy("a misdemeanour by a minor"),
    ("petty", False): gettext_lazy("a petty offence"),
    ("petty", True): gettext_lazy("a petty offence by a minor"),
}


def pretrial_limit_item(
    woman: InPretrial,
    rules: Sequence[PretrialLimitLike],
    as_of: date,
    *,
    known: tuple[PretrialLimitLike | None, date | None] | None = None,
) -> Item | None:
    """Detention before trial reaches the limit of the rule in force when it began, for the
    class of the most serious charge and her age then (`jurisdictions.rules`). `known` is
    that rule and deadline when the caller already looked them up for this class, age and
    day of detention."""
    if not woman.offence_class:
        return None
    if known is None:
        known = (
            pretrial_limit_on(rules, woman.offence_class, woman.is_minor, woman.detained_on),
            pretrial_deadline(woman.detained_on, rules, woman.offence_class, woman.is_minor),
        )
    rule, due = known
    if rule is None or due is None or due > horizon(as_of, Kind.PRETRIAL_LIMIT):
        return None
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    offence = OFFENCE_CLASS_TEXTS.get((woman.offence_class, woman.is_minor), woman.offence_class)
    why = _(
        "In pretrial detention since %(since)s; the limit of %(days)d days for %(class)s "
        "is reached on %(date)s."
    ) % {
        "since": format_day(woman.detained_on),
        "days": rule.max_days,
        "class": str(offence),
        "date": format_day(due),
    }
    return Item(
        Kind.PRETRIAL_LIMIT, due, bucket, woman.subject, woman.place, timing_text(due, as_of), why
    )


@dataclass(frozen=True)
class ExpectedRelease:
    subject: Subject
    place: Place
    expected_release_date: date
    children_in_prison: int = 0


def expected_release_item(woman: ExpectedRelease, as_of: date) -> Item | None:
    due = woman.expected_release_date
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    why = _("Her release is expected on %(date)s.") % {"date": format_day(due)}
    status = timing_text(due, as_of)
    if woman.children_in_prison:
        n = woman.children_in_prison
        why += " " + ngettext(
            "A child lives in prison with her and leaves with her: check the child's plan.",
            "%(n)d children live in prison with her and leave with her: check their plans.",
            n,
        ) % {"n": n}
        status += "; " + ngettext("%(n)d child in prison", "%(n)d children in prison", n) % {"n": n}
    return Item(Kind.EXPECTED_RELEASE, due, bucket, woman.subject, woman.place, status, why)


# Transition plans


@dataclass(frozen=True)
class PlanFollowUp:
    subject: Subject
    place: Place
    due_date: date
    handed_over_on: date | None


def follow_up_item(follow_up: PlanFollowUp, as_of: date) -> Item | None:
    due = follow_up.due_date
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    if follow_up.handed_over_on:
        why = _(
            "A follow-up visit to the child, handed over on %(handover)s, is due on %(date)s."
        ) % {"handover": format_day(follow_up.handed_over_on), "date": format_day(due)}
    else:
        why = _("A follow-up visit to the child is due on %(date)s.") % {"date": format_day(due)}
    return Item(
        Kind.FOLLOW_UP_DUE,
        due,
        bucket,
        follow_up.subject,
        follow_up.place,
        timing_text(due, as_of),
        why,
    )


@dataclass(frozen=True)
class OpenPlan:
    subject: Subject
    place: Place
    status: str
    due_date: date
    handover_planned_on: date | None
    handed_over_on: date | None


BEHIND_STATUSES = ("open", "caregiver_identified")


def plan_step_item(plan: OpenPlan, as_of: date) -> Item | None:
    """A plan is behind when its planned handover passed without one being recorded, or when
    the leave-by date is near and no home has been found and assessed yet."""
    why = plan_behind_text(
        plan.status, plan.due_date, plan.handover_planned_on, plan.handed_over_on, as_of
    )
    if not why:
        return None
    if (
        plan.handover_planned_on is not None
        and plan.handover_planned_on < as_of
        and plan.handed_over_on is None
    ):
        due = plan.handover_planned_on
    else:
        due = plan.due_date
    bucket = urgency(due, as_of)
    if bucket is None:
        return None
    return Item(
        Kind.PLAN_STEP_OVERDUE,
        due,
        bucket,
        plan.subject,
        plan.place,
        plan_text(plan.status),
        why,
    )
