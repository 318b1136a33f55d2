"""`motherline worklist --as-of` a past day: the register as it stood that day.

A register built through the services whose history differs between the day read (DAY, 60
days before today) and today: women admitted since and released since, a status changed
since, a child handed over since and a child who came into prison since, a birth since, a
transfer since, a registration dated since. Each case's answer for DAY differs from today's.
Then the days the register cannot answer for, refused with the reason.
"""

from __future__ import annotations

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motherline.care.models import TransitionPlan
from motherline.core.actors import SystemActor
from motherline.jurisdictions.rules import add_months
from motherline.people import services
from motherline.people.models import CustodyEpisode, Pregnancy
from motherline.people.services import ChildDetails
from motherline.worklist import deadlines
from motherline.worklist.queries import WorklistFilters, worklist_for
from motherline.worklist.rules import Kind
from tests.api.conftest import Api
from tests.conftest import TODAY
from tests.factories import admit, child_in_prison, current_version, ongoing_pregnancy, reload
from tests.worklist.clock import DAY, FIRST_ADMISSION, REFUSED_DAYS

# The command line's read-only view of the whole register.
SYSTEM = SystemActor("worklist")


def run(*args: str) -> str:
    out = StringIO()
    call_command("worklist", *args, stdout=out)
    return out.getvalue()


def items_on(day, **filters):
    """(kind, subject) -> item of the system view's list read on `day`."""
    return {
        (i.kind, i.subject.reference): i
        for i in worklist_for(SYSTEM, day, WorklistFilters(**filters))
    }


@pytest.fixture
def history(users, prisons, offences, pretrial_rules):
    """Women whose records changed between DAY and today, each through the services."""
    monitor = users["monitor"]
    made = {}
    # Admitted after DAY, pregnant, due in 10 days.
    made["late"] = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=30),
        offences=[offences["theft"]],
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=30),
        expected_delivery_date=TODAY + timedelta(days=10),
    )
    # Pretrial for a misdemeanour from 230 days ago: the 180-day limit fell 50 days ago,
    # 10 days after DAY. Released 40 days ago.
    released = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=230),
        offences=[offences["theft"]],
    )
    services.record_release(
        monitor,
        released.current_episode,
        TODAY - timedelta(days=40),
        "judicial_supervision",
        version=current_version(released.current_episode),
        today=TODAY,
    )
    made["released"] = released
    # Pretrial from 235 days ago (limit 5 days after DAY), convicted 45 days ago.
    convicted = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=235),
        offences=[offences["theft"]],
    )
    services.record_legal_status(
        monitor,
        convicted.current_episode,
        "final",
        TODAY - timedelta(days=45),
        sentence_months=24,
        version=current_version(convicted.current_episode),
        today=TODAY,
    )
    made["convicted"] = convicted
    # A child who turned three 10 days after DAY, handed over to the grandmother 30 days ago
    # (birth registered on the day of birth).
    born = add_months(DAY + timedelta(days=10), -36)
    handed = admit(
        monitor,
        prisons["CC2"],
        admission_date=FIRST_ADMISSION,
        children=[child_in_prison(born)],
        legal_status="final",
        sentence_months=36,
    )
    child = handed.children.get()
    services.update_child(
        monitor,
        child,
        {"birth_registered": True, "birth_registered_on": born},
        version=current_version(child),
        today=TODAY,
    )
    services.move_child_out(
        monitor,
        child,
        TODAY - timedelta(days=30),
        "grandparent",
        "Grandmother",
        version=current_version(child),
        today=TODAY,
    )
    made["handed"] = handed
    # A child of hers, turning three 10 days after today, recorded living in prison with her
    # from 20 days ago (born before her admission, birth registered).
    came = admit(
        monitor,
        prisons["CC2"],
        admission_date=FIRST_ADMISSION,
        legal_status="final",
        sentence_months=36,
    )
    services.record_child(
        monitor,
        came,
        ChildDetails(
            date_of_birth=add_months(TODAY + timedelta(days=10), -36),
            living_in_prison=True,
            birth_registered=True,
        ),
        since=TODAY - timedelta(days=20),
        today=TODAY,
    )
    made["came"] = came
    # Pregnant on DAY (due 20 days ago), gave birth in prison 20 days ago: the baby's birth
    # is not registered.
    mother = admit(
        monitor,
        prisons["KDL"],
        admission_date=TODAY - timedelta(days=100),
        legal_status="final",
        sentence_months=24,
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=100),
        expected_delivery_date=TODAY - timedelta(days=20),
    )
    services.record_pregnancy_outcome(
        monitor,
        ongoing_pregnancy(mother),
        "birth_in_prison",
        TODAY - timedelta(days=20),
        today=TODAY,
    )
    made["birth"] = mother
    # Held in KDL on DAY, pregnant, due in 20 days; transferred to CC2 30 days ago.
    moved = admit(
        monitor,
        prisons["KDL"],
        admission_date=TODAY - timedelta(days=100),
        legal_status="final",
        sentence_months=24,
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=100),
        expected_delivery_date=TODAY + timedelta(days=20),
    )
    services.record_transfer(
        monitor,
        moved.current_episode,
        prisons["CC2"],
        TODAY - timedelta(days=30),
        version=current_version(moved.current_episode),
        today=TODAY,
    )
    made["moved"] = moved
    return {key: reload(woman) for key, woman in made.items()}


def test_a_woman_is_listed_only_while_in_custody_that_day(history):
    late, released = history["late"].reference, history["released"].reference
    then, now = items_on(DAY), items_on(TODAY)
    # Admitted after DAY: her delivery is on today's list only.
    assert (Kind.EXPECTED_DELIVERY, late) in now
    assert (Kind.EXPECTED_DELIVERY, late) not in then
    assert not any(subject == late for _kind, subject in then)
    # Released since: her pretrial limit, 10 days ahead on DAY, is on DAY's list only.
    assert then[(Kind.PRETRIAL_LIMIT, released)].due_date == DAY + timedelta(days=10)
    assert not any(subject == released for _kind, subject in now)


def test_a_pretrial_item_only_if_she_was_pretrial_that_day(history):
    convicted = history["convicted"].reference
    assert (Kind.PRETRIAL_LIMIT, convicted) in items_on(DAY)
    assert (Kind.PRETRIAL_LIMIT, convicted) not in items_on(TODAY)


def test_an_age_limit_only_for_a_child_living_in_prison_that_day(history):
    handed = history["handed"].children.get().reference
    came = history["came"].children.get().reference
    baby = history["birth"].children.get().reference
    then, now = items_on(DAY), items_on(TODAY)
    # Living in prison on DAY, handed over since.
    assert then[(Kind.CHILD_AGE_LIMIT, handed)].due_date == DAY + timedelta(days=10)
    assert (Kind.CHILD_AGE_LIMIT, handed) not in now
    # Came into prison after DAY.
    assert (Kind.CHILD_AGE_LIMIT, came) in now
    assert (Kind.CHILD_AGE_LIMIT, came) not in then
    # Not born on DAY: neither an age limit nor a registration; the mother's delivery was
    # still expected then.
    assert (Kind.BIRTH_NOT_REGISTERED, baby) in now
    assert not any(subject == baby for _kind, subject in then)
    mother = history["birth"].reference
    assert then[(Kind.EXPECTED_DELIVERY, mother)].due_date == TODAY - timedelta(days=20)
    assert (Kind.EXPECTED_DELIVERY, mother) not in now


def test_the_prison_is_where_she_was_held_that_day(history):
    moved = history["moved"].reference
    assert items_on(DAY)[(Kind.EXPECTED_DELIVERY, moved)].place.prison_code == "KDL"
    assert items_on(TODAY)[(Kind.EXPECTED_DELIVERY, moved)].place.prison_code == "CC2"
    assert (Kind.EXPECTED_DELIVERY, moved) in items_on(DAY, prison="KDL")
    assert (Kind.EXPECTED_DELIVERY, moved) not in items_on(DAY, prison="CC2")
    assert (Kind.EXPECTED_DELIVERY, moved) in items_on(TODAY, prison="CC2")


def test_a_registration_dated_after_the_day(history, users):
    """Registered 10 days ago with its date: on DAY the birth was not yet registered."""
    monitor = users["monitor"]
    mother = admit(
        monitor,
        history["late"].current_episode.current_prison,
        admission_date=TODAY - timedelta(days=200),
        legal_status="final",
        sentence_months=24,
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=200),
        expected_delivery_date=TODAY - timedelta(days=100),
    )
    child = services.record_pregnancy_outcome(
        monitor,
        ongoing_pregnancy(mother),
        "birth_in_prison",
        TODAY - timedelta(days=100),
        today=TODAY,
    )
    services.update_child(
        monitor,
        child,
        {"birth_registered": True, "birth_registered_on": TODAY - timedelta(days=10)},
        version=current_version(child),
        today=TODAY,
    )
    assert (Kind.BIRTH_NOT_REGISTERED, child.reference) in items_on(DAY)
    assert (Kind.BIRTH_NOT_REGISTERED, child.reference) not in items_on(TODAY)


def test_the_command_counts_the_items_of_that_day(history):
    then = json.loads(run("--as-of", DAY.isoformat(), "--json"))
    assert {(i["kind"], i["subject"]) for i in then} == {
        (str(kind), subject) for kind, subject in items_on(DAY)
    }
    assert run("--as-of", DAY.isoformat()).strip().splitlines()[-1] == (
        f"{len(then)} items on {DAY.isoformat()}"
    )
    assert len(then) != len(json.loads(run("--json")))


def test_the_past_computation_of_today_is_the_stored_list(history):
    """Read for today, the computation from the register's dates gives the stored rows."""

    def row(d):
        return (
            str(d.kind),
            d.source_id,
            d.due_date,
            d.prison_id,
            json.dumps(d.facts, sort_keys=True),
        )

    deadlines.refresh_pending()  # as every read of the list does first
    stored = {row(d) for d in deadlines.Deadline.objects.all()}
    computed = {row(d) for rows in deadlines.compute_on(TODAY).values() for d in rows}
    assert len(stored) >= 6
    assert computed == stored


# The days the register cannot answer for


def refusal(day, *args: str) -> str:
    with pytest.raises(CommandError) as refused:
        run("--as-of", day.isoformat(), *args)
    return str(refused.value)


@pytest.mark.parametrize("refused_day, words", REFUSED_DAYS)
def test_the_days_the_register_cannot_answer_for(history, refused_day, words):
    message = refusal(refused_day(history))
    assert words in message
    if "legal status" in words:
        assert history["released"].reference in message
        # Kinds that do not depend on the status are answered.
        run("--as-of", DAY.isoformat(), "--kind", "expected_delivery")


def test_the_day_of_the_first_admission_is_answered(history):
    run("--as-of", FIRST_ADMISSION.isoformat())


def test_a_prison_changed_without_a_dated_transfer_is_refused(history, prisons):
    woman = history["convicted"]
    CustodyEpisode.objects.filter(woman=woman).update(current_prison=prisons["KDL"])
    message = refusal(DAY)
    assert "without a dated transfer" in message and woman.reference in message


def test_a_registration_without_a_date_recorded_after_the_day_is_refused(history, users):
    """Recorded as registered 5 days ago with no date: before then, not known."""
    baby = history["birth"].children.get()
    services.update_child(
        users["monitor"],
        baby,
        {"birth_registered": True},
        version=current_version(baby),
        today=TODAY,
    )
    # The baby was not born on DAY: nothing to refuse then.
    run("--as-of", DAY.isoformat())
    message = refusal(TODAY - timedelta(days=5))
    assert "births of" not in message and "birth of 1 child" in message
    assert baby.reference in message


def test_a_pregnancy_ended_without_a_date_is_refused(history):
    woman = history["moved"]
    Pregnancy.objects.filter(woman=woman).update(outcome="loss", outcome_date=None)
    message = refusal(DAY)
    assert "was pregnant" in message and woman.reference in message


def test_the_api_reads_a_past_day_and_refuses_a_future_one(client, history, users):
    api = Api(client).login(users["monitor"])
    then = api.get("/worklist", as_of=DAY.isoformat()).json()["items"]
    assert history["released"].reference in {i["subject"] for i in then}
    refused = api.get("/worklist", as_of=(TODAY + timedelta(days=1)).isoformat())
    assert refused.status_code == 422
    assert "is after today" in refused.json()["errors"]["as_of"][0]


def test_plans_and_follow_ups_as_they_stood(register):
    """A plan assessed 2 days ago was open, and behind, 5 days ago; a follow-up visit of a
    child handed over 27 days ago was not due before the handover."""
    child = register["mother"].children.get()
    TransitionPlan.objects.create(
        child=child,
        status="assessed",
        opened_on=TODAY - timedelta(days=50),
        due_date=TODAY + timedelta(days=20),
        assessed_on=TODAY - timedelta(days=2),
        home_is_suitable=True,
    )
    ref = child.reference
    before = items_on(TODAY - timedelta(days=5))[(Kind.CHILD_AGE_LIMIT, ref)]
    assert before.status == "plan: open; plan behind schedule"
    assert items_on(TODAY)[(Kind.CHILD_AGE_LIMIT, ref)].status == "plan: home assessed"
    handed = register["handed_over"].children.get().reference
    assert (Kind.FOLLOW_UP_DUE, handed) in items_on(TODAY - timedelta(days=20))
    assert (Kind.FOLLOW_UP_DUE, handed) not in items_on(TODAY - timedelta(days=30))
