# Shared by scripts/demo and scripts/test: find Python 3.11+, make .venv, install the project.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

find_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Motherline needs Python 3.11 or newer (python3 --version)." >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  if [ ! -x .venv/bin/python ]; then
    "$(find_python)" -m venv .venv
  fi
  # Reinstall only when the project's requirements changed since the last install.
  local stamp=".venv/.motherline-installed$extras"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".$extras"
    touch "$stamp"
  fi
}

# Install the Debian packages named by the arguments ("command:package", "lib:soname:package"
# or "font:pattern:package") whose command, library or font is missing.
# The lists are read whole before they are searched: under pipefail, `fc-list | grep -q`
# reports a present font missing whenever grep stops early and fc-list dies of SIGPIPE.
ensure_debian_packages() {
  local missing=() spec kind name package libraries="" fonts=""
  libraries="$(ldconfig -p 2>/dev/null || true)"
  fonts="$(fc-list 2>/dev/null || true)"
  for spec in "$@"; do
    IFS=: read -r kind name package <<<"$spec"
    case "$kind" in
      command) command -v "$name" >/dev/null 2>&1 || missing+=("$package") ;;
      lib) [[ "$libraries" == *"$name"* ]] || missing+=("$package") ;;
      font) [[ "${fonts,,}" == *"${name,,}"* ]] || missing+=("$package") ;;
    esac
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # Wait (up to 10 minutes) for another package manager run to finish instead of failing.
    local wait_for_lock=(-o "DPkg::Lock::Timeout=${MOTHERLINE_APT_LOCK_TIMEOUT:-600}")
    $sudo apt-get "${wait_for_lock[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get "${wait_for_lock[@]}" install -y -qq \
      "${missing[@]}" >/dev/null
  fi
}

# What the application itself needs: Pango and HarfBuzz for PDFs (WeasyPrint shapes Khmer
# and Thai with them), a Khmer font for the system's own rendering, and the Thai font the
# Thailand pack names for its PDFs (Loma, fonts-thai-tlwg).
APP_PACKAGES=(
  "lib:libpango-1.0.so.0:libpango-1.0-0"
  "lib:libpangoft2-1.0.so.0:libpangoft2-1.0-0"
  "lib:libharfbuzz-subset.so.0:libharfbuzz-subset0"
  "font:khmer os:fonts-khmeros"
  "font:loma:fonts-thai-tlwg"
)
