"""`motherline demo` starts the scheduler beside the server; it stops with the server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from motherline.people.management.commands.demo import start_scheduler, stop_scheduler


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A migrated SQLite instance of its own, as the demo leaves it before serving (once for
    the module: migrating takes a while)."""
    path = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTHERLINE_DATA_DIR", str(path))
        patch.delenv("DATABASE_URL", raising=False)
        subprocess.run(
            [sys.executable, "-m", "motherline", "migrate", "--verbosity", "0"],
            check=True,
            timeout=300,
        )
        yield path


def _started(process: subprocess.Popen[bytes], timeout: float = 60) -> str:
    """What the scheduler printed up to the line saying it runs."""
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    seen, deadline = b"", time.monotonic() + timeout
    while b"The scheduler is running" not in seen:
        assert process.poll() is None, seen.decode()
        assert time.monotonic() < deadline, seen.decode()
        seen += process.stdout.read() or b""
        time.sleep(0.1)
    return seen.decode()


def test_the_scheduler_runs_beside_the_server_and_stops_with_it(data_dir):
    process = start_scheduler(stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        shown = _started(process)
        for label in ("Alert digests", "Encrypted backup", "Retention report"):
            assert f"{label} (" in shown and "next run" in shown
    finally:
        stop_scheduler(process)
    assert process.returncode == 0  # SIGTERM: shut down cleanly


def test_ctrl_c_stops_the_scheduler(data_dir):
    process = start_scheduler(stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _started(process)
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends the whole process group
        assert process.wait(20) == 0
    finally:
        stop_scheduler(process)
