"""The life of one synthetic woman, sampled as plain data (no database).

Every function draws from the `random.Random` it is given, in a fixed order, so one seed
gives the same women every time. The dates obey the rules the services enforce: admission
before release, legal status changes in order and within the custody, transfers between
prisons that hold women and are open on the day, a child born after the mother's sixteenth
birthday, a child living in prison only while the mother is in custody and, apart from a
few overstays that reality has too, younger than the jurisdiction's age limit.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate, pairwise
from typing import Generic, TypeVar

from motherline.jurisdictions.rules import (
    AgeLimitLike,
    add_months,
    age_limit_rule_on,
    leave_by_date,
)
from motherline.people.models import (
    CaregiverRelationship,
    LegalStatus,
    PlacementKind,
    PregnancyOutcome,
    ReleaseReason,
    Sex,
)
from motherline.people.rules import age_on
from motherline.synthetic.names import person_name

T = TypeVar("T")


class Weights(Generic[T]):
    """A weighted choice, with the cumulative weights computed once."""

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        pairs = list(pairs)
        self.values = [v for v, _ in pairs]
        self.cum = list(accumulate(w for _, w in pairs))

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cum, rng.random() * self.cum[-1], 0, len(self.cum) - 1)]


START = date(2008, 1, 1)  # the register's history begins with the programme

# Share of each legal status among women in custody today: "over a third" pretrial.
STATUS_NOW = Weights(
    (
        (LegalStatus.PRETRIAL, 0.38),
        (LegalStatus.CONVICTED_FIRST_INSTANCE, 0.14),
        (LegalStatus.ON_APPEAL, 0.10),
        (LegalStatus.FINAL, 0.38),
    )
)
RELEASE_REASONS = Weights(
    (
        (ReleaseReason.END_OF_SENTENCE, 0.53),
        (ReleaseReason.JUDICIAL_SUPERVISION, 0.13),
        (ReleaseReason.SENTENCE_REDUCTION, 0.12),
        (ReleaseReason.ROYAL_PARDON, 0.10),
        (ReleaseReason.ACQUITTAL, 0.06),
        (ReleaseReason.TRANSFER_OUT, 0.05),
        (ReleaseReason.DEATH, 0.01),
    )
)
# LICADHO 2014: over a third drug-related, another third minor (property) offences.
OFFENCE_BUCKETS = (("drug", 0.35), ("minor", 0.36), ("other", 0.29))
# Within a bucket, by offence code; codes a pack adds get weight 1.
OFFENCE_WEIGHTS = {
    "drug_use": 2.5,
    "drug_possession": 4.5,
    "drug_trafficking": 3.0,
    "theft": 4.0,
    "receiving_stolen_goods": 1.5,
    "breach_of_trust": 2.0,
    "damage_to_property": 0.5,
    "illegal_fishing": 1.0,
    "fraud": 1.0,
    "forgery": 0.3,
    "forestry_offence": 0.3,
    "illegal_immigration": 2.0,
    "human_trafficking": 2.5,
    "sexual_exploitation": 1.0,
    "assault": 1.5,
    "robbery": 1.0,
    "murder": 1.0,
    "other": 1.0,
}
MINOR_ICCS_SECTIONS = {"05", "07", "10"}  # property, fraud, environment
# Sentences in months: a misdemeanour is at most five years in Cambodia's Criminal Code.
SENTENCES = {
    "drug": Weights(((6, 1), (12, 2), (24, 4), (36, 3), (48, 2), (60, 2))),
    "minor": Weights(((3, 2), (6, 4), (9, 3), (12, 4), (18, 2), (24, 2), (36, 1))),
    "other": Weights(((6, 2), (12, 3), (24, 3), (36, 2), (60, 1))),
    "felony": Weights(((60, 3), (84, 3), (120, 3), (180, 2), (240, 1))),
    "petty": Weights(((1, 1), (2, 1), (3, 1))),
}
APPEAL_SHARE = 0.3
STOCK_SCALE_DAYS = 2000
PRETRIAL_OVERSTAY_SHARE = 0.3  # of those whose trial would come after the legal limit
PARDON_DAYS = ((3, 8), (4, 14), (5, 14), (10, 1), (11, 9))  # Women's Day, New Year, ...
GROWTH = ((2008, 0.55), (2012, 1.0), (2016, 1.5), (2020, 1.8), (2026, 2.1))
AGE_AT_ADMISSION = Weights(
    (
        ((14, 17), 0.012),
        ((18, 24), 0.18),
        ((25, 34), 0.35),
        ((35, 44), 0.28),
        ((45, 54), 0.13),
        ((55, 69), 0.048),
    )
)
# Almost all women in prison have dependent children under 18 (LICADHO 2014).
CHILDREN_COUNT = Weights(
    ((0, 0.08), (1, 0.24), (2, 0.28), (3, 0.2), (4, 0.12), (5, 0.05), (6, 0.03))
)
CHILDREN_COUNT_MINOR = Weights(((0, 0.85), (1, 0.15)))
MIN_MOTHER_AGE = 16
MIN_SPACING_DAYS = 300
CAREGIVERS_AT_ADMISSION = Weights(
    (
        (CaregiverRelationship.GRANDPARENT, 0.42),
        (CaregiverRelationship.FATHER, 0.22),
        (CaregiverRelationship.OTHER_RELATIVE, 0.20),
        (CaregiverRelationship.NGO_CENTRE, 0.05),
        (CaregiverRelationship.FOSTER_FAMILY, 0.03),
        (CaregiverRelationship.STATE_INSTITUTION, 0.02),
        (CaregiverRelationship.OTHER, 0.03),
        ("", 0.03),  # nobody knows: an UNKNOWN placement
    )
)
CAREGIVERS_AT_AGE_LIMIT = Weights(
    (
        (CaregiverRelationship.GRANDPARENT, 0.5),
        (CaregiverRelationship.FATHER, 0.2),
        (CaregiverRelationship.OTHER_RELATIVE, 0.15),
        (CaregiverRelationship.NGO_CENTRE, 0.1),
        (CaregiverRelationship.FOSTER_FAMILY, 0.03),
        (CaregiverRelationship.STATE_INSTITUTION, 0.02),
    )
)
# A woman's own country is the jurisdiction's (`HOME`, written as its code by the generator).
HOME = "home"
NATIONALITIES = Weights(((HOME, 0.94), ("VN", 0.045), ("TH", 0.01), ("CN", 0.005)))
ETHNICITY_KH = Weights((("Khmer", 0.93), ("Cham", 0.04), ("Chinese", 0.015), ("Indigenous", 0.015)))
OWNER_SHARES = Weights(((0, 0.55), (1, 0.35), (2, 0.10)))  # see organisations.OWNERS
LANGUAGE = {"VN": "Vietnamese", "TH": "Thai", "CN": "Chinese"}
HEALTH_NOTES = (
    "Hypertension.",
    "Tuberculosis, on treatment.",
    "HIV, on antiretroviral treatment.",
    "Diabetes.",
    "Depression; referred for counselling.",
    "Drug dependence; asked for treatment.",
)

# Keys of the placement notes; the writer turns them into (translated) text.
NOTE_BORN = "born"
NOTE_MOVED = "moved"
NOTE_LEFT_WITH_MOTHER = "left_with_mother"
NOTE_AGE_LIMIT = "age_limit"


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass(frozen=True, slots=True)
class PrisonInfo:
    code: str
    register_prefix: str
    province: str
    court: str
    weight: float
    opened_on: date | None = None
    closed_on: date | None = None

    def is_open_on(self, d: date) -> bool:
        return (self.opened_on is None or self.opened_on <= d) and (
            self.closed_on is None or d < self.closed_on
        )


@dataclass(frozen=True, slots=True)
class OffenceInfo:
    code: str
    bucket: str  # "drug", "minor" or "other"
    offence_class: str


def offence_bucket(iccs_section: str, offence_class: str, is_violent: bool, is_drug: bool) -> str:
    if is_drug:
        return "drug"
    if not is_violent and offence_class != "felony" and iccs_section in MINOR_ICCS_SECTIONS:
        return "minor"
    return "other"


class World:
    """What the sampler knows of the jurisdiction, plus the register-number counters."""

    def __init__(
        self,
        today: date,
        prisons: list[PrisonInfo],
        offences: list[OffenceInfo],
        age_limits: list[AgeLimitLike],
        pretrial_days: dict[str, int],
        provinces: list[str],
    ) -> None:
        if not prisons:
            raise ValueError("The jurisdiction has no prison that holds women.")
        if not offences:
            raise ValueError("The jurisdiction has no offence categories.")
        self.today = today
        self.prisons = prisons
        self.main_prison = max(range(len(prisons)), key=lambda i: prisons[i].weight)
        self.offences = offences
        self.age_limits = age_limits
        self.pretrial_days = pretrial_days
        self.provinces = provinces or [p.province for p in prisons]
        self._offences = {
            bucket: Weights(
                (i, OFFENCE_WEIGHTS.get(o.code, 1.0))
                for i, o in enumerate(offences)
                if o.bucket == bucket
            )
            for bucket in {o.bucket for o in offences}
        }
        self._bucket = Weights((b, w) for b, w in OFFENCE_BUCKETS if b in self._offences)
        self._years: dict[date, Weights[int]] = {}
        self._open: dict[tuple[int, ...], tuple[list[int], list[float]]] = {}
        self._register_seq: dict[tuple[str, int], int] = {}

    # prisons

    def _open_on(self, d: date) -> tuple[list[int], list[float]]:
        key = tuple(i for i, p in enumerate(self.prisons) if p.is_open_on(d))
        if key not in self._open:
            self._open[key] = (list(key), list(accumulate(self.prisons[i].weight for i in key)))
        return self._open[key]

    def pick_prison(self, rng: random.Random, d: date, exclude: int | None = None) -> int | None:
        indices, cum = self._open_on(d)
        if not indices or indices == [exclude]:
            return None
        while True:
            i = indices[bisect(cum, rng.random() * cum[-1])]
            if i != exclude:
                return i

    def register_number(self, prison: int, d: date) -> str:
        key = (self.prisons[prison].register_prefix, d.year)
        self._register_seq[key] = n = self._register_seq.get(key, 0) + 1
        return f"{key[0]}-{d.year}-{n:05d}"

    # rules

    def age_limit_months(self, on: date) -> int | None:
        rule = age_limit_rule_on(self.age_limits, on)
        return rule.max_age_months if rule else None

    def limit_reached_on(self, dob: date) -> date | None:
        """The first day a child born on `dob` is at or over the limit in force that day."""
        return leave_by_date(dob, self.age_limits)

    # offences

    def pick_bucket(self, rng: random.Random) -> str:
        return self._bucket.pick(rng)

    def pick_offences(self, rng: random.Random, bucket: str | None = None) -> list[int]:
        chosen = [self._offences[bucket or self._bucket.pick(rng)].pick(rng)]
        if rng.random() < 0.1:
            other = rng.randrange(len(self.offences))
            if other != chosen[0]:
                chosen.append(other)
        return chosen

    def admission_date(self, rng: random.Random, last: date) -> date:
        """An admission between START and `last`, more likely in later years (growth)."""
        if last not in self._years:
            weights = []
            for y in range(START.year, last.year + 1):
                first, end = max(START, date(y, 1, 1)), min(last, date(y, 12, 31))
                weights.append((y, _growth(y) * max((end - first).days + 1, 0)))
            self._years[last] = Weights(weights)
        year = self._years[last].pick(rng)
        first, end = max(START, date(year, 1, 1)), min(last, date(year, 12, 31))
        return first + days(rng.randint(0, (end - first).days))


def _growth(year: int) -> float:
    for (y0, w0), (y1, w1) in pairwise(GROWTH):
        if year <= y1:
            return w0 + (w1 - w0) * max(year - y0, 0) / (y1 - y0)
    return GROWTH[-1][1]


@dataclass(slots=True)
class Trajectory:
    """How one custody would run from admission, in days after it."""

    offences: list[int]
    pretrial_days: int
    appeal_day: int | None
    final_day: int
    sentence_months: int

    def sentence_days(self) -> int:
        return int(self.sentence_months * 30.44)

    def window(self, status: str) -> tuple[int, int]:
        """The days after admission during which she has this status and is still held."""
        end = self.sentence_days()
        if status == LegalStatus.PRETRIAL:
            return 0, self.pretrial_days
        if status == LegalStatus.CONVICTED_FIRST_INSTANCE:
            nxt = self.appeal_day if self.appeal_day is not None else self.final_day
            return self.pretrial_days, min(nxt, end)
        if status == LegalStatus.ON_APPEAL:
            if self.appeal_day is None:
                return 0, 0
            return self.appeal_day, min(self.final_day, end)
        return self.final_day, end

    def statuses(self, admission: date, until: date) -> list[tuple[str, date]]:
        out: list[tuple[str, date]] = [(LegalStatus.PRETRIAL, admission)]
        for status, day in (
            (LegalStatus.CONVICTED_FIRST_INSTANCE, self.pretrial_days),
            (LegalStatus.ON_APPEAL, self.appeal_day),
            (LegalStatus.FINAL, self.final_day),
        ):
            if day is None:
                continue
            if admission + days(day) > until:
                break
            out.append((status, admission + days(day)))
        return out


def trajectory(world: World, rng: random.Random, bucket: str | None = None) -> Trajectory:
    offences = world.pick_offences(rng, bucket)
    main = world.offences[offences[0]]
    limit = world.pretrial_days.get(main.offence_class) or 540
    pretrial = int(0.45 * limit * math.exp(rng.gauss(0, 0.7)))
    if pretrial > limit and rng.random() > PRETRIAL_OVERSTAY_SHARE:
        pretrial = int(limit * rng.uniform(0.4, 1.0))
    pretrial = max(pretrial, 3)
    scale = main.offence_class if main.offence_class in ("felony", "petty") else main.bucket
    sentence = SENTENCES[scale].pick(rng)
    if rng.random() < APPEAL_SHARE:
        appeal_day = pretrial + rng.randint(3, 30)
        final = appeal_day + rng.randint(90, 540)
        appeal: int | None = appeal_day
    else:
        appeal = None
        final = pretrial + rng.randint(30, 60)
    return Trajectory(offences, pretrial, appeal, final, sentence)


@dataclass(slots=True)
class EpisodePlan:
    admission: date
    prison: int  # index in World.prisons
    statuses: list[tuple[str, date]]
    offences: list[int]
    transfers: list[tuple[date, int, int]] = field(default_factory=list)
    sentence_months: int | None = None
    expected_release: date | None = None
    release: date | None = None
    reason: str = ""
    court: str = ""
    case_number: str = ""
    register_number: str = ""

    @property
    def current_prison(self) -> int:
        return self.transfers[-1][2] if self.transfers else self.prison

    def segments(self) -> list[tuple[int, date, date | None]]:
        """(prison, from, until) for each stay of this custody; None: still there."""
        out: list[tuple[int, date, date | None]] = []
        prison, start = self.prison, self.admission
        for when, _, to in self.transfers:
            out.append((prison, start, when))
            prison, start = to, when
        out.append((prison, start, self.release))
        return out


@dataclass(slots=True)
class PregnancyPlan:
    episode: EpisodePlan | None
    known_since: date
    expected_delivery: date
    antenatal_contacts: int
    outcome: str = ""
    outcome_date: date | None = None


@dataclass(slots=True)
class PlacementPlan:
    kind: str
    start: date
    end: date | None = None
    prison: int | None = None
    relationship: str = ""
    caregiver_name: str = ""
    location: str = ""
    note: str = ""


@dataclass(slots=True)
class ChildPlan:
    dob: date
    sex: str
    name: str = ""
    name_latin: str = ""
    dob_is_estimated: bool = False
    birth_registered: bool = True
    born_in_custody: bool = False
    pregnancy: PregnancyPlan | None = None
    placements: list[PlacementPlan] = field(default_factory=list)

    @property
    def in_prison_now(self) -> bool:
        last = self.placements[-1]
        return last.end is None and last.kind == PlacementKind.IN_PRISON


@dataclass(slots=True)
class WomanPlan:
    name: str
    name_latin: str
    dob: date
    episodes: list[EpisodePlan]
    organisation: int  # 0, 1 or 2: the writer maps it to an organisation
    dob_is_estimated: bool = False
    nationality: str = HOME
    ethnicity: str = "Khmer"
    language: str = "Khmer"
    is_primary_carer: bool = False
    is_sole_carer: bool = False
    has_serious_illness: bool = False
    has_disability: bool = False
    health_notes: str = ""
    shares_with_partners: bool = False
    consent_recorded_on: date | None = None
    pregnancies: list[PregnancyPlan] = field(default_factory=list)
    children: list[ChildPlan] = field(default_factory=list)

    @property
    def in_custody(self) -> bool:
        return self.episodes[-1].release is None

    @property
    def register_number(self) -> str:
        return self.episodes[-1].register_number


# Episodes


def _episode(
    world: World,
    rng: random.Random,
    tr: Trajectory,
    admission: date,
    status_until: date,
    release: date | None = None,
    reason: str = "",
) -> EpisodePlan | None:
    prison = world.pick_prison(rng, admission)
    if prison is None:
        return None
    statuses = tr.statuses(admission, status_until)
    convicted = statuses[-1][0] != LegalStatus.PRETRIAL
    plan = EpisodePlan(
        admission=admission,
        prison=prison,
        statuses=statuses,
        offences=tr.offences,
        sentence_months=tr.sentence_months if convicted else None,
        expected_release=add_months(admission, tr.sentence_months) if convicted else None,
        release=release,
        reason=reason,
        court=world.prisons[prison].court,
        case_number=f"{rng.randint(100, 9999)}/{admission.year}",
        register_number=world.register_number(prison, admission),
    )
    plan.transfers = _transfers(world, rng, plan, release or world.today)
    return plan


def _transfers(
    world: World, rng: random.Random, plan: EpisodePlan, end: date
) -> list[tuple[date, int, int]]:
    span = (end - plan.admission).days
    r = rng.random()
    n = 2 if r < 0.03 else 1 if r < 0.15 else 0
    if n == 0 or span <= n:
        return []
    out = []
    prison = plan.prison
    for offset in sorted(rng.sample(range(1, span), n)):
        when = plan.admission + days(offset)
        # Half the transfers from elsewhere go to the large correctional centre.
        if prison != world.main_prison and rng.random() < 0.5:
            to: int | None = world.main_prison
        else:
            to = world.pick_prison(rng, when, exclude=prison)
        if to is None or not world.prisons[to].is_open_on(when):
            continue
        out.append((when, prison, to))
        prison = to
    return out


def current_episode(
    world: World,
    rng: random.Random,
    *,
    min_days: int = 0,
    max_days: int | None = None,
) -> EpisodePlan:
    """An open custody whose time served today lies in [min_days, max_days]."""
    today = world.today
    latest = (today - START).days
    max_days = latest if max_days is None else min(max_days, latest)
    for _ in range(200):
        # The survey shares describe the women held on one day, so they are drawn here,
        # before the longer stays are favoured below.
        status, bucket = STATUS_NOW.pick(rng), world.pick_bucket(rng)
        for _ in range(100):
            tr = trajectory(world, rng, bucket)
            lo, hi = tr.window(status)
            lo, hi = max(lo, min_days), min(hi, max_days + 1)
            # Those who stay longer are more of the women held on any one day.
            if hi <= lo or rng.random() * STOCK_SCALE_DAYS > hi - lo:
                continue
            admission = today - days(rng.randrange(lo, hi))
            plan = _episode(world, rng, tr, admission, today)
            if plan is None or (plan.expected_release and plan.expected_release <= today):
                continue
            return plan
    raise RuntimeError("Could not sample a custody episode; the constraints are too tight.")


def released_episode(world: World, rng: random.Random, not_after: date) -> EpisodePlan | None:
    """A custody that began in or after 2008 and ended on or before `not_after`."""
    if (not_after - START).days < 30:
        return None
    for _ in range(100):
        admission = world.admission_date(rng, not_after - days(7))
        tr = trajectory(world, rng)
        reason = RELEASE_REASONS.pick(rng)
        release, status_until = _release(rng, tr, admission, reason)
        if release is None or release > not_after:
            continue
        plan = _episode(world, rng, tr, admission, status_until, release, reason)
        if plan is not None:
            return plan
    return None


def _release(
    rng: random.Random, tr: Trajectory, admission: date, reason: str
) -> tuple[date | None, date]:
    """The release date for a reason, and the last day a status change may fall on."""
    expected = add_months(admission, tr.sentence_months)
    trial = admission + days(tr.pretrial_days)
    if reason == ReleaseReason.END_OF_SENTENCE:
        release = max(expected, trial)
        return release, release
    if reason == ReleaseReason.JUDICIAL_SUPERVISION:
        release = admission + days(rng.randint(1, max(tr.pretrial_days - 1, 1)))
        return release, release - days(1)
    if reason == ReleaseReason.ACQUITTAL:
        return trial, trial - days(1)
    if reason == ReleaseReason.ROYAL_PARDON:
        # Only women with a final sentence qualify, after some time served.
        first = admission + days(tr.final_day + 90)
        last = expected - days(30)
        options = [
            date(y, m, d)
            for y in range(first.year, last.year + 1)
            for m, d in PARDON_DAYS
            if first <= date(y, m, d) <= last
        ]
        if not options:
            return None, admission
        release = rng.choice(options[:6])
        return release, release
    if reason == ReleaseReason.SENTENCE_REDUCTION:
        release = admission + days(int(tr.sentence_days() * rng.uniform(0.6, 0.9)))
        if release < admission + days(tr.final_day):
            return None, admission
        return release, release
    release = admission + days(rng.randint(1, max(tr.sentence_days(), 2)))
    return release, release


# Women


def _dob(rng: random.Random, on: date, lo: int, hi: int) -> date:
    """A date of birth that makes her between lo and hi years old on `on`."""
    age = rng.randint(lo, hi)
    return on - days(int(age * 365.25) + rng.randint(1, 360))


def _child_dob_now(world: World, rng: random.Random, overstay: bool) -> date:
    """The birth date of a child living in prison today: under the limit, or just over."""
    today = world.today
    limit = world.age_limit_months(today) or 36
    if overstay:
        first, last = add_months(today, -(limit + 11)), add_months(today, -limit) - days(20)
    else:
        first, last = add_months(today, -limit) + days(15), today - days(30)
    return first + days(rng.randint(0, (last - first).days))


def _sex(rng: random.Random) -> str:
    r = rng.random()
    return Sex.FEMALE if r < 0.49 else Sex.MALE if r < 0.98 else Sex.UNKNOWN


def _new_child(rng: random.Random, dob: date, named: float = 0.9) -> ChildPlan:
    sex = _sex(rng)
    child = ChildPlan(dob=dob, sex=sex)
    if rng.random() < named:
        child.name, child.name_latin = person_name(rng, female=sex != Sex.MALE)
    return child


def _caregiver(
    world: World, rng: random.Random, relationship: str, prison: int, start: date
) -> PlacementPlan:
    if not relationship:
        return PlacementPlan(PlacementKind.UNKNOWN, start)
    near = rng.random() < 0.6
    location = world.prisons[prison].province if near else rng.choice(world.provinces)
    name = ""
    if relationship not in (
        CaregiverRelationship.NGO_CENTRE,
        CaregiverRelationship.STATE_INSTITUTION,
    ):
        female = relationship != CaregiverRelationship.FATHER and rng.random() < 0.8
        name = person_name(rng, female=female)[1]
    return PlacementPlan(
        PlacementKind.WITH_CAREGIVER,
        start,
        relationship=relationship,
        caregiver_name=name,
        location=location,
    )


def in_prison_placements(
    episode: EpisodePlan, start: date, end: date | None, first_note: str = ""
) -> list[PlacementPlan]:
    """A child's placements while living with her mother from `start` until `end` (None:
    still there), split where the mother was transferred, as `record_transfer` does."""
    out: list[PlacementPlan] = []
    for prison, seg_start, seg_end in episode.segments():
        begin = max(start, seg_start)
        until = seg_end if end is None else (end if seg_end is None else min(end, seg_end))
        if until is not None and begin >= until:
            continue
        out.append(
            PlacementPlan(
                PlacementKind.IN_PRISON,
                begin,
                until,
                prison=prison,
                note=first_note if not out else NOTE_MOVED,
            )
        )
    return out


def _leaves_prison(
    world: World,
    rng: random.Random,
    child: ChildPlan,
    episode: EpisodePlan,
    entry: date,
    note: str = "",
) -> date:
    """Place a child in prison from `entry` until the age limit (give or take a few days)
    or the mother's release, whichever comes first, then outside. Returns the day the child
    left, `date.max` if the child would still be inside (the placements are then unset)."""
    limit_day = world.limit_reached_on(child.dob)
    exit_day = None
    if limit_day is not None:
        exit_day = max(limit_day + days(rng.choice((0, 0, 3, 7, 14, 30, 45))), entry + days(1))
    with_mother = episode.release is not None and (exit_day is None or exit_day >= episode.release)
    if with_mother:
        exit_day = episode.release
    if exit_day is None or exit_day >= world.today:
        return date.max
    child.placements = in_prison_placements(episode, entry, exit_day, note)
    if with_mother:
        after = PlacementPlan(
            PlacementKind.WITH_CAREGIVER,
            exit_day,
            relationship=CaregiverRelationship.MOTHER,
            note=NOTE_LEFT_WITH_MOTHER,
        )
    else:
        relationship = CAREGIVERS_AT_AGE_LIMIT.pick(rng)
        after = _caregiver(world, rng, relationship, episode.current_prison, exit_day)
        after.note = NOTE_AGE_LIMIT
    child.placements.append(after)
    return exit_day


def _known_since(rng: random.Random, admission: date, lmp: date, not_after: date) -> date:
    """When the pregnancy was recorded: at admission, or once it showed; never after the
    birth (or today) nor after the expected delivery."""
    known = max(admission, lmp + days(rng.randint(42, 70)))
    return min(known, not_after, lmp + days(280))


def _birth_in_custody(
    world: World, rng: random.Random, episode: EpisodePlan, birth: date, lmp: date
) -> tuple[PregnancyPlan, ChildPlan]:
    outcome = (
        PregnancyOutcome.BIRTH_IN_HOSPITAL
        if rng.random() < 0.25
        else PregnancyOutcome.BIRTH_IN_PRISON
    )
    pregnancy = PregnancyPlan(
        episode=episode,
        known_since=_known_since(rng, episode.admission, lmp, birth),
        expected_delivery=lmp + days(280),
        antenatal_contacts=rng.randint(0, 6),
        outcome=outcome,
        outcome_date=birth,
    )
    child = _new_child(rng, birth, named=0.8)
    child.born_in_custody = True
    child.birth_registered = rng.random() < 0.35  # often no birth certificate
    child.pregnancy = pregnancy
    return pregnancy, child


def current_woman(world: World, rng: random.Random, role: str) -> WomanPlan:
    """A woman in custody today. Roles: "custody", "pregnant", "born_inside",
    "came_in" (a child living with her), and "*_over" for a child over the age limit."""
    today = world.today
    pregnancies: list[PregnancyPlan] = []
    in_prison: list[ChildPlan] = []
    if role == "pregnant":
        lmp = today - days(7 * rng.randint(8, 39))
        # She was pregnant when admitted: at least two weeks after the last period.
        episode = current_episode(world, rng, max_days=(today - lmp).days - 14)
        dob = _dob(rng, today, 17, 41)
        pregnancies.append(
            PregnancyPlan(
                episode=episode,
                known_since=_known_since(rng, episode.admission, lmp, today),
                expected_delivery=lmp + days(280),
                antenatal_contacts=min((today - lmp).days // 60, 4) + rng.randint(0, 1),
            )
        )
    elif role.startswith("born_inside"):
        birth = _child_dob_now(world, rng, overstay=role.endswith("_over"))
        age = (today - birth).days
        episode = current_episode(world, rng, min_days=age, max_days=age + 266)
        lmp = min(birth - days(280 + rng.randint(-10, 14)), episode.admission - days(14))
        dob = _dob(rng, birth, 17, 40)
        pregnancy, child = _birth_in_custody(world, rng, episode, birth, lmp)
        child.placements = in_prison_placements(episode, birth, None, NOTE_BORN)
        pregnancies.append(pregnancy)
        in_prison.append(child)
    elif role.startswith("came_in"):
        birth = _child_dob_now(world, rng, overstay=role.endswith("_over"))
        episode = current_episode(world, rng, max_days=(today - birth).days - 7)
        dob = _dob(rng, birth, 17, 40)
        child = _new_child(rng, birth)
        child.birth_registered = rng.random() < 0.6
        child.placements = in_prison_placements(episode, episode.admission, None)
        in_prison.append(child)
    else:
        episode = current_episode(world, rng)
        dob = _dob(rng, episode.admission, *AGE_AT_ADMISSION.pick(rng))
    if in_prison and rng.random() < 0.1:
        _older_sibling_inside(world, rng, episode, in_prison, dob)
    episodes = _with_earlier_episodes(world, rng, [episode], dob, 0.07)
    woman = _woman(world, rng, dob, episodes, pregnancies, in_prison)
    if role == "custody":
        _history_inside(world, rng, woman)
    return woman


def _older_sibling_inside(
    world: World,
    rng: random.Random,
    episode: EpisodePlan,
    in_prison: list[ChildPlan],
    mother_dob: date,
) -> None:
    """An older brother or sister who came into prison with her and is still under the limit."""
    today = world.today
    limit = world.age_limit_months(today) or 36
    first = max(add_months(today, -limit), _years_after(mother_dob, MIN_MOTHER_AGE)) + days(15)
    last = min(in_prison[0].dob - days(365), episode.admission - days(7))
    if last <= first:
        return
    child = _new_child(rng, first + days(rng.randint(0, (last - first).days)))
    child.placements = in_prison_placements(episode, episode.admission, None)
    in_prison.append(child)


def released_woman(world: World, rng: random.Random) -> WomanPlan:
    """A woman whose last custody ended before today."""
    episode = None
    while episode is None:
        episode = released_episode(world, rng, world.today - days(1))
    dob = _dob(rng, episode.admission, *AGE_AT_ADMISSION.pick(rng))
    episodes = _with_earlier_episodes(world, rng, [episode], dob, 0.08)
    woman = _woman(world, rng, dob, episodes, [], [])
    _history_inside(world, rng, woman)
    return woman


def _with_earlier_episodes(
    world: World, rng: random.Random, episodes: list[EpisodePlan], dob: date, share: float
) -> list[EpisodePlan]:
    """Earlier custodies of a woman who came back (a few came back twice)."""
    while len(episodes) < 3 and rng.random() < share:
        earlier = released_episode(world, rng, episodes[0].admission - days(30))
        if earlier is None or age_on(dob, earlier.admission) < 14:
            break
        episodes.insert(0, earlier)
        share = 0.15
    return episodes


def _woman(
    world: World,
    rng: random.Random,
    dob: date,
    episodes: list[EpisodePlan],
    pregnancies: list[PregnancyPlan],
    in_prison: list[ChildPlan],
) -> WomanPlan:
    name, name_latin = person_name(rng)
    nationality = NATIONALITIES.pick(rng)
    first, latest = episodes[0], episodes[-1]
    woman = WomanPlan(
        name=name,
        name_latin=name_latin,
        dob=dob,
        episodes=episodes,
        organisation=OWNER_SHARES.pick(rng),
        nationality=nationality,
        ethnicity=_ethnicity(rng, nationality),
        language=LANGUAGE.get(nationality, "Khmer"),
        has_serious_illness=rng.random() < 0.06,
        has_disability=rng.random() < 0.03,
        shares_with_partners=rng.random() < 0.65,
        consent_recorded_on=min(first.admission + days(rng.randint(0, 30)), world.today),
        pregnancies=pregnancies,
        children=list(in_prison),
    )
    if rng.random() < 0.15:
        woman.dob = date(dob.year, 1, 1)  # only the year is known
        woman.dob_is_estimated = True
    if woman.has_serious_illness:
        woman.health_notes = rng.choice(HEALTH_NOTES)
    _children_outside(world, rng, woman, latest)
    if woman.children:
        woman.is_primary_carer = bool(in_prison) or rng.random() < 0.85
        woman.is_sole_carer = woman.is_primary_carer and rng.random() < 0.35
    woman.children.sort(key=lambda c: c.dob)
    return woman


def _ethnicity(rng: random.Random, nationality: str) -> str:
    if nationality == HOME:
        return ETHNICITY_KH.pick(rng)
    return "Vietnamese" if nationality == "VN" else ""


def _children_outside(
    world: World, rng: random.Random, woman: WomanPlan, latest: EpisodePlan
) -> None:
    """Her dependent children outside at her latest admission (Bangkok Rule 3)."""
    age = age_on(woman.dob, latest.admission)
    n = (CHILDREN_COUNT_MINOR if age < 18 else CHILDREN_COUNT).pick(rng)
    lo = max(_years_after(woman.dob, MIN_MOTHER_AGE), _years_after(latest.admission, -18))
    lo += days(1)
    hi = latest.admission - days(1)
    if n == 0 or hi < lo:
        return
    taken = [c.dob for c in woman.children]
    first_admission = woman.episodes[0].admission
    for _ in range(n):
        for _try in range(12):
            dob = lo + days(rng.randint(0, (hi - lo).days))
            if all(abs((dob - t).days) >= MIN_SPACING_DAYS for t in taken):
                break
        else:
            continue
        taken.append(dob)
        child = _new_child(rng, dob)
        child.dob_is_estimated = rng.random() < 0.1
        child.birth_registered = rng.random() < 0.75
        relationship = CAREGIVERS_AT_ADMISSION.pick(rng)
        child.placements = [
            _caregiver(
                world,
                rng,
                relationship,
                latest.prison,
                max(dob, first_admission),
            )
        ]
        woman.children.append(child)


def _years_after(d: date, years: int) -> date:
    return add_months(d, 12 * years)


def _history_inside(world: World, rng: random.Random, woman: WomanPlan) -> None:
    """Children who lived in prison during her latest custody and have left by today: a
    child who came in with her, or one born inside (or a birth after release, or a loss)."""
    episode = woman.episodes[-1]
    mother_age = age_on(woman.dob, episode.admission)
    if MIN_MOTHER_AGE <= mother_age <= 40 and rng.random() < 0.035:
        _earlier_pregnancy(world, rng, woman, episode)
    limit = world.age_limit_months(episode.admission) or 0
    young = [
        c
        for c in woman.children
        if not c.born_in_custody
        and c.dob < episode.admission
        and add_months(c.dob, limit) > episode.admission + days(30)
    ]
    if young and rng.random() < 0.3:
        child = max(young, key=lambda c: c.dob)
        # A child who would still be inside today keeps the placement outside.
        _leaves_prison(world, rng, child, episode, episode.admission)


def _earlier_pregnancy(
    world: World, rng: random.Random, woman: WomanPlan, episode: EpisodePlan
) -> None:
    today = world.today
    lmp = episode.admission - days(rng.randint(14, 220))
    birth = lmp + days(280 + rng.randint(-14, 10))
    if any(abs((birth - c.dob).days) < MIN_SPACING_DAYS for c in woman.children):
        return
    if rng.random() < 0.08:
        loss = max(lmp + days(rng.randint(70, 180)), episode.admission + days(1))
        if loss >= today:
            return
        woman.pregnancies.append(
            PregnancyPlan(
                episode=episode,
                known_since=episode.admission,
                expected_delivery=lmp + days(280),
                antenatal_contacts=rng.randint(0, 3),
                outcome=PregnancyOutcome.LOSS,
                outcome_date=loss,
            )
        )
        return
    if birth >= today:
        return
    if episode.release is not None and birth >= episode.release:
        pregnancy = PregnancyPlan(
            episode=episode,
            known_since=_known_since(rng, episode.admission, lmp, birth),
            expected_delivery=lmp + days(280),
            antenatal_contacts=rng.randint(0, 4),
            outcome=PregnancyOutcome.BIRTH_AFTER_RELEASE,
            outcome_date=birth,
        )
        child = _new_child(rng, birth)
        child.pregnancy = pregnancy
        child.placements = [
            PlacementPlan(
                PlacementKind.WITH_CAREGIVER,
                birth,
                relationship=CaregiverRelationship.MOTHER,
            )
        ]
    else:
        pregnancy, child = _birth_in_custody(world, rng, episode, birth, lmp)
        if _leaves_prison(world, rng, child, episode, birth, NOTE_BORN) == date.max:
            return  # would still be inside today; this woman's role says no child inside
    woman.pregnancies.append(pregnancy)
    woman.children.append(child)
    woman.children.sort(key=lambda c: c.dob)
