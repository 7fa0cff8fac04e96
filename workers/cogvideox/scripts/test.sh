#!/usr/bin/env bash
# Sets up the venv and stubs (scripts/setup.sh, a no-op when nothing changed), lints (ruff), then
# runs the tests.
# Extra arguments go to pytest: scripts/test.sh -k drain -x
set -euo pipefail
WORKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$WORKER_DIR/../.." && pwd)"
VENV="${COGVIDEOX_VENV:-$REPO_DIR/.cache/venv-cogvideox}"

"$WORKER_DIR/scripts/setup.sh"
cd "$WORKER_DIR"
# Two cores here: keep torch from oversubscribing them while the gRPC threads run.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
export HF_HUB_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 TRANSFORMERS_OFFLINE=1
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
exec "$VENV/bin/python" -m pytest "$@"
