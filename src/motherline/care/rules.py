"""Pure rules of transition plans: a child's leave-by date with its explanation, the dates of
the follow-up visits, and what each step of a plan needs before the plan may move on.

No request and no ORM: the functions read attributes of whatever they are given (model rows
or plain objects), so the web pages, the API and the worklist share them and tests can call
them without a database.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.core.inputs import NOTE_MAX
from motherline.jurisdictions.rules import (
    DEFAULT_READINGS,
    FIRST_DAY_OF_NEXT_MONTH,
    LIMIT_AT_ENTRY,
    AgeLimit,
    AgeLimitLike,
    Stated,
    StatedRules,
    add_months,
    age_limit_rule_on,
    leave_by_date,
)
from motherline.people.rules import Errors, not_in_future

# The statuses of a plan in the order a plan moves through them (`PlanStatus` values).
OPEN = "open"
CAREGIVER_IDENTIFIED = "caregiver_identified"
ASSESSED = "assessed"
HANDED_OVER = "handed_over"
FOLLOWED_UP = "followed_up"
CLOSED = "closed"
STEPS = (OPEN, CAREGIVER_IDENTIFIED, ASSESSED, HANDED_OVER, FOLLOWED_UP, CLOSED)

# Reasons a plan may be closed at any step: the child no longer needs to leave.
CLOSE_ANY_TIME = frozenset({"left_with_mother", "not_needed"})
CLOSE_REASONS = frozenset({"completed", "left_with_mother", "not_needed", "other"})

# Programme practice, not law: the partners visit a child 1, 3 and 6 months after the
# handover. No jurisdiction pack sets these months; change them here for another programme.
FOLLOW_UP_MONTHS = (1, 3, 6)

# A new person or a new home needs a new assessment.
CAREGIVER_FIELDS = (
    "caregiver_name",
    "caregiver_relationship",
    "caregiver_location",
    "caregiver_contact",
)
ASSESSMENT_RESET_BY = frozenset(
    {"caregiver_name", "caregiver_relationship", "caregiver_location", "caregiver"}
)


class Extension(Protocol):
    months: int


@dataclass(frozen=True)
class RuleApplied:
    """The age-limit rule that decided a leave-by date, and where it comes from."""

    max_age_months: int
    effective_from: date | None
    effective_to: date | None
    extension_allowed: bool
    max_extension_months: int
    citation: str
    source: str
    verified: bool

    @classmethod
    def of(cls, rule: AgeLimitLike) -> RuleApplied:
        return cls(
            max_age_months=rule.max_age_months,
            effective_from=rule.effective_from,
            effective_to=rule.effective_to,
            extension_allowed=rule.extension_allowed,
            max_extension_months=rule.max_extension_months,
            citation=getattr(rule, "citation", ""),
            source=getattr(rule, "source", ""),
            verified=bool(getattr(rule, "verified", False)),
        )


@dataclass(frozen=True)
class LeaveBy:
    """When a child must leave prison, how that was worked out, and where the child stands
    on the day `on`.

    `date` counts the extensions; `base_date` is the date under the age limit alone. `rule`
    is the rule in force on `base_date` (the one whose limit and extension rule apply).
    `extension_months` is what counts: recorded extensions count only where that rule allows
    them, and never beyond its maximum (`extension_months_recorded` is what was recorded).
    `date` is None when no rule of the pack sets a limit for this child.
    """

    date: dt.date | None
    base_date: dt.date | None
    rule: RuleApplied | None
    extension_months: int
    extension_months_recorded: int
    on: dt.date
    date_of_birth: dt.date
    readings: StatedRules = DEFAULT_READINGS

    @property
    def reading_texts(self) -> list[tuple[str, Stated]]:
        """The pack's readings that decided this date, in words, with their sources."""
        return reading_texts(self.readings)

    @property
    def is_extended(self) -> bool:
        return self.extension_months > 0

    @property
    def extensions_not_counted(self) -> int:
        return self.extension_months_recorded - self.extension_months

    @property
    def set_by_rule_change(self) -> bool:
        """Whether the child was already over the limit when the rule took effect, so the
        base date is the day the rule began rather than a birthday."""
        rule = self.rule
        return (
            rule is not None
            and self.base_date is not None
            and self.base_date == rule.effective_from
            and self.base_date > add_months(self.date_of_birth, rule.max_age_months)
        )

    @property
    def is_past(self) -> bool:
        """Whether on `on` the child is at or past the day they must leave."""
        return self.date is not None and self.on >= self.date

    @property
    def days_left(self) -> int | None:
        """Days from `on` to the leave-by date: negative when overdue, None without a rule."""
        return None if self.date is None else (self.date - self.on).days

    @property
    def days_overdue(self) -> int:
        left = self.days_left
        return -left if left is not None and left < 0 else 0


def reading_texts(readings: StatedRules) -> list[tuple[str, Stated]]:
    """How the pack reads the age limit, each reading in words with where it comes from:
    which limit a child already in prison takes when the law changes, and when a child born
    on 29 February has a birthday in a common year."""
    if readings.age_limit_change.value == LIMIT_AT_ENTRY:
        change = _(
            "A child already in prison when the age limit changes keeps the limit in force "
            "when the child came into prison."
        )
    else:
        change = _(
            "A child already in prison when the age limit changes takes the new limit from "
            "the day it takes effect."
        )
    if readings.leap == FIRST_DAY_OF_NEXT_MONTH:
        leap = _("A child born on 29 February has a birthday on 1 March in a common year.")
    else:
        leap = _("A child born on 29 February has a birthday on 28 February in a common year.")
    return [(change, readings.age_limit_change), (leap, readings.leap_day)]


def _extended(rule: AgeLimitLike, months: int) -> AgeLimit:
    """The rule with the child's extension added to its limit, where it allows one."""
    extra = min(months, rule.max_extension_months) if rule.extension_allowed else 0
    return AgeLimit(
        max_age_months=rule.max_age_months + extra,
        effective_from=rule.effective_from,
        effective_to=rule.effective_to,
        extension_allowed=rule.extension_allowed,
        max_extension_months=rule.max_extension_months,
    )


def child_leave_by(
    child_dob: date,
    age_rules: Iterable[AgeLimitLike],
    extensions: Iterable[Extension | int] = (),
    *,
    on: date,
    readings: StatedRules = DEFAULT_READINGS,
    entered_on: date | None = None,
) -> LeaveBy:
    """A child's leave-by date under the jurisdiction's age-limit rules, with the extensions
    granted to this child, explained (see `LeaveBy`).

    The date comes from `jurisdictions.rules.leave_by_date`: the first day the child is at or
    over the limit of the rule in force that day, so a child born before Cambodia's 2011 change
    who had not reached three by then leaves at three, and a child already over the new limit
    leaves the day it took effect; a child born on 29 February reaches the age on 28 February
    in a year that is not a leap year. An extension adds its months to the limit of each rule
    that allows extensions (capped at that rule's maximum), so the extended date follows the
    same calendar arithmetic; it counts only if the rule in force on the base date allows it.
    Those are the default readings; a pack may state others (`readings`, see
    `jurisdictions.rules.leave_by_date`; `entered_on` is the day the child came into prison).
    """
    rules = list(age_rules)
    recorded = sum(e if isinstance(e, int) else e.months for e in extensions)
    base = leave_by_date(child_dob, rules, readings=readings, entered_on=entered_on)
    rule = age_limit_rule_on(rules, base) if base is not None else None
    if readings.keeps_limit_at_entry and base is not None:
        entry = max(entered_on or child_dob, child_dob)
        rule = age_limit_rule_on(rules, entry) or rule
    counted = 0
    final = base
    if rule is not None and rule.extension_allowed and recorded > 0:
        counted = min(recorded, rule.max_extension_months)
        # `AgeLimit` is frozen, which the rules' protocol (plain attributes) does not express.
        extended: list[Any] = [_extended(r, counted) for r in rules]
        final = leave_by_date(child_dob, extended, readings=readings, entered_on=entered_on)
    return LeaveBy(
        date=final,
        base_date=base,
        rule=RuleApplied.of(rule) if rule is not None else None,
        extension_months=counted,
        extension_months_recorded=recorded,
        on=on,
        date_of_birth=child_dob,
        readings=readings,
    )


def extension_errors(leave_by: LeaveBy, months: int | None) -> Errors:
    """Whether an extension of `months` may be recorded for a child whose leave-by date is
    `leave_by`: the rule in force must allow extensions, and all of this child's extensions
    together must stay within its maximum."""
    if months is None or months < 1:
        return {"months": _("Enter a number of at least %(limit)s.") % {"limit": 1}}
    rule = leave_by.rule
    if rule is None:
        return {"months": _("The jurisdiction sets no age limit for this child.")}
    if not rule.extension_allowed:
        return {
            "months": _(
                "The rule in force does not allow a child to stay past the age limit "
                "(%(months)s months)."
            )
            % {"months": rule.max_age_months}
        }
    allowed = rule.max_extension_months - leave_by.extension_months_recorded
    if months > allowed:
        return {
            "months": _(
                "The rule in force allows at most %(max)s months of extension in all; "
                "%(left)s months are left for this child."
            )
            % {"max": rule.max_extension_months, "left": max(allowed, 0)}
        }
    return {}


def follow_up_due_dates(
    handed_over_on: date, months: Iterable[int] = FOLLOW_UP_MONTHS
) -> list[date]:
    """When the follow-up visits after a handover are due: by default 1, 3 and 6 months later.

    These months are the programme's practice, not a legal rule. A month later than
    31 January is the last day of February (`add_months`).
    """
    return [add_months(handed_over_on, m) for m in months]


class PlanLike(Protocol):
    status: str
    caregiver_name: str
    caregiver_relationship: str
    caregiver_location: str
    caregiver_contact: str
    assessed_on: date | None
    home_is_suitable: bool | None
    handed_over_on: date | None
    close_reason: str


def _value(plan: PlanLike, fields: Mapping[str, Any], name: str) -> Any:
    return fields[name] if name in fields else getattr(plan, name)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _step_date_errors(
    name: str,
    day: date | None,
    missing: str,
    before_opened: str,
    opened_on: date,
    today: date,
    errors: Errors,
) -> None:
    """A step's date: given, not in the future, not before the plan was opened."""
    if day is None:
        errors[name] = missing
        return
    not_in_future(name, day, today, errors)
    if name not in errors and day < opened_on:
        errors[name] = before_opened % {"date": opened_on.isoformat()}


def step_requirement_errors(
    status: str,
    plan: PlanLike,
    fields: Mapping[str, Any],
    *,
    today: date,
    opened_on: date,
) -> Errors:
    """What is missing or wrong for a plan to be at `status`, with `fields` applied to it:
    the needs of that step and of every step before it (a closed plan is not checked)."""
    if status not in STEPS:
        return {"status": _("This is not one of the allowed values.")}
    if status == CLOSED:
        return {}
    errors: Errors = {}
    reached = STEPS.index(status)

    def get(name: str) -> Any:
        return _value(plan, fields, name)

    has_record = (
        fields["caregiver"] is not None
        if "caregiver" in fields
        else getattr(plan, "caregiver_id", None) is not None
    )
    if reached >= STEPS.index(CAREGIVER_IDENTIFIED) and not has_record:
        if _blank(get("caregiver_name")):
            errors["caregiver_name"] = _("Name the caregiver (a person or an organisation).")
        if _blank(get("caregiver_relationship")):
            errors["caregiver_relationship"] = _("Say how the caregiver is related to the child.")
        if _blank(get("caregiver_location")) and _blank(get("caregiver_contact")):
            errors["caregiver_location"] = _("Say where the caregiver lives, or how to reach them.")
    if reached >= STEPS.index(ASSESSED):
        _step_date_errors(
            "assessed_on",
            get("assessed_on"),
            _("Enter the date the home was assessed."),
            _("The assessment cannot be before the plan was opened (%(date)s)."),
            opened_on,
            today,
            errors,
        )
        if get("home_is_suitable") is None:
            errors["home_is_suitable"] = _("Say whether the home is suitable for the child.")
    if reached >= STEPS.index(HANDED_OVER):
        if get("home_is_suitable") is False:
            errors["home_is_suitable"] = _(
                "The home was found not suitable: identify another caregiver and assess "
                "their home before the handover."
            )
        handed_over_on = get("handed_over_on")
        _step_date_errors(
            "handed_over_on",
            handed_over_on,
            _("Enter the date the child was handed over."),
            _("The handover cannot be before the plan was opened (%(date)s)."),
            opened_on,
            today,
            errors,
        )
        if handed_over_on is not None:
            assessed_on = get("assessed_on")
            if "handed_over_on" not in errors and assessed_on and handed_over_on < assessed_on:
                errors["handed_over_on"] = _(
                    "The handover cannot be before the home was assessed (%(date)s)."
                ) % {"date": assessed_on.isoformat()}
    return errors


def plan_step_errors(
    plan: PlanLike,
    new_status: str,
    fields: Mapping[str, Any],
    *,
    today: date,
    opened_on: date,
    follow_ups_pending: int = 0,
) -> Errors:
    """Why a plan may not move to `new_status` with `fields` recorded for that step.

    A plan moves one step forward at a time, each step with what it needs:
    caregiver identified (name, relationship, and where they live or how to reach them);
    home assessed (date, and whether the home is suitable: an unsuitable home stops the plan
    before the handover until another caregiver is identified); handed over (the date, not in
    the future nor before the plan opened); followed up (every follow-up visit done); closed
    (a reason). A plan may be closed at any step only because the child left with the mother
    or no longer needs it; otherwise it closes after the follow-ups.
    """
    current = plan.status
    if new_status not in STEPS:
        return {"status": _("This is not one of the allowed values.")}
    if current == CLOSED:
        return {"status": _("This plan is closed: reopen it to change it.")}
    if new_status == current:
        return {"status": _("The plan is already at this step.")}
    if new_status == CLOSED:
        reason = _value(plan, fields, "close_reason")
        if _blank(reason):
            return {"close_reason": _("Say why the plan is closed.")}
        if reason not in CLOSE_REASONS:
            return {"close_reason": _("This is not one of the allowed values.")}
        if current != FOLLOWED_UP and reason not in CLOSE_ANY_TIME:
            return {
                "close_reason": _(
                    "Before the follow-ups are done, a plan can be closed only because the "
                    "child left prison with the mother or no longer needs a plan."
                )
            }
        closed_on = fields.get("closed_on")
        errors: Errors = {}
        not_in_future("closed_on", closed_on, today, errors)
        if not errors and closed_on is not None and closed_on < opened_on:
            errors["closed_on"] = _(
                "The plan cannot be closed before it was opened (%(date)s)."
            ) % {"date": opened_on.isoformat()}
        return errors
    if STEPS.index(new_status) < STEPS.index(current):
        return {"status": _("A plan does not go back a step; correct its details instead.")}
    if STEPS.index(new_status) > STEPS.index(current) + 1:
        following = STEPS[STEPS.index(current) + 1]
        return {
            "status": _("Complete the next step first: %(step)s.") % {"step": step_label(following)}
        }
    errors = step_requirement_errors(new_status, plan, fields, today=today, opened_on=opened_on)
    if new_status == FOLLOWED_UP and follow_ups_pending:
        errors["status"] = ngettext(
            "%(count)s follow-up visit is still to be recorded.",
            "%(count)s follow-up visits are still to be recorded.",
            follow_ups_pending,
        ) % {"count": follow_ups_pending}
    return errors


def step_label(status: str) -> str:
    labels = {
        OPEN: _("Open"),
        CAREGIVER_IDENTIFIED: _("Caregiver identified"),
        ASSESSED: _("Home assessed"),
        HANDED_OVER: _("Handed over"),
        FOLLOWED_UP: _("Followed up"),
        CLOSED: _("Closed"),
    }
    return labels.get(status, status)


def next_step(status: str) -> str | None:
    """The step after `status` on the way to closing, or None for a closed plan."""
    if status == CLOSED:
        return None
    return STEPS[STEPS.index(status) + 1]


def resets_assessment(status: str, changed: Iterable[str]) -> bool:
    """Whether a change of caregiver sends an assessed plan back a step: an assessment is of
    one person's home, so a new person or place must be assessed again."""
    return status == ASSESSED and bool(ASSESSMENT_RESET_BY & set(changed))


def caregiver_change_errors(status: str, changed: Iterable[str]) -> Errors:
    """After the handover, the person and relationship the child went to are what happened;
    a later move of the child is recorded on the child's page, not by rewriting the plan."""
    if STEPS.index(status) >= STEPS.index(HANDED_OVER):
        locked = {"caregiver_name", "caregiver_relationship", "caregiver"} & set(changed)
        return {
            name: _("The child was handed over to this caregiver; this can no longer change.")
            for name in sorted(locked)
        }
    return {}


def status_after_reopen(plan: PlanLike, follow_ups_pending: int, has_follow_ups: bool) -> str:
    """The step a reopened plan returns to: the furthest one its recorded details support."""
    if plan.handed_over_on is not None:
        return FOLLOWED_UP if has_follow_ups and not follow_ups_pending else HANDED_OVER
    if plan.assessed_on is not None and plan.home_is_suitable is not None:
        return ASSESSED
    if getattr(plan, "caregiver_id", None) is not None:
        return CAREGIVER_IDENTIFIED
    if (
        not _blank(plan.caregiver_name)
        and not _blank(plan.caregiver_relationship)
        and not (_blank(plan.caregiver_location) and _blank(plan.caregiver_contact))
    ):
        return CAREGIVER_IDENTIFIED
    return OPEN


def follow_up_errors(
    done_on: date | None, outcome: str, handed_over_on: date | None, today: date
) -> Errors:
    """A follow-up visit is recorded after the handover, with what was found."""
    errors: Errors = {}
    if handed_over_on is None:
        return {"done_on": _("The child has not been handed over yet.")}
    if done_on is None:
        errors["done_on"] = _("Enter the date of the visit.")
    else:
        not_in_future("done_on", done_on, today, errors)
        if "done_on" not in errors and done_on < handed_over_on:
            errors["done_on"] = _("The visit cannot be before the handover (%(date)s).") % {
                "date": handed_over_on.isoformat()
            }
    if _blank(outcome):
        errors["outcome"] = _("Say how the child was found.")
    return errors


# Caregivers and best-interests assessments

# A phone number as people write it: digits, spaces, hyphens, dots and brackets, with an
# optional leading +; between 6 digits (a short local number) and 15 (E.164's maximum).
PHONE = re.compile(r"^\+?[0-9 ().\-]+$")
PHONE_MAX_LENGTH = 32
PHONE_DIGITS = (6, 15)
NAME_MAX_LENGTH = 200
ADDRESS_MAX_LENGTH = 255


def phone_error(phone: str) -> str | None:
    """Why `phone` is not a phone number, or None (an empty one is no number, not wrong)."""
    if not phone:
        return None
    digits = sum(ch.isdigit() for ch in phone)
    if len(phone) > PHONE_MAX_LENGTH or not PHONE.match(phone):
        return _(
            "Write a phone number with digits, spaces and hyphens only, for example "
            "012 345 678 or +855 12 345 678."
        )
    low, high = PHONE_DIGITS
    if not low <= digits <= high:
        return _("A phone number has from %(low)s to %(high)s digits; this one has %(n)s.") % {
            "low": low,
            "high": high,
            "n": digits,
        }
    return None


def _text_error(value: str, limit: int) -> str | None:
    if len(value) > limit:
        return _("At most %(max)s characters; this has %(n)s.") % {"max": limit, "n": len(value)}
    if "\x00" in value:
        return _("This contains a character that cannot be stored (NUL).")
    return None


def caregiver_errors(
    *,
    name: str,
    address: str,
    phone: str,
    has_place: bool,
    relationship: str | None = None,
    relationships: Iterable[str] = (),
) -> Errors:
    """What is wrong with a caregiver's details: a name; the relationship, where it is
    given, one of `relationships` and not the mother (she has her own record); a place, an
    address or a phone, so that the caregiver can be found; the lengths, and the phone."""
    errors: Errors = {}
    if _blank(name):
        errors["name"] = _("Name the caregiver (a person or an organisation).")
    elif problem := _text_error(name, NAME_MAX_LENGTH):
        errors["name"] = problem
    if relationship is not None:
        if relationship == "mother":
            errors["relationship"] = _(
                "The mother has her own record: name who looks after the child outside."
            )
        elif relationship not in set(relationships):
            errors["relationship"] = _("Say how the caregiver is related to the child.")
    if problem := _text_error(address, ADDRESS_MAX_LENGTH):
        errors["address"] = problem
    if problem := phone_error(phone):
        errors["phone"] = problem
    if not has_place and _blank(address) and _blank(phone):
        errors["commune"] = _("Say where the caregiver lives, or give a phone number.")
    return errors


FINDINGS = frozenset({"meets_needs", "concern", "serious_concern", "not_assessed"})
# Findings that must say what was found.
FINDINGS_EXPLAINED = frozenset({"concern", "serious_concern", "not_assessed"})
RECOMMENDATIONS = frozenset({"hand_over", "with_support", "do_not_hand_over"})
HANDOVER_RECOMMENDATIONS = frozenset({"hand_over", "with_support"})


def answer_field(code: str) -> str:
    """The name an answer's finding has in a form and in errors."""
    return f"finding_{code}"


def notes_field(code: str) -> str:
    return f"notes_{code}"


def assessment_errors(
    *,
    assessed_on: date | None,
    recommendation: str,
    reasons: str,
    answers: Mapping[str, tuple[str, str]],
    questions: Iterable[str],
    today: date,
    opened_on: date,
) -> Errors:
    """What is wrong with a best-interests assessment: its date (not in the future, not
    before the plan was opened), a finding for each of the pack's `questions` (codes; a
    concern, a serious concern or a question not assessed says why in its notes), no answer
    to a question the pack does not ask, and a recommendation."""
    errors: Errors = {}
    if assessed_on is None:
        errors["assessed_on"] = _("Enter the date of the assessment.")
    else:
        not_in_future("assessed_on", assessed_on, today, errors)
        if "assessed_on" not in errors and assessed_on < opened_on:
            errors["assessed_on"] = _(
                "The assessment cannot be before the plan was opened (%(date)s)."
            ) % {"date": opened_on.isoformat()}
    asked = list(questions)
    for code in asked:
        finding, notes = answers.get(code, ("", ""))
        if finding not in FINDINGS:
            errors[answer_field(code)] = _("Say what the assessment found.")
        elif finding in FINDINGS_EXPLAINED and _blank(notes):
            errors[notes_field(code)] = _("Say what was found, or why it could not be assessed.")
        if problem := _text_error(notes, NOTE_MAX):
            errors[notes_field(code)] = problem
    for code in sorted(set(answers) - set(asked)):
        errors[answer_field(code)] = _("The pack does not ask this question.")
    if recommendation not in RECOMMENDATIONS:
        errors["recommendation"] = _("Choose a recommendation.")
    elif recommendation != "hand_over" and _blank(reasons):
        errors["reasons"] = _("Say why: what support the hand-over needs, or why not to hand over.")
    if problem := _text_error(reasons, NOTE_MAX):
        errors["reasons"] = problem
    return errors


class AssessmentLike(Protocol):
    caregiver_id: int
    status: str
    recommendation: str


def handover_assessment(
    plan_caregiver_id: int | None, assessments: Iterable[AssessmentLike]
) -> tuple[AssessmentLike | None, str]:
    """The approved assessment under which the child may be handed over (of the plan's
    caregiver, where the plan names one; the latest first), or None with the reason why the
    hand-over must wait. Bangkok Rule 52: a child leaves prison on an individual assessment
    of the child's best interests, once alternative care has been identified."""
    relevant = [
        a for a in assessments if plan_caregiver_id is None or a.caregiver_id == plan_caregiver_id
    ]
    for assessment in relevant:
        if assessment.status == "approved" and assessment.recommendation in (
            HANDOVER_RECOMMENDATIONS
        ):
            return assessment, ""
    if any(a.status == "recorded" for a in relevant):
        return None, _(
            "The best-interests assessment is waiting for a programme manager's approval: the "
            "child can be handed over once it is approved."
        )
    if any(a.status == "approved" for a in relevant):
        return None, _(
            "The approved best-interests assessment recommends not handing the child over to "
            "this caregiver: identify another caregiver and assess again."
        )
    return None, _(
        "The child cannot be handed over before a best-interests assessment of the caregiver "
        "is approved by a programme manager: record one from the plan."
    )
