"""The access log of `motherline serve` keeps paths, never query strings or referrers: a name
typed into the register's search (`/women/?q=...`) is not written to the log. The test runs
gunicorn with the command's own settings and reads the log it writes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SERVER = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motherline.settings")
import django
django.setup()
from motherline.people.management.commands.serve import gunicorn_options, make_server

def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]

options = gunicorn_options("127.0.0.1", int(sys.argv[1]), 1, 1)
options["accesslog"] = sys.argv[2]
options["graceful_timeout"] = 2
make_server(application, options).run()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_access_log_has_no_query_string_and_no_referrer(tmp_path: Path):
    port, log = free_port(), tmp_path / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port), str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Starting Django and gunicorn takes seconds on a busy machine.
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        request = urllib.request.Request(
            base + "/women/?q=Sokha+Chan&prison=CC2",
            headers={"Referer": base + "/women/?q=Dara+Keo"},
        )
        assert urllib.request.urlopen(request, timeout=5).read() == b"ok"
        for _ in range(50):
            if "/women/" in log.read_text():
                break
            time.sleep(0.1)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    text = log.read_text()
    line = next(line for line in text.splitlines() if "/women/" in line)
    assert '"GET /women/ HTTP/1.1" 200' in line
    for secret in ("Sokha", "Chan", "Dara", "q=", "?"):
        assert secret not in text, secret
