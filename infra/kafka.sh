#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# infra/kafka.sh — a single-node Apache Kafka 4.x broker (KRaft) for development and tests.
#
#   infra/kafka.sh start      fetch the broker jars (first time), format storage (first time),
#                             start the broker, wait until it answers, ensure the topics
#   infra/kafka.sh stop       stop it (SIGTERM, SIGKILL after 20 s)
#   infra/kafka.sh status     say whether it runs (exit 0 running, 3 not running)
#   infra/kafka.sh topics     create the platform's topics that are missing (also run by start)
#   infra/kafka.sh describe [TOPIC]   describe the platform's topics (or one topic)
#   infra/kafka.sh brokers    print the bootstrap broker list
#
# The jars come from Maven Central (infra/kafka/pom.xml, `mvn dependency:copy-dependencies`)
# into <repo>/.cache/kafka/libs (git-ignored); that step is skipped while the jars fetched for
# this exact pom are there.  Broker config: infra/kafka/server.properties (a template),
# logging: infra/kafka/log4j2.xml.  Data, logs and pid file live in <repo>/.cache/kafka.
#
# If KAFKA_BROKERS is set, `start` starts nothing: it waits for that broker and ensures the
# topics there; `brokers` prints KAFKA_BROKERS.  (Not when KAFKA_BROKERS names this very
# broker, 127.0.0.1:$F2F_KAFKA_PORT, as `eval "$(infra/up.sh)"` exports it.)
#
# Environment: F2F_KAFKA_PORT (19092), F2F_KAFKA_CONTROLLER_PORT (19093),
# F2F_KAFKA_HEAP_OPTS ("-Xms256m -Xmx768m"), F2F_KAFKA_START_TIMEOUT (60 s),
# KAFKA_TOPIC_PREFIX ("f2f."; set it to "" for no prefix), KAFKA_BROKERS.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$INFRA_DIR/.." && pwd)"
# shellcheck source=lib/common.sh
. "$INFRA_DIR/lib/common.sh"
# shellcheck disable=SC2034  # read by lib/common.sh
LOG_PREFIX=kafka

# The platform's topics, without the prefix.  This list mirrors the topic enum in
# libs/contracts: keep the two in sync.
TOPICS=(
  edit.requested
  edit.status
  caption.completed
  video.progress
  video.generated
  frame.selected
  metrics.computed
  edit.failed
  edit.frame-rechosen
  dead-letter
)
TOPIC_PARTITIONS=3
TOPIC_REPLICATION=1
TOPIC_PREFIX="${KAFKA_TOPIC_PREFIX-f2f.}"

KAFKA_HOST=127.0.0.1
KAFKA_PORT="${F2F_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${F2F_KAFKA_CONTROLLER_PORT:-19093}"
HEAP_OPTS="${F2F_KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
START_TIMEOUT="${F2F_KAFKA_START_TIMEOUT:-60}"
STOP_TIMEOUT=20

KAFKA_CONF_DIR="$INFRA_DIR/kafka"
POM="$KAFKA_CONF_DIR/pom.xml"
CONFIG_TEMPLATE="$KAFKA_CONF_DIR/server.properties"
CACHE_DIR="$REPO_ROOT/.cache/kafka"
LIBS_DIR="$CACHE_DIR/libs"
DATA_DIR="$CACHE_DIR/data"
LOG_DIR="$CACHE_DIR/logs"
CONFIG="$CACHE_DIR/server.properties"
CLIENT_CONFIG="$CACHE_DIR/tools-client.properties"
PID_FILE="$CACHE_DIR/kafka.pid"
CLUSTER_ID_FILE="$CACHE_DIR/cluster-id"
OUT_FILE="$LOG_DIR/kafka.out"

LOCAL_BROKERS="$KAFKA_HOST:$KAFKA_PORT"

usage() {
  sed -n '/^# infra\//,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
  exit "${1:-2}"
}

# KAFKA_BROKERS naming this very broker (as exported by `eval "$(infra/up.sh)"`) is not
# "external": start/stop keep managing the local broker then.
external_kafka() {
  [ -n "${KAFKA_BROKERS:-}" ] || return 1
  [ "$(printf '%s' "$KAFKA_BROKERS" | sed 's/localhost:/127.0.0.1:/g; s/[[:space:]]//g')" != "$LOCAL_BROKERS" ]
}

brokers() {
  if external_kafka; then printf '%s\n' "$KAFKA_BROKERS"; else printf '%s\n' "$LOCAL_BROKERS"; fi
}

# ---------------------------------------------------------------------------------------
# Java, Maven and the broker jars.
# ---------------------------------------------------------------------------------------
ensure_java() {
  if ! command -v java >/dev/null 2>&1; then
    log "java not found"
    apt_install openjdk-17-jre-headless
  fi
  local major
  major="$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)(\.[0-9]+)*.*/\1/p')"
  if [ -n "$major" ] && [ "$major" -lt 17 ]; then
    die "Kafka 4 needs Java 17 or newer; \`java\` is Java $major"
  fi
}

ensure_libs() {
  local sum marker
  sum="$(sha256sum "$POM" | cut -c1-16)"
  marker="$LIBS_DIR/.fetched-from-pom-$sum"
  [ -f "$marker" ] && return 0

  command -v mvn >/dev/null 2>&1 || apt_install maven
  local tmp="$CACHE_DIR/libs.fetching" t0
  t0="$(now_s)"
  log "fetching the Kafka jars with Maven (first run, or infra/kafka/pom.xml changed) into $LIBS_DIR"
  mkdir -p "$CACHE_DIR"
  rm -rf "$tmp"
  if ! mvn -B -q -f "$POM" dependency:copy-dependencies \
         -DincludeScope=runtime -DoutputDirectory="$tmp" >"$CACHE_DIR/mvn.log" 2>&1; then
    log_tail "$CACHE_DIR/mvn.log" 60
    die "mvn could not fetch the Kafka jars (log above: $CACHE_DIR/mvn.log)"
  fi
  ls "$tmp"/kafka_2.13-*.jar >/dev/null 2>&1 || die "mvn finished but no kafka_2.13 jar in $tmp"
  touch "$tmp/$(basename "$marker")"
  rm -rf "$LIBS_DIR"
  mv "$tmp" "$LIBS_DIR"
  log "fetched $(find "$LIBS_DIR" -name '*.jar' | wc -l) jars ($(du -sh "$LIBS_DIR" | cut -f1)) in $(( $(now_s) - t0 ))s"
}

kafka_version() {
  local jar
  jar="$(find "$LIBS_DIR" -maxdepth 1 -name 'kafka_2.13-*.jar' 2>/dev/null | head -n1)"
  jar="${jar##*/kafka_2.13-}"
  printf '%s\n' "${jar%.jar}"
}

# run_tool CLASS ARGS...: a Kafka command-line tool (short-lived JVM, quiet logging).
# With TOOL_TIMEOUT=N it is killed after N seconds.
run_tool() {
  local limit=()
  if [ -n "${TOOL_TIMEOUT:-}" ]; then limit=(timeout "$TOOL_TIMEOUT"); fi
  "${limit[@]}" java -Xms32m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/log4j2-tools.xml" \
    -cp "$LIBS_DIR/*" "$@"
}

# Admin-client settings for the tools: fail fast instead of retrying for a minute.
write_client_config() {
  mkdir -p "$CACHE_DIR"
  cat >"$CLIENT_CONFIG.tmp" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
socket.connection.setup.timeout.ms=2000
socket.connection.setup.timeout.max.ms=5000
EOF
  mv "$CLIENT_CONFIG.tmp" "$CLIENT_CONFIG"
}

# ---------------------------------------------------------------------------------------
# Broker config and storage.
# ---------------------------------------------------------------------------------------
render_config() {
  mkdir -p "$CACHE_DIR" "$DATA_DIR" "$LOG_DIR"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@CONTROLLER_PORT@|$CONTROLLER_PORT|g" \
      -e "s|@DATA_DIR@|$DATA_DIR|g" \
      "$CONFIG_TEMPLATE" >"$CONFIG.tmp"
  mv "$CONFIG.tmp" "$CONFIG"
}

ensure_formatted() {
  [ -f "$DATA_DIR/meta.properties" ] && return 0
  if [ ! -s "$CLUSTER_ID_FILE" ]; then
    run_tool kafka.tools.StorageTool random-uuid >"$CLUSTER_ID_FILE.tmp" \
      || die "could not generate a cluster id (kafka.tools.StorageTool random-uuid)"
    mv "$CLUSTER_ID_FILE.tmp" "$CLUSTER_ID_FILE"
  fi
  local cluster_id
  cluster_id="$(tr -d '[:space:]' <"$CLUSTER_ID_FILE")"
  log "formatting storage in $DATA_DIR (cluster id $cluster_id)"
  if ! run_tool kafka.tools.StorageTool format --ignore-formatted -t "$cluster_id" -c "$CONFIG" \
         >"$LOG_DIR/format.log" 2>&1; then
    log_tail "$LOG_DIR/format.log"
    die "kafka.tools.StorageTool format failed"
  fi
}

# ---------------------------------------------------------------------------------------
# The broker process.
# ---------------------------------------------------------------------------------------
broker_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid="$(tr -d '[:space:]' <"$PID_FILE")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  # Guard against a recycled pid: it must be our broker.
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka\.Kafka' || return 1
  printf '%s\n' "$pid"
}

launch_broker() {
  rm -f "$PID_FILE"
  mkdir -p "$LOG_DIR"
  touch "$OUT_FILE"
  OUT_START_LINE="$(wc -l <"$OUT_FILE")"
  {
    printf '\n===== %s: starting Kafka %s =====\n' "$(date -u +%FT%TZ)" "$(kafka_version)"
  } >>"$OUT_FILE"
  # setsid: own session, so the broker outlives this shell and its process group.
  # shellcheck disable=SC2086,SC2016  # HEAP_OPTS holds several words; $$ is for the inner bash
  setsid nohup bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$PID_FILE" \
    java $HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
      -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true \
      -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$KAFKA_CONF_DIR/log4j2.xml" \
      -cp "$LIBS_DIR/*" kafka.Kafka "$CONFIG" \
    >>"$OUT_FILE" 2>&1 </dev/null &

  for _ in $(seq 1 50); do
    [ -s "$PID_FILE" ] && return 0
    sleep 0.1
  done
  die "the broker process did not start (see $OUT_FILE)"
}

OUT_START_LINE=0

# wait_ready BOOTSTRAP [PID]: wait until the broker lists topics; leaves the list in READY_TOPICS.
READY_TOPICS=""
wait_ready() {
  local bootstrap="$1" pid="${2:-}" deadline first host port
  deadline=$(( $(now_s) + START_TIMEOUT ))
  first="${bootstrap%%,*}"; host="${first%:*}"; port="${first##*:}"
  write_client_config
  while :; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      # Only this start's part of kafka.out (it is appended to across starts).
      tail -n "+$(( OUT_START_LINE + 1 ))" "$OUT_FILE" >"$LOG_DIR/kafka.out.last" 2>/dev/null || true
      log_tail "$LOG_DIR/kafka.out.last" 25
      die "the broker exited during start-up (JVM errors and WARN+ above, from $OUT_FILE; full log: $LOG_DIR/server.log)"
    fi
    if port_open "$host" "$port" \
       && READY_TOPICS="$(TOOL_TIMEOUT=30 run_tool org.apache.kafka.tools.TopicCommand \
            --bootstrap-server "$bootstrap" --command-config "$CLIENT_CONFIG" --list 2>/dev/null)"; then
      return 0
    fi
    if [ "$(now_s)" -ge "$deadline" ]; then
      if [ -n "$pid" ]; then
        log_tail "$LOG_DIR/server.log"
        die "Kafka at $bootstrap did not answer within ${START_TIMEOUT}s (broker pid $pid still runs; log above: $LOG_DIR/server.log;" \
          "infra/kafka.sh stop to stop it)"
      fi
      die "Kafka at $bootstrap did not answer within ${START_TIMEOUT}s" \
        "($(port_open "$host" "$port" && echo "port $port is open but the broker did not list topics" || echo "nothing listens on $host:$port"))"
    fi
    sleep 1
  done
}

# ensure_topics BOOTSTRAP EXISTING: create the platform topics missing from EXISTING (one per line).
ensure_topics() {
  local bootstrap="$1" existing="$2" t name created=0
  for t in "${TOPICS[@]}"; do
    name="$TOPIC_PREFIX$t"
    if printf '%s\n' "$existing" | grep -qxF -- "$name"; then
      continue
    fi
    run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --command-config "$CLIENT_CONFIG" --create --if-not-exists --topic "$name" \
      --partitions "$TOPIC_PARTITIONS" --replication-factor "$TOPIC_REPLICATION" >/dev/null \
      || die "could not create topic $name on $bootstrap"
    log "created topic $name ($TOPIC_PARTITIONS partitions, replication $TOPIC_REPLICATION)"
    created=$(( created + 1 ))
  done
  log "topics ready on $bootstrap: ${#TOPICS[@]} platform topics with prefix '$TOPIC_PREFIX' ($created created)"
}

# ---------------------------------------------------------------------------------------
# Commands.
# ---------------------------------------------------------------------------------------
start_external() {
  log "KAFKA_BROKERS is set: using $KAFKA_BROKERS; not starting the local broker"
  wait_ready "$KAFKA_BROKERS"
  ensure_topics "$KAFKA_BROKERS" "$READY_TOPICS"
  printf 'kafka brokers: %s\n' "$KAFKA_BROKERS"
}

cmd_start() {
  local t0; t0="$(now_s)"
  ensure_java
  ensure_libs
  if external_kafka; then
    start_external
    return 0
  fi

  local pid
  if pid="$(broker_pid)"; then
    log "already running (pid $pid) on $LOCAL_BROKERS"
  else
    if [ -n "${KAFKA_BROKERS:-}" ] && port_open "$KAFKA_HOST" "$KAFKA_PORT"; then
      # KAFKA_BROKERS names this address and another broker (not ours) answers there.
      log "another process listens on $LOCAL_BROKERS, which KAFKA_BROKERS points at: using it"
      start_external
      return 0
    fi
    if port_open "$KAFKA_HOST" "$KAFKA_PORT" || port_open "$KAFKA_HOST" "$CONTROLLER_PORT"; then
      die "port $KAFKA_PORT or $CONTROLLER_PORT on $KAFKA_HOST is in use by another process;" \
        "stop it or set F2F_KAFKA_PORT / F2F_KAFKA_CONTROLLER_PORT"
    fi
    render_config
    ensure_formatted
    log "starting Kafka $(kafka_version) (KRaft, broker+controller) on $LOCAL_BROKERS, controller port $CONTROLLER_PORT"
    log "  data $DATA_DIR, logs $LOG_DIR"
    launch_broker
    pid="$(tr -d '[:space:]' <"$PID_FILE")"
  fi
  wait_ready "$LOCAL_BROKERS" "$pid"
  log "ready (pid $pid) after $(( $(now_s) - t0 ))s"
  ensure_topics "$LOCAL_BROKERS" "$READY_TOPICS"
  printf 'kafka brokers: %s\n' "$LOCAL_BROKERS"
}

cmd_topics() {
  ensure_java
  ensure_libs
  local bootstrap; bootstrap="$(brokers)"
  wait_ready "$bootstrap"
  ensure_topics "$bootstrap" "$READY_TOPICS"
}

cmd_describe() {
  ensure_java
  ensure_libs
  local bootstrap t; bootstrap="$(brokers)"
  write_client_config
  if [ -n "${1:-}" ]; then
    run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --command-config "$CLIENT_CONFIG" --describe --topic "$1"
  else
    # TopicCommand --topic takes a regex: describe exactly the platform's topics.
    local re="" esc
    for t in "${TOPICS[@]}"; do
      # shellcheck disable=SC2016  # a sed expression, not a shell one
      esc="$(printf '%s' "$TOPIC_PREFIX$t" | sed 's/[.[\*^$()+?{|]/\\&/g')"
      re="${re:+$re|}$esc"
    done
    run_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --command-config "$CLIENT_CONFIG" --describe --topic "$re"
  fi
}

cmd_stop() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 $(( STOP_TIMEOUT * 5 ))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still running after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 1 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && die "could not kill pid $pid"
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  if external_kafka; then
    log "note: KAFKA_BROKERS is set, so the platform uses $KAFKA_BROKERS, not this broker"
  fi
  local pid
  if pid="$(broker_pid)"; then
    printf 'kafka: running (pid %s) on %s, data dir %s\n' "$pid" "$LOCAL_BROKERS" "$DATA_DIR"
    return 0
  fi
  printf 'kafka: not running (data dir %s%s)\n' "$DATA_DIR" \
    "$([ -f "$DATA_DIR/meta.properties" ] || printf ', not formatted')"
  return 3
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_stop; cmd_start ;;
  status) cmd_status ;;
  topics) cmd_topics ;;
  describe) shift; cmd_describe "$@" ;;
  brokers) brokers ;;
  -h|--help|help) usage 0 ;;
  *) usage ;;
esac
