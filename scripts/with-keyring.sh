#!/usr/bin/env bash
# Run a command inside a D-Bus session that has an unlocked Secret Service (gnome-keyring), so
# that the keyring library talks to a real backend. Call it under dbus-run-session.
set -euo pipefail
# A throwaway home keeps the test keyring away from the user's own.
export HOME="$(mktemp -d)"
export XDG_DATA_HOME="$HOME/.local/share" XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="${XDG_CACHE_HOME_FOR_TESTS:-$HOME/.cache}"
trap 'rm -rf "$HOME"' EXIT
printf 'desktop-assistant-tests' | gnome-keyring-daemon --unlock --components=secrets > /dev/null 2>&1 || true
"$@"
