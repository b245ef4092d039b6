#!/usr/bin/env bash
# Set up Loomwork with its test tools and run the whole test suite.
# Credentials tests use a real Secret Service (gnome-keyring) in a private D-Bus session.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash installer/setup.sh --test || exit 1

run_pytest() {
  .venv/bin/python -m pytest "$@"
  rc=$?
  if [ "$rc" = 5 ]; then
    echo "test: pytest collected no tests; that is a failure" >&2
    return 1
  fi
  return "$rc"
}
export -f run_pytest

if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  KEYRING_DIR=$(mktemp -d)
  export KEYRING_DIR
  dbus-run-session -- bash -c '
    export XDG_DATA_HOME="$KEYRING_DIR/data" XDG_RUNTIME_DIR="$KEYRING_DIR/run"
    mkdir -p "$XDG_DATA_HOME" && mkdir -m 700 -p "$XDG_RUNTIME_DIR"
    eval "$(printf loomwork-test | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
    export GNOME_KEYRING_CONTROL LOOMWORK_TEST_SECRET_SERVICE=1
    run_pytest "$@"
  ' bash "$@"
  rc=$?
  rm -rf "$KEYRING_DIR"
  exit $rc
else
  echo "test: gnome-keyring not available; credential tests use an explicitly configured file keyring" >&2
  run_pytest "$@"
fi
