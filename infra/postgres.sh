#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# infra/postgres.sh — a private PostgreSQL cluster for development and tests.
#
#   infra/postgres.sh start     start the cluster (initdb on first use), ensure role f2f and
#                               databases f2f + f2f_test, print their URLs
#   infra/postgres.sh stop      stop it (pg_ctl stop -m fast)
#   infra/postgres.sh status    say whether it runs (exit 0 running, 3 not running)
#   infra/postgres.sh url       print the platform database URL
#   infra/postgres.sh test-url  print the test database URL
#
# Not Debian's default cluster: its own data dir under <repo>/.cache/postgres (git-ignored),
# owned by the `postgres` OS user when run as root (postgres refuses to run as root),
# listening on 127.0.0.1:${F2F_PG_PORT:-55432} only, unix socket inside the cache dir,
# tuned for tests (fsync/synchronous_commit/full_page_writes off, max_connections 300).
# Role f2f/f2f is a superuser so tests can CREATE DATABASE per test.
#
# If DATABASE_URL is set, `start` starts nothing: it checks that database answers and prints
# it; `url` prints DATABASE_URL (and `test-url` prints TEST_DATABASE_URL, else DATABASE_URL).
# (Not when DATABASE_URL names this very cluster, as `eval "$(infra/up.sh)"` exports it.)
#
# Environment: F2F_PG_PORT (55432), F2F_PG_START_TIMEOUT (30 s), F2F_PG_BINDIR (override
# the directory holding initdb/pg_ctl/postgres), DATABASE_URL, TEST_DATABASE_URL.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/.." && pwd)"
# shellcheck source=lib/common.sh
. "$INFRA_DIR/lib/common.sh"
# shellcheck disable=SC2034  # read by lib/common.sh
LOG_PREFIX=postgres

PG_HOST=127.0.0.1
PG_PORT="${F2F_PG_PORT:-55432}"
PG_USER=f2f
PG_PASSWORD=f2f
PG_DB=f2f
PG_TEST_DB=f2f_test
START_TIMEOUT="${F2F_PG_START_TIMEOUT:-30}"
OS_USER=postgres   # owner of the cluster when we run as root

LOCAL_URL="postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_DB"
LOCAL_TEST_URL="postgresql://$PG_USER:$PG_PASSWORD@$PG_HOST:$PG_PORT/$PG_TEST_DB"

usage() {
  sed -n '/^# infra\//,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

# ---------------------------------------------------------------------------------------
# Running commands as the cluster owner.
# ---------------------------------------------------------------------------------------
is_root() { [ "$(id -u)" -eq 0 ]; }

# as_pg CMD...: run as the postgres OS user when we are root, else as ourselves.
# Runs from / so that a current directory postgres cannot enter causes no warnings.
as_pg() {
  if ! is_root; then
    "$@"
  elif command -v runuser >/dev/null 2>&1; then
    (cd / && runuser -u "$OS_USER" -- "$@")
  else
    local cmd
    printf -v cmd '%q ' "$@"
    (cd / && su -s /bin/sh "$OS_USER" -c "$cmd")
  fi
}

# ---------------------------------------------------------------------------------------
# Binaries.
# ---------------------------------------------------------------------------------------
PG_BIN=""

# find_bindir [MAJOR]: the directory with initdb, pg_ctl and postgres (preferring MAJOR).
find_bindir() {
  local want="${1:-}" d
  if [ -n "${F2F_PG_BINDIR:-}" ]; then
    [ -x "$F2F_PG_BINDIR/pg_ctl" ] || die "F2F_PG_BINDIR=$F2F_PG_BINDIR has no pg_ctl"
    printf '%s\n' "$F2F_PG_BINDIR"; return 0
  fi
  if [ -n "$want" ] && [ -x "/usr/lib/postgresql/$want/bin/pg_ctl" ]; then
    printf '%s\n' "/usr/lib/postgresql/$want/bin"; return 0
  fi
  # Debian/Ubuntu layout: newest major version first.
  # shellcheck disable=SC2012  # plain version-numbered dirs
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && [ -x "$d/postgres" ]; then
      printf '%s\n' "$d"; return 0
    fi
  done
  # Other layouts: server binaries on PATH.
  if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
    d="$(dirname "$(command -v pg_ctl)")"
    [ -x "$d/postgres" ] && { printf '%s\n' "$d"; return 0; }
  fi
  return 1
}

ensure_binaries() {
  local want=""
  [ -f "$DATA_DIR/PG_VERSION" ] && want="$(cat "$DATA_DIR/PG_VERSION")"
  if ! PG_BIN="$(find_bindir "$want")"; then
    log "PostgreSQL server binaries not found; installing Debian's postgresql package"
    # Keep apt from creating (and starting) Debian's default "main" cluster on 5432: we run our own.
    if is_root; then
      mkdir -p /etc/postgresql-common/createcluster.d
      [ -f /etc/postgresql-common/createcluster.d/f2f-no-main-cluster.conf ] \
        || printf 'create_main_cluster = false\n' > /etc/postgresql-common/createcluster.d/f2f-no-main-cluster.conf
    fi
    apt_install postgresql
    PG_BIN="$(find_bindir "$want")" || die "postgresql installed but initdb/pg_ctl/postgres still not found"
  fi
  if [ -n "$want" ] && [ "$("$PG_BIN/postgres" -V | sed -E 's/.* ([0-9]+)(\.[0-9]+)*.*/\1/')" != "$want" ]; then
    die "the cluster in $DATA_DIR is PostgreSQL $want but only $PG_BIN is available; delete $BASE_DIR to re-create it"
  fi
  if is_root && ! id "$OS_USER" >/dev/null 2>&1; then
    log "creating system user $OS_USER"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/bash "$OS_USER"
  fi
}

# pg_isready (client) may live on PATH or next to the server binaries.
find_pg_isready() {
  if command -v pg_isready >/dev/null 2>&1; then command -v pg_isready; return 0; fi
  local d
  if d="$(find_bindir 2>/dev/null)" && [ -x "$d/pg_isready" ]; then printf '%s\n' "$d/pg_isready"; return 0; fi
  return 1
}

# ---------------------------------------------------------------------------------------
# Where the cluster lives.
# ---------------------------------------------------------------------------------------
BASE_DIR=""; DATA_DIR=""; SOCK_DIR=""; LOG_FILE=""

# resolve_dirs [create]: pick <repo>/.cache/postgres, or a /tmp fallback when the postgres
# user cannot reach the repo.  The choice is deterministic, so start/stop/status agree.
resolve_dirs() {
  local create="${1:-}" repo_dir="$REPO_ROOT/.cache/postgres"
  local tmp_dir
  tmp_dir="/tmp/f2f-postgres-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
  BASE_DIR="$repo_dir"
  if is_root; then
    if [ -n "$create" ]; then
      mkdir -p "$repo_dir"
      chown "$OS_USER:$OS_USER" "$repo_dir" 2>/dev/null || true
    fi
    if [ -d "$repo_dir" ] && ! as_pg test -w "$repo_dir" -a -x "$repo_dir" 2>/dev/null; then
      BASE_DIR="$tmp_dir"
      [ -n "$create" ] && log "user $OS_USER cannot reach $repo_dir (a parent directory is not traversable);" \
        "using $BASE_DIR instead"
    elif [ ! -d "$repo_dir" ] && [ -d "$tmp_dir" ]; then
      BASE_DIR="$tmp_dir"
    fi
  fi
  if [ -n "$create" ]; then
    mkdir -p "$BASE_DIR"
    is_root && chown "$OS_USER:$OS_USER" "$BASE_DIR"
  fi
  DATA_DIR="$BASE_DIR/data"
  LOG_FILE="$BASE_DIR/postgres.log"
  SOCK_DIR="$BASE_DIR/run"
  # Unix socket paths are limited to ~107 bytes; fall back to a short /tmp path if needed.
  if [ "${#SOCK_DIR}" -gt 90 ]; then
    SOCK_DIR="/tmp/f2f-pg-sock-$(printf '%s' "$BASE_DIR" | sha256sum | cut -c1-12)"
  fi
}

# ---------------------------------------------------------------------------------------
# Cluster.
# ---------------------------------------------------------------------------------------
cluster_running() {
  [ -f "$DATA_DIR/PG_VERSION" ] || return 1
  [ -n "$PG_BIN" ] || PG_BIN="$(find_bindir "$(cat "$DATA_DIR/PG_VERSION")")" || return 1
  as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1 || return 1
  # A killed postmaster can linger as a zombie until it is reaped: that is not running.
  local pid; pid="$(postmaster_pid)"
  [ -z "$pid" ] || [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" != Z ]
}

postmaster_pid() { head -n1 "$DATA_DIR/postmaster.pid" 2>/dev/null || true; }

init_cluster() {
  [ -f "$DATA_DIR/PG_VERSION" ] && return 0
  local tmp="$BASE_DIR/data.initdb"
  log "initialising a new cluster in $DATA_DIR ($("$PG_BIN/postgres" -V))"
  rm -rf "$tmp"
  as_pg "$PG_BIN/initdb" -D "$tmp" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C --no-sync >"$BASE_DIR/initdb.log" 2>&1 \
    || { log_tail "$BASE_DIR/initdb.log"; die "initdb failed"; }
  mv "$tmp" "$DATA_DIR"
  printf "\n# Settings for the f2f test cluster, written by infra/postgres.sh on every start.\ninclude_if_exists = 'f2f.conf'\n" \
    >> "$DATA_DIR/postgresql.conf"
}

write_config() {
  local conf="$DATA_DIR/f2f.conf"
  as_pg tee "$conf.tmp" >/dev/null <<EOF
# Written by infra/postgres.sh on every start; edits are overwritten.
listen_addresses = '$PG_HOST'
port = $PG_PORT
unix_socket_directories = '$SOCK_DIR'
unix_socket_permissions = 0700
max_connections = 300
shared_buffers = 128MB
# Test cluster: durability off for speed. A crash may lose or corrupt data; re-create it then.
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
checkpoint_timeout = 30min
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
timezone = 'UTC'
EOF
  as_pg mv "$conf.tmp" "$conf"
}

# wait_ready TIMEOUT [soft]: wait until the server accepts connections.  On failure (the
# postmaster exited, or TIMEOUT passed) it dies with the log tail, or with `soft` returns 1.
wait_ready() {
  local timeout="$1" soft="${2:-}" started deadline
  started="$(now_s)"; deadline=$(( started + timeout ))
  while :; do
    if "$PG_BIN/pg_isready" -q -h "$PG_HOST" -p "$PG_PORT" -t 2 2>/dev/null; then return 0; fi
    # pg_ctl -W returns before the postmaster has written its pid file: give it a moment.
    if [ "$(now_s)" -ge $(( started + 3 )) ] && ! cluster_running; then
      [ -n "$soft" ] && return 1
      log_tail "$LOG_FILE"
      die "the server exited during start-up (see $LOG_FILE above)"
    fi
    if [ "$(now_s)" -ge "$deadline" ]; then
      [ -n "$soft" ] && return 1
      log_tail "$LOG_FILE"
      die "the server did not accept connections on $PG_HOST:$PG_PORT within ${timeout}s (log: $LOG_FILE)"
    fi
    sleep 0.5
  done
}

start_server() {
  local t0; t0="$(now_s)"
  if port_open "$PG_HOST" "$PG_PORT"; then
    die "port $PG_HOST:$PG_PORT is already in use by another process; stop it or set F2F_PG_PORT"
  fi
  # After a crash or kill the old postmaster may linger as a zombie for a moment; postgres
  # refuses to start while the pid in postmaster.pid exists, so wait for it to go.
  local old; old="$(postmaster_pid)"
  if [ -n "$old" ] && kill -0 "$old" 2>/dev/null; then
    log "waiting for the previous postmaster (pid $old) to go away"
    for _ in $(seq 1 40); do kill -0 "$old" 2>/dev/null || break; sleep 0.25; done
  fi
  write_config
  log "starting on $PG_HOST:$PG_PORT (data dir $DATA_DIR, log $LOG_FILE)"
  as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$LOG_FILE" -W start >/dev/null \
    || { log_tail "$LOG_FILE"; die "pg_ctl start failed"; }
  wait_ready "$START_TIMEOUT"
  log "ready (pid $(postmaster_pid)) after $(( $(now_s) - t0 ))s"
}

psql_admin() {
  as_pg "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres
}

ensure_role_and_databases() {
  psql_admin <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
    CREATE ROLE $PG_USER LOGIN SUPERUSER CREATEDB PASSWORD '$PG_PASSWORD';
    RAISE NOTICE 'created role $PG_USER';
  END IF;
END
\$\$;
SELECT format('CREATE DATABASE %I OWNER %I', d, '$PG_USER')
  FROM unnest(ARRAY['$PG_DB', '$PG_TEST_DB']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)
\gexec
SQL
}

# ---------------------------------------------------------------------------------------
# Commands.
# ---------------------------------------------------------------------------------------
# DATABASE_URL naming this very cluster (as exported by `eval "$(infra/up.sh)"`) is not
# "external": start/stop/url keep managing the private cluster then.
normalize_url() { printf '%s' "$1" | sed -E 's#^postgres://#postgresql://#; s#@localhost([:/])#@127.0.0.1\1#'; }
external_db() {
  [ -n "${DATABASE_URL:-}" ] || return 1
  local u; u="$(normalize_url "$DATABASE_URL")"
  [ "$u" != "$LOCAL_URL" ] && [ "$u" != "$LOCAL_TEST_URL" ]
}

start_external() {
  log "DATABASE_URL is set: using the external database $(mask_url "$DATABASE_URL"); not starting the private cluster"
  local isready
  if isready="$(find_pg_isready)"; then
    local deadline=$(( $(now_s) + START_TIMEOUT ))
    until "$isready" -q -d "$DATABASE_URL" -t 2 2>/dev/null; do
      [ "$(now_s)" -lt "$deadline" ] \
        || die "external database $(mask_url "$DATABASE_URL") is not reachable (pg_isready, ${START_TIMEOUT}s)"
      sleep 1
    done
    log "external database is accepting connections"
  else
    log "pg_isready not found; not checking that the external database is reachable"
  fi
  printf 'platform database: %s\n' "$DATABASE_URL"
  printf 'test database:     %s\n' "${TEST_DATABASE_URL:-$DATABASE_URL}"
}

cmd_start() {
  if external_db; then
    start_external
    return 0
  fi

  resolve_dirs create
  ensure_binaries
  init_cluster
  mkdir -p "$SOCK_DIR"
  if is_root; then chown "$OS_USER:$OS_USER" "$SOCK_DIR"; fi
  chmod 0700 "$SOCK_DIR"
  if cluster_running; then
    # It should answer at once; allow a few seconds in case it is still starting or recovering.
    if wait_ready 10 soft; then
      log "already running (pid $(postmaster_pid)) on $PG_HOST:$PG_PORT, data dir $DATA_DIR"
    elif cluster_running; then
      log_tail "$LOG_FILE"
      die "the server (pid $(postmaster_pid)) runs but does not accept connections on $PG_HOST:$PG_PORT;" \
        "see $LOG_FILE above, or restart it: infra/postgres.sh stop && infra/postgres.sh start"
    else
      log "the previous server exited; starting it again"
      start_server
    fi
  elif [ -n "${DATABASE_URL:-}" ] && port_open "$PG_HOST" "$PG_PORT"; then
    # DATABASE_URL names this address and another server (not this cluster) answers there.
    log "another server listens on $PG_HOST:$PG_PORT, which DATABASE_URL points at: using it"
    start_external
    return 0
  else
    start_server
  fi
  ensure_role_and_databases
  log "role $PG_USER and databases $PG_DB, $PG_TEST_DB are present"
  printf 'platform database: %s\n' "$LOCAL_URL"
  printf 'test database:     %s\n' "$LOCAL_TEST_URL"
}

cmd_stop() {
  resolve_dirs
  if [ ! -f "$DATA_DIR/PG_VERSION" ]; then
    log "no cluster in $DATA_DIR; nothing to stop"
    return 0
  fi
  if ! cluster_running; then
    log "not running"
    return 0
  fi
  log "stopping (pid $(postmaster_pid))"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m fast -w -t 30 stop >/dev/null; then
    log "fast shutdown did not finish in 30s; using immediate shutdown"
    as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w -t 30 stop >/dev/null \
      || { log_tail "$LOG_FILE"; die "could not stop the server"; }
  fi
  log "stopped"
}

cmd_status() {
  if external_db; then
    log "note: DATABASE_URL is set, so the platform uses $(mask_url "$DATABASE_URL"), not this cluster"
  fi
  resolve_dirs
  if cluster_running; then
    printf 'postgres: running (pid %s) on %s:%s, data dir %s\n' "$(postmaster_pid)" "$PG_HOST" "$PG_PORT" "$DATA_DIR"
    return 0
  fi
  printf 'postgres: not running (data dir %s%s)\n' "$DATA_DIR" \
    "$([ -f "$DATA_DIR/PG_VERSION" ] || printf ', not initialised')"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  url)
    if external_db; then printf '%s\n' "$DATABASE_URL"; else printf '%s\n' "$LOCAL_URL"; fi ;;
  test-url)
    if external_db; then printf '%s\n' "${TEST_DATABASE_URL:-$DATABASE_URL}"
    else printf '%s\n' "$LOCAL_TEST_URL"; fi ;;
  -h|--help|help) usage 0 ;;
  *) usage ;;
esac
