#!/usr/bin/env bash
# Builds the timeline page (apps/web, Vite) into dist/web when it is missing or older than its sources, so that
# `npm start` stays fast on a built checkout and a fresh clone still gets a page. `--force` builds anyway.
set -euo pipefail
cd "$(dirname "$0")/.."
out=dist/web/index.html
if [[ "${1:-}" != --force && -f "$out" ]] &&
  [[ -z "$(find apps/web libs/domain/src package-lock.json -newer "$out" -type f -print -quit)" ]]; then
  exit 0
fi
echo "building the timeline page (vite build)" >&2
npx vite build --config apps/web/vite.config.ts >&2
