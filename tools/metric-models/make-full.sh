#!/usr/bin/env bash
# Full-size networks (LPIPS-Alex, CLIP ViT-B/32) for the benchmark or production, into $1
# (default .cache/metric-models/full-random), with the int8 CLIP image tower beside the float32 one.
# Random weights unless --clip-weights DIR and
# --alexnet-weights FILE are passed after the directory (see export.py). Reused when present.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../.cache/metric-models/full-random}"
shift || true
if [ -f "$out/manifest.json" ] && [ "$#" -eq 0 ]; then echo "$out"; exit 0; fi
venv="$("$here/setup.sh" | tail -1)"
"$venv/bin/python" "$here/export.py" --out "$out" --clip-image-int8 "$@" >&2
echo "$out"
