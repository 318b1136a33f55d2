"""Rewriting encrypted columns in place, in batches, with raw SQL.

Used by the migration that encrypts existing rows and by `rotate_field_key`. Raw SQL because
both must read what is stored (plaintext before the migration, a token under an old key
during a rotation) without the field's conversion, and write many rows quickly.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps as global_apps
from django.db import connection, transaction

# Every encrypted column: model label -> field names. Kept here, not discovered, so that a
# migration sees the same list the code had when it was written.
ENCRYPTED_FIELDS: dict[str, tuple[str, ...]] = {
    "people.Woman": ("register_number", "name", "name_latin", "health_notes"),
    "people.CustodyEpisode": ("case_number", "release_note"),
    "people.Pregnancy": ("note",),
    "people.Child": ("name", "name_latin", "birth_certificate_number"),
    "people.Placement": ("caregiver_name", "caregiver_location", "caregiver_contact", "note"),
    "care.TransitionPlan": (
        "caregiver_name",
        "caregiver_location",
        "caregiver_contact",
        "assessment_notes",
        "support_notes",
    ),
    "care.FollowUp": ("notes",),
    "care.LeaveExtension": ("reason",),
    "care.Caregiver": ("name", "address", "phone"),
    "care.BestInterestsAssessment": ("reasons", "decision_notes"),
    "care.AssessmentAnswer": ("notes",),
    "casework.CaseNote": ("text",),
    "casework.Document": ("title", "file_name"),
    "legal.LegalCase": ("lawyer_name", "case_number"),
    "legal.Hearing": ("what_happened",),
    "legal.ReleaseCandidate": ("argument", "note"),
    "fieldwork.PrisonVisit": ("notes", "withdrawal_reason"),
    "fieldwork.AccessIncident": ("what_was_refused", "response", "withdrawal_reason"),
    "fieldwork.TrainingSession": ("withdrawal_reason",),
    "fieldwork.Finding": ("description",),
    "fieldwork.FollowUpAction": ("description",),
    "fieldwork.CaseStudy": (
        "title_en",
        "narrative_en",
        "title_local",
        "narrative_local",
        "consent_given_by",
    ),
    "grants.ServiceDelivery": ("withdrawal_reason",),
}


def _encrypt_plain(value: str) -> str:
    # Idempotent: a value that is already a token under a configured key is left alone.
    from motherline.vault import keys

    if value.startswith("gAAAAA"):
        keys.decrypt(value, "an already encrypted value")  # a wrong key stops here
        return value
    return keys.encrypt(value)


def encrypt_app_rows(apps, app_label: str, fields_of=None) -> None:  # type: ignore[no-untyped-def]
    """A migration's step that encrypts what an app stored in plaintext in the columns it
    has just made encrypted (those of `fields_of`, by default `ENCRYPTED_FIELDS`, under
    `app_label`), in batches. A migration passes the columns as they were named then."""
    for label, fields in (fields_of or ENCRYPTED_FIELDS).items():
        if label.startswith(app_label + "."):
            rewrite_table(table_of(label, apps), fields, _encrypt_plain)


def decrypt_app_rows(apps, app_label: str, fields_of=None) -> None:  # type: ignore[no-untyped-def]
    """The reverse of `encrypt_app_rows`, for unapplying the migration."""
    from motherline.vault import keys

    for label, fields in (fields_of or ENCRYPTED_FIELDS).items():
        if label.startswith(app_label + "."):
            rewrite_table(table_of(label, apps), fields, keys.decrypt)


def rewrite_table(
    table: str,
    columns: tuple[str, ...],
    transform: Callable[[str], str],
    *,
    batch: int = 1000,
    on_batch: Callable[[list[int]], None] | None = None,
) -> int:
    """Apply `transform` to every non-empty value of `columns`, one transaction per batch
    (so a long run can be interrupted and started again: see `rotate_field_key`). A batch's
    rows are read and written in the same transaction, locked on PostgreSQL, so a concurrent
    edit is not overwritten. Rows whose values do not change are not written. `on_batch`
    runs inside each batch's transaction with its ids. Returns the number of rows written."""
    # A migration that runs before a later one added a column (or a table) sees today's
    # list of encrypted fields: only the tables and columns that exist yet are rewritten.
    with connection.cursor() as cursor:
        if table not in connection.introspection.table_names(cursor):
            return 0
        present = {c.name for c in connection.introspection.get_table_description(cursor, table)}
    columns = tuple(c for c in columns if c in present)
    if not columns:
        return 0
    q = connection.ops.quote_name
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    select = (
        f"SELECT {q('id')}, {', '.join(q(c) for c in columns)} FROM {q(table)} "
        f"WHERE {q('id')} > %s ORDER BY {q('id')} LIMIT %s{lock}"
    )
    update = (
        f"UPDATE {q(table)} SET {', '.join(f'{q(c)} = %s' for c in columns)} WHERE {q('id')} = %s"
    )
    written, last = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [last, batch])
            rows = cursor.fetchall()
            if not rows:
                return written
            changed = []
            for pk, *values in rows:
                new = [transform(v) if v else v for v in values]
                if new != values:
                    changed.append([*new, pk])
            if changed:
                cursor.executemany(update, changed)
            if on_batch is not None:
                on_batch([row[0] for row in rows])
        written += len(changed)
        last = rows[-1][0]


def table_of(label: str, apps=global_apps) -> str:
    try:
        return apps.get_model(label)._meta.db_table
    except LookupError:  # a model a later migration creates: its table, not there yet
        return global_apps.get_model(label)._meta.db_table
