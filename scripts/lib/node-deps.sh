#!/usr/bin/env bash
# Installs the npm packages when node_modules is missing or older than package-lock.json (idempotent).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
stamp=node_modules/.package-lock.json
if [[ ! -f "$stamp" || package-lock.json -nt "$stamp" ]]; then
  start=$(date +%s.%N)
  echo "[deps] installing npm packages (npm ci)" >&2
  # @tensorflow/tfjs-node-gpu is optional: its download fails offline and npm then leaves it out.
  npm ci --no-audit --no-fund --loglevel=error >&2
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "[deps] npm packages installed in %.1f s\n", b - a }' >&2
fi
