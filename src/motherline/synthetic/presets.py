"""How many of each kind of woman a preset generates.

The national figures follow FACTS.md: about 2,600 women in custody now (women are ~8.6% of
a prison population that passed 22,000 in 2016 and has grown since), about 60 pregnant
(NGO estimate for 2019: at least 50) and about 170 mothers living with their children
(same estimate: at least 170), released women going back to 2008.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    in_custody: int  # women in custody today
    released: int  # women whose last custody ended before today
    pregnant: int  # women in custody with an ongoing pregnancy
    mothers_with_child: int  # women in custody living with at least one child
    overstays: int  # of those, children older than the age limit today

    @property
    def women(self) -> int:
        return self.in_custody + self.released

    def scaled(self, name: str, factor: int) -> Preset:
        return Preset(
            name=name,
            in_custody=self.in_custody * factor,
            released=self.released * factor,
            pregnant=self.pregnant * factor,
            mothers_with_child=self.mothers_with_child * factor,
            overstays=self.overstays * factor,
        )


DEMO = Preset("demo", in_custody=150, released=150, pregnant=6, mothers_with_child=10, overstays=1)
NATIONAL = Preset(
    "national", in_custody=2600, released=5200, pregnant=60, mothers_with_child=160, overstays=5
)
PRESETS: dict[str, Preset] = {
    "demo": DEMO,
    "national": NATIONAL,
    "x100": NATIONAL.scaled("x100", 100),
}
