#!/usr/bin/env bash
# Quick start: set up Loomwork, then open the studio with the example flows.
# Without a display (a server, CI), the examples run from the command line instead and a
# screenshot of the studio with a finished run is written to loomwork-studio.png.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash installer/setup.sh
# The demo portal's password for the browser example, kept in the OS keyring (never in the flow).
if ! .venv/bin/loomwork credentials list 2>/dev/null | grep -qx northwind_portal; then
  printf 'northwind-demo\n' | .venv/bin/loomwork credentials set northwind_portal --stdin >/dev/null 2>&1 \
    || echo "note: no OS keyring here, so the portal example cannot get its password (see README)" >&2
fi
# A model for the AI example: the project's tiny multimodal test pack (random weights: well-formed
# nonsense) when no model is installed yet — `loomwork models catalog` lists real ones.
if ! .venv/bin/loomwork models list --json | grep -q '"id"'; then
  .venv/bin/loomwork models add tests/fixtures/models/tiny-moe-vision >/dev/null
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/loomwork studio assets/examples/*.loom
fi
for flow in assets/examples/*.loom; do
  echo "== $flow"
  .venv/bin/loomwork run "$flow" || echo "(that example did not complete; see above)"
done
QT_QPA_PLATFORM=offscreen .venv/bin/loomwork studio --run --screenshot loomwork-studio.png \
  assets/examples/merge_supplier_invoices.loom
echo "no display: wrote loomwork-studio.png (the studio after running the merge example)"
