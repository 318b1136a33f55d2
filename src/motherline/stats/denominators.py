"""The total population of an area by year, for prisoners per 100,000 of the population.

A pack may ship `population_totals.csv` (area,year,population,source,verified) beside its
`population_denominators.csv` (the female population). Each row names its source by keys of
the pack's `[sources]`, as every other figure of a pack does. The file is small and read
once per process; a row that cannot be read is an error, never skipped.
"""

from __future__ import annotations

import csv
import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

from motherline.jurisdictions.loader import PACKS_DIR

FILENAME = "population_totals.csv"


class DenominatorError(ValueError):
    """A population file of a pack that cannot be read."""


@dataclass(frozen=True)
class Population:
    area: str
    year: int
    population: int
    source: str
    verified: bool


@functools.cache
def read_population_totals(code: str, packs_dir: Path = PACKS_DIR) -> tuple[Population, ...]:
    """The rows of a pack's `population_totals.csv` (none when the pack has no such file),
    with each source key replaced by the pack's text for it."""
    directory = packs_dir / code.lower()
    path = directory / FILENAME
    if not path.is_file():
        return ()
    sources = tomllib.loads((directory / "pack.toml").read_text("utf-8")).get("sources", {})
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                year, population = int(row["year"]), int(row["population"])
            except (KeyError, TypeError, ValueError):
                message = f"{path}:{line}: year and population are whole numbers"
                raise DenominatorError(message) from None
            keys = [k.strip() for k in (row.get("source") or "").split(";") if k.strip()]
            if not keys or keys[0] not in sources:
                raise DenominatorError(f"{path}:{line}: the source names no key of [sources]")
            if population <= 0 or not 1900 <= year <= 2100:
                raise DenominatorError(f"{path}:{line}: a population and a year are expected")
            text = "\n".join(sources.get(key, key) for key in keys)
            verified = (row.get("verified") or "").strip().lower() == "true"
            rows.append(Population(row["area"].strip(), year, population, text, verified))
    return tuple(rows)


def population_totals(area: object) -> dict[int, int]:
    """The area's total population by year (the nation or a province; a prison has none)."""
    kind, code = getattr(area, "kind", ""), getattr(area, "code", "")
    if kind not in ("nation", "province"):
        return {}
    jurisdiction = code if kind == "nation" else code.split("-", 1)[0]
    return {
        row.year: row.population for row in read_population_totals(jurisdiction) if row.area == code
    }


def population_source(area: object, year: int) -> str:
    """The source of the denominator used for a year (the latest year up to it)."""
    kind, code = getattr(area, "kind", ""), getattr(area, "code", "")
    jurisdiction = code if kind == "nation" else code.split("-", 1)[0]
    rows = [r for r in read_population_totals(jurisdiction) if r.area == code]
    usable = [r for r in rows if r.year <= year] or rows[:1]
    return max(usable, key=lambda r: r.year).source if usable else ""
