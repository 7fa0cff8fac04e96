#!/usr/bin/env bash
# infra/prometheus.sh — a local Prometheus (Debian's package) scraping a running platform.
#
#   infra/prometheus.sh install          # apt-get install prometheus (with promtool) when missing
#   infra/prometheus.sh start TARGET...  # scrape these host:port targets (each serves /metrics)
#   infra/prometheus.sh stop
#   infra/prometheus.sh url              # the HTTP API / UI address
#
# F2F_PROMETHEUS_PORT (default 9090) is where it listens; its data lives in .data/prometheus-<port>
# (git-ignored). The alert rules of infra/observability/alerts.yml are loaded, so `ALERTS` and
# http://127.0.0.1:<port>/alerts show them against the running platform.
set -euo pipefail
LOG_PREFIX=prometheus
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$INFRA_DIR/.." && pwd)"
# shellcheck source=lib/common.sh
source "$INFRA_DIR/lib/common.sh"

PORT="${F2F_PROMETHEUS_PORT:-9090}"
RUN_DIR="$ROOT/.data/prometheus-$PORT"
RULES="$ROOT/infra/observability/alerts.yml"

install() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && return
  apt_install prometheus
}

start() {
  install
  [ "$#" -gt 0 ] || die "usage: $0 start host:port..."
  if port_open 127.0.0.1 "$PORT"; then stop; sleep 1; fi
  mkdir -p "$RUN_DIR/data"
  local targets
  targets="$(printf "'%s'," "$@")"
  cat >"$RUN_DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files: ['$RULES']
scrape_configs:
  - job_name: f2f
    metrics_path: /metrics
    static_configs:
      - targets: [${targets%,}]
YAML
  nohup prometheus --config.file="$RUN_DIR/prometheus.yml" --storage.tsdb.path="$RUN_DIR/data" \
    --web.listen-address="127.0.0.1:$PORT" >"$RUN_DIR/prometheus.log" 2>&1 &
  echo $! >"$RUN_DIR/pid"
  wait_daemon "$RUN_DIR" "$RUN_DIR/prometheus.log" prometheus "$PORT"
  log "up on http://127.0.0.1:$PORT scraping $*"
}

stop() { stop_daemon "$RUN_DIR"; }

case "${1:-}" in
  install) install ;;
  start) shift; start "$@" ;;
  stop) stop ;;
  url) echo "http://127.0.0.1:$PORT" ;;
  *) die "usage: $0 install|start host:port...|stop|url" ;;
esac
