#!/usr/bin/env bash
# Builds and runs the libFuzzer targets of test/fuzz (docs/fuzzing.md).
#   scripts/fuzz.sh --list                    the targets
#   scripts/fuzz.sh [TARGET...] [--seconds N] [--jobs N]
#       runs each TARGET (default: every target) for N seconds (default 60) on
#       a scratch copy of its seed corpus test/fuzz/corpus/TARGET; --jobs N runs
#       N fuzzing processes per target (libFuzzer -fork=N).
#   scripts/fuzz.sh --build-only              configure and build, run nothing
# The build dir is build-fuzz/ (AGORA_FUZZ_BUILD_DIR overrides), configured
# with clang-14 and AGORA_FUZZ=ON. A finding (crash, sanitizer report,
# property violation, timeout, out of memory) makes the script exit 1 after
# the remaining targets ran; the input that triggered it is kept under
# <build dir>/fuzz-artifacts/TARGET/ and its path printed. New corpus entries
# stay in the scratch copy unless AGORA_FUZZ_KEEP_CORPUS=1 (then they are
# merged into <build dir>/fuzz-corpus/TARGET, never into the tree).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/fuzz.sh [--list] [--build-only] [TARGET...] [--seconds N] [--jobs N]" >&2; exit 2; }

list=0
build_only=0
seconds=60
jobs=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --list) list=1 ;;
    --build-only) build_only=1 ;;
    --seconds) [ $# -ge 2 ] || usage; seconds=$2; shift ;;
    --jobs) [ $# -ge 2 ] || usage; jobs=$2; shift ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[[ "$seconds" =~ ^[0-9]+$ && "$seconds" -ge 1 ]] || { echo "fuzz: --seconds must be a positive integer" >&2; exit 2; }
[[ "$jobs" =~ ^[0-9]+$ && "$jobs" -ge 1 ]] || { echo "fuzz: --jobs must be a positive integer" >&2; exit 2; }

all_targets=()
for src in test/fuzz/*.cpp; do
  all_targets+=("$(basename "$src" .cpp)")
done
if [ "$list" -eq 1 ]; then
  printf '%s\n' "${all_targets[@]}"
  exit 0
fi
if [ ${#targets[@]} -eq 0 ]; then targets=("${all_targets[@]}"); fi
for t in "${targets[@]}"; do
  [ -f "test/fuzz/$t.cpp" ] || { echo "fuzz: no target '$t' (scripts/fuzz.sh --list)" >&2; exit 2; }
done

dir=${AGORA_FUZZ_BUILD_DIR:-build-fuzz}
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
if [ ! -f "$dir/CMakeCache.txt" ]; then
  echo "== configure $dir (clang-14, AGORA_FUZZ=ON)"
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAGORA_FUZZ=ON \
    "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" >/dev/null
fi
echo "== build $dir"
start=$SECONDS
cmake --build "$dir" -j "${AGORA_BUILD_JOBS:-$(nproc)}" --target "${targets[@]}"
echo "== built $dir in $((SECONDS - start)) s"
[ "$build_only" -eq 1 ] && exit 0

# Leaks are findings; UBSan reports abort so libFuzzer saves the input.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/agora-fuzz.XXXXXX")
# Targets that parse files (test/fuzz/FuzzCheck.h ScratchFile) write one per
# input; on tmpfs their fsyncs cost nothing.
files="$scratch"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then files=$(mktemp -d /dev/shm/agora-fuzz.XXXXXX); fi
trap 'rm -rf "$scratch" "$files"' EXIT

failed=()
for t in "${targets[@]}"; do
  artifacts="$dir/fuzz-artifacts/$t"
  mkdir -p "$artifacts" "$scratch/$t/corpus"
  if [ -d "test/fuzz/corpus/$t" ]; then cp -r "test/fuzz/corpus/$t/." "$scratch/$t/corpus/"; fi
  before=$(ls "$artifacts" | wc -l)
  flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1
         -artifact_prefix="$artifacts/")
  if [ "$jobs" -gt 1 ]; then flags+=(-fork="$jobs" -ignore_crashes=0); fi
  echo "== fuzz $t for ${seconds} s"
  # The hard timeout backs up libFuzzer's own: an input that exhausts memory
  # can deadlock its timeout handler inside the allocator.
  if TMPDIR="$files" timeout -k 10 $((seconds + 60)) \
      "$dir/test/fuzz/$t" "${flags[@]}" "$scratch/$t/corpus" >"$scratch/$t/log" 2>&1; then
    echo "   $(grep -E '^stat::number_of_executed_units' "$scratch/$t/log" | tail -1 | awk '{print $2}') runs," \
         "corpus $(ls "$scratch/$t/corpus" | wc -l) inputs, no finding"
    if [ "${AGORA_FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
      mkdir -p "$dir/fuzz-corpus/$t"
      "$dir/test/fuzz/$t" -merge=1 "$dir/fuzz-corpus/$t" "$scratch/$t/corpus" >/dev/null 2>&1 || true
    fi
  else
    tail -60 "$scratch/$t/log"
    cp "$scratch/$t/log" "$artifacts/last-failure.log"
    echo "!! $t: FINDING; log $artifacts/last-failure.log"
    if [ "$(ls "$artifacts" | wc -l)" -gt "$before" ]; then
      ls -t "$artifacts" | grep -v '^last-failure.log$' | head -n 3 | sed "s|^|!! input: $artifacts/|"
    fi
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -gt 0 ]; then
  echo "== fuzz findings in: ${failed[*]}"
  exit 1
fi
echo "== fuzz: ${#targets[@]} targets, ${seconds} s each, no finding"
