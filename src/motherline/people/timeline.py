"""One woman's story as a single date-sorted list, and the age formats her page shows.

Built from a woman loaded by `people.queries.woman_detail` (everything prefetched), so it
runs no query of its own and can be tested without a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.people.models import PlacementKind


@dataclass(frozen=True)
class Event:
    date: date
    kind: str
    text: str


# On one day, events read in the order things happen: she arrives, her case moves on,
# children are born and move, and she leaves last.
KIND_ORDER = {
    "admission": 0,
    "legal_status": 1,
    "transfer": 2,
    "pregnancy": 3,
    "pregnancy_outcome": 4,
    "birth": 5,
    "placement": 6,
    "release": 7,
    "case_note": 8,
}


def age_in_months(birth: date, on: date) -> int:
    """Completed months of age on a date (a birthday on the 31st counts at month end)."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    if on.day < birth.day:
        months -= 1
    return max(months, 0)


def format_age_months(months: int) -> str:
    """'2 years 3 months', '11 months', '1 year' — how monitors say a child's age."""
    years, rest = divmod(months, 12)
    year_text = ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    month_text = ngettext("%(n)d month", "%(n)d months", rest) % {"n": rest}
    if years and rest:
        return _("%(years)s %(months)s") % {"years": year_text, "months": month_text}
    if years:
        return year_text
    return month_text


def child_label(child: Any) -> str:
    """A child's name where known, else the internal reference."""
    return child.name or child.name_latin or child.reference


def _placement_text(child: Any, placement: Any) -> str:
    label = child_label(child)
    if placement.kind == PlacementKind.IN_PRISON:
        return _("%(child)s lives in prison with the mother at %(prison)s.") % {
            "child": label,
            "prison": placement.prison.display_name if placement.prison else "",
        }
    if placement.kind == PlacementKind.WITH_CAREGIVER:
        who = placement.get_caregiver_relationship_display() or _("a caregiver")
        if placement.caregiver_name:
            who = f"{who} ({placement.caregiver_name})"
        return _("%(child)s lives outside prison with: %(who)s.") % {"child": label, "who": who}
    return _("Where %(child)s lives is not known.") % {"child": label}


def _episode_events(episode: Any) -> list[Event]:
    events = [
        Event(
            episode.admission_date,
            "admission",
            _("Admitted to %(prison)s.") % {"prison": episode.admission_prison.display_name},
        )
    ]
    for i, change in enumerate(episode.status_changes.all()):
        # The status recorded at admission is part of the admission, not a change.
        if i == 0 and change.effective_date == episode.admission_date:
            events[0] = Event(
                episode.admission_date,
                "admission",
                _("Admitted to %(prison)s (%(status)s).")
                % {
                    "prison": episode.admission_prison.display_name,
                    "status": change.get_status_display(),
                },
            )
            continue
        events.append(
            Event(
                change.effective_date,
                "legal_status",
                _("Legal status changed to: %(status)s.") % {"status": change.get_status_display()},
            )
        )
    for transfer in episode.transfers.all():
        events.append(
            Event(
                transfer.transfer_date,
                "transfer",
                _("Transferred from %(from)s to %(to)s.")
                % {
                    "from": transfer.from_prison.display_name,
                    "to": transfer.to_prison.display_name,
                },
            )
        )
    if episode.release_date:
        reason = episode.get_release_reason_display() or _("reason not recorded")
        events.append(
            Event(
                episode.release_date,
                "release",
                _("Released (%(reason)s).") % {"reason": reason},
            )
        )
    return events


def _pregnancy_events(pregnancy: Any) -> list[Event]:
    events = [Event(pregnancy.known_since, "pregnancy", _("Pregnancy known."))]
    if pregnancy.outcome and pregnancy.outcome_date:
        events.append(
            Event(
                pregnancy.outcome_date,
                "pregnancy_outcome",
                _("Pregnancy ended: %(outcome)s.") % {"outcome": pregnancy.get_outcome_display()},
            )
        )
    return events


def _child_events(child: Any) -> list[Event]:
    events = [
        Event(
            child.date_of_birth, "birth", _("Birth of %(child)s.") % {"child": child_label(child)}
        )
    ]
    for placement in child.placements.all():
        events.append(Event(placement.start_date, "placement", _placement_text(child, placement)))
    return events


@dataclass(frozen=True)
class ChildSummary:
    """A child with where the child lives now, read from the prefetched placements."""

    child: Any
    placements: list[Any]
    current_placement: Any | None

    @property
    def is_in_prison(self) -> bool:
        return (
            self.current_placement is not None
            and self.current_placement.kind == PlacementKind.IN_PRISON
        )


@dataclass(frozen=True)
class PregnancySummary:
    pregnancy: Any
    child: Any | None  # the child born of it, if any


def child_summaries(woman: Any) -> list[ChildSummary]:
    summaries = []
    for child in woman.children.all():
        placements = list(child.placements.all())
        current = next((p for p in placements if p.end_date is None), None)
        summaries.append(ChildSummary(child, placements, current))
    return summaries


def pregnancy_summaries(woman: Any) -> list[PregnancySummary]:
    """Her pregnancies, each with the child born of it (matched in memory, no query)."""
    born = {c.pregnancy_id: c for c in woman.children.all() if c.pregnancy_id}
    return [PregnancySummary(p, born.get(p.id)) for p in woman.pregnancies.all()]


def build_timeline(woman: Any, extra: list[Event] | None = None) -> list[Event]:
    """Every dated event of a woman's record and her children's, oldest first, with the
    `extra` events other apps add (through their page sections: case notes)."""
    events: list[Event] = list(extra or [])
    for episode in woman.episodes.all():
        events.extend(_episode_events(episode))
    for pregnancy in woman.pregnancies.all():
        events.extend(_pregnancy_events(pregnancy))
    for child in woman.children.all():
        events.extend(_child_events(child))
    return sorted(events, key=lambda e: (e.date, KIND_ORDER.get(e.kind, 99)))
