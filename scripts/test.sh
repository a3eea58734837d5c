#!/usr/bin/env bash
# Runs every test of the repository, as CI does. It installs what the tests need first: the npm
# packages of the Socket.IO interop tests (the official socket.io-client; Node.js 20 and npm are
# on the machine), then the .NET restore. The functional tests start real servers on loopback
# ports themselves. Prints a closing "N passed, N failed" line summed over every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

npm ci --prefix tests/socketio-interop --no-audit --no-fund --loglevel=error

status=0
dotnet test Herald.slnx --configuration Release 2>&1 | tee "$log" || status=$?

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 15, Skipped: 0, ...").
awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit $status
