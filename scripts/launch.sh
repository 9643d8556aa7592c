#!/usr/bin/env bash
# Set up (first run only) and launch Desktop Assistant. Arguments go to the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/desktop-assistant "$@"
