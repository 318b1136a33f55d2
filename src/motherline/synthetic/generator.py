"""Writing synthetic women into the register, fast and in bounded memory.

The women are sampled as plain data by `story` and written in chunks with `bulk_create`,
one transaction per chunk: no per-row service calls (and so no audit event per record; one
event records the whole run). The same seed and the same `today` give the same data.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, TextIO

from django.db import transaction
from django.db.models import Model, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.jurisdictions import local
from motherline.jurisdictions.models import (
    AgeLimitRule,
    Jurisdiction,
    OffenceCategory,
    OffenceClass,
    PretrialLimitRule,
)
from motherline.jurisdictions.rules import AgeLimitLike, pretrial_limit_on
from motherline.people import search
from motherline.people.models import (
    Charge,
    Child,
    ConsentScope,
    CustodyEpisode,
    LegalStatusChange,
    Placement,
    Pregnancy,
    Transfer,
    Woman,
)
from motherline.places.models import Prison, PrisonKind, Province
from motherline.synthetic import story
from motherline.synthetic.organisations import (
    OWNERS,
    SYNTHETIC,
    ensure_organisations,
    main_prison,
)
from motherline.synthetic.presets import PRESETS, Preset
from motherline.synthetic.returns import generate_returns
from motherline.worklist import deadlines

CHUNK = 2000  # women per transaction: memory stays flat whatever the preset
BATCH = 1000  # rows per INSERT (PostgreSQL allows 65,535 parameters per statement)
MAIN_PRISON_SHARE = 0.3  # CC2 held about a third of Cambodia's women prisoners in 2014


@dataclass
class GenerationReport:
    preset: str
    seed: int
    today: date
    refused: bool = False
    message: str = ""
    women: int = 0
    in_custody: int = 0
    episodes: int = 0
    pregnant: int = 0
    children: int = 0
    children_in_prison: int = 0
    children_outside: int = 0
    population_returns: int = 0
    elapsed_seconds: float = 0.0

    @property
    def women_per_second(self) -> float:
        return self.women / self.elapsed_seconds if self.elapsed_seconds else 0.0

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) rows for a command to print."""
        return [
            (_("Women ever in custody"), f"{self.women:,}"),
            (_("Women in custody today"), f"{self.in_custody:,}"),
            (_("Pregnant women in custody"), f"{self.pregnant:,}"),
            (_("Children living in prison"), f"{self.children_in_prison:,}"),
            (_("Children outside"), f"{self.children_outside:,}"),
            (_("Custody episodes"), f"{self.episodes:,}"),
            (_("Population returns"), f"{self.population_returns:,}"),
            (_("Seconds taken"), f"{self.elapsed_seconds:.1f}"),
        ]

    def count(self, plans: Iterable[story.WomanPlan]) -> None:
        for plan in plans:
            self.women += 1
            self.episodes += len(plan.episodes)
            self.children += len(plan.children)
            inside = sum(1 for c in plan.children if c.in_prison_now)
            self.children_in_prison += inside
            self.children_outside += len(plan.children) - inside
            if plan.in_custody:
                self.in_custody += 1
                self.pregnant += any(not p.outcome for p in plan.pregnancies)


class References:
    """Unique, random-looking references (W-7KQ2M9XD) drawn from a counter.

    An odd multiplier modulo 2**40 followed by an XOR is a bijection, so distinct counters
    give distinct references; each seed starts its own block of 2**24 counters, and a
    forced second run continues after the records already there.
    """

    ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    MASK = (1 << 40) - 1

    def __init__(self, prefix: str, seed: int, start: int, multiplier: int, key: int) -> None:
        self.prefix = prefix
        self.counter = ((seed % (1 << 16)) << 24) + start
        self.multiplier = multiplier | 1
        self.key = key

    def __call__(self) -> str:
        n = ((self.counter * self.multiplier) & self.MASK) ^ self.key
        self.counter += 1
        chars = [self.ALPHABET[(n >> shift) & 31] for shift in range(35, -1, -5)]
        return f"{self.prefix}-{''.join(chars)}"


def generate(
    preset: str,
    seed: int,
    today: date | None = None,
    jurisdiction_code: str = "",
    stdout: TextIO | Any = None,
    force: bool = False,
) -> GenerationReport:
    """Fill the register with synthetic women, children and their histories.

    Refuses (and says so in the report) when the register already has women, unless
    `force` is set, in which case the new women are added to those already there.
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    if preset not in PRESETS:
        raise ValueError(f"Unknown preset {preset!r}; choose one of {', '.join(PRESETS)}.")
    spec = PRESETS[preset]
    report = GenerationReport(preset=preset, seed=seed, today=today)
    existing = Woman.objects.count()
    if existing and not force:
        report.refused = True
        report.message = _(
            "The register already has %(count)s women, so nothing was generated. "
            "Use --force to add synthetic women to them."
        ) % {"count": f"{existing:,}"}
        return report

    jurisdiction = _jurisdiction(jurisdiction_code or local.default_code())
    orgs = ensure_organisations(jurisdiction)
    world, prison_ids = build_world(jurisdiction, today)
    writer = _Writer(
        prison_ids=prison_ids,
        offence_ids=list(
            OffenceCategory.objects.filter(jurisdiction=jurisdiction)
            .order_by("code")
            .values_list("pk", flat=True)
        ),
        owner_ids=[orgs[name].pk for name in OWNERS],
        woman_refs=References("W", seed, existing, 0x9E3779B97F, 0x5DEECE66D),
        child_refs=References("C", seed, Child.objects.count(), 0xC2B2AE3D27, 0x27D4EB2F1),
        home=jurisdiction.code[:2],
    )
    rng = random.Random(seed)
    roles = role_plan(spec, rng)
    for start in range(0, len(roles), CHUNK):
        plans = [
            story.released_woman(world, rng)
            if role == "released"
            else story.current_woman(world, rng, role)
            for role in roles[start : start + CHUNK]
        ]
        with transaction.atomic():
            writer.write(plans)
        report.count(plans)
        if stdout is not None:
            elapsed = time.perf_counter() - started
            progress = _("%(done)s of %(total)s women (%(rate)s women per second)") % {
                "done": f"{report.women:,}",
                "total": f"{len(roles):,}",
                "rate": f"{report.women / elapsed:,.0f}",
            }
            stdout.write(progress + "\n")
    # The writer bypasses the services (bulk inserts): the worklist's deadlines are
    # computed once for everyone at the end.
    deadlines.rebuild_all()
    report.population_returns = generate_returns(jurisdiction, today, seed)
    report.elapsed_seconds = time.perf_counter() - started
    report.message = (
        _("Added %(count)s synthetic women to the %(existing)s already in the register.")
        if existing
        else _("Generated %(count)s synthetic women.")
    ) % {"count": f"{report.women:,}", "existing": f"{existing:,}"}
    summary = asdict(report)
    summary["today"] = today.isoformat()
    audit.record(
        SYNTHETIC,
        AuditAction.CREATE,
        object_type="synthetic data",
        object_ref=f"{preset}/{seed}",
        changes=summary,
    )
    return report


def role_plan(spec: Preset, rng: random.Random) -> list[str]:
    """What each woman will be (see `story.current_woman`), in a shuffled order."""
    overstays = min(spec.overstays, spec.mothers_with_child)
    regular = spec.mothers_with_child - overstays
    roles = ["born_inside"] * (regular // 2) + ["came_in"] * (regular - regular // 2)
    roles += [rng.choice(("born_inside_over", "came_in_over")) for _ in range(overstays)]
    roles += ["pregnant"] * spec.pregnant
    roles += ["custody"] * max(spec.in_custody - len(roles), 0)
    roles += ["released"] * spec.released
    rng.shuffle(roles)
    return roles


def _jurisdiction(code: str) -> Jurisdiction:
    jurisdiction = Jurisdiction.objects.filter(code=code).first()
    if jurisdiction is None:
        from motherline.jurisdictions.loader import load_pack

        load_pack(code.lower())
        jurisdiction = Jurisdiction.objects.get(code=code)
    return jurisdiction


def build_world(jurisdiction: Jurisdiction, today: date) -> tuple[story.World, list[int]]:
    """The jurisdiction's prisons, offences and rules as the sampler needs them, and the
    database ids of the prisons in the sampler's order."""
    main = main_prison(jurisdiction)
    prisons = [
        p
        for p in Prison.objects.filter(province__jurisdiction=jurisdiction, holds_women=True)
        .select_related("province")
        .order_by("code")
        if p.is_active or p.closed_on is not None
    ]
    weights = [
        (p.capacity or 300) * (0.1 if p.kind == PrisonKind.MILITARY_PRISON else 1.0)
        for p in prisons
    ]
    others = sum(w for p, w in zip(prisons, weights, strict=True) if p != main)
    if main is not None and others:
        weights = [
            others * MAIN_PRISON_SHARE / (1 - MAIN_PRISON_SHARE) if p == main else w
            for p, w in zip(prisons, weights, strict=True)
        ]
    prefix = f"{jurisdiction.code}-"
    infos = [
        story.PrisonInfo(
            code=p.code,
            register_prefix=p.code.removeprefix(prefix),
            province=p.province.name,
            court=f"{p.province.name} Court of First Instance",
            weight=w,
            opened_on=p.opened_on,
            closed_on=p.closed_on,
        )
        for p, w in zip(prisons, weights, strict=True)
    ]
    offences = [
        story.OffenceInfo(
            o.code,
            story.offence_bucket(o.iccs_section, o.offence_class, o.is_violent, o.is_drug_related),
            o.offence_class,
        )
        for o in OffenceCategory.objects.filter(jurisdiction=jurisdiction).order_by("code")
    ]
    age_limits: list[AgeLimitLike] = list(
        AgeLimitRule.objects.filter(jurisdiction=jurisdiction).order_by("effective_from", "pk")
    )
    pretrial_rules = list(PretrialLimitRule.objects.filter(jurisdiction=jurisdiction))
    pretrial_days = {}
    for offence_class in OffenceClass.values:
        rule = pretrial_limit_on(pretrial_rules, offence_class, False, today)
        if rule is not None:
            pretrial_days[offence_class] = rule.max_days
    provinces = list(
        Province.objects.filter(jurisdiction=jurisdiction)
        .order_by("code")
        .values_list("name", flat=True)
    )
    world = story.World(today, infos, offences, age_limits, pretrial_days, provinces)
    return world, [p.pk for p in prisons]


@dataclass
class _Writer:
    prison_ids: list[int]
    offence_ids: list[int]
    owner_ids: list[int]
    woman_refs: References
    child_refs: References
    home: str  # the country of the jurisdiction: a woman's nationality at home

    def __post_init__(self) -> None:
        # Placement notes are the ones the services write, in the active language.
        self.notes = {
            "": "",
            story.NOTE_BORN: gettext_noop("Born in custody"),
            story.NOTE_MOVED: _("Moved with her mother"),
            story.NOTE_LEFT_WITH_MOTHER: _("Left prison with her mother"),
            story.NOTE_AGE_LIMIT: gettext_noop("Left prison at the age limit"),
        }
        self.at_admission = _("At admission")

    def write(self, plans: list[story.WomanPlan]) -> None:
        prisons, notes = self.prison_ids, self.notes
        women, episodes, changes, charges, transfers = [], [], [], [], []
        pregnancies, children, placements = [], [], []
        in_custody = []
        for plan in plans:
            woman = Woman(
                organisation_id=self.owner_ids[plan.organisation],
                reference=self.woman_refs(),
                register_number=plan.register_number,
                name=plan.name,
                name_latin=plan.name_latin,
                date_of_birth=plan.dob,
                dob_is_estimated=plan.dob_is_estimated,
                nationality=self.home if plan.nationality == story.HOME else plan.nationality,
                ethnicity=plan.ethnicity,
                language=plan.language,
                is_primary_carer=plan.is_primary_carer,
                is_sole_carer=plan.is_sole_carer,
                dependent_children=len(plan.children),
                has_serious_illness=plan.has_serious_illness,
                has_disability=plan.has_disability,
                health_notes=plan.health_notes,
                consent_scope=(
                    ConsentScope.PARTNERS if plan.shares_with_partners else ConsentScope.REGISTER
                ),
                consent_recorded_on=plan.consent_recorded_on,
            )
            women.append(woman)
            if plan.in_custody:
                in_custody.append(woman)
            by_plan: dict[int, CustodyEpisode] = {}
            for ep in plan.episodes:
                status, since = ep.statuses[-1]
                episode = CustodyEpisode(
                    woman=woman,
                    admission_date=ep.admission,
                    admission_prison_id=prisons[ep.prison],
                    current_prison_id=prisons[ep.current_prison],
                    legal_status=status,
                    legal_status_since=since,
                    court=ep.court,
                    case_number=ep.case_number,
                    sentence_months=ep.sentence_months,
                    expected_release_date=ep.expected_release,
                    release_date=ep.release,
                    release_reason=ep.reason,
                )
                episodes.append(episode)
                by_plan[id(ep)] = episode
                changes += [
                    LegalStatusChange(
                        episode=episode,
                        status=s,
                        effective_date=d,
                        note=self.at_admission if i == 0 else "",
                    )
                    for i, (s, d) in enumerate(ep.statuses)
                ]
                charges += [
                    Charge(episode=episode, offence_category_id=self.offence_ids[o])
                    for o in ep.offences
                ]
                transfers += [
                    Transfer(
                        episode=episode,
                        transfer_date=d,
                        from_prison_id=prisons[f],
                        to_prison_id=prisons[t],
                    )
                    for d, f, t in ep.transfers
                ]
            by_pregnancy: dict[int, Pregnancy] = {}
            for p in plan.pregnancies:
                pregnancy = Pregnancy(
                    woman=woman,
                    episode=by_plan.get(id(p.episode)),
                    known_since=p.known_since,
                    expected_delivery_date=p.expected_delivery,
                    antenatal_care_contacts=p.antenatal_contacts,
                    outcome=p.outcome,
                    outcome_date=p.outcome_date,
                )
                pregnancies.append(pregnancy)
                by_pregnancy[id(p)] = pregnancy
            for c in plan.children:
                child = Child(
                    organisation_id=woman.organisation_id,
                    reference=self.child_refs(),
                    mother=woman,
                    name=c.name,
                    name_latin=c.name_latin,
                    sex=c.sex,
                    date_of_birth=c.dob,
                    dob_is_estimated=c.dob_is_estimated,
                    birth_registered=c.birth_registered,
                    born_in_custody=c.born_in_custody,
                    pregnancy=by_pregnancy.get(id(c.pregnancy)) if c.pregnancy else None,
                )
                children.append(child)
                placements += [
                    Placement(
                        child=child,
                        kind=pl.kind,
                        prison_id=prisons[pl.prison] if pl.prison is not None else None,
                        caregiver_name=pl.caregiver_name,
                        caregiver_relationship=pl.relationship,
                        caregiver_location=pl.location,
                        start_date=pl.start,
                        end_date=pl.end,
                        note=notes[pl.note],
                    )
                    for pl in c.placements
                ]
        # Parents first: bulk_create fills in each child row's foreign key from its parent.
        Woman.objects.bulk_create(women, batch_size=BATCH)
        search.reindex(women, fresh=True)  # the blind index of their encrypted names
        CustodyEpisode.objects.bulk_create(episodes, batch_size=BATCH)
        open_episode = CustodyEpisode.objects.filter(
            woman=OuterRef("pk"), release_date__isnull=True
        ).values("pk")[:1]
        Woman.objects.filter(pk__in=[w.pk for w in in_custody]).update(
            current_episode=Subquery(open_episode)
        )
        later: tuple[tuple[type[Model], list[Any]], ...] = (
            (LegalStatusChange, changes),
            (Charge, charges),
            (Transfer, transfers),
            (Pregnancy, pregnancies),
            (Child, children),
            (Placement, placements),
        )
        for model, rows in later:
            model._default_manager.bulk_create(rows, batch_size=BATCH)
