"""Every change to the statistics data goes through here, with its audit event."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction
from motherline.accounts.policy import Capability, can
from motherline.core import clock
from motherline.core.actors import Actor, SystemActor
from motherline.jurisdictions import local
from motherline.jurisdictions.models import Jurisdiction
from motherline.places.models import Prison, Province
from motherline.reports import tabular
from motherline.stats.importer import (
    AREA_COLUMNS,
    AreaLookup,
    ParsedRow,
    PrisonLookup,
    RowError,
    parse_returns,
    read_table,
)
from motherline.stats.models import COUNT_FIELDS, SOURCE_LENGTH, Level, PopulationReturn
from motherline.uploads import FileRefused, Source

# The column of a return that names its area, by level.
AREA_FIELD = {Level.NATION: "jurisdiction_id", Level.PROVINCE: "province_id"}
AREA_FIELD[Level.PRISON] = "prison_id"


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


def area_lookup() -> AreaLookup:
    """Every area of every pack: nations, provinces and prisons."""
    return AreaLookup(
        list(Jurisdiction.objects.values_list("pk", "code", "name", "name_local")),
        list(Province.objects.values_list("pk", "code", "name", "name_local")),
        prison_lookup(),
    )


def import_returns(
    user: Actor,
    content: Source,
    filename: str,
    source: str = "",
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import a CSV or XLSX file of population returns, all or nothing.

    `source` is the file's source, for rows that name none (the first template has no
    `source` column); a row's own `source` cell wins. A file with any bad row writes
    nothing and `errors` lists every problem. Rows are keyed on area, date and source: a
    row already stored with the same values is left alone (so importing the same file
    twice changes nothing) and one with other values is updated. A system actor is the
    command line run by the operator; a user needs `IMPORT_RETURNS`.
    """
    if not isinstance(user, SystemActor) and not can(user, Capability.IMPORT_RETURNS):
        raise PermissionDenied
    source = source.strip()
    result = ImportResult(filename=filename, source=source)
    if len(source) > SOURCE_LENGTH:
        result.errors.append(
            RowError(0, "source", _("longer than %(n)s characters") % {"n": SOURCE_LENGTH})
        )
        return result
    try:
        table = read_table(content, filename)
    except FileRefused as exc:
        result.errors.append(RowError(exc.line, exc.column, exc.message))
        return result
    return import_rows(user, table, result, today=today, request=request)


def import_data_value_set(
    user: Actor,
    content: bytes,
    filename: str,
    source: str,
    *,
    jurisdiction: str = "",
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Import a DHIS2 `dataValueSets` JSON payload as population returns (one per
    organisation unit and period), all or nothing, through the same checks as a file.
    `source` names where the payload comes from (required: a data value has no source)."""
    from motherline.stats import exchange

    if not isinstance(user, SystemActor) and not can(user, Capability.IMPORT_RETURNS):
        raise PermissionDenied
    source = source.strip()
    result = ImportResult(filename=filename, source=source)
    if not source or len(source) > SOURCE_LENGTH:
        result.errors.append(
            RowError(
                0,
                "source",
                _("required, at most %(n)s characters: where the data values come from")
                % {"n": SOURCE_LENGTH},
            )
        )
        return result
    try:
        mapping = exchange.read_mapping(jurisdiction or local.default_code())
    except exchange.ExchangeError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    table, errors = exchange.read_data_value_set(content, mapping)
    if errors:
        if len(table) > 1:  # the values that could be read are checked too
            day = clock.today(today)
            errors += parse_returns(table, area_lookup(), day, source).errors
        result.errors = sorted(errors, key=lambda error: error.line)
        return result
    return import_rows(user, table, result, today=today, request=request)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a file's rows are read or written: the
    tens of thousands of rows, cells and tuples made (none in a cycle) set off repeated full
    collections that walk all of them, about a seventh of an import of 50,000 returns. The
    size of a file is bounded (`uploads.Limits`); reference counting still frees as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_rows(
    user: Actor,
    table: Any,
    result: ImportResult,
    *,
    today: date | None = None,
    request: HttpRequest | None = None,
) -> ImportResult:
    """Validate and write rows given as an iterable of (line number, cells)."""
    with collector_paused():
        parsed = parse_returns(table, area_lookup(), clock.today(today), result.source)
    result.rows = len(parsed.rows)
    if parsed.errors:
        result.errors = parsed.errors
        return result
    source = result.source or "file"
    with transaction.atomic(), collector_paused():
        write_returns(user, parsed.rows, result)
        audit.record(
            user,
            AuditAction.CREATE,
            object_type="stats.PopulationReturn",
            object_ref=f"import:{source}"[:64],
            changes={
                "file": result.filename,
                "source": source,
                "rows": result.rows,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
            request=request,
        )
    return result


STORED = ("date_precision", "source_url", *COUNT_FIELDS)


def write_returns(user: Actor, rows: list[ParsedRow], result: ImportResult) -> None:
    """Insert new returns as prepared tuples in one `executemany` (building a model object
    and an INSERT per row cost most of an import's time), update changed ones, count the
    unchanged; `result` gets the counts."""
    keys = {(row.level, row.area_id, row.date, row.source) for row in rows}
    existing: dict[tuple[str, int, date, str], PopulationReturn] = {}
    stored = PopulationReturn.objects.select_for_update().filter(
        source__in={row.source for row in rows},
        date__in={row.date for row in rows},
    )
    for level, field_name in AREA_FIELD.items():
        ids = {row.area_id for row in rows if row.level == level}
        if not ids:
            continue
        for stored_return in stored.filter(**{f"{field_name}__in": ids}):
            key = (
                level,
                getattr(stored_return, field_name),
                stored_return.date,
                stored_return.source,
            )
            if key in keys:
                existing[key] = stored_return
    imported_by = user.pk
    now = timezone.now()
    new: list[ParsedRow] = []
    changed = []
    for row in rows:
        found = existing.get((row.level, row.area_id, row.date, row.source))
        values = {"date_precision": row.precision, "source_url": row.source_url, **row.counts}
        if found is None:
            new.append(row)
        elif any(getattr(found, name) != values[name] for name in STORED):
            for name in STORED:
                setattr(found, name, values[name])
            found.imported_by_id = imported_by
            found.imported_at = now
            changed.append(found)
        else:
            result.unchanged += 1
    insert_returns(new, imported_by, now)
    PopulationReturn.objects.bulk_update(
        changed, [*STORED, "imported_by", "imported_at"], batch_size=1000
    )
    result.created, result.updated = len(new), len(changed)


INSERT_FIELDS = (
    "jurisdiction_id",
    "province_id",
    "prison_id",
    "date",
    "source",
    *STORED,
    "imported_at",
    "imported_by_id",
)


def insert_returns(rows: list[ParsedRow], imported_by: int | None, now: Any) -> None:
    """Insert parsed rows as prepared tuples, not model objects: on PostgreSQL by `COPY`,
    elsewhere by one parameterised INSERT executed for all rows (the adapter prepares it
    once), the values adapted as Django would."""
    if not rows:
        return
    meta = PopulationReturn._meta
    column_of = {field.attname: str(field.column) for field in meta.concrete_fields}
    columns = [column_of[name] for name in INSERT_FIELDS]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(str(meta.db_table)),
        ", ".join(quote(column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    areas: dict[tuple[str, int], tuple[int | None, ...]] = {}
    for level, area_id in {(row.level, row.area_id) for row in rows}:
        slots: list[int | None] = [None, None, None]
        slots[(Level.NATION, Level.PROVINCE, Level.PRISON).index(level)] = area_id
        areas[(level, area_id)] = tuple(slots)
    if connection.vendor == "postgresql":
        # COPY streams the rows in one statement; psycopg adapts dates and times itself.
        statement = "COPY {} ({}) FROM STDIN".format(
            quote(str(meta.db_table)), ", ".join(quote(column) for column in columns)
        )
        connection.ensure_connection()
        with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(
                    (
                        *areas[(row.level, row.area_id)],
                        row.date,
                        row.source,
                        row.precision,
                        row.source_url,
                        *[row.counts[name] for name in COUNT_FIELDS],
                        now,
                        imported_by,
                    )
                )
        return
    adapt_date = connection.ops.adapt_datefield_value  # looked up once: a proxy per call
    dates = {day: adapt_date(day) for day in {row.date for row in rows}}
    at = connection.ops.adapt_datetimefield_value(now)
    params = [
        (
            *areas[(row.level, row.area_id)],
            dates[row.date],
            row.source,
            row.precision,
            row.source_url,
            *[row.counts[name] for name in COUNT_FIELDS],
            at,
            imported_by,
        )
        for row in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


def returns_template(kind: str, prison_code: str = "") -> bytes:
    """The import template as CSV or XLSX: the header and one example row for the prison
    `prison_code` (one of the user's; synthetic numbers; the source cell shows where a
    citation goes)."""
    area = prison_code or str(_("prison code"))
    example: list[Any] = [area, "31/03/2013", "day", 1200, 1200, 0, 500, 500, 0, 12, 9]
    example += [8, 40, 700, "", "", "Prison authority monthly return (example)", ""]
    if kind == "csv":
        return tabular.csv_bytes(AREA_COLUMNS, [example])
    return tabular.xlsx_bytes("returns", AREA_COLUMNS, [example])
