#!/usr/bin/env bash
# Benchmarks that print figures (never timed assertions in tests).
#   scripts/bench.sh          full run
#   scripts/bench.sh --quick  smaller sizes
# Builds Release into build-release/ and prints one JSON line per measurement.
# Today: per-block state commit time (docs/performance.md). Throughput and
# latency workloads come with the benchmarks issue.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1

scripts/setup.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
BUILD="${AGORA_BENCH_BUILD_DIR:-$PWD/build-release}"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target agora_state_bench >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$quick" -eq 1 ]; then
  "$BUILD/test/agora_state_bench" --db "$work" --sizes 10000,100000 --blocks 10
else
  "$BUILD/test/agora_state_bench" --db "$work" --sizes 10000,1000000 --blocks 30
fi
