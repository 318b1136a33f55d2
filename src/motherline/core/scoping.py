"""Querysets that the access policy narrows, without the models importing the policy.

The policy (`accounts.policy`) stands above the models it reads (a woman, her consent, a
referral), so the models cannot import it back. Instead it provides its rules here when the
accounts app is ready (`AccountsConfig.ready`), and a model's queryset asks for them by name.
A rule that was never provided is a configuration error, never an unfiltered queryset."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from motherline.core.actors import Actor

Rule = Callable[..., models.QuerySet]
_RULES: dict[str, Rule] = {}


def provide(**rules: Rule) -> None:
    """The access policy's rules, by name: `records` (personal records, by their woman),
    `referrals` (those an organisation sent or received)."""
    _RULES.update(rules)


def narrow(rule: str, queryset: models.QuerySet, user: Actor, **options: Any) -> models.QuerySet:
    try:
        apply = _RULES[rule]
    except KeyError:
        raise ImproperlyConfigured(f"The access policy provides no rule {rule!r}") from None
    return apply(queryset, user, **options)


class ScopedQuerySet(models.QuerySet):
    """Personal records: read and changed exactly as the woman they are about."""

    def visible_to(self, user: Actor) -> models.QuerySet:
        """The records this user may see; the rule lives in `accounts.policy`."""
        return narrow("records", self, user)

    def editable_by(self, user: Actor) -> models.QuerySet:
        """The records this user may change: partners' shared records are read-only."""
        return narrow("records", self, user, for_edit=True)
