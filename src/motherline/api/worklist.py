"""The worklist: what is due for the signed-in user, the same items as the web page.

Items name people by their internal references only, never by name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from motherline.accounts.policy import Capability
from motherline.api.access import Requires
from motherline.api.routes import read_listed, refused_as
from motherline.api.schemas import _max
from motherline.core.actors import AuthenticatedRequest
from motherline.people.history import UnanswerableDay
from motherline.places.models import Prison, Province
from motherline.worklist import queries
from motherline.worklist.rules import Kind, Urgency

router = Router(tags=["worklist"])


class WorklistQuery(Schema):
    as_of: date | None = Field(
        None,
        description=(
            "The day the list is read for, today if omitted: a past day is read as the "
            "register stood that day; a day it cannot answer for (after today, before its "
            "first admission, a record not dated back to it) is refused (422)."
        ),
    )
    prison: str = Field("", max_length=_max(Prison, "code"), description="Prison code.")
    province: str = Field(
        "", max_length=_max(Province, "code"), description="ISO 3166-2 code of the province."
    )
    kind: Kind | None = Field(None, description="Only items of this kind.")
    after: str = Field(
        "", max_length=64, description="`next_cursor` of the previous page; empty for the first."
    )
    size: int = Field(500, ge=1, le=5000, description="Items per page.")


class WorklistItemOut(Schema):
    key: str = Field(description="kind:subject:due_date, the same for the same deadline.")
    kind: Kind
    due_date: date
    days: int = Field(description="Days from as_of to the due date; negative when overdue.")
    urgency: Urgency
    prison: str = Field(description="Code of the prison the item belongs to.")
    prison_name: str
    province: str
    subject: str = Field(description="Internal reference of the child or the woman.")
    subject_type: str = Field(description="child or woman")
    mother: str = Field(description="The mother's reference, for an item about a child.")
    status: str
    why: str
    link: str = Field(description="The page where the user acts on the item.")


class WorklistPage(Schema):
    items: list[WorklistItemOut]
    next_cursor: str | None = Field(
        description="Pass as `after` for the next page; null on the last page."
    )


@router.get(
    "/worklist",
    response=WorklistPage,
    url_name="worklist",
    summary="What is due",
    auth=Requires(Capability.VIEW_REGISTER),
)
def worklist(request: AuthenticatedRequest, filters: Query[WorklistQuery]) -> dict[str, Any]:
    """Every deadline among the records the user may see that is overdue on `as_of` or due
    within 90 days after it, most urgent first: children reaching the age limit, expected
    deliveries, pretrial detention limits, expected releases, follow-up visits, transition
    plans behind, births not registered. One page at a time: pass `next_cursor` as `after`
    for the next. Roles without access to personal records get 403."""
    user = request.user
    as_of = filters.as_of or timezone.localdate()
    with refused_as("after", ValueError, _("This is not a cursor returned by the worklist.")):
        after = queries.Cursor.parse(filters.after) if filters.after else None
    with refused_as("as_of", UnanswerableDay):
        page = queries.worklist_page(
            user,
            as_of,
            queries.WorklistFilters(
                prison=filters.prison, province=filters.province, kind=filters.kind or ""
            ),
            after=after,
            size=filters.size,
        )
    read_listed(request, "worklist.Item", [item.subject.reference for item in page.items], filters)
    return {
        "items": [item.as_json(as_of) for item in page.items],
        "next_cursor": str(page.next_cursor) if page.next_cursor else None,
    }
