from datetime import date

import pytest

from motherline.jurisdictions.rules import (
    DEFAULT_READINGS,
    FIRST_DAY_OF_NEXT_MONTH,
    LIMIT_AT_ENTRY,
    AgeLimit,
    PretrialLimit,
    Stated,
    StatedRules,
    add_months,
    age_limit_rule_on,
    birth_registration_due,
    is_in_force,
    leave_by_date,
    pretrial_deadline,
    pretrial_limit_on,
)

# Cambodia: six years until the 2011 Law on Prisons, three years after it.
KH_AGE_LIMITS = [
    AgeLimit(max_age_months=72, effective_to=date(2011, 11, 30)),
    AgeLimit(max_age_months=36, effective_from=date(2011, 12, 1)),
]
NEW_RULE = date(2011, 12, 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 3, 31), 1, date(2024, 4, 30)),
        (date(2024, 3, 31), -1, date(2024, 2, 29)),
        (date(2024, 11, 15), 2, date(2025, 1, 15)),
        (date(2025, 1, 15), -13, date(2023, 12, 15)),
        (date(2012, 2, 29), 12, date(2013, 2, 28)),
        (date(2012, 2, 29), 48, date(2016, 2, 29)),
        (date(2020, 5, 17), 0, date(2020, 5, 17)),
    ],
)
def test_add_months_clamps_to_the_end_of_the_month(start, months, expected):
    assert add_months(start, months) == expected


def test_rule_in_force_includes_both_ends_of_its_period():
    rule = AgeLimit(36, effective_from=date(2011, 12, 1), effective_to=date(2020, 1, 1))
    assert not is_in_force(rule, date(2011, 11, 30))
    assert is_in_force(rule, date(2011, 12, 1))
    assert is_in_force(rule, date(2020, 1, 1))
    assert not is_in_force(rule, date(2020, 1, 2))


def test_age_limit_rule_on_picks_the_rule_of_the_day():
    assert age_limit_rule_on(KH_AGE_LIMITS, date(1995, 1, 1)).max_age_months == 72
    assert age_limit_rule_on(KH_AGE_LIMITS, date(2011, 11, 30)).max_age_months == 72
    assert age_limit_rule_on(KH_AGE_LIMITS, NEW_RULE).max_age_months == 36
    assert age_limit_rule_on(KH_AGE_LIMITS, date(2030, 1, 1)).max_age_months == 36
    assert age_limit_rule_on([], date(2030, 1, 1)) is None


def test_overlapping_rules_resolve_to_the_most_recent():
    rules = [AgeLimit(72), AgeLimit(36, effective_from=NEW_RULE)]
    assert age_limit_rule_on(rules, date(2010, 1, 1)).max_age_months == 72
    assert age_limit_rule_on(rules, date(2012, 1, 1)).max_age_months == 36
    assert leave_by_date(date(2006, 3, 10), rules) == NEW_RULE


def test_child_born_2009_leaves_on_third_birthday():
    assert leave_by_date(date(2009, 6, 15), KH_AGE_LIMITS) == date(2012, 6, 15)


def test_child_born_2012_leaves_on_third_birthday():
    assert leave_by_date(date(2012, 3, 10), KH_AGE_LIMITS) == date(2015, 3, 10)


def test_child_born_2006_is_over_age_the_day_the_three_year_rule_starts():
    # Under the old rule it could stay until 10 March 2012, but from 1 December 2011 the limit
    # is three years and the child is already five.
    assert leave_by_date(date(2006, 3, 10), KH_AGE_LIMITS) == NEW_RULE


def test_child_turning_three_on_the_day_of_the_change_leaves_that_day():
    assert leave_by_date(date(2008, 12, 1), KH_AGE_LIMITS) == NEW_RULE


def test_child_reaching_six_under_the_old_rule_leaves_on_sixth_birthday():
    assert leave_by_date(date(2004, 1, 1), KH_AGE_LIMITS) == date(2010, 1, 1)


def test_leap_day_birth_reaches_three_years_on_28_february():
    assert leave_by_date(date(2012, 2, 29), KH_AGE_LIMITS) == date(2015, 2, 28)


def test_leap_day_birth_reaches_four_years_on_29_february():
    kenya = [AgeLimit(max_age_months=48)]
    assert leave_by_date(date(2012, 2, 29), kenya) == date(2016, 2, 29)


def test_child_admitted_over_age_must_leave_on_admission():
    admitted = date(2013, 5, 5)
    assert leave_by_date(date(2010, 1, 1), KH_AGE_LIMITS, admitted) == admitted


def test_admission_before_the_limit_does_not_move_the_date():
    assert leave_by_date(date(2013, 1, 1), KH_AGE_LIMITS, date(2014, 6, 1)) == date(2016, 1, 1)


def test_extension_is_added_only_when_asked_and_allowed():
    rules = [AgeLimit(36, extension_allowed=True, max_extension_months=6)]
    assert leave_by_date(date(2020, 1, 15), rules) == date(2023, 1, 15)
    assert leave_by_date(date(2020, 1, 15), rules, with_extension=True) == date(2023, 7, 15)
    no_extension = [AgeLimit(36, max_extension_months=6)]
    assert leave_by_date(date(2020, 1, 15), no_extension, with_extension=True) == date(2023, 1, 15)


def test_no_rule_means_no_leave_by_date():
    assert leave_by_date(date(2020, 1, 1), []) is None
    # Only a rule that ended before the child reached its limit.
    ended = [AgeLimit(72, effective_to=date(2011, 11, 30))]
    assert leave_by_date(date(2010, 1, 1), ended) is None


def test_a_gap_between_rules_is_skipped():
    # The child turns three in mid-2015, when no rule applies.
    before = AgeLimit(36, effective_to=date(2014, 12, 31))
    later_four = AgeLimit(48, effective_from=date(2016, 1, 1))
    assert leave_by_date(date(2012, 6, 1), [before, later_four]) == date(2016, 6, 1)
    later_two = AgeLimit(24, effective_from=date(2016, 1, 1))
    assert leave_by_date(date(2012, 6, 1), [before, later_two]) == date(2016, 1, 1)


KH_PRETRIAL = [
    PretrialLimit("felony", 540, effective_from=date(2007, 8, 10)),
    PretrialLimit("misdemeanour", 180, effective_from=date(2007, 8, 10)),
    PretrialLimit("felony", 120, applies_to_minors=True, effective_from=date(2007, 8, 10)),
]


def test_pretrial_limit_by_class_and_age():
    on = date(2020, 1, 1)
    assert pretrial_limit_on(KH_PRETRIAL, "felony", False, on).max_days == 540
    assert pretrial_limit_on(KH_PRETRIAL, "misdemeanour", False, on).max_days == 180
    assert pretrial_limit_on(KH_PRETRIAL, "felony", True, on).max_days == 120


def test_minor_without_a_minors_rule_gets_the_general_rule():
    assert pretrial_limit_on(KH_PRETRIAL, "misdemeanour", True, date(2020, 1, 1)).max_days == 180


def test_no_pretrial_limit_before_the_code_or_for_an_unknown_class():
    assert pretrial_limit_on(KH_PRETRIAL, "felony", False, date(2007, 8, 9)) is None
    assert pretrial_limit_on(KH_PRETRIAL, "petty", False, date(2020, 1, 1)) is None


def test_pretrial_limit_follows_a_change_of_rule():
    rules = [
        PretrialLimit("felony", 90, effective_to=date(2014, 12, 21)),
        PretrialLimit("felony", 60, effective_from=date(2014, 12, 22)),
    ]
    assert pretrial_limit_on(rules, "felony", False, date(2014, 12, 21)).max_days == 90
    assert pretrial_limit_on(rules, "felony", False, date(2014, 12, 22)).max_days == 60


def test_pretrial_deadline_uses_the_rule_when_detention_began():
    assert pretrial_deadline(date(2020, 1, 1), KH_PRETRIAL, "misdemeanour", False) == date(
        2020, 6, 29
    )
    assert pretrial_deadline(date(2000, 1, 1), KH_PRETRIAL, "felony", False) is None


# The pack's readings (pack.toml [rules]): each reading gives its own date, and the default
# is the reading Motherline always applied.

KEEPS_OLD = StatedRules(age_limit_change=Stated(LIMIT_AT_ENTRY))
MARCH_1 = StatedRules(leap_day=Stated(FIRST_DAY_OF_NEXT_MONTH))


def test_a_child_in_prison_when_the_limit_fell_takes_the_new_limit_by_default():
    # Born 2008, in prison since birth: over three when the three-year rule began.
    assert leave_by_date(date(2008, 6, 1), KH_AGE_LIMITS) == date(2011, 12, 1)
    assert leave_by_date(date(2008, 6, 1), KH_AGE_LIMITS, readings=DEFAULT_READINGS) == date(
        2011, 12, 1
    )


def test_with_the_other_reading_a_child_keeps_the_limit_in_force_on_entering_prison():
    # Same child: the six-year limit in force at birth stands.
    assert leave_by_date(date(2008, 6, 1), KH_AGE_LIMITS, readings=KEEPS_OLD) == date(2014, 6, 1)
    # Born in 2008 but brought into prison after the change: the new limit, from entry.
    assert leave_by_date(
        date(2008, 6, 1), KH_AGE_LIMITS, readings=KEEPS_OLD, entered_on=date(2012, 1, 5)
    ) == date(2011, 6, 1)
    # Born after the change: the two readings agree.
    assert leave_by_date(date(2013, 3, 4), KH_AGE_LIMITS, readings=KEEPS_OLD) == date(2016, 3, 4)


def test_a_birthday_on_29_february_is_counted_as_the_pack_reads_it():
    assert leave_by_date(date(2020, 2, 29), KH_AGE_LIMITS) == date(2023, 2, 28)
    assert leave_by_date(date(2020, 2, 29), KH_AGE_LIMITS, readings=MARCH_1) == date(2023, 3, 1)
    # In a leap year the birthday exists under both readings.
    assert leave_by_date(date(2020, 2, 29), [AgeLimit(48)], readings=MARCH_1) == date(2024, 2, 29)
    assert add_months(date(2024, 1, 31), 1, FIRST_DAY_OF_NEXT_MONTH) == date(2024, 3, 1)


def test_the_birth_registration_period_in_days_or_months():
    assert birth_registration_due(date(2026, 1, 31), ("days", 30)) == date(2026, 3, 2)
    assert birth_registration_due(date(2025, 8, 31), ("months", 6)) == date(2026, 2, 28)


def test_stated_rules_without_a_statement_are_the_default_readings():
    rules = StatedRules.of({})
    assert rules.birth_registration is None
    assert rules == DEFAULT_READINGS
    assert not rules.keeps_limit_at_entry
