"""Small-cell suppression: primary, secondary, and no hidden value recoverable from totals."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from motherline.stats.rules import Table, is_small, suppress


def equations(table: Table) -> list[dict[tuple[int, int], int]]:
    """Each published line of the augmented table as {position: coefficient} == 0."""
    n_rows, n_cols = table.n_rows, table.n_cols
    lines = []
    for r in range(n_rows + 1):
        line = {(r, c): 1 for c in range(n_cols)}
        line[(r, n_cols)] = -1
        lines.append(line)
    for c in range(n_cols + 1):
        line = {(r, c): 1 for r in range(n_rows)}
        line[(n_rows, c)] = -1
        lines.append(line)
    return lines


def determined(table: Table) -> set[tuple[int, int]]:
    """Hidden positions whose value follows from the published ones, by exact elimination:
    a hidden cell is determined when its unit vector lies in the row space of the
    equations restricted to the hidden cells (independent of the code under test)."""
    hidden = sorted(table.suppressed)
    index = {pos: i for i, pos in enumerate(hidden)}
    rows = [
        [Fraction(line.get(pos, 0)) for pos in hidden]
        for line in equations(table)
        if any(pos in index for pos in line)
    ]
    rank = _rank(rows)
    found = set()
    for pos in hidden:
        unit = [Fraction(int(i == index[pos])) for i in range(len(hidden))]
        if _rank([*rows, unit]) == rank:
            found.add(pos)
    return found


def _rank(matrix: list[list[Fraction]]) -> int:
    m = [row[:] for row in matrix]
    rank, n_cols = 0, len(m[0]) if m else 0
    for col in range(n_cols):
        pivot = next((r for r in range(rank, len(m)) if m[r][col] != 0), None)
        if pivot is None:
            continue
        m[rank], m[pivot] = m[pivot], m[rank]
        for r in range(len(m)):
            if r != rank and m[r][col] != 0:
                factor = m[r][col] / m[rank][col]
                m[r] = [a - factor * b for a, b in zip(m[r], m[rank], strict=True)]
        rank += 1
    return rank


def test_small_counts_are_one_to_threshold_minus_one():
    assert [is_small(v, 5) for v in (0, 1, 4, 5, 40)] == [False, True, True, False, False]


def test_no_small_cell_means_nothing_is_hidden():
    assert suppress([[10, 20], [30, 0]], 5).suppressed == set()


def test_one_small_cell_hides_a_second_cell_in_its_row_and_column():
    # Row 0 has 3 (small); the row total 13 and the column total would give it away.
    table = suppress([[3, 10, 12], [20, 30, 40], [25, 35, 45]], 5)
    assert (0, 0) in table.suppressed
    assert len(table.suppressed) == 4  # a rectangle: the cheapest cycle
    assert table.suppressed == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert determined(table) == set()


def test_a_single_row_table_hides_a_column_total_too():
    # With one row the column totals repeat the cells: a cycle needs the totals row.
    table = suppress([[2, 9, 30]], 5)
    assert determined(table) == set()
    assert (0, 0) in table.suppressed and (1, 0) in table.suppressed


def test_published_values_are_unchanged_and_hidden_ones_marked():
    cells = [[4, 50], [60, 70]]
    table = suppress(cells, 5)
    assert table.cells == cells
    assert table.value(2, 2) == 184  # the grand total is still known
    assert (2, 2) not in table.suppressed


def test_zero_threshold_hides_nothing():
    assert suppress([[1, 2], [3, 4]], 0).suppressed == set()


tables = st.integers(1, 5).flatmap(
    lambda n_rows: st.integers(1, 5).flatmap(
        lambda n_cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 6), st.integers(0, 200)),
                min_size=n_cols,
                max_size=n_cols,
            ),
            min_size=n_rows,
            max_size=n_rows,
        )
    )
)


@settings(max_examples=300, deadline=None)
@given(cells=tables, threshold=st.integers(1, 8))
def test_no_hidden_value_can_be_recovered_from_the_published_ones(cells, threshold):
    table = suppress(cells, threshold)
    for r, row in enumerate(cells):
        for c, value in enumerate(row):
            if is_small(value, threshold):
                assert (r, c) in table.suppressed
    assert determined(table) == set()


@settings(max_examples=100, deadline=None)
@given(cells=tables)
def test_a_table_without_small_cells_is_published_whole(cells):
    big = [[v + 10 for v in row] for row in cells]
    assert suppress(big, 5).suppressed == set()


tall_tables = st.integers(6, 12).flatmap(
    lambda n_rows: st.lists(
        st.lists(st.integers(0, 8), min_size=3, max_size=3), min_size=n_rows, max_size=n_rows
    )
)


@settings(max_examples=40, deadline=None)
@given(cells=tall_tables)
def test_tables_of_many_prisons_keep_every_hidden_value_safe(cells):
    assert determined(suppress(cells, 5)) == set()


@settings(max_examples=200, deadline=None)
@given(edges=st.sets(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=20))
def test_bridges_match_a_brute_force_search(edges):
    from motherline.stats.rules import _bridges

    def connected(rest, start, goal):
        seen, todo = {start}, [start]
        while todo:
            kind, i = todo.pop()
            for r, c in rest:
                for node, other in ((("r", r), ("c", c)), (("c", c), ("r", r))):
                    if node == (kind, i) and other not in seen:
                        seen.add(other)
                        todo.append(other)
        return goal in seen

    expected = sorted(e for e in edges if not connected(edges - {e}, ("r", e[0]), ("c", e[1])))
    assert _bridges(set(edges)) == expected


def test_two_hundred_prisons_are_suppressed_quickly():
    import time

    cells = [[(i * 7) % 5, (i * 3) % 7] for i in range(200)]
    started = time.perf_counter()
    table = suppress(cells, 5)
    assert time.perf_counter() - started < 2
    assert all(
        (r, c) in table.suppressed
        for r, row in enumerate(cells)
        for c, v in enumerate(row)
        if 0 < v < 5
    )
