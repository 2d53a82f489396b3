#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack, runs the engine, replays real
# Diginetica sessions through Kafka and shows feeds updating. Arguments go to scripts/demo.ts.
set -euo pipefail
# shellcheck source=scripts/lib/prepare.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib/prepare.sh"
exec node --import tsx scripts/demo.ts "$@"
