"""The merged timeline of a woman's record and the child-age format, without a request."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from motherline.people import queries, services
from motherline.people.timeline import (
    Event,
    age_in_months,
    build_timeline,
    child_summaries,
    format_age_months,
    pregnancy_summaries,
)
from tests.factories import (
    TODAY,
    admit,
    child_in_prison,
    child_outside,
    children_of,
    current_version,
    ongoing_pregnancy,
    reload,
)


@pytest.mark.parametrize(
    ("birth", "on", "months"),
    [
        (date(2024, 2, 20), date(2026, 6, 15), 27),
        (date(2024, 2, 20), date(2024, 2, 20), 0),
        (date(2024, 1, 31), date(2024, 2, 29), 0),
        (date(2024, 1, 31), date(2024, 3, 1), 1),
        (date(2023, 6, 15), date(2026, 6, 15), 36),
        (date(2023, 6, 16), date(2026, 6, 15), 35),
        (date(2026, 7, 1), date(2026, 6, 15), 0),  # not born yet: never negative
    ],
)
def test_age_in_months(birth, on, months):
    assert age_in_months(birth, on) == months


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (0, "0 months"),
        (1, "1 month"),
        (11, "11 months"),
        (12, "1 year"),
        (13, "1 year 1 month"),
        (27, "2 years 3 months"),
        (36, "3 years"),
    ],
)
def test_format_age_months(months, text):
    assert format_age_months(months) == text


def test_timeline_merges_custody_pregnancy_and_children_in_date_order(users, prisons):
    monitor = users["monitor"]
    admitted = TODAY - timedelta(days=200)
    w = admit(
        monitor,
        prisons["CC2"],
        admission_date=admitted,
        children=[child_in_prison(date(2025, 1, 10), name="Bopha")],
    )
    services.record_pregnancy(monitor, reload(w), admitted + timedelta(days=10), today=TODAY)
    services.record_transfer(
        monitor,
        reload(w).current_episode,
        prisons["KDL"],
        admitted + timedelta(days=20),
        today=TODAY,
        version=current_version(reload(w).current_episode),
    )
    services.record_legal_status(
        monitor,
        reload(w).current_episode,
        "convicted",
        admitted + timedelta(days=30),
        sentence_months=12,
        today=TODAY,
        version=current_version(reload(w).current_episode),
    )
    services.record_pregnancy_outcome(
        monitor,
        ongoing_pregnancy(w),
        "birth_in_prison",
        admitted + timedelta(days=150),
        child_name="Nary",
        today=TODAY,
    )
    services.record_release(
        monitor,
        reload(w).current_episode,
        admitted + timedelta(days=190),
        "royal_pardon",
        today=TODAY,
        version=current_version(reload(w).current_episode),
    )

    events = build_timeline(queries.woman_detail(monitor, w.reference))

    assert all(isinstance(e, Event) for e in events)
    assert [e.date for e in events] == sorted(e.date for e in events)
    summary = [(e.date - admitted).days if e.date >= admitted else None for e in events]
    kinds = [e.kind for e in events]
    # Bopha's birth came before the admission.
    assert kinds[0] == "birth" and summary[0] is None and "Bopha" in events[0].text
    after = list(zip(summary[1:], kinds[1:], strict=True))
    assert after == [
        (0, "admission"),
        (0, "placement"),  # Bopha lives in prison from the admission
        (10, "pregnancy"),
        (20, "transfer"),
        (20, "placement"),  # Bopha moved with her mother
        (30, "legal_status"),
        (150, "pregnancy_outcome"),
        (150, "birth"),
        (150, "placement"),  # Nary born in custody, at KDL
        (190, "placement"),  # both children leave with her
        (190, "placement"),
        (190, "release"),
    ]
    texts = {e.kind: e.text for e in events}
    assert texts["admission"] == "Admitted to Correctional Centre 2 (Pretrial)."
    assert texts["transfer"] == (
        "Transferred from Correctional Centre 2 to Kandal Provincial Prison."
    )
    assert texts["legal_status"] == "Legal status changed to: Convicted at first instance."
    assert texts["pregnancy_outcome"] == "Pregnancy ended: Birth in prison."
    assert texts["release"] == "Released (Royal pardon)."
    nary_born = [e for e in events if e.kind == "placement" and (e.date - admitted).days == 150]
    assert nary_born[0].text == "Nary lives in prison with the mother at Kandal Provincial Prison."
    assert len(children_of(w)) == 2


def test_timeline_runs_no_query(users, prisons, django_assert_num_queries):
    w = admit(
        users["monitor"],
        prisons["CC2"],
        is_pregnant=True,
        children=[child_in_prison(date(2025, 1, 10))],
    )
    loaded = queries.woman_detail(users["monitor"], w.reference)
    with django_assert_num_queries(0):
        events = build_timeline(loaded)
    assert {e.kind for e in events} == {"admission", "pregnancy", "birth", "placement"}


def test_unnamed_child_is_shown_by_reference(users, prisons):
    w = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2025, 1, 10))])
    child = children_of(w)[0]
    events = build_timeline(queries.woman_detail(users["monitor"], w.reference))
    assert f"Birth of {child.reference}." in [e.text for e in events]


def test_child_and_pregnancy_summaries(users, prisons, django_assert_num_queries):
    monitor = users["monitor"]
    w = admit(
        monitor,
        prisons["CC2"],
        is_pregnant=True,
        admission_date=TODAY - timedelta(days=60),
        children=[child_in_prison(date(2025, 1, 10)), child_outside(date(2015, 1, 1))],
    )
    services.record_pregnancy_outcome(
        monitor, ongoing_pregnancy(w), "birth_in_prison", TODAY - timedelta(days=5), today=TODAY
    )
    services.record_pregnancy(monitor, reload(w), TODAY - timedelta(days=1), today=TODAY)
    loaded = queries.woman_detail(monitor, w.reference)
    with django_assert_num_queries(0):
        kids = child_summaries(loaded)
        pregnancies = pregnancy_summaries(loaded)
    assert [k.is_in_prison for k in kids] == [False, True, True]  # by date of birth
    assert kids[0].current_placement.caregiver_relationship == "grandparent"
    born = [k.child for k in kids if k.child.born_in_custody]
    by_outcome = {p.pregnancy.outcome: p.child for p in pregnancies}
    assert by_outcome == {"": None, "birth_in_prison": born[0]}
