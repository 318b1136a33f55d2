"""The page of an action every app shares: withdrawing a record entered twice. Its form is
derived from the one `Withdrawal` schema the API takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motherline.core.actions import form_for, form_page, posted
from motherline.records.withdrawal import REASON_MAX, Withdrawable, Withdrawal

LEAD = gettext_lazy(
    "Withdraw a record that was entered twice. It is not deleted: it stays readable on its "
    "own page, marked withdrawn with your name, the day and your reason, and it leaves the "
    "lists, counts, statistics and the worklist. The withdrawal is kept on the audit trail."
)
WithdrawalForm = form_for(Withdrawal, labels={"reason": gettext_lazy("Why is it withdrawn?")})


def withdrawal_page(
    request: HttpRequest,
    record: Withdrawable,
    withdraw: Callable[..., Any],
    *,
    heading: str,
    go_to: str,
) -> HttpResponse:
    """Ask why the record is withdrawn and withdraw it with `withdraw(user, record,
    version=, reason=, request=)`, the owning app's service, which checks the version and
    writes the audit row; then back to the record's page, `go_to`, where it shows as
    withdrawn. The caller has checked that the user may change the record."""
    form = WithdrawalForm(posted(request), initial={"version": record.version})
    form.fields["reason"].widget.attrs.update({"rows": 3, "maxlength": REASON_MAX})
    reference = getattr(record, "reference", "")
    return form_page(
        request,
        form,
        lambda data: withdraw(
            request.user, record, version=data["version"], reason=data["reason"], request=request
        ),
        done=_("%(ref)s has been withdrawn: it no longer counts, and its page stays readable.")
        % {"ref": reference},
        go_to=go_to,
        template="withdraw.html",
        context={
            "record": record,
            "heading": heading,
            "reference": reference,
            "lead": LEAD,
            "submit_label": _("Withdraw the record"),
        },
    )
