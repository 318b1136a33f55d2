"""The worklist's rules: urgency buckets, each kind of deadline, and the age limit across
Cambodia's 2011 change, leap days, extensions, births in custody, transfers and releases."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motherline.care.models import LeaveExtension
from motherline.jurisdictions.models import AgeLimitRule
from motherline.jurisdictions.rules import (
    FIRST_DAY_OF_NEXT_MONTH,
    LIMIT_AT_ENTRY,
    AgeLimit,
    PretrialLimit,
    Stated,
    StatedRules,
)
from motherline.people import services
from motherline.worklist import rules
from motherline.worklist.queries import WorklistFilters, worklist_for
from motherline.worklist.rules import Kind, Place, Subject, Urgency
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, current_version, ongoing_pregnancy

# The test jurisdiction's rules (tests/conftest.py): six years until 13 November 2011,
# three years from 14 November 2011.
KH = [
    AgeLimit(72, effective_to=date(2011, 11, 13)),
    AgeLimit(36, effective_from=date(2011, 11, 14)),
]
WITH_EXTENSION = [AgeLimit(36, extension_allowed=True, max_extension_months=6)]
PRETRIAL = [
    PretrialLimit("felony", 540, effective_from=date(2007, 8, 10)),
    PretrialLimit("misdemeanour", 180, effective_from=date(2007, 8, 10)),
    PretrialLimit("felony", 120, applies_to_minors=True, effective_from=date(2007, 8, 10)),
    PretrialLimit("misdemeanour", 60, applies_to_minors=True, effective_from=date(2007, 8, 10)),
]
SUBJECT = Subject("C-TEST", "child", "/children/C-TEST/", "Secret Name", "W-TEST")
WOMAN = Subject("W-TEST", "woman", "/women/W-TEST/", "Secret Name")
PLACE = Place("CC2", "Correctional Centre 2", "KH-12", "Phnom Penh")


def child_item(dob: date, as_of: date, rules_=KH, **facts):
    return rules.child_age_limit_item(
        rules.ChildInPrison(SUBJECT, PLACE, dob, **facts), rules_, as_of
    )


# Urgency


@pytest.mark.parametrize(
    ("days_ahead", "expected"),
    [
        (-400, Urgency.OVERDUE),
        (-1, Urgency.OVERDUE),
        (0, Urgency.THIS_WEEK),
        (7, Urgency.THIS_WEEK),
        (8, Urgency.WITHIN_30),
        (30, Urgency.WITHIN_30),
        (31, Urgency.WITHIN_90),
        (90, Urgency.WITHIN_90),
        (91, None),
    ],
)
def test_urgency_buckets_at_their_boundaries(days_ahead, expected):
    assert rules.urgency(TODAY + timedelta(days=days_ahead), TODAY) == expected


@pytest.mark.parametrize(
    ("leave_by_in", "expected"),
    [
        (-1, Urgency.OVERDUE),
        (0, Urgency.THIS_WEEK),
        (7, Urgency.THIS_WEEK),
        (8, Urgency.WITHIN_30),
        (30, Urgency.WITHIN_30),
        (31, Urgency.WITHIN_90),
        (90, Urgency.WITHIN_90),
        (91, None),
    ],
)
def test_a_child_enters_each_bucket_on_the_exact_day(leave_by_in, expected):
    due = TODAY + timedelta(days=leave_by_in)
    dob = date(due.year - 3, due.month, due.day)
    item = child_item(dob, TODAY)
    if expected is None:
        assert item is None
    else:
        assert item.due_date == due
        assert item.urgency == expected


# The age limit


def test_child_born_2009_leaves_at_three_under_the_2011_law():
    item = child_item(date(2009, 6, 15), as_of=date(2012, 5, 1))
    assert item.due_date == date(2012, 6, 15)
    assert item.urgency == Urgency.WITHIN_90
    assert "3 years" in item.why


def test_child_born_2012_leaves_on_the_third_birthday():
    assert child_item(date(2012, 3, 10), as_of=date(2015, 3, 1)).due_date == date(2015, 3, 10)


def test_child_already_over_three_when_the_law_changed_leaves_that_day():
    item = child_item(date(2007, 3, 10), as_of=date(2011, 11, 1))
    assert item.due_date == date(2011, 11, 14)
    assert item.urgency == Urgency.WITHIN_30


def test_before_the_change_a_child_of_four_was_not_due():
    # Under the six-year rule a four-year-old could stay; nothing is due within 90 days
    # read in June 2010 (the law had not changed yet, but the item shows the day it applies).
    item = child_item(date(2006, 3, 10), as_of=date(2010, 6, 1))
    assert item is None


def test_leap_day_birth_reaches_three_on_28_february():
    item = child_item(date(2024, 2, 29), as_of=date(2027, 2, 28))
    assert item.due_date == date(2027, 2, 28)
    assert item.urgency == Urgency.THIS_WEEK
    assert child_item(date(2024, 2, 29), as_of=date(2027, 3, 1)).urgency == Urgency.OVERDUE


def test_an_approved_extension_moves_the_date_within_the_packs_maximum():
    dob = date(2023, 6, 1)
    as_of = date(2026, 9, 15)
    assert child_item(dob, as_of, WITH_EXTENSION).due_date == date(2026, 6, 1)
    extended = child_item(dob, as_of, WITH_EXTENSION, extension_months=3)
    assert extended.due_date == date(2026, 9, 1)
    assert "extension of 3 months" in extended.why
    capped = child_item(dob, as_of, WITH_EXTENSION, extension_months=12)
    assert capped.due_date == date(2026, 12, 1)
    assert "extension of 6 months" in capped.why
    # Where the pack allows no extension, a recorded one does not count.
    assert child_item(dob, as_of, KH, extension_months=3).due_date == date(2026, 6, 1)


def test_status_says_whether_a_plan_exists_and_how_late():
    dob = date(2023, 6, 1)
    assert child_item(dob, date(2026, 5, 1)).status == "no plan"
    planned = child_item(dob, date(2026, 5, 1), plan_status="caregiver_identified")
    assert planned.status == "plan: caregiver identified"
    assert child_item(dob, date(2026, 6, 13)).status == "no plan; overdue by 12 days"


def test_no_rule_no_item():
    assert child_item(date(2023, 6, 1), TODAY, rules_=[]) is None


def test_birth_window_includes_every_child_due_by_the_day():
    day = date(2026, 9, 13)
    latest = rules.earliest_birth_reaching_limit_after(day, KH)
    # Every birth date up to the bound may be due; no later one is.
    assert rules.child_age_limit_item(
        rules.ChildInPrison(SUBJECT, PLACE, date(2023, 9, 13)), KH, TODAY
    )
    for dob in (latest + timedelta(days=1), latest + timedelta(days=30)):
        assert child_item(dob, TODAY) is None
    # Month ends: a child born on 29 February 2024 is three on 28 February 2027.
    end_feb = rules.earliest_birth_reaching_limit_after(date(2027, 2, 28), KH)
    assert end_feb >= date(2024, 2, 29)


# Women in custody


def pretrial_item(detained: date, offence_class: str, minor: bool = False, as_of=TODAY):
    return rules.pretrial_limit_item(
        rules.InPretrial(WOMAN, PLACE, detained, offence_class, minor), PRETRIAL, as_of
    )


def test_pretrial_limit_by_offence_class_and_minor_status():
    detained = TODAY - timedelta(days=170)
    misdemeanour = pretrial_item(detained, "misdemeanour")
    assert misdemeanour.due_date == detained + timedelta(days=180)
    assert misdemeanour.urgency == Urgency.WITHIN_30
    assert "180 days" in misdemeanour.why
    assert pretrial_item(detained, "felony") is None  # 540 days: not within 90
    minor = pretrial_item(detained, "misdemeanour", minor=True)
    assert minor.urgency == Urgency.OVERDUE
    assert minor.status == "overdue by 110 days"
    assert pretrial_item(detained, "") is None  # no charge recorded: no known limit
    assert pretrial_item(detained, "petty") is None  # the pack sets none


def test_most_serious_charge_decides_the_class():
    assert rules.most_serious_class(["petty", "felony", "misdemeanour"]) == "felony"
    assert rules.most_serious_class(["petty", "misdemeanour"]) == "misdemeanour"
    assert rules.most_serious_class([]) == ""


def test_expected_delivery_and_release():
    delivery = rules.expected_delivery_item(
        rules.Pregnant(WOMAN, PLACE, TODAY + timedelta(days=3)), TODAY
    )
    assert (delivery.kind, delivery.urgency, delivery.status) == (
        Kind.EXPECTED_DELIVERY,
        Urgency.THIS_WEEK,
        "due in 3 days",
    )
    late = rules.expected_delivery_item(rules.Pregnant(WOMAN, PLACE, TODAY - timedelta(1)), TODAY)
    assert "record the outcome" in late.why
    release = rules.expected_release_item(
        rules.ExpectedRelease(WOMAN, PLACE, TODAY + timedelta(days=45), children_in_prison=1),
        TODAY,
    )
    assert release.urgency == Urgency.WITHIN_90
    assert release.status == "due in 45 days; 1 child in prison"
    assert "leaves with her" in release.why
    far = rules.ExpectedRelease(WOMAN, PLACE, TODAY + timedelta(days=91))
    assert rules.expected_release_item(far, TODAY) is None


def test_follow_up_and_plan_steps():
    follow_up = rules.follow_up_item(
        rules.PlanFollowUp(SUBJECT, PLACE, TODAY, handed_over_on=TODAY - timedelta(days=30)),
        TODAY,
    )
    assert (follow_up.kind, follow_up.status) == (Kind.FOLLOW_UP_DUE, "due today")

    def plan(status, due_in, handover_in=None, handed=None):
        return rules.plan_step_item(
            rules.OpenPlan(
                SUBJECT,
                PLACE,
                status,
                TODAY + timedelta(days=due_in),
                TODAY + timedelta(days=handover_in) if handover_in is not None else None,
                handed,
            ),
            TODAY,
        )

    behind = plan("open", 30)
    assert (behind.kind, behind.due_date, behind.status) == (
        Kind.PLAN_STEP_OVERDUE,
        TODAY + timedelta(days=30),
        "plan: open",
    )
    assert plan("caregiver_identified", 10).status == "plan: caregiver identified"
    assert plan("open", 31) is None  # not yet behind
    assert plan("assessed", 5) is None  # the home is assessed: on track
    missed = plan("assessed", 5, handover_in=-2)
    assert missed.due_date == TODAY - timedelta(days=2)
    assert missed.urgency == Urgency.OVERDUE
    assert plan("handed_over", 5, handover_in=-2, handed=TODAY - timedelta(days=2)) is None


THIRTY_DAYS = Stated(("days", 30), "A source", "Prakas on civil registration", False)


def test_a_birth_is_due_the_packs_period_after_it_and_asked_for_until_18():
    born = TODAY - timedelta(days=40)
    item = rules.birth_not_registered_item(
        rules.UnregisteredChild(SUBJECT, PLACE, born, in_prison=True, period=THIRTY_DAYS), TODAY
    )
    assert item.due_date == born + timedelta(days=30)
    assert item.urgency == Urgency.OVERDUE
    assert "lives in prison" in item.why
    assert "within 30 days" in item.why
    assert "Prakas on civil registration (not verified)" in item.why
    # A baby born yesterday is not overdue: due in 29 days.
    baby = rules.birth_not_registered_item(
        rules.UnregisteredChild(
            SUBJECT, PLACE, TODAY - timedelta(days=1), in_prison=True, period=THIRTY_DAYS
        ),
        TODAY,
    )
    assert baby.urgency == Urgency.WITHIN_30
    # Six months (Kenya) count in calendar months.
    six = Stated(("months", 6))
    kenyan = rules.birth_not_registered_item(
        rules.UnregisteredChild(SUBJECT, PLACE, date(2026, 1, 31), True, six), TODAY
    )
    assert kenyan.due_date == date(2026, 7, 31)
    # Never for a child of 18 or more (the eve of the 18th birthday is the last day).
    adult_tomorrow = date(TODAY.year - 18, TODAY.month, TODAY.day + 1)
    assert rules.birth_not_registered_item(
        rules.UnregisteredChild(SUBJECT, PLACE, adult_tomorrow, False, THIRTY_DAYS), TODAY
    )
    adult = date(TODAY.year - 18, TODAY.month, TODAY.day)
    assert (
        rules.birth_not_registered_item(
            rules.UnregisteredChild(SUBJECT, PLACE, adult, False, THIRTY_DAYS), TODAY
        )
        is None
    )
    # Without a period in the pack there is nothing to ask for.
    assert (
        rules.birth_not_registered_item(rules.UnregisteredChild(SUBJECT, PLACE, born, True), TODAY)
        is None
    )


def test_an_item_leaves_the_system_without_a_name():
    item = child_item(date(2023, 7, 1), TODAY)
    out = item.as_json(TODAY)
    assert out["subject"] == "C-TEST"
    assert "Secret Name" not in str(out)
    assert out["key"] == "child_age_limit:C-TEST:2026-07-01"


# In the register: the same rules read from the database


def child_items(user, **filters):
    return [
        i
        for i in worklist_for(user, TODAY, WorklistFilters(**filters))
        if i.kind == Kind.CHILD_AGE_LIMIT
    ]


def test_child_born_in_custody_is_on_the_list_from_birth(users, prisons):
    monitor = users["monitor"]
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=date(2023, 1, 10),
        is_pregnant=True,
        pregnancy_known_since=date(2023, 1, 10),
        expected_delivery_date=date(2023, 7, 20),
    )
    services.record_pregnancy_outcome(
        monitor, ongoing_pregnancy(woman), "birth_in_prison", date(2023, 7, 18), today=TODAY
    )
    [item] = child_items(monitor)
    child = woman.children.get()
    assert child.born_in_custody
    assert item.subject.reference == child.reference
    assert item.due_date == date(2026, 7, 18)
    assert item.place.prison_code == "CC2"


def test_transferred_mother_the_item_shows_the_current_prison(users, prisons):
    monitor = users["monitor"]
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=date(2025, 1, 10),
        children=[child_in_prison(date(2023, 7, 1))],
    )
    services.record_transfer(
        monitor,
        woman.current_episode,
        prisons["KDL"],
        date(2026, 2, 1),
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    [item] = child_items(monitor)
    assert item.place.prison_code == "KDL"
    assert item.place.province_code == "KH-8"
    assert child_items(monitor, prison="CC2") == []
    assert [i.subject.reference for i in child_items(monitor, prison="KDL")] == [
        item.subject.reference
    ]


def test_mother_released_before_the_leave_by_date_takes_the_child_off_the_list(users, prisons):
    monitor = users["monitor"]
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=date(2025, 1, 10),
        children=[child_in_prison(date(2023, 7, 1))],
    )
    assert len(child_items(monitor)) == 1
    services.record_release(
        monitor,
        woman.current_episode,
        TODAY - timedelta(days=1),
        "royal_pardon",
        today=TODAY,
        version=current_version(woman.current_episode),
    )
    assert child_items(monitor) == []


def test_an_extension_recorded_for_the_child_counts_where_the_pack_allows(users, prisons):
    monitor = users["monitor"]
    AgeLimitRule.objects.filter(max_age_months=36).update(
        extension_allowed=True, max_extension_months=6
    )
    woman = admit(monitor, prisons["CC2"], children=[child_in_prison(date(2023, 6, 1))])
    child = woman.children.get()
    assert child_items(monitor)[0].due_date == date(2026, 6, 1)
    LeaveExtension.objects.create(
        child=child,
        months=1,
        reason="Caregiver in hospital",
        approved_by="Prison director",
        approved_on=date(2026, 5, 20),
    )
    LeaveExtension.objects.create(
        child=child,
        months=1,
        reason="Still in hospital",
        approved_by="Prison director",
        approved_on=date(2026, 6, 1),
    )
    [item] = child_items(monitor)
    assert item.due_date == date(2026, 8, 1)
    assert item.urgency == Urgency.WITHIN_90
    assert "extension of 2 months" in item.why


def test_child_of_the_2011_change_in_the_register(users, prisons):
    # A child born in 2009 still recorded in prison: due on the third birthday in 2012,
    # long overdue now; a child born in 2023 is due on the third birthday in 2026.
    monitor = users["monitor"]
    admit(
        monitor,
        prisons["CC2"],
        admission_date=date(2010, 1, 5),
        children=[child_in_prison(date(2009, 6, 15))],
    )
    admit(monitor, prisons["CC2"], children=[child_in_prison(date(2023, 8, 1))])
    dues = sorted(i.due_date for i in child_items(monitor))
    assert dues == [date(2012, 6, 15), date(2026, 8, 1)]


def test_the_age_limit_row_says_the_reading_that_decided_a_29_february_date():
    limits = [AgeLimit(36, effective_from=date(2011, 12, 1))]
    march_1 = StatedRules(leap_day=Stated(FIRST_DAY_OF_NEXT_MONTH, "", "Civil Code art. 0", True))
    as_of = date(2027, 1, 15)
    child = rules.ChildInPrison(SUBJECT, PLACE, date(2024, 2, 29))
    default = rules.child_age_limit_item(child, limits, as_of)
    assert default.due_date == date(2027, 2, 28)
    assert "birthday on 28 February in a common year (Motherline's reading, not verified)" in (
        default.why
    )
    read = rules.child_age_limit_item(
        rules.ChildInPrison(SUBJECT, PLACE, date(2024, 2, 29), readings=march_1), limits, as_of
    )
    assert read.due_date == date(2027, 3, 1)
    assert "birthday on 1 March in a common year (Civil Code art. 0)" in read.why


def test_the_age_limit_row_says_which_limit_a_child_in_prison_before_a_change_takes():
    limits = [
        AgeLimit(72, effective_to=date(2011, 11, 30)),
        AgeLimit(36, effective_from=date(2011, 12, 1)),
    ]
    keeps = StatedRules(age_limit_change=Stated(LIMIT_AT_ENTRY))
    child = rules.ChildInPrison(SUBJECT, PLACE, date(2008, 6, 1), entered_on=date(2008, 6, 1))
    new = rules.child_age_limit_item(child, limits, date(2011, 12, 1))
    assert new.due_date == date(2011, 12, 1)
    assert "takes the new limit from the day it takes effect" in new.why
    kept = rules.child_age_limit_item(
        rules.ChildInPrison(
            SUBJECT, PLACE, date(2008, 6, 1), readings=keeps, entered_on=date(2008, 6, 1)
        ),
        limits,
        date(2014, 5, 1),
    )
    assert kept.due_date == date(2014, 6, 1)
    assert "keeps the limit in force when the child came into prison" in kept.why
