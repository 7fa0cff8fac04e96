#!/usr/bin/env bash
# infra/down.sh — stop the local Kafka broker and PostgreSQL cluster started by infra/up.sh.
# Data is kept (in <repo>/.cache); infra/up.sh starts them again.  Safe to run when stopped.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rc=0
"$INFRA_DIR/kafka.sh" stop || rc=1
"$INFRA_DIR/postgres.sh" stop || rc=1
exit "$rc"
