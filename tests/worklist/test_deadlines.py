"""The stored deadlines (`worklist.deadlines`): after every kind of change the services make,
the table equals a computation from the register; a change survives a process that stops
before recomputing; a mark written during a recomputation is kept; a pack reload that
changes nothing marks nothing; the check and rebuild command."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motherline.care import services as care
from motherline.jurisdictions.models import AgeLimitRule
from motherline.people import services
from motherline.people.models import Child, Pregnancy
from motherline.worklist import deadlines
from motherline.worklist.models import Deadline, StaleDeadlines
from motherline.worklist.queries import worklist_for
from motherline.worklist.rules import Kind
from tests.conftest import TODAY, races_need_postgresql
from tests.factories import admit, child_in_prison, child_outside, current_version, reload
from tests.worklist.conftest import add_months_back


def assert_in_step() -> None:
    """What the services leave after their commit: pending marks recomputed, and then the
    table equal to a computation of every deadline from the register."""
    deadlines.refresh_pending()
    assert not StaleDeadlines.objects.exists()
    drift = deadlines.check()
    assert drift.none, drift


def stored(kind: Kind) -> dict[str, date]:
    return dict(Deadline.objects.filter(kind=kind).values_list("reference", "due_date"))


def test_every_change_of_the_register_keeps_the_deadlines_in_step(
    users, prisons, offences, pretrial_rules
):
    monitor = users["monitor"]
    AgeLimitRule.objects.filter(max_age_months=36).update(
        extension_allowed=True, max_extension_months=6
    )
    woman = admit(
        monitor,
        prisons["CC2"],
        admission_date=TODAY - timedelta(days=100),
        offences=[offences["theft"]],
        is_pregnant=True,
        pregnancy_known_since=TODAY - timedelta(days=150),
        expected_delivery_date=TODAY + timedelta(days=40),
        children=[
            child_in_prison(add_months_back(36, 50)),
            child_outside(date(2019, 4, 2)),
        ],
    )
    assert_in_step()
    in_prison = Child.objects.get(mother=woman, placements__kind="in_prison")
    assert set(stored(Kind.CHILD_AGE_LIMIT)) == {in_prison.reference}
    assert stored(Kind.EXPECTED_DELIVERY) == {woman.reference: TODAY + timedelta(days=40)}
    assert woman.reference in stored(Kind.PRETRIAL_LIMIT)

    episode = reload(woman).current_episode
    services.record_transfer(
        monitor,
        episode,
        prisons["KDL"],
        TODAY - timedelta(days=5),
        version=current_version(episode),
    )
    assert_in_step()
    assert set(Deadline.objects.values_list("prison_id", flat=True)) == {prisons["KDL"].pk}

    # A correction of the charges (written in bulk, no save signal) moves the pretrial limit.
    episode.refresh_from_db()
    services.update_episode(
        monitor, episode, {"offences": [offences["drugs"]]}, version=episode.version
    )
    assert_in_step()

    pregnancy = Pregnancy.objects.get(woman=woman)
    services.record_pregnancy_outcome(
        monitor, pregnancy, "birth_in_prison", TODAY - timedelta(days=1), today=TODAY
    )
    assert_in_step()
    assert not stored(Kind.EXPECTED_DELIVERY)
    newborn = Child.objects.get(pregnancy=pregnancy)
    assert newborn.reference in stored(Kind.BIRTH_NOT_REGISTERED)

    services.record_legal_status(
        monitor,
        reload(woman).current_episode,
        "final",
        TODAY - timedelta(days=2),
        sentence_months=6,
        expected_release_date=TODAY + timedelta(days=70),
        version=current_version(reload(woman).current_episode),
    )
    assert_in_step()
    assert woman.reference not in stored(Kind.PRETRIAL_LIMIT)
    assert stored(Kind.EXPECTED_RELEASE) == {woman.reference: TODAY + timedelta(days=70)}

    # An extension moves the leave-by date; a plan's progress changes the item's status.
    child = in_prison
    before = stored(Kind.CHILD_AGE_LIMIT)[child.reference]
    plan = care.open_plan(monitor, child, today=TODAY)
    care.record_extension(monitor, child, 2, "Illness", "Director", TODAY, today=TODAY)
    assert_in_step()
    assert stored(Kind.CHILD_AGE_LIMIT)[child.reference] > before
    plan.refresh_from_db()
    care.advance_plan(
        monitor,
        plan,
        "caregiver_identified",
        {
            "caregiver_name": "Grandmother",
            "caregiver_relationship": "grandparent",
            "caregiver_location": "Takeo",
            "caregiver_contact": "012",
        },
        version=plan.version,
        today=TODAY,
    )
    assert_in_step()
    row = Deadline.objects.get(kind=Kind.CHILD_AGE_LIMIT, reference=child.reference)
    assert row.facts["plan"] == "caregiver_identified"

    # A correction of her date of birth (an update, no save signal) and then her release.
    woman = reload(woman)
    services.update_woman(
        monitor, woman, {"date_of_birth": date(1990, 1, 1)}, version=woman.version, today=TODAY
    )
    assert_in_step()
    services.record_release(
        monitor,
        reload(woman).current_episode,
        TODAY,
        "end_of_sentence",
        today=TODAY,
        version=current_version(reload(woman).current_episode),
    )
    assert_in_step()
    assert not Deadline.objects.filter(woman=woman).exists()


def test_a_deleted_child_takes_its_deadlines_with_it(users, prisons):
    woman = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    assert_in_step()
    Child.objects.filter(mother=woman).delete()
    assert_in_step()
    assert not Deadline.objects.exists()


def test_a_change_whose_recomputation_never_ran_is_still_on_the_list(users, prisons):
    """Tests run inside a transaction, so the recomputation after the commit never runs:
    as when the process stops right after committing. The mark was committed with the
    change, and the next read recomputes."""
    woman = admit(
        users["monitor"], prisons["CC2"], children=[child_in_prison(add_months_back(36, 10))]
    )
    assert StaleDeadlines.objects.filter(woman_id=woman.pk).exists()
    assert not Deadline.objects.exists()
    items = worklist_for(users["monitor"], TODAY)
    assert {i.kind for i in items} == {Kind.CHILD_AGE_LIMIT, Kind.BIRTH_NOT_REGISTERED}
    assert not StaleDeadlines.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_after_the_commit_the_deadlines_are_recomputed_at_once(users, prisons):
    """Outside a test transaction: the service commits, then recomputes her deadlines."""
    deadlines.refresh_pending()
    admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    assert not StaleDeadlines.objects.exists()
    assert Deadline.objects.count() == 2


def test_a_mark_written_while_recomputing_is_kept(users, prisons, monkeypatch):
    """Another user's change committed while a recomputation runs leaves its own mark: the
    recomputation deletes only the marks it read, so the change is recomputed again."""
    first = admit(users["monitor"], prisons["CC2"])
    second = admit(users["monitor"], prisons["KDL"])
    StaleDeadlines.objects.filter(woman_id=second.pk).delete()
    real = deadlines._replace

    def replace_while_another_user_writes(women, rules):
        StaleDeadlines.objects.create(woman_id=second.pk)
        return real(women, rules)

    monkeypatch.setattr(deadlines, "_replace", replace_while_another_user_writes)
    deadlines.refresh_pending()
    assert list(StaleDeadlines.objects.values_list("woman_id", flat=True)) == [second.pk]
    assert first.pk not in StaleDeadlines.objects.values_list("woman_id", flat=True)


def test_recomputing_many_women_costs_the_queries_of_one(users, prisons):
    deadlines.refresh_pending()

    def queries_to_refresh(n: int) -> int:
        for k in range(n):
            admit(
                users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, k + 1))]
            )
        with CaptureQueriesContext(connection) as ctx:
            deadlines.refresh_pending()
        return len(ctx.captured_queries)

    assert queries_to_refresh(1) == queries_to_refresh(20)


def test_a_new_age_rule_moves_every_leave_by_date(jurisdiction, users, prisons):
    child_born = date(2024, 3, 1)
    admit(users["monitor"], prisons["CC2"], children=[child_in_prison(child_born)])
    assert_in_step()
    assert list(stored(Kind.CHILD_AGE_LIMIT).values()) == [date(2027, 3, 1)]
    AgeLimitRule.objects.filter(max_age_months=36).update(effective_to=date(2025, 12, 31))
    AgeLimitRule.objects.create(
        jurisdiction=jurisdiction, max_age_months=48, effective_from=date(2026, 1, 1)
    )
    assert StaleDeadlines.objects.filter(woman_id=None).exists()
    assert_in_step()
    assert list(stored(Kind.CHILD_AGE_LIMIT).values()) == [date(2028, 3, 1)]


def test_reloading_an_unchanged_pack_marks_nothing_and_a_changed_one_marks_all(db):
    from motherline.jurisdictions.loader import load_pack

    load_pack("kh")
    StaleDeadlines.objects.all().delete()
    load_pack("kh")
    assert not StaleDeadlines.objects.exists()
    AgeLimitRule.objects.filter(jurisdiction__code="KH").delete()
    StaleDeadlines.objects.all().delete()
    load_pack("kh")
    assert StaleDeadlines.objects.filter(woman_id=None).exists()


def test_the_command_finds_drift_and_rebuilds(users, prisons, capsys):
    admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    call_command("deadlines", "--rebuild")
    call_command("deadlines", "--check")
    assert "match the register" in capsys.readouterr().out
    Deadline.objects.filter(kind=Kind.CHILD_AGE_LIMIT).update(due_date=date(2030, 1, 1))
    Deadline.objects.filter(kind=Kind.BIRTH_NOT_REGISTERED).delete()
    with pytest.raises(CommandError, match="differ"):
        call_command("deadlines", "--check")
    out = capsys.readouterr().out
    assert "child_age_limit: 1 different" in out
    assert "birth_not_registered: 1 missing" in out
    call_command("deadlines", "--rebuild")
    assert deadlines.check().none


def test_an_episode_deleted_with_its_woman_leaves_no_mark_behind_that_fails(users, prisons):
    woman = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    assert_in_step()
    woman.delete()
    assert_in_step()
    assert not Deadline.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failed_recomputation_after_the_commit_keeps_the_change_and_its_mark(
    users, prisons, monkeypatch, caplog
):
    deadlines.refresh_pending()
    real = deadlines._replace

    def failing(women, rules):
        raise RuntimeError("disk full")

    monkeypatch.setattr(deadlines, "_replace", failing)
    woman = admit(
        users["monitor"], prisons["CC2"], children=[child_in_prison(add_months_back(36, 10))]
    )
    assert "Recomputing deadlines after a commit failed" in caplog.text
    assert StaleDeadlines.objects.filter(woman_id=woman.pk).exists()
    monkeypatch.setattr(deadlines, "_replace", real)
    kinds = {i.kind for i in worklist_for(users["monitor"], TODAY)}
    assert Kind.CHILD_AGE_LIMIT in kinds
    assert not StaleDeadlines.objects.exists()


@races_need_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_during_a_recomputation_is_not_overwritten(users, prisons, monkeypatch):
    """One recomputation has read her records and is about to write; meanwhile another user
    transfers her and commits. The later recomputation waits for the first (row lock on her),
    so the table ends with the transfer, not with what the first one read."""
    woman = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    deadlines.refresh_pending()
    computed, release = threading.Event(), threading.Event()
    slow_thread: list[threading.Thread] = []
    real_compute = deadlines.compute

    def compute_then_wait(women=deadlines.everyone, rules=None):
        rows = list(real_compute(women, rules))
        if threading.current_thread() in slow_thread:
            computed.set()
            release.wait(timeout=20)
        return iter(rows)

    monkeypatch.setattr(deadlines, "compute", compute_then_wait)
    errors: list[str] = []

    def slow_recomputation() -> None:
        try:
            deadlines.refresh([woman.pk])
        except Exception as error:  # reported by the assertion below
            errors.append(repr(error))
        finally:
            connection.close()

    def transfer() -> None:
        try:
            episode = reload(woman).current_episode
            services.record_transfer(
                users["monitor"], episode, prisons["KDL"], TODAY, version=current_version(episode)
            )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    first = threading.Thread(target=slow_recomputation)
    slow_thread.append(first)
    first.start()
    assert computed.wait(timeout=20)
    second = threading.Thread(target=transfer)
    second.start()
    # The transfer commits, then its own recomputation waits for the first one's lock.
    time.sleep(1)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert not errors
    assert not StaleDeadlines.objects.exists()
    assert set(Deadline.objects.values_list("prison_id", flat=True)) == {prisons["KDL"].pk}
    assert deadlines.check().none


def test_migrate_computes_the_deadlines_of_an_upgraded_register(users, prisons):
    """A register marked to compute every deadline (as a change of the rules marks it):
    `motherline migrate` computes them, so no web request has to."""
    admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    Deadline.objects.all().delete()
    StaleDeadlines.objects.all().delete()
    StaleDeadlines.objects.create(woman_id=None)
    call_command("migrate", verbosity=0)
    assert not StaleDeadlines.objects.exists()
    assert Deadline.objects.count() == 2
    assert deadlines.check().none


def test_reading_pages_and_the_api_marks_nothing(client, users, prisons):
    """Only changes mark: a read that saved a record would make every read recompute."""
    woman = admit(users["monitor"], prisons["CC2"], children=[child_in_prison(date(2024, 1, 1))])
    child = woman.children.get()
    deadlines.refresh_pending()
    client.force_login(users["monitor"])
    for url in [
        reverse("worklist:list"),
        reverse("people:women"),
        reverse("people:woman", args=[woman.reference]),
        reverse("people:child", args=[child.reference]),
        "/api/v1/worklist",
        f"/api/v1/women/{woman.reference}",
    ]:
        assert client.get(url).status_code == 200, url
    assert not StaleDeadlines.objects.exists()
