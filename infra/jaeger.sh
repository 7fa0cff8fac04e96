#!/usr/bin/env bash
# infra/jaeger.sh — a local Jaeger (all-in-one, in-memory) for traces.
#
#   infra/jaeger.sh build     # build .cache/jaeger/jaeger from the Go module proxy (cached)
#   infra/jaeger.sh start     # start it (OTLP gRPC :F2F_JAEGER_OTLP_PORT, query API :F2F_JAEGER_UI_PORT)
#   infra/jaeger.sh stop
#   infra/jaeger.sh env       # print the OTEL_* export lines that point the platform at it
#
# Ports: F2F_JAEGER_OTLP_PORT (default 4317), F2F_JAEGER_OTLP_HTTP_PORT (4318),
# F2F_JAEGER_UI_PORT (16686). The binary is built once (~6 min on 2 cores) with Go from PATH
# or /usr/local/go/bin and kept under .cache/jaeger (git-ignored); CI caches that folder.
set -euo pipefail
LOG_PREFIX=jaeger
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$INFRA_DIR/.." && pwd)"
# shellcheck source=lib/common.sh
source "$INFRA_DIR/lib/common.sh"

JAEGER_VERSION=v1.75.0
CACHE="$ROOT/.cache/jaeger"
BIN="$CACHE/jaeger-$JAEGER_VERSION"
OTLP_PORT="${F2F_JAEGER_OTLP_PORT:-4317}"
OTLP_HTTP_PORT="${F2F_JAEGER_OTLP_HTTP_PORT:-4318}"
UI_PORT="${F2F_JAEGER_UI_PORT:-16686}"
RUN_DIR="$ROOT/.data/jaeger-$UI_PORT"

go_bin() {
  if command -v go >/dev/null 2>&1; then command -v go
  elif [ -x /usr/local/go/bin/go ]; then echo /usr/local/go/bin/go
  else die "Go is not installed (needed once to build Jaeger $JAEGER_VERSION)"; fi
}

build() {
  if [ -x "$BIN" ]; then log "cached: $BIN"; return; fi
  mkdir -p "$CACHE"
  # One build at a time: a second caller (the trace test while CI's early background build runs)
  # waits for the first and then finds the binary.
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$CACHE/build.lock"
    log "waiting for the build lock (another build under way?)"
    flock 8
    if [ -x "$BIN" ]; then log "built meanwhile: $BIN"; return; fi
  fi
  local go t0 work; go="$(go_bin)"; t0="$(now_s)"
  work="$CACHE/build"; mkdir -p "$work"
  log "building jaeger $JAEGER_VERSION with $("$go" version) (once; cached in $CACHE)"
  (
    cd "$work"
    export GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild" GOFLAGS=-mod=mod CGO_ENABLED=0
    export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
    [ -f go.mod ] || "$go" mod init f2f-jaeger >&2
    "$go" get -tool "github.com/jaegertracing/jaeger/cmd/jaeger@$JAEGER_VERSION" >&2
    "$go" build -trimpath -ldflags='-s -w' -o "$BIN.tmp" github.com/jaegertracing/jaeger/cmd/jaeger >&2
  )
  mv "$BIN.tmp" "$BIN"
  log "built $BIN in $(( $(now_s) - t0 ))s"
}

start() {
  build
  if port_open 127.0.0.1 "$UI_PORT"; then log "already answering on :$UI_PORT"; return; fi
  mkdir -p "$RUN_DIR"
  # Jaeger v1.75 is the OTel-collector-based binary; an inline config sets the ports.
  cat >"$RUN_DIR/config.yaml" <<YAML
service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:0
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:$UI_PORT
    grpc:
      endpoint: 127.0.0.1:0
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 127.0.0.1:$OTLP_PORT
      http:
        endpoint: 127.0.0.1:$OTLP_HTTP_PORT
processors:
  batch:
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
YAML
  nohup "$BIN" --config "$RUN_DIR/config.yaml" >"$RUN_DIR/jaeger.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  wait_daemon "$RUN_DIR" "$RUN_DIR/jaeger.log" jaeger "$UI_PORT" "$OTLP_PORT"
  log "up: OTLP grpc :$OTLP_PORT http :$OTLP_HTTP_PORT, UI/API http://127.0.0.1:$UI_PORT"
}

stop() { stop_daemon "$RUN_DIR"; }

env_lines() {
  printf 'export OTEL_EXPORTER_OTLP_ENDPOINT=%q\n' "http://127.0.0.1:$OTLP_HTTP_PORT"
  printf 'export JAEGER_QUERY_URL=%q\n' "http://127.0.0.1:$UI_PORT"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop ;;
  env) env_lines ;;
  bin) build >&2; echo "$BIN" ;;
  *) die "usage: $0 build|start|stop|env|bin" ;;
esac
