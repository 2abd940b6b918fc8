#!/usr/bin/env bash
# Install the playground and start it on http://127.0.0.1:8000 (pass --host/--port to change).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install -q --disable-pip-version-check -e .
exec nn-playground "$@"
