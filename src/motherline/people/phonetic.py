"""Sound-alike keys of names, so that two spellings of one name meet.

Khmer names reach the register in two scripts and many spellings: romanised by ear
(Sok/Sokh, Chhay/Chay, Srey/Srei, Sophal/Sophall), and in Khmer with one vowel for another,
subscripts typed in a different order, or a diacritic left out. `name_keys` reduces each word
to a key that these variants share. The keys are never stored as text: `people.search`
stores a keyed digest of each (HMAC, like the blind index), and the duplicate check compares
digests.

A key is deliberately coarse (aspirated and plain consonants meet, long and short vowels
meet): it proposes candidates for a person to look at, it never decides that two records are
one woman.
"""

from __future__ import annotations

import re
import unicodedata

# Word separators: white space (with the zero-width space Khmer uses between words) and the
# punctuation people put in names. Not \W: Khmer vowel signs are not "word" characters.
_SEPARATORS = re.compile(r"[\s\u200b\-\u2010\u2011\u2013\u2014.,;:/\\'\u2019`\"()\[\]]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200c\u200d\u2060\ufeff\u00ad"))


def normalise(text: str) -> str:
    """Case folded NFKC text without accents on Latin letters (Khmer signs are kept)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_INVISIBLE)
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        # A combining mark after a Latin letter is an accent: "Lê" is searched as "le".
        if unicodedata.combining(ch) and out and out[-1] < "\u0250":
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def words(text: str) -> list[str]:
    return [w for w in _SEPARATORS.split(normalise(text)) if w]


_LATIN_VOWELS = "aeiou"

# Khmer: consonants that romanisations and spellers swap (aspirated and plain of one
# series, the two of a pair that sound alike), each mapped to one of the pair.
_KHMER_CONSONANTS = str.maketrans(
    {
        "\u1781": "\u1780",  # ខ → ក
        "\u1783": "\u1782",  # ឃ → គ
        "\u1786": "\u1785",  # ឆ → ច
        "\u1788": "\u1787",  # ឈ → ជ
        "\u178b": "\u178a",  # ឋ → ដ
        "\u1790": "\u178f",  # ថ → ត
        "\u1792": "\u1791",  # ធ → ទ
        "\u1795": "\u1794",  # ផ → ប
        "\u1797": "\u1796",  # ភ → ព
        "\u179d": "\u179f",  # ឝ → ស
        "\u179e": "\u179f",  # ឞ → ស
        "\u178c": "\u178a",  # ឌ → ដ
        "\u178d": "\u178a",  # ឍ → ដ
    }
)
# Dependent vowels folded to one of a long/short pair.
_KHMER_VOWELS = str.maketrans(
    {
        "\u17b8": "\u17b7",  # ី → ិ
        "\u17ba": "\u17b9",  # ឺ → ឹ
        "\u17bc": "\u17bb",  # ូ → ុ
        "\u17bd": "\u17bb",  # ួ → ុ
        "\u17c0": "\u17bf",  # ៀ → ឿ
    }
)
_COENG = "\u17d2"
# Signs that spellers add or leave out: nikahit, reahmuk, yuukaleapintu, the register
# shifters, bantoc, robat and the other diacritics (U+17C6-U+17D1, U+17D3, U+17DD).
_KHMER_SIGNS = re.compile("[\u17c6-\u17d1\u17d3\u17dd]")
_KHMER = re.compile("[\u1780-\u17ff]")


def _latin_key(word: str) -> str:
    # Letters only, accents already removed by `normalise`.
    text = "".join(ch for ch in word if "a" <= ch <= "z")
    if not text:
        return ""
    # An h after a consonant marks aspiration or nothing at all: Chhay/Chay, Sokh/Sok,
    # Phal/Pal, Thida/Tida all meet.
    out: list[str] = []
    for ch in text:
        if ch == "h" and out and out[-1] not in _LATIN_VOWELS:
            continue
        out.append(ch)
    text = "".join(out)
    text = text.replace("y", "i").replace("w", "v").replace("ou", "u").replace("oo", "u")
    text = text.replace("ea", "e").replace("ei", "e").replace("ie", "i")
    text = text.replace("q", "k").replace("ck", "k")
    # Doubled letters are one sound: Sophall/Sophal, Channa/Chana.
    return re.sub(r"(.)\1+", r"\1", text)


def _khmer_key(word: str) -> str:
    text = unicodedata.normalize("NFC", word)
    text = _KHMER_SIGNS.sub("", text).translate(_KHMER_CONSONANTS).translate(_KHMER_VOWELS)
    # A cluster's subscripts in a fixed order: ស្ត្រី and ស្រ្តី are one spelling typed two ways.
    out: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        out.append(ch)
        i += 1
        subscripts: list[str] = []
        while i + 1 < len(text) and text[i] == _COENG:
            subscripts.append(text[i + 1])
            i += 2
        out.extend(_COENG + s for s in sorted(subscripts))
    return "".join(out)


def word_key(word: str) -> str:
    """The sound-alike key of one normalised word ('' for a word that carries no name, such
    as a number)."""
    if _KHMER.search(word):
        return _khmer_key(word)
    key = _latin_key(word)
    return key if len(key) >= 2 else ""


def name_words(name: str) -> list[str]:
    """The keys of the words of a name that carry a name, in order, without repeats."""
    keys = (word_key(w) for w in words(name))
    return list(dict.fromkeys(k for k in keys if k))


def whole_key(name: str) -> str:
    """The key of the whole name with its spaces removed: 'Sreymom' and 'Srey Mom' meet."""
    return word_key("".join(words(normalise(name))))
