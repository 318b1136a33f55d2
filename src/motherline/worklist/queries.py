"""The worklist of one user: every deadline within their scope that is due in the next 90
days or already overdue.

Most deadlines are stored (`worklist.deadlines`: age limits, unregistered births,
deliveries, pretrial limits, releases, kept in step with the register); they are selected
by due date, scoped by the access policy (`policy.scope`), and `worklist.rules` turns each
into an item for the day read. Plans behind schedule, follow-up visits and visit actions
are few and selected from their own records on each read.

A past day is read as the register stood that day: the stored kinds are computed from the
register's dates for that day (`deadlines.compute_on`, `people.history`) and the others
select what applied then; a day the register cannot answer for raises
`people.history.UnanswerableDay` with the reason.

Three ways to read it, each at a fixed number of queries whatever the number of items:
`worklist_for` returns every item (the command, the alerts); `worklist_groups` returns the
page's urgency groups, each counted by the database with only its first rows read;
`worklist_page` returns the API's pages after a cursor.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property, partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Collate, Concat, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from motherline.accounts import policy
from motherline.accounts.policy import Capability, can, scope
from motherline.care.models import FollowUp, PlanStatus, TransitionPlan
from motherline.core.actors import Actor
from motherline.fieldwork.models import ActionStatus, FollowUpAction, PrisonVisit
from motherline.formatting import format_day
from motherline.jurisdictions import local
from motherline.jurisdictions.models import AgeLimitRule, PretrialLimitRule
from motherline.jurisdictions.rules import StatedRules, pretrial_limit_on
from motherline.people import history
from motherline.people.models import (
    Child,
    Woman,
)
from motherline.places.models import Prison
from motherline.worklist import deadlines, rules
from motherline.worklist.models import Deadline
from motherline.worklist.rules import URGENCY_ORDER, Item, Kind, Place, Subject, Urgency


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
    `rules.sort_key` (urgency, due date, kind, reference). Opaque text to a client."""

    urgency: int
    due_date: date
    kind: int
    reference: str

    @classmethod
    def after(cls, item: Item) -> Cursor:
        urgency, due_date, kind, reference = rules.sort_key(item)
        return cls(urgency, due_date, kind, reference)

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """The cursor a previous page returned; ValueError for anything else."""
        urgency, due, kind, reference = text.split(".", 3)
        cursor = cls(int(urgency), date.fromisoformat(due), int(kind), reference)
        if not (0 <= cursor.urgency < len(URGENCY_ORDER)) or not (
            0 <= cursor.kind < len(rules.KIND_ORDER)
        ):
            raise ValueError(text)
        return cursor

    def __str__(self) -> str:
        return f"{self.urgency}.{self.due_date.isoformat()}.{self.kind}.{self.reference}"

    def precedes(self, item: Item) -> bool:
        return (self.urgency, self.due_date, self.kind, self.reference) < rules.sort_key(item)


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
        # The forms where each kind's next action is done; after the registration of a
        # birth the user comes back to the list.
        back = "?" + urlencode({"next": reverse("worklist:list")})
        self.forms = {
            "register_birth": reverse("people:register_birth", args=[self.MARK]) + back,
            "open_plan": reverse("care:open", args=[self.MARK]),
            "advance_plan": reverse("care:advance", args=[self.MARK_ID]),
            "legal_status": reverse("people:legal_status", args=[self.MARK]),
            "release": reverse("people:release", args=[self.MARK]),
            "outcome": reverse("people:pregnancy_outcome", args=[self.MARK, self.MARK_ID]),
            "follow_up": reverse("care:follow_up", args=[self.MARK_ID, self.MARK_ID + 1]),
        }

    def for_woman(self, reference: str) -> str:
        return self.woman.replace(self.MARK, reference)

    def for_child(self, reference: str) -> str:
        return self.child.replace(self.MARK, reference)

    def for_plan(self, plan_id: int) -> str:
        return self.plan.replace(str(self.MARK_ID), str(plan_id))

    def form(self, name: str, reference: str = "", pk: int = 0, second: int = 0) -> str:
        """The URL of one of `self.forms` for a subject's reference and record ids."""
        url = self.forms[name].replace(self.MARK, reference)
        url = url.replace(str(self.MARK_ID + 1), str(second))
        return url.replace(str(self.MARK_ID), str(pk))


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
        self.kind = filters.kind
        self.with_names = with_names
        self.limit = limit
        # A page of the whole list: each kind's first `size` + 1 items after the cursor.
        self.page = page
        self.links = _Links()
        # A past day reads the register as it stood then: the stored kinds' deadlines are
        # computed for that day (`deadlines.compute_on`, kept here by kind), and the kinds
        # computed on each read select what applied that day.
        self.past = False
        self.past_deadlines: dict[str, list[dict[str, Any]]] = {}
        self._stored_counts: dict[str, Counter[Urgency]] | None = None
        self._pretrial_rules: dict[tuple[Any, ...], PretrialLimitRule | None] = {}
        prisons = list(Prison.objects.select_related("province__jurisdiction"))
        self.places = {
            p.id: Place(p.code, p.display_name, p.province.code, p.province.display_name)
            for p in prisons
        }
        self.jurisdiction = {p.id: p.province.jurisdiction_id for p in prisons}
        # The packs' readings and registration periods, read with the prisons.
        self.stated = {
            p.province.jurisdiction_id: StatedRules.of(p.province.jurisdiction.stated_rules)
            for p in prisons
        }
        self.filtered = bool(filters.prison or filters.province)
        self.prison_ids = [
            p.id
            for p in prisons
            if (not filters.prison or p.code == filters.prison)
            and (not filters.province or p.province.code == filters.province)
        ]

    @cached_property
    def age_rules(self) -> dict[int, list[AgeLimitRule]]:
        return deadlines.rules_by_jurisdiction(AgeLimitRule)

    @cached_property
    def pretrial_rules(self) -> dict[int, list[PretrialLimitRule]]:
        return deadlines.rules_by_jurisdiction(PretrialLimitRule)

    def readings(self, prison_id: int | None) -> StatedRules:
        return self.stated.get(self.jurisdiction.get(prison_id or 0, 0), StatedRules())

    def stored_counts(self, user: Actor) -> dict[str, Counter[Urgency]]:
        """The stored kinds' counts by urgency group (one query, on first use)."""
        if self._stored_counts is None:
            self._stored_counts = _stored_counts(user, self)
        return self._stored_counts

    def pretrial_rule(
        self, limits: list[PretrialLimitRule], woman: rules.InPretrial
    ) -> PretrialLimitRule | None:
        """The pretrial rule in force when her detention began (many women share a day)."""
        key = (id(limits), woman.offence_class, woman.is_minor, woman.detained_on)
        if key not in self._pretrial_rules:
            self._pretrial_rules[key] = pretrial_limit_on(
                limits, woman.offence_class, woman.is_minor, woman.detained_on
            )
        return self._pretrial_rules[key]

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

    def in_group(self, urgency_index: int) -> Q:
        """Stored deadlines due in this urgency group (the horizon bounds the last one)."""
        first = self.first_due(urgency_index)
        last = urgency_index + 1 == len(URGENCY_ORDER)
        after = None if last else self.first_due(urgency_index + 1)
        return Q(**({"due_date__gte": first} if first else {})) & Q(
            **({"due_date__lt": after} if after else {})
        )

    def after_cursor(self, kind: Kind, due_field: str, ref_field: str) -> Q:
        """The rows of one kind that come after the page's cursor in the list's order
        (urgency, due date, kind, reference). The urgency group is a function of the due
        date, so the condition is a bound on the due date and, on the cursor's day, on the
        kind's place and the reference."""
        cursor = self.page[0] if self.page else None
        if cursor is None:
            return Q()
        kind_index = rules.KIND_ORDER.index(kind)
        later = Q(**{f"{due_field}__gt": cursor.due_date})
        if kind_index < cursor.kind:
            return later
        if kind_index > cursor.kind:
            return Q(**{f"{due_field}__gte": cursor.due_date})
        return later | Q(**{due_field: cursor.due_date, f"{ref_field}__gt": cursor.reference})

    def name(self, *names: str | None) -> str:
        if not self.with_names:
            return ""
        return next((n for n in names if n), "")


def _visible_child(user: Actor, child_field: str) -> Exists:
    """Whether the child in `child_field` is one this user may see (the access policy)."""
    return Exists(Child.objects.visible_to(user).filter(pk=OuterRef(child_field)))


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


# Stored deadlines (`worklist.deadlines`): the children's age limits, unregistered births,
# deliveries, pretrial limits and releases, read from one indexed table by due date.


def _stored(user: Actor, ctx: _Context, kind: Kind) -> QuerySet[Deadline]:
    """This kind's deadlines up to the horizon, among the women the user may see, in the
    prisons the filters select."""
    last = rules.horizon(ctx.as_of, kind)
    return scope(Deadline.objects.filter(kind=kind, due_date__lte=last), user).filter(
        ctx.in_selected_prisons("prison_id"), _standing(ctx)
    )


def _within_lead(ctx: _Context, kinds: list[Kind]) -> Q:
    """Deadlines of these kinds up to each kind's horizon (`rules.LEAD_DAYS`)."""
    condition = Q(pk__in=[])
    for kind in kinds:
        condition |= Q(kind=kind, due_date__lte=rules.horizon(ctx.as_of, kind))
    return condition


def _standing(ctx: _Context) -> Q:
    """Deadlines that still ask for something on the day read (a birth registration is
    asked for until the child is 18)."""
    return Q(ends_on__isnull=True) | Q(ends_on__gt=ctx.as_of)


ROW_FIELDS = (
    "kind",
    "due_date",
    "reference",
    "prison_id",
    "woman_id",
    "child_id",
    "source_id",
    "facts",
)


def _stored_counts(user: Actor, ctx: _Context) -> dict[str, Counter[Urgency]]:
    """Each stored kind's items by urgency group, counted by the database in one query."""
    groups = {
        f"n{index}": Count("pk", filter=ctx.in_group(index)) for index in range(len(URGENCY_ORDER))
    }
    kinds = [k for k in deadlines.STORED_KINDS if not ctx.kind or ctx.kind == k]
    # Mappings: the plugin types the rows by "kind" alone, not the counts named at run time.
    rows: Iterable[Mapping[str, Any]] = (
        scope(Deadline.objects.filter(_within_lead(ctx, kinds)), user)
        .filter(ctx.in_selected_prisons("prison_id"), _standing(ctx))
        .order_by()
        .values("kind")
        .annotate(**groups)
    )
    counts: dict[str, Counter[Urgency]] = defaultdict(Counter)
    for row in rows:
        for index, urgency in enumerate(URGENCY_ORDER):
            counts[row["kind"]][urgency] = row[f"n{index}"]
    return counts


def _stored_rows(user: Actor, ctx: _Context, kind: Kind) -> tuple[list[dict], Counter[Urgency]]:
    """The rows of one kind the list needs: all of them; or the first of each urgency
    group and every group's count; or for a page, the first after the cursor. The order
    within a kind is (due date, reference), as the list sorts."""
    base = _stored(user, ctx, kind).order_by()
    if ctx.page is not None:
        rows = (
            base.annotate(page_ref=_bytewise("reference"))
            .filter(ctx.after_cursor(kind, "due_date", "page_ref"))
            .order_by("due_date", "page_ref")
            .values(*ROW_FIELDS)[: ctx.page[1] + 1]
        )
        return list(rows), Counter()
    if ctx.limit is None:
        return list(base.values(*ROW_FIELDS)), Counter()
    counts = ctx.stored_counts(user)[kind]
    found: list[dict] = []
    for index, urgency in enumerate(URGENCY_ORDER):
        if not counts[urgency]:
            continue
        found += (
            base.filter(ctx.in_group(index))
            .annotate(page_ref=_bytewise("reference"))
            .order_by("due_date", "page_ref")
            .values(*ROW_FIELDS)[: ctx.limit]
        )
    return found, counts


def _names(ctx: _Context, rows: list[dict]) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the women and children of these rows (the page only): two queries for
    the rows shown, never for the whole list."""
    if not ctx.with_names or not rows:
        return {}, {}
    # The mothers of the children too: a child's row names the mother.
    woman_ids = {row["woman_id"] for row in rows}
    child_ids = {row["child_id"] for row in rows if row["child_id"] is not None}
    women = dict(Woman.objects.filter(pk__in=woman_ids).values_list("pk", "name"))
    children = {
        pk: ctx.name(name, latin)
        for pk, name, latin in Child.objects.filter(pk__in=child_ids).values_list(
            "pk", "name", "name_latin"
        )
    }
    return women, children


def _stored_part(user: Actor, ctx: _Context, kind: Kind) -> _Part:
    if ctx.past:
        return _past_part(ctx, kind)
    rows, counts = _stored_rows(user, ctx, kind)
    women, children = _names(ctx, rows)
    items = []
    for row in rows:
        item = _stored_item(ctx, row, women, children)
        if item is not None:
            items.append(item)
    if ctx.limit is None and ctx.page is None:
        counts = Counter(item.urgency for item in items)
    return _Part(items, counts)


# A past day: the same deadlines computed from the register as it stood then.


def _past_deadlines(user: Actor, ctx: _Context) -> dict[str, list[dict[str, Any]]]:
    """The stored kinds' deadlines the list needs, as the register stood on the day read,
    among the women whose deadlines the user may see (`UnanswerableDay` if the register
    cannot say): every row, before the horizon, by kind."""
    kinds = {k for k in deadlines.STORED_KINDS if not ctx.kind or ctx.kind == k}
    if not ctx.kind or ctx.kind == Kind.PLAN_STEP_OVERDUE:
        # A plan behind is its child's age-limit row when the child has one.
        kinds.add(Kind.CHILD_AGE_LIMIT)
    women = policy.women_whose(Deadline._meta.label, user)
    scoped: deadlines.Women = deadlines.everyone
    if women.query.has_filters():
        ids = women.order_by().values("pk")
        scoped = lambda path: Q(**{f"{path}__in": ids})  # noqa: E731
    found = deadlines.compute_on(ctx.as_of, scoped, kinds, until=ctx.horizon)
    return {
        kind: [
            {
                "kind": str(d.kind),
                "due_date": d.due_date,
                "ends_on": d.ends_on,
                "reference": d.reference,
                "prison_id": d.prison_id,
                "woman_id": d.woman_id,
                "child_id": d.child_id,
                "source_id": d.source_id,
                "facts": d.facts,
            }
            for d in rows
        ]
        for kind, rows in found.items()
    }


def _past_part(ctx: _Context, kind: Kind) -> _Part:
    """One stored kind's items on a past day: its deadlines up to the kind's horizon still
    standing that day, in the prisons the filters select."""
    last = rules.horizon(ctx.as_of, kind)
    rows = [
        row
        for row in ctx.past_deadlines.get(kind, [])
        if row["due_date"] <= last
        and (row["ends_on"] is None or row["ends_on"] > ctx.as_of)
        and (not ctx.filtered or row["prison_id"] in ctx.prison_ids)
    ]
    women, children = _names(ctx, rows)
    items = [_stored_item(ctx, row, women, children) for row in rows]
    return _computed(ctx, [item for item in items if item is not None])


def _stored_item(
    ctx: _Context, row: dict[str, Any], women: dict[int, str], children: dict[int, str]
) -> Item | None:
    """The item of one stored deadline read on `ctx.as_of`, by the rule of its kind, with
    the form where its next action is done."""
    facts = row["facts"]
    place = ctx.place(row["prison_id"])
    ref = row["reference"]
    kind = row["kind"]
    links = ctx.links
    if row["child_id"] is not None:
        subject = Subject(
            ref,
            "child",
            links.for_child(ref),
            children.get(row["child_id"], ""),
            facts["mother"],
            women.get(row["woman_id"], ""),
        )
    else:
        subject = Subject(ref, "woman", links.for_woman(ref), women.get(row["woman_id"], ""))
    item: Item | None = None
    action, action_text = "", ""
    if kind == Kind.CHILD_AGE_LIMIT:
        item = rules.child_age_limit_item(
            rules.ChildInPrison(
                subject=subject,
                place=place,
                date_of_birth=date.fromisoformat(facts["dob"]),
                extension_months=facts["extension"],
                plan_status=facts["plan"],
                readings=ctx.readings(row["prison_id"]),
                entered_on=_day(facts.get("entered")),
                plan_due=_day(facts.get("plan_due")),
                handover_planned_on=_day(facts.get("handover_planned")),
                handed_over_on=_day(facts.get("handed_over")),
            ),
            ctx.age_rules.get(ctx.jurisdiction.get(row["prison_id"] or 0, 0), []),
            ctx.as_of,
        )
        if facts.get("plan_id"):
            action = links.form("advance_plan", pk=facts["plan_id"])
            action_text = str(rules.NEXT_STEP_LABEL)
        else:
            action = links.form("open_plan", ref)
    elif kind == Kind.BIRTH_NOT_REGISTERED:
        item = rules.birth_not_registered_item(
            rules.UnregisteredChild(
                subject,
                place,
                date.fromisoformat(facts["dob"]),
                facts["in_prison"],
                ctx.readings(row["prison_id"]).birth_registration,
            ),
            ctx.as_of,
        )
        action = links.form("register_birth", ref)
    elif kind == Kind.EXPECTED_DELIVERY:
        item = rules.expected_delivery_item(
            rules.Pregnant(subject, place, row["due_date"]), ctx.as_of
        )
        action = links.form("outcome", ref, pk=row["source_id"])
    elif kind == Kind.PRETRIAL_LIMIT:
        woman = rules.InPretrial(
            subject, place, date.fromisoformat(facts["since"]), facts["class"], facts["minor"]
        )
        limits = ctx.pretrial_rules.get(ctx.jurisdiction.get(row["prison_id"] or 0, 0), [])
        item = rules.pretrial_limit_item(
            woman,
            limits,
            ctx.as_of,
            known=(ctx.pretrial_rule(limits, woman), row["due_date"]),
        )
        action = links.form("legal_status", ref)
    elif kind == Kind.EXPECTED_RELEASE:
        item = rules.expected_release_item(
            rules.ExpectedRelease(subject, place, row["due_date"], facts["children"]),
            ctx.as_of,
        )
        action = links.form("release", ref)
    else:
        raise ValueError(kind)
    return replace(item, action=action, action_text=action_text) if item else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


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


def _follow_ups(user: Actor, ctx: _Context) -> _Part:
    if ctx.past:
        # Visits not yet done that day, of plans handed over by then and not yet closed.
        day = ctx.as_of
        base = (
            FollowUp.objects.filter(due_date__lte=ctx.horizon, plan__handed_over_on__lte=day)
            .filter(Q(done_on__isnull=True) | Q(done_on__gt=day))
            .filter(Q(plan__closed_on__isnull=True) | Q(plan__closed_on__gt=day))
            .annotate(prison_id=deadlines.child_prison_on(day, "plan__child__"))
        )
    else:
        base = (
            FollowUp.objects.filter(done_on__isnull=True, due_date__lte=ctx.horizon)
            .exclude(plan__status=PlanStatus.CLOSED)
            .annotate(prison_id=deadlines.child_prison("plan__child__"))
        )
    base = base.filter(_visible_child(user, "plan__child_id")).filter(
        ctx.in_selected_prisons("prison_id")
    )

    def build(row: dict[str, Any]) -> Item | None:
        item = rules.follow_up_item(
            rules.PlanFollowUp(
                subject=_plan_subject(ctx, row, "plan__", row["plan_id"]),
                place=ctx.place(row["prison_id"]),
                due_date=row["due_date"],
                handed_over_on=row["plan__handed_over_on"],
            ),
            ctx.as_of,
        )
        action = ctx.links.form("follow_up", pk=row["plan_id"], second=row["id"])
        return replace(item, action=action) if item else None

    fields = [
        "id",
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


def _plans_behind(user: Actor, ctx: _Context) -> _Part:
    day = ctx.as_of
    near = Q(due_date__lte=day + timedelta(days=rules.PLAN_BEHIND_DAYS))
    if ctx.past:
        # Open that day, at a step before the assessment (`rules.plan_status_on`).
        not_handed_over = Q(handed_over_on__isnull=True) | Q(handed_over_on__gt=day)
        not_assessed = Q(assessed_on__isnull=True) | Q(assessed_on__gt=day)
        behind = (Q(handover_planned_on__lt=day) & not_handed_over) | (
            not_assessed & not_handed_over & near
        )
        plans = TransitionPlan.objects.filter(opened_on__lte=day).filter(
            Q(closed_on__isnull=True) | Q(closed_on__gt=day)
        )
        on_the_list: Any = Q(
            child_id__in=[
                row["child_id"]
                for row in ctx.past_deadlines.get(Kind.CHILD_AGE_LIMIT, [])
                if row["due_date"] <= ctx.horizon
            ]
        )
        prison = deadlines.child_prison_on(day, "child__")
    else:
        behind = Q(handover_planned_on__lt=day, handed_over_on__isnull=True) | (
            Q(status__in=rules.BEHIND_STATUSES) & near
        )
        plans = TransitionPlan.objects.exclude(status=PlanStatus.CLOSED)
        # A child whose age-limit row is on the list has the plan's delay as that row's
        # status: one row per child.
        on_the_list = Exists(
            Deadline.objects.filter(
                kind=Kind.CHILD_AGE_LIMIT, child_id=OuterRef("child_id"), due_date__lte=ctx.horizon
            )
        )
        prison = deadlines.child_prison("child__")
    rows = (
        plans.filter(behind)
        .exclude(on_the_list)
        .filter(_visible_child(user, "child_id"))
        .annotate(prison_id=prison)
        .filter(ctx.in_selected_prisons("prison_id"))
        .order_by()
        .values(
            "id",
            "status",
            "due_date",
            "assessed_on",
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
        status, handed_over_on = row["status"], row["handed_over_on"]
        if ctx.past:
            status = rules.plan_status_on(status, row["assessed_on"], handed_over_on, None, day)
            if handed_over_on is not None and handed_over_on > day:
                handed_over_on = None
        item = rules.plan_step_item(
            rules.OpenPlan(
                subject=_plan_subject(ctx, row, "", row["id"]),
                place=ctx.place(row["prison_id"]),
                status=status,
                due_date=row["due_date"],
                handover_planned_on=row["handover_planned_on"],
                handed_over_on=handed_over_on,
            ),
            day,
        )
        return replace(item, action=ctx.links.form("advance_plan", pk=row["id"])) if item else None

    return _computed(ctx, _built(rows, build))


# Prison visits


def _visit_actions(user: Actor, ctx: _Context) -> _Part:
    """Follow-up actions of prison visits the user may see, open after their due date (on
    a past day: of visits made by then, and not yet done that day; a visit withdrawn as
    entered twice asks for nothing)."""
    if ctx.past:
        still_open = Q(visit__visit_date__lte=ctx.as_of) & (
            Q(status=ActionStatus.OPEN) | Q(done_on__gt=ctx.as_of)
        )
    else:
        still_open = Q(status=ActionStatus.OPEN)
    base = FollowUpAction.objects.filter(
        still_open,
        due_date__lt=ctx.as_of,
        visit__in=PrisonVisit.objects.visible_to(user).current().values("pk"),
    ).filter(ctx.in_selected_prisons("visit__prison_id"))
    # The action's reference as the item shows it, so that a page's cursor can compare it.
    base = base.annotate(action_ref=Concat(Value("A-"), Cast("id", output_field=CharField())))
    link = reverse("fieldwork:visit", args=[_Links.MARK_ID])

    def build(row: dict[str, Any]) -> Item | None:
        visit = link.replace(str(_Links.MARK_ID), str(row["visit_id"]))
        place = ctx.place(row["visit__prison_id"])
        owner = " ".join(n for n in (row["owner__first_name"], row["owner__last_name"]) if n) or _(
            "a colleague"
        )
        # Who: the visit (no person is named by an action); what and why: the action itself.
        name = _("Visit of %(date)s to %(prison)s") % {
            "date": format_day(row["visit__visit_date"], "short"),
            "prison": place.prison_name or "—",
        }
        why = _("A follow-up action of this visit, assigned to %(owner)s, was due on %(date)s.") % {
            "owner": owner,
            "date": format_day(row["due_date"]),
        }
        return Item(
            kind=Kind.VISIT_ACTION_OVERDUE,
            due_date=row["due_date"],
            urgency=Urgency.OVERDUE,
            subject=Subject(row["action_ref"], "visit", visit, name),
            place=place,
            status=_("open; %(timing)s")
            % {"timing": rules.timing_text(row["due_date"], ctx.as_of)},
            why=why,
            action=f"{visit}#done-{row['id']}",
            # What is to be done, for the page only: free text may name people.
            detail=row["description"] if ctx.with_names else "",
        )

    fields = [
        "id",
        "action_ref",
        "due_date",
        "description",
        "visit_id",
        "visit__visit_date",
        "visit__prison_id",
        "owner__first_name",
        "owner__last_name",
    ]
    return _dated(ctx, Kind.VISIT_ACTION_OVERDUE, base, ("due_date", "action_ref"), fields, build)


# Referrals


# What a row needs to name the referring organisation in the reader's language.
ORGANISATION_NAME_FIELDS = (
    "from_organisation__name",
    "from_organisation__name_local",
    "from_organisation__jurisdiction__local_language",
)


def _organisation_name(row: dict[str, Any]) -> str:
    name_local = row["from_organisation__name_local"]
    if name_local and local.shows_local(row["from_organisation__jurisdiction__local_language"]):
        return str(name_local)
    return str(row["from_organisation__name"])


def _referrals_waiting(user: Actor, ctx: _Context) -> _Part:
    """Referrals sent to the user's organisation that wait for its answer, due a few days
    after they were sent (`rules.REFERRAL_ANSWER_DAYS`). Only an editor can answer one;
    the item names the referral, never the person (her record opens on acceptance)."""
    from motherline.casework.models import Referral, ReferralStatus

    if not can(user, Capability.EDIT_REGISTER) or user.role == "prison_liaison":
        return _Part([])
    if ctx.past:
        # Sent by that day and neither answered nor ended by then.
        day = ctx.as_of
        waiting = (
            Q(sent_on__lte=day)
            & ~Q(answered_on__lte=day)
            & ~Q(ended_on__lte=day)
            & (Q(status=ReferralStatus.PENDING) | Q(answered_on__gt=day) | Q(ended_on__gt=day))
        )
    else:
        waiting = Q(status=ReferralStatus.PENDING)
    base = (
        Referral.objects.visible_to(user)
        .filter(waiting, to_organisation_id=user.organisation_id, answer_by__lte=ctx.horizon)
        .annotate(referral_ref=Concat(Value("R-"), Cast("id", output_field=CharField())))
        .filter(ctx.in_selected_prisons("woman__current_episode__current_prison_id"))
    )
    link = reverse("casework:referral", args=[_Links.MARK_ID])

    def build(row: dict[str, Any]) -> Item | None:
        page = link.replace(str(_Links.MARK_ID), str(row["id"]))
        due = row["answer_by"]
        urgency = rules.urgency(due, ctx.as_of)
        if urgency is None:
            return None
        return Item(
            kind=Kind.REFERRAL_WAITING,
            due_date=due,
            urgency=urgency,
            subject=Subject(row["referral_ref"], "referral", page, ""),
            place=Place(),
            status=_("waiting; %(timing)s") % {"timing": rules.timing_text(due, ctx.as_of)},
            why=_("%(org)s referred a record to your organisation on %(date)s.")
            % {"org": _organisation_name(row), "date": row["sent_on"].isoformat()},
            action=page,
        )

    fields = ["id", "referral_ref", "sent_on", "answer_by", *ORGANISATION_NAME_FIELDS]
    return _dated(ctx, Kind.REFERRAL_WAITING, base, ("answer_by", "referral_ref"), fields, build)


COLLECTORS: dict[Kind, Callable[[Any, _Context], _Part]] = {
    **{kind: partial(_stored_part, kind=kind) for kind in deadlines.STORED_KINDS},
    Kind.PLAN_STEP_OVERDUE: _plans_behind,
    Kind.FOLLOW_UP_DUE: _follow_ups,
    Kind.VISIT_ACTION_OVERDUE: _visit_actions,
    Kind.REFERRAL_WAITING: _referrals_waiting,
}


def _collect(
    user: Actor,
    as_of: date,
    filters: WorklistFilters | None,
    with_names: bool,
    limit: int | None,
    page: tuple[Cursor | None, int] | None = None,
) -> list[_Part]:
    if not can(user, Capability.VIEW_REGISTER):
        raise PermissionDenied
    today = timezone.localdate()
    if as_of != today:
        history.check_day(as_of, today, policy.women_whose(Deadline._meta.label, user))
    # Changes whose deadlines were not recomputed yet (the process stopped after a commit).
    deadlines.refresh_pending()
    filters = filters or WorklistFilters()
    ctx = _Context(as_of, filters, with_names, limit, page)
    if ctx.filtered and not ctx.prison_ids:
        return []
    if as_of < today:
        ctx.past = True
        ctx.past_deadlines = _past_deadlines(user, ctx)
    return [
        collect(user, ctx)
        for kind, collect in COLLECTORS.items()
        if not filters.kind or filters.kind == kind
    ]


def worklist_for(
    user: Actor,
    as_of: date,
    filters: WorklistFilters | None = None,
    *,
    with_names: bool = False,
) -> list[Item]:
    """Every item due by `as_of` + 90 days or overdue, among the records `user` may see,
    most urgent first (a past `as_of`: as the register stood that day). `with_names` adds
    the names for the web page; the API, the command and e-mail never ask for them.
    PermissionDenied for a role without the register; `UnanswerableDay` for a day the
    register cannot answer for."""
    parts = _collect(user, as_of, filters, with_names, limit=None)
    return sorted((item for part in parts for item in part.items), key=rules.sort_key)


def worklist_page(
    user: Actor,
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
    user: Actor,
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
