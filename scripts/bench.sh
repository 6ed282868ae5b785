#!/usr/bin/env bash
# Benchmarks that print figures (never timed assertions in tests); see docs/performance.md.
#   scripts/bench.sh [--quick] [--validators 1|4|all|none] [--provider|--no-provider] [--market-sim-only]
#                    (default: both networks and the provider agent)
# Builds Release into build-release/ (or $AGORA_BENCH_BUILD_DIR), then runs:
#   1. agora-microbench   codec, signature verify (single, parallel block path),
#                         state commit per block, mempool admission, a tx's path from
#                         submission to commit with decodes/hashes per tx, one client's
#                         lease listing with 10 and 100,000 other leases (Google Benchmark)
#   2. agora-state-bench  per-block state commit at 10^4 and 10^6 keys (10^5 with --quick)
#      agora-statesync-bench  the state half of a state-sync join at 10^6 keys (10^5 with
#                         --quick): snapshot, fetch + verify every chunk over gRPC, restore
#   3. agora-loadgen --validators 1   transfers / marketplace lifecycles / mixed against a
#                         real single-validator agorad: saturation and 50% load; then the
#                         closed-loop client shapes (50 accounts x 1 in flight, 39 lifecycle
#                         workers), and the ratio to the machine's signature limit
#   4. agora-block-replay the chain step 3 built, re-applied block by block by a fresh
#                         node's Application (execution-only replay: no network)
#   5. agora-loadgen --validators 4 --sync   the same workloads against four validator
#                         processes on loopback (app_hash agreement checked after each),
#                         then a fresh full node block-syncs that chain over p2p (sync figure)
#   6. agora-provider-bench  the provider agent against a real agorad: bids placed per
#                         second on 1,000 jobs/s offered, and lease won -> workload running
#                         (p50/p99 against one block + 200 ms); phase 2 needs root and bwrap
#   7. agora-market-sim   the adversarial market simulation over 50 seeds (10 with --quick):
#                         invariants at every block, reputation's AUC, each attack's cost
#                         and gain in uagr (docs/market-simulation.md); --market-sim-only
#                         runs just this step
# Prints one JSON line per measurement and the load generators' tables. After each load
# generator run: committed tx/s against the signature limit (cores / one verify's CPU time
# from step 1 of the same run) and node CPU per tx in verifies ({"bench":"limit",...}).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
validators=all
provider=1
market_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --validators)
      validators="${2:-}"; shift
      case "$validators" in 1|4|all|none) ;; *) echo "--validators takes 1, 4, all or none" >&2; exit 2 ;; esac ;;
    --provider) provider=1 ;;
    --no-provider) provider=0 ;;
    --market-sim-only) market_only=1 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

scripts/setup.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
# Paths relative to the checkout (and no build dir in the hash of -g builds), so
# clones at other paths and worktrees share cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
BUILD="${AGORA_BENCH_BUILD_DIR:-$PWD/build-release}"
JOBS="${AGORA_BENCH_JOBS:-$(nproc)}"
# AGORA_BENCH_BUILD_TYPE lets a developer reuse an existing RelWithDebInfo tree.
# Tests on: scripts/run.sh shares build-release/ and configures it with the tests off.
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE="${AGORA_BENCH_BUILD_TYPE:-Release}" -DAGORA_BUILD_TESTS=ON >/dev/null
if [ "$market_only" -eq 1 ]; then
  cmake --build "$BUILD" -j "$JOBS" --target agora_market_sim >/dev/null
else
  cmake --build "$BUILD" -j "$JOBS" --target agorad agora agora-provider agora_loadgen agora_state_bench \
    agora_statesync_bench agora_block_replay agora_microbench agora_provider_bench agora_market_sim >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
T="$BUILD/test"

# The market simulation: one JSON line per seed and a summary line; exit 1 when an
# invariant broke in some seed (a paying attack is a figure, not a failure).
market_sim() {
  local seeds=50
  [ "$quick" -eq 1 ] && seeds=10
  echo "== market simulation, $seeds seeds"
  "$T/agora_market_sim" --seeds "$seeds" --json
}
if [ "$market_only" -eq 1 ]; then
  market_sim
  exit $?
fi

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s)
# Prints how long the previous step took and the load average, for the record.
mark() { echo "== $1 done at $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"; }
if [ "$quick" -eq 1 ]; then
  "$T/agora_microbench" --benchmark_filter='BM_(Tx|Verify|MempoolAdmit|StateCommitBlock/(10000|100000)/|ListClientLeases)' \
    --benchmark_min_time=0.2 --benchmark_format=json --benchmark_out="$work/micro.json" >/dev/null
  "$T/agora_state_bench" --db "$work/state" --sizes 10000,100000 --blocks 10
  "$T/agora_statesync_bench" --db "$work/statesync" --keys 100000 --peers 4
  size=(--quick)
else
  "$T/agora_microbench" --benchmark_format=json --benchmark_out="$work/micro.json" >/dev/null
  "$T/agora_state_bench" --db "$work/state" --sizes 10000,1000000 --blocks 30
  "$T/agora_statesync_bench" --db "$work/statesync" --keys 1000000 --peers 4
  size=()
fi
mark "micro-benchmarks and state bench"
# One JSON line per micro-benchmark.
python3 - "$work/micro.json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    print(json.dumps({"bench": "micro", "name": b["name"], "real_time": round(b["real_time"], 3), "cpu_time": round(b["cpu_time"], 3),
                      "time_unit": b["time_unit"],
                      **({"items_per_second": round(b["items_per_second"])} if "items_per_second" in b else {}),
                      **{k: b[k] for k in ("decodes_per_tx", "hashes_per_tx") if k in b}}))
PY
# The closed-loop client shapes (issue 21) beside the saturation workloads.
shapes=(--shape per-account-window,lifecycle-workers)
# committed tx/s / (cores / one verify's CPU time) and node CPU per tx / one verify, for each
# workload of a load generator's output (its JSON lines), from this run's micro-benchmark.
limit() {
  python3 - "$work/micro.json" "$1" "$(nproc)" <<'PY'
import json, sys
micro, load, cores = sys.argv[1], sys.argv[2], int(sys.argv[3])
verify = next((b for b in json.load(open(micro))["benchmarks"] if b["name"] == "BM_VerifySignature"), None)
if verify is None:
    sys.exit("limit: no BM_VerifySignature in the micro-benchmark output")
scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[verify["time_unit"]]
verify_s = verify["cpu_time"] * scale
limit_tx_s = cores / verify_s
print(f"== signature limit: one verify {verify_s * 1e6:.1f} us of CPU, {cores} cores: {limit_tx_s:,.0f} verifies/s")
for line in open(load):
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    if j.get("bench") != "loadgen":
        continue
    loads = [k for k in ("saturation", "closed_loop") if k in j]
    committed = sum(j[k]["committed"] for k in ("saturation", "half_load", "closed_loop") if k in j)
    tx_s = j[loads[0]]["tx_per_s"]
    nodes = j["validators"]
    # Every node verifies every tx: CPU per tx per node.
    cpu_tx_s = j["node_cpu_s"] / nodes / committed if committed else 0.0
    out = {"bench": "limit", "workload": j["workload"], "validators": nodes, "load": loads[0],
           "verify_us": round(verify_s * 1e6, 2), "cores": cores, "limit_tx_per_s": round(limit_tx_s),
           "tx_per_s": round(tx_s), "of_limit": round(tx_s / limit_tx_s, 3),
           "node_cpu_us_per_tx": round(cpu_tx_s * 1e6, 1), "verifies_per_tx": round(cpu_tx_s / verify_s, 2)}
    print(json.dumps(out))
    print(f"   {j['workload']:<18} {loads[0]:<11} {tx_s:9,.0f} tx/s = {100 * tx_s / limit_tx_s:5.1f} % of the limit;"
          f" node CPU {cpu_tx_s * 1e6:6.1f} us/tx per node = {cpu_tx_s / verify_s:4.2f} verifies")
PY
}
status=0
if [ "$validators" = 1 ] || [ "$validators" = all ]; then
  echo "== load generator, 1 validator; execution-only replay of its chain"
  "$T/agora_loadgen" --agorad "$BUILD/node/agorad" "${size[@]}" "${shapes[@]}" --validators 1 --keep "$work/chain" |
    tee "$work/load1.out" || status=1
  limit "$work/load1.out" || status=1
  mark "1-validator load"
  "$T/agora_block_replay" --home "$work/chain" --out "$work/replay" || status=1
  mark "execution-only replay"
fi
if [ "$validators" = 4 ] || [ "$validators" = all ]; then
  echo "== load generator, 4 validators; block sync of their chain by a fresh full node over p2p"
  "$T/agora_loadgen" --agorad "$BUILD/node/agorad" "${size[@]}" "${shapes[@]}" --validators 4 --sync |
    tee "$work/load4.out" || status=1
  limit "$work/load4.out" || status=1
  mark "4-validator load and block sync"
fi
if [ "$provider" -eq 1 ]; then
  echo "== provider agent: bid engine throughput, lease won -> workload running"
  if [ "$quick" -eq 1 ]; then export AGORA_BENCH_SECONDS="${AGORA_BENCH_SECONDS:-2}" AGORA_BENCH_LEASES="${AGORA_BENCH_LEASES:-10}"; fi
  "$T/agora_provider_bench" || status=1
  mark "provider agent"
fi
market_sim || status=1
mark "market simulation"
echo "== bench.sh finished in $(( $(date +%s) - start )) s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
