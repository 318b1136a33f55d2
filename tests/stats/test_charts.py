"""Chart and map geometry: no text in the SVG; the map's tiles are where a pack puts them
(every pack's layout is checked in tests/jurisdictions/test_packs.py)."""

from types import SimpleNamespace

from motherline.stats import charts


def place(code: str, name: str, column: int | None, row: int | None) -> SimpleNamespace:
    return SimpleNamespace(code=code, display_name=name, map_column=column, map_row=row)


def test_bars_scale_to_a_round_maximum_and_mark_gaps():
    chart = charts.bar_chart([("2008", 713, False), ("2009", None, True), ("2010", 1412, False)])
    assert chart.maximum == 2000
    first, hidden, last = chart.bars
    assert first.height == round(713 / 2000 * charts.HEIGHT, 2)
    assert hidden.suppressed and hidden.height == 0
    assert last.y == round(charts.HEIGHT - 1412 / 2000 * charts.HEIGHT, 2)
    assert (chart.first_label, chart.last_label) == ("2008", "2010")


def test_nice_maximum():
    assert [charts.nice_maximum(v) for v in (0, 0.4, 7, 10, 11, 230, 2535)] == [
        1,
        1,
        10,
        10,
        20,
        250,
        5000,
    ]


def test_tiles_shade_by_rank_and_the_grid_is_trimmed():
    provinces = [
        place("KH-12", "Phnom Penh", 3, 3),
        place("KH-8", "Kandal", 4, 3),
        place("KH-21", "Takeo", 3, 4),
        place("KH-99", "Not on the map", None, None),
    ]
    tiles = charts.tile_map(provinces, {"KH-12": 1000, "KH-8": 10, "KH-21": None}, {"KH-21"})
    by_code = {t.code: t for t in tiles}
    assert set(by_code) == {"KH-12", "KH-8", "KH-21"}  # a province without a tile is left off
    assert by_code["KH-12"].colour == charts.SHADES[-1]  # the larger of two values
    assert by_code["KH-8"].colour == charts.SHADES[0]
    assert by_code["KH-21"].colour == charts.NO_DATA and by_code["KH-21"].suppressed
    grid = charts.tile_grid(tiles)
    assert [[t.code if t else None for t in row] for row in grid] == [
        ["KH-12", "KH-8"],
        ["KH-21", None],
    ]


def test_the_axes_mark_quarters_and_label_every_period_where_there_is_room():
    years = [(str(2008 + i), 100 * i, False) for i in range(19)]
    chart = charts.bar_chart(years)
    assert chart.ticks == [2000, 1500, 1000, 500, 0]
    labels = chart.x_labels
    assert [label.text for label in labels] == [y for y, _v, _s in years]
    # Nineteen years fit a wide page; a phone shows every third, always the latest.
    assert all(label.wide for label in labels)
    shown = [label.text for label in labels if label.narrow]
    assert shown[-1] == "2026" and 4 <= len(shown) <= charts.NARROW_LABELS
    many = charts.bar_chart([(str(i), i, False) for i in range(60)])
    assert sum(label.wide for label in many.x_labels) <= charts.WIDE_LABELS
    assert many.x_labels[-1].wide and many.x_labels[-1].narrow
