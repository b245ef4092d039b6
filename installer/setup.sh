#!/usr/bin/env bash
# Set up Loomwork from a fresh clone: system packages (when run as root on Debian/Ubuntu)
# and a virtual environment in ./.venv with the project installed in editable mode.
#   installer/setup.sh          the application
#   installer/setup.sh --test   the application plus test tools and test-only system packages
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

WANT_TEST=0
[ "${1:-}" = "--test" ] && WANT_TEST=1

# System packages: a browser, and for the tests the keyring service for credentials (tests run a real
# one), LibreOffice and Xvfb (a virtual screen for the browser's "Pick element").
APT_PACKAGES=()
# A browser for the browser steps when the machine has no Chrome/Edge (Playwright cannot download one here)
command -v google-chrome >/dev/null || command -v microsoft-edge >/dev/null || APT_PACKAGES+=(chromium)
if [ "$WANT_TEST" = 1 ]; then
  APT_PACKAGES+=(dbus gnome-keyring)
  # LibreOffice headless: the spreadsheet tests have a real client open and recalculate the xlsx they write
  APT_PACKAGES+=(libreoffice-calc-nogui)
  # Xvfb: a virtual screen for the visible browser of the "Pick element" tests (xauth for xvfb-run)
  APT_PACKAGES+=(xvfb xauth)
fi
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: note: system packages missing (${missing[*]}); install them for the full test suite" >&2
  fi
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
EXTRAS=""
[ "$WANT_TEST" = 1 ] && EXTRAS="[test]"
stamp=".venv/.loomwork-installed$EXTRAS"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "setup: installing Python packages$EXTRAS"
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$EXTRAS"
  touch "$stamp"
fi
