# Shared by scripts/serve and scripts/test (sourced, not run).
#
# flowdeck_root           cd to the repository root, wherever the caller was.
# flowdeck_venv           make .venv (Python 3.11) and install the project into it with its
#                         test extra, again only when pyproject.toml has changed.

flowdeck_root() {
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
}

flowdeck_say() {
  echo "flowdeck: $*" >&2
}

_flowdeck_python311() {
  # Prefer python3.11 by name; accept a python3 that is 3.11 (e.g. a distribution's default).
  local candidate
  for candidate in "${FLOWDECK_PYTHON:-python3.11}" python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

flowdeck_venv() {
  local python stamp wanted
  if [ -x .venv/bin/python ] && ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    flowdeck_say ".venv is not a working Python 3.11 environment; recreating it"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    if ! python="$(_flowdeck_python311)"; then
      flowdeck_say "Python 3.11 is required but no python3.11 was found on PATH (install it, e.g. 'apt-get install python3.11 python3.11-venv', or set FLOWDECK_PYTHON=/path/to/python3.11)"
      exit 1
    fi
    flowdeck_say "creating .venv with $python"
    "$python" -m venv .venv || { flowdeck_say "could not create .venv (on Debian/Ubuntu: apt-get install python3.11-venv)"; exit 1; }
  fi

  # Reinstall only when pyproject.toml changed since the last successful install.
  stamp=.venv/.flowdeck-installed
  wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -x .venv/bin/flowdeck ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    flowdeck_say "installing flowdeck and its test dependencies into .venv"
    # Playwright's Python package drives Debian's /usr/bin/chromium; it never downloads a browser.
    PIP_DISABLE_PIP_VERSION_CHECK=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
      .venv/bin/python -m pip install --quiet --editable ".[test]"
    echo "$wanted" >"$stamp"
  fi
}
