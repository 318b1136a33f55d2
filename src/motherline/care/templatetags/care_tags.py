"""Filters for the pages about a child's leaving prison."""

from __future__ import annotations

from typing import Any

from django import template

from motherline.care import rules
from motherline.people.timeline import format_age_months

register = template.Library()


@register.filter
def months_as_age(months: int | None) -> str:
    """36 → '3 years', as the age limit is said."""
    return "" if months is None else format_age_months(months)


@register.filter
def step_label(status: str) -> str:
    return rules.step_label(status)


@register.simple_tag
def plan_steps(plan: Any) -> list[dict[str, Any]]:
    """The steps of a plan, each marked done, current, to do, or skipped (a plan closed
    early skips the steps it never reached). Reads the plan's prefetched follow-ups."""
    reached = rules.STEPS.index(plan.status)
    skipped_after = len(rules.STEPS)
    if plan.status == rules.CLOSED:
        follow_ups = list(plan.follow_ups.all())
        pending = sum(1 for f in follow_ups if f.done_on is None)
        before = rules.status_after_reopen(plan, pending, bool(follow_ups))
        skipped_after = rules.STEPS.index(before)
    steps = []
    for i, step in enumerate(rules.STEPS):
        if i < reached:
            state = "skipped" if skipped_after < i < len(rules.STEPS) - 1 else "done"
        else:
            state = "current" if i == reached else "ahead"
        steps.append({"status": step, "label": rules.step_label(step), "state": state})
    return steps
