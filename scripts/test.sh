#!/usr/bin/env bash
# Set up and run every check CI runs: lint, types, layer contracts, the whole test suite.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/unit -x).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
. .venv/bin/activate

echo "== ruff";          ruff check . && ruff format --check .
echo "== mypy --strict"; mypy
echo "== import-linter"; lint-imports --no-cache
echo "== pytest"
# A private D-Bus session with an unlocked gnome-keyring gives keyring a real Secret Service.
set +e
dbus-run-session -- bash scripts/with-keyring.sh python -m pytest "$@"
rc=$?
set -e
[ "$rc" -eq 5 ] && { echo "pytest collected no tests"; exit 1; }
exit "$rc"
