"""What the indicators and columns are called on pages, in exports and in the brief."""

from django.utils.translation import gettext_lazy as _

INDICATOR_LABELS = {
    "total": _("Prisoners (all)"),
    "women": _("Women in prison"),
    "men": _("Men in prison"),
    "women_share": _("Women's share of prisoners (%)"),
    "pretrial_share_women": _("Pretrial share of women (%)"),
    "pretrial_share_men": _("Pretrial share of men (%)"),
    "pregnant_women": _("Pregnant women"),
    "children_in_prison": _("Children living in prison"),
    "children_per_100_women": _("Children per 100 women"),
    "children_near_age_limit": _("Children within 90 days of the age limit"),
    "occupancy": _("Occupancy against capacity (%)"),
    "women_per_100k": _("Women in prison per 100,000 female population"),
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
}

COMPARISON_NOTE = _(
    "The register counts only the women that organisations using Motherline have recorded, "
    "where each was held on the day; a return counts everyone its source reported on its own "
    "date. A register count below the return usually means women not (yet) recorded: the "
    "coverage column is the register as a share of the return. A register count above it "
    "points to a late or incomplete return, or to records to correct."
)
