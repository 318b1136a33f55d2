"""Rewriting encrypted columns in place, in batches, with raw SQL.

Used by `rotate_field_key`. Raw SQL because it must read what is stored (a token under an
old key) without the field's conversion, and write many rows quickly.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import connection, transaction

# Every encrypted column: model label -> field names.
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


def table_of(label: str) -> str:
    return apps.get_model(label)._meta.db_table
