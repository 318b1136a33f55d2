"""Read side of legal work: screening every woman in custody in a user's scope in a fixed
number of queries, the legal officer's lists of cases, and a round's statistics.

Screening loads plain values (never model instances per woman) and hands them to the pure
rules in `legal.rules`: six queries whatever the number of women.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from motherline.accounts import audit, policy
from motherline.accounts.models import AuditAction, User
from motherline.accounts.policy import sees_names
from motherline.core.actors import Actor, SystemActor
from motherline.jurisdictions import local
from motherline.jurisdictions.models import (
    Jurisdiction,
    OffenceCategory,
    PretrialLimitRule,
    ScreeningCriterion,
)
from motherline.legal import rules
from motherline.legal.models import (
    CaseResult,
    DossierStatus,
    LegalCase,
    PardonRound,
    ReleaseCandidate,
)
from motherline.people import history
from motherline.people.models import (
    Charge,
    CustodyEpisode,
    Placement,
    PlacementKind,
    Pregnancy,
    Woman,
)
from motherline.places.models import Prison


def jurisdiction_for(user: Actor) -> Jurisdiction:
    """The jurisdiction of the user's organisation (the default one for the command line)."""
    return Jurisdiction.objects.get(code=local.jurisdiction_of(user.organisation_id))


# What screening reads of a woman and of the custody episode that holds her.
_WOMAN_VALUES = (
    "reference",
    "date_of_birth",
    "is_sole_carer",
    "is_primary_carer",
    "dependent_children",
    "has_serious_illness",
)
_EPISODE_VALUES = ("admission_date", "legal_status", "legal_status_since", "sentence_months")


def load_facts(women: QuerySet[Woman]) -> list[rules.WomanFacts]:
    """What screening needs about each woman of `women`, in four queries: the women with
    their current episode, the charges, the ongoing pregnancies, the children's current
    placements. The later queries select by subquery, never by a list of ids."""
    episode = "current_episode__"
    rows = women.order_by().values(
        "id",
        *_WOMAN_VALUES,
        "updated_at",
        "current_episode_id",
        *(episode + n for n in _EPISODE_VALUES),
    )
    woman_ids = women.order_by().values("id")
    return _facts(
        [(row, {"id": row["current_episode_id"], **_unprefixed(row, episode)}) for row in rows],
        _charges(
            Charge.objects.filter(episode_id__in=women.order_by().values("current_episode_id"))
        ),
        _pregnancies(Pregnancy.objects.filter(woman_id__in=woman_ids, outcome="")),
        _children(Placement.objects.filter(child__mother_id__in=woman_ids, end_date__isnull=True)),
    )


def load_facts_on(women: QuerySet[Woman], day: date) -> list[rules.WomanFacts]:
    """`load_facts` as the register stood on a past `day`, in four queries: the women of
    `women` in custody that day with the episode that held them and the legal status in
    effect then (`people.history`), that episode's charges, the pregnancies ongoing then,
    the children's placements that day. `UnanswerableDay` when a status or a pregnancy's
    end is not dated back to the day."""
    episodes = history.episodes_on(day, women)
    rows = list(
        episodes.annotate(since_then=history.legal_status_since_on(day))
        .order_by("woman_id", "admission_date", "id")
        .values(
            "id",
            "woman_id",
            *("woman__" + n for n in (*_WOMAN_VALUES, "updated_at")),
            "admission_date",
            "status_on",
            "since_then",
            "sentence_months",
        )
    )
    unanswered = history.Unanswered(day)
    unanswered.add("status", [r["woman__reference"] for r in rows if r["status_on"] is None])
    woman_ids = episodes.order_by().values("woman_id")
    unanswered.add(
        "outcome",
        Pregnancy.objects.filter(history.undated_outcome_on(day), woman_id__in=woman_ids)
        .order_by()
        .values_list("woman__reference", flat=True),
    )
    unanswered.raise_if_any()
    # One episode covers a day; should the register hold two, the latest admission counts.
    latest = {row["woman_id"]: row for row in rows}
    return _facts(
        [
            (
                {"id": row["woman_id"], **_unprefixed(row, "woman__")},
                {**row, "legal_status": row["status_on"], "legal_status_since": row["since_then"]},
            )
            for row in latest.values()
        ],
        _charges(Charge.objects.filter(episode_id__in=episodes.order_by().values("id"))),
        _pregnancies(Pregnancy.objects.filter(history.pregnant_on(day), woman_id__in=woman_ids)),
        _children(
            Placement.objects.filter(history.placement_covers(day), child__mother_id__in=woman_ids)
        ),
    )


def _unprefixed(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {key.removeprefix(prefix): value for key, value in row.items() if key.startswith(prefix)}


def _facts(
    rows: list[tuple[dict[str, Any], dict[str, Any]]],
    charges: dict[int, list[rules.ChargeFacts]],
    pregnancies: dict[int, tuple[date, date | None]],
    children: dict[int, list[rules.ChildFacts]],
) -> list[rules.WomanFacts]:
    """Each woman's facts from her values and her episode's (`_WOMAN_VALUES` and
    `updated_at`, `_EPISODE_VALUES`, each with its `id`), with the charges of the episode,
    her pregnancy and her children."""
    facts = []
    for woman, episode in rows:
        pregnancy = pregnancies.get(woman["id"])
        facts.append(
            rules.WomanFacts(
                woman_id=woman["id"],
                **{name: woman[name] for name in _WOMAN_VALUES},
                record_updated_on=woman["updated_at"].date(),
                episode_id=episode["id"],
                **{name: episode[name] for name in _EPISODE_VALUES},
                charges=tuple(charges.get(episode["id"], ())),
                pregnancy_known_since=pregnancy[0] if pregnancy else None,
                expected_delivery_date=pregnancy[1] if pregnancy else None,
                children=tuple(children.get(woman["id"], ())),
            )
        )
    return facts


def _pregnancies(pregnancies: QuerySet[Pregnancy]) -> dict[int, tuple[date, date | None]]:
    """(known since, expected delivery) by woman id: the latest of these pregnancies wins."""
    return {
        woman_id: (known, expected)
        for woman_id, known, expected in pregnancies.order_by(
            "woman_id", "known_since", "id"
        ).values_list("woman_id", "known_since", "expected_delivery_date")
    }


def _charges(charges: QuerySet[Charge]) -> dict[int, list[rules.ChargeFacts]]:
    """The charges by episode id, as plain values."""
    found: dict[int, list[rules.ChargeFacts]] = defaultdict(list)
    for episode_id, code, offence_class, violent, name, name_local in charges.order_by(
        "episode_id", "id"
    ).values_list(
        "episode_id",
        "offence_category__code",
        "offence_category__offence_class",
        "offence_category__is_violent",
        "offence_category__name",
        "offence_category__name_local",
    ):
        found[episode_id].append(rules.ChargeFacts(code, offence_class, violent, name, name_local))
    return found


def _children(placements: QuerySet[Placement]) -> dict[int, list[rules.ChildFacts]]:
    """The children of these placements by mother id, as plain values."""
    found: dict[int, list[rules.ChildFacts]] = defaultdict(list)
    for mother_id, reference, born, kind, since in placements.order_by(
        "child__mother_id", "child__date_of_birth", "child_id", "id"
    ).values_list(
        "child__mother_id", "child__reference", "child__date_of_birth", "kind", "start_date"
    ):
        found[mother_id].append(
            rules.ChildFacts(reference, born, since, kind == PlacementKind.IN_PRISON)
        )
    return found


@dataclass
class ScreeningResult:
    """A ranked screening: who meets the remedy's criteria, eligible women first."""

    remedy: str
    as_of: date
    jurisdiction: Jurisdiction
    criteria: list[ScreeningCriterion]
    candidates: list[rules.Screening]
    screened: int  # women in custody looked at
    round: PardonRound | None = None
    in_round: set[int] = field(default_factory=set)  # ids of women already in the round

    @property
    def eligible(self) -> list[rules.Screening]:
        return [c for c in self.candidates if c.is_eligible]

    @property
    def ineligible(self) -> list[rules.Screening]:
        return [c for c in self.candidates if not c.is_eligible]


def screen_candidates(
    user: Actor,
    round_or_remedy: PardonRound | str,
    as_of: date,
    *,
    women: QuerySet[Woman] | None = None,
    jurisdiction: Jurisdiction | None = None,
    prison: str = "",
) -> ScreeningResult:
    """Screen every woman in custody in the user's scope (or only `women`, narrowed to that
    scope; only those held in the prison of code `prison`) against the pack's criteria for a
    round's remedy (a pardon) or for a remedy, and rank those who meet at least one
    (`legal.rules.rank`). Each carries the criteria met with their evidence, the criteria not
    met, and why the remedy is closed to her if it is.

    A past `as_of` screens the register as it stood that day (`load_facts_on`): the women in
    custody then, with their status, pregnancies and children then; facts that carry no date
    of their own count only if her record has not changed since (`legal.rules`). A day the
    register cannot answer for is refused with `people.history.UnanswerableDay`."""
    if isinstance(round_or_remedy, PardonRound):
        pardon_round: PardonRound | None = round_or_remedy
        remedy = rules.PARDON
        jurisdiction = round_or_remedy.jurisdiction
    else:
        pardon_round = None
        remedy = round_or_remedy
        jurisdiction = jurisdiction or jurisdiction_for(user)
    if remedy not in rules.REMEDY_STATUSES:
        raise ValueError(f"Unknown remedy {remedy!r}")
    criteria = list(
        ScreeningCriterion.objects.filter(jurisdiction=jurisdiction, remedy=remedy).order_by(
            "-weight", "code"
        )
    )
    pretrial_rules = list(PretrialLimitRule.objects.filter(jurisdiction=jurisdiction))
    today = timezone.localdate()
    recorded = Woman.objects.visible_to(user).filter(organisation__jurisdiction=jurisdiction)
    if as_of != today:
        history.check_day(as_of, today, recorded)
    if women is not None:
        recorded = recorded.filter(pk__in=women.values("pk"))
    if as_of < today:
        # As the register stood that day: the women in custody then, their facts then.
        if prison:
            recorded = _held_in(recorded, prison, as_of)
        facts = load_facts_on(recorded, as_of)
    else:
        scoped = recorded.filter(current_episode__isnull=False)
        if prison:
            scoped = scoped.filter(current_episode__current_prison__code=prison)
        facts = load_facts(scoped)
    ctx = rules.Context(as_of=as_of, pretrial_rules=pretrial_rules, is_past=as_of < today)
    prepared = rules.prepare(criteria)
    ranked = rules.rank(rules.screen(f, remedy, prepared, ctx) for f in facts)
    in_round: set[int] = set()
    if pardon_round is not None:
        in_round = set(
            ReleaseCandidate.objects.filter(round=pardon_round).values_list("woman_id", flat=True)
        )
    return ScreeningResult(
        remedy=remedy,
        as_of=as_of,
        jurisdiction=jurisdiction,
        criteria=criteria,
        candidates=ranked,
        screened=len(facts),
        round=pardon_round,
        in_round=in_round,
    )


def _held_in(women: QuerySet[Woman], prison: str, day: date) -> QuerySet[Woman]:
    """The women of `women` held in the prison of code `prison` on a past `day`; refused
    (`UnanswerableDay`) if where some of them were held that day is not known."""
    episodes = CustodyEpisode.objects.filter(
        history.covers(day), woman__in=women.order_by().values("pk")
    ).annotate(prison_then=history.prison_on(day))
    unanswered = history.Unanswered(day)
    unanswered.add(
        "prison",
        episodes.filter(prison_then__isnull=True).values_list("woman__reference", flat=True),
    )
    unanswered.raise_if_any()
    held = Prison.objects.filter(code=prison).values("pk")
    return women.filter(pk__in=episodes.filter(prison_then__in=held).values("woman_id"))


@dataclass(frozen=True)
class Who:
    name: str
    name_latin: str
    prison: str


def names_and_prisons(user: User, woman_ids: list[int]) -> dict[int, Who]:
    """The name and present prison of each of these women, by id, for a user whose role
    sees names (`policy.sees_names`); empty for any other. One query for a page of a list
    (names are encrypted: they are read for the page shown, never for the whole list)."""
    if not sees_names(user) or not woman_ids:
        return {}
    women = (
        Woman.objects.visible_to(user)
        .filter(pk__in=woman_ids)
        .select_related("current_episode__current_prison")
    )
    return {
        w.pk: Who(
            w.name,
            w.name_latin,
            w.current_episode.current_prison.display_name if w.current_episode else "",
        )
        for w in women
    }


# The legal officer's lists


@dataclass
class CasePage:
    items: list[LegalCase]
    next_cursor: str | None
    total: int


def _cases(user: User) -> QuerySet[LegalCase]:
    return LegalCase.objects.visible_to(user).select_related(
        "episode__woman", "episode__current_prison", "court"
    )


def upcoming_hearings(
    user: User, today: date, *, after: str | None = None, size: int = 50
) -> CasePage:
    """Open cases with a hearing today or later, soonest first; keyset paged by
    (next hearing, id), the cursor being "YYYY-MM-DD:id"."""
    qs = _cases(user).filter(result=CaseResult.PENDING, next_hearing_on__gte=today)
    total = qs.count()
    page = qs.order_by("next_hearing_on", "id")
    if after:
        day, _sep, pk = after.partition(":")
        try:
            cursor_day, cursor_pk = date.fromisoformat(day), int(pk)
        except ValueError:
            cursor_day, cursor_pk = None, None
        if cursor_day is not None:
            page = page.filter(
                Q(next_hearing_on__gt=cursor_day) | Q(next_hearing_on=cursor_day, id__gt=cursor_pk)
            )
    rows = list(page[: size + 1])
    cursor = None
    if len(rows) > size:
        last = rows[size - 1]
        assert last.next_hearing_on is not None  # the filter keeps only scheduled cases
        cursor = f"{last.next_hearing_on.isoformat()}:{last.pk}"
    return CasePage(items=rows[:size], next_cursor=cursor, total=total)


def cases_without_next_step(
    user: User, today: date, *, after: str | None = None, size: int = 50
) -> CasePage:
    """Open cases with no hearing scheduled from today on: someone must act. Oldest case
    first; keyset paged by id."""
    qs = _cases(user).filter(
        Q(next_hearing_on__isnull=True) | Q(next_hearing_on__lt=today), result=CaseResult.PENDING
    )
    total = qs.count()
    page = qs.order_by("id")
    if after and after.isdigit():
        page = page.filter(id__gt=int(after))
    rows = list(page[: size + 1])
    cursor = str(rows[size - 1].pk) if len(rows) > size else None
    return CasePage(items=rows[:size], next_cursor=cursor, total=total)


def record_screening_read(
    user: User, result: ScreeningResult, shown: Iterable[str], *, request: HttpRequest
) -> None:
    """The audit row of a screening read on the page or through the API: the remedy and the
    day screened, and the references of the women shown."""
    audit.record(
        user,
        AuditAction.VIEW,
        object_type="screening",
        object_ref=f"{result.remedy}/{result.as_of.isoformat()}",
        request=request,
        changes=audit.listed(shown),
    )


# Rounds


@dataclass(frozen=True)
class RoundStatistics:
    candidates: int
    draft: int
    submitted: int
    granted: int
    refused: int
    withdrawn: int
    women_released: int
    children_released: int  # children who left prison with a woman released by this round


def round_statistics(pardon_round: PardonRound, user: User) -> RoundStatistics:
    """Counts of a round's candidates by status, and the women and children it released,
    within the user's scope; two queries."""
    candidates = ReleaseCandidate.objects.visible_to(user).filter(round=pardon_round)
    counts = {
        row["status"]: row["n"]
        for row in candidates.order_by().values("status").annotate(n=Count("id"))
    }
    granted = candidates.filter(status=DossierStatus.GRANTED)
    # Children who left prison with her: their placement in prison ended the day the pardon
    # released her (the day recorded on her episode, whatever the round's decision date).
    children = (
        Placement.objects.filter(
            kind=PlacementKind.IN_PRISON,
            child__mother__release_candidacies__in=granted,
            end_date=F("child__mother__release_candidacies__episode__release_date"),
        )
        .values("child_id")
        .distinct()
        .count()
    )
    return RoundStatistics(
        candidates=sum(counts.values()),
        draft=counts.get(DossierStatus.DRAFT, 0),
        submitted=counts.get(DossierStatus.SUBMITTED, 0),
        granted=counts.get(DossierStatus.GRANTED, 0),
        refused=counts.get(DossierStatus.REFUSED, 0),
        withdrawn=counts.get(DossierStatus.WITHDRAWN, 0),
        women_released=counts.get(DossierStatus.GRANTED, 0),
        children_released=children,
    )


def rounds_for(user: Actor, *, for_edit: bool = False) -> QuerySet[PardonRound]:
    """The rounds of the user's jurisdiction that the user may see, newest occasion first:
    their own organisation's and those of the organisations that share with theirs; with
    `for_edit` (adding candidates), their own organisation's only. The command line's system
    user sees every round of the jurisdiction."""
    rounds = PardonRound.objects.filter(jurisdiction=jurisdiction_for(user)).select_related(
        "occasion", "jurisdiction"
    )
    if isinstance(user, SystemActor):
        return rounds
    own = Q(organisation_id=user.organisation_id)
    if for_edit:
        return rounds.filter(own)
    sharing = policy.sharers_with(user.organisation_id, field_work=True)
    return rounds.filter(own | Q(organisation_id__in=sharing))


def offence_names() -> dict[str, dict[str, str]]:
    """Each offence category's code -> its names in English and in the pack's language, for
    snapshots of screening that kept only the code."""
    return {
        code: {"en": name, "local": local}
        for code, name, local in OffenceCategory.objects.values_list("code", "name", "name_local")
    }
