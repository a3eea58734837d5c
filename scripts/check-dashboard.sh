#!/usr/bin/env bash
# Checks that the dashboard the server embeds (src/Herald.Server/Dashboard, committed) is exactly a
# fresh build of its source (dashboard/): installs the locked packages, typechecks, builds into a
# temporary folder and compares the two trees. With --write it rebuilds the committed folder instead.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --prefix dashboard --no-audit --no-fund --loglevel=error
(cd dashboard && npx tsc -p . --noEmit)
if [ "${1:-}" = "--write" ]; then
  (cd dashboard && npx vite build --logLevel warn)
  exit 0
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd dashboard && npx vite build --outDir "$out" --emptyOutDir --logLevel warn)
if ! diff -r "$out" src/Herald.Server/Dashboard; then
  echo "src/Herald.Server/Dashboard is not a fresh build of dashboard/: run 'bash scripts/check-dashboard.sh --write' and commit the result." >&2
  exit 1
fi
echo "dashboard: the embedded assets equal a fresh build"
