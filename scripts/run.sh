#!/usr/bin/env bash
# Runs a single-validator Agora devnet in the foreground (Ctrl-C stops it).
#
#   scripts/run.sh                     build (Release) if needed, create .devnet/ on first run, start the node
#   scripts/run.sh --reset             wipe .devnet/ first
#   scripts/run.sh --log-format json   JSON log lines
#   scripts/run.sh --with-provider     also run an agora-provider for the demo key `provider`
#                                      (home .devnet/provider, gateway 127.0.0.1:8443), so
#                                      `agora deploy docs/examples/hello-batch.yaml ...` works at once
#
# First run creates, under $AGORA_DEVNET_HOME (default .devnet/):
#   node/       the validator's home (config, genesis, keys, data); gRPC on 127.0.0.1:9090
#   keyring/    demo keys `provider` and `client` (and `demo3`): public BIP-39 test mnemonics,
#               passphrase in passphrase.txt, each funded with 1,000,000 agr at genesis.
#               NEVER use these keys for real funds.
set -euo pipefail
cd "$(dirname "$0")/.."

DEVNET="${AGORA_DEVNET_HOME:-$PWD/.devnet}"
BUILD="${AGORA_BUILD_DIR:-$PWD/build-release}"
CHAIN_ID="${AGORA_CHAIN_ID:-agora-devnet-1}"

LOG_FORMAT=text
WITH_PROVIDER=0
while [ $# -gt 0 ]; do
  case "$1" in
    --reset) rm -rf "$DEVNET" ;;
    --log-format) LOG_FORMAT="$2"; shift ;;
    --with-provider) WITH_PROVIDER=1 ;;
    *) echo "usage: scripts/run.sh [--reset] [--log-format text|json] [--with-provider]" >&2; exit 2 ;;
  esac
  shift
done

# Setup and build print one progress line; their full output goes to a log,
# shown (its tail) only when a step fails.
mkdir -p "$BUILD"
SETUP_LOG="$BUILD/run-setup.log"
BUILD_LOG="$BUILD/run-build.log"
fail_with_log() {
  printf '\n%s failed; the last lines of %s:\n' "$1" "$2" >&2
  tail -n 40 "$2" >&2
  exit 1
}
printf 'setup: checking packages (log: %s)' "$SETUP_LOG"
scripts/setup.sh >"$SETUP_LOG" 2>&1 || fail_with_log "scripts/setup.sh" "$SETUP_LOG"
printf '\rsetup: done%*s\n' 60 ''

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
# Paths relative to the checkout (and no build dir in the hash of -g builds), so
# clones at other paths and worktrees share cache entries.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}" CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-1}"
# scripts/bench.sh shares this build dir with the tests on: keep its choice
# (the targets below build either way); a new dir gets the tests off.
TESTS_FLAG=()
[ -f "$BUILD/CMakeCache.txt" ] || TESTS_FLAG=(-DAGORA_BUILD_TESTS=OFF)
printf 'build: configuring %s (log: %s)' "$BUILD" "$BUILD_LOG"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release "${TESTS_FLAG[@]}" >"$BUILD_LOG" 2>&1 ||
  fail_with_log "cmake (configure)" "$BUILD_LOG"
# The build tool's progress ("[k/N]" or "[ p%]") becomes one line that updates in place.
set +e
cmake --build "$BUILD" -j "$(nproc)" --target agorad agora agora-provider 2>&1 | tee -a "$BUILD_LOG" |
  while IFS= read -r line; do
    if [[ "$line" =~ ^\[([0-9]+)/([0-9]+)\] ]]; then  # Ninja
      printf '\rbuild: %s/%s%*s' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" 20 ''
    elif [[ "$line" =~ ^\[\ *([0-9]+)%\] ]]; then  # Make
      printf '\rbuild: %s%%%*s' "${BASH_REMATCH[1]}" 20 ''
    fi
  done
status=${PIPESTATUS[0]}
set -e
[ "$status" -eq 0 ] || fail_with_log "cmake --build" "$BUILD_LOG"
printf '\rbuild: agorad, agora and agora-provider are up to date%*s\n' 20 ''

AGORAD="$BUILD/node/agorad"
AGORA="$BUILD/node/agora"
PROVIDER="$BUILD/node/agora-provider"

if [ ! -f "$DEVNET/node/config/genesis.json" ]; then
  mkdir -p "$DEVNET"
  echo "devnet" > "$DEVNET/passphrase.txt"
  # Public test mnemonics (BIP-39 test vectors): anyone can spend these keys.
  mnemonics=(
    "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art"
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title"
    "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless"
  )
  fund=()
  names=(provider client demo3)
  for i in 0 1 2; do
    echo "${mnemonics[$i]}" | "$AGORA" --keyring-dir "$DEVNET/keyring" --passphrase-file "$DEVNET/passphrase.txt" \
      keys add "${names[$i]}" --recover >/dev/null
    addr=$("$AGORA" --keyring-dir "$DEVNET/keyring" keys show "${names[$i]}" -a)
    fund+=(--fund "$addr=1000000000000")
  done
  "$AGORAD" --home "$DEVNET/node" init devnet-validator --chain-id "$CHAIN_ID" "${fund[@]}"
fi

K="--keyring-dir $DEVNET/keyring --passphrase-file $DEVNET/passphrase.txt"
cat <<INFO
Agora devnet $CHAIN_ID
  home       $DEVNET/node
  gRPC       127.0.0.1:9090   (reflection on: grpcurl -plaintext 127.0.0.1:9090 list)
  HTTP       http://127.0.0.1:8080/   (explorer; REST under /v1 described by /openapi.json, WebSocket /v1/events, /health, /metrics)
  p2p        port 26656
  demo keys  $("$AGORA" --keyring-dir "$DEVNET/keyring" keys list | tr '\n' ' ')
Try, in another terminal:
  $AGORA query status
  $AGORA $K keys list
  $AGORA $K tx --from client send \$($AGORA $K keys show provider -a) 2.5agr
  $AGORA query account \$($AGORA $K keys show client -a) -o json
  $AGORA query block 1 -o json
  curl -s 127.0.0.1:8080/v1/status
Ctrl-C stops the node cleanly.
INFO

if [ "$WITH_PROVIDER" -eq 0 ]; then
  exec "$AGORAD" --home "$DEVNET/node" start --log-format "$LOG_FORMAT"
fi

# The node in the background, the provider agent beside it; Ctrl-C stops both
# (the agent first: it leaves running workloads alone, docs/provider.md).
if [ ! -f "$DEVNET/provider/provider.toml" ]; then
  "$PROVIDER" init --home "$DEVNET/provider" --node 127.0.0.1:9090 --from provider \
    --keyring-dir "$DEVNET/keyring" --passphrase-file "$DEVNET/passphrase.txt" >/dev/null
fi
cat <<INFO
Provider agent for the demo key provider: home $DEVNET/provider, gateway 127.0.0.1:8443
Deploy a workload as the demo client:
  $AGORA $K deploy docs/examples/hello-batch.yaml --from client --duration 400 --max-price 1000 --deposit 2000000 --follow
INFO
"$AGORAD" --home "$DEVNET/node" start --log-format "$LOG_FORMAT" &
NODE_PID=$!
"$PROVIDER" start --home "$DEVNET/provider" --log-format "$LOG_FORMAT" &
AGENT_PID=$!
trap 'kill -TERM $AGENT_PID 2>/dev/null; wait $AGENT_PID 2>/dev/null; kill -TERM $NODE_PID 2>/dev/null; wait $NODE_PID' INT TERM
wait $NODE_PID
