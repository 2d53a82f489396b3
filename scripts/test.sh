#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the local stack (Redis, ClickHouse, Kafka), type-checks,
# then runs the unit tests and the integration tests against the real services.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/node-deps.sh
bash scripts/stack/stack.sh up
set -a
# shellcheck disable=SC1091
. .stack/stack.env
set +a
echo "[test] type-check" >&2
npx tsc -p tsconfig.json --noEmit
echo "[test] unit tests" >&2
npx vitest run --project unit
echo "[test] integration tests (real Kafka, Redis, ClickHouse)" >&2
npx vitest run --project integration
