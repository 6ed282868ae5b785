#!/usr/bin/env bash
# Installs every Debian package Agora needs to build, test and run.
# Idempotent: quiet and fast when everything is already installed.
# Runs as root (or through sudo) on Debian bookworm.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build mold pkg-config ccache git python3
  libboost-dev nlohmann-json3-dev libsecp256k1-dev libcrypto++-dev libsodium-dev
  libleveldb-dev libsnappy-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  catch2 libcli11-dev libspdlog-dev libtomlplusplus-dev
  python3-grpcio python3-grpc-tools python3-protobuf python3-prometheus-client python3-jsonschema python3-yaml
  systemd
  libbenchmark-dev chromium curl nodejs
  libyaml-cpp-dev bubblewrap
  clang-14 libfuzzer-14-dev
  slurmctld slurmd slurm-client munge
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# npm comes with nodejs from NodeSource but is a separate Debian package; ask
# for it only when the command is missing (the two packages conflict).
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

# The explorer's browser test drives Debian's chromium with playwright-core
# (pinned in test/node/http/explorer/package-lock.json; it downloads no browser),
# installed next to the test and not tracked. Only this setup step uses the
# network; builds and tests never do.
install_playwright() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/test/node/http/explorer"
  if [ ! -f "$dir/node_modules/playwright-core/package.json" ]; then
    echo "setup: npm ci in $dir (playwright-core)"
    (cd "$dir" && npm ci --no-audit --no-fund --silent)
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_playwright
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_playwright
echo "setup: done"
