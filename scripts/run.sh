#!/usr/bin/env bash
# Builds the page (when stale) and the TypeScript once, and runs one entry point of dist/ with the @app/* aliases resolved.
# Usage: scripts/run.sh apps/api/src/main [args…]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/build-web.sh
npx tsc -p tsconfig.build.json
entry="$1"
shift
TS_NODE_BASEURL=./dist exec node -r tsconfig-paths/register "dist/${entry}.js" "$@"
