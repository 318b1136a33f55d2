"""Charts and the province map as plain geometry: SVG shapes without text, labels as HTML.

WeasyPrint does not shape Khmer inside SVG `<text>`, so the same markup serves the page and
the PDF only if every label is HTML: the templates place these labels beside the shapes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

WIDTH, HEIGHT = 600, 200

# Colours from light to dark (ColorBrewer "Purples", colour-blind safe), and for no data.
SHADES = ("#efedf5", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f")
NO_DATA = "#ffffff"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: Any
    suppressed: bool


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    maximum: float
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def first_label(self) -> str:
        return self.bars[0].label if self.bars else ""

    @property
    def last_label(self) -> str:
        return self.bars[-1].label if self.bars else ""

    @property
    def ticks(self) -> list[float]:
        """The values marked on the vertical axis, top first: the maximum, its quarters and
        0, evenly spaced as the template lays them out."""
        return [self.maximum * k / TICKS for k in range(TICKS, -1, -1)]

    @property
    def x_labels(self) -> list[XLabel]:
        """One label per bar, each marked for the widths it is shown at: every one where
        there is room (up to WIDE_LABELS), fewer on a phone (NARROW_LABELS), counted back
        from the last so that the latest period is always labelled."""
        n = len(self.bars)
        wide, narrow = -(-n // WIDE_LABELS), -(-n // NARROW_LABELS)
        return [
            XLabel(bar.label, (n - 1 - i) % wide == 0, (n - 1 - i) % narrow == 0)
            for i, bar in enumerate(self.bars)
        ]


# Intervals on the vertical axis, and how many period labels fit under a chart on a wide
# page and on a phone.
TICKS = 4
WIDE_LABELS = 24
NARROW_LABELS = 7


@dataclass(frozen=True)
class XLabel:
    text: str
    wide: bool  # shown on a wide page
    narrow: bool  # shown on a phone too


def nice_maximum(value: float) -> float:
    """A round number at or above `value` for the top of an axis: 1, 2, 2.5 or 5 times a
    power of ten."""
    if value <= 0:
        return 1
    power = 10 ** (len(str(int(value))) - 1) if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def bar_chart(points: list[tuple[str, Any, bool]]) -> BarChart:
    """Bars for (label, value, suppressed) points; a suppressed or missing value is a gap
    that the template marks."""
    numbers = [float(v) for _label, v, _s in points if isinstance(v, (int, float))]
    top = nice_maximum(max(numbers, default=0))
    slot = WIDTH / max(len(points), 1)
    bars = []
    for i, (label, value, suppressed) in enumerate(points):
        height = (float(value) / top * HEIGHT) if isinstance(value, (int, float)) else 0
        bars.append(
            Bar(
                x=round(i * slot + slot * 0.1, 2),
                y=round(HEIGHT - height, 2),
                width=round(slot * 0.8, 2),
                height=round(height, 2),
                label=label,
                value=value,
                suppressed=suppressed,
            )
        )
    return BarChart(bars, top)


def shade(value: Any, ordered: list[float]) -> str:
    """The colour of a tile by the value's rank among all the values (quintiles), so that
    one large province (the capital) does not leave every other tile the same colour."""
    if not isinstance(value, (int, float)) or not ordered:
        return NO_DATA
    if len(ordered) == 1:
        return SHADES[-1]
    below = sum(1 for other in ordered if other < value)
    return SHADES[round(below / (len(ordered) - 1) * (len(SHADES) - 1))]


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    column: int
    row: int
    value: Any
    suppressed: bool
    colour: str
    dark: bool

    @property
    def shade(self) -> str:
        """The tile's class suffix (the stylesheet has a rule per shade: no inline style)."""
        return str(SHADES.index(self.colour)) if self.colour in SHADES else "none"


class MapPlace(Protocol):
    """A province as the map needs it: the pack gives its tile (`provinces.csv`). Read only,
    so that a model's fields (and a property) match it."""

    @property
    def code(self) -> str: ...

    @property
    def display_name(self) -> str: ...

    @property
    def map_column(self) -> int | None: ...

    @property
    def map_row(self) -> int | None: ...


def tile_map(
    provinces: Iterable[MapPlace], values: dict[str, Any], suppressed: set[str]
) -> list[Tile]:
    """One tile per province, where its pack places it; provinces the pack leaves off the
    map are left out (a pack with no layout draws no map)."""
    ordered = sorted(float(v) for v in values.values() if isinstance(v, (int, float)))
    tiles = []
    for province in provinces:
        column, row = province.map_column, province.map_row
        if column is None or row is None:
            continue
        value = values.get(province.code)
        colour = shade(value, ordered)
        tiles.append(
            Tile(
                province.code,
                str(province.display_name),
                column + 1,
                row + 1,
                value,
                province.code in suppressed,
                colour,
                colour in SHADES[3:],
            )
        )
    return sorted(tiles, key=lambda t: (t.row, t.column))


def tile_grid(tiles: list[Tile]) -> list[list[Tile | None]]:
    """The tiles as rows of a table (None where no province lies), for HTML and PDF."""
    if not tiles:
        return []
    left, top = min(t.column for t in tiles), min(t.row for t in tiles)
    width = max(t.column for t in tiles) - left + 1
    height = max(t.row for t in tiles) - top + 1
    grid: list[list[Tile | None]] = [[None] * width for _ in range(height)]
    for tile in tiles:
        grid[tile.row - top][tile.column - left] = tile
    return grid
