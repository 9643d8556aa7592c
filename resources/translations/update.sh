#!/usr/bin/env bash
# Refresh the German translation: extract the window's texts, fill them from de.py, compile.
# Offline: pyside6-lupdate and pyside6-lrelease come with PySide6 (the venv's bin/).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin="$root/.venv/bin"
cd "$root"
sources=$(ls desktop_assistant/ui/*.py desktop_assistant/ui/*/*.py desktop_assistant/app/gui*.py)
"$bin/pyside6-lupdate" $sources -ts "$here/desktop_assistant_de.ts" -no-obsolete -locations none
"$bin/python" "$here/fill_ts.py" "$here/desktop_assistant_de.ts" "$here/de.py"
"$bin/pyside6-lrelease" "$here/desktop_assistant_de.ts" -qm "$here/desktop_assistant_de.qm"
