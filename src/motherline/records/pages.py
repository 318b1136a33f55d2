"""The page of an action every app shares: withdrawing a record entered twice. Its form is
derived from the one `Withdrawal` schema the API takes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motherline.core.actions import form_for, posted, run_form_action
from motherline.records.withdrawal import REASON_MAX, Withdrawable, Withdrawal

WithdrawalForm = form_for(Withdrawal, labels={"reason": gettext_lazy("Why is it withdrawn?")})


def withdrawal_page(
    request: HttpRequest,
    record: Withdrawable,
    perform: Callable[[int, str], Any],
    *,
    heading: str,
    go_to: str,
) -> HttpResponse:
    """Ask why the record is withdrawn and withdraw it with `perform(version, reason)` (the
    owning app's service); then back to the record's page, `go_to`, where it shows as
    withdrawn. The caller has checked that the user may change the record."""
    form = WithdrawalForm(posted(request), initial={"version": record.version})  # type: ignore[attr-defined]
    form.fields["reason"].widget.attrs.update({"rows": 3, "maxlength": REASON_MAX})
    reference = getattr(record, "reference", "")
    done = run_form_action(
        request,
        form,
        lambda data: perform(data["version"], data["reason"]),
        done=_("%(ref)s has been withdrawn: it no longer counts, and its page stays readable.")
        % {"ref": reference},
        go_to=go_to,
    )
    if done is not None:
        return done
    return render(
        request,
        "withdraw.html",
        {"form": form, "record": record, "heading": heading, "cancel_url": go_to},
    )
