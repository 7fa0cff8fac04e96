#!/usr/bin/env bash
# Regenerates the committed test fixtures of libs/learned-metrics (tiny random-weight networks and
# PyTorch reference values): libs/learned-metrics/fixtures/tiny-models.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$("$here/setup.sh" | tail -1)"
out="$here/../../libs/learned-metrics/fixtures/tiny-models"
rm -rf "$out"
"$venv/bin/python" "$here/export.py" --tiny --clip-image-int8 --out "$out"
