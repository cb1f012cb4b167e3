#!/usr/bin/env bash
# Debian's Chromium for the browser tests (test/e2e/*page*, driven by playwright-core). Idempotent: does
# nothing when it is there. Nothing downloads a browser of its own (no `npx playwright install`).
set -euo pipefail
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
[[ -x "$chromium" ]] && exit 0
if [[ "$chromium" != /usr/bin/chromium ]]; then
  echo "ensure-chromium: CHROMIUM_PATH=$chromium is not an executable" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1 || [[ "$(id -u)" -ne 0 ]]; then
  echo "ensure-chromium: /usr/bin/chromium is missing: install Debian's chromium package (needs root), or set CHROMIUM_PATH" >&2
  exit 1
fi
echo "ensure-chromium: installing chromium from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
# The package lists may be missing or stale on a fresh machine: update only when the install fails without.
if ! apt-get install -y -qq chromium </dev/null >&2; then
  apt-get update -qq </dev/null >&2
  apt-get install -y -qq chromium </dev/null >&2
fi
[[ -x "$chromium" ]] || { echo "ensure-chromium: apt-get installed chromium but $chromium is missing" >&2; exit 1; }
