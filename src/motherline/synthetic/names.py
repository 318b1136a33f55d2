"""Synthetic Khmer-style names, assembled at random from common name parts.

Every name is a random pairing of a common family name and a common given name, so it
cannot point at a real person. Family names borne by well-known public figures are left out
on purpose, so a pairing cannot read like one. The Khmer spellings should be reviewed by a
Khmer speaker.
"""

from __future__ import annotations

import random

# (Latin, Khmer) pairs. Khmer names put the family name first.
FAMILY_NAMES: tuple[tuple[str, str], ...] = (
    ("Sok", "សុខ"),
    ("Chan", "ចាន់"),
    ("Keo", "កែវ"),
    ("Kim", "គីម"),
    ("Heng", "ហេង"),
    ("Ly", "លី"),
    ("Touch", "ទូច"),
    ("Meas", "មាស"),
    ("Chea", "ជា"),
    ("Ouk", "អ៊ុក"),
    ("Prak", "ប្រាក់"),
    ("Pich", "ពេជ្រ"),
    ("Sao", "សៅ"),
    ("Seng", "សេង"),
    ("Long", "ឡុង"),
    ("Mao", "ម៉ៅ"),
    ("Nov", "នូវ"),
    ("Phan", "ផាន"),
    ("Chhim", "ឈឹម"),
    ("Yim", "យឹម"),
    ("Men", "ម៉ែន"),
    ("Tep", "ទេព"),
    ("Oum", "អ៊ុំ"),
    ("Van", "វ៉ាន់"),
    ("Lim", "លឹម"),
    ("Tan", "តាន់"),
    ("Chhay", "ឆាយ"),
    ("Vong", "វង្ស"),
    ("Sorn", "សន"),
    ("Srey", "ស្រី"),
)

FEMALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Sophea", "សុភា"),
    ("Channary", "ចន្នារី"),
    ("Dara", "ដារ៉ា"),
    ("Kanha", "កញ្ញា"),
    ("Bopha", "បុប្ផា"),
    ("Sokha", "សុខា"),
    ("Chenda", "ចិន្តា"),
    ("Leakhena", "លក្ខិណា"),
    ("Thida", "ធីតា"),
    ("Vanna", "វណ្ណា"),
    ("Sothea", "សុធា"),
    ("Sophal", "សុផល"),
    ("Kolab", "កុលាប"),
    ("Malis", "ម្លិះ"),
    ("Phalla", "ផល្លា"),
    ("Pisey", "ពិសី"),
    ("Neary", "នារី"),
    ("Raksmey", "រស្មី"),
    ("Socheata", "សុជាតា"),
    ("Mealea", "មាលា"),
    ("Chantha", "ចន្ថា"),
    ("Nita", "នីតា"),
    ("Davy", "ដាវី"),
    ("Sokunthea", "សុគន្ធា"),
    ("Chanthou", "ចន្ធូ"),
    ("Sopheap", "សុភាព"),
    ("Kunthea", "គន្ធា"),
    ("Bunna", "ប៊ុនណា"),
    ("Theary", "ធារី"),
    ("Vicheka", "វិច្ឆិកា"),
)

# Second parts of "Srey-" given names (Sreymom, Sreypov, ...).
SREY_PARTS: tuple[tuple[str, str], ...] = (
    ("mom", "មុំ"),
    ("pov", "ពៅ"),
    ("neang", "នាង"),
    ("leak", "ល័ក្ខ"),
    ("roth", "រ័ត្ន"),
    ("oun", "អូន"),
    ("nich", "និច"),
    ("pich", "ពេជ្រ"),
    ("mao", "ម៉ៅ"),
    ("ny", "នី"),
)

MALE_NAMES: tuple[tuple[str, str], ...] = (
    ("Dara", "ដារ៉ា"),
    ("Vibol", "វិបុល"),
    ("Visal", "វិសាល"),
    ("Piseth", "ពិសិដ្ឋ"),
    ("Rithy", "រិទ្ធី"),
    ("Bunthoeun", "ប៊ុនធឿន"),
    ("Sambath", "សម្បត្តិ"),
    ("Kosal", "កុសល"),
    ("Vuthy", "វុទ្ធី"),
    ("Ratanak", "រតនៈ"),
    ("Borey", "បុរី"),
    ("Veasna", "វាសនា"),
    ("Samnang", "សំណាង"),
    ("Sovann", "សុវណ្ណ"),
    ("Pheakdey", "ភក្ដី"),
    ("Chamroeun", "ចំរើន"),
    ("Makara", "មករា"),
    ("Narin", "នរិន្ទ"),
)


def _given_female(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.3:
        latin, khmer = rng.choice(SREY_PARTS)
        return "Srey" + latin, "ស្រី" + khmer
    return rng.choice(FEMALE_NAMES)


def person_name(rng: random.Random, female: bool = True) -> tuple[str, str]:
    """A (Khmer script, Latin script) name, family name first."""
    family_latin, family_khmer = rng.choice(FAMILY_NAMES)
    given_latin, given_khmer = _given_female(rng) if female else rng.choice(MALE_NAMES)
    return f"{family_khmer} {given_khmer}", f"{family_latin} {given_latin}"
