"""The main navigation: which pages a user's role may open, the daily ones in the bar and
the others under a few named groups, and which entry is the current page.

Built here rather than in the template so that a group is shown only when it has an entry
for the user, without repeating every entry's condition on its group.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import ResolverMatch, reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from motherline.accounts.models import Role, User
from motherline.accounts.policy import Capability, capabilities, sees_names
from motherline.casework import labels as casework_labels

# With this many entries or fewer the bar has room for all of them: no groups to open.
FLAT_UP_TO = 4

Caps = frozenset[Capability]


@dataclass(frozen=True)
class EntrySpec:
    label: Promise
    url_name: str
    shown: Callable[[Caps, Any], bool]
    # The entry is the current page when the page is in one of these apps or has one of
    # these URL names.
    apps: Collection[str] = ()
    names: Collection[str] = ()

    def is_current(self, match: ResolverMatch | None) -> bool:
        if match is None:
            return False
        return match.app_name in self.apps or match.url_name in self.names


def _needs(capability: Capability) -> Callable[[Caps, Any], bool]:
    return lambda caps, user: capability in caps


def _visits_shown(caps: Caps, user: User) -> bool:
    # A liaison officer works inside one prison: the NGO's visits to it are not theirs.
    return Capability.VIEW_REGISTER in caps and user.role != Role.PRISON_LIAISON


WORKLIST = EntrySpec(
    _("Worklist"), "worklist:list", _needs(Capability.VIEW_REGISTER), apps={"worklist"}
)
WOMEN = EntrySpec(
    _("Women"), "people:women", _needs(Capability.VIEW_REGISTER), names={"women", "woman"}
)
PRISONS = EntrySpec(
    _("Prisons"), "people:prisons", _needs(Capability.VIEW_AGGREGATES), names={"prisons"}
)
ADMIT = EntrySpec(
    _("Admit a woman"), "people:admit", _needs(Capability.EDIT_REGISTER), names={"admit"}
)
LEGAL = EntrySpec(_("Legal cases"), "legal:cases", _needs(Capability.VIEW_REGISTER), apps={"legal"})
VISITS = EntrySpec(_("Prison visits"), "fieldwork:visits", _visits_shown, apps={"fieldwork"})
GRANTS = EntrySpec(_("Grants"), "grants:list", _needs(Capability.MANAGE_PROGRAMME), apps={"grants"})
STATISTICS = EntrySpec(
    _("Statistics"), "stats:index", _needs(Capability.VIEW_AGGREGATES), apps={"stats"}
)
USERS = EntrySpec(_("Users"), "security:users", _needs(Capability.ADMINISTER), names={"users"})
MY_CASES = EntrySpec(
    casework_labels.MY_CASES,
    "casework:my_cases",
    _needs(Capability.VIEW_REGISTER),
    names={"my_cases"},
)
CASE_LOADS = EntrySpec(
    casework_labels.CASE_LOADS,
    "casework:case_loads",
    _needs(Capability.MANAGE_PROGRAMME),
    names={"case_loads"},
)
REFERRALS = EntrySpec(
    casework_labels.REFERRALS,
    "casework:referrals",
    _visits_shown,  # between organisations: not a liaison officer's
    names={"referrals", "referral"},
)
AUDIT = EntrySpec(
    _("Audit trail"), "security:audit", _needs(Capability.ADMINISTER), names={"audit"}
)
JOBS = EntrySpec(
    _("Daily jobs"), "jobs:list", _needs(Capability.ADMINISTER_DEPLOYMENT), apps={"jobs"}
)

# The pages a monitor opens every day stay in the bar; the others are grouped by the kind
# of work, in the order of the user guide.
DAILY = (WORKLIST, WOMEN, PRISONS)
GROUPS: tuple[tuple[Promise, tuple[EntrySpec, ...]], ...] = (
    (pgettext_lazy("main navigation group", "Register"), (ADMIT, LEGAL, MY_CASES, REFERRALS)),
    (pgettext_lazy("main navigation group", "Field work"), (VISITS, GRANTS, CASE_LOADS)),
    (pgettext_lazy("main navigation group", "Reports"), (STATISTICS,)),
    (pgettext_lazy("main navigation group", "Administration"), (USERS, AUDIT, JOBS)),
)


@dataclass(frozen=True)
class Entry:
    label: Promise
    url: str
    is_current: bool


@dataclass(frozen=True)
class Group:
    label: Promise
    entries: list[Entry]

    @property
    def is_current(self) -> bool:
        return any(entry.is_current for entry in self.entries)


@dataclass(frozen=True)
class MainNav:
    entries: list[Entry]  # in the bar
    groups: list[Group]  # each with at least one entry
    # The header's search box (name, reference, register number): only for roles that see
    # names, since what it finds is named women.
    search_url: str | None = None

    def all_entries(self) -> list[Entry]:
        return self.entries + [entry for group in self.groups for entry in group.entries]


def main_nav(user: User, match: ResolverMatch | None) -> MainNav:
    """The entries of the main navigation this user may open, the current page marked.
    Groups without an entry for the user are left out; a user with only a few entries
    gets them all in the bar."""
    caps = capabilities(user)

    def entries(specs: tuple[EntrySpec, ...]) -> list[Entry]:
        return [
            Entry(spec.label, reverse(spec.url_name), spec.is_current(match))
            for spec in specs
            if spec.shown(caps, user)
        ]

    daily = entries(DAILY)
    groups = [Group(label, found) for label, specs in GROUPS if (found := entries(specs))]
    search_url = reverse(WOMEN.url_name) if WOMEN.shown(caps, user) else None
    if len(daily) + sum(len(g.entries) for g in groups) <= FLAT_UP_TO:
        return MainNav(daily + [e for g in groups for e in g.entries], [], search_url)
    return MainNav(daily, groups, search_url)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `mainnav` for base.html, for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a template that does not extend base.html pays nothing for it.
    match = getattr(request, "resolver_match", None)
    return {
        "mainnav": SimpleLazyObject(lambda: main_nav(user, match)),
        # Lists show a woman's name and prison beside her reference only to these roles.
        "sees_names": sees_names(user),
    }
