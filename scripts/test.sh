#!/usr/bin/env bash
# Installs dependencies, builds and runs every test.
#   scripts/test.sh          normal build + ASan/UBSan build, both through ctest
#   scripts/test.sh --quick  normal build only
# Build trees: build/ and build-asan/ (reused between runs; ccache speeds rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "usage: scripts/test.sh [--quick]" >&2; exit 2 ;;
  esac
done

scripts/setup.sh

jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

run_suite() {
  local dir=$1; shift
  echo "== configure $dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  echo "== build $dir"
  cmake --build "$dir" -j "$jobs"
  echo "== test $dir"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600
}

run_suite build
if [ "$quick" -eq 0 ]; then
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  # Simulation suites run 1/5 of their seeds under the sanitizers (the full
  # count runs in the normal pass above); see docs/consensus.md.
  export AGORA_TEST_SCALE_DIVISOR=5
  run_suite build-asan -DAGORA_SANITIZE=ON
fi
echo "== all tests passed"
