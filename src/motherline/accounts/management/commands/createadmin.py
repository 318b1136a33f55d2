"""`motherline createadmin --username NAME --email ADDRESS`: the first deployment
administrator of a new installation, without editing the database. Prints a one-time link
with which that person sets a password (3 days)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from motherline.accounts import audit
from motherline.accounts.models import AuditAction, Role, User
from motherline.accounts.services import welcome_link
from motherline.core.actors import SystemActor


class Command(BaseCommand):
    help = _(
        "Create a deployment administrator (who manages organisations and every account) and "
        "print the one-time link to set the password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(_("This user name is taken."))
        account = User(
            username=username, email=options["email"], role=Role.DEPLOYMENT_ADMINISTRATOR
        )
        account.set_unusable_password()
        try:
            account.full_clean(exclude=["password"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        account.save()
        # The command line acts for the deployment: the system, like the other commands.
        audit.record(
            SystemActor("createadmin"),
            AuditAction.CREATE,
            account,
            changes={"role": account.role, "via": "createadmin"},
        )
        self.stdout.write(
            _("Deployment administrator %(username)s created. Set the password with:")
            % {"username": username}
        )
        self.stdout.write(welcome_link(account))
