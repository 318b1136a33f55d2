"""Properties of the encryption and of the blind index, over random text (Khmer, Latin with
accents, digits, punctuation, control characters)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from motherline.people import search
from motherline.vault import keys

KHMER = st.characters(min_codepoint=0x1780, max_codepoint=0x17FF)
LATIN = st.characters(min_codepoint=0x41, max_codepoint=0x24F)
WORD = st.text(st.one_of(KHMER, LATIN, st.sampled_from("0123456789")), min_size=1, max_size=30)
NAME = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)


@pytest.fixture(autouse=True)
def _key(field_key):
    return field_key


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_any_text_round_trips_and_never_shows_in_its_token(text):
    token = keys.encrypt(text)
    assert keys.decrypt(token) == text
    if len(text) >= 4:
        assert text not in token


@settings(max_examples=300, deadline=None)
@given(NAME, st.data())
def test_the_beginning_of_any_word_of_a_name_finds_it(name, data):
    stored = search.digests_for(name, "", "")
    words = search.words(name)
    searchable = [w for w in words if len(w) >= search.MIN_PREFIX]
    if not searchable:
        return
    word = data.draw(st.sampled_from(searchable))
    length = data.draw(st.integers(search.MIN_PREFIX, len(word)))
    typed = word[:length][: search.MAX_PREFIX]
    (digest,) = search.query_digests(search.NAME, typed)
    assert digest in stored


@settings(max_examples=200, deadline=None)
@given(NAME)
def test_case_and_latin_accents_do_not_matter(name):
    # Letters whose upper case folds to another letter (the Turkish dotless i) are left aside.
    assume(name.upper().casefold() == name.casefold() == name.lower().casefold())
    assert search.digests_for(name.upper(), "", "") == search.digests_for(name.lower(), "", "")
    assert search.words("Lê Thị Ánh") == ["le", "thi", "anh"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_register_numbers_are_found_by_any_beginning(number):
    key = search.register_key(number)
    stored = search.digests_for("", "", number)
    for end in range(1, min(len(key), search.MAX_PREFIX) + 1):
        assert search.query_digests(search.REGISTER, key[:end])[0] in stored
