#!/usr/bin/env bash
# A local devnet of agorad processes on 127.0.0.1 (docs/operations.md).
#
#   scripts/devnet.sh [--validators N] [--full-nodes M] [--dir DIR] [--agorad PATH] start|stop|status
#
# start   creates DIR from `agorad testnet init-files` on first use (validators
#         node0..nodeN-1; full nodes full0..fullM-1 share the genesis and peer
#         with every validator), then starts every node in the background with
#         its log in DIR/logs/<name>.log and its pid in DIR/pids/<name>.pid.
# stop    SIGTERM to every node at once, waits up to 30 s each (then SIGKILL).
# status  pid, liveness and latest height of every node.
set -euo pipefail

VALIDATORS=4
FULL_NODES=0
DIR="${AGORA_DEVNET_DIR:-./devnet}"
AGORAD="${AGORAD:-}"
AGORA="${AGORA:-}"
CMD=""

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --validators) VALIDATORS="$2"; shift 2 ;;
    --full-nodes) FULL_NODES="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --agorad) AGORAD="$2"; shift 2 ;;
    start|stop|status) CMD="$1"; shift ;;
    -h|--help) usage ;;
    *) echo "devnet.sh: unknown argument $1" >&2; usage ;;
  esac
done
[[ -n "$CMD" ]] || usage

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$AGORAD" ]]; then
  for c in "$ROOT/build/node/agorad" "$(command -v agorad || true)"; do
    if [[ -n "$c" && -x "$c" ]]; then AGORAD="$c"; break; fi
  done
fi
[[ -n "$AGORAD" && -x "$AGORAD" ]] || { echo "devnet.sh: agorad not found (build it or pass --agorad)" >&2; exit 1; }
if [[ -z "$AGORA" ]]; then
  AGORA="$(dirname "$AGORAD")/agora"
fi

node_names() {
  local i
  for ((i = 0; i < VALIDATORS; i++)); do echo "node$i"; done
  for ((i = 0; i < FULL_NODES; i++)); do echo "full$i"; done
}

# Rewrites a full node's config from node0's: own ports, peers = all validators.
make_full_node() {
  local idx="$1"
  local home="$DIR/full$idx"
  [[ -d "$home/config" ]] && return 0
  "$AGORAD" --home "$home" init "full$idx" --chain-id devnet-tmp >/dev/null
  rm -f "$home/config/validator_key.json"
  cp "$DIR/node0/config/genesis.json" "$home/config/genesis.json"
  local peers
  peers="$(grep -h '^node[0-9]* ' "$DIR/testnet.txt" | awk '{print $8 "@" $6}' | paste -sd, -)"
  local grpc=$((19190 + idx))
  local p2p=$((26756 + idx))
  local http=$((18180 + idx))
  python3 - "$DIR/node0/config/config.toml" "$home/config/config.toml" "$peers" "$grpc" "$p2p" "$http" "full$idx" <<'PY'
import re, sys
src, dst, peers, grpc, p2p, http, moniker = sys.argv[1:]
text = open(src).read()
section = None
out = []
for line in text.splitlines():
    m = re.match(r'^\[(\w+)\]', line)
    if m:
        section = m.group(1)
    key = line.split('=')[0].strip() if '=' in line and not line.startswith('#') else None
    if section is None and key == 'moniker':
        line = f'moniker = "{moniker}"'
    elif section == 'grpc' and key == 'address':
        line = f'address = "127.0.0.1:{grpc}"'
    elif section == 'http' and key == 'address':
        line = f'address = "127.0.0.1:{http}"'
    elif section == 'p2p' and key == 'listen_address':
        line = f'listen_address = "127.0.0.1:{p2p}"'
    elif section == 'p2p' and key == 'persistent_peers':
        line = 'persistent_peers = [' + ', '.join(f'"{p}"' for p in peers.split(',') if p) + ']'
    out.append(line)
open(dst, 'w').write('\n'.join(out) + '\n')
PY
}

do_start() {
  mkdir -p "$DIR"
  if [[ ! -d "$DIR/node0" ]]; then
    "$AGORAD" testnet init-files --validators "$VALIDATORS" --output "$DIR" > "$DIR/testnet.txt"
    echo "created $DIR ($VALIDATORS validators)"
  fi
  local i
  for ((i = 0; i < FULL_NODES; i++)); do make_full_node "$i"; done
  mkdir -p "$DIR/logs" "$DIR/pids"
  local name
  for name in $(node_names); do
    local pidf="$DIR/pids/$name.pid"
    if [[ -f "$pidf" ]] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
      echo "$name already running (pid $(cat "$pidf"))"
      continue
    fi
    nohup "$AGORAD" --home "$DIR/$name" start >> "$DIR/logs/$name.log" 2>&1 &
    echo $! > "$pidf"
    echo "started $name (pid $!, log $DIR/logs/$name.log)"
  done
}

do_stop() {
  # SIGTERM to all first so the validators stop at (nearly) the same height.
  local name pids=()
  for name in $(node_names); do
    local pidf="$DIR/pids/$name.pid"
    [[ -f "$pidf" ]] || continue
    local pid; pid="$(cat "$pidf")"
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" && pids+=("$name:$pid")
  done
  local entry
  for entry in "${pids[@]}"; do
    name="${entry%%:*}"
    local pid="${entry##*:}" waited=0
    while kill -0 "$pid" 2>/dev/null && ((waited < 300)); do sleep 0.1; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      echo "$name did not stop in 30 s; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    else
      echo "stopped $name"
    fi
  done
  for name in $(node_names); do rm -f "$DIR/pids/$name.pid"; done
}

do_status() {
  local name
  for name in $(node_names); do
    local pidf="$DIR/pids/$name.pid" state="stopped" pid="-"
    if [[ -f "$pidf" ]]; then
      pid="$(cat "$pidf")"
      kill -0 "$pid" 2>/dev/null && state="running"
    fi
    local addr height="-"
    addr="$(grep -A3 '^\[grpc\]' "$DIR/$name/config/config.toml" 2>/dev/null | sed -n 's/^address = "\(.*\)"/\1/p' | head -1)"
    if [[ "$state" == "running" && -x "$AGORA" && -n "$addr" ]]; then
      height="$("$AGORA" --node "$addr" query status -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("latest_height","-"))' 2>/dev/null || echo -)"
    fi
    printf '%-8s %-8s pid %-8s grpc %-16s height %s\n' "$name" "$state" "$pid" "${addr:--}" "$height"
  done
}

case "$CMD" in
  start) do_start ;;
  stop) do_stop ;;
  status) do_status ;;
esac
