"""The demo preset: its figures, and the register's invariants checked with plain queries
that do not reuse the generator's code."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from datetime import timedelta

from django.db.models import Count, Q

from motherline.jurisdictions.models import AgeLimitRule
from motherline.jurisdictions.rules import add_months, leave_by_date
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    LegalStatus,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Pregnancy,
    PregnancyOutcome,
    ReleaseReason,
    Transfer,
    Woman,
)
from motherline.people.services import prison_on
from motherline.synthetic.presets import DEMO

STATUS_ORDER = [
    LegalStatus.PRETRIAL,
    LegalStatus.CONVICTED_FIRST_INSTANCE,
    LegalStatus.ON_APPEAL,
    LegalStatus.FINAL,
]
KHMER = re.compile("[\u1780-\u17ff]")


def open_in_prison():
    return Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)


def test_the_report_matches_the_database(demo, db):
    in_custody = Woman.objects.filter(current_episode__isnull=False)
    assert demo.women == Woman.objects.count() == DEMO.women
    assert demo.in_custody == in_custody.count() == DEMO.in_custody
    assert demo.pregnant == in_custody.filter(pregnancies__outcome="").count() == DEMO.pregnant
    assert demo.children_in_prison == open_in_prison().count()
    assert DEMO.mothers_with_child <= demo.children_in_prison <= 2 * DEMO.mothers_with_child
    assert demo.children == Child.objects.count() == demo.children_in_prison + demo.children_outside
    assert demo.episodes == CustodyEpisode.objects.count()
    assert not demo.refused


def test_every_woman_in_custody_has_one_open_episode_and_points_to_it(demo, db):
    women = Woman.objects.annotate(
        open=Count("episodes", filter=Q(episodes__release_date__isnull=True))
    )
    for woman in women:
        if woman.current_episode_id is None:
            assert woman.open == 0, woman.reference
        else:
            assert woman.open == 1, woman.reference
            episode = CustodyEpisode.objects.get(woman=woman, release_date__isnull=True)
            assert episode.pk == woman.current_episode_id


def test_custody_dates_are_in_order(demo, db):
    today = demo.today
    by_woman = defaultdict(list)
    for ep in CustodyEpisode.objects.order_by("admission_date"):
        assert ep.admission_date.year >= 2008
        assert ep.admission_date <= today
        if ep.release_date is not None:
            assert ep.admission_date <= ep.release_date < today
            assert ep.release_reason in ReleaseReason.values
        else:
            assert ep.release_reason == ""
        by_woman[ep.woman_id].append(ep)
    for episodes in by_woman.values():
        for earlier, later in itertools.pairwise(episodes):
            assert earlier.release_date is not None
            assert earlier.release_date < later.admission_date


def test_legal_status_history_is_consistent(demo, db):
    changes = defaultdict(list)
    for change in LegalStatusChange.objects.order_by("effective_date", "id"):
        changes[change.episode_id].append(change)
    for ep in CustodyEpisode.objects.all():
        history = changes[ep.pk]
        assert history[0].status == LegalStatus.PRETRIAL
        assert history[0].effective_date == ep.admission_date
        ranks = [STATUS_ORDER.index(c.status) for c in history]
        assert ranks == sorted(set(ranks)), ep.pk
        assert (history[-1].status, history[-1].effective_date) == (
            ep.legal_status,
            ep.legal_status_since,
        )
        assert ep.legal_status_since <= (ep.release_date or demo.today)
        if ep.legal_status == LegalStatus.PRETRIAL:
            assert ep.sentence_months is None and ep.expected_release_date is None
        else:
            assert ep.sentence_months and ep.expected_release_date > ep.admission_date
            if ep.release_date is None:
                assert ep.expected_release_date > demo.today


def test_transfers_chain_between_prisons_that_hold_women(demo, db):
    transfers = defaultdict(list)
    for t in Transfer.objects.select_related("from_prison", "to_prison").order_by(
        "transfer_date", "id"
    ):
        transfers[t.episode_id].append(t)
    assert transfers, "the demo should have some transfers"
    for ep in CustodyEpisode.objects.select_related("admission_prison", "current_prison"):
        assert ep.admission_prison.holds_women and ep.current_prison.holds_women
        prison = ep.admission_prison
        for t in transfers[ep.pk]:
            assert t.from_prison == prison and t.to_prison != prison
            assert t.to_prison.holds_women
            assert ep.admission_date < t.transfer_date <= (ep.release_date or demo.today)
            prison = t.to_prison
        assert ep.current_prison == prison


def test_every_episode_has_charges_from_the_pack(demo, db):
    assert not CustodyEpisode.objects.filter(charges__isnull=True).exists()
    assert set(Charge.objects.values_list("offence_category__jurisdiction__code", flat=True)) == {
        "KH"
    }


def test_every_child_has_exactly_one_open_placement_and_no_gaps(demo, db):
    placements = defaultdict(list)
    for p in Placement.objects.order_by("start_date", "id"):
        placements[p.child_id].append(p)
    for child in Child.objects.all():
        rows = placements[child.pk]
        assert [p.end_date for p in rows].count(None) == 1, child.reference
        assert rows[-1].end_date is None
        assert rows[0].start_date >= child.date_of_birth
        for before, after in itertools.pairwise(rows):
            assert before.end_date == after.start_date, child.reference


def test_children_in_prison_live_where_their_mother_is_held_now(demo, db):
    rows = open_in_prison().select_related("child__mother__current_episode")
    assert rows.count() == demo.children_in_prison
    for placement in rows:
        episode = placement.child.mother.current_episode
        assert episode is not None, "a child in prison needs a mother in custody"
        assert placement.prison_id == episode.current_prison_id
        assert Placement.objects.filter(child=placement.child, end_date__isnull=True).count() == 1


def test_every_stay_in_prison_was_with_the_mother_in_that_prison(demo, db):
    stays = Placement.objects.filter(kind=PlacementKind.IN_PRISON).select_related("child")
    assert stays.filter(end_date__isnull=False).exists(), "some children have left prison"
    for stay in stays:
        episodes = CustodyEpisode.objects.filter(
            Q(release_date__isnull=True) | Q(release_date__gte=stay.end_date or demo.today),
            woman_id=stay.child.mother_id,
            admission_date__lte=stay.start_date,
        )
        assert episodes.count() == 1, stay.child.reference
        assert prison_on(episodes.get(), stay.start_date).pk == stay.prison_id


def test_children_are_born_when_their_mother_could_have_them(demo, db):
    for child in Child.objects.select_related("mother"):
        mother = child.mother
        assert child.date_of_birth >= add_months(mother.date_of_birth, 15 * 12)
        assert child.date_of_birth <= demo.today


def test_children_in_prison_are_under_the_age_limit_but_for_a_handful(demo, db):
    rules = list(AgeLimitRule.objects.filter(jurisdiction__code="KH"))
    over = [
        p.child
        for p in open_in_prison().select_related("child")
        if leave_by_date(p.child.date_of_birth, rules) <= demo.today
    ]
    assert len(over) == DEMO.overstays
    ages = [
        (demo.today - p.child.date_of_birth).days for p in open_in_prison().select_related("child")
    ]
    assert min(ages) >= 28 and max(ages) < 5 * 365


def test_pregnancies_are_consistent_with_custody(demo, db):
    today = demo.today
    for pregnancy in Pregnancy.objects.select_related("woman", "episode"):
        assert pregnancy.expected_delivery_date is not None
        assert 0 <= (pregnancy.expected_delivery_date - pregnancy.known_since).days <= 300
        if not pregnancy.outcome:
            assert pregnancy.woman.current_episode_id is not None
            assert pregnancy.episode_id == pregnancy.woman.current_episode_id
            assert pregnancy.known_since <= today < pregnancy.expected_delivery_date
            assert pregnancy.outcome_date is None
        else:
            assert pregnancy.known_since <= pregnancy.outcome_date <= today


def test_births_create_children_linked_to_the_pregnancy(demo, db):
    births = Pregnancy.objects.exclude(outcome__in=["", PregnancyOutcome.LOSS])
    assert births.filter(outcome=PregnancyOutcome.BIRTH_IN_PRISON).exists()
    for pregnancy in births.select_related("child", "episode"):
        child = pregnancy.child
        assert child.date_of_birth == pregnancy.outcome_date
        in_custody = pregnancy.outcome != PregnancyOutcome.BIRTH_AFTER_RELEASE
        assert child.born_in_custody == in_custody
        episode = pregnancy.episode
        held = episode.admission_date <= child.date_of_birth and (
            episode.release_date is None or child.date_of_birth < episode.release_date
        )
        assert held == in_custody
    assert not Child.objects.filter(born_in_custody=True, pregnancy__isnull=True).exists()


def test_about_half_the_children_in_prison_were_born_there(demo, db):
    counts = Counter(open_in_prison().values_list("child__born_in_custody", flat=True))
    assert counts[True] >= 0.3 * demo.children_in_prison
    assert counts[False] >= 0.3 * demo.children_in_prison


def test_names_and_register_numbers_look_right(demo, db):
    for woman in Woman.objects.select_related("current_episode"):
        assert KHMER.search(woman.name)
        assert woman.name_latin.isascii() and " " in woman.name_latin
        assert re.fullmatch(r"W-[A-Z2-9]{8}", woman.reference)
        assert re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{5}", woman.register_number)
    cc2 = Woman.objects.filter(current_episode__admission_prison__code="KH-CC2").first()
    assert cc2.register_number.startswith(f"CC2-{cc2.current_episode.admission_date.year}-")


def test_most_records_belong_to_the_two_ngos(demo, db):
    kinds = Counter(Woman.objects.values_list("organisation__kind", flat=True))
    assert kinds["ngo"] > 0.8 * demo.women
    assert kinds["government"] == 0


def test_cc2_holds_the_most_women(demo, db):
    counts = Counter(
        CustodyEpisode.objects.filter(release_date__isnull=True).values_list(
            "current_prison__code", flat=True
        )
    )
    (first, n), (_, second) = counts.most_common(2)
    assert first == "KH-CC2" and n > 2 * second


def test_dates_of_women_are_plausible(demo, db):
    for ep in CustodyEpisode.objects.select_related("woman"):
        age_at_admission = (ep.admission_date - ep.woman.date_of_birth) // timedelta(days=365.25)
        assert 13 <= age_at_admission <= 75
