"""Correcting a record: a change made from the version read, checked whole and audited.

A correction changes only the fields given, among those the record allows, and only if the
record is still at the version the user read (`core.versions.save_if_current`). The record's
own rules judge it as it would be after the correction, and the audit row names the fields
changed, keeping the old and new values of those that are not free text
(`core.changes.audited_change`). Each owning app's service checks access and locks the
record, resolves what its input names, then calls `correct`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.db.models import Manager, Model, QuerySet
from django.http import HttpRequest

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.core.actors import Actor
from motherline.core.changes import audited_change, only, plain, raise_errors
from motherline.core.versions import save_if_current

M = TypeVar("M", bound=Model)


def correct(
    user: Actor,
    record: M,
    changes: Mapping[str, Any],
    *,
    allowed: Collection[str],
    version: int,
    errors_of: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None,
    shown: Collection[str] = (),
    show: Callable[[Any], Any] = plain,
    subject: Model | None = None,
    naming: Mapping[str, Any] | None = None,
    read: QuerySet[M] | Manager[M] | None = None,
    request: HttpRequest | None = None,
) -> M:
    """Correct `record` (the caller checked access and holds it locked) with `changes`, each
    one of `allowed` (`core.changes.only`), if it is still at `version`, and return it
    re-read from `read` (its model's records, if None).

    `errors_of` judges the record's `allowed` values as they would be after the correction
    (raised as field errors, nothing written). The audit row is `record`'s, or `subject`'s
    when the record is one of its parts (a budget line on its grant's row); `naming` comes
    first on it (the part's code, the woman a case is hers). It keeps the old and new values
    of the fields in `shown`, as `show` writes them."""
    changes = only(changes, allowed)
    if errors_of is not None:
        raise_errors(errors_of({name: getattr(record, name) for name in allowed} | changes))
    save_if_current(type(record), record.pk, version, changes)
    audit.record(
        user,
        AuditAction.CHANGE,
        subject or record,
        changes={**(naming or {}), **audited_change(record, changes, shown, show)},
        request=request,
    )
    found = read if read is not None else type(record)._default_manager
    return found.get(pk=record.pk)
