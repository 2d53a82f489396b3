#!/usr/bin/env bash
# `npm run bench:api`: installs what is missing, starts the local stack, then measures the Feed API's
# read latency (bench/api.ts; arguments go there). Not part of `npm test`.
set -euo pipefail
# shellcheck source=scripts/lib/prepare.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prepare.sh"
exec node --import tsx bench/api.ts "$@"
