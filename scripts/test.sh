#!/usr/bin/env bash
# `npm test`: installs what is missing, starts the local stack (Redis, ClickHouse, Kafka), type-checks,
# then runs the unit tests, the integration tests against the real services, and the fault tests
# (kill -9, broker restart, sink outages; docs/reliability.md).
set -euo pipefail
# shellcheck source=scripts/lib/prepare.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prepare.sh"
echo "[test] type-check" >&2
npx tsc -p tsconfig.json --noEmit
echo "[test] unit tests" >&2
npx vitest run --project unit
# The storefront demo's browser test needs Chromium (headless, driven by playwright-core).
bash scripts/lib/chromium.sh
echo "[test] integration tests (real Kafka, Redis, ClickHouse; headless Chromium for the storefront)" >&2
npx vitest run --project integration
echo "[test] fault tests (kill -9, broker restart, Redis/ClickHouse outages, slow Redis, SIGTERM)" >&2
npx vitest run --project fault
