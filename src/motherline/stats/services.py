"""Every change to the statistics data goes through here, with its audit event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability, can
from motherline.places.models import Prison
from motherline.reports import tabular
from motherline.stats.importer import (
    COLUMNS,
    ParsedRow,
    PrisonLookup,
    RowError,
    parse_returns,
    read_table,
)
from motherline.stats.models import COUNT_FIELDS, PopulationReturn, ReturnSource
from motherline.uploads import FileRefused, Source


@dataclass
class ImportResult:
    """What an import did, or why it did nothing (`errors`)."""

    filename: str
    source: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def prison_lookup(jurisdiction_code: str | None = None) -> PrisonLookup:
    prisons = Prison.objects.all()
    if jurisdiction_code:
        prisons = prisons.filter(province__jurisdiction__code=jurisdiction_code)
    return PrisonLookup(
        list(prisons.values_list("pk", "code", "name", "name_local", "opened_on", "closed_on"))
    )


def import_returns(
    user: Any,
    content: Source,
    filename: str,
    source: str,
    *,
    today: date | None = None,
    request: Any = None,
) -> ImportResult:
    """Import a CSV or XLSX file of population returns from one source, all or nothing.

    A file with any bad row writes nothing and `errors` lists every problem. Rows are keyed
    on prison, date and source: a row already stored with the same counts is left alone
    (so importing the same file twice changes nothing) and one with other counts is updated.
    `user` None is the command line run by the operator; a user needs `IMPORT_RETURNS`.
    """
    if user is not None and not can(user, Capability.IMPORT_RETURNS):
        raise PermissionDenied
    result = ImportResult(filename=filename, source=source)
    if source not in ReturnSource.values:
        result.errors.append(RowError(0, "source", _("unknown source: %(s)s") % {"s": source}))
        return result
    try:
        table = read_table(content, filename)
    except FileRefused as exc:
        result.errors.append(RowError(exc.line, exc.column, exc.message))
        return result
    parsed = parse_returns(table, prison_lookup(), today or timezone.localdate())
    result.rows = len(parsed.rows)
    if parsed.errors:
        result.errors = parsed.errors
        return result
    with transaction.atomic():
        _write(user, parsed.rows, source, result)
        audit.record(
            user,
            AuditAction.CREATE,
            object_type="stats.PopulationReturn",
            object_ref=f"import:{source}",
            changes={
                "file": filename,
                "source": source,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            request=request,
        )
    return result


def _write(user: Any, rows: list[ParsedRow], source: str, result: ImportResult) -> None:
    existing = {
        (r.prison_id, r.date): r
        for r in PopulationReturn.objects.select_for_update().filter(
            source=source,
            prison_id__in={row.prison_id for row in rows},
            date__in={row.date for row in rows},
        )
    }
    imported_by = user if getattr(user, "pk", None) else None
    new, changed = [], []
    for row in rows:
        stored = existing.get((row.prison_id, row.date))
        if stored is None:
            new.append(
                PopulationReturn(
                    prison_id=row.prison_id,
                    date=row.date,
                    source=source,
                    imported_by=imported_by,
                    **row.counts,
                )
            )
        elif any(getattr(stored, name) != row.counts[name] for name in COUNT_FIELDS):
            for name in COUNT_FIELDS:
                setattr(stored, name, row.counts[name])
            stored.imported_by = imported_by
            stored.imported_at = timezone.now()
            changed.append(stored)
        else:
            result.unchanged += 1
    PopulationReturn.objects.bulk_create(new, batch_size=1000)
    PopulationReturn.objects.bulk_update(
        changed, [*COUNT_FIELDS, "imported_by", "imported_at"], batch_size=1000
    )
    result.created, result.updated = len(new), len(changed)


def returns_template(kind: str) -> bytes:
    """The import template as CSV or XLSX: the header and one example row."""
    example = ["KH-CC2", "31/03/2013", 1200, 0, 1200, 0, 500, 12, 9, 8, 40]
    if kind == "csv":
        return tabular.csv_bytes(COLUMNS, [example])
    return tabular.xlsx_bytes("returns", COLUMNS, [example])
