#!/usr/bin/env bash
# Herald's benchmarks in one run, side by side with the Node.js Socket.IO 4 reference server.
#
#   benchmarks/run.sh                      compare: every scenario, Herald then Socket.IO, ratios at the end
#   benchmarks/run.sh --scenarios fanout   compare only some scenarios (any load generator option passes through)
#   benchmarks/run.sh micro                BenchmarkDotNet micro-benchmarks (encode, parse, fan-out)
#
# Installs what it needs: the reference server's npm dependencies (npm ci, exact versions from
# package-lock.json) and a Release build of the solution. Needs node 20+ and the .NET 10 SDK.
# Servers bind to 127.0.0.1 only; every load loop is bounded in count and time.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

if ! command -v node >/dev/null; then
  echo "node 20 or later is required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi

dotnet build Herald.slnx --configuration Release --nologo -v quiet
# One descriptor per connection on each side: use all the hard limit allows (raising it needs CAP_SYS_RESOURCE).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
out="benchmarks/results/$(date -u +%Y%m%d-%H%M%S)"
mkdir -p "$out"
loadgen=(dotnet benchmarks/Herald.LoadGenerator/bin/Release/net10.0/Herald.LoadGenerator.dll)

if [[ "${1:-}" == "micro" ]]; then
  shift
  dotnet benchmarks/Herald.Benchmarks/bin/Release/net10.0/Herald.Benchmarks.dll --filter '*' --artifacts "$out/bdn" "$@"
  echo "results: $out/bdn/results"
  exit 0
fi

(cd benchmarks/socketio-server && npm ci --no-audit --no-fund --loglevel=error)
"${loadgen[@]}" machine | tee "$out/machine.json"
"${loadgen[@]}" compare --out "$out" "$@" 2>&1 | tee "$out/compare.log"
