#!/usr/bin/env bash
# Make sure a system Chromium and CJK fonts are present for the browser tests.
# Playwright cannot download its own browser offline, so we use Debian's.
set -euo pipefail
have_browser() { command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; }
have_fonts() { dpkg -s fonts-noto-cjk >/dev/null 2>&1; }
if have_browser && have_fonts; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Chromium and CJK fonts (apt-get)…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  exit 0
fi
echo "The browser tests need Chromium and CJK fonts. Install them with:" >&2
echo "  sudo apt-get install -y chromium fonts-noto-cjk" >&2
exit 1
