"""scripts/_venv.sh: the Debian-package check gives the same answer every time."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNS = 50


def _executable(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def test_the_package_check_never_reports_an_installed_font_or_library_missing(tmp_path):
    """fc-list and ldconfig print long lists whose first line matches: a `| grep -q` under
    pipefail stops reading early, the writer dies of SIGPIPE and the check used to say
    "missing" and run apt. Fifty runs must all find everything and never call apt-get."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    calls = tmp_path / "apt-calls"
    _executable(
        bin_ / "fc-list",
        "echo '/usr/share/fonts/truetype/khmeros/KhmerOS.ttf: Khmer OS:style=Regular'\n"
        "echo '/usr/share/fonts/truetype/tlwg/Loma.ttf: Loma:style=Regular'\n"
        "seq -f '/usr/share/fonts/x/Font%g.ttf: Font %g' 1 20000\n",
    )
    _executable(
        bin_ / "ldconfig",
        "echo '\tlibpango-1.0.so.0 (libc6,x86-64) => /lib/libpango-1.0.so.0'\n"
        "echo '\tlibpangoft2-1.0.so.0 (libc6,x86-64) => /lib/libpangoft2-1.0.so.0'\n"
        "echo '\tlibharfbuzz-subset.so.0 (libc6,x86-64) => /lib/libharfbuzz-subset.so.0'\n"
        "seq -f '\tlibx%g.so.1 => /lib/libx%g.so.1' 1 20000\n",
    )
    for name in ("apt-get", "sudo"):
        _executable(bin_ / name, f'echo "$*" >> {calls}\n')
    script = (
        f"source {ROOT / 'scripts/_venv.sh'}\n"
        f'for i in $(seq 1 {RUNS}); do ensure_debian_packages "${{APP_PACKAGES[@]}}"; done\n'
        "echo done\n"
    )
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("done")
    assert "Installing" not in result.stdout
    assert not calls.exists(), calls.read_text()


def test_a_missing_package_is_installed_waiting_for_a_busy_package_manager(tmp_path):
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    calls = tmp_path / "apt-calls"
    _executable(bin_ / "fc-list", "echo '/usr/share/fonts/x/Other.ttf: Other'\n")
    _executable(bin_ / "ldconfig", "echo '\tlibpango-1.0.so.0 => /lib/libpango-1.0.so.0'\n")
    for name in ("apt-get", "sudo"):
        _executable(bin_ / name, f'echo "$*" >> {calls}\n')
    script = (
        f"source {ROOT / 'scripts/_venv.sh'}\n"
        'ensure_debian_packages "lib:libpango-1.0.so.0:libpango-1.0-0" '
        '"font:khmer os:fonts-khmeros"\n'
    )
    env = {**os.environ, "PATH": f"{bin_}:{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "Installing Debian packages: fonts-khmeros" in result.stdout
    lines = calls.read_text().splitlines()
    assert any("DPkg::Lock::Timeout=600 update" in line for line in lines), lines
    assert any("DPkg::Lock::Timeout=600 install -y -qq fonts-khmeros" in line for line in lines), (
        lines
    )
