"""Synthetic monthly population returns per prison, from January 2008 to today, consistent
with the published national figures of the jurisdiction pack (never real prison data).

The national series is anchored on the published figures (`NationalFigure`): on the month
of each published count the national totals of the generated returns equal it exactly.
Between anchors the series is interpolated linearly; other counts follow their ratio to the
total (minors, foreign nationals, pretrial) or to women (pregnant women, children). The
OHCHR growth figures (women +98%, men +38% from 2008 to 2012) fix December 2012 from the
2008 figures; the women's share of 2019 (8.6%) fixes the women of December 2019. Published
figures that disagree are all reproduced on their own months, so the series swings where its
sources do (July 2012 against December 2012). After the last figure the total grows by
`GROWTH_AFTER_LAST` a year. Each month's national counts are shared among the prisons open
that month in proportion to their capacity (women only to prisons that hold women, the
largest of them holding `MAIN_PRISON_SHARE`), rounded by largest remainder so that the
prisons add up exactly to the national count.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from motherline.jurisdictions.models import Jurisdiction, NationalFigure
from motherline.places.models import Prison
from motherline.stats.models import PopulationReturn, ReturnSource
from motherline.synthetic.organisations import main_prison

START = date(2008, 1, 31)
GROWTH_FROM, GROWTH_TO = 2008, 2012
GROWTH_AFTER_LAST = 0.03
MAIN_PRISON_SHARE = 0.3
# Ratios used where no figure is published (the 2008 pretrial share and the early-2013
# ratios are published; the 2016 "over a third pretrial" is read as 35%).
PRETRIAL_2016 = 0.35
COUNTED: tuple[str, ...] = (
    "total",
    "women",
    "pretrial",
    "minors",
    "foreign_nationals",
    "pregnant_women",
)
COUNTED += ("children_in_prison",)
RATIO_OF = {
    "pretrial": "total",
    "minors": "total",
    "foreign_nationals": "total",
    "pregnant_women": "women",
    "children_in_prison": "women",
}


def month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def month_ends(start: date, end: date) -> list[date]:
    months, day = [], month_end(start)
    while day <= end:
        months.append(day)
        day = month_end(day + timedelta(days=1))
    return months


def _interpolate(points: dict[date, float], day: date) -> float | None:
    """Linear between the points, flat beyond the first and the last."""
    if not points:
        return None
    keys = sorted(points)
    if day <= keys[0]:
        return points[keys[0]]
    if day >= keys[-1]:
        return points[keys[-1]]
    for left, right in itertools.pairwise(keys):
        if left <= day <= right:
            share = (day - left).days / (right - left).days
            return points[left] + (points[right] - points[left]) * share
    return points[keys[-1]]


@dataclass
class NationalSeries:
    """Anchors of the national counts, by month end."""

    anchors: dict[str, dict[date, int]]
    ratios: dict[str, dict[date, float]]

    def counts_on(self, day: date) -> dict[str, int]:
        total = round(
            _interpolate({k: float(v) for k, v in self.anchors["total"].items()}, day) or 0
        )
        women = round(
            _interpolate({k: float(v) for k, v in self.anchors["women"].items()}, day) or 0
        )
        counts = {"total": total, "women": min(women, total)}
        for name, base in RATIO_OF.items():
            if day in self.anchors.get(name, {}):
                counts[name] = self.anchors[name][day]
            else:
                counts[name] = round(counts[base] * (_interpolate(self.ratios[name], day) or 0))
        counts["pretrial"] = min(counts["pretrial"], total)
        counts["pregnant_women"] = min(counts["pregnant_women"], counts["women"])
        return counts


def national_series(figures: Sequence[NationalFigure], today: date) -> NationalSeries:
    """The anchors of the national series from the published figures (see the module)."""
    anchors: dict[str, dict[date, int]] = {name: {} for name in COUNTED}
    for figure in figures:
        if figure.measure in anchors:
            anchors[figure.measure][month_end(figure.date)] = int(figure.value)
    for figure in figures:
        # "At least N mothers living with their children": at least N children.
        if figure.measure == "mothers_with_children":
            anchors["children_in_prison"].setdefault(month_end(figure.date), int(figure.value))
    by_measure = {(f.measure, f.date.year): float(f.value) for f in figures}
    total, women = anchors["total"], anchors["women"]
    # The 2008 figures hold until December 2008, the base of the published growth.
    base_day = max((d for d in women if d.year == GROWTH_FROM), default=None)
    growth_women = by_measure.get(("women_growth_percent", GROWTH_TO))
    growth_men = by_measure.get(("men_growth_percent", GROWTH_TO))
    if base_day is not None and base_day in total:
        december = date(GROWTH_FROM, 12, 31)
        total.setdefault(december, total[base_day])
        women.setdefault(december, women[base_day])
        if growth_women is not None and growth_men is not None:
            end = date(GROWTH_TO, 12, 31)
            base_women = women[december]
            base_men = total[december] - base_women
            women[end] = round(base_women * (1 + growth_women / 100))
            total[end] = women[end] + round(base_men * (1 + growth_men / 100))
    # Carry the series to today at a modest growth after the last published total.
    last = max(total)
    years = (today - last).days / 365.25
    final = (
        month_end(today)
        if month_end(today) <= today
        else month_end(today.replace(day=1) - timedelta(days=1))
    )
    if final > last:
        total[final] = round(total[last] * (1 + GROWTH_AFTER_LAST) ** years)
    # Published shares of women fix the women of their month.
    for figure in figures:
        if figure.measure == "women_share_percent":
            day = month_end(figure.date)
            if day not in women:
                size = round(_interpolate({k: float(v) for k, v in total.items()}, day) or 0)
                total.setdefault(day, size)
                women[day] = round(total[day] * float(figure.value) / 100)
    share_last = max(women)
    if final > share_last:
        women[final] = round(total[final] * women[share_last] / total[share_last])
    ratios: dict[str, dict[date, float]] = {}
    for name, base in RATIO_OF.items():
        points: dict[date, float] = {}
        for day, value in anchors[name].items():
            base_size = _interpolate({k: float(v) for k, v in anchors[base].items()}, day)
            if base_size:
                points[day] = value / base_size
        ratios[name] = points
    if "pretrial" in ratios:
        ratios["pretrial"][date(2016, 12, 31)] = PRETRIAL_2016
    return NationalSeries(anchors=anchors, ratios=ratios)


def share_out(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, in whole numbers that add up to `total`."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    shares = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in order[: total - sum(shares)]:
        shares[i] += 1
    return shares


def generate_returns(jurisdiction: Jurisdiction, today: date, seed: int = 1) -> int:
    """Replace the jurisdiction's synthetic returns with a fresh series to `today`;
    returns the number of returns written (none without published figures)."""
    figures = list(NationalFigure.objects.filter(jurisdiction=jurisdiction))
    prisons = list(Prison.objects.filter(province__jurisdiction=jurisdiction).order_by("code"))
    if not any(f.measure == "total" for f in figures) or not prisons:
        return 0
    series = national_series(figures, today)
    main = main_prison(jurisdiction)
    rng = random.Random(seed)
    phase = {p.pk: rng.uniform(0, 2 * math.pi) for p in prisons}
    rows: list[PopulationReturn] = []
    for day in month_ends(START, today):
        open_now = [
            p
            for p in prisons
            if (p.opened_on is None or p.opened_on <= day)
            and (p.closed_on is None or p.closed_on >= day)
        ]
        if not open_now:
            continue
        counts = series.counts_on(day)
        # Weights drift slowly (a year's cycle per prison) so prisons do not move in lockstep.
        wobble = [1 + 0.1 * math.sin(day.toordinal() / 58 + phase[p.pk]) for p in open_now]
        men_weights = [(p.capacity or 300) * w for p, w in zip(open_now, wobble, strict=True)]
        with_women = [p.holds_women for p in open_now]
        women_weights = [
            w if held else 0.0 for w, held in zip(men_weights, with_women, strict=True)
        ]
        others = sum(w for p, w in zip(open_now, women_weights, strict=True) if p != main)
        if main is not None and main in open_now and others:
            i = open_now.index(main)
            women_weights[i] = others * MAIN_PRISON_SHARE / (1 - MAIN_PRISON_SHARE)
        women = share_out(counts["women"], women_weights)
        men = share_out(counts["total"] - counts["women"], men_weights)
        totals = [m + w for m, w in zip(men, women, strict=True)]
        pretrial_rate = counts["pretrial"] / counts["total"] if counts["total"] else 0
        pretrial_women = share_out(round(counts["women"] * pretrial_rate), women)
        pretrial_men = share_out(counts["pretrial"] - sum(pretrial_women), men)
        minors = share_out(counts["minors"], totals)
        foreign = share_out(counts["foreign_nationals"], totals)
        pregnant = share_out(counts["pregnant_women"], women)
        children = share_out(counts["children_in_prison"], women)
        for i, prison in enumerate(open_now):
            rows.append(
                PopulationReturn(
                    prison=prison,
                    date=day,
                    source=ReturnSource.SYNTHETIC,
                    total=totals[i],
                    men=men[i],
                    women=women[i],
                    pretrial_men=min(pretrial_men[i], men[i]),
                    pretrial_women=min(pretrial_women[i], women[i]),
                    minors=minors[i],
                    foreign_nationals=foreign[i],
                    pregnant_women=min(pregnant[i], women[i]),
                    children_in_prison=children[i],
                )
            )
    with transaction.atomic():
        PopulationReturn.objects.filter(
            source=ReturnSource.SYNTHETIC, prison__province__jurisdiction=jurisdiction
        ).delete()
        PopulationReturn.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
