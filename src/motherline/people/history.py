"""The register as it stood on a past day, read from the dates its records carry.

A custody episode covers the days from its admission to the day before its release; on a
day a woman was held in her prison of admission or in the prison of the last transfer by
then; her legal status was her present one if she has had it since that day or earlier,
else the last dated status change by then; a child lived in prison on a day an in-prison
placement covers; a pregnancy was ongoing from the day it was known until its outcome; a
birth was registered from the day its registration is dated. These are filters and
expressions for set-based queries (the worklist and the screening for a past day), never
loops over the women.

What the register cannot say about a day is refused (`UnanswerableDay`), never guessed: a
day after today, a day before the earliest admission it holds, and a record whose history
is not dated back to that day (a status recorded from a later date with no earlier change,
a prison changed without a dated transfer, a birth registered or a pregnancy ended with no
date). `Unanswered` gathers such records while a query reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    F,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from motherline.bounds import DATE_FLOOR
from motherline.formatting import format_day
from motherline.people.models import (
    Child,
    CustodyEpisode,
    LegalStatusChange,
    Placement,
    PlacementKind,
    Transfer,
    Woman,
)


class UnanswerableDay(Exception):
    """The register cannot say how things stood on the day asked for; the message says why
    and what would let it answer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# Filters on a record, `prefix` leading from the queried model to it ("" for itself).


def covers(day: date, prefix: str = "") -> Q:
    """Custody episodes that cover `day`: admitted by then and not yet released (a woman
    released on a day is no longer in custody that day)."""
    return Q(**{f"{prefix}admission_date__lte": day}) & (
        Q(**{f"{prefix}release_date__isnull": True}) | Q(**{f"{prefix}release_date__gt": day})
    )


def placement_covers(day: date, prefix: str = "") -> Q:
    """Placements of a child that cover `day` (one ends the day the next begins)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day})
    )


def in_prison_on(day: date, prefix: str = "") -> Q:
    """Placements of a child living in prison on `day`."""
    return Q(**{f"{prefix}kind": PlacementKind.IN_PRISON}) & placement_covers(day, prefix)


def pregnant_on(day: date, prefix: str = "") -> Q:
    """Pregnancies known by `day` and not yet ended then (an outcome with no date is not
    dated: see `undated_outcome`)."""
    return Q(**{f"{prefix}known_since__lte": day}) & (
        Q(**{f"{prefix}outcome": ""}) | Q(**{f"{prefix}outcome_date__gt": day})
    )


def undated_outcome(prefix: str = "") -> Q:
    """Pregnancies whose outcome is recorded without a date."""
    return ~Q(**{f"{prefix}outcome": ""}) & Q(**{f"{prefix}outcome_date__isnull": True})


# A pregnancy known for longer than this had ended, whatever its record says (44 weeks).
PREGNANCY_DAYS = 308


def undated_outcome_on(day: date, prefix: str = "") -> Q:
    """Pregnancies known by `day`, recently enough to be ongoing then, whose outcome has no
    date: whether they were ongoing that day is not known."""
    return (
        undated_outcome(prefix)
        & Q(**{f"{prefix}known_since__lte": day})
        & Q(**{f"{prefix}known_since__gt": day - timedelta(days=PREGNANCY_DAYS)})
    )


def unregistered_on(day: date, prefix: str = "") -> Q:
    """Children whose birth was not yet registered on `day` (a registration recorded with
    no date is not dated: see `undated_registration`)."""
    return Q(**{f"{prefix}birth_registered": False}) | Q(
        **{f"{prefix}birth_registered_on__gt": day}
    )


def undated_registration(prefix: str = "") -> Q:
    """Children whose birth is recorded as registered without a date."""
    return Q(**{f"{prefix}birth_registered": True, f"{prefix}birth_registered_on__isnull": True})


def registration_known_from() -> Coalesce:
    """For a child (the queried model) whose birth is recorded as registered without a date,
    the first day the register knew it: the day a change recorded it (the audit trail), or,
    when it was recorded with the child, the day the child came on the register (the first
    placement: the mother's admission, the birth, or the day the child was recorded). The
    registration was made by then; on an earlier day it is not known."""
    from motherline.accounts.models import AuditAction, AuditEvent

    # The last such change, as an aggregate: the index on the reference finds its events.
    recorded = (
        AuditEvent.objects.filter(
            object_type=Child._meta.label,
            object_ref=OuterRef("reference"),
            action=AuditAction.CHANGE,
            changes__values__has_key="birth_registered",
        )
        .order_by()
        .values("object_ref")
        .annotate(last=Max("at"))
        .values("last")
    )
    entered = Placement.objects.filter(child=OuterRef("pk")).order_by("start_date", "id")
    return Coalesce(
        TruncDate(Subquery(recorded, output_field=DateTimeField())),
        Subquery(entered.values("start_date")[:1]),
        output_field=DateField(),
    )


# Expressions on a custody episode


def _episode(prefix: str) -> OuterRef:
    return OuterRef(f"{prefix}pk" if not prefix else f"{prefix}id")


def prison_on(day: date, prefix: str = "") -> Case:
    """The prison an episode's woman was held in on `day`: the last transfer by then, or
    the prison of admission; null when the episode's prison changed without a dated
    transfer (its present prison is not where its transfers lead)."""
    transfers = Transfer.objects.filter(episode=_episode(prefix)).order_by("-transfer_date", "-id")
    then = Subquery(transfers.filter(transfer_date__lte=day).values("to_prison")[:1])
    last = Subquery(transfers.values("to_prison")[:1])
    admitted = F(f"{prefix}admission_prison_id")
    return Case(
        When(
            **{f"{prefix}current_prison_id": Coalesce(last, admitted)},
            then=Coalesce(then, admitted),
        ),
        default=Value(None),
        output_field=BigIntegerField(),
    )


def legal_status_on(day: date, prefix: str = "") -> Case:
    """An episode's legal status on `day`: the present one if she has had it since that
    day or earlier, else the last status change dated by then; null when neither says."""
    changes = LegalStatusChange.objects.filter(
        episode=_episode(prefix), effective_date__lte=day
    ).order_by("-effective_date", "-id")
    return Case(
        When(**{f"{prefix}legal_status_since__lte": day}, then=F(f"{prefix}legal_status")),
        default=Subquery(changes.values("status")[:1]),
        output_field=CharField(),
    )


def legal_status_since_on(day: date, prefix: str = "") -> Case:
    """Since when the status of `legal_status_on` held on `day`."""
    changes = LegalStatusChange.objects.filter(
        episode=_episode(prefix), effective_date__lte=day
    ).order_by("-effective_date", "-id")
    return Case(
        When(**{f"{prefix}legal_status_since__lte": day}, then=F(f"{prefix}legal_status_since")),
        default=Subquery(changes.values("effective_date")[:1]),
    )


def episodes_on(day: date, women: QuerySet[Woman] | None = None) -> QuerySet[CustodyEpisode]:
    """The custody episodes covering `day` (of `women` if given), each with `prison_on` and
    `status_on`: what the woman's prison and legal status were that day."""
    episodes = CustodyEpisode.objects.filter(covers(day))
    if women is not None:
        episodes = episodes.filter(woman__in=women.order_by().values("pk"))
    return episodes.annotate(prison_on=prison_on(day), status_on=legal_status_on(day))


# The day itself


def earliest_admission(women: QuerySet[Woman]) -> date | None:
    """The first admission among these women: before it the register holds no one."""
    episodes = CustodyEpisode.objects.all()
    if women.query.has_filters():
        episodes = episodes.filter(woman__in=women.order_by().values("pk"))
    return episodes.aggregate(first=Min("admission_date"))["first"]


def check_day(day: date, today: date, women: QuerySet[Woman]) -> None:
    """Refuse a day the register cannot answer for at all: after today (what the register
    will hold then is not known), before the earliest plausible date, or before the first
    admission among `women` (the register holds no one in custody before it)."""
    if day > today:
        raise UnanswerableDay(
            _(
                "%(day)s is after today (%(today)s): the register says how things stood up to "
                "today, not how they will stand."
            )
            % {"day": format_day(day), "today": format_day(today)}
        )
    if day < DATE_FLOOR:
        raise UnanswerableDay(
            _("%(day)s is before %(floor)s, the earliest date the register holds.")
            % {"day": format_day(day), "floor": format_day(DATE_FLOOR)}
        )
    if day < today:
        first = earliest_admission(women)
        if first is not None and day < first:
            raise UnanswerableDay(
                _(
                    "%(day)s is before %(first)s, the first admission the register holds: it "
                    "cannot say who was in custody before then."
                )
                % {"day": format_day(day), "first": format_day(first)}
            )


# Records whose history does not reach back to the day

# How many references a refusal names: enough to find the records, not a whole list.
NAMED = 5


@dataclass
class Unanswered:
    """Records a query for `day` found it could not read for that day, by what is missing;
    `raise_if_any` refuses the day, naming a few of them."""

    day: date
    status: set[str] = field(default_factory=set)  # women's references
    prison: set[str] = field(default_factory=set)  # women's references
    registration: set[str] = field(default_factory=set)  # children's references
    outcome: set[str] = field(default_factory=set)  # women's references

    def add(self, what: str, references: Iterable[str]) -> None:
        getattr(self, what).update(references)

    def messages(self) -> list[str]:
        day = format_day(self.day)
        found = []
        if self.status:
            n = len(self.status)
            found.append(
                ngettext(
                    "The register cannot say what the legal status of %(n)d woman in custody "
                    "on %(day)s was that day (%(refs)s): her status is recorded from a later "
                    "date, with no status change dated by then.",
                    "The register cannot say what the legal status of %(n)d women in custody "
                    "on %(day)s was that day (%(refs)s): their status is recorded from a later "
                    "date, with no status change dated by then.",
                    n,
                )
                % {"n": n, "day": day, "refs": _named(self.status)}
            )
        if self.prison:
            n = len(self.prison)
            found.append(
                ngettext(
                    "The register cannot say in which prison %(n)d woman was held on %(day)s "
                    "(%(refs)s): her prison changed without a dated transfer.",
                    "The register cannot say in which prison %(n)d women were held on %(day)s "
                    "(%(refs)s): their prison changed without a dated transfer.",
                    n,
                )
                % {"n": n, "day": day, "refs": _named(self.prison)}
            )
        if self.registration:
            n = len(self.registration)
            found.append(
                ngettext(
                    "The register cannot say whether the birth of %(n)d child was registered "
                    "on %(day)s (%(refs)s): it is recorded as registered with no date, learnt "
                    "after that day. Record the date of the registration on the child's page.",
                    "The register cannot say whether the births of %(n)d children were "
                    "registered on %(day)s (%(refs)s): they are recorded as registered with no "
                    "date, learnt after that day. Record the date of each registration on the "
                    "child's page.",
                    n,
                )
                % {"n": n, "day": day, "refs": _named(self.registration)}
            )
        if self.outcome:
            n = len(self.outcome)
            found.append(
                ngettext(
                    "The register cannot say whether %(n)d woman was pregnant on %(day)s "
                    "(%(refs)s): the outcome of her pregnancy has no date.",
                    "The register cannot say whether %(n)d women were pregnant on %(day)s "
                    "(%(refs)s): the outcomes of their pregnancies have no date.",
                    n,
                )
                % {"n": n, "day": day, "refs": _named(self.outcome)}
            )
        return found

    def raise_if_any(self) -> None:
        found = self.messages()
        if found:
            raise UnanswerableDay(" ".join(found))


def _named(references: set[str]) -> str:
    shown = sorted(references)[:NAMED]
    more = len(references) - len(shown)
    text = ", ".join(shown)
    if more:
        text += " " + ngettext("and %(n)d more", "and %(n)d more", more) % {"n": more}
    return text
