#!/usr/bin/env bash
# Installs what Switchboard needs on Debian: the C libraries it links and, with --test, what the
# test suite talks to. Safe to run again; installs only what is missing.
set -euo pipefail

packages=(pkg-config libcurl4-openssl-dev libssl-dev libsqlite3-dev libvectorscan-dev libopencc-dev)
if [[ "${1:-}" == "--test" ]]; then
  packages+=(python3 python3-pip python3-venv)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v swift >/dev/null; then
  echo "error: the Swift 6 toolchain is not on PATH (see https://www.swift.org/install/linux/)" >&2
  exit 1
fi

if [[ "${1:-}" == "--test" ]]; then
  # An independent Standard Webhooks verifier for the signature tests, kept in its own venv.
  venv=".build/test-venv"
  if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c "import standardwebhooks" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q standardwebhooks
  fi
fi
