#!/usr/bin/env bash
# Installs dependencies, builds and runs every test.
#   scripts/test.sh          one ASan+UBSan build (build-asan/), every test at full scale
#   scripts/test.sh --quick  a plain build (build/), every test, no sanitizers (faster edit loop)
# The default also builds the libFuzzer targets (build-fuzz/, clang-14, ASan+UBSan)
# and runs each on its seed corpus for AGORA_FUZZ_SECONDS (default 5) seconds
# (scripts/fuzz.sh, docs/fuzzing.md); AGORA_FUZZ_SECONDS=0 skips that.
# CI runs the default. Building once (with the sanitizers on) instead of twice keeps
# a clean CI run well under 30 minutes on 2 cores: the sanitized build compiles at
# -O1 -g1 (about half the compile time of -O2 -g; line tables are enough for
# sanitizer stack traces), Ninja schedules the build, mold links, ccache and
# precompiled headers speed rebuilds. Build trees are reused between runs.
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
# Paths relative to the checkout (and no build dir in the hash of -g builds), so
# clones at other paths and worktrees share cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"

run_suite() {
  local dir=$1; shift
  # A tree configured by another generator (older runs used Makefiles) cannot be reused.
  if [ -f "$dir/CMakeCache.txt" ] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
    rm -rf "$dir"
  fi
  echo "== configure $dir"
  cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
  echo "== build $dir"
  local start=$SECONDS
  cmake --build "$dir" -j "$jobs"
  echo "== built $dir in $((SECONDS - start)) s"
  echo "== test $dir (artifacts, e.g. the explorer's screenshots: $dir/test-artifacts/, docs/explorer.md)"
  start=$SECONDS
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" --timeout 600
  echo "== tested $dir in $((SECONDS - start)) s"
}

if [ "$quick" -eq 1 ]; then
  run_suite build -DAGORA_SANITIZE=OFF
else
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  run_suite build-asan -DAGORA_SANITIZE=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG"
  fuzz_seconds=${AGORA_FUZZ_SECONDS:-5}
  if [ "$fuzz_seconds" -gt 0 ]; then
    start=$SECONDS
    AGORA_BUILD_JOBS=$jobs scripts/fuzz.sh --seconds "$fuzz_seconds"
    echo "== fuzzed in $((SECONDS - start)) s"
  fi
fi
echo "== all tests passed"
