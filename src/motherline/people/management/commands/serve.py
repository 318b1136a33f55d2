from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


def run_server(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the application with gunicorn in this process (static files via WhiteNoise)."""
    from gunicorn.app.base import BaseApplication

    from motherline.wsgi import application

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", "-")
            self.cfg.set("timeout", 120)

        def load(self) -> Any:
            return application

    Server().run()


class Command(BaseCommand):
    help = _("Serve Motherline on a local address (gunicorn, static files included).")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        # Collected, compressed files are what WhiteNoise serves best; it takes a second.
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            _("Motherline on http://%(host)s:%(port)s/ (database: %(db)s)")
            % {"host": host, "port": port, "db": settings.DATABASES["default"]["NAME"]}
        )
        run_server(host, port, workers, threads)
