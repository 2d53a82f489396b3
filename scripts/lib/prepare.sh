# Sourced by scripts/test.sh and scripts/demo.sh: installs what is missing, starts the local stack and
# exports its connection info (STREAMREC_KAFKA_BROKERS, STREAMREC_REDIS_URL, STREAMREC_CLICKHOUSE_URL).
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash scripts/lib/node-deps.sh
bash scripts/stack/stack.sh up
set -a
# shellcheck disable=SC1091
. .stack/stack.env
set +a
