#!/usr/bin/env bash
# Runs a single-validator Agora devnet in the foreground (Ctrl-C stops it).
#
#   scripts/devnet.sh            build if needed, create .devnet/ on first run, start the node
#   scripts/devnet.sh --reset    wipe .devnet/ first
#
# First run creates, under $AGORA_DEVNET_HOME (default .devnet/):
#   node/       the validator's home (config, genesis, keys, data); gRPC on 127.0.0.1:9090
#   keyring/    demo keys demo1..demo3 (public BIP-39 test mnemonics, passphrase in passphrase.txt),
#               each funded with 1,000,000 agr at genesis. NEVER use these keys for real funds.
# Use them with: build/node/agora --keyring-dir .devnet/keyring --passphrase-file .devnet/passphrase.txt keys list
set -euo pipefail
cd "$(dirname "$0")/.."

DEVNET="${AGORA_DEVNET_HOME:-$PWD/.devnet}"
BUILD="${AGORA_BUILD_DIR:-$PWD/build}"
CHAIN_ID="${AGORA_CHAIN_ID:-agora-devnet-1}"

if [ "${1:-}" = "--reset" ]; then rm -rf "$DEVNET"; fi

scripts/setup.sh
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/agora-ccache}"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc)" --target agorad agora >/dev/null

AGORAD="$BUILD/node/agorad"
AGORA="$BUILD/node/agora"

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
  for i in 1 2 3; do
    echo "${mnemonics[$((i-1))]}" | "$AGORA" --keyring-dir "$DEVNET/keyring" --passphrase-file "$DEVNET/passphrase.txt" \
      keys add "demo$i" --recover >/dev/null
    addr=$("$AGORA" --keyring-dir "$DEVNET/keyring" keys show "demo$i" -a)
    fund+=(--fund "$addr=1000000000000")
    echo "demo$i  $addr  1000000 agr"
  done
  "$AGORAD" --home "$DEVNET/node" init devnet-validator --chain-id "$CHAIN_ID" "${fund[@]}"
fi

echo "starting $CHAIN_ID (home $DEVNET/node, gRPC 127.0.0.1:9090); Ctrl-C to stop"
exec "$AGORAD" --home "$DEVNET/node" start
