# shellcheck shell=bash
# Shared helpers for the infra/*.sh scripts.  Source it; do not run it.
# Progress messages go to stderr, so a script's stdout carries only its answer
# (a URL, a broker list, export lines).

# LOG_PREFIX is set by the sourcing script ("postgres", "kafka", ...).
log() { printf '[%s] %s\n' "${LOG_PREFIX:-infra}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${LOG_PREFIX:-infra}" "$*" >&2; exit 1; }

# Print the last lines of a log file to stderr, indented (no-op if the file is missing).
log_tail() {
  local file="$1" lines="${2:-40}"
  if [ -f "$file" ]; then
    printf '[%s] ---- last %s lines of %s ----\n' "${LOG_PREFIX:-infra}" "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/    /' >&2
    printf '[%s] ---- end of %s ----\n' "${LOG_PREFIX:-infra}" "$file" >&2
  else
    log "(no log file at $file)"
  fi
}

# apt_install PKG...: install Debian packages non-interactively; runs `apt-get update`
# only when the first attempt fails (stale or empty package lists).
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install these packages by hand: $*"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: $*"
    sudo=(sudo)
  fi
  log "installing with apt-get: $*"
  if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2; then
    log "apt-get install failed; running apt-get update and retrying"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2 \
      || die "apt-get install $* failed"
  fi
}

# port_open HOST PORT: true when something accepts TCP connections there.
port_open() { timeout 2 bash -c ">/dev/tcp/$1/$2" 2>/dev/null; }

# now_s: seconds since the epoch (integer).
now_s() { date +%s; }

# mask_url URL: hide the password in postgresql://user:password@host/... for printing.
mask_url() { printf '%s' "$1" | sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#'; }

# wait_daemon RUN_DIR LOGFILE NAME PORT...: after `nohup ... & echo $! >RUN_DIR/pid`, waits up to
# 30 s until every PORT accepts connections; dies with the log's tail when the process exits first
# or the ports stay closed.
wait_daemon() {
  local run_dir="$1" logfile="$2" name="$3" i port up
  shift 3
  for i in $(seq 1 60); do
    up=1
    for port in "$@"; do port_open 127.0.0.1 "$port" || up=0; done
    [ "$up" -eq 1 ] && return 0
    kill -0 "$(cat "$run_dir/pid")" 2>/dev/null || { log_tail "$logfile"; die "$name exited"; }
    sleep 0.5
  done
  log_tail "$logfile"; die "$name did not answer on :$1"
}

# stop_daemon RUN_DIR: stops the process whose pid RUN_DIR/pid holds (no-op when none).
stop_daemon() {
  [ -f "$1/pid" ] || { log "not running"; return 0; }
  local pid; pid="$(cat "$1/pid")"
  kill "$pid" 2>/dev/null || true
  rm -f "$1/pid"; log "stopped ($pid)"
}
