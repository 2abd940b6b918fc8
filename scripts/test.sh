#!/usr/bin/env bash
# Everything the whole test suite needs on a fresh machine, then the suite itself.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
[ -x /usr/bin/firefox-esr ] || missing="$missing firefox-esr"
if [ -n "$missing" ]; then
  echo "installing$missing from Debian's packages (browser tests)"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -e '.[test]'
# two workers (pytest-xdist), one test module per worker at a time: a module's Chromium is
# started once; `-n 0` among the arguments runs the suite in one process
python3 -m pytest -n 2 --dist loadfile "$@"
