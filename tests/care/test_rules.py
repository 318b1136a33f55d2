"""The pure rules of a child's leaving prison: leave-by dates across Cambodia's 2011 change,
leap-day births, extensions, follow-up dates and what each step of a plan needs."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from motherline.care import rules
from motherline.care.rules import child_leave_by, extension_errors, follow_up_due_dates
from motherline.jurisdictions.loader import read_pack
from motherline.jurisdictions.rules import AgeLimit

ON = date(2026, 6, 15)


@pytest.fixture(scope="module")
def kh_rules():
    """The age-limit rules exactly as the Cambodian pack ships them."""
    return [SimpleNamespace(**row.values) for row in read_pack("kh").rows["age_limits"]]


def with_extension(months: int = 36, max_extension: int = 6) -> list[AgeLimit]:
    return [AgeLimit(months, extension_allowed=True, max_extension_months=max_extension)]


# Leave-by dates


def test_a_child_born_in_2009_leaves_at_three_under_the_2011_law(kh_rules):
    leave_by = child_leave_by(date(2009, 3, 10), kh_rules, on=ON)
    # Born under the six-year rule, but three years old after the Law on Prisons took effect.
    assert leave_by.date == date(2012, 3, 10)
    assert leave_by.rule.max_age_months == 36
    assert leave_by.rule.effective_from == date(2011, 12, 1)
    assert leave_by.rule.citation.startswith("Law on Prisons (2011)")
    assert leave_by.rule.verified is False
    assert not leave_by.set_by_rule_change


def test_a_child_born_in_2012_leaves_at_three(kh_rules):
    leave_by = child_leave_by(date(2012, 5, 20), kh_rules, on=ON)
    assert leave_by.date == date(2015, 5, 20)
    assert leave_by.rule.max_age_months == 36


def test_a_child_over_three_when_the_law_changed_had_to_leave_that_day(kh_rules):
    leave_by = child_leave_by(date(2007, 2, 1), kh_rules, on=ON)
    assert leave_by.date == date(2011, 12, 1)
    assert leave_by.set_by_rule_change
    assert leave_by.rule.max_age_months == 36


def test_a_child_six_before_the_law_changed_left_under_the_old_rule(kh_rules):
    leave_by = child_leave_by(date(2005, 6, 1), kh_rules, on=ON)
    assert leave_by.date == date(2011, 6, 1)
    assert leave_by.rule.max_age_months == 72
    assert leave_by.rule.effective_from is None
    assert leave_by.rule.citation == "Procedures on the Administration of Prisons art. 18"


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (36, date(2027, 2, 28)),  # 2027 is not a leap year
        (48, date(2028, 2, 29)),
        (12, date(2025, 2, 28)),
    ],
)
def test_a_child_born_on_a_leap_day(limit, expected):
    leave_by = child_leave_by(date(2024, 2, 29), [AgeLimit(limit)], on=ON)
    assert leave_by.date == expected


def test_leap_day_child_under_the_kh_pack(kh_rules):
    assert child_leave_by(date(2024, 2, 29), kh_rules, on=ON).date == date(2027, 2, 28)


@pytest.mark.parametrize(
    ("on", "days_left", "is_past", "overdue"),
    [
        (date(2027, 2, 27), 1, False, 0),
        (date(2027, 2, 28), 0, True, 0),
        (date(2027, 3, 5), -5, True, 5),
    ],
)
def test_days_left_and_past(on, days_left, is_past, overdue):
    leave_by = child_leave_by(date(2024, 2, 29), [AgeLimit(36)], on=on)
    assert leave_by.days_left == days_left
    assert leave_by.is_past is is_past
    assert leave_by.days_overdue == overdue


def test_no_rule_no_date():
    leave_by = child_leave_by(date(2024, 1, 1), [], on=ON)
    assert leave_by.date is None and leave_by.rule is None
    assert leave_by.days_left is None and not leave_by.is_past


# Extensions


def test_an_allowed_extension_moves_the_date():
    leave_by = child_leave_by(date(2023, 8, 31), with_extension(), [2, 1], on=ON)
    assert leave_by.base_date == date(2026, 8, 31)
    # 36 + 3 months from 31 August: the end of November.
    assert leave_by.date == date(2026, 11, 30)
    assert leave_by.extension_months == 3
    assert leave_by.is_extended


def test_extensions_count_from_the_birth_like_the_limit():
    # 36 + 1 months from 29 Feb 2024 is 29 March 2027, not 28 March (28 Feb + 1 month).
    leave_by = child_leave_by(date(2024, 2, 29), with_extension(), [1], on=ON)
    assert leave_by.date == date(2027, 3, 29)


def test_extensions_never_count_beyond_the_rule_maximum():
    leave_by = child_leave_by(date(2023, 8, 1), with_extension(max_extension=6), [4, 4], on=ON)
    assert leave_by.extension_months == 6
    assert leave_by.extensions_not_counted == 2
    assert leave_by.date == date(2027, 2, 1)


def test_extensions_do_not_count_where_the_rule_allows_none(kh_rules):
    leave_by = child_leave_by(date(2023, 8, 1), kh_rules, [6], on=ON)
    assert leave_by.date == leave_by.base_date == date(2026, 8, 1)
    assert leave_by.extension_months == 0
    assert leave_by.extensions_not_counted == 6


def test_extension_allowed_within_the_maximum():
    leave_by = child_leave_by(date(2023, 8, 1), with_extension(max_extension=6), [2], on=ON)
    assert extension_errors(leave_by, 4) == {}


def test_extension_over_the_maximum_is_refused():
    leave_by = child_leave_by(date(2023, 8, 1), with_extension(max_extension=6), [2], on=ON)
    errors = extension_errors(leave_by, 5)
    assert "at most 6 months" in errors["months"]
    assert "4 months are left" in errors["months"]


def test_extension_refused_where_the_pack_allows_none(kh_rules):
    leave_by = child_leave_by(date(2023, 8, 1), kh_rules, on=ON)
    assert "does not allow" in extension_errors(leave_by, 1)["months"]


@pytest.mark.parametrize("months", [0, -3, None])
def test_extension_needs_a_positive_number_of_months(months):
    leave_by = child_leave_by(date(2023, 8, 1), with_extension(), on=ON)
    assert "months" in extension_errors(leave_by, months)


def test_extension_is_judged_by_the_rule_in_force_on_the_leave_by_date():
    # An older rule allowed extensions; the one in force when this child reaches the limit
    # does not.
    age_rules = [
        AgeLimit(
            72, effective_to=date(2011, 11, 30), extension_allowed=True, max_extension_months=12
        ),
        AgeLimit(36, effective_from=date(2011, 12, 1)),
    ]
    leave_by = child_leave_by(date(2023, 8, 1), age_rules, [3], on=ON)
    assert leave_by.extension_months == 0
    assert "does not allow" in extension_errors(leave_by, 1)["months"]


# Follow-ups


def test_follow_ups_are_due_one_three_and_six_months_after_the_handover():
    assert follow_up_due_dates(date(2026, 3, 10)) == [
        date(2026, 4, 10),
        date(2026, 6, 10),
        date(2026, 9, 10),
    ]


@pytest.mark.parametrize(
    ("handed_over", "expected"),
    [
        (date(2026, 1, 31), [date(2026, 2, 28), date(2026, 4, 30), date(2026, 7, 31)]),
        (date(2027, 8, 31), [date(2027, 9, 30), date(2027, 11, 30), date(2028, 2, 29)]),
        (date(2026, 12, 31), [date(2027, 1, 31), date(2027, 3, 31), date(2027, 6, 30)]),
    ],
)
def test_follow_up_dates_at_month_ends(handed_over, expected):
    assert follow_up_due_dates(handed_over) == expected


def test_follow_up_months_are_a_parameter():
    assert follow_up_due_dates(date(2026, 1, 15), months=(2, 12)) == [
        date(2026, 3, 15),
        date(2027, 1, 15),
    ]


# Steps of a plan


def plan(**values):
    base = {
        "status": "open",
        "caregiver_name": "",
        "caregiver_relationship": "",
        "caregiver_location": "",
        "caregiver_contact": "",
        "assessed_on": None,
        "home_is_suitable": None,
        "handed_over_on": None,
        "close_reason": "",
    }
    return SimpleNamespace(**{**base, **values})


OPENED = date(2026, 5, 1)
IDENTIFIED = {
    "status": "caregiver_identified",
    "caregiver_name": "Chea",
    "caregiver_relationship": "grandparent",
    "caregiver_location": "Takeo",
}
ASSESSED = {**IDENTIFIED, "status": "assessed", "assessed_on": date(2026, 5, 10)}


def step_errors(p, status, fields=None, pending=0):
    return rules.plan_step_errors(
        p, status, fields or {}, today=ON, opened_on=OPENED, follow_ups_pending=pending
    )


def test_caregiver_identified_needs_name_relationship_and_where_or_how_to_reach():
    errors = step_errors(plan(), "caregiver_identified")
    assert set(errors) == {"caregiver_name", "caregiver_relationship", "caregiver_location"}
    assert step_errors(plan(), "caregiver_identified", {**IDENTIFIED}) == {}
    contact_only = {**IDENTIFIED, "caregiver_location": "", "caregiver_contact": "012"}
    assert step_errors(plan(), "caregiver_identified", contact_only) == {}


def test_assessed_needs_a_date_and_an_answer():
    errors = step_errors(plan(**IDENTIFIED), "assessed")
    assert set(errors) == {"assessed_on", "home_is_suitable"}
    fine = {"assessed_on": date(2026, 5, 10), "home_is_suitable": False}
    assert step_errors(plan(**IDENTIFIED), "assessed", fine) == {}


@pytest.mark.parametrize(
    ("assessed_on", "message"),
    [(date(2026, 6, 16), "future"), (date(2026, 4, 30), "before the plan was opened")],
)
def test_assessment_date_within_the_plan(assessed_on, message):
    fields = {"assessed_on": assessed_on, "home_is_suitable": True}
    assert message in step_errors(plan(**IDENTIFIED), "assessed", fields)["assessed_on"]


def test_an_unsuitable_home_stops_the_handover():
    p = plan(**ASSESSED, home_is_suitable=False)
    errors = step_errors(p, "handed_over", {"handed_over_on": date(2026, 6, 1)})
    assert "another caregiver" in errors["home_is_suitable"]


@pytest.mark.parametrize(
    ("handed_over_on", "message"),
    [
        (None, "Enter the date"),
        (date(2026, 6, 16), "future"),
        (date(2026, 4, 1), "before the plan was opened"),
        (date(2026, 5, 9), "before the home was assessed"),
    ],
)
def test_handover_date(handed_over_on, message):
    p = plan(**ASSESSED, home_is_suitable=True)
    errors = step_errors(p, "handed_over", {"handed_over_on": handed_over_on})
    assert message in errors["handed_over_on"]
    assert step_errors(p, "handed_over", {"handed_over_on": date(2026, 6, 15)}) == {}


@pytest.mark.parametrize(
    ("current", "target"),
    [("open", "assessed"), ("open", "handed_over"), ("caregiver_identified", "followed_up")],
)
def test_no_step_is_skipped(current, target):
    assert "Complete the next step first" in step_errors(plan(status=current), target)["status"]


def test_no_step_back_and_no_standing_still():
    assert "back" in step_errors(plan(**ASSESSED), "caregiver_identified")["status"]
    assert "already" in step_errors(plan(**ASSESSED), "assessed")["status"]


def test_followed_up_only_when_every_visit_is_done():
    handed_over = {**ASSESSED, "home_is_suitable": True, "handed_over_on": date(2026, 5, 20)}
    p = plan(**{**handed_over, "status": "handed_over"})
    assert "2 follow-up visits" in step_errors(p, "followed_up", pending=2)["status"]
    assert step_errors(p, "followed_up", pending=0) == {}


@pytest.mark.parametrize("status", ["open", "caregiver_identified", "assessed", "handed_over"])
def test_closing_early_only_when_the_plan_is_not_needed(status):
    p = plan(status=status)
    assert step_errors(p, "closed", {"close_reason": "left_with_mother"}) == {}
    assert step_errors(p, "closed", {"close_reason": "not_needed"}) == {}
    assert "close_reason" in step_errors(p, "closed", {"close_reason": "completed"})
    assert "close_reason" in step_errors(p, "closed", {"close_reason": "other"})


def test_closing_needs_a_reason_and_after_follow_up_any_reason_does():
    p = plan(status="followed_up")
    assert "Say why" in step_errors(p, "closed")["close_reason"]
    assert step_errors(p, "closed", {"close_reason": "completed"}) == {}
    assert "closed_on" in step_errors(
        p, "closed", {"close_reason": "other", "closed_on": ON.replace(day=16)}
    )


def test_a_closed_plan_does_not_move():
    assert "reopen" in step_errors(plan(status="closed"), "open")["status"]


@pytest.mark.parametrize(
    ("values", "pending", "has_follow_ups", "expected"),
    [
        ({}, 0, False, "open"),
        (IDENTIFIED, 0, False, "caregiver_identified"),
        ({**ASSESSED, "home_is_suitable": False}, 0, False, "assessed"),
        ({**ASSESSED, "home_is_suitable": True, "handed_over_on": ON}, 2, True, "handed_over"),
        ({**ASSESSED, "home_is_suitable": True, "handed_over_on": ON}, 0, True, "followed_up"),
    ],
)
def test_a_reopened_plan_returns_to_the_step_its_details_support(
    values, pending, has_follow_ups, expected
):
    p = plan(**{**values, "status": "closed"})
    assert rules.status_after_reopen(p, pending, has_follow_ups) == expected


def test_a_new_caregiver_resets_an_assessment():
    assert rules.resets_assessment("assessed", ["caregiver_name"])
    assert rules.resets_assessment("assessed", ["caregiver_location"])
    assert not rules.resets_assessment("assessed", ["caregiver_contact"])
    assert not rules.resets_assessment("caregiver_identified", ["caregiver_name"])


def test_after_the_handover_the_caregiver_is_history():
    errors = rules.caregiver_change_errors("handed_over", ["caregiver_name", "caregiver_contact"])
    assert set(errors) == {"caregiver_name"}
    assert rules.caregiver_change_errors("assessed", ["caregiver_name"]) == {}
