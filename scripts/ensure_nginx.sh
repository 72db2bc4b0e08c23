#!/usr/bin/env bash
# nginx for the deployment tests (tests/test_deploy.py: two replicas behind
# deploy/nginx.conf). Optional: without it those tests are skipped, with a reason.
set -uo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing nginx (apt-get)…"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null 2>&1 ||
     { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         apt-get install -y -qq nginx >/dev/null 2>&1; }; then
    exit 0
  fi
fi
echo "nginx is not installed (sudo apt-get install -y nginx): the deployment" \
     "tests will be skipped." >&2
exit 0
