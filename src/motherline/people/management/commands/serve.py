from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from motherline.core.commands import ensure_port_free

# gunicorn's access log without the query string and without the referrer (both can carry a
# name typed into a search, `?q=...`): address, time, method, path, protocol, status, size,
# duration, browser. The path holds references, never names.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "accesslog": "-",
        "access_log_format": ACCESS_LOG_FORMAT,
        "timeout": 120,
    }


def make_server(application: Any, options: dict[str, Any]) -> Any:
    """A gunicorn server of `application` with these settings, run in this process."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)
            # gunicorn 24+ opens a control socket at one path per account: a second server
            # of the same account (two deployments, a test) would take it over. Unused here.
            if "control_socket_disable" in self.cfg.settings:
                self.cfg.set("control_socket_disable", True)

        def load(self) -> Any:
            return application

    return Server()


def run_server(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the application with gunicorn in this process (static files via WhiteNoise)."""
    from motherline.wsgi import application

    make_server(application, gunicorn_options(host, port, workers, threads)).run()


class Command(BaseCommand):
    help = _("Serve Motherline on a local address (gunicorn, static files included).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(
        self, *args: Any, host: str, port: int, workers: int, threads: int, **options: Any
    ) -> None:
        ensure_port_free(host, port)
        # Collected, compressed files are what WhiteNoise serves best; it takes a second.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            _("Motherline on http://%(host)s:%(port)s/ (database: %(db)s)")
            % {"host": host, "port": port, "db": settings.DATABASES["default"]["NAME"]}
        )
        run_server(host, port, workers, threads)
