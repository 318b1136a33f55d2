"""Early-release screening as pure functions over plain values.

The KINDS of criteria are code (`CRITERIA` below): what "pregnant" or "share of the sentence
served" means and what record proves it. The jurisdiction pack chooses which kinds count for
which remedy, with which parameter and weight (`jurisdictions.ScreeningCriterion`). Whether a
remedy is open to a woman at all (a pardon needs a final conviction) is decided here too, and
said in words: ineligibility is explicit, never a silent absence from the list.

`legal.queries` builds the `WomanFacts` from the database in a constant number of queries;
tests build them directly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any, Protocol

from django.utils.translation import get_language, gettext, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _

from motherline.formatting import format_day
from motherline.jurisdictions.models import OffenceClass
from motherline.jurisdictions.rules import PretrialLimitLike, add_months, pretrial_deadline

PRETRIAL = "pretrial"
CONVICTED = "convicted"
ON_APPEAL = "on_appeal"
FINAL = "final"

PARDON = "pardon"
PRETRIAL_REMEDY = "pretrial"
NON_CUSTODIAL = "non_custodial"

# The most serious class wins when a woman has several charges.
CLASS_ORDER = ("petty", "misdemeanour", "felony")


@dataclass(frozen=True)
class ChargeFacts:
    offence_code: str
    offence_class: str
    is_violent: bool
    # The offence's name in English and in the pack's language, for what a reader sees.
    name: str = ""
    name_local: str = ""

    @property
    def shown_name(self) -> dict[str, str]:
        """The name as a snapshot keeps it: both languages, chosen when shown."""
        return {"en": self.name or self.offence_code, "local": self.name_local}


@dataclass(frozen=True)
class ChildFacts:
    reference: str
    date_of_birth: date
    since: date  # the start of the child's current placement
    in_prison: bool


@dataclass(frozen=True)
class WomanFacts:
    """What screening needs to know about one woman in custody, as plain values."""

    woman_id: int
    reference: str
    date_of_birth: date | None
    is_sole_carer: bool
    is_primary_carer: bool
    dependent_children: int
    has_serious_illness: bool
    record_updated_on: date
    episode_id: int
    admission_date: date
    legal_status: str
    legal_status_since: date
    sentence_months: int | None
    charges: tuple[ChargeFacts, ...] = ()
    pregnancy_known_since: date | None = None
    expected_delivery_date: date | None = None
    children: tuple[ChildFacts, ...] = ()


@dataclass(frozen=True)
class Text:
    """A message translated when shown, not when found: screening a country finds tens of
    thousands of reasons and shows a few."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        text = gettext(self.msgid)
        return text % {k: _shown(v, k) for k, v in self.params} if self.params else text

    def as_dict(self) -> dict[str, Any]:
        """The message untranslated, so a snapshot can be shown in another language."""
        return {
            "msgid": self.msgid,
            "params": {k: v.as_dict() if isinstance(v, Text) else v for k, v in self.params},
        }


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _shown(value: Any, name: str = "") -> Any:
    """A parameter as the reader reads it: a day (kept as ISO text in a snapshot) in the
    reader's language, an offence class by its label."""
    if name == "offence_class" and value in OffenceClass.values:
        return str(OffenceClass(value).label).lower()
    if isinstance(value, dict) and "en" in value:
        # A name kept in both languages (an offence): the pack's language when read in it.
        return value.get("local") if get_language() != "en" and value.get("local") else value["en"]
    if isinstance(value, list):
        return ", ".join(str(_shown(v)) for v in value)
    if isinstance(value, date):
        return format_day(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return format_day(date.fromisoformat(value))
    return value


def text_from(kept: Any, fallback: str = "") -> str:
    """A message kept by `Text.as_dict`, translated now; `fallback` if none was kept."""
    if not isinstance(kept, dict) or "msgid" not in kept:
        return fallback
    params = {k: text_from(v, _shown(v, k)) for k, v in kept.get("params", {}).items()}
    text = gettext(kept["msgid"])
    return text % params if params else text


_OLD_CHARGE = re.compile(r"([a-z][a-z0-9_]*) \((felony|misdemeanour|petty)\)")


def _detail(evidence: dict[str, Any], offences: dict[str, dict[str, str]]) -> str:
    kept = evidence.get("detail_text")
    detail = str(evidence.get("detail", ""))
    old = _OLD_CHARGE.fullmatch(detail) if not kept else None
    if old:
        # A snapshot taken before offences were kept by name: "theft (misdemeanour)".
        code, offence_class = old.groups()
        kept = {
            "msgid": "%(offence)s (%(offence_class)s)",
            "params": {"offence": offences.get(code, {"en": code}), "offence_class": offence_class},
        }
    return text_from(kept, detail)


def localised(
    findings: list[dict[str, Any]],
    names: dict[str, Any],
    offences: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """A snapshot of findings (`Finding.as_dict`) in the active language: each criterion
    named from the pack where `names` (code -> criterion) still has it, each reason and
    piece of evidence translated from the message kept with it; `offences` (code -> names)
    names the charges of an older snapshot that kept only their codes."""
    offences = offences or {}
    shown = []
    for f in findings:
        criterion = names.get(f["code"])
        shown.append(
            {
                **f,
                "name": str(criterion.display_name) if criterion is not None else f["name"],
                "reason": text_from(f.get("reason_text"), f.get("reason", "")),
                "evidence": [{**e, "detail": _detail(e, offences)} for e in f.get("evidence", [])],
            }
        )
    return shown


def _why(msgid: str, **params: Any) -> Text:
    return Text(msgid, tuple(params.items()))


@dataclass(frozen=True)
class Evidence:
    """The record that shows a criterion is met, and its date."""

    record: str  # "woman", "episode", "pregnancy", "child", "charge"
    reference: str
    date: date
    detail: Text | str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "record": self.record,
            "reference": self.reference,
            "date": self.date.isoformat(),
            "detail": str(self.detail),
            "detail_text": self.detail.as_dict() if isinstance(self.detail, Text) else None,
        }


@dataclass(frozen=True)
class Outcome:
    met: bool
    evidence: tuple[Evidence, ...] = ()
    reason: Text | str = ""  # why not, when not met


class CriterionLike(Protocol):
    code: str
    kind: str
    parameter: str
    weight: int


@dataclass(frozen=True)
class Criterion:
    """A criterion as plain values (the ORM rows have the same attributes)."""

    code: str
    kind: str
    weight: int
    parameter: str = ""
    name: str = ""


@dataclass(frozen=True)
class Context:
    as_of: date
    pretrial_rules: Sequence[PretrialLimitLike] = ()
    # Screening a past day: the register as it stood then (`legal.queries.load_facts_on`).
    is_past: bool = False


def _unknown_then(w: WomanFacts, ctx: Context, msgid: str) -> Outcome | None:
    """On a past day, a fact of her record that carries no date of its own (a flag, a
    count) is known only if the record has not changed since that day: otherwise the
    criterion is not met, and says why."""
    if ctx.is_past and w.record_updated_on > ctx.as_of:
        return Outcome(
            False,
            reason=_why(msgid, changed=w.record_updated_on.isoformat(), day=ctx.as_of.isoformat()),
        )
    return None


@dataclass(frozen=True)
class CriterionKind:
    """One kind of criterion: how its parameter is read and how it is judged."""

    label: Any
    parse: Callable[[str], Any]
    judge: Callable[[WomanFacts, Any, Context], Outcome]
    parameter_help: str = ""


@dataclass
class Finding:
    code: str
    kind: str
    name: str
    weight: int
    met: bool
    evidence: list[Evidence] = field(default_factory=list)
    reason: Text | str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "name": self.name,
            "weight": self.weight,
            "met": self.met,
            "evidence": [e.as_dict() for e in self.evidence],
            "reason": str(self.reason),
            "reason_text": self.reason.as_dict() if isinstance(self.reason, Text) else None,
        }


@dataclass
class Screening:
    """One woman screened for one remedy."""

    facts: WomanFacts
    remedy: str
    met: list[Finding]
    not_met: list[Finding]
    ineligible: list[str]
    score: int
    rank: int = 0

    @property
    def is_eligible(self) -> bool:
        return not self.ineligible


# Parameter parsers: each raises ValueError with a message for the pack loader.


def _no_parameter(raw: str) -> None:
    if raw:
        raise ValueError("this kind takes no parameter")
    return None


def _fraction(raw: str) -> Fraction:
    try:
        value = Fraction(raw)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"expected a share such as 1/2 or 0.5, got {raw!r}") from None
    if not 0 < value <= 1:
        raise ValueError(f"the share must be more than 0 and at most 1, got {raw!r}")
    return value


def _years(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 25:
        raise ValueError(f"expected an age in whole years from 1 to 25, got {raw!r}")
    return int(raw)


def _classes(raw: str) -> frozenset[str]:
    classes = frozenset(c.strip() for c in raw.split(";") if c.strip())
    unknown = classes - set(CLASS_ORDER)
    if not classes or unknown:
        raise ValueError(f"expected offence classes from {', '.join(CLASS_ORDER)} joined by ';'")
    return classes


# Judges: each answers for one woman, with the evidence or the reason.


def _pregnant(w: WomanFacts, _param: None, ctx: Context) -> Outcome:
    if w.pregnancy_known_since is None:
        return Outcome(False, reason=_why(gettext_noop("No ongoing pregnancy is recorded.")))
    detail: Text | str = ""
    if w.expected_delivery_date:
        detail = _why(
            gettext_noop("expected delivery %(date)s"), date=w.expected_delivery_date.isoformat()
        )
    return Outcome(True, (Evidence("pregnancy", w.reference, w.pregnancy_known_since, detail),))


def _child_in_prison(w: WomanFacts, _param: None, ctx: Context) -> Outcome:
    inside = [c for c in w.children if c.in_prison]
    if not inside:
        return Outcome(False, reason=_why(gettext_noop("No child is living in prison with her.")))
    return Outcome(
        True,
        tuple(
            Evidence(
                "child",
                c.reference,
                c.since,
                _why(gettext_noop("born %(date)s"), date=c.date_of_birth.isoformat()),
            )
            for c in inside
        ),
    )


def _age_on(born: date, on: date) -> int:
    years = on.year - born.year
    return years if add_months(born, 12 * years) <= on else years - 1


def _carer_outside(w: WomanFacts, max_age: int, ctx: Context) -> Outcome:
    unknown = _unknown_then(
        w,
        ctx,
        gettext_noop(
            "Her record changed on %(changed)s, after %(day)s: whether she was the sole or "
            "primary carer that day is not known."
        ),
    )
    if unknown is not None:
        return unknown
    if not (w.is_sole_carer or w.is_primary_carer):
        return Outcome(
            False, reason=_why(gettext_noop("She is not recorded as the sole or primary carer."))
        )
    outside = [
        c for c in w.children if not c.in_prison and _age_on(c.date_of_birth, ctx.as_of) < max_age
    ]
    role = (
        _why(gettext_noop("sole carer")) if w.is_sole_carer else _why(gettext_noop("primary carer"))
    )
    if outside:
        return Outcome(
            True,
            tuple(
                Evidence(
                    "child",
                    c.reference,
                    c.since,
                    _why(
                        gettext_noop("%(role)s; child outside, born %(date)s"),
                        role=role,
                        date=c.date_of_birth.isoformat(),
                    ),
                )
                for c in outside
            ),
        )
    # Children outside are not always recorded one by one (Bangkok Rule 3 asks that they be):
    # the count of dependants on her record is evidence too.
    inside = sum(1 for c in w.children if c.in_prison)
    if w.dependent_children > inside:
        detail = _why(
            gettext_noop("%(role)s; %(count)s dependent children on her record"),
            role=role,
            count=w.dependent_children,
        )
        return Outcome(True, (Evidence("woman", w.reference, w.record_updated_on, detail),))
    return Outcome(
        False,
        reason=_why(
            gettext_noop("No dependent child under %(age)s is recorded outside."), age=max_age
        ),
    )


def _petty_non_violent(w: WomanFacts, classes: frozenset[str], ctx: Context) -> Outcome:
    if not w.charges:
        return Outcome(False, reason=_why(gettext_noop("No charge is recorded.")))
    violent = [c.shown_name for c in w.charges if c.is_violent]
    if violent:
        return Outcome(
            False,
            reason=_why(gettext_noop("A charge is violent: %(codes)s."), codes=violent),
        )
    serious = [c.shown_name for c in w.charges if c.offence_class not in classes]
    if serious:
        return Outcome(
            False,
            reason=_why(gettext_noop("A charge is too serious: %(codes)s."), codes=serious),
        )
    return Outcome(
        True,
        tuple(
            Evidence(
                "charge",
                w.reference,
                w.admission_date,
                _why(
                    gettext_noop("%(offence)s (%(offence_class)s)"),
                    offence=c.shown_name,
                    offence_class=c.offence_class,
                ),
            )
            for c in w.charges
        ),
    )


def sentence_end(admission: date, sentence_months: int) -> date:
    """The day a sentence counted from admission ends (time on remand counts)."""
    return add_months(admission, sentence_months)


def share_served(admission: date, sentence_months: int, on: date) -> Fraction:
    """The share of the sentence served on `on`, in days, exactly."""
    total = (sentence_end(admission, sentence_months) - admission).days
    if total <= 0:
        return Fraction(1)
    return Fraction(max((on - admission).days, 0), total)


def _percent(share: Fraction | float) -> str:
    return f"{float(share) * 100:.0f}%"


def _share_served(w: WomanFacts, minimum: Fraction, ctx: Context) -> Outcome:
    if w.legal_status == PRETRIAL or not w.sentence_months:
        return Outcome(False, reason=_why(gettext_noop("No sentence is recorded.")))
    # Whole numbers, not Fractions: exact at the boundary and cheap for a whole country.
    total = (sentence_end(w.admission_date, w.sentence_months) - w.admission_date).days
    served = max((ctx.as_of - w.admission_date).days, 0)
    share = 1.0 if total <= 0 else served / total  # for the words only
    if total > 0 and served * minimum.denominator < total * minimum.numerator:
        return Outcome(
            False,
            reason=_why(
                gettext_noop("She has served %(served)s of her sentence; %(needed)s is needed."),
                served=_percent(share),
                needed=_percent(minimum),
            ),
        )
    detail = _why(
        gettext_noop("%(served)s of %(months)s months served"),
        served=_percent(share),
        months=w.sentence_months,
    )
    return Outcome(True, (Evidence("episode", w.reference, w.admission_date, detail),))


def most_serious_class(charges: Iterable[ChargeFacts]) -> str | None:
    classes = [c.offence_class for c in charges if c.offence_class in CLASS_ORDER]
    return max(classes, key=CLASS_ORDER.index) if classes else None


def _pretrial_past_limit(w: WomanFacts, _param: None, ctx: Context) -> Outcome:
    if w.legal_status != PRETRIAL:
        return Outcome(False, reason=_why(gettext_noop("She is not held before trial.")))
    offence_class = most_serious_class(w.charges)
    if offence_class is None:
        return Outcome(
            False, reason=_why(gettext_noop("No charge is recorded, so no limit applies."))
        )
    is_minor = w.date_of_birth is not None and _age_on(w.date_of_birth, w.admission_date) < 18
    deadline = pretrial_deadline(w.admission_date, ctx.pretrial_rules, offence_class, is_minor)
    if deadline is None:
        return Outcome(
            False, reason=_why(gettext_noop("The pack sets no pretrial limit for this offence."))
        )
    if ctx.as_of < deadline:
        return Outcome(
            False,
            reason=_why(
                gettext_noop("The pretrial limit is reached on %(date)s."),
                date=deadline.isoformat(),
            ),
        )
    detail = _why(
        gettext_noop("held since %(since)s; limit reached %(deadline)s (%(offence_class)s)"),
        since=w.admission_date.isoformat(),
        deadline=deadline.isoformat(),
        offence_class=offence_class,
    )
    return Outcome(True, (Evidence("episode", w.reference, w.admission_date, detail),))


def _minor(w: WomanFacts, age: int, ctx: Context) -> Outcome:
    if w.date_of_birth is None:
        return Outcome(False, reason=_why(gettext_noop("Her date of birth is not recorded.")))
    years = _age_on(w.date_of_birth, ctx.as_of)
    if years >= age:
        return Outcome(False, reason=_why(gettext_noop("She is %(years)s years old."), years=years))
    detail = _why(
        gettext_noop("%(years)s years old on %(date)s"), years=years, date=ctx.as_of.isoformat()
    )
    return Outcome(True, (Evidence("woman", w.reference, w.date_of_birth, detail),))


def _serious_illness(w: WomanFacts, _param: None, ctx: Context) -> Outcome:
    unknown = _unknown_then(
        w,
        ctx,
        gettext_noop(
            "Her record changed on %(changed)s, after %(day)s: whether a serious illness was "
            "recorded that day is not known."
        ),
    )
    if unknown is not None:
        return unknown
    if not w.has_serious_illness:
        return Outcome(False, reason=_why(gettext_noop("No serious illness is recorded.")))
    detail = _why(gettext_noop("serious illness"))
    return Outcome(True, (Evidence("woman", w.reference, w.record_updated_on, detail),))


CRITERIA: dict[str, CriterionKind] = {
    "pregnant": CriterionKind(gettext_lazy("Pregnant"), _no_parameter, _pregnant),
    "child_in_prison": CriterionKind(
        gettext_lazy("A child living in prison with her"), _no_parameter, _child_in_prison
    ),
    "carer_of_child_outside": CriterionKind(
        gettext_lazy("Sole or primary carer of a dependent child outside"),
        _years,
        _carer_outside,
        "the age in years under which a child is dependent, e.g. 18",
    ),
    "petty_non_violent": CriterionKind(
        gettext_lazy("Offence petty and non-violent"),
        _classes,
        _petty_non_violent,
        "the offence classes that count as petty, joined by ';', e.g. petty;misdemeanour",
    ),
    "share_served": CriterionKind(
        gettext_lazy("Share of the sentence served"),
        _fraction,
        _share_served,
        "the share served at least, e.g. 1/2 or 0.66",
    ),
    "pretrial_past_limit": CriterionKind(
        gettext_lazy("Pretrial detention past the legal limit"), _no_parameter, _pretrial_past_limit
    ),
    "minor": CriterionKind(
        gettext_lazy("A minor"), _years, _minor, "the age of majority in years, e.g. 18"
    ),
    "serious_illness": CriterionKind(
        gettext_lazy("Serious illness"), _no_parameter, _serious_illness
    ),
}

# Which legal statuses each remedy is open to; the others are ineligible, with advice.
REMEDY_STATUSES: dict[str, frozenset[str]] = {
    PARDON: frozenset({FINAL}),
    PRETRIAL_REMEDY: frozenset({PRETRIAL}),
    NON_CUSTODIAL: frozenset({PRETRIAL, CONVICTED, ON_APPEAL, FINAL}),
}


def parameter_error(kind: str, raw: str) -> str | None:
    """Why a pack's parameter for this kind is wrong, or None (used by the pack loader)."""
    if kind not in CRITERIA:
        return f"unknown kind {kind!r}; expected one of {', '.join(CRITERIA)}"
    try:
        CRITERIA[kind].parse(raw)
    except ValueError as error:
        return str(error)
    return None


def ineligibility(remedy: str, legal_status: str) -> list[str]:
    """Why this remedy is not open to a woman of this legal status (empty if it is)."""
    if legal_status in REMEDY_STATUSES[remedy]:
        return []
    if remedy == PARDON and legal_status == PRETRIAL:
        return [
            _("Not convicted: a pardon needs a final conviction; consider the pretrial remedy.")
        ]
    if remedy == PARDON:
        return [
            _(
                "The conviction is not final (first instance or on appeal): a pardon needs a "
                "final conviction."
            )
        ]
    return [
        _(
            "Already tried: release under judicial supervision or a speedy trial is for women "
            "held before trial; consider a pardon or a non-custodial measure."
        )
    ]


@dataclass(frozen=True)
class _Prepared:
    code: str
    kind: str
    weight: int
    name: str
    parameter: Any
    judge: Callable[[WomanFacts, Any, Context], Outcome]


def prepare(criteria: Iterable[CriterionLike]) -> list[_Prepared]:
    """Criteria with their parameters read and names translated once, not once a woman."""
    prepared = []
    for criterion in criteria:
        kind = CRITERIA[criterion.kind]
        name = getattr(criterion, "display_name", "") or getattr(criterion, "name", "")
        prepared.append(
            _Prepared(
                code=criterion.code,
                kind=criterion.kind,
                weight=criterion.weight,
                name=str(name or kind.label),
                parameter=kind.parse(criterion.parameter),
                judge=kind.judge,
            )
        )
    return prepared


def screen(
    facts: WomanFacts,
    remedy: str,
    criteria: Iterable[CriterionLike] | list[_Prepared],
    ctx: Context,
) -> Screening:
    """Judge one woman against a remedy's criteria: what she meets (with evidence), what
    she does not (with the reason), why the remedy is closed to her, and her score (the sum
    of the weights of the criteria met). Pass `prepare(criteria)` when screening many."""
    given: list[Any] = list(criteria)
    prepared: list[_Prepared] = (
        given if all(isinstance(c, _Prepared) for c in given) else prepare(given)
    )
    met: list[Finding] = []
    not_met: list[Finding] = []
    for criterion in prepared:
        outcome = criterion.judge(facts, criterion.parameter, ctx)
        finding = Finding(
            code=criterion.code,
            kind=criterion.kind,
            name=criterion.name,
            weight=criterion.weight,
            met=outcome.met,
            evidence=list(outcome.evidence),
            reason=outcome.reason,
        )
        (met if outcome.met else not_met).append(finding)
    return Screening(
        facts=facts,
        remedy=remedy,
        met=met,
        not_met=not_met,
        ineligible=_ineligibility(remedy, facts.legal_status),
        score=sum(f.weight for f in met),
    )


def _ineligibility(remedy: str, legal_status: str) -> list[str]:
    if legal_status in REMEDY_STATUSES[remedy]:
        return []
    return ineligibility(remedy, legal_status)


def rank_key(s: Screening) -> tuple[Any, ...]:
    """Eligible women first, then the highest score, then the longest in custody, then the
    reference: the same data always gives the same order."""
    return (not s.is_eligible, -s.score, s.facts.admission_date, s.facts.reference)


def rank(screenings: Iterable[Screening]) -> list[Screening]:
    """Women who meet at least one criterion, ranked (`rank_key`), numbered from 1."""
    ranked = sorted((s for s in screenings if s.met), key=rank_key)
    for number, s in enumerate(ranked, start=1):
        s.rank = number
    return ranked
