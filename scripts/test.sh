#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the local stack (Redis, ClickHouse, Kafka), type-checks,
# then runs the unit tests and the integration tests against the real services.
set -euo pipefail
# shellcheck source=scripts/lib/prepare.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prepare.sh"
echo "[test] type-check" >&2
npx tsc -p tsconfig.json --noEmit
echo "[test] unit tests" >&2
npx vitest run --project unit
echo "[test] integration tests (real Kafka, Redis, ClickHouse)" >&2
npx vitest run --project integration
