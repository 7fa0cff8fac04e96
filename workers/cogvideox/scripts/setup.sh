#!/usr/bin/env bash
# Creates (or reuses) the worker's virtual environment at <repo>/.cache/venv-cogvideox, installs
# the pinned requirements into it, and generates the gRPC stubs from proto/.
#
# Idempotent: the install is skipped when the requirement files (and the Python version) hash the
# same as at the last successful install; stubs are regenerated every time (well under a second).
#
#   workers/cogvideox/scripts/setup.sh            runtime + test dependencies
#   COGVIDEOX_VENV=/path/to/venv ... setup.sh     another place for the venv
#   PYTHON=python3.11 ... setup.sh                another interpreter (3.10+)
set -euo pipefail
WORKER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_DIR="$(cd "$WORKER_DIR/../.." && pwd)"
VENV="${COGVIDEOX_VENV:-$REPO_DIR/.cache/venv-cogvideox}"
PYTHON="${PYTHON:-python3}"

log() { echo "[cogvideox setup] $*" >&2; }

command -v "$PYTHON" >/dev/null || { log "$PYTHON not found: install Python 3.10+ (python3, python3-venv)"; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' ||
  { log "Python 3.10+ is required, $PYTHON is $("$PYTHON" --version 2>&1)"; exit 1; }

mkdir -p "$(dirname "$VENV")"
# One setup at a time per venv (two test runs started together must not install over each other).
if command -v flock >/dev/null; then
  exec 9>"$VENV.lock"
  flock 9
fi

req_files=("$WORKER_DIR/requirements.txt" "$WORKER_DIR/requirements-dev.txt")
[ -f "$WORKER_DIR/constraints.txt" ] && req_files+=("$WORKER_DIR/constraints.txt")
want_hash="$({ cat "${req_files[@]}"; "$PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)"
stamp="$VENV/.f2f-requirements.sha256"

if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_hash" ]; then
  log "venv up to date: $VENV"
else
  started=$(date +%s)
  if [ -x "$VENV/bin/python" ] &&
    [ "$("$VENV/bin/python" -c 'import sys; print(sys.version)')" = "$("$PYTHON" -c 'import sys; print(sys.version)')" ]; then
    log "requirements changed: updating $VENV"
  else
    log "creating $VENV with $("$PYTHON" --version 2>&1)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
  fi
  rm -f "$stamp"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  constraint_args=()
  [ -f "$WORKER_DIR/constraints.txt" ] && constraint_args=(-c "$WORKER_DIR/constraints.txt")
  "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar off \
    -r "$WORKER_DIR/requirements.txt" -r "$WORKER_DIR/requirements-dev.txt" "${constraint_args[@]}"
  echo "$want_hash" >"$stamp"
  log "installed in $(($(date +%s) - started)) s; venv size $(du -sh "$VENV" | cut -f1)"
fi

PYTHON="$VENV/bin/python" PROTO_DIR="$REPO_DIR/proto" "$WORKER_DIR/scripts/gen_stubs.sh" >&2
