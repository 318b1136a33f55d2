"""Indicators and publication rules as pure functions over plain numbers.

The database computes the aggregates (`stats.queries`); these functions turn them into the
published values and decide what may be published. See docs/indicators.md.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

Aggregate = Mapping[str, Any]


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def period_key(day: date, period: Period | str) -> str:
    """Sortable text naming the period a day falls in: 2012, 2012-Q3 or 2012-03."""
    if period == Period.YEAR:
        return f"{day.year}"
    if period == Period.QUARTER:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def last_date_per_period(days: Iterable[date], period: Period | str) -> dict[str, date]:
    """For a stock (a count of people on a date), the date whose count stands for each
    period: the last date in the period that has data."""
    chosen: dict[str, date] = {}
    for day in days:
        key = period_key(day, period)
        if key not in chosen or day > chosen[key]:
            chosen[key] = day
    return dict(sorted(chosen.items()))


def ratio(numerator: float | None, denominator: float | None, scale: float = 100) -> float | None:
    """`numerator / denominator * scale`, rounded to one decimal; None when either is missing
    or the denominator is zero (a rate of nothing is not zero)."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator * scale / denominator, 1)


def growth_percent(start: float | None, end: float | None) -> float | None:
    """Growth from `start` to `end` in per cent, one decimal; None without a base."""
    if start is None or end is None or start == 0:
        return None
    return round((end - start) * 100 / start, 1)


def median_of_histogram(counts: Sequence[tuple[int, int]]) -> float | None:
    """The median of values given as (value, how many times) pairs, in any order."""
    pairs = sorted((value, n) for value, n in counts if n > 0)
    size = sum(n for _value, n in pairs)
    if not size:
        return None

    def nth(index: int) -> int:
        seen = 0
        for value, n in pairs:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    middle = size // 2
    if size % 2:
        return float(nth(middle))
    return (nth(middle - 1) + nth(middle)) / 2


def pretrial_total(aggregate: Aggregate) -> int | None:
    """All prisoners held before a final judgment: the reported total, else pretrial women
    and men added where both are reported."""
    given = aggregate.get("pretrial_total")
    if given is not None:
        return int(given)
    women, men = aggregate.get("pretrial_women"), aggregate.get("pretrial_men")
    return None if women is None or men is None else int(women) + int(men)


# Indicators over one aggregate (a dict of summed counts for an area on a date).
STOCK_INDICATORS: dict[str, Any] = {
    "total": lambda a: a.get("total"),
    "women": lambda a: a.get("women"),
    "men": lambda a: a.get("men"),
    "women_share": lambda a: ratio(a.get("women"), a.get("total")),
    "pretrial_share": lambda a: ratio(pretrial_total(a), a.get("total")),
    "pretrial_share_women": lambda a: ratio(a.get("pretrial_women"), a.get("women")),
    "pretrial_share_men": lambda a: ratio(a.get("pretrial_men"), a.get("men")),
    "pregnant_women": lambda a: a.get("pregnant_women"),
    "children_in_prison": lambda a: a.get("children_in_prison"),
    "children_per_100_women": lambda a: ratio(a.get("children_in_prison"), a.get("women")),
    "children_near_age_limit": lambda a: a.get("children_near_age_limit"),
    "occupancy": lambda a: ratio(a.get("total"), a.get("capacity")),
    "women_per_100k": lambda a: ratio(a.get("women"), a.get("female_population"), 100_000),
    "per_100k": lambda a: ratio(a.get("total"), a.get("population"), 100_000),
    "minors": lambda a: a.get("minors"),
    "foreign_nationals": lambda a: a.get("foreign_nationals"),
}
# Indicators over events in a period, reported by category (several values per period).
FLOW_INDICATORS = ("releases_by_reason", "median_pretrial_days", "offence_profile")
GROWTH_INDICATORS = ("growth_women", "growth_men")
INDICATORS = (*STOCK_INDICATORS, *FLOW_INDICATORS, *GROWTH_INDICATORS)

# Counts of few, identifiable people: small values are suppressed in published outputs.
SENSITIVE = frozenset({"pregnant_women", "children_in_prison", "children_near_age_limit"})
# Rates whose numerator is a sensitive count: suppressed with it (the denominator is public).
DERIVED_FROM = {"children_per_100_women": "children_in_prison"}


def indicator_value(name: str, aggregate: Aggregate) -> Any:
    """The value of a stock indicator for one aggregate; a published value of the
    indicator (a percentage published as such) is taken as it is."""
    published = aggregate.get(f"published:{name}")
    if published is not None:
        return published
    return STOCK_INDICATORS[name](aggregate)


# Publication rules: small-cell suppression.


def is_small(value: Any, threshold: int) -> bool:
    """A count is too small to publish when it is 1 to threshold - 1 (0 says nobody)."""
    return isinstance(value, int) and 0 < value < threshold


@dataclass
class Table:
    """A table of counts with published row totals, column totals and a grand total.

    `cells[r][c]` are the inner counts; the totals are computed, never given, so they are
    consistent. `suppressed` holds the (row, column) positions hidden, in the *augmented*
    table where row `len(cells)` is the column totals and column `len(cells[0])` the row
    totals.
    """

    cells: list[list[int]]
    suppressed: set[tuple[int, int]] = field(default_factory=set)

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def value(self, row: int, col: int) -> int:
        """A value of the augmented table (inner cell, row total, column total or grand)."""
        rows = range(self.n_rows) if row == self.n_rows else [row]
        cols = range(self.n_cols) if col == self.n_cols else [col]
        return sum(self.cells[r][c] for r in rows for c in cols)


def _bridges(edges: set[tuple[int, int]]) -> list[tuple[int, int]]:
    """Edges (row, col) of the bipartite row-column graph that lie on no cycle.

    A suppressed cell that is such a bridge can be worked out from the published totals
    (its row or column equations pin it); a cell on a cycle cannot: adding and subtracting
    the same amount around the cycle keeps every total. Tarjan's bridge-finding, iterative
    (a table of hundreds of prisons would exceed Python's recursion limit), in linear time."""
    neighbours: dict[tuple[str, int], list[tuple[tuple[str, int], tuple[int, int]]]] = {}
    for r, c in edges:
        neighbours.setdefault(("r", r), []).append((("c", c), (r, c)))
        neighbours.setdefault(("c", c), []).append((("r", r), (r, c)))
    order: dict[tuple[str, int], int] = {}
    low: dict[tuple[str, int], int] = {}
    found: list[tuple[int, int]] = []
    for root in sorted(neighbours):
        if root in order:
            continue
        order[root] = low[root] = len(order)
        # Each frame: the node, the edge it was reached by, and its next neighbour's index.
        stack: list[tuple[tuple[str, int], tuple[int, int] | None, int]] = [(root, None, 0)]
        while stack:
            node, via, index = stack[-1]
            if index < len(neighbours[node]):
                stack[-1] = (node, via, index + 1)
                other, edge = neighbours[node][index]
                if edge == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = len(order)
                    stack.append((other, edge, 0))
                continue
            stack.pop()
            if stack:
                parent = stack[-1][0]
                low[parent] = min(low[parent], low[node])
                if low[node] > order[parent]:
                    assert via is not None
                    found.append(via)
    return sorted(found)


def suppress(cells: Sequence[Sequence[int]], threshold: int) -> Table:
    """Primary and secondary suppression of a table of counts with its margins.

    Primary: every inner cell from 1 to threshold - 1. Secondary: while a hidden cell can be
    worked out from the published values (it is a bridge of the graph whose nodes are the
    rows and columns of the augmented table and whose edges are the hidden cells), hide one
    more cell that closes a cycle through it, the smallest available, so that as little as
    possible is lost. Totals are hidden only when no inner cell can close the cycle.
    """
    table = Table([list(row) for row in cells])
    if not table.n_rows or not table.n_cols:
        return table
    table.suppressed = {
        (r, c)
        for r in range(table.n_rows)
        for c in range(table.n_cols)
        if is_small(table.cells[r][c], threshold)
    }
    while True:
        bridges = _bridges(table.suppressed)
        if not bridges:
            return table
        table.suppressed |= _cheapest_cycle_through(table, bridges[0])


MARGIN_COST = 10**12  # hide a total only when no path through inner cells exists


def _cheapest_cycle_through(table: Table, bridge: tuple[int, int]) -> set[tuple[int, int]]:
    """The cells to hide so that `bridge` lies on a cycle: the cheapest path from its row to
    its column avoiding the bridge itself (Dijkstra; hidden cells cost nothing, others their
    value, totals far more), so that as little as possible is lost."""
    n_rows, n_cols = table.n_rows, table.n_cols
    start, goal = ("r", bridge[0]), ("c", bridge[1])
    best: dict[tuple[str, int], int] = {start: 0}
    previous: dict[tuple[str, int], tuple[str, int]] = {}
    queue: list[tuple[int, tuple[str, int]]] = [(0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == goal:
            break
        if cost > best.get(node, cost):
            continue
        kind, i = node
        if kind == "r":
            steps = [(("c", c), (i, c)) for c in range(n_cols + 1)]
        else:
            steps = [(("r", r), (r, i)) for r in range(n_rows + 1)]
        for other, cell in steps:
            if cell == bridge:
                continue
            if cell in table.suppressed:
                step = 0
            else:
                is_margin = cell[0] == n_rows or cell[1] == n_cols
                step = 1 + table.value(*cell) + (MARGIN_COST if is_margin else 0)
            if cost + step < best.get(other, cost + step + 1):
                best[other] = cost + step
                previous[other] = node
                heapq.heappush(queue, (cost + step, other))
    cells = set()
    node = goal
    while node != start:
        before = previous[node]
        cells.add((before[1], node[1]) if before[0] == "r" else (node[1], before[1]))
        node = before
    return cells - table.suppressed
