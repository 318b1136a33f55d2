"""`motherline token create|revoke|list`: personal API tokens for scripts, from the server."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motherline.accounts.models import User
from motherline.accounts.policy import Capability
from motherline.core.actors import SystemActor
from motherline.security import tokens


class Command(BaseCommand):
    help = (
        "Create, revoke or list a user's personal API tokens. `create` prints the token alone "
        "on its line; it is shown only then."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it.")
        create.add_argument("--user", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--expires-in", type=int, default=90, help="Days, 1 to 365 (90).")
        create.add_argument(
            "--capability",
            action="append",
            choices=[c.value for c in Capability],
            help="A capability the token may use (repeat); default: all the role grants.",
        )
        revoke = actions.add_parser("revoke", help="Revoke a user's token by its name.")
        revoke.add_argument("--user", required=True)
        revoke.add_argument("--name", required=True)
        listing = actions.add_parser("list", help="List a user's tokens.")
        listing.add_argument("--user", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist:
            raise CommandError(f"No user {options['user']!r}.") from None
        action = options["action"]
        if action == "create":
            try:
                _token, text = tokens.create_token(
                    user,
                    options["name"],
                    expires_in_days=options["expires_in"],
                    capability_names=options["capability"],
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(text)
        elif action == "revoke":
            token = tokens.live(user.api_tokens.filter(name=options["name"])).first()
            if token is None:
                raise CommandError(f"{user.username} has no live token named {options['name']!r}.")
            tokens.revoke_token(token, SystemActor("token"))
            self.stdout.write(f"Revoked {token.name} ({token.key}).")
        else:
            for token in user.api_tokens.all():
                state = (
                    "revoked"
                    if token.revoked_at
                    else ("live" if token in tokens.live(user.api_tokens.all()) else "expired")
                )
                last = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.key}\t{token.name}\t{state}\texpires {token.expires_at:%Y-%m-%d}\t"
                    f"last used {last}\t{','.join(token.capabilities)}"
                )
