#!/usr/bin/env bash
# `npm run bench`: installs what is missing, starts the local stack, then measures the engine against a
# bare Kafka consumer (bench/run.ts; arguments go there). Not part of `npm test`.
set -euo pipefail
# shellcheck source=scripts/lib/prepare.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prepare.sh"
if [[ "${1:-}" == "freshness" ]]; then
  shift
  exec node --import tsx bench/freshness-probe.ts "$@"
fi
if [[ "${1:-}" == "drain" ]]; then
  shift
  exec node --import tsx bench/drain.ts "$@"
fi
exec node --import tsx bench/run.ts "$@"
