#!/usr/bin/env bash
# Creates the exporter's virtual environment (git-ignored) from PyPI: .cache/venv-metric-models.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="${METRIC_MODELS_VENV:-$root/.cache/venv-metric-models}"
mkdir -p "$(dirname "$venv")"
# One setup at a time per venv (.ci/run starts one in the background; test.sh's waits for it).
if command -v flock >/dev/null; then
  exec 9>"$venv.lock"
  flock 9
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet -r "$(dirname "$0")/requirements.txt"
echo "$venv"
