"""Search by name and register number over encrypted fields: a keyed blind index.

The database holds names only as ciphertext, so it cannot match them. Instead each woman has
rows in `WomanSearchToken`, each a keyed digest (HMAC-SHA256 under a key derived from the
field key, cut to 64 bits) of:

- every prefix of at least `MIN_PREFIX` characters (up to `MAX_PREFIX`) of every word of
  her name in Khmer and in Latin script, after normalisation (Unicode NFKC, case folded,
  accents removed from Latin letters, zero-width characters dropped);
- every prefix of her normalised prison register number.

A search computes the same digests of what the user typed and looks them up: every word
typed must begin a word of one of her names ("sok chan" finds "Sok Chanthou"), or the whole
term must begin her register number. A word inside a name is not found from its middle
("thou" does not find "Chanthou"), unlike the LIKE search this replaces. See
docs/security.md for what the index reveals to someone who reads the database.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Q

from motherline.people import phonetic
from motherline.people.phonetic import normalise, words
from motherline.vault import keys

if TYPE_CHECKING:
    from motherline.people.models import Woman

MIN_PREFIX = 2
MAX_PREFIX = 24
NAME = "name"
REGISTER = "register"


def _prefixes(word: str, shortest: int) -> Iterable[str]:
    for end in range(shortest, min(len(word), MAX_PREFIX) + 1):
        yield word[:end]


def register_key(register_number: str) -> str:
    return "".join(normalise(register_number).split())


def index_terms(name: str, name_latin: str, register_number: str) -> set[tuple[str, str]]:
    """The (kind, text) pairs the index holds for one woman, before keying."""
    terms = {
        (NAME, prefix)
        for word in words(name) + words(name_latin)
        for prefix in _prefixes(word, MIN_PREFIX)
    }
    terms.update((REGISTER, p) for p in _prefixes(register_key(register_number), 1))
    return terms


def _stored_digests(terms: set[tuple[str, str]]) -> set[int]:
    """The digests of (kind, text) terms as they are stored: under the current key only."""
    key = keys.keyring().index_keys[0]
    return {keys.blind_digest(key, kind, text) for kind, text in terms}


def digests_for(name: str, name_latin: str, register_number: str) -> set[int]:
    """The digests stored for one woman, under the current key only."""
    return _stored_digests(index_terms(name, name_latin, register_number))


# Kinds of `WomanMatchKey` digests (`people.duplicates`).
SOUND = "sound"
SOUND_WHOLE = "sound_whole"
REGISTER_WHOLE = "register_whole"


def match_terms(name: str, name_latin: str, register_number: str) -> set[tuple[str, str]]:
    """The (kind, text) pairs of one woman's match keys, before keying."""
    terms: set[tuple[str, str]] = set()
    for text in (name, name_latin):
        terms.update((SOUND, key) for key in phonetic.name_words(text))
        whole = phonetic.whole_key(text)
        if whole:
            terms.add((SOUND_WHOLE, whole))
    register = register_key(register_number)
    if register:
        terms.add((REGISTER_WHOLE, register))
    return terms


def match_digests_for(name: str, name_latin: str, register_number: str) -> set[int]:
    """The match keys stored for one woman, under the current key only."""
    return _stored_digests(match_terms(name, name_latin, register_number))


def query_digests(kind: str, text: str) -> list[int]:
    # Under every configured key, so search keeps working while a rotation runs.
    return [keys.blind_digest(k, kind, text) for k in keys.keyring().index_keys]


def search_q(term: str) -> Q:
    """A filter on Woman matching the term by name words, register-number prefix or exact
    reference. The term is matched as the index was built; an empty term matches nothing."""
    from motherline.people.models import WomanSearchToken

    def having(digests: list[int]) -> Q:
        return Q(pk__in=WomanSearchToken.objects.filter(digest__in=digests).values("woman_id"))

    term = term.strip()
    match = Q(reference__iexact=term) if term else Q(pk__in=[])
    register = register_key(term)[:MAX_PREFIX]
    if register:
        match |= having(query_digests(REGISTER, register))
    typed = [w[:MAX_PREFIX] for w in words(term)]
    if typed and all(len(w) >= MIN_PREFIX for w in typed):
        every_word = Q()
        for word in typed:
            every_word &= having(query_digests(NAME, word))
        match |= every_word
    return match


# The fields the index is built from: a change to one of them rebuilds her rows.
INDEXED = frozenset({"name", "name_latin", "register_number", "merged_into"})


@transaction.atomic
def reindex(women: Iterable, *, fresh: bool = False) -> int:
    """Rebuild the index rows of these women (objects with pk, name, name_latin and
    register_number in plaintext) under the current key; `fresh` when they have none yet
    (just created in bulk). Returns the rows written."""
    from motherline.people.models import WomanMatchKey, WomanSearchToken

    women = list(women)
    if not women:
        return 0
    if not fresh:
        ids = [w.pk for w in women]
        WomanSearchToken.objects.filter(woman_id__in=ids).delete()
        WomanMatchKey.objects.filter(woman_id__in=ids).delete()
    rows = [(w.pk, d) for w in women for d in digests_for(w.name, w.name_latin, w.register_number)]
    _insert(WomanSearchToken._meta.db_table, rows)
    # A record merged into another is found through the one that stays, never as a
    # candidate of its own.
    _insert(
        WomanMatchKey._meta.db_table,
        [
            (w.pk, d)
            for w in women
            if getattr(w, "merged_into_id", None) is None
            for d in match_digests_for(w.name, w.name_latin, w.register_number)
        ],
    )
    return len(rows)


def _insert(db_table: str, rows: list[tuple[int, int]]) -> None:
    # Plain INSERTs: a model instance per row would cost more than the digests themselves.
    table = connection.ops.quote_name(db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(
                f"INSERT INTO {table} (woman_id, digest) VALUES (%s, %s)",
                rows[start : start + 5000],
            )


def woman_saved(
    sender: type,
    instance: Woman,
    created: bool,
    update_fields: frozenset[str] | None,
    raw: bool,
    **kwargs: Any,
) -> None:
    """Keep her index rows in step with every `save()` (`update()` and `bulk_create()`
    callers call `reindex` themselves)."""
    if raw:
        return
    if update_fields is not None and not INDEXED & set(update_fields):
        return
    reindex([instance], fresh=created)


def reindex_all(batch: int = 1000) -> int:
    """Rebuild the whole index, one batch of women per transaction."""
    from motherline.people.models import Woman

    total, last = 0, 0
    while True:
        chunk = list(
            Woman.objects.filter(pk__gt=last)
            .order_by("pk")
            .only("pk", "name", "name_latin", "register_number", "merged_into")[:batch]
        )
        if not chunk:
            return total
        total += reindex(chunk)
        last = chunk[-1].pk


def after_migrate(sender: object, using: str = "default", **kwargs: object) -> None:
    """A register that existed before the duplicate check has no match keys: `motherline
    migrate` builds them (with the blind index, under the current key), so the first
    admission after the upgrade already finds her earlier records."""
    from motherline.people.models import Woman, WomanMatchKey

    tables = set(connection.introspection.table_names())
    if WomanMatchKey._meta.db_table not in tables:
        return
    if not WomanMatchKey.objects.exists() and Woman.objects.exists():
        reindex_all()
