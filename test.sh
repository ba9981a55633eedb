#!/usr/bin/env bash
# Installs (if needed) and runs the whole test suite on both cores. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh "[test]"
# The browser test drives Debian's Chromium; install it (and CJK fonts) where we can.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing chromium and fonts-noto-cjk for the browser test ..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >&2 \
    || echo "chromium could not be installed: the browser test will be skipped" >&2
fi
exec .venv/bin/python -m pytest -n 2 "$@"
