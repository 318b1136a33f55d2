"""Withdrawing a record entered twice: never a silent delete.

A withdrawn record stays in the database and on its own page, marked with who withdrew it,
when and why; it leaves the lists, counts, statistics and the worklist (each reads
`.current()`), and it is no longer changed. The input is the one `Withdrawal` schema: the
API takes it as its body and the page's form is derived from it (`core.actions.form_for`).
Each owning app's service checks access and locks the record, then calls `withdraw`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Schema

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, User
from motherline.core.inputs import Version
from motherline.core.models import VersionedRecord, done_by
from motherline.core.versions import StaleVersion, save_if_current
from motherline.vault.fields import EncryptedCharField

# A reason says which record this one repeats, in a sentence or two.
REASON_MAX = 500


class Withdrawable(VersionedRecord):
    """The marks of a withdrawn record. The reason may name what the record was about, so
    it is encrypted like the record's other free text. A withdrawal is a change like any
    other: made from the version read (`withdraw`), so the record is versioned."""

    withdrawn_at = models.DateTimeField(gettext_lazy("withdrawn on"), null=True, blank=True)
    withdrawn_by = done_by(gettext_lazy("withdrawn by"))
    withdrawal_reason = EncryptedCharField(
        gettext_lazy("reason for the withdrawal"), max_length=REASON_MAX, blank=True
    )

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


W = TypeVar("W", bound=Withdrawable)


class WithdrawableQuerySet(models.QuerySet):
    def current(self) -> Any:
        """The records that count: those not withdrawn."""
        return self.filter(withdrawn_at__isnull=True)


class Withdrawal(Schema):
    """The withdrawal of a record entered twice, from the version last read."""

    version: Version
    reason: str = Field(
        min_length=1,
        max_length=REASON_MAX,
        description="Why the record is withdrawn, e.g. the record it repeats; required.",
    )


class WithdrawnOut(Schema):
    """What the API shows of a withdrawal on a record's own answer."""

    withdrawn_at: datetime | None = Field(
        description="When it was withdrawn (entered twice); null while it counts."
    )
    withdrawal_reason: str = Field(description="Why it was withdrawn; empty while it counts.")


def refuse_if_withdrawn(record: Withdrawable) -> None:
    """A withdrawn record is read, never changed: a change to it is refused (422)."""
    if record.is_withdrawn:
        raise ValidationError(
            {NON_FIELD_ERRORS: [_("This record was withdrawn: it can no longer be changed.")]}
        )


def withdraw(
    user: User,
    record: W,
    *,
    version: int,
    reason: str,
    read: models.QuerySet[W] | None = None,
    request: HttpRequest | None = None,
) -> W:
    """Mark `record` withdrawn by `user` now, for `reason`, if it is still at `version`,
    write the audit row (the reason is named there, never copied) and return the record
    re-read from `read` (its model's records, if None). The caller has checked access and
    holds the record locked (`select_for_update`)."""
    if record.version != version:
        raise StaleVersion()
    refuse_if_withdrawn(record)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why it is withdrawn.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Enter at most %(max_length)s characters.") % {"max_length": REASON_MAX}]}
        )
    save_if_current(
        type(record),
        record.pk,
        version,
        {"withdrawn_at": timezone.now(), "withdrawn_by": user, "withdrawal_reason": reason},
    )
    audit.record(
        user,
        AuditAction.CHANGE,
        record,
        changes={"withdrawn": True, "fields": ["withdrawal_reason"]},
        request=request,
    )
    found = read if read is not None else type(record)._default_manager
    return found.get(pk=record.pk)
