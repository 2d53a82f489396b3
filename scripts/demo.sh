#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack, runs the engine, replays real
# Diginetica sessions through Kafka and shows feeds updating. Arguments go to scripts/demo.ts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/lib/node-deps.sh
bash scripts/stack/stack.sh up
set -a
# shellcheck disable=SC1091
. .stack/stack.env
set +a
exec node --import tsx scripts/demo.ts "$@"
