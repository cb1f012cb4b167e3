#!/usr/bin/env bash
# Builds the page and the TypeScript when a source changed since the last build, and runs one entry point of
# dist/ with the @app/* aliases resolved. A warm start (nothing changed) skips the compilers: they are most of
# the start-up time.
# Usage: scripts/run.sh apps/api/src/main [args…]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
bash scripts/build-web.sh
stamp=dist/.built
if [ ! -f "$stamp" ] ||
  [ -n "$(find apps libs migrations tsconfig.json tsconfig.build.json package-lock.json -newer "$stamp" \
    \( -name '*.ts' -o -name '*.json' \) -print -quit)" ]; then
  npx tsc -p tsconfig.build.json
  touch "$stamp"
fi
entry="$1"
shift
TS_NODE_BASEURL=./dist exec node -r tsconfig-paths/register "dist/${entry}.js" "$@"
