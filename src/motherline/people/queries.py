"""Read side of the register: the lists and counts that views, the API and commands share.

Counts are done by the database (GROUP BY), lists page by keyset on the primary key, and
every queryset of personal records starts from `visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, QuerySet, Subquery, When

from motherline.accounts.models import User
from motherline.people import search
from motherline.people.models import (
    CustodyEpisode,
    Placement,
    PlacementKind,
    Pregnancy,
    Woman,
)
from motherline.places.models import Prison, Province


@dataclass
class WomanFilters:
    prison: str = ""  # prison code
    province: str = ""  # ISO 3166-2 code
    legal_status: str = ""
    pregnant: bool | None = None
    child_in_prison: bool | None = None
    pretrial_days_over: int | None = None
    in_custody: bool | None = None  # None: both; False: released only
    q: str = ""  # name or register number or reference

    def as_query(self) -> dict[str, Any]:
        """The filters as URL parameters, for links to the next page."""
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if value is None or value == "":
                continue
            out[key] = ("1" if value else "0") if isinstance(value, bool) else value
        return out


def pregnant_exists() -> Exists:
    return Exists(Pregnancy.objects.filter(woman=OuterRef("pk"), outcome=""))


def child_in_prison_exists() -> Exists:
    return Exists(
        Placement.objects.filter(
            child__mother=OuterRef("pk"), kind=PlacementKind.IN_PRISON, end_date__isnull=True
        )
    )


def last_release_date() -> Subquery:
    """When she last left custody, for the list's released women."""
    return Subquery(
        CustodyEpisode.objects.filter(woman=OuterRef("pk"), release_date__isnull=False)
        .order_by("-release_date")
        .values("release_date")[:1]
    )


def women_for(user: User, filters: WomanFilters, today: date) -> QuerySet[Woman]:
    """The women this user may see that match the filters, annotated for the list."""
    qs = (
        Woman.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .select_related("current_episode__current_prison__province", "organisation")
        .annotate(
            is_pregnant=pregnant_exists(),
            has_child_in_prison=child_in_prison_exists(),
            last_release_date=last_release_date(),
        )
    )
    if filters.prison:
        qs = qs.filter(current_episode__current_prison__code=filters.prison)
    if filters.province:
        qs = qs.filter(current_episode__current_prison__province__code=filters.province)
    if filters.legal_status:
        qs = qs.filter(current_episode__legal_status=filters.legal_status)
    if filters.pregnant is not None:
        qs = qs.filter(is_pregnant=filters.pregnant)
    if filters.child_in_prison is not None:
        qs = qs.filter(has_child_in_prison=filters.child_in_prison)
    if filters.pretrial_days_over is not None:
        # Pretrial detention runs from admission while the status is still pretrial.
        qs = qs.filter(
            current_episode__legal_status="pretrial",
            current_episode__admission_date__lt=today - timedelta(days=filters.pretrial_days_over),
        )
    if filters.in_custody is True:
        qs = qs.filter(current_episode__isnull=False)
    elif filters.in_custody is False:
        qs = qs.filter(current_episode__isnull=True)
    if filters.q:
        # Names are encrypted: words of her names and the register number's beginning are
        # matched through the blind index (people.search).
        qs = qs.filter(search.search_q(filters.q))
    return qs


@dataclass
class Page:
    items: list[Any]
    next_cursor: int | None
    total: int
    filters: dict[str, Any] = field(default_factory=dict)


def keyset_page(qs: QuerySet, after: int | None, size: int) -> tuple[list[Any], int | None]:
    """One page of a queryset ordered by descending id, starting after a cursor id."""
    qs = qs.order_by("-id")
    if after:
        qs = qs.filter(id__lt=after)
    rows = list(qs[: size + 1])
    next_cursor = rows[size - 1].id if len(rows) > size else None
    return rows[:size], next_cursor


def paged(qs: QuerySet, after: int | None, size: int) -> Page:
    """One page by descending id, and the total counted by the database."""
    items, next_cursor = keyset_page(qs, after, size)
    return Page(items=items, next_cursor=next_cursor, total=qs.order_by().count())


def list_women(
    user: User, filters: WomanFilters, today: date, after: int | None = None, size: int = 50
) -> Page:
    qs = women_for(user, filters, today)
    items, next_cursor = keyset_page(qs, after, size)
    # The count must not repeat the list's annotations: a plain COUNT over the same filter.
    total = qs.order_by().values("pk").count()
    return Page(items=items, next_cursor=next_cursor, total=total, filters=filters.as_query())


# The orders the women list offers besides the newest record first. Names are encrypted, so
# the database cannot order by them: a name order decrypts the matching names (up to
# NAME_SORT_LIMIT of them) and sorts in Python.
SORTS = ("name", "-name", "admitted", "-admitted", "prison", "pretrial")
NAME_SORT_LIMIT = 5000


class TooManyToSortByName(Exception):
    """More women match than a name order decrypts: the user narrows the filters first."""


@dataclass
class SortedPage:
    items: list[Any]
    number: int  # 1-based
    total: int
    has_next: bool


def _pretrial_since() -> Case:
    # Longest in pretrial detention first: the earliest admission among pretrial women.
    return Case(
        When(current_episode__legal_status="pretrial", then=F("current_episode__admission_date"))
    )


def list_women_sorted(
    user: User, filters: WomanFilters, today: date, sort: str, number: int = 1, size: int = 50
) -> SortedPage:
    """One page (by number) of the women list in one of `SORTS`, ties broken by newest
    record first. Raises TooManyToSortByName for a name order over too many women."""
    if sort not in SORTS:
        raise ValueError(f"Unknown order {sort!r}")
    qs = women_for(user, filters, today)
    total = qs.order_by().values("pk").count()
    start = (number - 1) * size
    if sort in ("name", "-name"):
        if total > NAME_SORT_LIMIT:
            raise TooManyToSortByName
        named = Woman.objects.filter(pk__in=qs.order_by().values("pk")).only("pk", "name")
        keyed = sorted(named, key=lambda w: (search.normalise(w.name), -w.pk))
        if sort == "-name":
            keyed.reverse()
        ids = [w.pk for w in keyed[start : start + size + 1]]
        rows = {w.pk: w for w in qs.filter(pk__in=ids)}
        items = [rows[pk] for pk in ids if pk in rows]
    else:
        order = {
            "admitted": [F("current_episode__admission_date").asc(nulls_last=True)],
            "-admitted": [F("current_episode__admission_date").desc(nulls_last=True)],
            "prison": [F("current_episode__current_prison__name").asc(nulls_last=True)],
            "pretrial": [F("pretrial_since").asc(nulls_last=True)],
        }[sort]
        if sort == "pretrial":
            qs = qs.annotate(pretrial_since=_pretrial_since())
        items = list(qs.order_by(*order, "-id")[start : start + size + 1])
    return SortedPage(items=items[:size], number=number, total=total, has_next=len(items) > size)


@dataclass
class PrisonCounts:
    prison: Prison
    women: int = 0
    pregnant: int = 0
    children: int = 0


@dataclass
class ProvinceGroup:
    province: Province
    prisons: list[PrisonCounts]

    @property
    def women(self) -> int:
        return sum(p.women for p in self.prisons)

    @property
    def pregnant(self) -> int:
        return sum(p.pregnant for p in self.prisons)

    @property
    def children(self) -> int:
        return sum(p.children for p in self.prisons)


def prison_counts(jurisdiction_code: str | None = None) -> list[ProvinceGroup]:
    """Women in custody, pregnant women and children living in each prison now, grouped by
    province. Aggregates over the whole register: no names, so every role may see them."""
    prisons = Prison.objects.select_related("province").order_by("province__name", "name")
    if jurisdiction_code:
        prisons = prisons.filter(province__jurisdiction__code=jurisdiction_code)
    women = dict(
        CustodyEpisode.objects.filter(release_date__isnull=True)
        .values_list("current_prison")
        .annotate(n=Count("id"))
    )
    pregnant = dict(
        Pregnancy.objects.filter(outcome="", woman__current_episode__isnull=False)
        .values_list("woman__current_episode__current_prison")
        .annotate(n=Count("id"))
    )
    children = dict(
        Placement.objects.filter(kind=PlacementKind.IN_PRISON, end_date__isnull=True)
        .values_list("prison")
        .annotate(n=Count("id"))
    )
    groups: dict[int, ProvinceGroup] = {}
    for prison in prisons:
        group = groups.setdefault(prison.province_id, ProvinceGroup(prison.province, []))
        group.prisons.append(
            PrisonCounts(
                prison=prison,
                women=women.get(prison.id, 0),
                pregnant=pregnant.get(prison.id, 0),
                children=children.get(prison.id, 0),
            )
        )
    return list(groups.values())


def woman_detail(user: User, reference: str) -> Woman:
    """One woman with everything her page shows, loaded in a fixed number of queries.
    Raises Woman.DoesNotExist when she is outside the user's scope (a 404, not a 403)."""
    from django.db.models import Prefetch

    from motherline.people.models import Child

    return (
        Woman.objects.visible_to(user)
        .select_related("organisation__jurisdiction", "current_episode__current_prison")
        .prefetch_related(
            Prefetch(
                "episodes",
                queryset=CustodyEpisode.objects.select_related(
                    "admission_prison", "current_prison"
                ).prefetch_related(
                    "status_changes",
                    "charges__offence_category",
                    "transfers__from_prison",
                    "transfers__to_prison",
                ),
            ),
            "pregnancies",
            Prefetch(
                "children",
                queryset=Child.objects.prefetch_related("placements__prison"),
            ),
        )
        .get(reference=reference)
    )


def survivor_of(user: User, reference: str) -> str | None:
    """The reference of the record a merged record was merged into, if the user sees both:
    an old reference (on paper, in a report) still leads to her."""
    row = (
        Woman.objects.visible_to(user)
        .filter(reference=reference, merged_into__isnull=False)
        .values_list("merged_into__reference", flat=True)
        .first()
    )
    if row is None or not Woman.objects.visible_to(user).filter(reference=row).exists():
        return None
    return row
