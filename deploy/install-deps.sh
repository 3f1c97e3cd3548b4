#!/usr/bin/env bash
# Installs every Debian 12 (bookworm) package Busbar needs to build and test.
# Idempotent: when every package is already installed it touches nothing and
# returns at once. Uses sudo only when not running as root.
set -euo pipefail

PACKAGES=(
  # toolchain
  cmake ninja-build g++ clang libclang-rt-14-dev make pkg-config
  # matcher and CLI
  libsimdjson-dev libre2-dev libabsl-dev zlib1g-dev
  # tests, format check, benchmark data
  libgtest-dev libgmock-dev clang-format python3 gzip
  # daemon, registry and targets (later issues)
  libsqlite3-dev libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libyaml-cpp-dev
  # function targets (Lambda Runtime API server) and HTTP targets (API destinations)
  libcpp-httplib-dev
  # test handlers: the custom-runtime `bootstrap` example uses curl
  curl
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg -s "$pkg" 2>/dev/null | grep -q '^Status: install ok installed'; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  SUDO=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
