"""The stored deadlines of the register, kept in step with every change.

Counting and ordering the worklist from the register itself costs a second or more at 100
times national scale (a quarter of 1.8 million children are unregistered; each kind needs
joins across custody, placements and plans). So the deadlines whose date does not depend on
the day the list is read for — a child's age limit, an unregistered birth, an expected
delivery, a pretrial limit, an expected release — are computed here, once per change, and
stored in `Deadline`; `worklist.queries` selects them by due date with an index. Plans
behind schedule, follow-up visits and visit actions are few and stay computed on each read.

How the table stays right:
- every save or delete of a record a deadline depends on (signals below), and every service
  that writes with `update()` (`touch()`), writes a `StaleDeadlines` row for the woman in the
  same transaction as the change: if the process stops after the commit, the mark survives;
- after the commit, her deadlines are recomputed (`refresh_pending`); every read of the
  worklist first does the same for any mark still pending, so a read never sees a deadline
  older than the register;
- a recomputation locks the women's rows (PostgreSQL; SQLite lets one writer in at a time),
  replaces their deadlines and deletes only the marks it read, in one transaction: a change
  committed meanwhile leaves its own mark, so it is recomputed again;
- a change of a pack's rules marks every woman; `motherline deadlines --rebuild` recomputes
  all (after a bulk load), `--check` compares the table with the register.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, TypeVar, cast

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from motherline.care.models import FollowUp, LeaveExtension, PlanStatus, TransitionPlan
from motherline.care.queries import extension_months
from motherline.care.rules import child_leave_by
from motherline.jurisdictions.models import AgeLimitRule, Jurisdiction, PretrialLimitRule
from motherline.jurisdictions.rules import (
    StatedRules,
    add_months,
    birth_registration_due,
    pretrial_deadline,
)
from motherline.people import history
from motherline.people.history import Unanswered
from motherline.people.models import (
    Charge,
    Child,
    CustodyEpisode,
    LegalStatus,
    Placement,
    PlacementKind,
    Pregnancy,
    Woman,
)
from motherline.people.rules import is_minor
from motherline.places.models import Prison
from motherline.worklist.models import Deadline, StaleDeadlines
from motherline.worklist.rules import MAJORITY_MONTHS, OFFENCE_CLASS_RANK, Kind, plan_status_on

logger = logging.getLogger(__name__)

# The kinds stored here; the others are computed on each read.
STORED_KINDS = (
    Kind.CHILD_AGE_LIMIT,
    Kind.BIRTH_NOT_REGISTERED,
    Kind.EXPECTED_DELIVERY,
    Kind.PRETRIAL_LIMIT,
    Kind.EXPECTED_RELEASE,
)
# Women per transaction when recomputing pending marks, and per range of a full rebuild
# (each range is locked only while it is replaced).
BATCH = 2000
REBUILD_BATCH = 5000
INSERT_BATCH = 1000

# Which women a computation covers: a filter on the path that leads to the woman's id.
Women = Callable[[str], Q]


def _ids(woman_ids: Collection[int]) -> Women:
    ids = list(woman_ids)
    return lambda path: Q(**{f"{path}__in": ids})


def _range(first: int, last: int) -> Women:
    return lambda path: Q(**{f"{path}__gte": first, f"{path}__lte": last})


def everyone(path: str) -> Q:
    return Q()


R = TypeVar("R", AgeLimitRule, PretrialLimitRule)


def rules_by_jurisdiction(model: type[R]) -> dict[int, list[R]]:
    """Every rule of this kind, grouped by the jurisdiction whose packs state it."""
    grouped: dict[int, list[R]] = defaultdict(list)
    for rule in model.objects.all():
        grouped[rule.jurisdiction_id].append(rule)
    return grouped


@dataclass
class _Rules:
    """The packs' rules and each prison's jurisdiction, read once per computation."""

    jurisdiction: dict[int, int]
    age: dict[int, list[AgeLimitRule]]
    pretrial: dict[int, list[PretrialLimitRule]]
    stated: dict[int, StatedRules]

    @classmethod
    def read(cls) -> _Rules:
        jurisdiction = dict(Prison.objects.values_list("id", "province__jurisdiction_id"))
        return cls(
            jurisdiction,
            rules_by_jurisdiction(AgeLimitRule),
            rules_by_jurisdiction(PretrialLimitRule),
            stated_by_jurisdiction(),
        )

    def readings(self, prison_id: int) -> StatedRules:
        return self.stated.get(self.jurisdiction[prison_id], StatedRules())


def stated_by_jurisdiction() -> dict[int, StatedRules]:
    """Each jurisdiction's stated rules and readings (`pack.toml` [rules])."""
    return {
        pk: StatedRules.of(data)
        for pk, data in Jurisdiction.objects.values_list("pk", "stated_rules")
    }


def _in_prison_now() -> Exists:
    return Exists(
        Placement.objects.filter(
            child=OuterRef("pk"), kind=PlacementKind.IN_PRISON, end_date__isnull=True
        )
    )


def _children_at_age_limit(women: Women, rules: _Rules) -> Iterator[Deadline]:
    """Each child living in prison leaves by the date the age-limit rules of the prison's
    jurisdiction give, with the extensions granted to the child."""
    active_plan = (
        TransitionPlan.objects.filter(child=OuterRef("child_id"))
        .exclude(status=PlanStatus.CLOSED)
        .order_by("-id")
    )
    # Where the plan stands: the age-limit row carries it (a plan behind schedule is the
    # row's status, not a second row for the same child).
    plan_fields = {f"plan_{name}": Subquery(active_plan.values(name)[:1]) for name in _PLAN_DATES}
    rows = (
        Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .filter(women("child__mother_id"))
        .annotate(
            extension_months=extension_months(),
            plan_status=Coalesce(Subquery(active_plan.values("status")[:1]), Value("")),
            plan_id=Subquery(active_plan.values("id")[:1]),
            **plan_fields,
        )
        .order_by("child_id", "start_date", "id")
        .values(*_AGE_LIMIT_FIELDS, *plan_fields)
    )
    # A child has one open placement; should the register hold two, the latest counts.
    latest = {row["child_id"]: row for row in rows}
    for row in latest.values():
        deadline = _age_limit_deadline(row, rules)
        if deadline is not None:
            yield deadline


# What an age-limit row reads: the placement, the child and the open plan.
_AGE_LIMIT_FIELDS = (
    "child_id",
    "prison_id",
    "start_date",
    "extension_months",
    "plan_status",
    "plan_id",
    "child__reference",
    "child__date_of_birth",
    "child__mother_id",
    "child__mother__reference",
)
_PLAN_DATES = ("due_date", "handover_planned_on", "handed_over_on")


def _age_limit_deadline(row: dict[str, Any], rules: _Rules) -> Deadline | None:
    """The age-limit deadline of a child living in prison (a row of `_AGE_LIMIT_FIELDS`
    and the plan's dates)."""
    prison_id = row["prison_id"]
    if prison_id is None:
        return None
    age_rules = rules.age.get(rules.jurisdiction[prison_id], [])
    dob = row["child__date_of_birth"]
    leave_by = child_leave_by(
        dob,
        age_rules,
        [row["extension_months"]],
        on=dob,
        readings=rules.readings(prison_id),
        entered_on=row["start_date"],
    )
    if leave_by.date is None:
        return None
    plan = {
        name: row[f"plan_{name}"].isoformat() if row[f"plan_{name}"] else None
        for name in _PLAN_DATES
    }
    return Deadline(
        kind=Kind.CHILD_AGE_LIMIT,
        due_date=leave_by.date,
        woman_id=row["child__mother_id"],
        child_id=row["child_id"],
        source_id=row["child_id"],
        reference=row["child__reference"],
        prison_id=prison_id,
        facts={
            "dob": dob.isoformat(),
            "extension": row["extension_months"],
            "plan": row["plan_status"],
            "plan_id": row["plan_id"],
            "plan_due": plan["due_date"],
            "handover_planned": plan["handover_planned_on"],
            "handed_over": plan["handed_over_on"],
            "entered": row["start_date"].isoformat(),
            "mother": row["child__mother__reference"],
        },
    )


def child_prison(prefix: str = "") -> Coalesce:
    """Where a child's deadline or item belongs: the mother's prison while she is in
    custody, else the prison the child last lived in (a child already handed over to a
    caregiver). `prefix` leads from the queried record to the child ("" for a child)."""
    last_prison = Subquery(
        Placement.objects.filter(
            child=OuterRef(f"{prefix}id" if prefix else "pk"), kind=PlacementKind.IN_PRISON
        )
        .order_by("-start_date", "-id")
        .values("prison_id")[:1]
    )
    return Coalesce(
        F(f"{prefix}mother__current_episode__current_prison_id"),
        last_prison,
        output_field=BigIntegerField(),
    )


def _born_in_custody() -> Exists:
    """Whether a child was born while the mother was in custody, by her episodes' dates."""
    return Exists(
        CustodyEpisode.objects.filter(
            woman=OuterRef("mother_id"), admission_date__lte=OuterRef("date_of_birth")
        ).filter(Q(release_date__isnull=True) | Q(release_date__gte=OuterRef("date_of_birth")))
    )


def _unregistered_births(women: Women, rules: _Rules) -> Iterator[Deadline]:
    """A child whose birth is not registered, born while the mother was in custody or
    having lived in prison with her, while she is in custody or the child lives in prison:
    due the pack's registration period after the birth (none where the pack states no
    period), asked for until the child is 18 (`ends_on`)."""
    lived_in_prison = Exists(
        Placement.objects.filter(child=OuterRef("pk"), kind=PlacementKind.IN_PRISON)
    )
    rows = (
        Child.objects.filter(birth_registered=False)
        .filter(women("mother_id"))
        .filter(Q(born_in_custody=True) | _born_in_custody() | lived_in_prison)
        # Followed while the mother is in custody or the child still lives in prison.
        .filter(Q(mother__current_episode__isnull=False) | _in_prison_now())
        .annotate(prison_id=child_prison(), in_prison=_in_prison_now())
        .order_by()
        .values(*_BIRTH_FIELDS)
    )
    for row in rows:
        deadline = _birth_deadline(row, rules)
        if deadline is not None:
            yield deadline


_BIRTH_FIELDS = (
    "id",
    "reference",
    "date_of_birth",
    "mother_id",
    "mother__reference",
    "prison_id",
    "in_prison",
)


def _birth_deadline(row: dict[str, Any], rules: _Rules) -> Deadline | None:
    """The registration deadline of an unregistered birth (a row of `_BIRTH_FIELDS`)."""
    prison_id = row["prison_id"]
    if prison_id is None:
        return None
    period = rules.readings(prison_id).birth_registration
    if period is None:
        return None
    dob = row["date_of_birth"]
    return Deadline(
        kind=Kind.BIRTH_NOT_REGISTERED,
        due_date=birth_registration_due(dob, period.value),
        ends_on=add_months(dob, MAJORITY_MONTHS),
        woman_id=row["mother_id"],
        child_id=row["id"],
        source_id=row["id"],
        reference=row["reference"],
        prison_id=prison_id,
        facts={
            "dob": dob.isoformat(),
            "in_prison": row["in_prison"],
            "period": list(period.value),
            "mother": row["mother__reference"],
        },
    )


def _deliveries(women: Women, rules: _Rules) -> Iterator[Deadline]:
    """An ongoing pregnancy of a woman in custody, due on the expected delivery date."""
    rows = (
        Pregnancy.objects.filter(
            outcome="",
            expected_delivery_date__isnull=False,
            woman__current_episode__isnull=False,
        )
        .filter(women("woman_id"))
        .order_by()
        .values(
            "id",
            "expected_delivery_date",
            "woman_id",
            "woman__reference",
            "woman__current_episode__current_prison_id",
        )
    )
    yield from _woman_deadlines(
        rows,
        Kind.EXPECTED_DELIVERY,
        "expected_delivery_date",
        "woman__current_episode__current_prison_id",
    )


def _woman_deadlines(
    rows: Iterable[Mapping[str, Any]],
    kind: Kind,
    date_field: str,
    prison_field: str,
    facts: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
) -> Iterator[Deadline]:
    """A deadline of `kind` about a woman for each row of the record it comes from (its
    `id`, `woman_id`, `woman__reference`, the due date in `date_field`, selected not null,
    and the prison in `prison_field`), with the row's `facts`. A row without a prison is
    skipped: on a past day, `_episodes_on` gathers it."""
    for row in rows:
        if row[prison_field] is not None:
            yield Deadline(
                kind=kind,
                due_date=cast(date, row[date_field]),
                woman_id=row["woman_id"],
                source_id=row["id"],
                reference=row["woman__reference"],
                prison_id=row[prison_field],
                facts=facts(row) if facts else {},
            )


def _most_serious_offence_rank() -> Min:
    """The rank (`rules.OFFENCE_CLASS_RANK`) of the most serious charge of an episode, by
    one aggregate over the charges: felony 0, misdemeanour 1, petty 2; none without one."""
    return Min(
        Case(
            *(
                When(charges__offence_category__offence_class=name, then=Value(rank))
                for name, rank in OFFENCE_CLASS_RANK.items()
            ),
            default=Value(len(OFFENCE_CLASS_RANK)),
            output_field=IntegerField(),
        )
    )


def _pretrial_limits(women: Women, rules: _Rules) -> Iterator[Deadline]:
    """Detention before trial reaches the limit of the rule in force when it began, for the
    class of the most serious charge and her age then."""
    rows = (
        CustodyEpisode.objects.filter(release_date__isnull=True, legal_status=LegalStatus.PRETRIAL)
        .filter(women("woman_id"))
        .order_by()
        .values(
            "id",
            "admission_date",
            "current_prison_id",
            "woman_id",
            "woman__reference",
            "woman__date_of_birth",
        )
        .annotate(offence_rank=_most_serious_offence_rank())
    )
    yield from _pretrial_deadlines(rows, rules, "current_prison_id")


def _pretrial_deadlines(
    rows: Iterable[Mapping[str, Any]], rules: _Rules, prison_field: str, until: date | None = None
) -> Iterator[Deadline]:
    """The pretrial deadlines of episodes held before trial (rows with the episode's id,
    admission date, prison, woman and rank of the most serious charge)."""
    classes = {rank: name for name, rank in OFFENCE_CLASS_RANK.items()}
    # Many women share a day of detention: look each rule up once.
    deadlines: dict[tuple[int, str, bool, date], date | None] = {}
    for row in rows:
        offence_class = classes.get(row["offence_rank"], "")
        if not offence_class or row[prison_field] is None:
            continue
        jurisdiction_id = rules.jurisdiction[row[prison_field]]
        detained_on = row["admission_date"]
        minor = is_minor(row["woman__date_of_birth"], detained_on)
        key = (jurisdiction_id, offence_class, minor, detained_on)
        if key not in deadlines:
            limits = rules.pretrial.get(jurisdiction_id, [])
            deadlines[key] = pretrial_deadline(detained_on, limits, offence_class, minor)
        due = deadlines[key]
        if due is None or (until is not None and due > until):
            continue
        yield Deadline(
            kind=Kind.PRETRIAL_LIMIT,
            due_date=due,
            woman_id=row["woman_id"],
            source_id=row["id"],
            reference=row["woman__reference"],
            prison_id=row[prison_field],
            facts={"since": detained_on.isoformat(), "class": offence_class, "minor": minor},
        )


def _releases(women: Women, rules: _Rules) -> Iterator[Deadline]:
    """An expected release of a woman with children living in prison with her (they leave
    with her), with their number."""
    children = dict(
        Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .filter(women("child__mother_id"))
        .order_by()
        .values_list("child__mother_id")
        .annotate(n=Count("child_id", distinct=True))
    )
    rows = (
        CustodyEpisode.objects.filter(
            release_date__isnull=True, expected_release_date__isnull=False
        )
        .filter(women("woman_id"))
        .order_by()
        .values("id", "expected_release_date", "current_prison_id", "woman_id", "woman__reference")
    )
    # Her release asks the monitor for something only when a child living in prison leaves
    # with her (the child's plan); a placement's change marks her again.
    yield from _woman_deadlines(
        (row for row in rows if children.get(row["woman_id"], 0)),
        Kind.EXPECTED_RELEASE,
        "expected_release_date",
        "current_prison_id",
        lambda row: {"children": children[row["woman_id"]]},
    )


COMPUTERS: tuple[Callable[[Women, _Rules], Iterator[Deadline]], ...] = (
    _children_at_age_limit,
    _unregistered_births,
    _deliveries,
    _pretrial_limits,
    _releases,
)


def compute(women: Women = everyone, rules: _Rules | None = None) -> Iterator[Deadline]:
    """Every stored deadline of these women, from the register as it is (unsaved rows)."""
    rules = rules or _Rules.read()
    for computer in COMPUTERS:
        yield from computer(women, rules)


# Deadlines of a past day
#
# The stored rows are the register as it stands. For a past day the same deadlines are
# computed from the register as it stood then (`people.history`): the episodes, statuses,
# prisons, placements, pregnancies, registrations and plans by their dates. Each query
# selects only what applied that day; a record whose history does not reach back to it is
# gathered in `Unanswered`, and the day is refused rather than answered wrongly.


def _child_in_prison_on(on: date) -> Exists:
    return Exists(Placement.objects.filter(history.in_prison_on(on), child=OuterRef("pk")))


def child_prison_on(on: date, prefix: str = "") -> Coalesce:
    """`child_prison` on a past day: the mother's prison that day while she was in custody,
    else the prison the child last lived in by then."""
    mother = OuterRef(f"{prefix}mother_id")
    held = Subquery(
        CustodyEpisode.objects.filter(history.covers(on), woman=mother)
        .order_by("-admission_date", "-id")
        .annotate(prison_then=history.prison_on(on))
        .values("prison_then")[:1]
    )
    last_prison = Subquery(
        Placement.objects.filter(
            child=OuterRef(f"{prefix}id" if prefix else "pk"),
            kind=PlacementKind.IN_PRISON,
            start_date__lte=on,
        )
        .order_by("-start_date", "-id")
        .values("prison_id")[:1]
    )
    return Coalesce(held, last_prison, output_field=BigIntegerField())


def _children_at_age_limit_on(
    on: date, women: Women, rules: _Rules, unanswered: Unanswered, until: date | None
) -> Iterator[Deadline]:
    """Children living in prison on `on`, with the extensions approved by then and the plan
    open then, at the step it stood at (`rules.plan_status_on`)."""
    open_plan = (
        TransitionPlan.objects.filter(child=OuterRef("child_id"), opened_on__lte=on)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=on))
        .order_by("-id")
    )
    plan_fields = {
        f"plan_{name}": Subquery(open_plan.values(name)[:1])
        for name in (*_PLAN_DATES, "assessed_on", "status")
    }
    rows = list(
        Placement.objects.filter(history.in_prison_on(on))
        .filter(women("child__mother_id"))
        .annotate(
            extension_months=extension_months(approved_by=on),
            plan_id=Subquery(open_plan.values("id")[:1]),
            **plan_fields,
        )
        .order_by("child_id", "start_date", "id")
        .values(*(f for f in _AGE_LIMIT_FIELDS if f != "plan_status"), *plan_fields)
    )
    plan_ids = [row["plan_id"] for row in rows if row["plan_id"] is not None]
    followed = dict(
        FollowUp.objects.filter(plan_id__in=plan_ids, done_on__lte=on)
        .order_by()
        .values_list("plan_id")
        .annotate(first=Min("done_on"))
    )
    latest = {row["child_id"]: row for row in rows}
    for row in latest.values():
        if row["plan_id"] is None:
            row["plan_status"] = ""
        else:
            row["plan_status"] = plan_status_on(
                row["plan_status"],
                row["plan_assessed_on"],
                row["plan_handed_over_on"],
                followed.get(row["plan_id"]),
                on,
            )
        # A handover after the day had not happened then.
        if row["plan_handed_over_on"] is not None and row["plan_handed_over_on"] > on:
            row["plan_handed_over_on"] = None
        deadline = _age_limit_deadline(row, rules)
        if deadline is not None and (until is None or deadline.due_date <= until):
            yield deadline


def _unregistered_births_on(
    on: date, women: Women, rules: _Rules, unanswered: Unanswered, until: date | None
) -> Iterator[Deadline]:
    """Children born by `on` whose birth was not registered then, born in custody or having
    lived in prison by then, while the mother was in custody or the child lived in prison
    that day, and still minors then. A registration recorded with no date counts from the
    first day the register knew it (`history.registration_known_from`); a child followed on
    an earlier day is gathered in `unanswered`."""
    # The sets of the day, each read once (not a subquery per child): the mothers in custody,
    # the children living in prison, the children who had lived in prison by then.
    held = CustodyEpisode.objects.filter(history.covers(on)).values("woman_id")
    inside = Placement.objects.filter(history.in_prison_on(on)).values("child_id")
    lived_in_prison = Placement.objects.filter(
        kind=PlacementKind.IN_PRISON, start_date__lte=on
    ).values("child_id")
    rows = (
        Child.objects.filter(
            # Minors on the day (the exact end is `ends_on`, below).
            date_of_birth__lte=on,
            date_of_birth__gte=add_months(on, -MAJORITY_MONTHS) - timedelta(days=3),
        )
        .filter(Q(mother_id__in=held) | Q(pk__in=inside))
        .filter(history.unregistered_on(on) | history.undated_registration())
        .filter(women("mother_id"))
        .filter(Q(born_in_custody=True) | Q(pk__in=lived_in_prison) | _born_in_custody())
        .annotate(
            prison_id=child_prison_on(on),
            in_prison=_child_in_prison_on(on),
            undated=ExpressionWrapper(history.undated_registration(), output_field=BooleanField()),
            known_from=Case(
                When(history.undated_registration(), then=history.registration_known_from())
            ),
        )
        .order_by()
        .values(*_BIRTH_FIELDS, "undated", "known_from")
    )
    for row in rows:
        deadline = _birth_deadline(row, rules)
        if deadline is None or deadline.ends_on is None or deadline.ends_on <= on:
            continue
        if until is not None and deadline.due_date > until:
            continue
        if row["undated"]:
            # Registered by the day the register knew it; before that day, not known.
            if row["known_from"] is None or row["known_from"] > on:
                unanswered.add("registration", [row["reference"]])
            continue
        yield deadline


def _deliveries_on(
    on: date, women: Women, rules: _Rules, unanswered: Unanswered, until: date | None
) -> Iterator[Deadline]:
    """Pregnancies ongoing on `on` of women in custody that day, in the prison she was held
    in then. An outcome with no date is gathered in `unanswered`."""
    held = CustodyEpisode.objects.filter(history.covers(on), woman=OuterRef("woman_id"))
    due = Q(expected_delivery_date__lte=until) if until else Q()
    rows = (
        Pregnancy.objects.filter(due, expected_delivery_date__isnull=False)
        .filter(history.pregnant_on(on))
        .filter(women("woman_id"))
        .filter(woman_id__in=CustodyEpisode.objects.filter(history.covers(on)).values("woman_id"))
        .annotate(
            prison_then=Subquery(
                held.order_by("-admission_date", "-id")
                .annotate(p=history.prison_on(on))
                .values("p")[:1]
            )
        )
        .order_by()
        .values("id", "expected_delivery_date", "woman_id", "woman__reference", "prison_then")
    )
    yield from _woman_deadlines(
        rows, Kind.EXPECTED_DELIVERY, "expected_delivery_date", "prison_then"
    )


def _pretrial_limits_on(
    on: date, women: Women, rules: _Rules, unanswered: Unanswered, until: date | None
) -> Iterator[Deadline]:
    """Episodes held before trial on `on`, by the legal status in effect that day, in the
    prison she was held in then. A status not dated back to the day is gathered."""
    rows = (
        CustodyEpisode.objects.filter(history.covers(on))
        .filter(women("woman_id"))
        .annotate(
            prison_then=history.prison_on(on),
            status_then=history.legal_status_on(on),
            offence_rank=_offence_rank_of_episode(),
        )
        .filter(Q(status_then=LegalStatus.PRETRIAL) | Q(status_then__isnull=True))
        .order_by()
        .values(
            "id",
            "admission_date",
            "prison_then",
            "status_then",
            "woman_id",
            "woman__reference",
            "woman__date_of_birth",
            "offence_rank",
        )
    )
    known = []
    for row in rows:
        if row["status_then"] is None:
            unanswered.add("status", [row["woman__reference"]])
        elif row["prison_then"] is not None:
            known.append(row)
    yield from _pretrial_deadlines(known, rules, "prison_then", until)


def _offence_rank_of_episode() -> Coalesce:
    """`_most_serious_offence_rank` as a subquery of one episode (no grouping outside)."""
    ranked = (
        Charge.objects.filter(episode=OuterRef("pk"))
        .order_by()
        .values("episode")
        .annotate(
            rank=Min(
                Case(
                    *(
                        When(offence_category__offence_class=name, then=Value(rank))
                        for name, rank in OFFENCE_CLASS_RANK.items()
                    ),
                    default=Value(len(OFFENCE_CLASS_RANK)),
                    output_field=IntegerField(),
                )
            )
        )
        .values("rank")
    )
    return Coalesce(Subquery(ranked), Value(len(OFFENCE_CLASS_RANK)))


def _releases_on(
    on: date, women: Women, rules: _Rules, unanswered: Unanswered, until: date | None
) -> Iterator[Deadline]:
    """Expected releases of women in custody on `on` with children living in prison with
    them that day, in the prison she was held in then."""
    children = dict(
        Placement.objects.filter(history.in_prison_on(on))
        .filter(women("child__mother_id"))
        .order_by()
        .values_list("child__mother_id")
        .annotate(n=Count("child_id", distinct=True))
    )
    rows = (
        CustodyEpisode.objects.filter(history.covers(on), expected_release_date__isnull=False)
        .filter(Q(expected_release_date__lte=until) if until else Q())
        .filter(women("woman_id"), woman_id__in=list(children))
        .annotate(prison_then=history.prison_on(on))
        .order_by()
        .values("id", "expected_release_date", "prison_then", "woman_id", "woman__reference")
    )
    yield from _woman_deadlines(
        rows,
        Kind.EXPECTED_RELEASE,
        "expected_release_date",
        "prison_then",
        lambda row: {"children": children[row["woman_id"]]},
    )


def _episodes_on(on: date, women: Women, unanswered: Unanswered) -> None:
    """Gather the women in custody on `on` whose prison that day is not known (it changed
    without a dated transfer)."""
    unanswered.add(
        "prison",
        CustodyEpisode.objects.filter(history.covers(on))
        .filter(women("woman_id"))
        .annotate(prison_then=history.prison_on(on))
        .filter(prison_then__isnull=True)
        .values_list("woman__reference", flat=True),
    )


def _undated_outcomes_on(on: date, women: Women, unanswered: Unanswered) -> None:
    """Gather the women in custody on `on` with a pregnancy known by then, and recently
    enough to be ongoing, whose outcome has no date: whether she was still pregnant that
    day is not known."""
    unanswered.add(
        "outcome",
        Pregnancy.objects.filter(history.undated_outcome_on(on))
        .filter(women("woman_id"))
        .filter(woman_id__in=CustodyEpisode.objects.filter(history.covers(on)).values("woman_id"))
        .values_list("woman__reference", flat=True),
    )


PAST_COMPUTERS: dict[
    Kind, Callable[[date, Women, _Rules, Unanswered, date | None], Iterator[Deadline]]
] = {
    Kind.CHILD_AGE_LIMIT: _children_at_age_limit_on,
    Kind.BIRTH_NOT_REGISTERED: _unregistered_births_on,
    Kind.EXPECTED_DELIVERY: _deliveries_on,
    Kind.PRETRIAL_LIMIT: _pretrial_limits_on,
    Kind.EXPECTED_RELEASE: _releases_on,
}


def compute_on(
    on: date,
    women: Women = everyone,
    kinds: Collection[str] = STORED_KINDS,
    until: date | None = None,
) -> dict[str, list[Deadline]]:
    """The stored kinds' deadlines (of `kinds`) of these women as the register stood on
    `on`, by kind (unsaved rows), none due after `until` (a list's horizon). Raises
    `history.UnanswerableDay` when a record they need is not dated back to that day."""
    rules = _Rules.read()
    unanswered = Unanswered(on)
    if set(kinds) - {Kind.CHILD_AGE_LIMIT}:
        # Every kind but the age limit (placed in the child's prison) is placed in the
        # prison she was held in that day.
        _episodes_on(on, women, unanswered)
    if Kind.EXPECTED_DELIVERY in kinds:
        _undated_outcomes_on(on, women, unanswered)
    found: dict[str, list[Deadline]] = {
        kind: list(computer(on, women, rules, unanswered, until))
        for kind, computer in PAST_COMPUTERS.items()
        if kind in kinds
    }
    unanswered.raise_if_any()
    return found


def _replace(women: Women, rules: _Rules) -> int:
    """Inside a transaction: lock these women, then put their deadlines in place of the old."""
    locked = Woman.objects.filter(women("pk")).select_for_update().order_by("pk")
    if connection.features.has_select_for_update:
        list(locked.values_list("pk", flat=True))
    Deadline.objects.filter(women("woman_id")).delete()
    rows = list(compute(women, rules))
    Deadline.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def refresh(woman_ids: Collection[int]) -> int:
    """Recompute the deadlines of these women now; returns the rows written."""
    rules = _Rules.read()
    written = 0
    ids = sorted(set(woman_ids))
    for start in range(0, len(ids), BATCH):
        with transaction.atomic():
            written += _replace(_ids(ids[start : start + BATCH]), rules)
    return written


def rebuild(progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every deadline, a range of women per transaction (so it can run beside
    users: each range is locked only while it is replaced). Returns the rows written."""
    rules = _Rules.read()
    bounds = Woman.objects.aggregate(first=Min("pk"), last=Max("pk"))
    written = 0
    if bounds["first"] is not None:
        first, last = bounds["first"], bounds["last"]
        for start in range(first, last + 1, REBUILD_BATCH):
            end = min(start + REBUILD_BATCH - 1, last)
            with transaction.atomic():
                written += _replace(_range(start, end), rules)
            if progress:
                progress(end - first + 1, last - first + 1)
    # Rows of women who no longer exist went with them (foreign key); none can remain.
    return written


# Marks


def _drain_after_commit() -> None:
    try:
        refresh_pending()
    except Exception:  # the change is committed and its marks stay: the next read retries
        logger.exception("Recomputing deadlines after a commit failed; the next read retries")


def _schedule() -> None:
    """Recompute after the current transaction commits, once per transaction."""
    if connection.in_atomic_block and any(
        # (savepoint ids, function, robust): django-stubs still has the older pairs.
        entry[1] is _drain_after_commit
        for entry in cast(list[tuple[Any, ...]], connection.run_on_commit)
    ):
        return
    transaction.on_commit(_drain_after_commit)


def touch(woman_ids: Collection[int | None]) -> None:
    """Mark these women's deadlines for recomputation, in the caller's transaction."""
    ids = sorted({i for i in woman_ids if i is not None})
    if not ids:
        return
    StaleDeadlines.objects.bulk_create([StaleDeadlines(woman_id=i) for i in ids])
    _schedule()


def touch_all() -> None:
    """Mark every deadline for recomputation (a rule of a pack changed)."""
    StaleDeadlines.objects.create(woman_id=None)
    _schedule()


def rebuild_all(progress: Callable[[int, int], None] | None = None) -> int:
    """`rebuild`, clearing the marks it covers: those committed before it began, by id (a
    mark with a lower id may commit later, after its range was recomputed: it stays)."""
    marks = list(StaleDeadlines.objects.values_list("pk", flat=True))
    written = rebuild(progress)
    for start in range(0, len(marks), BATCH):
        StaleDeadlines.objects.filter(pk__in=marks[start : start + BATCH]).delete()
    return written


def refresh_pending() -> int:
    """Recompute the deadlines of every woman marked as changed; one query when none is.
    Returns the marks cleared."""
    marks = list(StaleDeadlines.objects.order_by("pk").values_list("pk", "woman_id"))
    if not marks:
        return 0
    if any(woman_id is None for _pk, woman_id in marks):
        rebuild_all()
        return len(marks)
    by_woman: dict[int, list[int]] = defaultdict(list)
    for pk, woman_id in marks:
        by_woman[cast(int, woman_id)].append(pk)
    rules = _Rules.read()
    women = sorted(by_woman)
    for start in range(0, len(women), BATCH):
        batch = women[start : start + BATCH]
        with transaction.atomic():
            _replace(_ids(batch), rules)
            StaleDeadlines.objects.filter(
                pk__in=[pk for woman_id in batch for pk in by_woman[woman_id]]
            ).delete()
    return len(marks)


# Checking


@dataclass
class Drift:
    """How the stored deadlines differ from the register: rows missing, rows that should
    not be there, and rows whose date or facts differ, by kind."""

    missing: dict[str, int]
    extra: dict[str, int]
    changed: dict[str, int]

    @property
    def none(self) -> bool:
        return not (self.missing or self.extra or self.changed)


def _as_tuple(row: Deadline) -> tuple[Any, ...]:
    return (
        row.due_date,
        row.ends_on,
        row.woman_id,
        row.child_id,
        row.reference,
        row.prison_id,
        tuple(sorted(row.facts.items())),
    )


def check() -> Drift:
    """Compare the table with a computation from the register (read only)."""
    expected = {(str(r.kind), r.source_id): _as_tuple(r) for r in compute()}
    stored = {(str(r.kind), r.source_id): _as_tuple(r) for r in Deadline.objects.iterator()}
    missing: dict[str, int] = defaultdict(int)
    extra: dict[str, int] = defaultdict(int)
    changed: dict[str, int] = defaultdict(int)
    for key, values in expected.items():
        if key not in stored:
            missing[key[0]] += 1
        elif stored[key] != values:
            changed[key[0]] += 1
    for key in stored.keys() - expected.keys():
        extra[key[0]] += 1
    return Drift(dict(missing), dict(extra), dict(changed))


# What marks them: every save and delete of a record a deadline depends on


def _mother_of_child(child_id: int | None) -> int | None:
    if child_id is None:
        return None
    return Child.objects.filter(pk=child_id).values_list("mother_id", flat=True).first()


def _woman_of(instance: Any) -> int | None:
    """The woman whose deadlines a record of the register affects."""
    if isinstance(instance, Woman):
        return instance.pk
    if isinstance(instance, Child):
        return instance.mother_id
    if hasattr(instance, "woman_id"):
        return instance.woman_id
    if hasattr(instance, "episode_id"):
        return (
            CustodyEpisode.objects.filter(pk=instance.episode_id)
            .values_list("woman_id", flat=True)
            .first()
        )
    return _mother_of_child(instance.child_id)


def record_changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # loading fixtures or a backup: the deadlines come with the data
        return
    touch([_woman_of(instance)])


# Fingerprints of the rules taken when a pack load began, by connection: while a pack is
# loaded its rules are deleted and written again, so only the end state tells a change.
_loading: dict[str, tuple[Any, ...]] = {}


def rule_changed(sender: type, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw and connection.alias not in _loading:
        touch_all()


def pack_loading(sender: Any, **kwargs: Any) -> None:
    _loading[connection.alias] = rules_fingerprint()


def pack_loaded(sender: Any, **kwargs: Any) -> None:
    before = _loading.pop(connection.alias, None)
    if before != rules_fingerprint():
        touch_all()


def rules_fingerprint() -> tuple[Any, ...]:
    """Everything of the packs a deadline depends on: the age and pretrial rules, each
    offence category's class, each prison's jurisdiction. A pack load that leaves it equal
    leaves every deadline as it was."""
    from motherline.jurisdictions.models import OffenceCategory

    def rows(model: Any) -> list[tuple[Any, ...]]:
        # Not the ids: a load replaces the rules with equal rows under new ids.
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
        return sorted(model.objects.order_by().values_list(*fields), key=repr)

    return (
        rows(AgeLimitRule),
        rows(PretrialLimitRule),
        sorted(Jurisdiction.objects.values_list("pk", "stated_rules"), key=repr),
        sorted(OffenceCategory.objects.values_list("pk", "offence_class")),
        sorted(Prison.objects.values_list("pk", "province__jurisdiction_id")),
    )


def records_updated(sender: type, woman_ids: Collection[int], **kwargs: Any) -> None:
    touch(woman_ids)


def after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """`motherline migrate` computes the deadlines marked to be computed all over (`touch_all`),
    so no web request has to."""
    tables = set(connection.introspection.table_names())
    if not {Deadline._meta.db_table, StaleDeadlines._meta.db_table} <= tables:
        return
    if StaleDeadlines.objects.filter(woman_id=None).exists():
        rebuild_all()


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from motherline.jurisdictions import signals
    from motherline.jurisdictions.models import OffenceCategory
    from motherline.people.signals import register_changed

    register_changed.connect(records_updated, dispatch_uid="deadlines-register-changed")
    signals.pack_loading.connect(pack_loading, dispatch_uid="deadlines-pack-loading")
    signals.pack_loaded.connect(pack_loaded, dispatch_uid="deadlines-pack-loaded")
    for model in (
        Woman,
        CustodyEpisode,
        Charge,
        Pregnancy,
        Child,
        Placement,
        LeaveExtension,
        TransitionPlan,
    ):
        post_save.connect(record_changed, sender=model, dispatch_uid=f"deadlines-{model}")
        post_delete.connect(record_changed, sender=model, dispatch_uid=f"deadlines-d-{model}")
    # A prison's jurisdiction changes only with its pack (`pack_loaded` compares them).
    for rules_model in (AgeLimitRule, PretrialLimitRule, OffenceCategory):
        uid = f"deadlines-{rules_model}"
        post_save.connect(rule_changed, sender=rules_model, dispatch_uid=uid)
        post_delete.connect(rule_changed, sender=rules_model, dispatch_uid=f"{uid}-d")
