"""The worklist of one user: every deadline within their scope that is due in the next 90
days or already overdue, read from the register each time.

The database does the narrowing. For each kind of item one query selects the candidate rows
by date windows worked out from the jurisdiction's rules (for the age limit: children living
in prison born early enough to reach the shortest limit of their prison's jurisdiction by
the horizon), scoped by `visible_to(user)` (the access policy), with everything an item shows
fetched in the same query (and, for expected releases, one more for the children living
with each mother). `worklist.rules` then computes each due date exactly.

Two ways to read it, each at a fixed number of queries whatever the number of items:
`worklist_for` returns every item (the API, the command, the alerts); `worklist_groups`
returns the page's urgency groups, each with its count and only its first rows, so where a
due date is a column (births, deliveries, releases, follow-up visits) the database counts
the groups and returns only the rows shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property, reduce
from operator import or_
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Collate, Concat, RowNumber
from django.urls import reverse

from motherline.accounts.policy import Capability, can
from motherline.care.models import FollowUp, LeaveExtension, PlanStatus, TransitionPlan
from motherline.fieldwork.models import ActionStatus, FollowUpAction, PrisonVisit
from motherline.jurisdictions.models import AgeLimitRule, PretrialLimitRule
from motherline.jurisdictions.rules import pretrial_deadline, pretrial_limit_on
from motherline.people.models import (
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
from motherline.worklist import rules
from motherline.worklist.rules import URGENCY_ORDER, Item, Kind, Place, Subject, Urgency

# Only to narrow candidates: a woman who was a minor when detained was born less than
# 18 years (of at most 366 days) before.
ADULT_YEARS = 18


@dataclass
class WorklistFilters:
    prison: str = ""  # prison code
    province: str = ""  # ISO 3166-2 code
    kind: str = ""  # one of rules.Kind

    def as_query(self) -> dict[str, str]:
        return {key: value for key, value in self.__dict__.items() if value}


@dataclass
class Group:
    """One urgency group of the page: its first items, most urgent first, and its count."""

    urgency: Urgency
    items: list[Item]
    total: int

    @property
    def label(self) -> str:
        return str(rules.URGENCY_LABELS[self.urgency])

    @property
    def hidden(self) -> int:
        return self.total - len(self.items)


@dataclass(frozen=True)
class Cursor:
    """Where a page of the worklist ends: the last item's place in the order of
    `rules.sort_key` (urgency, kind, due date, reference). Opaque text to a client."""

    urgency: int
    kind: int
    due_date: date
    reference: str

    @classmethod
    def after(cls, item: Item) -> Cursor:
        urgency, kind, due_date, reference = rules.sort_key(item)
        return cls(urgency, kind, due_date, reference)

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """The cursor a previous page returned; ValueError for anything else."""
        urgency, kind, due, reference = text.split(".", 3)
        cursor = cls(int(urgency), int(kind), date.fromisoformat(due), reference)
        if not (0 <= cursor.urgency < len(URGENCY_ORDER)) or not (
            0 <= cursor.kind < len(rules.KIND_ORDER)
        ):
            raise ValueError(text)
        return cursor

    def __str__(self) -> str:
        return f"{self.urgency}.{self.kind}.{self.due_date.isoformat()}.{self.reference}"

    def precedes(self, item: Item) -> bool:
        return (self.urgency, self.kind, self.due_date, self.reference) < rules.sort_key(item)


@dataclass
class PageOfItems:
    items: list[Item]
    next_cursor: Cursor | None


@dataclass
class _Part:
    """What one kind contributes: its items (all, or the first of each group) and counts."""

    items: list[Item]
    counts: Counter[Urgency] = field(default_factory=Counter)


class _Links:
    """URLs of the pages where the user acts, built once per list: `reverse()` for every
    item would cost more than the rest of the item."""

    MARK = "REFERENCE"
    MARK_ID = 987654321

    def __init__(self) -> None:
        self.woman = reverse("people:woman", args=[self.MARK])
        self.child = reverse("people:child", args=[self.MARK])
        self.plan = reverse("care:plan", args=[self.MARK_ID])

    def for_woman(self, reference: str) -> str:
        return self.woman.replace(self.MARK, reference)

    def for_child(self, reference: str) -> str:
        return self.child.replace(self.MARK, reference)

    def for_plan(self, plan_id: int) -> str:
        return self.plan.replace(str(self.MARK_ID), str(plan_id))


class _Context:
    """What every kind needs: the day, the prisons the filters select, the pack's rules
    (read when a kind first needs them), and how many rows of each group to build."""

    def __init__(
        self,
        as_of: date,
        filters: WorklistFilters,
        with_names: bool,
        limit: int | None,
        page: tuple[Cursor | None, int] | None = None,
    ) -> None:
        self.as_of = as_of
        self.horizon = rules.horizon(as_of)
        self.with_names = with_names
        self.limit = limit
        # A page of the whole list: each kind's first `size` + 1 items after the cursor.
        self.page = page
        self.links = _Links()
        prisons = list(Prison.objects.select_related("province"))
        self.places = {
            p.id: Place(p.code, p.display_name, p.province.code, p.province.display_name)
            for p in prisons
        }
        self.jurisdiction = {p.id: p.province.jurisdiction_id for p in prisons}
        self.filtered = bool(filters.prison or filters.province)
        self.prison_ids = [
            p.id
            for p in prisons
            if (not filters.prison or p.code == filters.prison)
            and (not filters.province or p.province.code == filters.province)
        ]

    @cached_property
    def age_rules(self) -> dict[int, list[AgeLimitRule]]:
        by_jurisdiction: dict[int, list[AgeLimitRule]] = defaultdict(list)
        for rule in AgeLimitRule.objects.all():
            by_jurisdiction[rule.jurisdiction_id].append(rule)
        return by_jurisdiction

    @cached_property
    def pretrial_rules(self) -> dict[int, list[PretrialLimitRule]]:
        by_jurisdiction: dict[int, list[PretrialLimitRule]] = defaultdict(list)
        for rule in PretrialLimitRule.objects.all():
            by_jurisdiction[rule.jurisdiction_id].append(rule)
        return by_jurisdiction

    def prisons_by_jurisdiction(self) -> dict[int, list[int]]:
        """The selected prisons, grouped by the jurisdiction whose rules apply in them."""
        groups: dict[int, list[int]] = defaultdict(list)
        for prison_id in self.prison_ids:
            groups[self.jurisdiction[prison_id]].append(prison_id)
        return groups

    def place(self, prison_id: int | None) -> Place:
        return self.places.get(prison_id, Place()) if prison_id else Place()

    def in_selected_prisons(self, field_name: str) -> Q:
        """Items in the prisons the filters select (no condition without a filter)."""
        return Q(**{f"{field_name}__in": self.prison_ids}) if self.filtered else Q()

    def first_due(self, urgency_index: int) -> date | None:
        """The earliest due date in an urgency group (None for overdue: no lower bound)."""
        return [None, self.as_of, self.as_of + timedelta(days=8), self.as_of + timedelta(days=31)][
            urgency_index
        ]

    def after_cursor(self, kind: Kind, due_field: str, ref_field: str) -> Q:
        """The rows of one kind that come after the page's cursor in the list's order.
        Within a kind that order is (due date, reference), because the urgency group is a
        function of the due date: so the condition is a bound on those two columns."""
        cursor = self.page[0] if self.page else None
        if cursor is None:
            return Q()
        kind_index = rules.KIND_ORDER.index(kind)
        if kind_index == cursor.kind:
            return Q(**{f"{due_field}__gt": cursor.due_date}) | Q(
                **{due_field: cursor.due_date, f"{ref_field}__gt": cursor.reference}
            )
        # Another kind continues in the cursor's group if it sorts after the cursor's kind,
        # else only in the next group.
        group = cursor.urgency if kind_index > cursor.kind else cursor.urgency + 1
        if group >= len(URGENCY_ORDER):
            return Q(pk__in=[])
        first = self.first_due(group)
        return Q(**{f"{due_field}__gte": first}) if first else Q()

    def name(self, *names: str | None) -> str:
        if not self.with_names:
            return ""
        return next((n for n in names if n), "")


def _visible_child(user: Any, child_field: str) -> Exists:
    """Whether the child in `child_field` is one this user may see (the access policy)."""
    return Exists(Child.objects.visible_to(user).filter(pk=OuterRef(child_field)))


def _visible_woman(user: Any, woman_field: str) -> Exists:
    return Exists(Woman.objects.visible_to(user).filter(pk=OuterRef(woman_field)))


def _any(conditions: list[Q]) -> Q | None:
    return reduce(or_, conditions) if conditions else None


def _in_prison_now(child_field: str = "pk") -> QuerySet[Placement]:
    return Placement.objects.filter(
        child=OuterRef(child_field), kind=PlacementKind.IN_PRISON, end_date__isnull=True
    )


def _last_prison(child_field: str) -> Subquery:
    """The prison the child lives in, or last lived in."""
    return Subquery(
        Placement.objects.filter(child=OuterRef(child_field), kind=PlacementKind.IN_PRISON)
        .order_by("-start_date", "-id")
        .values("prison_id")[:1]
    )


def _child_prison(prefix: str) -> Coalesce:
    """Where a child's item belongs: the mother's prison while she is in custody, else the
    prison the child last lived in (a child already handed over to a caregiver)."""
    return Coalesce(
        F(f"{prefix}mother__current_episode__current_prison_id"),
        _last_prison(f"{prefix}id" if prefix else "pk"),
        output_field=BigIntegerField(),
    )


def _urgency_bucket(due_field: str, as_of: date) -> Case:
    """The index in URGENCY_ORDER of a due date in a column, as `rules.urgency` buckets it."""
    return Case(
        When(**{f"{due_field}__lt": as_of}, then=Value(0)),
        When(**{f"{due_field}__lte": as_of + timedelta(days=7)}, then=Value(1)),
        When(**{f"{due_field}__lte": as_of + timedelta(days=30)}, then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _bytewise(field_name: str) -> Any:
    """A text column compared as Python compares strings (by code point), as the cursor
    does: PostgreSQL's collation for the database's language might order otherwise."""
    if connection.vendor == "postgresql":
        return Collate(F(field_name), "C")
    return F(field_name)


Build = Callable[[Any], Item | None]


def _built(rows: Any, build: Build) -> list[Item]:
    return [item for item in map(build, rows) if item is not None]


def _dated(
    ctx: _Context,
    kind: Kind,
    base: QuerySet,
    due: tuple[str, str],
    fields: list[str],
    build: Build,
    annotate: dict[str, Any] | None = None,
) -> _Part:
    """Items whose due date is a column of `base` (already narrowed to due dates up to the
    horizon); `due` names that column and the subject's reference. Every row; or with a
    limit, only the first rows of each urgency group, each group's size counted by the
    database; or for a page, the first rows after the cursor."""
    due_field, ref_field = due
    base = base.order_by()
    if ctx.page is not None:
        rows = (
            base.annotate(page_ref=_bytewise(ref_field))
            .filter(ctx.after_cursor(kind, due_field, "page_ref"))
            .order_by(due_field, "page_ref")
            .annotate(**(annotate or {}))
            .values(*fields)[: ctx.page[1] + 1]
        )
        return _Part(_built(rows, build))
    if ctx.limit is None:
        items = _built(base.annotate(**(annotate or {})).values(*fields), build)
        return _Part(items, Counter(item.urgency for item in items))
    bucket = _urgency_bucket(due_field, ctx.as_of)
    # One pass: each row carries its group's size and its rank in the group by due date.
    rows = (
        base.annotate(
            bucket=bucket,
            group_size=Window(Count("pk"), partition_by=[bucket]),
            rank=Window(
                RowNumber(), partition_by=[bucket], order_by=[F(due_field).asc(), F("pk").asc()]
            ),
        )
        .filter(rank__lte=ctx.limit)
        .annotate(**(annotate or {}))
        .values(*fields, "bucket", "group_size")
    )
    counts: Counter[Urgency] = Counter()
    items = []
    for row in rows:
        counts[URGENCY_ORDER[row["bucket"]]] = row["group_size"]
        item = build(row)
        if item is not None:
            items.append(item)
    return _Part(items, counts)


def _computed(ctx: _Context, items: list[Item]) -> _Part:
    """Items whose due date was computed here: all counted, the first of each group kept."""
    if ctx.page is not None:
        cursor, size = ctx.page
        after = [i for i in items if cursor is None or cursor.precedes(i)]
        return _Part(sorted(after, key=rules.sort_key)[: size + 1])
    counts = Counter(item.urgency for item in items)
    if ctx.limit is None:
        return _Part(items, counts)
    kept: list[Item] = []
    for urgency in URGENCY_ORDER:
        group = sorted((i for i in items if i.urgency == urgency), key=rules.sort_key)
        kept += group[: ctx.limit]
    return _Part(kept, counts)


# Children living in prison


def _children_near_age_limit(user: Any, ctx: _Context) -> _Part:
    windows = []
    for jurisdiction_id, prison_ids in ctx.prisons_by_jurisdiction().items():
        age_rules = ctx.age_rules.get(jurisdiction_id, [])
        latest_birth = rules.earliest_birth_reaching_limit_after(ctx.horizon, age_rules)
        if latest_birth is not None:
            windows.append(Q(prison_id__in=prison_ids, child__date_of_birth__lte=latest_birth))
    window = _any(windows)
    if window is None:
        return _Part([])
    extension = (
        LeaveExtension.objects.filter(child=OuterRef("child_id"))
        .order_by()
        .values("child_id")
        .annotate(total=Sum("months"))
        .values("total")
    )
    active_plan = TransitionPlan.objects.filter(child=OuterRef("child_id")).exclude(
        status=PlanStatus.CLOSED
    )
    rows = (
        Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .filter(window)
        .filter(_visible_child(user, "child_id"))
        .annotate(
            extension_months=Coalesce(Subquery(extension), 0),
            plan_status=Coalesce(Subquery(active_plan.values("status")[:1]), Value("")),
            plan_id=Subquery(active_plan.values("id")[:1]),
        )
        .order_by()
        .values(
            "prison_id",
            "extension_months",
            "plan_status",
            "plan_id",
            "child__reference",
            "child__name",
            "child__name_latin",
            "child__date_of_birth",
            "child__mother__reference",
        )
    )

    def build(row: dict[str, Any]) -> Item | None:
        ref = row["child__reference"]
        link = ctx.links.for_plan(row["plan_id"]) if row["plan_id"] else ctx.links.for_child(ref)
        return rules.child_age_limit_item(
            rules.ChildInPrison(
                subject=Subject(
                    ref,
                    "child",
                    link,
                    ctx.name(row["child__name"], row["child__name_latin"]),
                    row["child__mother__reference"],
                ),
                place=ctx.place(row["prison_id"]),
                date_of_birth=row["child__date_of_birth"],
                extension_months=row["extension_months"],
                plan_status=row["plan_status"],
            ),
            ctx.age_rules[ctx.jurisdiction[row["prison_id"]]],
            ctx.as_of,
        )

    return _computed(ctx, _built(rows, build))


def _unregistered_births(user: Any, ctx: _Context) -> _Part:
    base = (
        Child.objects.visible_to(user)
        .filter(birth_registered=False, date_of_birth__lte=ctx.horizon)
        .filter(Q(mother__current_episode__isnull=False) | Exists(_in_prison_now()))
        .annotate(prison_id=_child_prison(""))
        .filter(ctx.in_selected_prisons("prison_id"))
    )

    def build(row: dict[str, Any]) -> Item | None:
        ref = row["reference"]
        return rules.birth_not_registered_item(
            rules.UnregisteredChild(
                subject=Subject(
                    ref,
                    "child",
                    ctx.links.for_child(ref),
                    ctx.name(row["name"], row["name_latin"]),
                    row["mother__reference"],
                ),
                place=ctx.place(row["prison_id"]),
                date_of_birth=row["date_of_birth"],
                in_prison=row["in_prison"],
            ),
            ctx.as_of,
        )

    fields = [
        "reference",
        "name",
        "name_latin",
        "date_of_birth",
        "prison_id",
        "in_prison",
        "mother__reference",
    ]
    return _dated(
        ctx,
        Kind.BIRTH_NOT_REGISTERED,
        base,
        ("date_of_birth", "reference"),
        fields,
        build,
        {"in_prison": Exists(_in_prison_now())},
    )


# Women in custody


def _woman_subject(ctx: _Context, reference: str, name: str) -> Subject:
    return Subject(reference, "woman", ctx.links.for_woman(reference), ctx.name(name))


def _pregnancies(user: Any, ctx: _Context) -> _Part:
    base = (
        Pregnancy.objects.filter(
            outcome="",
            expected_delivery_date__lte=ctx.horizon,
            woman__current_episode__isnull=False,
        )
        .filter(ctx.in_selected_prisons("woman__current_episode__current_prison_id"))
        .filter(_visible_woman(user, "woman_id"))
    )

    def build(row: dict[str, Any]) -> Item | None:
        return rules.expected_delivery_item(
            rules.Pregnant(
                subject=_woman_subject(ctx, row["woman__reference"], row["woman__name"]),
                place=ctx.place(row["woman__current_episode__current_prison_id"]),
                expected_delivery_date=row["expected_delivery_date"],
            ),
            ctx.as_of,
        )

    fields = [
        "expected_delivery_date",
        "woman__reference",
        "woman__name",
        "woman__current_episode__current_prison_id",
    ]
    return _dated(
        ctx,
        Kind.EXPECTED_DELIVERY,
        base,
        ("expected_delivery_date", "woman__reference"),
        fields,
        build,
    )


def _most_serious_offence_rank() -> Min:
    """The rank (`rules.OFFENCE_CLASS_RANK`) of the most serious charge of an episode, by
    one aggregate over the charges: felony 0, misdemeanour 1, petty 2; none without one."""
    return Min(
        Case(
            *(
                When(charges__offence_category__offence_class=name, then=Value(rank))
                for name, rank in rules.OFFENCE_CLASS_RANK.items()
            ),
            default=Value(len(rules.OFFENCE_CLASS_RANK)),
            output_field=IntegerField(),
        )
    )


def _pretrial_window(ctx: _Context, limits: list[PretrialLimitRule], prison_ids: list[int]) -> Q:
    """Detention that began early enough to reach the limit of its offence class by the
    horizon; a shorter limit for minors matters only for a woman born less than 18 years
    before the detention began."""
    by_class = []
    for offence_class in sorted({r.offence_class for r in limits}):
        of_class = [r for r in limits if r.offence_class == offence_class]
        days = [r.max_days for r in of_class]
        adult = [r.max_days for r in of_class if not r.applies_to_minors]
        by_adult = ctx.horizon - timedelta(days=min(adult or days))
        by_any = ctx.horizon - timedelta(days=min(days))
        born_after = by_adult - timedelta(days=366 * ADULT_YEARS)
        by_class.append(
            Q(offence_rank=rules.OFFENCE_CLASS_RANK.get(offence_class, -1))
            & (
                Q(admission_date__lte=by_adult)
                | Q(admission_date__lte=by_any, woman__date_of_birth__gt=born_after)
            )
        )
    earliest = ctx.horizon - timedelta(days=min(r.max_days for r in limits))
    return Q(current_prison_id__in=prison_ids, admission_date__lte=earliest) & reduce(or_, by_class)


def _pretrial(user: Any, ctx: _Context) -> _Part:
    windows = [
        _pretrial_window(ctx, ctx.pretrial_rules[jurisdiction_id], prison_ids)
        for jurisdiction_id, prison_ids in ctx.prisons_by_jurisdiction().items()
        if ctx.pretrial_rules.get(jurisdiction_id)
    ]
    window = _any(windows)
    if window is None:
        return _Part([])
    rows = (
        CustodyEpisode.objects.filter(release_date__isnull=True, legal_status=LegalStatus.PRETRIAL)
        .filter(_visible_woman(user, "woman_id"))
        .order_by()
        .values(
            "id",
            "admission_date",
            "current_prison_id",
            "woman__reference",
            "woman__name",
            "woman__date_of_birth",
        )
        .annotate(offence_rank=_most_serious_offence_rank())
        .filter(window)
    )
    classes = {rank: name for name, rank in rules.OFFENCE_CLASS_RANK.items()}
    # Many women share a day of detention: look each rule up once.
    deadlines: dict[tuple[int, str, bool, date], Any] = {}
    candidates = []
    for row in rows:
        jurisdiction_id = ctx.jurisdiction[row["current_prison_id"]]
        limits = ctx.pretrial_rules[jurisdiction_id]
        detained_on = row["admission_date"]
        minor = is_minor(row["woman__date_of_birth"], detained_on)
        offence_class = classes.get(row["offence_rank"], "")
        key = (jurisdiction_id, offence_class, minor, detained_on)
        if key not in deadlines:
            deadlines[key] = (
                pretrial_limit_on(limits, offence_class, minor, detained_on),
                pretrial_deadline(detained_on, limits, offence_class, minor),
            )
        due = deadlines[key][1]
        if due is not None and rules.urgency(due, ctx.as_of) is not None:
            candidates.append((due, row["woman__reference"], row, key))

    def build(candidate: tuple[date, str, dict[str, Any], Any]) -> Item | None:
        _due, _ref, row, key = candidate
        return rules.pretrial_limit_item(
            rules.InPretrial(
                subject=_woman_subject(ctx, row["woman__reference"], row["woman__name"]),
                place=ctx.place(row["current_prison_id"]),
                detained_on=row["admission_date"],
                offence_class=key[1],
                is_minor=key[2],
            ),
            ctx.pretrial_rules[key[0]],
            ctx.as_of,
            known=deadlines[key],
        )

    if ctx.limit is None or ctx.page is not None:
        return _computed(ctx, _built(candidates, build))
    # Only the rows the page shows become items: the others are only counted.
    counts: Counter[Urgency] = Counter()
    shown: list[Any] = []
    by_urgency: dict[Urgency, list[Any]] = defaultdict(list)
    for candidate in candidates:
        bucket = rules.urgency(candidate[0], ctx.as_of)
        assert bucket is not None
        by_urgency[bucket].append(candidate)
    for bucket, group in by_urgency.items():
        counts[bucket] = len(group)
        shown += sorted(group, key=lambda c: (c[0], c[1]))[: ctx.limit]
    return _Part(_built(shown, build), counts)


def _children_in_prison_by_mother() -> dict[int, int]:
    """How many children live in prison with each mother who has one: one grouped query
    over the open placements, read for the women on the list only."""
    return dict(
        Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .order_by()
        .values_list("child__mother_id")
        .annotate(n=Count("child_id", distinct=True))
    )


def _releases(user: Any, ctx: _Context) -> _Part:
    base = (
        CustodyEpisode.objects.filter(
            release_date__isnull=True, expected_release_date__lte=ctx.horizon
        )
        .filter(ctx.in_selected_prisons("current_prison_id"))
        .filter(_visible_woman(user, "woman_id"))
    )

    children = _children_in_prison_by_mother()

    def build(row: dict[str, Any]) -> Item | None:
        return rules.expected_release_item(
            rules.ExpectedRelease(
                subject=_woman_subject(ctx, row["woman__reference"], row["woman__name"]),
                place=ctx.place(row["current_prison_id"]),
                expected_release_date=row["expected_release_date"],
                children_in_prison=children.get(row["woman_id"], 0),
            ),
            ctx.as_of,
        )

    fields = [
        "expected_release_date",
        "current_prison_id",
        "woman_id",
        "woman__reference",
        "woman__name",
    ]
    return _dated(
        ctx,
        Kind.EXPECTED_RELEASE,
        base,
        ("expected_release_date", "woman__reference"),
        fields,
        build,
    )


# Transition plans


def _plan_subject(ctx: _Context, row: dict[str, Any], prefix: str, plan_id: int) -> Subject:
    ref = row[f"{prefix}child__reference"]
    return Subject(
        ref,
        "child",
        ctx.links.for_plan(plan_id),
        ctx.name(row[f"{prefix}child__name"], row[f"{prefix}child__name_latin"]),
        row[f"{prefix}child__mother__reference"],
    )


def _follow_ups(user: Any, ctx: _Context) -> _Part:
    base = (
        FollowUp.objects.filter(done_on__isnull=True, due_date__lte=ctx.horizon)
        .exclude(plan__status=PlanStatus.CLOSED)
        .filter(_visible_child(user, "plan__child_id"))
        .annotate(prison_id=_child_prison("plan__child__"))
        .filter(ctx.in_selected_prisons("prison_id"))
    )

    def build(row: dict[str, Any]) -> Item | None:
        return rules.follow_up_item(
            rules.PlanFollowUp(
                subject=_plan_subject(ctx, row, "plan__", row["plan_id"]),
                place=ctx.place(row["prison_id"]),
                due_date=row["due_date"],
                handed_over_on=row["plan__handed_over_on"],
            ),
            ctx.as_of,
        )

    fields = [
        "due_date",
        "prison_id",
        "plan_id",
        "plan__handed_over_on",
        "plan__child__reference",
        "plan__child__name",
        "plan__child__name_latin",
        "plan__child__mother__reference",
    ]
    return _dated(
        ctx, Kind.FOLLOW_UP_DUE, base, ("due_date", "plan__child__reference"), fields, build
    )


def _plans_behind(user: Any, ctx: _Context) -> _Part:
    behind = Q(handover_planned_on__lt=ctx.as_of, handed_over_on__isnull=True) | Q(
        status__in=rules.BEHIND_STATUSES,
        due_date__lte=ctx.as_of + timedelta(days=rules.PLAN_BEHIND_DAYS),
    )
    rows = (
        TransitionPlan.objects.exclude(status=PlanStatus.CLOSED)
        .filter(behind)
        .filter(_visible_child(user, "child_id"))
        .annotate(prison_id=_child_prison("child__"))
        .filter(ctx.in_selected_prisons("prison_id"))
        .order_by()
        .values(
            "id",
            "status",
            "due_date",
            "handover_planned_on",
            "handed_over_on",
            "prison_id",
            "child__reference",
            "child__name",
            "child__name_latin",
            "child__mother__reference",
        )
    )

    def build(row: dict[str, Any]) -> Item | None:
        return rules.plan_step_item(
            rules.OpenPlan(
                subject=_plan_subject(ctx, row, "", row["id"]),
                place=ctx.place(row["prison_id"]),
                status=row["status"],
                due_date=row["due_date"],
                handover_planned_on=row["handover_planned_on"],
                handed_over_on=row["handed_over_on"],
            ),
            ctx.as_of,
        )

    return _computed(ctx, _built(rows, build))


# Prison visits


def _visit_actions(user: Any, ctx: _Context) -> _Part:
    """Follow-up actions of prison visits the user may see, open after their due date."""
    base = FollowUpAction.objects.filter(
        status=ActionStatus.OPEN,
        due_date__lt=ctx.as_of,
        visit__in=PrisonVisit.objects.visible_to(user).values("pk"),
    ).filter(ctx.in_selected_prisons("visit__prison_id"))
    # The action's reference as the item shows it, so that a page's cursor can compare it.
    base = base.annotate(action_ref=Concat(Value("A-"), Cast("id", output_field=CharField())))
    link = reverse("fieldwork:visit", args=[_Links.MARK_ID])

    def build(row: dict[str, Any]) -> Item | None:
        return Item(
            kind=Kind.VISIT_ACTION_OVERDUE,
            due_date=row["due_date"],
            urgency=Urgency.OVERDUE,
            subject=Subject(
                row["action_ref"], "visit", link.replace(str(_Links.MARK_ID), str(row["visit_id"]))
            ),
            place=ctx.place(row["visit__prison_id"]),
            status=row["owner__username"],
            why=rules.timing_text(row["due_date"], ctx.as_of),
        )

    fields = ["action_ref", "due_date", "visit_id", "visit__prison_id", "owner__username"]
    return _dated(ctx, Kind.VISIT_ACTION_OVERDUE, base, ("due_date", "action_ref"), fields, build)


COLLECTORS: dict[Kind, Callable[[Any, _Context], _Part]] = {
    Kind.CHILD_AGE_LIMIT: _children_near_age_limit,
    Kind.PLAN_STEP_OVERDUE: _plans_behind,
    Kind.FOLLOW_UP_DUE: _follow_ups,
    Kind.PRETRIAL_LIMIT: _pretrial,
    Kind.EXPECTED_DELIVERY: _pregnancies,
    Kind.EXPECTED_RELEASE: _releases,
    Kind.BIRTH_NOT_REGISTERED: _unregistered_births,
    Kind.VISIT_ACTION_OVERDUE: _visit_actions,
}


def _collect(
    user: Any,
    as_of: date,
    filters: WorklistFilters | None,
    with_names: bool,
    limit: int | None,
    page: tuple[Cursor | None, int] | None = None,
) -> list[_Part]:
    if not can(user, Capability.VIEW_REGISTER):
        raise PermissionDenied
    filters = filters or WorklistFilters()
    ctx = _Context(as_of, filters, with_names, limit, page)
    if ctx.filtered and not ctx.prison_ids:
        return []
    return [
        collect(user, ctx)
        for kind, collect in COLLECTORS.items()
        if not filters.kind or filters.kind == kind
    ]


def worklist_for(
    user: Any,
    as_of: date,
    filters: WorklistFilters | None = None,
    *,
    with_names: bool = False,
) -> list[Item]:
    """Every item due by `as_of` + 90 days or overdue, among the records `user` may see,
    most urgent first. `with_names` adds the names for the web page; the API, the command
    and e-mail never ask for them. PermissionDenied for a role without the register."""
    parts = _collect(user, as_of, filters, with_names, limit=None)
    return sorted((item for part in parts for item in part.items), key=rules.sort_key)


def worklist_page(
    user: Any,
    as_of: date,
    filters: WorklistFilters | None = None,
    *,
    after: Cursor | None = None,
    size: int = 500,
) -> PageOfItems:
    """The list of `worklist_for`, `size` items at a time: the items after `after`, and the
    cursor of the next page (None on the last). Each kind reads only its next `size` + 1
    rows where the due date is a column, so a page costs the same anywhere in the list."""
    parts = _collect(user, as_of, filters, with_names=False, limit=None, page=(after, size))
    items = sorted((item for part in parts for item in part.items), key=rules.sort_key)
    more = len(items) > size
    items = items[:size]
    return PageOfItems(items, Cursor.after(items[-1]) if more else None)


def worklist_groups(
    user: Any,
    as_of: date,
    filters: WorklistFilters | None = None,
    *,
    per_group: int,
    with_names: bool = True,
) -> list[Group]:
    """The four urgency groups of the worklist in order, each with its whole count and its
    first `per_group` items (the same items `worklist_for` puts first)."""
    parts = _collect(user, as_of, filters, with_names, limit=per_group)
    groups = []
    for urgency in URGENCY_ORDER:
        items = sorted(
            (i for part in parts for i in part.items if i.urgency == urgency),
            key=rules.sort_key,
        )
        total = sum(part.counts[urgency] for part in parts)
        groups.append(Group(urgency, items[:per_group], total))
    return groups
