#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests if it is missing. Never fatal: without a
# browser the browser tests skip themselves with a clear message.
set -u
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "install-browser: not root and no sudo; browser tests will be skipped" >&2; exit 0; fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: no apt-get here; browser tests will be skipped" >&2; exit 0
fi
echo "install-browser: installing Debian's chromium (first run only)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-core >/dev/null 2>&1 \
  || echo "install-browser: apt-get install chromium failed; browser tests will be skipped" >&2
exit 0
