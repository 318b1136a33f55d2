"""What the pages and the API read about case work, scoped by the access policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from motherline.accounts.models import User
from motherline.casework.models import Assignment, CaseNote, Document
from motherline.worklist import deadlines
from motherline.worklist.models import Deadline

NOTES_ON_PAGE = 10


@dataclass(frozen=True)
class NotePage:
    items: list[CaseNote]
    next_cursor: str | None


def parse_cursor(cursor: str | None) -> tuple[date, int] | None:
    """A page's cursor, "YYYY-MM-DD.id", or None for a missing or malformed one."""
    if not cursor:
        return None
    day, _dot, pk = cursor.partition(".")
    try:
        return date.fromisoformat(day), int(pk)
    except ValueError:
        return None


def notes(user: User, *, woman: Any = None, child: Any = None) -> QuerySet[CaseNote]:
    """The notes on a woman's own record (not her children's) or on a child's, newest first."""
    qs = CaseNote.objects.visible_to(user).select_related("author", "corrects")
    mine = Q(child=child) if child is not None else Q(woman=woman, child__isnull=True)
    return qs.filter(mine).order_by("-noted_on", "-id")


def note_page(qs: QuerySet[CaseNote], after: str | None, size: int) -> NotePage:
    """One page of notes by keyset: those after the cursor in the order newest first."""
    key = parse_cursor(after)
    if key is not None:
        day, pk = key
        qs = qs.filter(Q(noted_on__lt=day) | Q(noted_on=day, id__lt=pk))
    items = list(qs[: size + 1])
    more = len(items) > size
    items = items[:size]
    cursor = f"{items[-1].noted_on.isoformat()}.{items[-1].pk}" if more and items else None
    return NotePage(items, cursor)


def assignments(user: User, *, woman: Any = None, child: Any = None) -> list[Assignment]:
    qs = Assignment.objects.visible_to(user).select_related("worker")
    qs = qs.filter(child=child) if child is not None else qs.filter(woman=woman, child=None)
    return list(qs.order_by("assigned_on", "id"))


def documents(user: User, *, woman: Any = None, child: Any = None) -> list[Document]:
    """A child's documents, or all of a woman's (hers, her children's, her legal cases' and
    candidacies'), newest first."""
    qs = Document.objects.visible_to(user).select_related(
        "uploaded_by", "child", "legal_case", "candidate__round"
    )
    qs = qs.filter(child=child) if child is not None else qs.filter(woman=woman)
    return list(qs.order_by("-uploaded_at", "-id")[:200])


def my_cases(user: User) -> list[Assignment]:
    """The women and children the user is assigned to, each with the due date of the next
    item of the worklist (overdue ones first), soonest first."""
    deadlines.refresh_pending()
    mine = Assignment.objects.visible_to(user).filter(worker=user)
    women = (
        mine.filter(child__isnull=True)
        .select_related("woman__current_episode__current_prison")
        .annotate(
            next_due=Subquery(
                Deadline.objects.filter(woman_id=OuterRef("woman_id"))
                .order_by("due_date")
                .values("due_date")[:1]
            )
        )
    )
    children = (
        mine.filter(child__isnull=False)
        .select_related("child", "woman")
        .annotate(
            next_due=Subquery(
                Deadline.objects.filter(child_id=OuterRef("child_id"))
                .order_by("due_date")
                .values("due_date")[:1]
            )
        )
    )
    found = list(women) + list(children)
    return sorted(found, key=lambda a: (a.next_due is None, a.next_due or date.max, a.pk))


@dataclass(frozen=True)
class CaseLoad:
    worker: User
    women: int
    children: int
    overdue: int


def case_loads(manager: Any, today: date) -> list[CaseLoad]:
    """Each case worker of the manager's organisation: how many women and children are
    assigned to them, and how many worklist items of those are overdue. Counted by the
    database, one query for the counts and one for the overdue items."""
    deadlines.refresh_pending()
    workers = User.objects.filter(organisation_id=manager.organisation_id, is_active=True)
    loads = (
        workers.annotate(
            women=Count("assignments", filter=Q(assignments__child__isnull=True)),
            children=Count("assignments", filter=Q(assignments__child__isnull=False)),
        )
        .filter(Q(women__gt=0) | Q(children__gt=0))
        .order_by("username")
    )
    # A woman's assignment covers her deadlines and her children's; a child's, the child's.
    # DISTINCT: a worker assigned to both counts a deadline once.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT a.worker_id, COUNT(DISTINCT d.id) FROM {Assignment._meta.db_table} a "
            f"JOIN {Deadline._meta.db_table} d ON d.woman_id = a.woman_id "
            "AND (a.child_id IS NULL OR d.child_id = a.child_id) "
            f"JOIN {User._meta.db_table} u ON u.id = a.worker_id "
            "WHERE d.due_date < %s AND u.organisation_id = %s GROUP BY a.worker_id",
            [today, manager.organisation_id],
        )
        overdue = dict(cursor.fetchall())
    return [CaseLoad(w, w.women, w.children, overdue.get(w.pk, 0)) for w in loads]
