"""What the register tells the apps built on it, without importing them (they import people,
never the other way round)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.dispatch import Signal

# Sent by `services.record_release` inside its transaction, after the children who lived in
# prison with her have left with her. Arguments: episode (with its release_date), woman, user,
# request.
# A receiver that raises undoes the release.
released = Signal()

# Sent inside the transaction when records of these women were written without `save()`
# (`update()`, `bulk_create()`), which sends no `post_save`. Argument: woman_ids. Apps that
# derive data from the register (the worklist's deadlines) recompute theirs.
register_changed = Signal()

# Sent by `views.child_detail` to collect the sections other apps add to a child's page.
# Arguments: child (with placements prefetched), user, today, may_edit (whether the user may
# change the child's record), request. A receiver returns a `PageSection` or None.
child_page_sections = Signal()

# Sent by `views.woman_detail` to collect the sections other apps add to a woman's page.
# Arguments: woman, user, today, may_edit, request. A receiver returns a `PageSection` or None.
woman_page_sections = Signal()

# Sent by `views.woman_detail` to collect what is urgent about her from other apps (a child's
# leave-by date, from `care`). Arguments: woman, user, today, may_edit. A receiver returns a
# list of `UrgentItem`.
woman_urgent_items = Signal()


@dataclass
class PageSection:
    """A part of a page that another app renders: its template and that template's context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 0
    stylesheets: list[str] = field(default_factory=list)  # static paths
    # Dated events for the woman's timeline (`people.timeline.Event`), merged in its order.
    events: list[Any] = field(default_factory=list)


@dataclass
class UrgentItem:
    """One thing about a woman that needs action soon, at the top of her page."""

    kind: str  # "age_limit", "pretrial_limit", "delivery"
    text: str
    due: Any  # date
    days: int  # days from today to `due`: negative when it has passed
    action_url: str = ""
    action_label: str = ""

    @property
    def is_overdue(self) -> bool:
        return self.days < 0
