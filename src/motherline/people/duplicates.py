"""The duplicate check before a new woman is created: is she already on the register?

A woman arrested again must be re-admitted on her own record, not entered as a new person.
Before an admission creates a woman, `candidates()` looks, within what the user may see
(`accounts.policy.scope`), for records that could be hers:

- her name, in Khmer or Latin script, sounds the same (`people.phonetic`: romanisation and
  Khmer spelling variants meet), and her date of birth is within a year (or unknown on
  one side);
- the same prison register number;
- the mother of the same children: a child born on the same day, with a name that sounds
  the same (or two such days).

Names are encrypted at rest, so nothing here reads a name: each record's sound-alike keys are
stored as keyed digests (`WomanMatchKey`, beside the blind index), and the check computes the
digests of what was typed and asks the database which records hold them. The answer is a
short list for a person to look at; the person decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from motherline.accounts.models import User
from motherline.formatting import format_day
from motherline.people import phonetic, search
from motherline.people.models import Child, Woman, WomanMatchKey
from motherline.vault import keys

# At most this many records are shown: more would not be read, and a name so common that
# it matches more needs the date of birth or the register number to tell them apart.
LIMIT = 10
DOB_TOLERANCE = timedelta(days=366)


class Reason:
    NAME = "name"
    NAME_LATIN = "name_latin"
    DATE_OF_BIRTH = "date_of_birth"
    REGISTER_NUMBER = "register_number"
    CHILDREN = "children"


@dataclass
class Candidate:
    woman: Woman
    reasons: list[str] = field(default_factory=list)
    # Dates of birth of her children that match children entered now.
    children_born: list[date] = field(default_factory=list)

    @property
    def reference(self) -> str:
        return self.woman.reference

    @property
    def in_custody(self) -> bool:
        return self.woman.current_episode_id is not None

    def explain(self) -> list[str]:
        """Why she is proposed, in words."""
        texts = {
            Reason.NAME: _("Her name sounds the same."),
            Reason.NAME_LATIN: _("Her name in Latin script sounds the same."),
            Reason.DATE_OF_BIRTH: _("Her date of birth is within a year."),
            Reason.REGISTER_NUMBER: _("The same prison register number."),
        }
        out = [texts[r] for r in self.reasons if r in texts]
        if self.children_born:
            out.append(
                _("The mother of a child born on %(dates)s.")
                % {"dates": ", ".join(format_day(d) for d in self.children_born)}
            )
        return out


@dataclass
class Entered:
    """What was typed about the woman to be admitted."""

    name: str
    name_latin: str = ""
    register_number: str = ""
    date_of_birth: date | None = None
    children: list[tuple[date, str]] = field(default_factory=list)  # (birth, name)


def _digests(kind: str, texts: Iterable[str]) -> dict[int, str]:
    """Digest -> text, under every configured key (a rotation may be half done)."""
    return {
        keys.blind_digest(k, kind, text): text for text in texts for k in keys.keyring().index_keys
    }


def _name_match(entered: str) -> tuple[dict[int, str], dict[int, str], int]:
    """The word digests, the whole-name digests and how many words must match."""
    words = phonetic.name_words(entered)
    whole = phonetic.whole_key(entered)
    return (
        _digests(search.SOUND, words),
        _digests(search.SOUND_WHOLE, [whole] if whole else []),
        min(len(words), 2),
    )


def _born_near(born: date | None) -> Q:
    """Her date of birth within a year of the one typed, or unknown (on either side)."""
    if born is None:
        return Q()
    return Q(woman__date_of_birth__isnull=True) | Q(
        woman__date_of_birth__range=(born - DOB_TOLERANCE, born + DOB_TOLERANCE)
    )


def _named(visible: Any, entered: str, born: date | None) -> dict[int, int]:
    """Women whose name (either script) sounds like `entered`, born within a year of `born`:
    every word when it has one, at least two words when it has more, or the whole name with
    its spaces removed. Returns woman id -> words matched. The date is part of the query, so
    a common name cannot push the right woman past the limit."""
    word_digests, whole_digests, needed = _name_match(entered)
    if not needed:
        return {}
    rows = (
        WomanMatchKey.objects.filter(
            _born_near(born), digest__in=list(word_digests), woman__in=visible
        )
        .values("woman_id")
        .annotate(n=Count("digest", distinct=True))
        .filter(n__gte=needed)
        .order_by("-n")
        .values_list("woman_id", "n")[: LIMIT * 20]
    )
    found = dict(rows)
    if whole_digests:
        for woman_id in WomanMatchKey.objects.filter(
            _born_near(born), digest__in=list(whole_digests), woman__in=visible
        ).values_list("woman_id", flat=True)[: LIMIT * 20]:
            found.setdefault(woman_id, needed)
    return found


def _dob_fits(woman_dob: date | None, entered: date | None) -> bool:
    if woman_dob is None or entered is None:
        return True
    return abs(woman_dob - entered) <= DOB_TOLERANCE


def candidates(user: User, entered: Entered, *, exclude: Iterable[int] = ()) -> list[Candidate]:
    """The records the user may see that could be the woman entered, best first (at most
    `LIMIT`). Records merged into another are never proposed (their survivor is)."""
    visible = (
        Woman.objects.visible_to(user)
        .filter(merged_into__isnull=True)
        .exclude(pk__in=list(exclude))
    )
    found: dict[int, Candidate] = {}
    score: dict[int, int] = defaultdict(int)

    def add(woman_id: int, reason: str, weight: int) -> None:
        candidate = found.setdefault(woman_id, Candidate(woman=Woman(pk=woman_id)))
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)
        score[woman_id] += weight

    born = entered.date_of_birth
    by_name = _named(visible, entered.name, born) if entered.name.strip() else {}
    by_latin = _named(visible, entered.name_latin, born) if entered.name_latin.strip() else {}
    named = set(by_name) | set(by_latin)
    births = (
        dict(Woman.objects.filter(pk__in=named).values_list("pk", "date_of_birth")) if named else {}
    )
    for woman_id, n in by_name.items():
        if _dob_fits(births.get(woman_id), entered.date_of_birth):
            add(woman_id, Reason.NAME, 10 + n)
    for woman_id, n in by_latin.items():
        if _dob_fits(births.get(woman_id), entered.date_of_birth):
            add(woman_id, Reason.NAME_LATIN, 10 + n)

    register = search.register_key(entered.register_number)
    if register:
        for woman_id in WomanMatchKey.objects.filter(
            digest__in=list(_digests(search.REGISTER_WHOLE, [register])), woman__in=visible
        ).values_list("woman_id", flat=True)[:LIMIT]:
            add(woman_id, Reason.REGISTER_NUMBER, 30)

    _by_children(visible, entered, named, add, found)

    if entered.date_of_birth is not None:
        for woman_id in found:
            born = births.get(woman_id)
            if born is not None and _dob_fits(born, entered.date_of_birth):
                found[woman_id].reasons.append(Reason.DATE_OF_BIRTH)
                score[woman_id] += 5
    best = sorted(found, key=lambda pk: (-score[pk], -pk))[:LIMIT]
    women = {
        w.pk: w
        for w in Woman.objects.filter(pk__in=best).select_related(
            "organisation", "current_episode__current_prison"
        )
    }
    result = []
    for pk in best:
        found[pk].woman = women[pk]
        result.append(found[pk])
    return result


def _by_children(
    visible: Any, entered: Entered, named: set[int], add: Any, found: dict[int, Candidate]
) -> None:
    """Mothers of a child born on a day entered: with a name that sounds the same (child's
    name or hers), or of two such children."""
    days = sorted({born for born, _name in entered.children})
    if not days:
        return
    per_mother: dict[int, set[date]] = defaultdict(set)
    rows = (
        Child.objects.filter(date_of_birth__in=days, mother__in=visible)
        .values_list("mother_id", "date_of_birth")
        .order_by()[: LIMIT * 200]
    )
    for mother_id, born in rows:
        per_mother[mother_id].add(born)
    child_words = {
        born: set(phonetic.name_words(child_name)) for born, child_name in entered.children
    }
    strong = {m for m, born_days in per_mother.items() if len(born_days) >= 2 or m in named}
    # One shared birthday: the child's name must sound the same too. The children of at most
    # `LIMIT * 20` such mothers are read (decrypted) in one query to compare: never the
    # register, and never one query per mother.
    single = [m for m in per_mother if m not in strong][: LIMIT * 20]
    named_days = {d for d, words in child_words.items() if words}
    if single and named_days:
        for child in Child.objects.filter(mother_id__in=single, date_of_birth__in=named_days).only(
            "mother_id", "date_of_birth", "name", "name_latin"
        ):
            words = child_words[child.date_of_birth]
            if words & set(phonetic.name_words(child.name)) or words & set(
                phonetic.name_words(child.name_latin)
            ):
                strong.add(child.mother_id)
    for mother_id in strong:
        born_days = per_mother[mother_id]
        add(mother_id, Reason.CHILDREN, 8 * len(born_days))
        found[mother_id].children_born = sorted(born_days)


def entered_from(admission: Any) -> Entered:
    """What an `services.Admission` says about her, for the check."""
    return Entered(
        name=admission.name,
        name_latin=admission.name_latin,
        register_number=admission.register_number,
        date_of_birth=admission.date_of_birth,
        children=[(c.date_of_birth, c.name or c.name_latin) for c in admission.children],
    )
