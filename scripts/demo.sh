#!/usr/bin/env bash
# Set everything up, build the bundled example corpus and say where the interactive graph is.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ccakg build examples/corpus --out example-out
