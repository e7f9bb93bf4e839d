#!/usr/bin/env bash
# Installs Debian's chromium package for the browser test of package api
# (api/browser_test.go). Idempotent: does nothing when /usr/bin/chromium
# exists. Needs root (or passwordless sudo) and the Debian package archive;
# the test itself skips when chromium is missing, unless CI=true.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "install-chromium: need root to apt-get install chromium; the browser test will skip" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# fonts-liberation gives the headless browser real glyphs for screenshots.
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null
/usr/bin/chromium --version
