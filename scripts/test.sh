#!/usr/bin/env bash
# Runs every test of the repository, as CI does. It installs what the tests need first: Node.js,
# npm and PostgreSQL (from Debian when missing) and the npm packages of the Socket.IO interop tests (the
# official socket.io-client), then the .NET restore. The functional tests start real servers on loopback
# ports themselves. Prints a closing "N passed, N failed" line summed over every test project.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Node.js and npm for the socket.io-client interop tests: from Debian when the machine lacks them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Installing Node.js and npm from Debian packages"
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm >/dev/null
fi
# PostgreSQL for the scale-out tests, which start throwaway clusters of their own: Debian's server package when missing.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL from Debian packages"
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi
npm ci --prefix tests/socketio-interop --no-audit --no-fund --loglevel=error

status=0
dotnet test Herald.slnx --configuration Release 2>&1 | tee "$log" || status=$?

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 15, Skipped: 0, ...").
awk -F'[:,]' '/(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { printf "tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit $status
