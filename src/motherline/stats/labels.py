"""What the indicators and columns are called on pages, in exports and in the brief."""

from django.utils.translation import gettext_lazy as _

INDICATOR_LABELS = {
    "total": _("Prisoners (all)"),
    "women": _("Women in prison"),
    "men": _("Men in prison"),
    "women_share": _("Women's share of prisoners (%)"),
    "pretrial_share": _("Unsentenced detainees as a share of all prisoners (%, SDG 16.3.2)"),
    "pretrial_share_women": _("Pretrial share of women (%)"),
    "pretrial_share_men": _("Pretrial share of men (%)"),
    "pregnant_women": _("Pregnant women"),
    "children_in_prison": _("Children living in prison"),
    "children_per_100_women": _("Children per 100 women"),
    "children_near_age_limit": _("Children within 90 days of the age limit"),
    "occupancy": _("Occupancy against capacity (%)"),
    "women_per_100k": _("Women in prison per 100,000 female population"),
    "per_100k": _("Prisoners per 100,000 population"),
    "minors": _("Minors in prison"),
    "foreign_nationals": _("Foreign nationals in prison"),
    "releases_by_reason": _("Releases by reason"),
    "median_pretrial_days": _("Median days in pretrial detention"),
    "offence_profile": _("Women by offence charged"),
    "growth_women": _("Growth of the number of women (%)"),
    "growth_men": _("Growth of the number of men (%)"),
}

COLUMN_LABELS = {
    "total": _("Prisoners"),
    "women": _("Women"),
    "pretrial_women": _("Pretrial women"),
    "pregnant_women": _("Pregnant women"),
    "children_in_prison": _("Children living in prison"),
}

SOURCE_LABELS = {
    "returns": _("Population returns"),
    "register": _("The register (individual records)"),
    "published": _("Published figures of the jurisdiction pack"),
}

# The measures of the pack's published figures (`national_figures.csv`).
MEASURE_LABELS = {
    "total": _("Prisoners (all)"),
    "men": _("Men in prison"),
    "women": _("Women in prison"),
    "convicted": _("Convicted prisoners"),
    "pretrial": _("Pretrial prisoners"),
    "minors": _("Minors in prison"),
    "foreign_nationals": _("Foreign nationals in prison"),
    "pregnant_women": _("Pregnant women"),
    "children_in_prison": _("Children living in prison"),
    "mothers_with_children": _("Mothers living with their children in prison"),
    "capacity": _("Capacity (places)"),
    "prisons": _("Number of prisons"),
    "occupancy_percent": _("Occupancy against capacity (%)"),
    "women_share_percent": _("Women's share of prisoners (%)"),
    "women_growth_percent": _("Growth of the number of women (%)"),
    "men_growth_percent": _("Growth of the number of men (%)"),
}

PRECISION_LABELS = {
    "day": _("exact day"),
    "month": _("month"),
    "year": _("year only"),
    "approximate": _("approximate"),
}

LEVEL_LABELS = {
    "nation": _("national figure"),
    "province": _("provincial figure"),
    "prison": _("prison return"),
}


def measure_label(measure: str) -> str:
    """A published measure in words; an unknown one (a newer pack) as itself."""
    label = MEASURE_LABELS.get(measure)
    return str(label) if label is not None else measure


COMPARISON_NOTE = _(
    "The register counts only the women that organisations using Motherline have recorded, "
    "where each was held on the day; a return counts everyone its source reported on its own "
    "date. A register count below the return usually means women not (yet) recorded: the "
    "coverage column is the register as a share of the return. A register count above it "
    "points to a late or incomplete return, or to records to correct."
)
