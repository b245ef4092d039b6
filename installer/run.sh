#!/usr/bin/env bash
# Quick start: set up Loomwork and run the example flows from the command line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash installer/setup.sh
for flow in assets/examples/*.loom; do
  echo "== $flow"
  .venv/bin/loomwork run "$flow"
done
