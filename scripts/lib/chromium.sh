#!/usr/bin/env bash
# Installs Debian's Chromium when missing: the storefront demo's browser test drives it headless through
# playwright-core (`npx playwright install` cannot download browsers here). Idempotent.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "[chromium] installing chromium (apt-get)" >&2
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium >/dev/null
