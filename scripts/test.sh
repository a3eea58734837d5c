#!/usr/bin/env bash
# Runs every test of the repository, as CI does. It installs what the tests need first: Node.js,
# npm, PostgreSQL and Chromium (from Debian when missing) and the npm packages of the Socket.IO interop tests (the
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
# Chromium for the browser tests of the TypeScript client (driven by playwright-core, never a browser download).
if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Chromium from Debian packages"
  SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
npm ci --prefix tests/socketio-interop --no-audit --no-fund --loglevel=error

status=0
# The dashboard the server embeds must equal a fresh build of dashboard/ (before dotnet test builds the server with it).
bash scripts/check-dashboard.sh || status=$?
dotnet test Herald.slnx --configuration Release 2>&1 | tee "$log" || status=$?

# The .NET client packs as a NuGet package.
packdir=$(mktemp -d)
if dotnet pack src/Herald.Client -c Release -o "$packdir" >/dev/null && ls "$packdir"/Herald.Client.*.nupkg >/dev/null 2>&1; then
  echo "Herald.Client packed: $(basename "$packdir"/Herald.Client.*.nupkg)"
else
  echo "Herald.Client did not pack" >&2
  status=1
fi
rm -rf "$packdir"

# The TypeScript client's tests, against the server that dotnet test built in Release.
tslog=$(mktemp)
trap 'rm -f "$log" "$tslog"' EXIT
npm ci --prefix clients/typescript --no-audit --no-fund --loglevel=error
(cd clients/typescript && npm run --silent typecheck && node scripts/size.mjs && NO_COLOR=1 npx vitest run) 2>&1 | tee "$tslog" || status=$?

# Sum the per-project summaries ("Passed!  - Failed: 0, Passed: 15, Skipped: 0, ...") and vitest's
# "Tests  11 passed | 1 skipped (12)".
ts=$(awk '/^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^skipped/) s += $i } }
  END { printf "%d %d %d", p, f, s }' "$tslog")
awk -F'[:,]' -v ts="$ts" '/(Passed|Failed)! +- +Failed:/ { failed += $2; passed += $4; skipped += $6 }
  END { split(ts, t, " "); printf "tests: %d passed, %d failed, %d skipped\n", passed + t[1], failed + t[2], skipped + t[3] }' "$log"
exit $status
