#!/usr/bin/env bash
# infra/up.sh — start the local PostgreSQL cluster and Kafka broker (idempotent; a second run
# only checks that both answer).  Progress goes to stderr; stdout gets only the export lines:
#
#   eval "$(infra/up.sh)"      # start both and export DATABASE_URL and KAFKA_BROKERS
#
# DATABASE_URL / KAFKA_BROKERS already set in the environment mean "use those external
# services" (see infra/postgres.sh and infra/kafka.sh).  infra/down.sh stops both.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
t0="$(date +%s)"

"$INFRA_DIR/postgres.sh" start >&2
"$INFRA_DIR/kafka.sh" start >&2

database_url="$("$INFRA_DIR/postgres.sh" url)"
test_database_url="$("$INFRA_DIR/postgres.sh" test-url)"
kafka_brokers="$("$INFRA_DIR/kafka.sh" brokers)"

printf '[up] postgres and kafka are up (%ss); test database: %s\n' "$(( $(date +%s) - t0 ))" "$test_database_url" >&2
printf 'export DATABASE_URL=%q\n' "$database_url"
printf 'export KAFKA_BROKERS=%q\n' "$kafka_brokers"
