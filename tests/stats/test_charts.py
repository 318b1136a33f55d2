"""Chart and map geometry: no text in the SVG, every province of Cambodia on the grid."""

from motherline.stats import charts


def test_every_province_of_cambodia_has_its_own_tile():
    assert len(charts.KH_TILES) == 25
    assert sorted(charts.KH_TILES) == sorted(f"KH-{n}" for n in range(1, 26))
    assert len(set(charts.KH_TILES.values())) == 25


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
    names = {"KH-12": "Phnom Penh", "KH-8": "Kandal", "KH-21": "Takeo"}
    tiles = charts.tile_map(names, {"KH-12": 1000, "KH-8": 10, "KH-21": None}, {"KH-21"})
    by_code = {t.code: t for t in tiles}
    assert by_code["KH-12"].colour == charts.SHADES[-1]  # the larger of two values
    assert by_code["KH-8"].colour == charts.SHADES[0]
    assert by_code["KH-21"].colour == charts.NO_DATA and by_code["KH-21"].suppressed
    grid = charts.tile_grid(tiles)
    assert [[t.code if t else None for t in row] for row in grid] == [
        ["KH-12", "KH-8"],
        ["KH-21", None],
    ]
