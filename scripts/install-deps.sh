#!/usr/bin/env bash
# Installs what Switchboard needs on Debian: the C libraries it links and, with --test, what the
# test suite talks to. Safe to run again; installs only what is missing.
set -euo pipefail

packages=(pkg-config libcurl4-openssl-dev libssl-dev libsqlite3-dev libvectorscan-dev libopencc-dev)
if [[ "${1:-}" == "--test" ]]; then
  # Dovecot is the real IMAP server the mail transport tests talk to; Kannel (bearerbox and smsbox) the
  # real SMS gateway the SMS tests talk to; prometheus brings promtool, which checks and unit-tests the
  # alerting rules in Config/prometheus; curl's CLI helps debugging. PostgreSQL is the shared store's server:
  # the tests run a private cluster of their own (initdb under /usr/lib/postgresql/<version>/bin) and never
  # use the one the package sets up, with a certificate authority of their own made by the openssl command.
  # Chromium is the browser the console tests drive, through Playwright for Python (below), which is
  # told to use this one: Playwright never downloads a browser here. A CJK font lets it draw the
  # console's Chinese (and customers' Chinese) in the screenshots rather than boxes.
  packages+=(python3 python3-pip python3-venv dovecot-imapd kannel prometheus curl postgresql openssl chromium fonts-wqy-microhei)
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
  # Kept in their own venv: an independent Standard Webhooks verifier and Twilio's own request validator
  # for the signature tests, aiosmtpd, the SMTP server the mail transport tests send to
  # (scripts/test-smtp-server.py), and Playwright for the browser tests.
  venv=".build/test-venv"
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
  "$venv/bin/python" -c "import standardwebhooks" 2>/dev/null || "$venv/bin/pip" install -q standardwebhooks
  "$venv/bin/python" -c "import aiosmtpd" 2>/dev/null || "$venv/bin/pip" install -q aiosmtpd
  "$venv/bin/python" -c "import twilio.request_validator" 2>/dev/null || "$venv/bin/pip" install -q twilio
  # Drives the system Chromium for the console's browser tests (Tests/Browser); `playwright install` is never run.
  "$venv/bin/python" -c "import playwright.sync_api" 2>/dev/null || "$venv/bin/pip" install -q playwright
fi
