"""Names of the case-work pages in the main navigation (here, so that they are translated
in this app's catalogue)."""

from django.utils.translation import gettext_lazy as _

MY_CASES = _("My cases")
CASE_LOADS = _("Case loads")
REFERRALS = _("Referrals")
