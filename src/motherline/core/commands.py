"""What the management commands share: a day given on the command line, a port to serve on,
the domain's refusals shown as the command's error."""

from __future__ import annotations

import errno
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _


def iso_date(value: str) -> date:
    """A day written YYYY-MM-DD (an argparse `type=`); anything else stops the command."""
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(_("Give the date as YYYY-MM-DD.")) from exc


def day_option(value: date | str | None) -> date | None:
    """A day option as the command got it: `call_command()` passes keyword options unparsed,
    the command line parses them with `iso_date`."""
    return iso_date(value) if isinstance(value, str) else value


def add_as_of(parser: CommandParser) -> None:
    """`--as-of`, the day a command answers for (read with `day_or_today`): a past day is
    read as the register stood that day (`people.history`)."""
    parser.add_argument(
        "--as-of",
        type=iso_date,
        default=None,
        help=_(
            "The day (YYYY-MM-DD), today if omitted: a past day is read as the register "
            "stood that day."
        ),
    )


def day_or_today(value: date | str | None) -> date:
    """The day a day option names (`--as-of`, `--to`), today when it names none."""
    return day_option(value) or timezone.localdate()


def ensure_port_free(host: str, port: int) -> None:
    """Refuse, with what to do instead, when another program already listens on the
    address: gunicorn would print its address, retry for a while and die."""
    if not 0 < port < 65536:
        raise CommandError(_("--port must be between 1 and 65535."))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # The same option gunicorn sets: a port left in TIME_WAIT by a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CommandError(
                    _(
                        "Port %(port)d on %(host)s is already in use (another Motherline, or "
                        "another program). Stop it, or choose another port: --port %(other)d"
                    )
                    % {"port": port, "host": host, "other": port + 1}
                ) from None
            if exc.errno == errno.EADDRNOTAVAIL:
                raise CommandError(
                    _("This machine has no address %(host)s; choose another with --host.")
                    % {"host": host}
                ) from None
            raise


@contextmanager
def refusals(*kinds: type[Exception]) -> Iterator[None]:
    """A refusal the domain words for the person running the command (a day the register
    cannot answer for, a key that does not open the archive, a file that cannot be read)
    stops the command with its message, not a traceback."""
    try:
        yield
    except kinds as refused:
        raise CommandError(str(refused)) from refused
